// Text helpers private to the comments module (UTF-8 and folding are text::'s), in their own header
// so that tests can reach them.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace carnet::comments {

// `text` without Unicode white space and control characters at either end. Invalid UTF-8
// is kept as it is.
std::string_view trim(std::string_view text);

// How many URLs `text` holds, as SpamRules::max_links describes.
std::size_t count_links(std::string_view text);

// The words of `text` (runs of letters and digits) folded as text::Folding::case_and_accents
// folds them: "L'ÉTÉ ﬁni" gives {"l", "ete", "fini"}. Only the first 16 MiB are read.
std::vector<std::string> fold_words(std::string_view text);

}  // namespace carnet::comments
