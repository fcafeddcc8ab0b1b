// IndieAuth: carnet as the authorization server of its users. The request's checks, PKCE,
// the codes users approve in the admin; the metadata, token and revocation endpoints are
// routes of ApiImpl (api.cpp).
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <boost/url.hpp>

#include "api/api.hpp"
#include "auth/auth.hpp"
#include "text/text.hpp"

namespace carnet::api {
namespace {

using model::Error;

constexpr auto k_code_lifetime = std::chrono::minutes(10);

// Scheme, host and port of an absolute http(s) URL; nothing for anything else.
std::optional<std::string> origin_of(std::string_view text) {
    auto parsed = boost::urls::parse_absolute_uri(text);
    if (!parsed) return std::nullopt;
    const auto scheme = parsed->scheme_id();
    if (scheme != boost::urls::scheme::http && scheme != boost::urls::scheme::https) {
        return std::nullopt;
    }
    if (parsed->host().empty() || parsed->has_userinfo()) return std::nullopt;
    const bool https = scheme == boost::urls::scheme::https;
    const auto port = parsed->has_port() ? std::string(parsed->port()) : (https ? "443" : "80");
    const auto host = text::ascii_lower(parsed->host());
    return fmt::format("{}://{}:{}", https ? "https" : "http", host, port);
}

std::string with_params(std::string_view base,
                        std::initializer_list<std::pair<std::string_view, std::string_view>> add) {
    boost::urls::url url(base);
    for (const auto& [name, value] : add) url.params().append({name, value});
    return std::string(url.buffer());
}

}  // namespace

model::Result<AuthRequest> parse_auth_request(
    const std::function<std::optional<std::string>(std::string_view)>& param) {
    auto refuse = [](std::string message) {
        return model::fail(Error::Code::invalid_input, std::move(message));
    };
    if (param("response_type").value_or("") != "code") {
        return refuse("response_type must be \"code\"");
    }
    AuthRequest request;
    request.client_id = param("client_id").value_or("");
    request.redirect_uri = param("redirect_uri").value_or("");
    request.state = param("state").value_or("");
    request.code_challenge = param("code_challenge").value_or("");
    request.me = param("me").value_or("");
    const auto client = origin_of(request.client_id);
    if (!client) return refuse("client_id must be an http or https URL");
    const auto redirect = origin_of(request.redirect_uri);
    if (!redirect) return refuse("redirect_uri must be an http or https URL");
    if (*client != *redirect) {
        return refuse(
            "redirect_uri must share its scheme, host and port with client_id (client "
            "metadata is not fetched)");
    }
    if (request.state.empty()) return refuse("state is missing");
    if (param("code_challenge_method").value_or("") != "S256") {
        return refuse("code_challenge_method must be S256");
    }
    if (request.code_challenge.size() != 43) {
        return refuse("code_challenge must be the S256 challenge of a code verifier");
    }
    const auto scope = param("scope").value_or("create");
    for (const auto known : k_scopes) {
        std::size_t from = 0;
        while (from < scope.size()) {
            auto space = scope.find(' ', from);
            if (space == std::string::npos) space = scope.size();
            if (std::string_view(scope).substr(from, space - from) == known) {
                request.scopes.emplace_back(known);
                break;
            }
            from = space + 1;
        }
    }
    return request;
}

std::string pkce_challenge(std::string_view verifier) {
    unsigned char digest[crypto_hash_sha256_BYTES];
    crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(verifier.data()),
                       verifier.size());
    std::string out(
        sodium_base64_ENCODED_LEN(sizeof digest, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
    sodium_bin2base64(out.data(), out.size(), digest, sizeof digest,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    out.resize(std::strlen(out.c_str()));
    return out;
}

bool pkce_matches(std::string_view verifier, std::string_view challenge) {
    if (verifier.size() < 43 || verifier.size() > 128) return false;
    const bool unreserved = std::ranges::all_of(verifier, [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '.' || c == '_' ||
               c == '~';
    });
    return unreserved && auth::secrets_equal(pkce_challenge(verifier), challenge);
}

std::string issuer_of(const model::Blog& blog, const http::Request& request) {
    return site_base(blog, request) + "/";
}

std::string approval_path(std::int64_t blog_id) {
    return fmt::format("/admin/blogs/{}/indieauth", blog_id);
}

model::Result<std::string> approve_auth_request(store::Store& store, const Clock& clock,
                                                std::int64_t user_id, const model::Blog& blog,
                                                const http::Request& request,
                                                const AuthRequest& auth,
                                                const std::vector<std::string>& scopes) {
    std::string granted;
    for (const auto& scope : auth.scopes) {
        if (std::ranges::find(scopes, scope) == scopes.end()) continue;
        if (!granted.empty()) granted += ' ';
        granted += scope;
    }
    auto code = auth::random_token(24);
    const store::AuthCode record{.user_id = user_id,
                                 .blog_id = blog.id,
                                 .client_id = auth.client_id,
                                 .redirect_uri = auth.redirect_uri,
                                 .code_challenge = auth.code_challenge,
                                 .scope = granted,
                                 .expires_at = clock.now() + k_code_lifetime};
    auto written = store.write([&](store::Writer& writer) {
        return writer.access_tokens().create_auth_code(auth::hash_token(code), record);
    });
    if (!written) return std::unexpected(written.error());
    return with_params(auth.redirect_uri,
                       {{"code", code}, {"state", auth.state}, {"iss", issuer_of(blog, request)}});
}

std::string deny_auth_request(const model::Blog& blog, const http::Request& request,
                              const AuthRequest& auth) {
    return with_params(
        auth.redirect_uri,
        {{"error", "access_denied"}, {"state", auth.state}, {"iss", issuer_of(blog, request)}});
}

}  // namespace carnet::api
