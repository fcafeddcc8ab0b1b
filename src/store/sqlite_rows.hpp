// The SQLite store's files read rows through the pieces both backends share.
#pragma once

#include "store/sql_rows.hpp"
