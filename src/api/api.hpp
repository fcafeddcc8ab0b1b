// The writers' apps: application passwords, XML-RPC at /xmlrpc (the Blogger, MetaWeblog,
// Movable Type and wp.* methods that MarsEdit and Open Live Writer call) with its RSD
// discovery file at /rsd.xml, and Micropub at /micropub with carnet as its users' own
// IndieAuth server. Every call signs in with an application password or an IndieAuth token
// (never the login password) and is held to the user's role in the blog, by the rules the
// admin follows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auth/auth.hpp"
#include "http/http.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace carnet::api {

inline constexpr std::string_view k_xmlrpc_path = "/xmlrpc";
inline constexpr std::string_view k_micropub_path = "/micropub";
inline constexpr std::string_view k_micropub_media_path = "/micropub/media";
inline constexpr std::string_view k_indieauth_metadata_path =
    "/.well-known/oauth-authorization-server";
inline constexpr std::string_view k_authorization_path = "/indieauth/auth";
inline constexpr std::string_view k_token_path = "/indieauth/token";
inline constexpr std::string_view k_revocation_path = "/indieauth/revoke";
inline constexpr std::string_view k_introspection_path = "/indieauth/introspect";

// The scopes a Micropub client may be granted, in the order the approval page shows them.
inline constexpr std::string_view k_scopes[] = {"create", "update", "delete", "media"};

// Where the blog's pages are: its base URL, or the address the client used.
std::string site_base(const model::Blog& blog, const http::Request& request);

// --- IndieAuth (indieauth.cpp).

// An IndieAuth authorization request (response_type=code), checked.
struct AuthRequest {
    std::string client_id;
    std::string redirect_uri;
    std::string state;
    std::string code_challenge;       // S256
    std::vector<std::string> scopes;  // the known scopes asked for, in k_scopes order
    std::string me;                   // as sent, may be empty
};

// Reads an authorization request from its parameters (`param` gives each, from the query
// or a form). invalid_input, saying why, unless response_type is "code", client_id and
// redirect_uri are http(s) URLs of one scheme, host and port (client metadata is not
// fetched, so no other redirect can be trusted), state is present and the code challenge
// is S256 (plain or none is refused).
[[nodiscard]] model::Result<AuthRequest> parse_auth_request(
    const std::function<std::optional<std::string>(std::string_view)>& param);

// The PKCE S256 challenge of a code verifier: base64url(SHA-256(verifier)), unpadded.
std::string pkce_challenge(std::string_view verifier);
// True when the verifier (43 to 128 unreserved characters, RFC 7636) yields `challenge`.
bool pkce_matches(std::string_view verifier, std::string_view challenge);

// The blog's issuer identifier: its home page's URL.
std::string issuer_of(const model::Blog& blog, const http::Request& request);

// The user approved `auth` on `blog`, granting `scopes` (those asked that they kept): a new
// single-use code (stored hashed, ten minutes) and the redirect that hands it to the client.
[[nodiscard]] model::Result<std::string> approve_auth_request(
    store::Store& store, const Clock& clock, std::int64_t user_id, const model::Blog& blog,
    const http::Request& request, const AuthRequest& auth, const std::vector<std::string>& scopes);
// The redirect that tells the client the user said no (error=access_denied).
std::string deny_auth_request(const model::Blog& blog, const http::Request& request,
                              const AuthRequest& auth);

// The admin page that shows an authorization request for approval, for a blog.
std::string approval_path(std::int64_t blog_id);

// Makes a new application password named `name` for the user and returns it: the only time
// anyone sees it, since the store keeps only its hash. invalid_input for a bad name,
// conflict when the user has one of that name already.
[[nodiscard]] model::Result<std::string> create_app_password(store::Store& store,
                                                             std::int64_t user_id,
                                                             std::string_view name);

struct ApiOptions {
    // Where uploaded images are written (the admin's media directory).
    std::filesystem::path media_dir;
    // The largest image an app may upload, as in the admin.
    std::size_t max_upload_bytes = 20 * 1024 * 1024;
    // The largest XML-RPC request: room for an image in base64. The server must refuse
    // bigger bodies on k_xmlrpc_path (http::BodyLimit) before they reach the API; the API
    // refuses them too.
    std::size_t max_request_bytes = 32 * 1024 * 1024;
    // The admin's login throttle (AdminOptions::throttle), so that every sign-in, in the
    // login form or in a call, counts against the same account and address; null: the
    // API's own.
    std::shared_ptr<auth::LoginThrottle> throttle;
    // What follows a post's publication or withdrawal (AdminOptions::post_hooks): a post
    // published from an app is federated and sends its webmentions as one from the admin.
    store::PostHooks post_hooks;
};

class Api {
public:
    // The store and the clock must outlive the API.
    [[nodiscard]] static model::Result<std::unique_ptr<Api>> create(store::Store& store,
                                                                    const Clock& clock,
                                                                    ApiOptions options);
    virtual ~Api() = default;

    // POST /xmlrpc and GET /rsd.xml, Micropub and IndieAuth, on every blog's host.
    virtual void register_routes(http::Router& router) = 0;
};

}  // namespace carnet::api
