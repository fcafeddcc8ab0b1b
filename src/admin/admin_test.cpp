// The admin through its router, with a real SQLite store: sessions, CSRF, roles, and the
// separation of blogs, over every route the admin registers.
#include "admin/admin.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <regex>

#include "admin/admin_impl.hpp"
#include "auth/auth.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::admin {
namespace {

using http::Request;
using http::Response;

std::string form_body(const std::vector<std::pair<std::string, std::string>>& fields) {
    std::string body;
    for (const auto& [name, value] : fields) {
        if (!body.empty()) body += '&';
        body += name + '=';
        for (unsigned char c : value) {
            if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
                body += static_cast<char>(c);
            } else {
                body += fmt::format("%{:02X}", c);
            }
        }
    }
    return body;
}

// The value of `name` in a Set-Cookie header "name=value; ...".
std::string cookie_value(std::string_view set_cookie, std::string_view name) {
    if (!set_cookie.starts_with(std::string(name) + "=")) return {};
    const auto start = name.size() + 1;
    return std::string(set_cookie.substr(start, set_cookie.find(';') - start));
}

struct Browser {
    std::string session;  // the session cookie's value
    std::string csrf;     // the CSRF token the pages carry
};

class AdminTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::open_sqlite_store(dir_.path() / "admin.db",
                                               store::OpenMode::create_if_missing, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto a = writer.blogs().create_blog({.hosts = {"a.example.org"}, .title = "Blog A"});
            if (!a) return std::unexpected(a.error());
            blog_a_ = *a;
            auto b = writer.blogs().create_blog(
                {.hosts = {"b.example.org"}, .title = "Blog B", .locale = "en"});
            if (!b) return std::unexpected(b.error());
            blog_b_ = *b;
            return {};
        }));
        owner_a_ = add_user("owner@a.example", model::Role::owner, blog_a_);
        author_a_ = add_user("author@a.example", model::Role::author, blog_a_);
        owner_b_ = add_user("owner@b.example", model::Role::owner, blog_b_);
        moderator_a_ = add_user("moderator@a.example", model::Role::moderator, blog_a_);
        post_a_ = add_post(blog_a_, owner_a_, "Un billet de A");
        post_b_ = add_post(blog_b_, owner_b_, "A post of B");
        ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto page = writer.pages().create_page(
                {.blog_id = blog_b_, .published = true, .title = "About B", .html = "<p>b</p>"});
            if (!page) return std::unexpected(page.error());
            page_b_ = *page;
            auto revision = writer.posts().save_revision(blog_b_, post_b_, owner_b_, false);
            if (!revision) return std::unexpected(revision.error());
            revision_b_ = *revision;
            auto comment = writer.comments().add_comment({.blog_id = blog_b_,
                                                          .post_id = post_b_,
                                                          .author_name = "Reader of B",
                                                          .source = "Hello",
                                                          .html = "<p>Hello</p>",
                                                          .status = model::CommentStatus::pending});
            if (!comment) return std::unexpected(comment.error());
            comment_b_ = *comment;
            return {};
        }));
        category_b_ = (*store_->categories().find_category(blog_b_, "world"))->id;

        auto made = Admin::create(
            *store_, clock_,
            AdminOptions{
                .media_dir = dir_.path() / "media",
                .themes_dir = CARNET_THEMES_DIR,
                .post_hooks = {.published = [this](store::Writer&, std::int64_t blog_id,
                                                   std::int64_t post_id) -> model::Status {
                                   published_posts_.emplace_back(blog_id, post_id);
                                   return {};
                               },
                               .withdrawn = [this](store::Writer&, std::int64_t blog_id,
                                                   std::int64_t post_id) -> model::Status {
                                   withdrawn_posts_.emplace_back(blog_id, post_id);
                                   return {};
                               }},
                .follower_answered = [this](store::Writer&, const model::Blog& blog,
                                            const store::Follower& follower,
                                            bool accepted) -> model::Status {
                    answered_followers_.push_back(fmt::format("{} {} {}", blog.id, follower.actor,
                                                              accepted ? "accepted" : "refused"));
                    return {};
                },
                .fediverse = {.reply = [this](store::Writer&, const model::Blog& blog,
                                              const store::ReaderItem& item,
                                              std::string_view text) -> model::Status {
                    replies_sent_.push_back(fmt::format("{} {} {}", blog.id, item.object_id, text));
                    return {};
                }}});
        ASSERT_TRUE(made.has_value()) << made.error().message;
        admin_ = std::move(*made);
        admin_->register_routes(router_);
    }

    // What the post_published hook was told, in order.
    std::vector<std::pair<std::int64_t, std::int64_t>> published_posts_;
    // And what the post_withdrawn hook was told.
    std::vector<std::pair<std::int64_t, std::int64_t>> withdrawn_posts_;
    // And the follower_answered hook: "blog actor accepted|refused".
    std::vector<std::string> answered_followers_;
    // And the fediverse's reply: "blog object text".
    std::vector<std::string> replies_sent_;

    std::int64_t add_user(const std::string& email, model::Role role, std::int64_t blog) {
        std::int64_t id = 0;
        auto hash = auth::hash_password(k_password);
        EXPECT_TRUE(hash.has_value());
        EXPECT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto created = writer.accounts().create_user({.email = email, .name = email}, *hash);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return writer.accounts().add_membership(blog, id, role);
        }));
        return id;
    }

    std::int64_t add_post(std::int64_t blog, std::int64_t author, const std::string& title) {
        model::Post post;
        post.blog_id = blog;
        post.author_id = author;
        post.status = model::PostStatus::published;
        post.title = title;
        post.source = "Texte";
        post.html = "<p>Texte</p>";
        post.published_at = model::Instant{std::chrono::seconds{1'507'140'000}};
        post.updated_at = post.published_at;
        post.categories = {{.name = "World"}};
        std::int64_t id = 0;
        EXPECT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        }));
        return id;
    }

    Response send(std::string method, std::string target, const Browser* browser = nullptr,
                  std::string body = {}, std::string host = "a.example.org") {
        Request request;
        request.method = std::move(method);
        request.target = target;
        const auto question = target.find('?');
        request.path = target.substr(0, question);
        if (question != std::string::npos) request.query = target.substr(question + 1);
        request.host = std::move(host);
        request.remote_address = "192.0.2.10";
        if (browser != nullptr && !browser->session.empty()) {
            request.headers.emplace_back("Cookie", "carnet_session=" + browser->session);
        }
        if (!body.empty()) {
            request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        }
        request.body = std::move(body);
        return router_.dispatch(request);
    }

    Browser log_in(const std::string& email) {
        auto form = send("GET", "/admin/login");
        const auto login_token = cookie_value(form.header("Set-Cookie"), "carnet_login");
        Request request;
        request.method = "POST";
        request.target = request.path = "/admin/login";
        request.host = "a.example.org";
        request.remote_address = "192.0.2.10";
        request.headers.emplace_back("Cookie", "carnet_login=" + login_token);
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        request.body =
            form_body({{"csrf", login_token}, {"email", email}, {"password", k_password}});
        auto answer = router_.dispatch(request);
        EXPECT_EQ(answer.status, 303) << answer.body;
        Browser browser;
        browser.session = cookie_value(answer.header("Set-Cookie"), "carnet_session");
        EXPECT_FALSE(browser.session.empty());
        auto dashboard = send("GET", "/admin/", &browser);
        auto home = send("GET", std::string(dashboard.header("Location")), &browser);
        std::smatch found;
        std::regex csrf_field(R"re(name="csrf" value="([0-9a-f]+)")re");
        if (std::regex_search(home.body, found, csrf_field)) browser.csrf = found[1];
        EXPECT_FALSE(browser.csrf.empty()) << home.body;
        return browser;
    }

    // The login form sent from `address`, as a browser sends it.
    Response log_in_from(const std::string& address, const std::string& email,
                         const std::string& password) {
        auto form = send("GET", "/admin/login");
        const auto token = cookie_value(form.header("Set-Cookie"), "carnet_login");
        Request request;
        request.method = "POST";
        request.target = request.path = "/admin/login";
        request.remote_address = address;
        request.headers.emplace_back("Cookie", "carnet_login=" + token);
        request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
        request.body = form_body({{"csrf", token}, {"email", email}, {"password", password}});
        return router_.dispatch(request);
    }

    // Everything a request could have changed: every blog's generation (any write to a blog
    // bumps it), sessions and users (which belong to no blog), and the media folder.
    std::string fingerprint() {
        std::string print;
        for (auto blog : {blog_a_, blog_b_}) {
            print += std::to_string(store_->generation(blog)) + ",";
        }
        const auto users = store_->accounts().list_users();
        for (const auto& user : *users) {
            print += fmt::format("{}:{}:{},", user.user.email, user.live_sessions,
                                 (*store_->accounts().find_login(user.user.email))->password_hash);
        }
        std::error_code ignored;
        if (std::filesystem::exists(dir_.path() / "media")) {
            for (const auto& entry :
                 std::filesystem::directory_iterator(dir_.path() / "media", ignored)) {
                print += entry.path().filename().string() + ",";
            }
        }
        return print;
    }

    // A concrete path for a route pattern, naming objects of blog B.
    std::string path_in_blog_b(const std::string& pattern) {
        std::string path = pattern;
        auto replace = [&](std::string_view name, std::int64_t value) {
            const auto placeholder = "{" + std::string(name) + "}";
            if (auto at = path.find(placeholder); at != std::string::npos) {
                path.replace(at, placeholder.size(), std::to_string(value));
            }
        };
        replace("blog", blog_b_);
        replace("post", post_b_);
        replace("page", page_b_);
        replace("category", category_b_);
        replace("revision", revision_b_);
        replace("comment", comment_b_);
        return path;
    }

    // The same route with blog A in the URL but an object of blog B.
    std::string path_with_blog_a_and_objects_of_b(const std::string& pattern) {
        auto path = path_in_blog_b(pattern);
        const auto prefix_b = fmt::format("/blogs/{}", blog_b_);
        if (auto at = path.find(prefix_b); at != std::string::npos) {
            path.replace(at, prefix_b.size(), fmt::format("/blogs/{}", blog_a_));
        }
        const auto upload_b = fmt::format("{}{}", k_upload_path_prefix, blog_b_);
        if (path == upload_b) path = fmt::format("{}{}", k_upload_path_prefix, blog_a_);
        return path;
    }

    static bool is_public(const http::Route& route) {
        return route.pattern.starts_with("/admin/assets/") || route.pattern == "/admin/login" ||
               route.pattern == "/admin";
    }

    static constexpr const char* k_password = "correct horse battery staple";
    carnet::testing::TempDir dir_;
    // 2026-03-01 12:00 UTC; the tests move it instead of waiting.
    ManualClock clock_{std::chrono::sys_seconds{std::chrono::seconds{1'772'366'400}}};
    std::unique_ptr<store::Store> store_;
    std::unique_ptr<Admin> admin_;
    http::Router router_;
    std::int64_t blog_a_ = 0, blog_b_ = 0;
    std::int64_t owner_a_ = 0, author_a_ = 0, owner_b_ = 0, moderator_a_ = 0;
    std::int64_t post_a_ = 0, post_b_ = 0, page_b_ = 0, category_b_ = 0, revision_b_ = 0;
    std::int64_t comment_b_ = 0;
};

TEST_F(AdminTest, EveryRouteWithoutASessionRedirectsToLoginOrRefusesAndChangesNothing) {
    const auto before = fingerprint();
    int checked = 0;
    for (const auto& route : router_.routes()) {
        if (is_public(route)) continue;
        const auto path = path_in_blog_b(route.pattern);
        auto answer = send(route.method, path, nullptr,
                           form_body({{"title", "x"}, {"source", "x"}, {"name", "x"}}));
        if (route.method == "GET") {
            EXPECT_EQ(answer.status, 303) << path;
            EXPECT_TRUE(answer.header("Location").starts_with("/admin/login?next=")) << path;
        } else {
            EXPECT_TRUE(answer.status == 401 || answer.status == 403)
                << route.method << " " << path;
        }
        ++checked;
    }
    EXPECT_GT(checked, 20);
    EXPECT_EQ(fingerprint(), before);
}

TEST_F(AdminTest, EveryStateChangingRouteRefusesAMissingOrWrongCsrfToken) {
    auto browser = log_in("owner@b.example");
    const auto before = fingerprint();
    int checked = 0;
    for (const auto& route : router_.routes()) {
        if (route.method != "POST" || route.pattern == "/admin/login") continue;
        const auto path = path_in_blog_b(route.pattern);
        for (const auto& token : {std::string(), std::string(64, '0'), browser.csrf + "0"}) {
            auto answer = send("POST", path, &browser,
                               form_body({{"csrf", token}, {"title", "x"}, {"name", "x"}}));
            EXPECT_EQ(answer.status, 403) << path << " with token '" << token << "'";
        }
        ++checked;
    }
    EXPECT_GT(checked, 10);
    EXPECT_EQ(fingerprint(), before);
    // The login form's own token is a cookie sent back in the form: without it, no login.
    auto no_cookie =
        send("POST", "/admin/login", nullptr,
             form_body({{"csrf", "abc"}, {"email", "owner@b.example"}, {"password", k_password}}));
    EXPECT_EQ(no_cookie.status, 403);
    EXPECT_EQ(fingerprint(), before);
}

TEST_F(AdminTest, AnOwnerOfBlogAGetsNothingOfBlogB) {
    auto browser = log_in("owner@a.example");
    const auto before = fingerprint();
    int checked = 0;
    for (const auto& route : router_.routes()) {
        if (is_public(route) || route.pattern == "/admin/" || route.pattern == "/admin/logout") {
            continue;
        }
        const auto body = form_body({{"csrf", browser.csrf},
                                     {"title", "pris"},
                                     {"name", "pris"},
                                     {"source", "pris"},
                                     {"into", std::to_string(category_b_)}});
        // Blog B in the URL: not a member.
        auto direct = send(route.method, path_in_blog_b(route.pattern), &browser, body);
        EXPECT_EQ(direct.status, 403) << route.method << " " << path_in_blog_b(route.pattern);
        // Blog A in the URL, objects of blog B in it: not found in blog A.
        const auto mixed = path_with_blog_a_and_objects_of_b(route.pattern);
        if (mixed.find(std::to_string(post_b_)) != std::string::npos ||
            mixed.find("/pages/" + std::to_string(page_b_)) != std::string::npos ||
            mixed.find("/categories/" + std::to_string(category_b_)) != std::string::npos ||
            mixed.find("/comments/" + std::to_string(comment_b_)) != std::string::npos) {
            auto answer = send(route.method, mixed, &browser, body);
            EXPECT_TRUE(answer.status == 404 || answer.status == 403)
                << route.method << " " << mixed << " gave " << answer.status;
        }
        ++checked;
    }
    EXPECT_GT(checked, 20);
    // Creating things in blog A is allowed; what must not change is blog B.
    EXPECT_EQ(store_->generation(blog_b_), std::stoull(before.substr(before.find(',') + 1)));
    EXPECT_EQ((*store_->posts().find_post_by_id(blog_b_, post_b_))->title, "A post of B");
    EXPECT_EQ((*store_->pages().find_page_by_id(blog_b_, page_b_))->title, "About B");
    EXPECT_EQ((*store_->comments().find_comment(blog_b_, comment_b_))->status,
              model::CommentStatus::pending);
}

TEST_F(AdminTest, ModeratorsApproveInBulkAndReplyAndAuthorsCannotModerate) {
    auto author = log_in("author@a.example");
    const auto list = fmt::format("/admin/blogs/{}/comments", blog_a_);
    EXPECT_EQ(send("GET", list, &author).status, 403);
    std::vector<std::int64_t> ids;
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        for (const auto* name : {"Un", "Deux"}) {
            auto added = writer.comments().add_comment({.blog_id = blog_a_,
                                                        .post_id = post_a_,
                                                        .author_name = name,
                                                        .source = "texte",
                                                        .html = "<p>texte</p>",
                                                        .status = model::CommentStatus::pending});
            if (!added) return std::unexpected(added.error());
            ids.push_back(*added);
        }
        return {};
    }));
    auto moderator = log_in("moderator@a.example");
    auto queue = send("GET", list + "?status=pending", &moderator);
    EXPECT_EQ(queue.status, 200);
    EXPECT_NE(queue.body.find("value=\"" + std::to_string(ids[1]) + "\""), std::string::npos);
    auto bulk = send("POST", list + "/bulk", &moderator,
                     form_body({{"csrf", moderator.csrf},
                                {"action", "approve"},
                                {"ids", std::to_string(ids[0])},
                                {"ids", std::to_string(ids[1])}}));
    EXPECT_EQ(bulk.status, 303);
    EXPECT_EQ(store_->comments().approved_comments(blog_a_, post_a_)->size(), 2u);
    auto reply = send("POST", fmt::format("{}/{}/reply", list, ids[0]), &moderator,
                      form_body({{"csrf", moderator.csrf},
                                 {"reply_" + std::to_string(ids[0]), "Merci *beaucoup*"}}));
    EXPECT_EQ(reply.status, 303);
    auto approved = *store_->comments().approved_comments(blog_a_, post_a_);
    ASSERT_EQ(approved.size(), 3u);
    EXPECT_EQ(approved[2].parent_id, ids[0]);
    EXPECT_EQ(approved[2].html, "<p>Merci <em>beaucoup</em></p>\n");
    auto spam = send("POST", fmt::format("{}/{}/spam", list, ids[1]), &moderator,
                     form_body({{"csrf", moderator.csrf}}));
    EXPECT_EQ(spam.status, 303);
    EXPECT_EQ((*store_->comments().find_comment(blog_a_, ids[1]))->status,
              model::CommentStatus::spam);
}

