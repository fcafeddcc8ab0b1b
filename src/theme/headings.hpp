// The headings of a post's body set below the heading of the page it is shown in. Private to
// the theme module.
#pragma once

#include <string>
#include <string_view>

namespace carnet::theme {

// `html` with its headings moved so that the highest of them is an h`top` (2 to 6), the
// others keeping their distance to it (never past h6). A body written with "##" sections
// (h2) or imported with h3 subheadings then reads under an h1 post title on the post's page
// and under an h3 one in a listing. Tags, comments and the text of script and style
// elements are read as HTML reads them: "<h2>" in a text, an attribute or a comment is left
// alone. Text without headings comes back unchanged.
std::string headings_from(std::string_view html, int top);

}  // namespace carnet::theme
