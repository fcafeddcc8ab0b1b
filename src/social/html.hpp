// What Webmention reads in pages from elsewhere, through libxml2's HTML parser (which runs
// nothing and fetches nothing): links, the endpoint a page advertises, and the microformats2
// of a source. Private to the social module.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "social/social.hpp"

namespace carnet::social {

// `reference` resolved against `base` (RFC 3986 §5), without its fragment when
// `keep_fragment` is false; nothing when either is not a URL or the result is not http(s).
std::optional<std::string> resolve_url(std::string_view base, std::string_view reference,
                                       bool keep_fragment = true);

// The absolute http(s) targets of the <a href> of an HTML fragment, resolved against `base`,
// each once, in document order, without fragments.
std::vector<std::string> links_in(std::string_view html, std::string_view base);

// An image of an HTML fragment: its absolute http(s) address and its text alternative.
struct Image {
    std::string url;
    std::string alt;
};

// The <img> of an HTML fragment whose src resolves against `base` to an http(s) URL, each
// once, in document order.
std::vector<Image> images_in(std::string_view html, std::string_view base);

// The Webmention endpoint the response advertises (Webmention §3.1.2): the first HTTP Link
// header with rel="webmention", else the first <link> or <a> of the HTML with that rel, its
// URL resolved against the response's final URL (an empty href is the page itself).
std::optional<std::string> find_endpoint(const FetchResponse& response);

// What a source page says, read from its microformats2.
struct SourcePage {
    bool links_to_target = false;  // an href or src of the page resolves to the target
    std::string author_name;       // the h-entry's p-author h-card
    std::string author_url;
    std::string author_photo;
    // An HTML fragment whose text is what the source says: its e-content, else p-summary,
    // else p-name, else the page's <title>. As the page wrote it: never shown as such.
    std::string content_html;
    std::vector<std::string> in_reply_to;  // the h-entry's u-in-reply-to URLs
};

// Reads the source page at `page_url` that should link to `target`. Only the first h-entry
// counts; nested microformats (an h-cite quoted in the content) give their values only to the
// property they stand for.
SourcePage read_source(std::string_view html, std::string_view page_url, std::string_view target);

}  // namespace carnet::social
