// The headings of a post's body set below the heading of the page it is shown in. Private to
// the theme module.
#pragma once

#include <string>
#include <string_view>

namespace carnet::theme {

// `html` with its headings moved so that the highest of them is an h`top` (2 to 6), the
// others keeping their distance to it (never past h6): a body written with "##" sections
// (h2) and one imported with h3 subheadings both read right below an h1 post title when
// `top` is 2. Tags, comments and the text of script and style elements are read as HTML
// reads them: "<h2>" in a text, an attribute or a comment is left alone. Text without
// headings comes back unchanged.
std::string headings_from(std::string_view html, int top);

}  // namespace carnet::theme
