#include "admin/admin.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <kainjow/mustache.hpp>
#include <set>

#include "admin/assets.hpp"
#include "admin/chart.hpp"
#include "admin/diff.hpp"
#include "admin/templates.hpp"
#include "admin/texts.hpp"
#include "auth/auth.hpp"
#include "markup/markup.hpp"
#include "media/media.hpp"
#include "text/text.hpp"

namespace carnet::admin {
namespace {

namespace mustache = kainjow::mustache;
using http::Request;
using http::Response;
using http::RouteParams;
using model::Error;
using model::Role;

constexpr std::string_view k_session_cookie = "carnet_session";
constexpr std::string_view k_login_cookie = "carnet_login";
constexpr int k_posts_per_admin_page = 20;

// Who may do what. Owners do everything; editors everything but the blog's settings;
// authors write (their own posts) and upload; moderators moderate comments.
enum class Permission { any_role, write_posts, edit_all, configure, moderate };

bool allows(Role role, Permission permission) {
    switch (permission) {
        case Permission::any_role:
            return true;
        case Permission::write_posts:
            return role != Role::moderator;
        case Permission::edit_all:
            return role == Role::owner || role == Role::editor;
        case Permission::configure:
            return role == Role::owner;
        case Permission::moderate:
            return role != Role::author;
    }
    return false;
}

model::Instant now() {
    return std::chrono::time_point_cast<std::chrono::seconds>(std::chrono::system_clock::now());
}

std::string_view text(std::string_view locale, std::string_view key) {
    for (const auto& entry : k_texts) {
        if (entry.key == key) return locale == "en" ? entry.en : entry.fr;
    }
    return key;
}

mustache::data texts(std::string_view locale) {
    mustache::data all = mustache::data::type::object;
    for (const auto& entry : k_texts) {
        all.set(std::string(entry.key), std::string(locale == "en" ? entry.en : entry.fr));
    }
    return all;
}

std::string render(std::string_view template_text, const mustache::data& view) {
    mustache::mustache parsed{std::string(template_text)};
    parsed.set_custom_escape([](const std::string& raw) { return markup::escape_html(raw); });
    return parsed.render(view);
}

std::string percent_encode(std::string_view text) {
    return boost::urls::encode(text, boost::urls::unreserved_chars);
}

// Headers every admin answer carries: nothing is cached, nothing framed, and no script runs
// but the admin's own file (a post's raw HTML in the preview included).
void protect(Response& response) {
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com "
        "https://www.dailymotion.com; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'");
    response.headers.emplace_back("X-Content-Type-Options", "nosniff");
    response.headers.emplace_back("Referrer-Policy", "same-origin");
}

Response redirect(std::string location) {
    Response response;
    response.status = 303;
    response.headers.emplace_back("Location", std::move(location));
    protect(response);
    return response;
}

Response json(int status, const boost::json::object& object) {
    Response response;
    response.status = status;
    response.content_type = "application/json";
    response.body = boost::json::serialize(object);
    protect(response);
    return response;
}

bool wants_json(const Request& request) {
    return request.header("Accept").find("application/json") != std::string_view::npos;
}

// "2017-10-04T20:19", the value of a datetime-local input, in the blog's zone.
std::string local_input_value(model::Instant instant, std::string_view zone) {
    auto local = model::to_local(instant, zone);
    if (!local) return {};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", local->year, local->month, local->day,
                       local->hour, local->minute);
}

std::string local_display(model::Instant instant, std::string_view zone) {
    auto value = local_input_value(instant, zone);
    if (value.size() > 10) value[10] = ' ';
    return value;
}

std::optional<model::LocalDateTime> parse_local_input(std::string_view text) {
    model::LocalDateTime local;
    int fields = 0;
    const std::string copy(text);
    if (std::sscanf(copy.c_str(), "%4d-%2d-%2dT%2d:%2d%n", &local.year, &local.month, &local.day,
                    &local.hour, &local.minute, &fields) != 5) {
        return std::nullopt;
    }
    if (local.month < 1 || local.month > 12 || local.day < 1 || local.day > 31 || local.hour < 0 ||
        local.hour > 23 || local.minute < 0 || local.minute > 59) {
        return std::nullopt;
    }
    return local;
}

