// The web admin at /admin/: login and sessions, the dashboard, posts (editor with live
// preview, autosave, revisions, scheduling), pages, categories, media, settings, and the
// switch between the blogs a user belongs to. Every route checks the session, the CSRF token
// of state-changing requests and the user's role in the blog named in the URL.
#pragma once

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <functional>
#include <memory>
#include <string_view>

#include "auth/auth.hpp"
#include "http/http.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace carnet::admin {

// Uploads go to paths under this prefix, so that the server can give them a larger body
// limit than other requests (http::ServerOptions::body_limits).
inline constexpr std::string_view k_upload_path_prefix = "/admin/upload/";

struct AdminOptions {
    // Where uploaded images and their variants are written (served at /media/).
    std::filesystem::path media_dir;
    // The folder of themes: the admin's templates and locale files are in its admin/ folder.
    std::filesystem::path themes_dir;
    std::size_t max_upload_bytes = 20 * 1024 * 1024;
    std::chrono::seconds session_lifetime{14 * 24 * 60 * 60};
    // The login throttle, to share with the APIs so that guesses count wherever they are
    // made; null: the admin's own.
    std::shared_ptr<auth::LoginThrottle> throttle;
    // What follows a post's publication or withdrawal, called in the transaction that saves
    // it (in the editor, on restoring a revision, on schedule, on deleting it for good).
    store::PostHooks post_hooks;
    // Called in the transaction that approves (accepted) or refuses or removes (not accepted)
    // a follower on the fediverse, to tell it (an Accept or a Reject). Unset: nothing is sent.
    std::function<model::Status(store::Writer& writer, const model::Blog& blog,
                                const store::Follower& follower, bool accepted)>
        follower_answered;
};

class Admin {
public:
    // The store and the clock must outlive the admin. The clock says when sessions expire,
    // when a post saved without a date is published, and what month the dashboard ends on.
    [[nodiscard]] static model::Result<std::unique_ptr<Admin>> create(store::Store& store,
                                                                      const Clock& clock,
                                                                      AdminOptions options);
    virtual ~Admin() = default;

    virtual void register_routes(http::Router& router) = 0;

    // Publishes the scheduled posts whose time has come and forgets expired sessions; the
    // server calls it every few seconds, so that a post appears on time with nobody in the
    // admin. Returns how many posts it published.
    [[nodiscard]] virtual model::Result<int> run_due_work(model::Instant now) = 0;
};

}  // namespace carnet::admin
