#include "http/body_limit.hpp"

#include <algorithm>

namespace carnet::http {

std::size_t body_limit_for(const ServerOptions& options, std::string_view path) {
    std::size_t limit = options.max_body_bytes;
    std::size_t longest = 0;
    bool matched = false;
    for (const BodyLimit& body_limit : options.body_limits) {
        const std::string& prefix = body_limit.path_prefix;
        if (!path.starts_with(prefix)) continue;
        if (matched && prefix.size() <= longest) continue;
        matched = true;
        longest = prefix.size();
        limit = body_limit.max_bytes;
    }
    return limit;
}

std::size_t largest_body_limit(const ServerOptions& options) {
    std::size_t largest = options.max_body_bytes;
    for (const BodyLimit& body_limit : options.body_limits) {
        largest = std::max(largest, body_limit.max_bytes);
    }
    return largest;
}

}  // namespace carnet::http