TEST_F(AdminTest, AnAuthorEditsOnlyTheirOwnPostsAndNeitherSettingsNorCategories) {
    auto browser = log_in("author@a.example");
    const auto blog = std::to_string(blog_a_);
    EXPECT_EQ(
        send("GET", "/admin/blogs/" + blog + "/posts/" + std::to_string(post_a_), &browser).status,
        404);
    EXPECT_EQ(send("GET", "/admin/blogs/" + blog + "/settings", &browser).status, 403);
    EXPECT_EQ(send("GET", "/admin/blogs/" + blog + "/categories", &browser).status, 403);
    auto created = send("POST", "/admin/blogs/" + blog + "/posts", &browser,
                        form_body({{"csrf", browser.csrf},
                                   {"title", "Mon billet"},
                                   {"source", "# Titre\n\nTexte"},
                                   {"status", "published"},
                                   {"categories", "Libye, Syrte"}}));
    ASSERT_EQ(created.status, 303) << created.body;
    auto list = send("GET", "/admin/blogs/" + blog + "/posts", &browser);
    EXPECT_NE(list.body.find("Mon billet"), std::string::npos);
    EXPECT_EQ(list.body.find("Un billet de A"), std::string::npos);
    auto published = store_->posts().find_published_post(blog_a_, "mon-billet");
    ASSERT_TRUE(published->has_value());
    EXPECT_EQ((*published)->author_id, author_a_);
    EXPECT_NE((*published)->html.find("<h1>Titre</h1>"), std::string::npos);
    ASSERT_EQ((*published)->categories.size(), 2u);
    EXPECT_EQ((*published)->categories[0].name, "Libye");
}

