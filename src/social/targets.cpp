#include "social/targets.hpp"

#include <algorithm>
#include <boost/url.hpp>
#include <cctype>
#include <charconv>
#include <string>

#include "social/activitypub.hpp"

namespace carnet::social {

using model::Error;

std::optional<boost::urls::url> web_url(std::string_view text) {
    auto parsed = boost::urls::parse_uri(text);
    if (!parsed) return std::nullopt;
    boost::urls::url url = *parsed;
    url.normalize_scheme();
    if (url.scheme_id() != boost::urls::scheme::http &&
        url.scheme_id() != boost::urls::scheme::https) {
        return std::nullopt;
    }
    if (!url.has_authority() || url.host().empty()) return std::nullopt;
    return url;
}

std::int64_t comment_in_fragment(std::string_view url) {
    const auto hash = url.find("#comment-");
    if (hash == std::string_view::npos) return 0;
    const auto digits = url.substr(hash + 9);
    std::int64_t id = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
    if (error != std::errc() || end != digits.data() + digits.size() || id <= 0) return 0;
    return id;
}

model::Result<model::Post> post_at_url(store::Store& store, const model::Blog& blog,
                                       const boost::urls::url& url, std::string_view request_host) {
    std::string host = url.host();
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    bool ours = host == request_host || std::ranges::find(blog.hosts, host) != blog.hosts.end();
    if (auto base = activitypub::public_base(blog); !ours && base) {
        ours = activitypub::host_of(*base) == host;
    }
    if (!ours) return model::fail(Error::Code::not_found, "another host");
    const std::string path = url.path();
    const auto slash = path.rfind('/');
    if (!path.starts_with("/archive/") || !path.ends_with(".html") || slash == std::string::npos) {
        return model::fail(Error::Code::not_found, "not a post's path");
    }
    const auto slug = path.substr(slash + 1, path.size() - slash - 1 - 5);
    auto post = store.posts().find_published_post(blog.id, slug);
    if (!post) return std::unexpected(post.error());
    if (!*post || model::post_path(blog, **post) != path) {
        return model::fail(Error::Code::not_found, "no such post");
    }
    return std::move(**post);
}

}  // namespace carnet::social
