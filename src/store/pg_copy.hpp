// The PostgreSQL store's side of `carnet migrate` (copy::TableEndpoint). Private to the store.
#pragma once

#include <functional>

#include "store/pg_database.hpp"
#include "store/table_copy.hpp"

namespace carnet::store::pg {

[[nodiscard]] Status read_table_snapshot(Database& database,
                                         const std::function<Status(copy::TableReader&)>& body);
[[nodiscard]] Status write_tables(Database& database,
                                  const std::function<Status(copy::TableWriter&)>& body);

}  // namespace carnet::store::pg