std::vector<model::Category> categories_from_text(std::string_view text) {
    std::vector<model::Category> categories;
    std::set<std::string> seen;
    while (!text.empty()) {
        const auto comma = text.find(',');
        auto name = http::trim_blank(text.substr(0, comma));
        if (!name.empty() && seen.insert(model::make_slug(name)).second) {
            categories.push_back(model::Category{.name = std::move(name)});
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return categories;
}

std::string categories_text(const std::vector<model::Category>& categories) {
    std::string out;
    for (const auto& category : categories) {
        if (!out.empty()) out += ", ";
        out += category.name;
    }
    return out;
}

std::string unescape_attribute(std::string_view text) {
    // What markup::escape_html writes, read back.
    constexpr std::array<std::pair<std::string_view, char>, 5> k_entities{
        {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}}};
    std::string out;
    while (!text.empty()) {
        const auto entity = std::ranges::find_if(
            k_entities, [&](const auto& known) { return text.starts_with(known.first); });
        if (entity != k_entities.end()) {
            out += entity->second;
            text.remove_prefix(entity->first.size());
        } else {
            out += text.front();
            text.remove_prefix(1);
        }
    }
    return out;
}

struct Visitor {
    model::User user;
    store::Session session;
    std::string token_hash;
};

struct Access {
    Visitor visitor;
    model::Blog blog;
    Role role = Role::author;
    std::vector<store::Membership> memberships;
};

class AdminImpl final : public Admin {
public:
    AdminImpl(store::Store& store, AdminOptions options, std::string dummy_hash)
        : store_(store), options_(std::move(options)), dummy_hash_(std::move(dummy_hash)) {}

    void register_routes(http::Router& router) override;
    model::Result<int> run_due_work(model::Instant at) override;

private:
    using BlogHandler = std::function<Response(const Request&, const RouteParams&, const Access&,
                                               const http::Form&)>;

    http::Handler guarded(Permission permission, BlogHandler handler);
    std::optional<Visitor> current_visitor(const Request& request);
    Response unauthenticated(const Request& request);

    // Pages.
    Response page(int status, const std::optional<Access>& access, std::string_view locale,
                  const std::string& title, std::string_view body_template, mustache::data view,
                  const std::string& notice = {}, const std::string& error = {});
    Response message(int status, const std::optional<Access>& access, std::string_view locale,
                     std::string_view key);

    Response login_form(const Request& request, int status, const std::string& error,
                        const std::string& email);
    Response login(const Request& request);
    Response logout(const Request& request);
    Response home(const Request& request);

    Response dashboard(const Access& access);
    Response post_list(const Request& request, const Access& access);
    Response post_editor(const Access& access, const model::Post& post, int status = 200,
                         const std::string& notice = {}, const std::string& error = {});
    Response save_post(const Request& request, const Access& access, const http::Form& form,
                       std::optional<std::int64_t> post_id, bool autosave);
    Response delete_post(const Access& access, std::int64_t post_id);
    Response revision(const Access& access, std::int64_t post_id, std::int64_t revision_id);
    Response restore_revision(const Access& access, std::int64_t post_id, std::int64_t revision_id);
    Response preview(const Access& access, const http::Form& form);
    Response media_list(const Access& access);
    Response upload(const Request& request, const Access& access, const http::Form& form);
    Response page_list(const Access& access);
    Response page_editor(const Access& access, const model::Page& page, int status = 200,
                         const std::string& notice = {}, const std::string& error = {});
    Response save_page(const Access& access, const http::Form& form,
                       std::optional<std::int64_t> page_id);
    Response category_list(const Access& access, const std::string& error = {});
    Response comment_list(const Request& request, const Access& access);
    Response moderate(const Access& access, const std::vector<std::int64_t>& ids,
                      std::string_view action, std::string_view back);
    Response edit_comment(const Access& access, std::int64_t comment_id, const http::Form& form);
    Response reply_to_comment(const Access& access, std::int64_t comment_id,
                              const http::Form& form);
    Response settings(const Access& access, int status = 200, const std::string& notice = {},
                      const std::string& error = {});
    Response save_settings(const Access& access, const http::Form& form);

    // A post the user may edit in the blog: authors only their own.
    std::optional<model::Post> editable_post(const Access& access, std::int64_t post_id);
    std::string render_body(std::int64_t blog_id, model::SourceFormat format,
                            std::string_view source);
    std::string media_markdown(const store::MediaRecord& record) const;
    std::string media_thumb(const store::MediaRecord& record) const;
    mustache::data media_view(std::int64_t blog_id, int limit);
    Response internal_error(const Access& access, const Error& error);

    store::Store& store_;
    AdminOptions options_;
    // A hash checked when no account has the e-mail given, so that a login takes the same
    // time whether or not the account exists.
    std::string dummy_hash_;
    auth::LoginThrottle throttle_;
};

// --- Sessions and guards -----------------------------------------------------------------

std::optional<Visitor> AdminImpl::current_visitor(const Request& request) {
    auto token = request.cookie(k_session_cookie);
    if (!token || token->empty() || token->size() > 128) return std::nullopt;
    auto token_hash = auth::hash_token(*token);
    auto session = store_.sessions().find_session(token_hash, now());
    if (!session || !*session) return std::nullopt;
    auto user = store_.accounts().find_user((*session)->user_id);
    if (!user || !*user) return std::nullopt;
    return Visitor{std::move(**user), std::move(**session), std::move(token_hash)};
}

Response AdminImpl::unauthenticated(const Request& request) {
    if (request.method == "GET" || request.method == "HEAD") {
        return redirect("/admin/login?next=" + percent_encode(request.target));
    }
    return message(401, std::nullopt, "fr", "forbidden");
}

bool csrf_matches(const http::Form& form, std::string_view secret) {
    auto sent = form.get("csrf");
    return sent && !secret.empty() && auth::secrets_equal(*sent, secret);
}

http::Handler AdminImpl::guarded(Permission permission, BlogHandler handler) {
    return [this, permission, handler = std::move(handler)](const Request& request,
                                                            const RouteParams& params) {
        auto visitor = current_visitor(request);
        if (!visitor) return unauthenticated(request);
        http::Form form;
        if (request.method == "POST") {
            auto parsed = http::parse_form(request);
            if (!parsed) return message(400, std::nullopt, "fr", "bad_request");
            form = std::move(*parsed);
            if (!csrf_matches(form, visitor->session.csrf_secret)) {
                return message(403, std::nullopt, "fr", "csrf_failed");
            }
        }
        auto memberships = store_.accounts().memberships_of(visitor->user.id);
        if (!memberships) return message(500, std::nullopt, "fr", "bad_request");
        const auto blog_param = params.find("blog");
        const auto blog_id =
            blog_param == params.end() ? std::nullopt : http::parse_id(blog_param->second);
        auto membership = std::ranges::find_if(*memberships, [&](const auto& candidate) {
            return blog_id && candidate.blog.id == *blog_id;
        });
        if (membership == memberships->end()) {
            return message(403, std::nullopt, "fr", "forbidden");
        }
        Access access{std::move(*visitor), membership->blog, membership->role,
                      std::move(*memberships)};
        if (!allows(access.role, permission)) {
            return message(403, access, access.blog.locale, "forbidden");
        }
        return handler(request, params, access, form);
    };
}

// --- Pages -------------------------------------------------------------------------------

Response AdminImpl::page(int status, const std::optional<Access>& access, std::string_view locale,
                         const std::string& title, std::string_view body_template,
                         mustache::data view, const std::string& notice, const std::string& error) {
    view.set("t", texts(locale));
    if (access) {
        view.set("blog_id", std::to_string(access->blog.id));
        view.set("csrf", access->visitor.session.csrf_secret);
    }
    mustache::data layout;
    layout.set("t", texts(locale));
    layout.set("lang", std::string(locale));
    layout.set("title", title);
    layout.set("body", render(body_template, view));
    if (!notice.empty()) layout.set("notice", notice);
    if (!error.empty()) layout.set("error", error);
    if (access) {
        mustache::data bar;
        bar.set("blog_id", std::to_string(access->blog.id));
        bar.set("blog_title", access->blog.title);
        bar.set("blog_url",
                access->blog.base_url.empty() ? std::string("/") : access->blog.base_url + "/");
        bar.set("user_name", access->visitor.user.name);
        bar.set("csrf", access->visitor.session.csrf_secret);
        bar.set("can_write", allows(access->role, Permission::write_posts));
        bar.set("can_edit_all", allows(access->role, Permission::edit_all));
        bar.set("can_configure", allows(access->role, Permission::configure));
        bar.set("can_moderate", allows(access->role, Permission::moderate));
        mustache::list others;
        for (const auto& membership : access->memberships) {
            if (membership.blog.id == access->blog.id) continue;
            mustache::data other;
            other.set("id", std::to_string(membership.blog.id));
            other.set("title", membership.blog.title);
            others.push_back(other);
        }
        bar.set("has_other_blogs", !others.empty());
        bar.set("other_blogs", others);
        layout.set("access", bar);
    }
    Response response;
    response.status = status;
    response.body = render(templates::k_layout, layout);
    protect(response);
    return response;
}

Response AdminImpl::message(int status, const std::optional<Access>& access,
                            std::string_view locale, std::string_view key) {
    mustache::data view;
    const std::string words(text(locale, key));
    view.set("heading", std::to_string(status));
    view.set("message", words);
    return page(status, access, locale, words, templates::k_message, view);
}

Response AdminImpl::internal_error(const Access& access, const Error& error) {
    spdlog::error("admin: {}", error.message);
    return message(500, access, access.blog.locale, "bad_request");
}

// --- Login -------------------------------------------------------------------------------

http::CookieOptions session_cookie(const Request& request, std::string value,
                                   std::optional<std::int64_t> max_age) {
    return http::CookieOptions{.name = std::string(k_session_cookie),
                               .value = std::move(value),
                               .path = "/",
                               .max_age = max_age,
                               .http_only = true,
                               .same_site = http::SameSite::lax,
                               .secure = request.secure};
}

http::CookieOptions login_cookie(const Request& request, std::string value) {
    return http::CookieOptions{.name = std::string(k_login_cookie),
                               .value = std::move(value),
                               .path = "/admin/login",
                               .max_age = 60 * 60,
                               .http_only = true,
                               .same_site = http::SameSite::strict,
                               .secure = request.secure};
}

// Only a path inside the admin: never another site (an open redirect).
std::string safe_next(std::string_view next) {
    if (next.starts_with("/admin/") && !next.starts_with("//") &&
        next.find_first_of("\\\r\n") == std::string_view::npos) {
        return std::string(next);
    }
    return "/admin/";
}

Response AdminImpl::login_form(const Request& request, int status, const std::string& error,
                               const std::string& email) {
    // The login form's CSRF token is a double-submitted cookie: there is no session yet.
    auto token = auth::random_token(32);
    mustache::data view;
    view.set("login_csrf", token);
    view.set("next", safe_next(request.query_param("next").value_or("/admin/")));
    view.set("email", email);
    auto response = page(status, std::nullopt, "fr", std::string(text("fr", "login")),
                         templates::k_login, view, {}, error);
    if (auto cookie = http::set_cookie_header(login_cookie(request, token))) {
        response.headers.emplace_back("Set-Cookie", *cookie);
    }
    return response;
}

Response AdminImpl::login(const Request& request) {
    auto form = http::parse_form(request);
    if (!form) return message(400, std::nullopt, "fr", "bad_request");
    const auto sent_token = form->get("csrf").value_or("");
    const auto cookie_token = request.cookie(k_login_cookie).value_or("");
    if (sent_token.empty() || !auth::secrets_equal(sent_token, cookie_token)) {
        return message(403, std::nullopt, "fr", "csrf_failed");
    }
    const auto email = http::trim_blank(form->get("email").value_or(""));
    const auto password = form->get("password").value_or("");
    std::string account = email;
    std::ranges::transform(account, account.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto clock_now = auth::LoginThrottle::Clock::now();
    const auto wait = throttle_.retry_after(account, request.remote_address, clock_now);
    if (wait > auth::LoginThrottle::Clock::duration::zero()) {
        auto response = login_form(request, 429, std::string(text("fr", "login_wait")), email);
        response.headers.emplace_back(
            "Retry-After", std::to_string(std::chrono::ceil<std::chrono::seconds>(wait).count()));
        return response;
    }
    auto found = store_.accounts().find_login(email);
    if (!found) {
        spdlog::error("admin: login lookup failed: {}", found.error().message);
        return message(500, std::nullopt, "fr", "bad_request");
    }
    const bool valid = *found ? auth::verify_password((*found)->password_hash, password)
                              : (auth::verify_password(dummy_hash_, password), false);
    if (!valid) {
        throttle_.record_failure(account, request.remote_address, clock_now);
        spdlog::info("admin: failed login from {}", request.remote_address);
        return login_form(request, 401, std::string(text("fr", "login_failed")), email);
    }
    throttle_.record_success(account);
    const auto token = auth::random_token(32);
    const store::Session session{(*found)->user.id, auth::random_token(32),
                                 now() + options_.session_lifetime};
    auto written = store_.write([&](store::Writer& writer) {
        return writer.sessions().create_session(auth::hash_token(token), session);
    });
    if (!written) {
        spdlog::error("admin: cannot create a session: {}", written.error().message);
        return message(500, std::nullopt, "fr", "bad_request");
    }
    spdlog::info("admin: user {} logged in from {}", (*found)->user.id, request.remote_address);
    auto response = redirect(safe_next(form->get("next").value_or("/admin/")));
    if (auto cookie = http::set_cookie_header(
            session_cookie(request, token, options_.session_lifetime.count()))) {
        response.headers.emplace_back("Set-Cookie", *cookie);
    }
    if (auto cookie = http::delete_cookie_header(login_cookie(request, ""))) {
        response.headers.emplace_back("Set-Cookie", *cookie);
    }
    return response;
}

Response AdminImpl::logout(const Request& request) {
    auto visitor = current_visitor(request);
    if (!visitor) return unauthenticated(request);
    auto form = http::parse_form(request);
    if (!form) return message(400, std::nullopt, "fr", "bad_request");
    if (!csrf_matches(*form, visitor->session.csrf_secret)) {
        return message(403, std::nullopt, "fr", "csrf_failed");
    }
    auto written = store_.write([&](store::Writer& writer) {
        return writer.sessions().delete_session(visitor->token_hash);
    });
    if (!written) return message(500, std::nullopt, "fr", "bad_request");
    auto response = redirect("/admin/login");
    if (auto cookie = http::delete_cookie_header(session_cookie(request, "", std::nullopt))) {
        response.headers.emplace_back("Set-Cookie", *cookie);
    }
    return response;
}

Response AdminImpl::home(const Request& request) {
    auto visitor = current_visitor(request);
    if (!visitor) return unauthenticated(request);
    auto memberships = store_.accounts().memberships_of(visitor->user.id);
    if (!memberships) return message(500, std::nullopt, "fr", "bad_request");
    if (memberships->empty()) return message(403, std::nullopt, "fr", "forbidden");
    // The blog this host serves, when the user belongs to it; their first blog otherwise.
    auto here = std::ranges::find_if(*memberships, [&](const auto& membership) {
        return std::ranges::find(membership.blog.hosts, request.host) !=
               membership.blog.hosts.end();
    });
    const auto& chosen = here != memberships->end() ? *here : memberships->front();
    return redirect(fmt::format("/admin/blogs/{}/", chosen.blog.id));
}

// --- Dashboard ---------------------------------------------------------------------------

Response AdminImpl::dashboard(const Access& access) {
    auto counts = store_.blogs().counts(access.blog.id);
    if (!counts) return internal_error(access, counts.error());
    auto today = model::to_local(now(), access.blog.time_zone);
    if (!today) return internal_error(access, today.error());
    mustache::data view;
    view.set("published", std::to_string(counts->published));
    view.set("drafts", std::to_string(counts->drafts));
    view.set("scheduled", std::to_string(counts->scheduled));
    view.set("comments_pending", std::to_string(counts->comments_pending));
    view.set("chart", posts_per_month_svg(counts->published_per_month, today->year, today->month,
                                          text(access.blog.locale, "posts_per_month")));
    return page(200, access, access.blog.locale, std::string(text(access.blog.locale, "dashboard")),
                templates::k_dashboard, view);
}

// --- Posts -------------------------------------------------------------------------------

std::optional<model::Post> AdminImpl::editable_post(const Access& access, std::int64_t post_id) {
    auto post = store_.posts().find_post_by_id(access.blog.id, post_id);
    if (!post || !*post) return std::nullopt;
    if (!allows(access.role, Permission::edit_all) &&
        (*post)->author_id != access.visitor.user.id) {
        return std::nullopt;
    }
    return std::move(**post);
}

mustache::data status_options(std::string_view locale, std::optional<model::PostStatus> selected,
                              bool with_all) {
    mustache::list options;
    if (with_all) {
        mustache::data all;
        all.set("value", std::string());
        all.set("label", std::string(text(locale, "all")));
        all.set("selected", !selected.has_value());
        options.push_back(all);
    }
    for (auto status : {model::PostStatus::draft, model::PostStatus::scheduled,
                        model::PostStatus::published, model::PostStatus::trash}) {
        mustache::data option;
        option.set("value", std::string(model::to_string(status)));
        option.set("label",
                   std::string(text(locale, fmt::format("status_{}", model::to_string(status)))));
        option.set("selected", selected == status);
        options.push_back(option);
    }
    return options;
}

mustache::data policy_options(std::string_view locale,
                              std::optional<model::CommentPolicy> selected) {
    mustache::list options;
    for (auto policy : {model::CommentPolicy::open, model::CommentPolicy::first_held,
                        model::CommentPolicy::all_held, model::CommentPolicy::closed}) {
        mustache::data option;
        option.set("value", std::string(model::to_string(policy)));
        option.set("label",
                   std::string(text(locale, fmt::format("policy_{}", model::to_string(policy)))));
        option.set("selected", selected == policy);
        options.push_back(option);
    }
    return options;
}

Response AdminImpl::post_list(const Request& request, const Access& access) {
    const auto& locale = access.blog.locale;
    store::AdminPostQuery query;
    query.status = model::parse_post_status(request.query_param("status").value_or(""));
    query.category_id = http::parse_id(request.query_param("category").value_or(""));
    query.text = http::trim_blank(request.query_param("q").value_or(""));
    if (!allows(access.role, Permission::edit_all)) query.author_id = access.visitor.user.id;
    const int page_number = static_cast<int>(std::clamp<std::int64_t>(
        http::parse_id(request.query_param("page").value_or("")).value_or(1), 1, 100'000));
    query.limit = k_posts_per_admin_page;
    query.offset = (page_number - 1) * k_posts_per_admin_page;
    auto list = store_.posts().admin_posts(access.blog.id, query);
    if (!list) return internal_error(access, list.error());
    auto categories = store_.categories().all_categories(access.blog.id);
    if (!categories) return internal_error(access, categories.error());

    mustache::data view;
    view.set("statuses", status_options(locale, query.status, true));
    mustache::list category_options;
    for (const auto& category : *categories) {
        mustache::data option;
        option.set("id", std::to_string(category.id));
        option.set("name", category.name);
        option.set("selected", query.category_id == category.id);
        category_options.push_back(option);
    }
    view.set("categories", category_options);
    view.set("q", query.text);
    mustache::list posts;
    for (const auto& post : list->posts) {
        mustache::data row;
        row.set("blog_id", std::to_string(access.blog.id));
        row.set("id", std::to_string(post.id));
        row.set("title", post.title);
        row.set("status",
                std::string(text(locale, fmt::format("status_{}", model::to_string(post.status)))));
        row.set("iso", text::rfc3339_utc(post.published_at));
        row.set("when", local_display(post.published_at, access.blog.time_zone));
        row.set("categories", categories_text(post.categories));
        posts.push_back(row);
    }
    view.set("has_posts", !posts.empty());
    view.set("posts", posts);
    auto page_link = [&](int number) {
        return fmt::format("/admin/blogs/{}/posts?status={}&category={}&q={}&page={}",
                           access.blog.id,
                           query.status ? model::to_string(*query.status) : std::string_view(),
                           query.category_id ? std::to_string(*query.category_id) : "",
                           percent_encode(query.text), number);
    };
    if (page_number > 1) view.set("previous", page_link(page_number - 1));
    if (query.offset + k_posts_per_admin_page < list->total) {
        view.set("next", page_link(page_number + 1));
    }
    return page(200, access, locale, std::string(text(locale, "posts")), templates::k_posts, view);
}

std::string AdminImpl::media_markdown(const store::MediaRecord& record) const {
    auto alt = record.original_name;
    if (auto dot = alt.rfind('.'); dot != std::string::npos) alt.resize(dot);
    // Brackets and line breaks would end the Markdown image's description early.
    std::erase_if(alt, [](char c) { return c == '[' || c == ']' || c == '\n' || c == '\r'; });
    return fmt::format("![{}](/media/{})", alt, record.file_name);
}

std::string AdminImpl::media_thumb(const store::MediaRecord& record) const {
    // Originals are not public (they keep the photo's metadata): the smallest variant is.
    if (!record.variants.empty()) return "/media/" + record.variants.front().file_name;
    return "/media/" + record.file_name;
}

mustache::data AdminImpl::media_view(std::int64_t blog_id, int limit) {
    mustache::list items;
    if (auto records = store_.media().media(blog_id, 0, limit)) {
        for (const auto& record : *records) {
            mustache::data item;
            item.set("thumb", media_thumb(record));
            item.set("markdown", media_markdown(record));
            items.push_back(item);
        }
    }
    return items;
}

// Renders a post's text as the public page shows it, with images uploaded to the blog given
// their resized variants (srcset) in place of the original.
std::string AdminImpl::render_body(std::int64_t blog_id, model::SourceFormat format,
                                   std::string_view source) {
    auto html = markup::render_post_body(format, source);
    constexpr std::string_view k_start = "<img src=\"/media/";
    std::string out;
    std::size_t from = 0;
    while (true) {
        const auto at = html.find(k_start, from);
        if (at == std::string::npos) break;
        const auto name_start = at + k_start.size();
        const auto name_end = html.find('"', name_start);
        const auto tag_end = html.find('>', name_start);
        if (name_end == std::string::npos || tag_end == std::string::npos) break;
        const auto name = std::string_view(html).substr(name_start, name_end - name_start);
        std::string replacement;
        if (media::parse_file_name(name)) {
            auto record = store_.media().find_media(blog_id, name);
            if (record && *record) {
                const auto tag = std::string_view(html).substr(at, tag_end - at);
                std::string alt;
                if (auto alt_at = tag.find(" alt=\""); alt_at != std::string_view::npos) {
                    const auto alt_start = alt_at + 6;
                    alt = unescape_attribute(
                        tag.substr(alt_start, tag.find('"', alt_start) - alt_start));
                }
                auto image = media::describe((*record)->file_name,
                                             static_cast<std::uint64_t>((*record)->size_bytes),
                                             (*record)->width, (*record)->height);
                if (image) replacement = media::img_html(*image, alt);
            }
        }
        out.append(html, from, at - from);
        if (replacement.empty()) {
            out.append(html, at, tag_end + 1 - at);
        } else {
            out += replacement;
        }
        from = tag_end + 1;
    }
    out.append(html, from);
    return out;
}

Response AdminImpl::post_editor(const Access& access, const model::Post& post, int status,
                                const std::string& notice, const std::string& error) {
    const auto& locale = access.blog.locale;
    const bool is_new = post.id == 0;
    const auto base = fmt::format("/admin/blogs/{}/posts", access.blog.id);
    mustache::data view;
    view.set("is_post", true);
    view.set("heading", is_new ? std::string(text(locale, "new_post")) : post.title);
    view.set("action", is_new ? base : fmt::format("{}/{}", base, post.id));
    view.set("autosave_url",
             is_new ? base + "/autosave" : fmt::format("{}/{}/autosave", base, post.id));
    view.set("preview_url", fmt::format("/admin/blogs/{}/preview", access.blog.id));
    view.set("upload_url", fmt::format("{}{}", k_upload_path_prefix, access.blog.id));
    view.set("title", post.title);
    view.set("source", post.source);
    view.set("preview", render_body(access.blog.id, post.source_format, post.source));
    view.set("categories", categories_text(post.categories));
    view.set("slug", post.slug);
    view.set("slug_placeholder", post.title.empty() ? std::string() : model::make_slug(post.title));
    view.set("excerpt", post.excerpt);
    view.set("statuses", status_options(locale, post.status, false));
    view.set("published_local",
             is_new ? std::string() : local_input_value(post.published_at, access.blog.time_zone));
    view.set("time_zone", access.blog.time_zone);
    view.set("comments_open", post.comments_open);
    view.set("policies", policy_options(locale, post.comment_policy));
    if (post.status == model::PostStatus::published) {
        view.set("public_url", model::post_path(access.blog, post));
    }
    if (post.status == model::PostStatus::trash) {
        view.set("delete_url", fmt::format("{}/{}/delete", base, post.id));
    }
    auto known = store_.categories().all_categories(access.blog.id);
    mustache::list known_categories;
    if (known) {
        for (const auto& category : *known) {
            mustache::data item;
            item.set("name", category.name);
            known_categories.push_back(item);
        }
    }
    view.set("known_categories", known_categories);
    auto media = media_view(access.blog.id, 24);
    view.set("has_media", !media.is_empty_list());
    view.set("media", media);
    mustache::list revisions;
    if (!is_new) {
        if (auto found = store_.posts().revisions(access.blog.id, post.id)) {
            for (const auto& revision : *found) {
                mustache::data item;
                item.set("url", fmt::format("{}/{}/revisions/{}", base, post.id, revision.id));
                item.set("when", local_display(revision.created_at, access.blog.time_zone));
                item.set("author", revision.author_name);
                item.set("autosave", revision.autosave);
                revisions.push_back(item);
            }
        }
    }
    view.set("has_revisions", !revisions.empty());
    view.set("revisions", revisions);
    return page(status, access, locale, is_new ? std::string(text(locale, "new_post")) : post.title,
                templates::k_editor, view, notice, error);
}

Response AdminImpl::save_post(const Request& request, const Access& access, const http::Form& form,
                              std::optional<std::int64_t> post_id, bool autosave) {
    const auto& locale = access.blog.locale;
    model::Post post;
    post.blog_id = access.blog.id;
    post.author_id = access.visitor.user.id;
    post.source_format = model::SourceFormat::markdown;
    post.status = model::PostStatus::draft;
    const auto at = now();
    post.published_at = at;
    bool was_published = false;
    if (post_id) {
        auto existing = editable_post(access, *post_id);
        if (!existing) return message(404, access, locale, "not_found");
        post = std::move(*existing);
        was_published = post.status == model::PostStatus::published;
    }
    // An autosave never changes what readers see: it only writes drafts.
    if (autosave && post_id && post.status != model::PostStatus::draft) {
        return json(409, {{"error", "only drafts are autosaved"}});
    }
    post.title = http::trim_blank(form.get("title").value_or(""));
    post.source = form.get("source").value_or("");
    post.slug = http::trim_blank(form.get("slug").value_or(""));
    post.excerpt = http::trim_blank(form.get("excerpt").value_or(""));
    post.categories = categories_from_text(form.get("categories").value_or(""));
    post.comments_open = form.get("comments_open").has_value();
    post.comment_policy = model::parse_comment_policy(form.get("comment_policy").value_or(""));
    if (!autosave) {
        post.status = model::parse_post_status(form.get("status").value_or("draft"))
                          .value_or(model::PostStatus::draft);
    }
    std::string error;
    if (post.title.empty()) {
        if (autosave)
            post.title = std::string(text(locale, "untitled"));
        else
            error = std::string(text(locale, "title")) + " ?";
    }
    const auto when = http::trim_blank(form.get("published_at").value_or(""));
    if (!when.empty()) {
        auto local = parse_local_input(when);
        auto instant = local ? model::to_instant(*local, access.blog.time_zone)
                             : model::Result<model::Instant>(std::unexpected(Error{}));
        if (instant) {
            post.published_at = *instant;
        } else {
            error = std::string(text(locale, "publication_time")) + " ?";
        }
    } else if (!was_published && post.status != model::PostStatus::scheduled) {
        post.published_at = at;
    }
    // Published with a time to come waits for it; scheduled for a time gone is published.
    if (post.status == model::PostStatus::published && post.published_at > at) {
        post.status = model::PostStatus::scheduled;
    } else if (post.status == model::PostStatus::scheduled && post.published_at <= at) {
        post.status = model::PostStatus::published;
    }
    if (post.slug.empty() || (autosave && !post_id)) post.slug = model::make_slug(post.title);
    if (autosave && !post_id) {
        // A new draft autosaved before its title is final must not take a slug from another
        // post: it gets a unique one, made again from the title at the first real save.
        post.slug += "-" + auth::random_token(3);
    }
    post.html = render_body(access.blog.id, post.source_format, post.source);
    post.updated_at = at;
    if (!error.empty()) {
        if (autosave) return json(422, {{"error", error}});
        return post_editor(access, post, 422, {}, error);
    }

    std::int64_t saved_id = post.id;
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (saved_id == 0) {
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            saved_id = *created;
        } else if (auto updated = writer.posts().update_post(post); !updated) {
            return updated;
        }
        auto revision = writer.posts().save_revision(access.blog.id, saved_id,
                                                     access.visitor.user.id, autosave);
        if (!revision) return std::unexpected(revision.error());
        return {};
    });
    if (!written) {
        if (written.error().code == Error::Code::internal ||
            written.error().code == Error::Code::database ||
            written.error().code == Error::Code::io) {
            return internal_error(access, written.error());
        }
        if (autosave) return json(422, {{"error", written.error().message}});
        return post_editor(access, post, 422, {}, written.error().message);
    }
    const auto edit_url = fmt::format("/admin/blogs/{}/posts/{}", access.blog.id, saved_id);
    if (autosave) {
        return json(200, {{"saved", fmt::format("{} {}", text(locale, "autosaved"),
                                                local_display(at, access.blog.time_zone))},
                          {"id", saved_id},
                          {"action", edit_url},
                          {"autosave_url", edit_url + "/autosave"}});
    }
    (void)request;
    return redirect(edit_url + "?saved=1");
}

Response AdminImpl::delete_post(const Access& access, std::int64_t post_id) {
    auto post = editable_post(access, post_id);
    if (!post) return message(404, access, access.blog.locale, "not_found");
    auto written = store_.write(
        [&](store::Writer& writer) { return writer.posts().delete_post(access.blog.id, post_id); });
    if (!written) return internal_error(access, written.error());
    return redirect(fmt::format("/admin/blogs/{}/posts?status=trash", access.blog.id));
}

Response AdminImpl::revision(const Access& access, std::int64_t post_id, std::int64_t revision_id) {
    const auto& locale = access.blog.locale;
    auto post = editable_post(access, post_id);
    if (!post) return message(404, access, locale, "not_found");
    auto found = store_.posts().find_revision(access.blog.id, revision_id);
    if (!found) return internal_error(access, found.error());
    if (!*found || (*found)->post_id != post_id) return message(404, access, locale, "not_found");
    const auto& revision = **found;
    mustache::data view;
    view.set("when", local_display(revision.created_at, access.blog.time_zone));
    view.set("title", post->title);
    view.set("post_url", fmt::format("/admin/blogs/{}/posts/{}", access.blog.id, post_id));
    view.set("restore_url", fmt::format("/admin/blogs/{}/posts/{}/revisions/{}/restore",
                                        access.blog.id, post_id, revision_id));
    mustache::list lines;
    // From the revision to the post as it is now: what restoring would take back.
    const auto before = fmt::format("# {}\n\n{}", revision.title, revision.source);
    const auto after = fmt::format("# {}\n\n{}", post->title, post->source);
    for (const auto& line : diff_lines(before, after)) {
        mustache::data item;
        const bool removed = line.kind == DiffLine::Kind::removed;
        const bool added = line.kind == DiffLine::Kind::added;
        item.set("kind", removed ? "del" : added ? "ins" : "same");
        item.set("sign", removed ? "−" : added ? "+" : "");
        item.set("text", line.text);
        lines.push_back(item);
    }
    view.set("lines", lines);
    return page(200, access, locale, std::string(text(locale, "revisions")), templates::k_revision,
                view);
}

Response AdminImpl::restore_revision(const Access& access, std::int64_t post_id,
                                     std::int64_t revision_id) {
    const auto& locale = access.blog.locale;
    auto post = editable_post(access, post_id);
    if (!post) return message(404, access, locale, "not_found");
    auto found = store_.posts().find_revision(access.blog.id, revision_id);
    if (!found) return internal_error(access, found.error());
    if (!*found || (*found)->post_id != post_id) return message(404, access, locale, "not_found");
    const auto& revision = **found;
    // The text comes back; where the post stands (published or not, its address) stays.
    post->title = revision.title;
    post->source = revision.source;
    post->excerpt = revision.excerpt;
    post->categories.clear();
    for (const auto& name : revision.categories) {
        post->categories.push_back(model::Category{.name = name});
    }
    post->html = render_body(access.blog.id, post->source_format, post->source);
    post->updated_at = now();
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (auto updated = writer.posts().update_post(*post); !updated) return updated;
        auto saved =
            writer.posts().save_revision(access.blog.id, post_id, access.visitor.user.id, false);
        if (!saved) return std::unexpected(saved.error());
        return {};
    });
    if (!written) return internal_error(access, written.error());
    return redirect(fmt::format("/admin/blogs/{}/posts/{}?saved=1", access.blog.id, post_id));
}

