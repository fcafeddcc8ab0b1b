// The writers' apps: application passwords, and XML-RPC at /xmlrpc (the Blogger, MetaWeblog,
// Movable Type and wp.* methods that MarsEdit and Open Live Writer call) with its RSD
// discovery file at /rsd.xml. Every call signs in with an application password (never the
// login password) and is held to the user's role in the blog, by the rules the admin follows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

#include "auth/auth.hpp"
#include "http/http.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace carnet::api {

inline constexpr std::string_view k_xmlrpc_path = "/xmlrpc";

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
};

class Api {
public:
    // The store and the clock must outlive the API.
    [[nodiscard]] static model::Result<std::unique_ptr<Api>> create(store::Store& store,
                                                                    const Clock& clock,
                                                                    ApiOptions options);
    virtual ~Api() = default;

    // POST /xmlrpc and GET /rsd.xml, on every blog's host.
    virtual void register_routes(http::Router& router) = 0;
};

}  // namespace carnet::api
