#include <spdlog/spdlog.h>

#include <algorithm>
#include <exception>

#include "http/error_page.hpp"
#include "http/http.hpp"

namespace carnet::http {

namespace {

std::vector<std::string> split_path(std::string_view path) {
    std::vector<std::string> segments;
    std::size_t start = 0;
    for (;;) {
        std::size_t end = path.find('/', start);
        if (end == std::string_view::npos) {
            segments.emplace_back(path.substr(start));
            return segments;
        }
        segments.emplace_back(path.substr(start, end - start));
        start = end + 1;
    }
}

// Matches one path segment against one pattern segment, capturing `{name}` into `params`.
bool match_segment(std::string_view pattern, std::string_view segment, RouteParams& params) {
    std::size_t open = pattern.find('{');
    std::size_t close = open == std::string_view::npos ? open : pattern.find('}', open);
    if (close == std::string_view::npos) return pattern == segment;
    std::string_view prefix = pattern.substr(0, open);
    std::string_view name = pattern.substr(open + 1, close - open - 1);
    std::string_view suffix = pattern.substr(close + 1);
    // The captured value must not be empty: "{slug}.html" does not match ".html".
    if (segment.size() <= prefix.size() + suffix.size()) return false;
    if (!segment.starts_with(prefix) || !segment.ends_with(suffix)) return false;
    params.insert_or_assign(
        std::string(name),
        std::string(segment.substr(prefix.size(), segment.size() - prefix.size() - suffix.size())));
    return true;
}

bool match_path(const std::vector<std::string>& pattern, std::string_view path,
                RouteParams& params) {
    std::size_t start = 0;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (start > path.size()) return false;
        std::size_t end = path.find('/', start);
        bool last = i + 1 == pattern.size();
        if (last != (end == std::string_view::npos)) return false;
        if (end == std::string_view::npos) end = path.size();
        if (!match_segment(pattern[i], path.substr(start, end - start), params)) return false;
        start = end + 1;
    }
    return true;
}

Response call_handler(const Handler& handler, const Request& request, const RouteParams& params) {
    // Handlers belong to other modules: whatever they throw stops here, as a 500.
    try {
        return handler(request, params);
    } catch (const std::exception& e) {
        spdlog::error("handler for {} {} threw: {}", request.method, request.target, e.what());
    } catch (...) {
        spdlog::error("handler for {} {} threw a non-standard exception", request.method,
                      request.target);
    }
    return error_page(500);
}

}  // namespace

void Router::add(std::string method, std::string pattern, Handler handler) {
    std::vector<std::string> segments = split_path(pattern);
    entries_.push_back(Entry{Route{std::move(method), std::move(pattern)}, std::move(segments),
                             std::move(handler)});
}

void Router::set_fallback(Handler handler) { fallback_ = std::move(handler); }

Response Router::dispatch(const Request& request) const {
    std::vector<std::string_view> allowed;
    auto allow = [&](std::string_view method) {
        if (std::find(allowed.begin(), allowed.end(), method) == allowed.end()) {
            allowed.push_back(method);
        }
    };
    RouteParams params;
    for (const Entry& entry : entries_) {
        params.clear();
        if (!match_path(entry.segments, request.path, params)) continue;
        const std::string& method = entry.route.method;
        if (method == request.method || (method == "GET" && request.method == "HEAD")) {
            return call_handler(entry.handler, request, params);
        }
        allow(method);
        if (method == "GET") allow("HEAD");
    }
    if (!allowed.empty()) {
        Response response = error_page(405);
        std::string allow_header;
        for (std::string_view method : allowed) {
            if (!allow_header.empty()) allow_header += ", ";
            allow_header += method;
        }
        response.headers.emplace_back("Allow", std::move(allow_header));
        return response;
    }
    if (fallback_) return call_handler(fallback_, request, RouteParams{});
    return error_page(404);
}

std::vector<Route> Router::routes() const {
    std::vector<Route> routes;
    routes.reserve(entries_.size());
    for (const Entry& entry : entries_) routes.push_back(entry.route);
    return routes;
}

}  // namespace carnet::http