Response AdminImpl::preview(const Access& access, const http::Form& form) {
    Response response;
    response.body =
        render_body(access.blog.id, model::SourceFormat::markdown, form.get("source").value_or(""));
    protect(response);
    return response;
}

// --- Media -------------------------------------------------------------------------------

Response AdminImpl::media_list(const Access& access) {
    const auto& locale = access.blog.locale;
    mustache::data view;
    auto media = media_view(access.blog.id, 200);
    view.set("has_media", !media.is_empty_list());
    view.set("media", media);
    view.set("upload_url", fmt::format("{}{}", k_upload_path_prefix, access.blog.id));
    return page(200, access, locale, std::string(text(locale, "media")), templates::k_media, view);
}

Response AdminImpl::upload(const Request& request, const Access& access, const http::Form& form) {
    const auto* file = form.file("file");
    auto refuse = [&](const std::string& why) {
        if (wants_json(request)) return json(422, {{"error", why}});
        return page(
            422, access, access.blog.locale, std::string(text(access.blog.locale, "media")),
            templates::k_message,
            [&] {
                mustache::data view;
                view.set("heading", std::string(text(access.blog.locale, "upload")));
                view.set("message", why);
                return view;
            }(),
            {}, why);
    };
    if (file == nullptr || file->data.empty()) return refuse("no file");
    media::Limits limits;
    limits.max_bytes = options_.max_upload_bytes;
    auto stored = media::store(options_.media_dir, file->data, limits);
    if (!stored) {
        if (stored.error().code == Error::Code::invalid_input)
            return refuse(stored.error().message);
        return internal_error(access, stored.error());
    }
    store::MediaRecord record{.blog_id = access.blog.id,
                              .content_hash = stored->hash,
                              .content_type = stored->content_type,
                              .file_name = stored->file_name,
                              .original_name = file->file_name.substr(0, 200),
                              .size_bytes = static_cast<std::int64_t>(stored->size_bytes),
                              .width = stored->width,
                              .height = stored->height};
    for (const auto& variant : stored->variants) {
        record.variants.push_back({variant.width, variant.height, variant.file_name});
    }
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        auto added = writer.media().add_media(record, access.visitor.user.id);
        if (!added) return std::unexpected(added.error());
        return {};
    });
    if (!written) return internal_error(access, written.error());
    spdlog::info("admin: user {} uploaded {} to blog {}", access.visitor.user.id, stored->file_name,
                 access.blog.id);
    if (wants_json(request)) {
        return json(200, {{"markdown", media_markdown(record)}, {"file", record.file_name}});
    }
    return redirect(fmt::format("/admin/blogs/{}/media", access.blog.id));
}