TEST_F(AdminTest, AModeratorSeesTheDashboardButNoPosts) {
    auto browser = log_in("moderator@a.example");
    const auto blog = std::to_string(blog_a_);
    EXPECT_EQ(send("GET", "/admin/blogs/" + blog + "/", &browser).status, 200);
    EXPECT_EQ(send("GET", "/admin/blogs/" + blog + "/posts", &browser).status, 403);
    EXPECT_EQ(send("GET", "/admin/blogs/" + blog + "/posts/new", &browser).status, 403);
}

TEST_F(AdminTest, LoginFailsTheSameWayForAWrongPasswordAndAnUnknownAccountThenSlowsDown) {
    auto try_login = [&](const std::string& email, const std::string& password) {
        return log_in_from("198.51.100.7", email, password);
    };
    auto wrong = try_login("owner@a.example", "wrong");
    auto unknown = try_login("nobody@a.example", "wrong");
    EXPECT_EQ(wrong.status, 401);
    EXPECT_EQ(unknown.status, 401);
    auto message = [](const std::string& body) {
        std::smatch found;
        std::regex_search(body, found, std::regex(R"re(<p class="error"[^>]*>([^<]*)<)re"));
        return found.size() > 1 ? found[1].str() : std::string();
    };
    EXPECT_FALSE(message(wrong.body).empty());
    EXPECT_EQ(message(wrong.body), message(unknown.body));
    EXPECT_TRUE(wrong.header("Set-Cookie").find("carnet_session") == std::string::npos);
    // A few more failures from the same address and it must wait, even with the right password.
    for (int i = 0; i < 3; ++i) try_login("owner@a.example", "wrong");
    auto throttled = try_login("owner@a.example", k_password);
    EXPECT_EQ(throttled.status, 429);
    EXPECT_FALSE(throttled.header("Retry-After").empty());
}

