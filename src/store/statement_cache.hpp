// The prepared statements of one connection, by their SQL text, for both backends' Connection.
// Private to the store.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

namespace carnet::store {

// Looked up by the SQL's text itself, without a copy of it for every call.
struct SqlTextHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view sql) const {
        return std::hash<std::string_view>{}(sql);
    }
};

template <typename Statement>
using StatementCache =
    std::unordered_map<std::string, std::unique_ptr<Statement>, SqlTextHash, std::equal_to<>>;

}  // namespace carnet::store
