// What Webmention and ActivityPub both need to know of the URLs others send: whether one names
// a post of the blog (a webmention's target, a reply's inReplyTo, a Like's object) and which
// comment its fragment names. Private to the social module.
#pragma once

#include <boost/url/url.hpp>
#include <cstdint>
#include <optional>
#include <string_view>

#include "model/model.hpp"
#include "store/store.hpp"

namespace carnet::social {

// An absolute http(s) URL with a host, parsed (its scheme in lower case); nothing otherwise.
std::optional<boost::urls::url> web_url(std::string_view text);

// The comment a "#comment-N" fragment of the URL names; 0 when it names none.
std::int64_t comment_in_fragment(std::string_view url);

// The published post of the blog whose permalink `url` is, on the request's host, one of the
// blog's hosts or its base URL's; its fragment and query are not looked at. Code::not_found
// when it names none.
[[nodiscard]] model::Result<model::Post> post_at_url(store::Store& store, const model::Blog& blog,
                                                     const boost::urls::url& url,
                                                     std::string_view request_host);

}  // namespace carnet::social