// --- Pages -------------------------------------------------------------------------------

Response AdminImpl::page_list(const Access& access) {
    const auto& locale = access.blog.locale;
    auto pages = store_.pages().pages(access.blog.id, false);
    if (!pages) return internal_error(access, pages.error());
    mustache::list items;
    for (const auto& found : *pages) {
        mustache::data item;
        item.set("blog_id", std::to_string(access.blog.id));
        item.set("id", std::to_string(found.id));
        item.set("title", found.title);
        item.set("published", found.published);
        items.push_back(item);
    }
    mustache::data view;
    view.set("pages", items);
    return page(200, access, locale, std::string(text(locale, "pages")), templates::k_pages, view);
}

Response AdminImpl::page_editor(const Access& access, const model::Page& edited, int status,
                                const std::string& notice, const std::string& error) {
    const auto& locale = access.blog.locale;
    const bool is_new = edited.id == 0;
    const auto base = fmt::format("/admin/blogs/{}/pages", access.blog.id);
    mustache::data view;
    view.set("is_page", true);
    view.set("heading", is_new ? std::string(text(locale, "new_page")) : edited.title);
    view.set("action", is_new ? base : fmt::format("{}/{}", base, edited.id));
    view.set("preview_url", fmt::format("/admin/blogs/{}/preview", access.blog.id));
    view.set("upload_url", fmt::format("{}{}", k_upload_path_prefix, access.blog.id));
    view.set("title", edited.title);
    view.set("source", edited.source);
    view.set("preview", edited.html);
    view.set("slug", edited.slug);
    view.set("published", edited.published);
    view.set("position", std::to_string(edited.position));
    if (edited.published) view.set("public_url", model::page_path(edited.slug));
    if (!is_new) view.set("delete_url", fmt::format("{}/{}/delete", base, edited.id));
    auto media = media_view(access.blog.id, 24);
    view.set("has_media", !media.is_empty_list());
    view.set("media", media);
    return page(status, access, locale,
                is_new ? std::string(text(locale, "new_page")) : edited.title, templates::k_editor,
                view, notice, error);
}

