#include <boost/url/encoding_opts.hpp>
#include <boost/url/params_encoded_view.hpp>
#include <boost/url/parse_query.hpp>

#include "http/http.hpp"

namespace carnet::http {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        auto lower = [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        };
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

}  // namespace

std::string_view Request::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (equals_ignoring_case(field, name)) return value;
    }
    return {};
}

std::string_view RequestHead::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (equals_ignoring_case(field, name)) return value;
    }
    return {};
}

std::optional<std::uint64_t> CachePolicy::key_into(const RequestHead& request,
                                                   std::string& key) const {
    key.clear();
    if (!function_) return std::nullopt;
    return function_(request, key);
}

std::optional<CacheKey> CachePolicy::operator()(const Request& request) const {
    std::vector<std::pair<std::string_view, std::string_view>> headers(request.headers.begin(),
                                                                       request.headers.end());
    const RequestHead head{.method = request.method,
                           .target = request.target,
                           .path = request.path,
                           .query = request.query,
                           .host = request.host,
                           .headers = headers};
    CacheKey key;
    auto generation = key_into(head, key.key);
    if (!generation) return std::nullopt;
    key.generation = *generation;
    return key;
}

std::string_view Response::header(std::string_view name) const {
    for (const auto& [field, value] : headers) {
        if (equals_ignoring_case(field, name)) return value;
    }
    return {};
}

std::optional<std::string> Request::query_param(std::string_view name) const {
    auto params = boost::urls::parse_query(query);
    if (!params) return std::nullopt;
    // HTML forms send spaces as '+' in queries.
    boost::urls::encoding_opts options;
    options.space_as_plus = true;
    // Decoded piecewise: Boost 1.81 declares params_view(params_view, encoding_opts) but its
    // library does not define it.
    for (auto param : *params) {
        if (param.key.decode(options) != name) continue;
        return param.has_value ? param.value.decode(options) : std::string();
    }
    return std::nullopt;
}

}  // namespace carnet::http
