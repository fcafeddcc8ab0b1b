// The SQLite store's side of `carnet migrate` (copy::TableEndpoint). Private to the store.
#pragma once

#include <functional>

#include "store/sqlite_database.hpp"
#include "store/table_copy.hpp"

namespace carnet::store::sqlite {

[[nodiscard]] Status read_table_snapshot(Database& database,
                                         const std::function<Status(copy::TableReader&)>& body);
[[nodiscard]] Status write_tables(Database& database,
                                  const std::function<Status(copy::TableWriter&)>& body);

}  // namespace carnet::store::sqlite