Response AdminImpl::save_page(const Access& access, const http::Form& form,
                              std::optional<std::int64_t> page_id) {
    model::Page edited;
    edited.blog_id = access.blog.id;
    if (page_id) {
        auto found = store_.pages().find_page_by_id(access.blog.id, *page_id);
        if (!found) return internal_error(access, found.error());
        if (!*found) return message(404, access, access.blog.locale, "not_found");
        edited = std::move(**found);
    }
    edited.title = http::trim_blank(form.get("title").value_or(""));
    edited.source = form.get("source").value_or("");
    edited.slug = http::trim_blank(form.get("slug").value_or(""));
    edited.published = form.get("published").has_value();
    edited.position = static_cast<int>(std::clamp<std::int64_t>(
        http::parse_id(form.get("position").value_or("")).value_or(0), 0, 10'000));
    edited.html = render_body(access.blog.id, model::SourceFormat::markdown, edited.source);
    edited.updated_at = now();
    std::int64_t saved_id = edited.id;
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (saved_id != 0) return writer.pages().update_page(edited);
        auto created = writer.pages().create_page(edited);
        if (!created) return std::unexpected(created.error());
        saved_id = *created;
        return {};
    });
    if (!written) {
        if (written.error().code == Error::Code::database) {
            return internal_error(access, written.error());
        }
        return page_editor(access, edited, 422, {}, written.error().message);
    }
    return redirect(fmt::format("/admin/blogs/{}/pages/{}", access.blog.id, saved_id));
}

