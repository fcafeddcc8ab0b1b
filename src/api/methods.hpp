// The XML-RPC methods: who is calling (an application password, held to the login
// throttle), what their role in the blog lets them do (the model's rules, as in the admin),
// and each method of the Blogger, MetaWeblog, Movable Type and WordPress APIs. Private to
// the api module.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "api/xmlrpc.hpp"
#include "auth/auth.hpp"

namespace carnet::api {

// Standard faults of blog APIs (the codes WordPress answers, which clients know).
inline constexpr int k_fault_credentials = 403;
inline constexpr int k_fault_forbidden = 401;
inline constexpr int k_fault_not_found = 404;

// What a client asked for a post: every field is optional on an edit (kept as it is).
struct PostChanges {
    std::optional<std::string> title;
    std::optional<std::string> body;
    std::optional<std::string> more;
    std::optional<std::string> excerpt;
    std::optional<std::string> slug;
    std::optional<std::vector<std::string>> categories;
    std::optional<std::vector<std::int64_t>> category_ids;
    std::optional<std::vector<std::string>> tags;
    std::optional<bool> comments_open;
    std::optional<model::SourceFormat> format;
    std::optional<model::Instant> date;
    std::optional<bool> publish;
};

// A signed-in user of an API, with the blogs they belong to and their role in each.
struct Caller {
    model::User user;
    std::vector<store::Membership> memberships;
};

// An image an app uploaded, as kept.
struct Upload {
    std::int64_t id = 0;
    std::string file_name;
    std::string url;  // absolute
    // Where readers can fetch it: its largest resized variant (pages never serve the
    // original), which posts may name as well as the original.
    std::string shown_url;
    std::string content_type;
};

class Methods {
public:
    Methods(store::Store& store, const Clock& clock, const ApiOptions& options)
        : store_(store),
          clock_(clock),
          options_(options),
          throttle_(options.throttle ? options.throttle : std::make_shared<auth::LoginThrottle>()) {
    }

    // Answers one call: its value, or the fault to send.
    std::expected<xmlrpc::Value, xmlrpc::Fault> call(const http::Request& request,
                                                     const xmlrpc::Call& call);

    // What every API shares (Micropub too): the caller for a signed-in user, saving a post
    // as the admin's editor does (no post.id: a new one; its id), keeping an upload as the
    // admin does, a post's HTML from its source.
    std::expected<Caller, xmlrpc::Fault> caller_of(model::User user);
    std::expected<std::int64_t, xmlrpc::Fault> save_post(const http::Request& request,
                                                         const Caller& caller,
                                                         const store::Membership& membership,
                                                         model::Post post,
                                                         const PostChanges& changes, bool publish);
    std::expected<Upload, xmlrpc::Fault> store_upload(const http::Request& request,
                                                      const Caller& caller,
                                                      const store::Membership& membership,
                                                      std::string_view bytes,
                                                      std::string_view name);
    std::string render(const model::Blog& blog, const model::Post& post);

    // Every method offered, in order (system.listMethods, mt.supportedMethods).
    static std::vector<std::string> names();

private:
    store::Store& store_;
    const Clock& clock_;
    const ApiOptions& options_;
    // The admin's login throttle: every call counts.
    std::shared_ptr<auth::LoginThrottle> throttle_;

    friend struct MethodContext;
};

}  // namespace carnet::api
