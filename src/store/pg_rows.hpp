// The PostgreSQL store's files read rows through the pieces both backends share, under the
// name they have always used.
#pragma once

#include "store/sql_rows.hpp"

namespace carnet::store::pg::rows {
using namespace carnet::store::rows;
}  // namespace carnet::store::pg::rows