// --- Categories --------------------------------------------------------------------------

Response AdminImpl::category_list(const Access& access, const std::string& error) {
    const auto& locale = access.blog.locale;
    auto categories = store_.categories().all_categories(access.blog.id);
    if (!categories) return internal_error(access, categories.error());
    mustache::list rows;
    for (const auto& category : *categories) {
        mustache::data row;
        row.set("blog_id", std::to_string(access.blog.id));
        row.set("csrf", access.visitor.session.csrf_secret);
        row.set("id", std::to_string(category.id));
        row.set("name", category.name);
        row.set("slug", category.slug);
        row.set("count", std::to_string(category.post_count));
        mustache::list targets;
        for (const auto& other : *categories) {
            if (other.id == category.id) continue;
            mustache::data target;
            target.set("id", std::to_string(other.id));
            target.set("name", other.name);
            targets.push_back(target);
        }
        row.set("targets", targets);
        rows.push_back(row);
    }
    mustache::data view;
    view.set("categories", rows);
    return page(error.empty() ? 200 : 422, access, locale, std::string(text(locale, "categories")),
                templates::k_categories, view, {}, error);
}

// --- Comments ----------------------------------------------------------------------------

Response AdminImpl::comment_list(const Request& request, const Access& access) {
    const auto& locale = access.blog.locale;
    const auto status = model::parse_comment_status(request.query_param("status").value_or(""))
                            .value_or(model::CommentStatus::pending);
    const int page_number = static_cast<int>(std::clamp<std::int64_t>(
        http::parse_id(request.query_param("page").value_or("")).value_or(1), 1, 100'000));
    constexpr int k_per_page = 50;
    auto list = store_.comments().comments(
        access.blog.id,
        {.status = status, .offset = (page_number - 1) * k_per_page, .limit = k_per_page});
    if (!list) return internal_error(access, list.error());
    mustache::data view;
    mustache::list tabs;
    for (auto tab : {model::CommentStatus::pending, model::CommentStatus::approved,
                     model::CommentStatus::spam, model::CommentStatus::trash}) {
        auto count = store_.comments().comments(access.blog.id, {.status = tab, .limit = 0});
        mustache::data item;
        item.set("value", std::string(model::to_string(tab)));
        item.set("label",
                 std::string(text(locale, fmt::format("comment_{}", model::to_string(tab)))));
        item.set("count", std::to_string(count ? count->total : 0));
        item.set("current", tab == status);
        tabs.push_back(item);
    }
    view.set("tabs", tabs);
    mustache::list rows;
    for (const auto& comment : list->comments) {
        mustache::data row;
        row.set("id", std::to_string(comment.id));
        row.set("author", comment.author_name);
        if (!comment.author_email.empty()) row.set("email", comment.author_email);
        if (!comment.author_url.empty()) row.set("url", comment.author_url);
        row.set("when", local_display(comment.created_at, access.blog.time_zone));
        row.set("post_title", comment.post_title);
        row.set("post_url",
                fmt::format("/admin/blogs/{}/posts/{}", access.blog.id, comment.post_id));
        row.set("html", comment.html);
        row.set("source", comment.source);
        row.set("is_approved", comment.status == model::CommentStatus::approved);
        row.set("is_spam", comment.status == model::CommentStatus::spam);
        row.set("is_trash", comment.status == model::CommentStatus::trash);
        rows.push_back(row);
    }
    view.set("has_comments", !rows.empty());
    view.set("comments", rows);
    const auto base =
        fmt::format("/admin/blogs/{}/comments?status={}", access.blog.id, model::to_string(status));
    if (page_number > 1) view.set("previous", fmt::format("{}&page={}", base, page_number - 1));
    if (page_number * k_per_page < list->total) {
        view.set("next", fmt::format("{}&page={}", base, page_number + 1));
    }
    return page(200, access, locale, std::string(text(locale, "comments")), templates::k_comments,
                view);
}

Response AdminImpl::moderate(const Access& access, const std::vector<std::int64_t>& ids,
                             std::string_view action, std::string_view back) {
    std::optional<model::CommentStatus> status;
    if (action == "approve") status = model::CommentStatus::approved;
    if (action == "spam") status = model::CommentStatus::spam;
    if (action == "trash") status = model::CommentStatus::trash;
    if (!status && action != "delete")
        return message(400, access, access.blog.locale, "bad_request");
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        for (auto id : ids) {
            auto done = status ? writer.comments().set_comment_status(access.blog.id, id, *status)
                               : writer.comments().delete_comment(access.blog.id, id);
            if (!done) return done;
        }
        return {};
    });
    if (!written) {
        if (written.error().code == Error::Code::not_found) {
            return message(404, access, access.blog.locale, "not_found");
        }
        return internal_error(access, written.error());
    }
    return redirect(std::string(back));
}