TEST_F(AdminTest, SessionCookieIsHttpOnlyAndSameSiteAndLogoutEndsTheSession) {
    auto form = send("GET", "/admin/login");
    const auto token = cookie_value(form.header("Set-Cookie"), "carnet_login");
    Request request;
    request.method = "POST";
    request.target = request.path = "/admin/login";
    request.secure = true;
    request.headers.emplace_back("Cookie", "carnet_login=" + token);
    request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    request.body = form_body({{"csrf", token},
                              {"email", "owner@a.example"},
                              {"password", k_password},
                              {"next", "//evil.example/"}});
    auto answer = router_.dispatch(request);
    ASSERT_EQ(answer.status, 303);
    EXPECT_EQ(answer.header("Location"), "/admin/");  // never another site
    std::string set_cookie;
    for (const auto& [field, value] : answer.headers) {
        if (field == "Set-Cookie" && value.starts_with("carnet_session=")) set_cookie = value;
    }
    EXPECT_NE(set_cookie.find("HttpOnly"), std::string::npos);
    EXPECT_NE(set_cookie.find("SameSite=Lax"), std::string::npos);
    EXPECT_NE(set_cookie.find("Secure"), std::string::npos);
    // The database holds a hash of the token, never the token.
    Browser browser{cookie_value(set_cookie, "carnet_session"), {}};
    EXPECT_TRUE(store_->sessions()
                    .find_session(auth::hash_token(browser.session), clock_.now())
                    ->has_value());
    EXPECT_FALSE(store_->sessions().find_session(browser.session, model::Instant{})->has_value());

    browser = log_in("owner@a.example");
    auto out = send("POST", "/admin/logout", &browser, form_body({{"csrf", browser.csrf}}));
    EXPECT_EQ(out.status, 303);
    EXPECT_EQ(send("GET", "/admin/", &browser).status, 303);
    EXPECT_TRUE(send("GET", "/admin/", &browser).header("Location").starts_with("/admin/login"));
}

TEST_F(AdminTest, ASessionEndsWhenItsLifetimeIsOverOnTheAdminsClock) {
    auto browser = log_in("owner@a.example");
    const auto dashboard = fmt::format("/admin/blogs/{}/", blog_a_);
    clock_.advance(std::chrono::seconds{14 * 24 * 60 * 60 - 1});
    EXPECT_EQ(send("GET", dashboard, &browser).status, 200);
    clock_.advance(std::chrono::seconds{2});
    auto expired = send("GET", dashboard, &browser);
    EXPECT_EQ(expired.status, 303);
    EXPECT_TRUE(expired.header("Location").starts_with("/admin/login"));
}

