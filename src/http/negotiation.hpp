// Content negotiation and conditional requests for cached responses.
#pragma once

#include <chrono>
#include <optional>
#include <string_view>

#include "http/http.hpp"  // parse_http_date

namespace carnet::http {

enum class Coding { identity, gzip, brotli };

// The coding to send, given the Accept-Encoding header (RFC 9110 §12.5.3) and the variants at
// hand: the available coding with the highest q-value, brotli before gzip on a tie; identity
// when the client accepts neither (or sent no header).
Coding choose_coding(std::string_view accept_encoding, bool have_gzip, bool have_brotli);

// True when an If-None-Match value (a list of entity tags, or "*") matches `etag` under the
// weak comparison of RFC 9110 §8.8.3.2, which is the one If-None-Match uses. A malformed
// list matches nothing.
bool if_none_match_matches(std::string_view if_none_match, std::string_view etag);

// Whether a cached 200 with `last_modified` is still what a client holding
// `if_modified_since` has (RFC 9110 §13.1.3): only asked when the client sent no
// If-None-Match, which wins over it.
bool not_modified_since(std::string_view if_modified_since, std::string_view last_modified);

}  // namespace carnet::http
