// Two carnet servers talking on the fediverse (each its own database and host, on loopback,
// started with --allow-loopback-fetch): a blog of the second follows a blog of the first from
// its admin, reads its posts in the admin's reader and answers them from there; the first
// blog's writer answers that reply from its comments, and blocking the second's domain stops
// what it sends.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <regex>

#include "support.hpp"

namespace carnet::testing {
namespace {

const std::string k_password = "un mot de passe assez long";

// One blog on its own server, database and host (127.0.0.1 or localhost), its owner signed in.
class Site {
public:
    explicit Site(std::string host) : host_(std::move(host)), port_(free_port()) {
        db_ = dir_.path() / "carnet.db";
        auto init = run_carnet({"init", "--db", db_.string(), "--title", "Carnet de " + host_,
                                "--base-url", base_url(), "--locale", "fr"});
        EXPECT_EQ(init.exit_code, 0) << init.err;
        auto user = run_carnet({"user", "add", "--db", db_.string(), "--email", "owner@example.org",
                                "--name", "Rédaction", "--password-stdin", "--role", "owner"},
                               k_password + "\n");
        EXPECT_EQ(user.exit_code, 0) << user.err;
        server_ = std::make_unique<ServerProcess>(
            db_,
            std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--delivery-retry-seconds", "1", "--allow-loopback-fetch"});
        EXPECT_EQ(server_->port(), port_) << server_->log();
        session_ = std::make_unique<AdminSession>(
            port_, "owner@example.org", k_password,
            std::map<std::string, std::string>{{"Host", authority()}});
        EXPECT_TRUE(session_->signed_in()) << session_->failure();
    }

    std::string authority() const { return host_ + ":" + std::to_string(port_); }
    std::string base_url() const { return "http://" + authority(); }
    std::uint16_t port() const { return port_; }
    std::string log() const { return server_->log(); }
    const std::filesystem::path& db() const { return db_; }
    const AdminSession& session() const { return *session_; }

    HttpResponse get(const std::string& target) const { return session_->get(target); }
    HttpResponse post(const std::string& target, std::map<std::string, std::string> fields) const {
        return session_->post(target, std::move(fields));
    }
    std::string reader() const { return get("/admin/blogs/1/reader").body; }

    // The blog's account, @handle@host:port, as its actor document names it.
    std::string account() const {
        const auto actor = http_get(port_, "/actor", {{"Host", authority()}});
        const auto document = boost::json::parse(actor.body).as_object();
        return fmt::format("@{}@{}", std::string_view(document.at("preferredUsername").as_string()),
                           authority());
    }

    // Saves a post (a new one when `edit` is empty): its admin address.
    std::string save_post(const std::string& title, const std::string& source,
                          const std::string& status, const std::string& edit = "") const {
        auto saved = post(
            edit.empty() ? "/admin/blogs/1/posts" : edit,
            {{"title", title}, {"source", source}, {"status", status}, {"comments_open", "on"}});
        EXPECT_EQ(saved.status, 303) << saved.body;
        const auto location = saved.headers["location"];
        return location.substr(0, location.find('?'));
    }

    // The public path of the published post titled `title`, from the home page.
    std::string public_path(const std::string& title) const {
        const auto home = http_get(port_, "/", {{"Host", authority()}}).body;
        std::smatch match;
        const std::regex link(R"re(<a href="(/archive/[^"]+)" rel="bookmark">)re" + title + "</a>");
        EXPECT_TRUE(std::regex_search(home, match, link)) << home;
        return match.size() > 1 ? match[1].str() : std::string();
    }

    std::string page(const std::string& path) const {
        return http_get(port_, path, {{"Host", authority()}}).body;
    }

private:
    TempDir dir_;
    std::string host_;
    std::uint16_t port_;
    std::filesystem::path db_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<AdminSession> session_;
};

// The number in the first match of `pattern` (one group) after `text` in `page`; "" if none.
std::string id_after(const std::string& page, const std::string& text, const std::string& pattern) {
    const auto at = page.find(text);
    if (at == std::string::npos) return {};
    std::smatch match;
    const std::string after = page.substr(at);
    if (!std::regex_search(after, match, std::regex(pattern))) return {};
    return match[1].str();
}

// The reply form's item id of the reader item holding `text` (the form follows the item).
std::string reader_item(const std::string& reader, const std::string& text) {
    return id_after(reader, text, R"(/reader/(\d+)/reply)");
}

TEST(Social, ABlogFollowsAnotherReadsItsPostsAndTheyAnswerEachOther) {
    Site first("127.0.0.1");
    Site second("localhost");
    // Replies wait for the writer of the first blog.
    auto policy = first.post("/admin/blogs/1/settings", {{"title", "Carnet de 127.0.0.1"},
                                                         {"locale", "fr"},
                                                         {"time_zone", "Europe/Paris"},
                                                         {"theme", "classique"},
                                                         {"base_url", first.base_url()},
                                                         {"posts_per_page", "10"},
                                                         {"close_comments_after_days", "0"},
                                                         {"comment_policy", "all_held"}});
    ASSERT_EQ(policy.status, 303) << policy.body;

    // Following from the admin: pending, then accepted once the first blog's Accept arrives.
    auto bad = second.post("/admin/blogs/1/following", {{"account", "personne"}});
    EXPECT_EQ(bad.status, 422);
    auto unknown =
        second.post("/admin/blogs/1/following", {{"account", "@personne@" + first.authority()}});
    EXPECT_EQ(unknown.status, 422) << unknown.body;
    const auto account = first.account();
    auto followed = second.post("/admin/blogs/1/following", {{"account", account}});
    ASSERT_EQ(followed.status, 303) << followed.body << second.log();
    ASSERT_TRUE(eventually([&] {
        return second.get("/admin/blogs/1/following").body.find("state accepted") !=
               std::string::npos;
    })) << second.get("/admin/blogs/1/following").body
        << first.log() << second.log();
    const auto following = second.get("/admin/blogs/1/following").body;
    EXPECT_NE(following.find(account.substr(0, account.rfind(':'))), std::string::npos)
        << following;
    EXPECT_NE(first.get("/admin/blogs/1/followers").body.find("localhost"), std::string::npos);

    // A post of the first blog appears whole in the second's reader, with nothing that runs.
    const auto edit = first.save_post(
        "Misrata",
        "Le port, au matin, sous la brume.\n\n<img src=\"x\" onerror=\"alert(1)\">\n\n"
        "Second paragraphe : les pêcheurs rentrent.\n\n<script>alert(2)</script>",
        "published");
    ASSERT_TRUE(eventually([&] {
        return second.reader().find("les pêcheurs rentrent") != std::string::npos;
    })) << second.reader()
        << first.log() << second.log();
    auto reader = second.reader();
    EXPECT_NE(reader.find("<h2>Misrata</h2>"), std::string::npos) << reader;
    EXPECT_NE(reader.find("Le port, au matin, sous la brume."), std::string::npos) << reader;
    EXPECT_LT(reader.find("sous la brume."), reader.find("Second paragraphe"));
    // The admin's own script aside, nothing of the post's markup is left.
    const auto items = reader.substr(std::min(reader.size(), reader.find("class=\"reader-item\"")));
    EXPECT_EQ(items.find("onerror"), std::string::npos) << items;
    EXPECT_EQ(items.find("alert("), std::string::npos) << items;
    EXPECT_EQ(items.find("<script"), std::string::npos) << items;
    EXPECT_EQ(items.find("<img"), std::string::npos) << items;
    const auto path = first.public_path("Misrata");
    ASSERT_FALSE(path.empty());

    // A reply from the reader lands in the first blog's moderation queue, then under the post.
    const auto item = reader_item(reader, "les pêcheurs rentrent");
    ASSERT_FALSE(item.empty()) << reader;
    auto replied = second.post("/admin/blogs/1/reader/" + item + "/reply",
                               {{"text", "Belle lumière sur le port."}});
    ASSERT_EQ(replied.status, 303) << replied.body;
    ASSERT_TRUE(eventually([&] {
        return admin_comments(first.session(), "pending").find("Belle lumière") !=
               std::string::npos;
    })) << first.log()
        << second.log();
    EXPECT_EQ(first.page(path).find("Belle lumière"), std::string::npos);
    const auto failure = approve_comment(first.session(), "Belle lumière");
    ASSERT_TRUE(failure.empty()) << failure;
    auto shown = first.page(path);
    EXPECT_NE(shown.find("Belle lumière sur le port."), std::string::npos) << shown;
    EXPECT_NE(shown.find("@localhost@localhost"), std::string::npos) << shown;

    // The first blog's writer answers it from the comments: the answer is under the post and
    // reaches the second blog, which follows the first, in its reader.
    const auto approved = admin_comments(first.session(), "approved");
    const auto comment = id_after(approved, "Belle lumière", R"(/comments/(\d+)/reply)");
    ASSERT_FALSE(comment.empty()) << approved;
    auto answered = first.post("/admin/blogs/1/comments/" + comment + "/reply",
                               {{"reply_" + comment, "Merci, elle était rare ce matin-là."}});
    ASSERT_EQ(answered.status, 303) << answered.body;
    EXPECT_NE(first.page(path).find("elle était rare"), std::string::npos);
    ASSERT_TRUE(eventually([&] {
        return second.reader().find("elle était rare ce matin-là") != std::string::npos;
    })) << second.reader()
        << first.log() << second.log();

    // An edit and a deletion on the first blog reach the reader.
    first.save_post("Misrata", "Le port, le soir : version corrigée.", "published", edit);
    ASSERT_TRUE(eventually([&] {
        return second.reader().find("version corrigée") != std::string::npos;
    })) << second.reader()
        << first.log();
    reader = second.reader();
    EXPECT_EQ(reader.find("les pêcheurs rentrent"), std::string::npos) << reader;
    EXPECT_EQ(reader_item(reader, "version corrigée"), item) << "the edit is another item";
    first.save_post("Misrata", "Le port, le soir : version corrigée.", "trash", edit);
    ASSERT_TRUE(eventually([&] {
        return second.reader().find("version corrigée") == std::string::npos;
    })) << second.reader()
        << first.log();
    EXPECT_NE(second.reader().find("elle était rare"), std::string::npos);

    // The first blog blocks the second's domain from its followers page: the second's next
    // activity (a reply to the answer) is refused, and nothing is kept.
    auto blocked = first.post("/admin/blogs/1/followers/block", {{"target", "localhost"}});
    ASSERT_EQ(blocked.status, 303) << blocked.body;
    const std::vector<std::string> moving{"sessions.*", "jobs.*", "login_failures.*"};
    const auto before = database_fingerprint(first.db(), moving);
    reader = second.reader();
    const auto answer_item = reader_item(reader, "elle était rare");
    ASSERT_FALSE(answer_item.empty()) << reader;
    ASSERT_EQ(second
                  .post("/admin/blogs/1/reader/" + answer_item + "/reply",
                        {{"text", "Bloqué avant d'arriver."}})
                  .status,
              303);
    ASSERT_TRUE(eventually([&] { return second.log().find("answered 403") != std::string::npos; }))
        << second.log();
    EXPECT_EQ(database_fingerprint(first.db(), moving), before);
    EXPECT_EQ(admin_comments(first.session(), "pending").find("Bloqué"), std::string::npos);
}

TEST(Social, FollowingByTheActorsAddressAndUnfollowingTellTheOtherBlog) {
    Site first("127.0.0.1");
    Site second("localhost");
    ASSERT_EQ(
        second.post("/admin/blogs/1/following", {{"account", first.base_url() + "/actor"}}).status,
        303);
    ASSERT_TRUE(eventually([&] {
        return first.get("/admin/blogs/1/followers").body.find("localhost") != std::string::npos;
    })) << first.log();
    ASSERT_TRUE(eventually([&] {
        return second.get("/admin/blogs/1/following").body.find("state accepted") !=
               std::string::npos;
    })) << second.log();
    auto unfollowed =
        second.post("/admin/blogs/1/following/unfollow", {{"actor", first.base_url() + "/actor"}});
    ASSERT_EQ(unfollowed.status, 303) << unfollowed.body;
    EXPECT_NE(second.get("/admin/blogs/1/following").body.find("ne suit encore personne"),
              std::string::npos);
    // The Undo reaches the first blog: the second no longer follows it.
    ASSERT_TRUE(eventually([&] {
        return first.get("/admin/blogs/1/followers").body.find("localhost") == std::string::npos;
    })) << first.log();
}

}  // namespace
}  // namespace carnet::testing