TEST_F(AdminTest, APostSavedWithoutADateIsDatedByTheAdminsClock) {
    auto browser = log_in("owner@a.example");
    auto saved = send("POST", fmt::format("/admin/blogs/{}/posts", blog_a_), &browser,
                      form_body({{"csrf", browser.csrf},
                                 {"title", "Maintenant"},
                                 {"source", "Tout de suite"},
                                 {"status", "published"}}));
    ASSERT_EQ(saved.status, 303) << saved.body;
    auto post = *store_->posts().find_published_post(blog_a_, "maintenant");
    ASSERT_TRUE(post.has_value());
    EXPECT_EQ(post->published_at, clock_.now());
}

TEST_F(AdminTest, ChangingAPublishedSlugKeepsTheOldAddressAndARevision) {
    auto browser = log_in("owner@a.example");
    const auto url = fmt::format("/admin/blogs/{}/posts/{}", blog_a_, post_a_);
    auto saved = send("POST", url, &browser,
                      form_body({{"csrf", browser.csrf},
                                 {"title", "Un billet de A"},
                                 {"source", "Texte revu"},
                                 {"slug", "nouvelle-adresse"},
                                 {"status", "published"},
                                 {"published_at", "2017-10-04T20:00"},
                                 {"categories", "World"}}));
    ASSERT_EQ(saved.status, 303) << saved.body;
    auto post = *store_->posts().find_published_post(blog_a_, "nouvelle-adresse");
    ASSERT_TRUE(post.has_value());
    EXPECT_TRUE(store_->redirects()
                    .find_post_redirect(blog_a_, "/archive/2017/10/04/un-billet-de-a.html")
                    ->has_value());
    auto revisions = *store_->posts().revisions(blog_a_, post_a_);
    ASSERT_EQ(revisions.size(), 1u);
    auto page = send("GET", fmt::format("{}/revisions/{}", url, revisions[0].id), &browser);
    EXPECT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Texte revu"), std::string::npos);
}

