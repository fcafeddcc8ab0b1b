// Moving blogs in and out of carnet. For now: the front page of the old hosted service,
// saved as text (what a browser's "save as text" or a copy of the page gives).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "store/store.hpp"

namespace carnet::interop {

using model::Result;

// One post as read from a saved front page.
struct PageTextPost {
    int line = 0;  // 1-based line of its day header in the input
    std::string title;
    model::LocalDateTime published_local;   // 00:00 on its day when the footer is missing
    std::vector<std::string> categories;    // in the order written
    std::vector<std::string> paragraphs;    // body text, one entry per paragraph
    std::vector<bool> is_subheading;        // parallel to paragraphs
    bool has_footer = false;                // false for a post cut off by the end of the page
    std::optional<int> announced_comments;  // "Commentaires (N)" when there is a footer
};

// Reads a saved front page. Refuses (Code::invalid_input, with a line number) anything that
// is not one: no day header, a day header with no title after it, an invalid date or time,
// text that is not UTF-8.
Result<std::vector<PageTextPost>> parse_page_text(std::string_view text);

struct ImportReport {
    int imported = 0;
    int skipped = 0;
    std::vector<std::string> lines;  // one per post and per problem, for a person to read
};

// Imports a saved front page into the blog, in one transaction: posts are published at
// their time in the blog's time zone, with their categories, their body as HTML (paragraphs
// and subheadings). A post whose slug is already in the blog is skipped, so importing the
// same page twice adds nothing. The report says, per post, how many comments the page
// announced (their texts are not in such a page) and which posts had no footer.
Result<ImportReport> import_page_text(store::Store& store, std::int64_t blog_id,
                                      std::string_view text);

}  // namespace carnet::interop
