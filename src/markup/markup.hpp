// Turns what writers (and later commenters) type into HTML that is safe to put on a page,
// and HTML into excerpts. Escaping and HTML to text are the text module's (text/text.hpp).
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

#include "model/model.hpp"
#include "text/text.hpp"

namespace carnet::markup {

// Renders a post body written by one of the blog's own authors: Markdown (CommonMark with
// tables and strikethrough, raw HTML allowed) through md4c, or HTML kept as written. In both,
// a paragraph that is only a YouTube, Vimeo or Dailymotion video URL (bare or as its only
// link) becomes a click-to-load poster: a link to the video page that the theme's script
// turns into a button loading the provider's player, so nothing is fetched from the provider
// until the reader asks for it.
std::string render_post_body(model::SourceFormat format, std::string_view source);

// Renders what a commenter wrote: a small Markdown subset (paragraphs, emphasis, links,
// quotes, code, lists) and nothing else. Raw HTML is shown as text, images as their
// description, headings as paragraphs; links keep only http, https and mailto targets and
// get rel="nofollow ugc noopener". Whatever the input, the result runs no script.
std::string render_comment(std::string_view source);

// The URL, trimmed, when it is an absolute http, https or mailto URL with nothing in it that
// could break out of an attribute; nothing otherwise. For links and commenters' web sites.
std::optional<std::string> safe_url(std::string_view url);

// The same for a web address only (http or https): a commenter's web site or profile, which
// the page links as the author's name.
std::optional<std::string> safe_web_url(std::string_view url);

// The first words of an HTML fragment's text (text::html_to_text), at most `max_chars` characters
// (not bytes), cut at a word boundary with "…" when cut.
std::string excerpt(std::string_view html, std::size_t max_chars = 280);

}  // namespace carnet::markup
