// The admin's shared plumbing, private to the admin module: who may do what, the guard every
// blog route goes through, the page layout, and the one class whose members the feature
// files (login.cpp, posts.cpp, media.cpp, ...) define, each with the table of its routes.
#pragma once

#include <boost/json.hpp>
#include <functional>
#include <kainjow/mustache.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "admin/admin.hpp"
#include "auth/auth.hpp"
#include "theme/theme.hpp"

namespace carnet::admin {

namespace mustache = kainjow::mustache;
using http::Request;
using http::Response;
using http::RouteParams;
using model::Error;
using model::Role;

// Who may do what: the model's rules, which the APIs follow too.
using model::allows;
using model::Permission;

struct Visitor {
    model::User user;
    http::OpenSession session;
    const std::string& csrf() const { return session.record.csrf_secret; }
};

// A signed-in user in one of their blogs, with their role there.
struct Access {
    Visitor visitor;
    model::Blog blog;
    Role role = Role::author;
    std::vector<store::Membership> memberships;
};

// What a blog route's handler gets once the guard let the request through.
struct Call {
    const Request& request;
    const RouteParams& params;
    const Access& access;
    const http::Form& form;  // empty for GET

    // The numeric route parameter `name` ("post" in /posts/{post}), 0 when it is not a number.
    std::int64_t id(std::string_view name) const;
    const std::string& locale() const { return access.blog.locale; }
};

// --- Answers (fields.cpp).

// Headers every admin answer carries: nothing is cached, nothing framed, and no script runs
// but the admin's own file (a post's raw HTML in the preview included).
void protect(Response& response);
Response redirect(std::string location);
Response json(int status, const boost::json::object& object);
bool wants_json(const Request& request);
std::string percent_encode(std::string_view text);
// Only a path inside the admin: never another site (an open redirect).
std::string safe_next(std::string_view next);

// --- Form fields (fields.cpp).

// "2017-10-04T20:19", the value of a datetime-local input, in the blog's zone.
std::string local_input_value(model::Instant instant, std::string_view zone);
// The same with a space for the T, for reading.
std::string local_display(model::Instant instant, std::string_view zone);
// Reads what a datetime-local input sends ("2017-10-04T20:19", seconds allowed); nullopt for
// anything else, including dates that do not exist (31 April).
std::optional<model::LocalDateTime> parse_local_input(std::string_view text);
// "Libye, Syrte, libye" → Libye, Syrte: trimmed, empty and repeated (by slug) names left out.
std::vector<model::Category> categories_from_text(std::string_view text);
std::string categories_text(const std::vector<model::Category>& categories);

// --- Sessions (sessions.cpp): http's sessions, kept in the store.

class StoreSessionKeeper final : public http::SessionKeeper {
public:
    explicit StoreSessionKeeper(store::Store& store) : store_(store) {}
    [[nodiscard]] Result<std::optional<http::SessionRecord>> find_session(
        std::string_view token_hash, std::chrono::sys_seconds now) override;
    [[nodiscard]] Status create_session(std::string_view token_hash,
                                        const http::SessionRecord& record) override;
    [[nodiscard]] Status delete_session(std::string_view token_hash) override;

private:
    store::Store& store_;
};

class AdminImpl;

// One route of a blog: /admin/blogs/{blog}<path>, open to the roles `permission` allows.
struct BlogRoute {
    std::string_view method;
    std::string_view path;
    Permission permission;
    Response (AdminImpl::*handler)(const Call&);
};

class AdminImpl final : public Admin {
public:
    AdminImpl(store::Store& store, const Clock& clock, AdminOptions options,
              std::unique_ptr<theme::AdminPages> pages, std::string dummy_hash)
        : store_(store),
          clock_(clock),
          options_(std::move(options)),
          pages_(std::move(pages)),
          dummy_hash_(std::move(dummy_hash)),
          session_keeper_(store),
          sessions_(session_keeper_, clock,
                    http::SessionPolicy{.lifetime = options_.session_lifetime}) {}

    void register_routes(http::Router& router) override;
    [[nodiscard]] model::Result<int> run_due_work(model::Instant at) override;

private:
    model::Instant now() const { return clock_.now(); }
    // An admin string in `locale`, by its English msgid (themes/admin/locales/*.po).
    std::string tr(std::string_view locale, std::string_view msgid,
                   std::string_view context = {}) const {
        return pages_->text(locale, msgid, context);
    }

    // --- Guards and pages (access.cpp; current_visitor in sessions.cpp).
    void add_blog_routes(http::Router& router, std::span<const BlogRoute> routes);
    void add_blog_route(http::Router& router, std::string method, std::string path,
                        Permission permission, std::function<Response(const Call&)> handler);
    std::optional<Visitor> current_visitor(const Request& request);
    Response unauthenticated(const Request& request);
    // The admin template `body_template` ("editor" for editor.mustache) inside the layout.
    Response page(int status, const std::optional<Access>& access, std::string_view locale,
                  const std::string& title, std::string_view body_template, mustache::data view,
                  const std::string& notice = {}, const std::string& error = {});
    // A page that says `msgid` (translated) and nothing else.
    Response message(int status, const std::optional<Access>& access, std::string_view locale,
                     std::string_view msgid);
    Response internal_error(const Access& access, const Error& error);

    // --- Login (login.cpp).
    void add_login_routes(http::Router& router);
    Response login_form(const Request& request, int status, const std::string& error,
                        const std::string& email);
    Response login(const Request& request);
    Response logout(const Request& request);
    Response home(const Request& request);

    // --- Dashboard (dashboard.cpp).
    void add_dashboard_routes(http::Router& router);
    Response dashboard(const Call& call);

