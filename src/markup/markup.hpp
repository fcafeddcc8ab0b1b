// Turns what writers (and later commenters) type into HTML that is safe to put on a page,
// and HTML back into plain text for excerpts.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "model/model.hpp"

namespace carnet::markup {

// Escapes &, <, >, " and ' for use in HTML text and quoted attribute values.
std::string escape_html(std::string_view text);

// Renders a post body written by one of the blog's own authors: Markdown (CommonMark with
// tables and strikethrough, raw HTML allowed) through md4c, or HTML kept as written.
std::string render_post_body(model::SourceFormat format, std::string_view source);

// The text of an HTML fragment without its tags, entities decoded, white space folded.
std::string plain_text(std::string_view html);

// The first words of an HTML fragment's text, at most `max_chars` characters (not bytes),
// cut at a word boundary with "…" when cut.
std::string excerpt(std::string_view html, std::size_t max_chars = 280);

}  // namespace carnet::markup