Response AdminImpl::edit_comment(const Access& access, std::int64_t comment_id,
                                 const http::Form& form) {
    auto existing = store_.comments().find_comment(access.blog.id, comment_id);
    if (!existing) return internal_error(access, existing.error());
    if (!*existing) return message(404, access, access.blog.locale, "not_found");
    const auto source = http::trim_blank(form.get(fmt::format("body_{}", comment_id)).value_or(""));
    if (source.empty()) return message(422, access, access.blog.locale, "bad_request");
    auto written = store_.write([&](store::Writer& writer) {
        return writer.comments().update_comment(access.blog.id, comment_id, source,
                                                markup::render_comment(source));
    });
    if (!written) {
        if (written.error().code == Error::Code::not_found) {
            return message(404, access, access.blog.locale, "not_found");
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/comments?status=approved", access.blog.id));
}

Response AdminImpl::reply_to_comment(const Access& access, std::int64_t comment_id,
                                     const http::Form& form) {
    auto parent = store_.comments().find_comment(access.blog.id, comment_id);
    if (!parent) return internal_error(access, parent.error());
    if (!*parent) return message(404, access, access.blog.locale, "not_found");
    const auto source =
        http::trim_blank(form.get(fmt::format("reply_{}", comment_id)).value_or(""));
    if (source.empty()) return message(422, access, access.blog.locale, "bad_request");
    // Answering a comment shows it too: a writer does not reply to what readers cannot see.
    model::Comment reply{.blog_id = access.blog.id,
                         .post_id = (*parent)->post_id,
                         .parent_id = comment_id,
                         .author_name = access.visitor.user.name,
                         .author_email = access.visitor.user.email,
                         .source = source,
                         .html = markup::render_comment(source),
                         .status = model::CommentStatus::approved,
                         .created_at = now()};
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (auto approved = writer.comments().set_comment_status(access.blog.id, comment_id,
                                                                 model::CommentStatus::approved);
            !approved) {
            return approved;
        }
        auto added = writer.comments().add_comment(reply);
        if (!added) return std::unexpected(added.error());
        return {};
    });
    if (!written) return internal_error(access, written.error());
    return redirect(fmt::format("/admin/blogs/{}/comments?status=approved", access.blog.id));
}

// --- Settings ----------------------------------------------------------------------------

Response AdminImpl::settings(const Access& access, int status, const std::string& notice,
                             const std::string& error) {
    const auto& blog = access.blog;
    mustache::data view;
    view.set("title", blog.title);
    view.set("subtitle", blog.subtitle);
    view.set("is_fr", blog.locale == "fr");
    view.set("is_en", blog.locale == "en");
    view.set("time_zone", blog.time_zone);
    view.set("posts_per_page", std::to_string(blog.posts_per_page));
    view.set("theme", blog.theme);
    view.set("base_url", blog.base_url);
    view.set("close_comments_after_days", std::to_string(blog.close_comments_after_days));
    view.set("policies", policy_options(blog.locale, blog.comment_policy));
    return page(status, access, blog.locale, std::string(text(blog.locale, "settings")),
                templates::k_settings, view, notice, error);
}

