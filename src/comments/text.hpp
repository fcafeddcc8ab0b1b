// Text helpers private to the comments module, in their own header so that tests can reach
// them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::comments {

// `text` without Unicode white space and control characters at either end. Invalid UTF-8
// is kept as it is.
std::string_view trim(std::string_view text);

bool is_valid_utf8(std::string_view text);

// Code points in valid UTF-8 (each invalid byte counts as one).
std::size_t count_chars(std::string_view text);

// How many URLs `text` holds, as SpamRules::max_links describes.
std::size_t count_links(std::string_view text);

// The words of `text` (runs of letters and digits) case-folded, with accents and
// compatibility forms taken apart and marks dropped, format characters (zero-width
// spaces, soft hyphens) ignored: "L'ÉTÉ ﬁni" gives {"l", "ete", "fini"}.
std::vector<std::string> fold_words(std::string_view text);

}  // namespace carnet::comments
