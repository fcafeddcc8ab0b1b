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
    // What the admin asks of the fediverse (Following, the reader, answers to its comments);
    // unset ones leave the blog off it: the pages say so and nothing is sent.
    struct Fediverse {
        // Resolves the account (@name@host or an actor's address) and follows it from the
        // blog: what is recorded. Code::invalid_input (its message for the writer) or
        // Code::io when it cannot be followed.
        std::function<model::Result<store::Following>(const model::Blog& blog,
                                                      std::string_view account)>
            follow;
        // In the transaction that forgets the account: tells it (Undo).
        std::function<model::Status(store::Writer& writer, const model::Blog& blog,
                                    std::string_view actor)>
            unfollow;
        // In a transaction of its own: sends the writer's `text` as a reply to the item.
        std::function<model::Status(store::Writer& writer, const model::Blog& blog,
                                    const store::ReaderItem& item, std::string_view text)>
            reply;
        // In the transaction that adds the writer's `answer` under `parent`: sends it where
        // `parent` came from when it came from the fediverse.
        std::function<model::Status(store::Writer& writer, const model::Blog& blog,
                                    const model::Comment& parent, const model::Comment& answer)>
            comment_answered;
    };
    Fediverse fediverse;
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