Response AdminImpl::save_settings(const Access& access, const http::Form& form) {
    auto blog = access.blog;
    blog.title = http::trim_blank(form.get("title").value_or(""));
    blog.subtitle = http::trim_blank(form.get("subtitle").value_or(""));
    blog.locale = form.get("locale").value_or(blog.locale);
    blog.time_zone = http::trim_blank(form.get("time_zone").value_or(""));
    blog.theme = http::trim_blank(form.get("theme").value_or(blog.theme));
    blog.base_url = http::trim_blank(form.get("base_url").value_or(""));
    while (blog.base_url.ends_with('/')) blog.base_url.pop_back();
    blog.posts_per_page =
        static_cast<int>(http::parse_id(form.get("posts_per_page").value_or("")).value_or(0));
    const auto close_after = form.get("close_comments_after_days").value_or("0");
    blog.close_comments_after_days =
        close_after == "0" ? 0 : static_cast<int>(http::parse_id(close_after).value_or(-1));
    auto policy = model::parse_comment_policy(form.get("comment_policy").value_or(""));
    Access shown = access;
    if (!policy)
        return settings(shown, 422, {}, std::string(text(blog.locale, "comment_policy")) + " ?");
    blog.comment_policy = *policy;
    shown.blog = blog;
    if (blog.theme.find_first_of("/\\.") != std::string::npos || blog.theme.empty()) {
        return settings(shown, 422, {}, std::string(text(blog.locale, "theme")) + " ?");
    }
    auto written =
        store_.write([&](store::Writer& writer) { return writer.blogs().update_blog(blog); });
    if (!written) {
        if (written.error().code == Error::Code::invalid_input) {
            return settings(shown, 422, {}, written.error().message);
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/settings?saved=1", blog.id));
}

// --- Routes ------------------------------------------------------------------------------

std::int64_t id_param(const RouteParams& params, std::string_view name) {
    auto found = params.find(name);
    return found == params.end() ? 0 : http::parse_id(found->second).value_or(0);
}

void AdminImpl::register_routes(http::Router& router) {
    auto asset = [](std::string_view body, std::string_view type) {
        return [body, type](const Request&, const RouteParams&) {
            Response response;
            response.content_type = std::string(type);
            response.body = std::string(body);
            response.headers.emplace_back("Cache-Control", "public, max-age=3600");
            response.headers.emplace_back("X-Content-Type-Options", "nosniff");
            return response;
        };
    };
    router.add("GET", "/admin/assets/admin.css", asset(assets::k_css, "text/css; charset=utf-8"));
    router.add("GET", "/admin/assets/admin.js",
               asset(assets::k_js, "text/javascript; charset=utf-8"));
    router.add("GET", "/admin/login", [this](const Request& request, const RouteParams&) {
        if (current_visitor(request))
            return redirect(safe_next(request.query_param("next").value_or("/admin/")));
        return login_form(request, 200, {}, {});
    });
    router.add("POST", "/admin/login",
               [this](const Request& request, const RouteParams&) { return login(request); });
    router.add("POST", "/admin/logout",
               [this](const Request& request, const RouteParams&) { return logout(request); });
    router.add("GET", "/admin/",
               [this](const Request& request, const RouteParams&) { return home(request); });
    router.add("GET", "/admin",
               [](const Request&, const RouteParams&) { return redirect("/admin/"); });

    const std::string blog = "/admin/blogs/{blog}";
    router.add("GET", blog + "/",
               guarded(Permission::any_role,
                       [this](const Request&, const RouteParams&, const Access& access,
                              const http::Form&) { return dashboard(access); }));
    router.add("GET", blog + "/posts",
               guarded(Permission::write_posts,
                       [this](const Request& request, const RouteParams&, const Access& access,
                              const http::Form&) { return post_list(request, access); }));
    router.add("GET", blog + "/posts/new",
               guarded(Permission::write_posts, [this](const Request&, const RouteParams&,
                                                       const Access& access, const http::Form&) {
                   model::Post fresh;
                   fresh.blog_id = access.blog.id;
                   return post_editor(access, fresh);
               }));
    router.add(
        "POST", blog + "/posts",
        guarded(Permission::write_posts, [this](const Request& request, const RouteParams&,
                                                const Access& access, const http::Form& form) {
            return save_post(request, access, form, std::nullopt, false);
        }));
    router.add(
        "POST", blog + "/posts/autosave",
        guarded(Permission::write_posts, [this](const Request& request, const RouteParams&,
                                                const Access& access, const http::Form& form) {
            return save_post(request, access, form, std::nullopt, true);
        }));
    router.add(
        "GET", blog + "/posts/{post}",
        guarded(Permission::write_posts, [this](const Request& request, const RouteParams& params,
                                                const Access& access, const http::Form&) {
            auto post = editable_post(access, id_param(params, "post"));
            if (!post) return message(404, access, access.blog.locale, "not_found");
            const bool saved = request.query_param("saved").has_value();
            return post_editor(access, *post, 200,
                               saved ? std::string(text(access.blog.locale, "saved")) : "");
        }));
    router.add(
        "POST", blog + "/posts/{post}",
        guarded(Permission::write_posts, [this](const Request& request, const RouteParams& params,
                                                const Access& access, const http::Form& form) {
            return save_post(request, access, form, id_param(params, "post"), false);
        }));
    router.add(
        "POST", blog + "/posts/{post}/autosave",
        guarded(Permission::write_posts, [this](const Request& request, const RouteParams& params,
                                                const Access& access, const http::Form& form) {
            return save_post(request, access, form, id_param(params, "post"), true);
        }));
    router.add("POST", blog + "/posts/{post}/delete",
               guarded(Permission::write_posts, [this](const Request&, const RouteParams& params,
                                                       const Access& access, const http::Form&) {
                   return delete_post(access, id_param(params, "post"));
               }));
    router.add("GET", blog + "/posts/{post}/revisions/{revision}",
               guarded(Permission::write_posts, [this](const Request&, const RouteParams& params,
                                                       const Access& access, const http::Form&) {
                   return revision(access, id_param(params, "post"), id_param(params, "revision"));
               }));
    router.add("POST", blog + "/posts/{post}/revisions/{revision}/restore",
               guarded(Permission::write_posts, [this](const Request&, const RouteParams& params,
                                                       const Access& access, const http::Form&) {
                   return restore_revision(access, id_param(params, "post"),
                                           id_param(params, "revision"));
               }));
    router.add("POST", blog + "/preview",
               guarded(Permission::write_posts,
                       [this](const Request&, const RouteParams&, const Access& access,
                              const http::Form& form) { return preview(access, form); }));
    router.add("GET", blog + "/media",
               guarded(Permission::write_posts,
                       [this](const Request&, const RouteParams&, const Access& access,
                              const http::Form&) { return media_list(access); }));
    router.add("POST", std::string(k_upload_path_prefix) + "{blog}",
               guarded(Permission::write_posts,
                       [this](const Request& request, const RouteParams&, const Access& access,
                              const http::Form& form) { return upload(request, access, form); }));
    router.add("GET", blog + "/pages",
               guarded(Permission::edit_all,
                       [this](const Request&, const RouteParams&, const Access& access,
                              const http::Form&) { return page_list(access); }));
    router.add("GET", blog + "/pages/new",
               guarded(Permission::edit_all, [this](const Request&, const RouteParams&,
                                                    const Access& access, const http::Form&) {
                   model::Page fresh;
                   fresh.blog_id = access.blog.id;
                   return page_editor(access, fresh);
               }));
    router.add("POST", blog + "/pages",
               guarded(Permission::edit_all, [this](const Request&, const RouteParams&,
                                                    const Access& access, const http::Form& form) {
                   return save_page(access, form, std::nullopt);
               }));
    router.add("GET", blog + "/pages/{page}",
               guarded(Permission::edit_all, [this](const Request&, const RouteParams& params,
                                                    const Access& access, const http::Form&) {
                   auto found =
                       store_.pages().find_page_by_id(access.blog.id, id_param(params, "page"));
                   if (!found || !*found)
                       return message(404, access, access.blog.locale, "not_found");
                   return page_editor(access, **found);
               }));
    router.add("POST", blog + "/pages/{page}",
               guarded(Permission::edit_all, [this](const Request&, const RouteParams& params,
                                                    const Access& access, const http::Form& form) {
                   return save_page(access, form, id_param(params, "page"));
               }));
    router.add("POST", blog + "/pages/{page}/delete",
               guarded(Permission::edit_all, [this](const Request&, const RouteParams& params,
                                                    const Access& access, const http::Form&) {
                   auto written = store_.write([&](store::Writer& writer) {
                       return writer.pages().delete_page(access.blog.id, id_param(params, "page"));
                   });
                   if (!written) return message(404, access, access.blog.locale, "not_found");
                   return redirect(fmt::format("/admin/blogs/{}/pages", access.blog.id));
               }));
    router.add("GET", blog + "/categories",
               guarded(Permission::edit_all,
                       [this](const Request&, const RouteParams&, const Access& access,
                              const http::Form&) { return category_list(access); }));
    auto category_action = [this](auto action) {
        return guarded(
            Permission::edit_all, [this, action](const Request&, const RouteParams& params,
                                                 const Access& access, const http::Form& form) {
                const auto category_id = id_param(params, "category");
                auto written = store_.write([&](store::Writer& writer) {
                    return action(writer, access.blog.id, category_id, form);
                });
                if (!written) {
                    if (written.error().code == Error::Code::not_found) {
                        return message(404, access, access.blog.locale, "not_found");
                    }
                    return category_list(access, written.error().message);
                }
                return redirect(fmt::format("/admin/blogs/{}/categories", access.blog.id));
            });
    };
    router.add("POST", blog + "/categories/{category}/rename",
               category_action([](store::Writer& writer, std::int64_t blog_id,
                                  std::int64_t category_id, const http::Form& form) {
                   return writer.categories().rename_category(
                       blog_id, category_id, http::trim_blank(form.get("name").value_or("")),
                       http::trim_blank(form.get("slug").value_or("")));
               }));
    router.add("POST", blog + "/categories/{category}/merge",
               category_action([](store::Writer& writer, std::int64_t blog_id,
                                  std::int64_t category_id, const http::Form& form) {
                   return writer.categories().merge_categories(
                       blog_id, category_id,
                       http::parse_id(form.get("into").value_or("")).value_or(0));
               }));
    router.add("POST", blog + "/categories/{category}/delete",
               category_action([](store::Writer& writer, std::int64_t blog_id,
                                  std::int64_t category_id, const http::Form&) {
                   return writer.categories().delete_category(blog_id, category_id);
               }));
    router.add("GET", blog + "/comments",
               guarded(Permission::moderate,
                       [this](const Request& request, const RouteParams&, const Access& access,
                              const http::Form&) { return comment_list(request, access); }));
    router.add("POST", blog + "/comments/bulk",
               guarded(Permission::moderate, [this](const Request&, const RouteParams&,
                                                    const Access& access, const http::Form& form) {
                   std::vector<std::int64_t> ids;
                   for (const auto& id : form.all("ids")) {
                       if (auto parsed = http::parse_id(id)) ids.push_back(*parsed);
                   }
                   return moderate(access, ids, form.get("action").value_or(""),
                                   fmt::format("/admin/blogs/{}/comments", access.blog.id));
               }));
    for (const std::string action : {"approve", "spam", "trash", "delete"}) {
        router.add(
            "POST", blog + "/comments/{comment}/" + action,
            guarded(Permission::moderate, [this, action](const Request&, const RouteParams& params,
                                                         const Access& access, const http::Form&) {
                return moderate(access, {id_param(params, "comment")}, action,
                                fmt::format("/admin/blogs/{}/comments", access.blog.id));
            }));
    }
    router.add("POST", blog + "/comments/{comment}",
               guarded(Permission::moderate, [this](const Request&, const RouteParams& params,
                                                    const Access& access, const http::Form& form) {
                   return edit_comment(access, id_param(params, "comment"), form);
               }));
    router.add("POST", blog + "/comments/{comment}/reply",
               guarded(Permission::moderate, [this](const Request&, const RouteParams& params,
                                                    const Access& access, const http::Form& form) {
                   return reply_to_comment(access, id_param(params, "comment"), form);
               }));
    router.add("GET", blog + "/settings",
               guarded(Permission::configure, [this](const Request& request, const RouteParams&,
                                                     const Access& access, const http::Form&) {
                   const bool saved = request.query_param("saved").has_value();
                   return settings(access, 200,
                                   saved ? std::string(text(access.blog.locale, "saved")) : "");
               }));
    router.add("POST", blog + "/settings",
               guarded(Permission::configure,
                       [this](const Request&, const RouteParams&, const Access& access,
                              const http::Form& form) { return save_settings(access, form); }));
}

model::Result<int> AdminImpl::run_due_work(model::Instant at) {
    int published = 0;
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        auto done = writer.posts().publish_due_posts(at);
        if (!done) return std::unexpected(done.error());
        published = *done;
        auto purged = writer.sessions().delete_expired_sessions(at);
        if (!purged) return std::unexpected(purged.error());
        return {};
    });
    if (!written) return std::unexpected(written.error());
    if (published > 0) spdlog::info("admin: published {} scheduled post(s)", published);
    return published;
}

}  // namespace

model::Result<std::unique_ptr<Admin>> Admin::create(store::Store& store, AdminOptions options) {
    std::error_code error;
    std::filesystem::create_directories(options.media_dir, error);
    if (error) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot create the media directory {}: {}",
                                       options.media_dir.string(), error.message()));
    }
    auto dummy = auth::hash_password(auth::random_token(16));
    if (!dummy) return std::unexpected(dummy.error());
    return std::unique_ptr<Admin>(
        std::make_unique<AdminImpl>(store, std::move(options), std::move(*dummy)));
}

}  // namespace carnet::admin
