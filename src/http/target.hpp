// Reading the parts of a request line and a Host header that the server hands to handlers.
#pragma once

#include <string>
#include <string_view>

#include "text/error.hpp"

namespace carnet::http {

struct Target {
    std::string path;   // percent-decoded
    std::string query;  // raw, without '?'
};

// Splits a request target (origin form "/a/b?q", or absolute form "http://host/a/b?q") into
// its decoded path and raw query. Fails with invalid_input on invalid percent-encoding, a NUL
// in the decoded path, or a "." or ".." segment once decoded: handlers that map paths to
// files or keys must never see one.
[[nodiscard]] Result<Target> parse_target(std::string_view target);
// The same into `parsed`, whose strings keep their room from one request to the next; on
// failure `parsed` holds anything.
[[nodiscard]] Status parse_target_into(std::string_view target, Target& parsed);

// The host of a Host header value, lower case, without the port: "Example.org:8080" gives
// "example.org", "[::1]:8080" gives "[::1]". Fails with invalid_input when it is not a
// valid authority or carries user information.
[[nodiscard]] Result<std::string> parse_host(std::string_view host_header);
// The same into `host`, which keeps its room from one request to the next.
[[nodiscard]] Status parse_host_into(std::string_view host_header, std::string& host);

}  // namespace carnet::http
