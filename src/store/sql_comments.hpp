// What other concerns need of the comments' SQL: the one INSERT of a comment, which the archive
// uses for imported comments. Private to the store.
#pragma once

#include <cstdint>
#include <string_view>

#include "store/sql_rows.hpp"
#include "store/store.hpp"

namespace carnet::store::comments_sql {

// The one INSERT of a comment, for a reader's comment and an imported one alike: the post must
// be the blog's, a reply's parent a comment of the same post. `kind` is "comment" or "ping";
// `author_ip` is what another host recorded (empty for carnet's own). `Transaction` is either
// backend's (instantiated for both).
template <typename Transaction>
[[nodiscard]] Result<std::int64_t> insert_comment(Transaction& context,
                                                  const model::Comment& comment,
                                                  std::string_view kind,
                                                  std::string_view author_ip);

}  // namespace carnet::store::comments_sql