    // --- Posts (posts.cpp).
    void add_post_routes(http::Router& router);
    Response post_list(const Call& call);
    Response new_post(const Call& call);
    Response edit_post(const Call& call);
    Response create_post(const Call& call);
    Response autosave_new_post(const Call& call);
    Response update_post(const Call& call);
    Response autosave_post(const Call& call);
    Response delete_post(const Call& call);
    Response revision(const Call& call);
    Response restore_revision(const Call& call);
    Response preview(const Call& call);
    Response post_editor(const Access& access, const model::Post& post, int status = 200,
                         const std::string& notice = {}, const std::string& error = {});
    Response save_post(const Access& access, const http::Form& form,
                       std::optional<std::int64_t> post_id, bool autosave);
    // A post the user may edit in the blog: authors only their own.
    std::optional<model::Post> editable_post(const Access& access, std::int64_t post_id);
    std::string render_body(std::int64_t blog_id, model::SourceFormat format,
                            std::string_view source);

    // --- Media (media.cpp).
    void add_media_routes(http::Router& router);
    Response media_list(const Call& call);
    Response upload(const Call& call);
    mustache::data media_view(std::int64_t blog_id, int limit);

    // --- Pages (pages.cpp).
    void add_page_routes(http::Router& router);
    Response page_list(const Call& call);
    Response new_page(const Call& call);
    Response edit_page(const Call& call);
    Response create_page(const Call& call);
    Response update_page(const Call& call);
    Response delete_page(const Call& call);
    Response page_editor(const Access& access, const model::Page& page, int status = 200,
                         const std::string& notice = {}, const std::string& error = {});
    Response save_page(const Access& access, const http::Form& form,
                       std::optional<std::int64_t> page_id);

    // --- Categories (categories.cpp).
    void add_category_routes(http::Router& router);
    Response category_list(const Call& call);
    Response rename_category(const Call& call);
    Response merge_category(const Call& call);
    Response delete_category(const Call& call);
    Response category_page(const Access& access, const std::string& error);
    Response change_category(const Call& call,
                             const std::function<model::Status(store::Writer&)>& change);

    // --- Comments (comments.cpp).
    void add_comment_routes(http::Router& router);
    Response comment_list(const Call& call);
    Response moderate_selection(const Call& call);
    Response edit_comment(const Call& call);
    Response reply_to_comment(const Call& call);
    Response moderate(const Access& access, const std::vector<std::int64_t>& ids,
                      std::string_view action);

    // --- Application passwords (app_passwords.cpp).
    void add_app_password_routes(http::Router& router);
    Response app_password_list(const Call& call);
    Response create_app_password(const Call& call);
    Response revoke_app_password(const Call& call);
    // The Apps page after revoking a password or a token (404 when there was none).
    Response revoked(const Access& access, const Status& written);
    // --- IndieAuth's approval and tokens (indieauth.cpp).
    void add_indieauth_routes(http::Router& router);
    Response indieauth_request(const Call& call);
    Response indieauth_decision(const Call& call);
    Response revoke_access_token(const Call& call);
    Response app_password_page(const Access& access, int status, const std::string& new_password,
                               const std::string& notice = {}, const std::string& error = {});

    // --- Followers on the fediverse (followers.cpp).
    void add_follower_routes(http::Router& router);
    Response follower_list(const Call& call);
    Response approve_follower(const Call& call);
    Response refuse_follower(const Call& call);
    Response block_follower(const Call& call);
    Response unblock_follower(const Call& call);
    // Approves (accept) or refuses or removes the follower the form names, and tells it so.
    Response answer_follower(const Call& call, bool accept);
    Response follower_page(const Access& access, int status, const std::string& notice = {},
                           const std::string& error = {});

    // --- Following accounts of the fediverse and reading them (following.cpp).
    void add_following_routes(http::Router& router);
    Response following_list(const Call& call);
    Response follow_account(const Call& call);
    Response unfollow_account(const Call& call);
    Response following_page(const Access& access, int status, const std::string& account = {},
                            const std::string& notice = {}, const std::string& error = {});
    Response reader(const Call& call);
    Response reply_to_item(const Call& call);

    // --- Settings (settings.cpp).
    void add_settings_routes(http::Router& router);
    Response show_settings(const Call& call);
    Response save_settings(const Call& call);
    Response settings(const Access& access, int status = 200, const std::string& notice = {},
                      const std::string& error = {});

    store::Store& store_;
    const Clock& clock_;
    AdminOptions options_;
    std::unique_ptr<theme::AdminPages> pages_;
    // A hash checked when no account has the e-mail given, so that a login takes the same
    // time whether or not the account exists.
    std::string dummy_hash_;
    // Shared with the APIs' sign-ins (AdminOptions::throttle), or the admin's own.
    std::shared_ptr<auth::LoginThrottle> throttle_ =
        options_.throttle ? options_.throttle : std::make_shared<auth::LoginThrottle>();
    StoreSessionKeeper session_keeper_;
    http::Sessions sessions_;
    // The login form's token: there is no session yet.
    http::FormCsrf login_csrf_{"carnet_login", "/admin/login"};
};

// The names of post states, comment states and comment policies in the blog's language.
std::string post_status_label(const theme::AdminPages& pages, std::string_view locale,
                              model::PostStatus status);
std::string comment_status_label(const theme::AdminPages& pages, std::string_view locale,
                                 model::CommentStatus status);
std::string policy_label(const theme::AdminPages& pages, std::string_view locale,
                         model::CommentPolicy policy);
// Labelled <option>s of the post statuses and comment policies.
mustache::data status_options(const theme::AdminPages& pages, std::string_view locale,
                              std::optional<model::PostStatus> selected, bool with_all);
mustache::data policy_options(const theme::AdminPages& pages, std::string_view locale,
                              std::optional<model::CommentPolicy> selected);

}  // namespace carnet::admin
