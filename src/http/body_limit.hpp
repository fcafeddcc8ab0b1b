// Which limit applies to the body of a request, by path.
#pragma once

#include <cstddef>
#include <string_view>

#include "http/http.hpp"

namespace carnet::http {

// The limit for a request to `path` (percent-decoded): the max_bytes of the longest
// path_prefix of options.body_limits that starts `path`, else options.max_body_bytes.
std::size_t body_limit_for(const ServerOptions& options, std::string_view path);

// The largest limit of all: what the parser must allow while it reads the header, since
// Beast checks a Content-Length against the body limit as soon as the header is complete.
std::size_t largest_body_limit(const ServerOptions& options);

}  // namespace carnet::http