TEST_F(AdminTest, APostPublishedForLaterIsScheduledAndGoesOutWhenDue) {
    auto browser = log_in("owner@a.example");
    auto saved = send("POST", fmt::format("/admin/blogs/{}/posts", blog_a_), &browser,
                      form_body({{"csrf", browser.csrf},
                                 {"title", "Plus tard"},
                                 {"source", "Demain"},
                                 {"status", "published"},
                                 {"published_at", "2099-01-01T08:00"}}));
    ASSERT_EQ(saved.status, 303) << saved.body;
    EXPECT_FALSE(store_->posts().find_published_post(blog_a_, "plus-tard")->has_value());
    EXPECT_EQ(store_->blogs().counts(blog_a_)->scheduled, 1);
    auto published = admin_->run_due_work(model::Instant{std::chrono::seconds{4'102'500'000}});
    ASSERT_TRUE(published.has_value());
    EXPECT_EQ(*published, 1);
    auto post = store_->posts().find_published_post(blog_a_, "plus-tard");
    ASSERT_TRUE(post.has_value() && post->has_value());
    // Only once it went out was it announced (to the webmentions its links get).
    EXPECT_EQ(published_posts_,
              (std::vector<std::pair<std::int64_t, std::int64_t>>{{blog_a_, (*post)->id}}));
}

TEST_F(AdminTest, SavingAPublishedPostAnnouncesItAndADraftDoesNot) {
    auto browser = log_in("owner@a.example");
    auto draft = send("POST", fmt::format("/admin/blogs/{}/posts", blog_a_), &browser,
                      form_body({{"csrf", browser.csrf},
                                 {"title", "Brouillon"},
                                 {"source", "Pas encore"},
                                 {"status", "draft"}}));
    ASSERT_EQ(draft.status, 303) << draft.body;
    EXPECT_TRUE(published_posts_.empty());
    auto saved = send("POST", fmt::format("/admin/blogs/{}/posts", blog_a_), &browser,
                      form_body({{"csrf", browser.csrf},
                                 {"title", "Publié"},
                                 {"source", "Voir [ceci](https://example.org/)"},
                                 {"status", "published"}}));
    ASSERT_EQ(saved.status, 303) << saved.body;
    auto post = store_->posts().find_published_post(blog_a_, "publie");
    ASSERT_TRUE(post.has_value() && post->has_value());
    EXPECT_EQ(published_posts_,
              (std::vector<std::pair<std::int64_t, std::int64_t>>{{blog_a_, (*post)->id}}));
}

TEST_F(AdminTest, TrashingAPublishedPostWithdrawsItAndADraftDoesNot) {
    auto browser = log_in("owner@a.example");
    auto save = [&](const std::string& path, const std::string& title, const std::string& status) {
        auto saved = send("POST", path, &browser,
                          form_body({{"csrf", browser.csrf},
                                     {"title", title},
                                     {"source", "Texte"},
                                     {"status", status}}));
        EXPECT_EQ(saved.status, 303) << saved.body;
    };
    const auto posts = fmt::format("/admin/blogs/{}/posts", blog_a_);
    save(posts, "Publié", "published");
    save(posts, "Brouillon", "draft");
    auto published = store_->posts().find_published_post(blog_a_, "publie");
    ASSERT_TRUE(published.has_value() && published->has_value());
    const auto id = (*published)->id;
    auto drafts = store_->posts().admin_posts(blog_a_, {});
    ASSERT_TRUE(drafts.has_value());
    std::int64_t draft_id = 0;
    for (const auto& post : drafts->posts) {
        if (post.title == "Brouillon") draft_id = post.id;
    }
    ASSERT_NE(draft_id, 0);
    save(fmt::format("{}/{}", posts, draft_id), "Brouillon", "trash");
    EXPECT_TRUE(withdrawn_posts_.empty());
    save(fmt::format("{}/{}", posts, id), "Publié", "trash");
    EXPECT_EQ(withdrawn_posts_,
              (std::vector<std::pair<std::int64_t, std::int64_t>>{{blog_a_, id}}));
}

TEST_F(AdminTest, PreviewRendersMarkdownLikeThePublicPage) {
    auto browser = log_in("owner@a.example");
    auto answer =
        send("POST", fmt::format("/admin/blogs/{}/preview", blog_a_), &browser,
             form_body({{"csrf", browser.csrf}, {"source", "## Misrata\n\n- un\n- deux"}}));
    EXPECT_EQ(answer.status, 200);
    EXPECT_NE(answer.body.find("<h2>Misrata</h2>"), std::string::npos);
    EXPECT_NE(answer.body.find("<li>deux</li>"), std::string::npos);
    EXPECT_NE(answer.header("Content-Security-Policy").find("script-src 'self'"),
              std::string::npos);
}

// The admin's words come from themes/admin/locales/<locale>.po, in the blog's language; a word
// English uses for two things French tells apart comes from its msgctxt.
TEST_F(AdminTest, PagesSpeakTheBlogsLanguageFromTheCatalogues) {
    auto french = log_in("owner@a.example");
    auto dashboard_a = send("GET", fmt::format("/admin/blogs/{}/", blog_a_), &french);
    EXPECT_NE(dashboard_a.body.find("<h1>Tableau de bord</h1>"), std::string::npos);
    EXPECT_NE(dashboard_a.body.find("</strong> Publiées</a>"), std::string::npos);
    EXPECT_NE(dashboard_a.body.find("<html lang=\"fr\">"), std::string::npos);
    auto page_a = send("GET", fmt::format("/admin/blogs/{}/pages/new", blog_a_), &french);
    EXPECT_NE(page_a.body.find("> Publiée</label>"), std::string::npos);
    auto posts_a = send("GET", fmt::format("/admin/blogs/{}/posts", blog_a_), &french);
    EXPECT_NE(posts_a.body.find("<td>Publiée</td>"), std::string::npos);

    auto english = log_in("owner@b.example");
    auto dashboard_b = send("GET", fmt::format("/admin/blogs/{}/", blog_b_), &english);
    EXPECT_NE(dashboard_b.body.find("<h1>Dashboard</h1>"), std::string::npos);
    EXPECT_NE(dashboard_b.body.find("<html lang=\"en\">"), std::string::npos);
    auto comments_b = send("GET", fmt::format("/admin/blogs/{}/comments", blog_b_), &english);
    EXPECT_NE(comments_b.body.find("Waiting (1)"), std::string::npos);
    EXPECT_EQ(comments_b.body.find("{{"), std::string::npos);
}

// The server adds X-Content-Type-Options to every answer: an admin copy would send it twice.
TEST_F(AdminTest, AnswersLeaveTheNosniffHeaderToTheServer) {
    auto browser = log_in("owner@a.example");
    for (const auto& answer :
         {send("GET", "/admin/login"), send("GET", "/admin/assets/admin.css"),
          send("GET", "/admin/assets/admin.js"), send("GET", "/admin/", &browser),
          send("GET", fmt::format("/admin/blogs/{}/", blog_a_), &browser),
          send("GET", fmt::format("/admin/blogs/{}/posts/new", blog_a_), &browser),
          send("POST", fmt::format("/admin/blogs/{}/preview", blog_a_), &browser,
               form_body({{"csrf", browser.csrf}, {"source", "x"}}))}) {
        EXPECT_EQ(std::ranges::count_if(
                      answer.headers,
                      [](const auto& header) { return header.first == "X-Content-Type-Options"; }),
                  0);
        EXPECT_FALSE(answer.header("Cache-Control").empty());
    }
}

TEST_F(AdminTest, DraftsAreAutosavedWithOneAutosaveRevisionAndPublishedPostsAreNot) {
    auto browser = log_in("owner@a.example");
    const auto base = fmt::format("/admin/blogs/{}/posts", blog_a_);
    auto first = send("POST", base + "/autosave", &browser,
                      form_body({{"csrf", browser.csrf}, {"title", ""}, {"source", "Début"}}));
    ASSERT_EQ(first.status, 200) << first.body;
    std::smatch found;
    ASSERT_TRUE(std::regex_search(first.body, found, std::regex(R"re("id":(\d+))re")));
    const auto id = std::stoll(found[1]);
    auto draft = *store_->posts().find_post_by_id(blog_a_, id);
    ASSERT_TRUE(draft.has_value());
    EXPECT_EQ(draft->status, model::PostStatus::draft);
    EXPECT_EQ(draft->source, "Début");
    for (const auto* text : {"Début, suite", "Début, suite et fin"}) {
        auto again =
            send("POST", fmt::format("{}/{}/autosave", base, id), &browser,
                 form_body({{"csrf", browser.csrf}, {"title", "Brouillon"}, {"source", text}}));
        EXPECT_EQ(again.status, 200);
    }
    EXPECT_EQ((*store_->posts().find_post_by_id(blog_a_, id))->source, "Début, suite et fin");
    auto revisions = *store_->posts().revisions(blog_a_, id);
    EXPECT_EQ(std::ranges::count_if(revisions, [](const auto& r) { return r.autosave; }), 1);
    // A published post is never changed by an autosave.
    auto refused = send("POST", fmt::format("{}/{}/autosave", base, post_a_), &browser,
                        form_body({{"csrf", browser.csrf}, {"title", "x"}, {"source", "x"}}));
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ((*store_->posts().find_post_by_id(blog_a_, post_a_))->source, "Texte");
}

}  // namespace
}  // namespace carnet::admin

namespace carnet::admin {
namespace {

class AdminAppPasswordTest : public AdminTest {
protected:
    // Makes an application password through the page; the password the page shows.
    std::string create(const Browser& browser, const std::string& name) {
        auto made = send("POST", fmt::format("/admin/blogs/{}/app-passwords", blog_a_), &browser,
                         form_body({{"csrf", browser.csrf}, {"name", name}}));
        EXPECT_EQ(made.status, 200) << made.body;
        std::smatch found;
        std::regex shown(R"re(<code class="app-password">([0-9a-f]+)</code>)re");
        if (!std::regex_search(made.body, found, shown)) return {};
        return found[1];
    }
};

TEST_F(AdminAppPasswordTest, ShownOnceListedWithItsLastUseAndRevoked) {
    const auto browser = log_in("author@a.example");
    const auto password = create(browser, "MarsEdit");
    ASSERT_EQ(password.size(), 48u);
    const auto list_path = fmt::format("/admin/blogs/{}/app-passwords", blog_a_);
    auto listed = send("GET", list_path, &browser);
    EXPECT_EQ(listed.status, 200);
    EXPECT_NE(listed.body.find("<td>MarsEdit</td>"), std::string::npos);
    EXPECT_EQ(listed.body.find(password), std::string::npos);
    EXPECT_NE(listed.body.find("Jamais"), std::string::npos);
    // The store keeps the hash only.
    auto found = store_->app_passwords().find_app_password(auth::hash_token(password));
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->user_id, author_a_);
    clock_.advance(std::chrono::hours(2));
    ASSERT_TRUE(store_->write([&](store::Writer& writer) {
        return writer.app_passwords().record_app_password_use((*found)->id);
    }));
    listed = send("GET", list_path, &browser);
    EXPECT_NE(listed.body.find(local_display(clock_.now(), "Europe/Paris")), std::string::npos)
        << listed.body;
    // Another user's list is their own.
    const auto owner = log_in("owner@a.example");
    EXPECT_EQ(send("GET", list_path, &owner).body.find("<td>MarsEdit</td>"), std::string::npos);
    auto revoked = send("POST", list_path + "/revoke", &browser,
                        form_body({{"csrf", browser.csrf}, {"name", "MarsEdit"}}));
    EXPECT_EQ(revoked.status, 303);
    EXPECT_FALSE(
        store_->app_passwords().find_app_password(auth::hash_token(password))->has_value());
}

TEST_F(AdminAppPasswordTest, ANameTakenTwiceIsRefusedAndChangesNothing) {
    const auto browser = log_in("owner@a.example");
    ASSERT_FALSE(create(browser, "Phone").empty());
    auto again = send("POST", fmt::format("/admin/blogs/{}/app-passwords", blog_a_), &browser,
                      form_body({{"csrf", browser.csrf}, {"name", "Phone"}}));
    EXPECT_EQ(again.status, 422);
    EXPECT_EQ(again.body.find("class=\"app-password\""), std::string::npos);
    EXPECT_EQ(store_->app_passwords().app_passwords_of(owner_a_)->size(), 1u);
}

TEST_F(AdminAppPasswordTest, AnApplicationPasswordNeverOpensTheLoginForm) {
    const auto browser = log_in("owner@a.example");
    const auto password = create(browser, "MarsEdit");
    ASSERT_FALSE(password.empty());
    auto answer = log_in_from("198.51.100.8", "owner@a.example", password);
    EXPECT_EQ(answer.status, 401);
    EXPECT_EQ(answer.header("Set-Cookie").find("carnet_session"), std::string::npos);
}

TEST_F(AdminTest, Followers_OwnersApproveRefuseAndBlockAndEachAnswerIsSent) {
    const auto follower = [&](const std::string& actor, store::FollowerState state) {
        EXPECT_TRUE(store_->write([&](store::Writer& writer) {
            return writer.federation().save_follower({.blog_id = blog_a_,
                                                      .actor = actor,
                                                      .inbox = actor + "/inbox",
                                                      .follow_id = actor + "#follow",
                                                      .handle = "x@" + actor.substr(8, 9),
                                                      .state = state});
        }));
    };
    follower("https://a.example/users/ana", store::FollowerState::pending);
    follower("https://b.example/users/bob", store::FollowerState::pending);
    follower("https://c.example/users/cy", store::FollowerState::accepted);
    const auto blog = std::to_string(blog_a_);
    const auto base = "/admin/blogs/" + blog + "/followers";

    const auto moderator = log_in("moderator@a.example");
    EXPECT_EQ(send("GET", base, &moderator).status, 403);
    EXPECT_EQ(send("POST", base + "/approve", &moderator,
                   form_body({{"csrf", moderator.csrf}, {"actor", "https://a.example/users/ana"}}))
                  .status,
              403);

    const auto owner = log_in("owner@a.example");
    auto page = send("GET", base, &owner);
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("@x@a.example"), std::string::npos) << page.body;
    EXPECT_NE(page.body.find("@x@c.example"), std::string::npos);
    // Without the form's token, nothing is done.
    EXPECT_EQ(send("POST", base + "/approve", &owner,
                   form_body({{"actor", "https://a.example/users/ana"}}))
                  .status,
              403);
    EXPECT_TRUE(answered_followers_.empty());

    EXPECT_EQ(send("POST", base + "/approve", &owner,
                   form_body({{"csrf", owner.csrf}, {"actor", "https://a.example/users/ana"}}))
                  .status,
              303);
    EXPECT_EQ(send("POST", base + "/refuse", &owner,
                   form_body({{"csrf", owner.csrf}, {"actor", "https://b.example/users/bob"}}))
                  .status,
              303);
    EXPECT_EQ(send("POST", base + "/approve", &owner,
                   form_body({{"csrf", owner.csrf}, {"actor", "https://nobody.example/u"}}))
                  .status,
              404);
    EXPECT_EQ(answered_followers_,
              (std::vector<std::string>{blog + " https://a.example/users/ana accepted",
                                        blog + " https://b.example/users/bob refused"}));
    auto accepted = store_->federation().followers(blog_a_, store::FollowerState::accepted, 0, 10);
    ASSERT_TRUE(accepted.has_value());
    EXPECT_EQ(accepted->total, 2);
    EXPECT_FALSE(
        store_->federation().find_follower(blog_a_, "https://b.example/users/bob")->has_value());

    EXPECT_EQ(send("POST", base + "/block", &owner,
                   form_body({{"csrf", owner.csrf}, {"target", "C.Example"}}))
                  .status,
              303);
    EXPECT_EQ(send("POST", base + "/block", &owner,
                   form_body({{"csrf", owner.csrf}, {"target", "<script>"}}))
                  .status,
              422);
    EXPECT_EQ(store_->federation().blocks(blog_a_), std::vector<std::string>{"c.example"});
    EXPECT_FALSE(
        store_->federation().find_follower(blog_a_, "https://c.example/users/cy")->has_value());
    EXPECT_EQ(send("POST", base + "/unblock", &owner,
                   form_body({{"csrf", owner.csrf}, {"target", "c.example"}}))
                  .status,
              303);
    EXPECT_TRUE(store_->federation().blocks(blog_a_)->empty());
}

TEST_F(AdminTest, Settings_ApproveFollowersIsKeptAndShown) {
    const auto owner = log_in("owner@a.example");
    const auto settings = "/admin/blogs/" + std::to_string(blog_a_) + "/settings";
    const auto save = [&](bool approve) {
        std::vector<std::pair<std::string, std::string>> fields{
            {"csrf", owner.csrf},       {"title", "Blog A"},
            {"locale", "fr"},           {"time_zone", "Europe/Paris"},
            {"theme", "classique"},     {"posts_per_page", "10"},
            {"comment_policy", "open"}, {"close_comments_after_days", "0"}};
        if (approve) fields.emplace_back("approve_followers", "on");
        return send("POST", settings, &owner, form_body(fields)).status;
    };
    ASSERT_EQ(save(true), 303);
    EXPECT_TRUE((*store_->blogs().find_blog(blog_a_))->approve_followers);
    EXPECT_NE(send("GET", settings, &owner)
                  .body.find("name=\"approve_followers\" type=\"checkbox\" checked"),
              std::string::npos);
    ASSERT_EQ(save(false), 303);
    EXPECT_FALSE((*store_->blogs().find_blog(blog_a_))->approve_followers);
}

TEST_F(AdminTest, TheReaderIsForWritersInTheirOwnBlogAndItsRepliesGoOutOnce) {
    std::int64_t item_a = 0, item_b = 0;
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        for (auto [blog, id] : {std::pair{blog_a_, &item_a}, std::pair{blog_b_, &item_b}}) {
            auto saved = writer.following().save_reader_item(
                {.blog_id = blog,
                 .object_id = fmt::format("https://x.example/notes/{}", blog),
                 .actor = "https://x.example/users/x",
                 .author_name = "X",
                 .html = fmt::format("<p>Note pour {}</p>", blog),
                 .published_at = clock_.now(),
                 .updated_at = clock_.now()});
            if (!saved) return std::unexpected(saved.error());
            *id = *saved;
        }
        return {};
    }));
    const auto base = fmt::format("/admin/blogs/{}", blog_a_);
    for (const auto* email : {"author@a.example", "moderator@a.example"}) {
        const auto visitor = log_in(email);
        EXPECT_EQ(send("GET", base + "/reader", &visitor).status, 403) << email;
        EXPECT_EQ(send("GET", base + "/following", &visitor).status, 403) << email;
        EXPECT_EQ(send("POST", fmt::format("{}/reader/{}/reply", base, item_a), &visitor,
                       form_body({{"csrf", visitor.csrf}, {"text", "Non"}}))
                      .status,
                  403)
            << email;
    }
    const auto owner = log_in("owner@a.example");
    auto reader = send("GET", base + "/reader", &owner);
    ASSERT_EQ(reader.status, 200) << reader.body;
    EXPECT_NE(reader.body.find(fmt::format("<p>Note pour {}</p>", blog_a_)), std::string::npos);
    EXPECT_EQ(reader.body.find(fmt::format("Note pour {}", blog_b_)), std::string::npos);
    // Another blog's item is not found here; an empty reply or one without the token is refused.
    EXPECT_EQ(send("POST", fmt::format("{}/reader/{}/reply", base, item_b), &owner,
                   form_body({{"csrf", owner.csrf}, {"text", "Pris"}}))
                  .status,
              404);
    EXPECT_EQ(send("POST", fmt::format("{}/reader/{}/reply", base, item_a), &owner,
                   form_body({{"csrf", owner.csrf}, {"text", "  "}}))
                  .status,
              422);
    EXPECT_EQ(send("POST", fmt::format("{}/reader/{}/reply", base, item_a), &owner,
                   form_body({{"text", "Sans jeton"}}))
                  .status,
              403);
    EXPECT_TRUE(replies_sent_.empty());
    EXPECT_EQ(send("POST", fmt::format("{}/reader/{}/reply", base, item_a), &owner,
                   form_body({{"csrf", owner.csrf}, {"text", "Bien vu"}}))
                  .status,
              303);
    EXPECT_EQ(replies_sent_, std::vector<std::string>{fmt::format(
                                 "{} https://x.example/notes/{} Bien vu", blog_a_, blog_a_)});
    // Twenty items a page, newest first.
    ASSERT_TRUE(store_->write([&](store::Writer& writer) -> model::Status {
        for (int i = 1; i <= 20; ++i) {
            auto saved = writer.following().save_reader_item(
                {.blog_id = blog_a_,
                 .object_id = fmt::format("https://x.example/notes/older-{}", i),
                 .actor = "https://x.example/users/x",
                 .html = fmt::format("<p>Plus ancienne {}</p>", i),
                 .published_at = clock_.now() - std::chrono::minutes(i),
                 .updated_at = clock_.now() - std::chrono::minutes(i)});
            if (!saved) return std::unexpected(saved.error());
        }
        return {};
    }));
    reader = send("GET", base + "/reader", &owner);
    EXPECT_NE(reader.body.find(fmt::format("Note pour {}", blog_a_)), std::string::npos);
    EXPECT_EQ(reader.body.find("Plus ancienne 20<"), std::string::npos);
    EXPECT_NE(reader.body.find(base + "/reader?page=2"), std::string::npos);
    auto second_page = send("GET", base + "/reader?page=2", &owner);
    ASSERT_EQ(second_page.status, 200);
    EXPECT_NE(second_page.body.find("Plus ancienne 20<"), std::string::npos) << second_page.body;
    EXPECT_EQ(second_page.body.find("Plus ancienne 19<"), std::string::npos);
    // Without the fediverse wired in, the Following page says so and follows nobody.
    auto following = send("GET", base + "/following", &owner);
    ASSERT_EQ(following.status, 200);
    EXPECT_EQ(send("POST", base + "/following", &owner,
                   form_body({{"csrf", owner.csrf}, {"account", "@ana@a.example"}}))
                  .status,
              409);
    EXPECT_TRUE(store_->following().followings(blog_a_).value().empty());
}

}  // namespace
}  // namespace carnet::admin
