// Webmention between real carnet servers on loopback (each its own database and address,
// started with --allow-loopback-fetch), and against sources a test server plays: one that
// does not link, one that disappears, hostile ones. The queue that carries the mentions is
// shown to survive a target that is down and a restart of the sender.
#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <regex>

#include "support.hpp"
#include "testing/scripted_site.hpp"

namespace carnet::testing {
namespace {

using namespace std::chrono_literals;

const std::string k_password = "un mot de passe assez long";

// One blog on its own server and database, and its owner signed in to the admin.
class Blog {
public:
    explicit Blog(const std::string& title, bool allow_loopback_fetch = true)
        : title_(title), port_(free_port()), allow_loopback_fetch_(allow_loopback_fetch) {
        db_ = dir_.path() / "carnet.db";
        auto init = run_carnet({"init", "--db", db_.string(), "--title", title, "--base-url",
                                base_url(), "--locale", "fr"});
        EXPECT_EQ(init.exit_code, 0) << init.err;
        auto user = run_carnet({"user", "add", "--db", db_.string(), "--email", "owner@example.org",
                                "--name", "Owner", "--password-stdin", "--role", "owner"},
                               k_password + "\n");
        EXPECT_EQ(user.exit_code, 0) << user.err;
        start();
    }

    void start() {
        std::vector<std::string> args{"--listen",
                                      "127.0.0.1:" + std::to_string(port_),
                                      "--delivery-retry-seconds",
                                      "1",
                                      "--comment-delay",
                                      "0",
                                      "--media-dir",
                                      (dir_.path() / "media").string()};
        if (allow_loopback_fetch_) args.emplace_back("--allow-loopback-fetch");
        server_ = std::make_unique<ServerProcess>(db_, args);
        ASSERT_EQ(server_->port(), port_) << server_->log();
        sign_in();
    }

    void stop() { server_.reset(); }

    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    const std::string& title() const { return title_; }
    std::string log() const { return server_ ? server_->log() : std::string(); }

    HttpResponse admin(const std::string& target, std::map<std::string, std::string> fields = {},
                       const std::string& method = "POST") {
        return method == "GET" ? session_->get(target) : session_->post(target, std::move(fields));
    }

    void set_policy(const std::string& policy) {
        auto saved = admin("/admin/blogs/1/settings", {{"title", title_},
                                                       {"locale", "fr"},
                                                       {"time_zone", "Europe/Paris"},
                                                       {"theme", "classique"},
                                                       {"base_url", base_url()},
                                                       {"posts_per_page", "10"},
                                                       {"close_comments_after_days", "0"},
                                                       {"comment_policy", policy}});
        ASSERT_EQ(saved.status, 303) << saved.body;
    }

    // Publishes a post and gives its public path.
    std::string publish(const std::string& title, const std::string& source) {
        auto saved = admin("/admin/blogs/1/posts", {{"title", title},
                                                    {"source", source},
                                                    {"status", "published"},
                                                    {"comments_open", "on"}});
        EXPECT_EQ(saved.status, 303) << saved.body;
        const auto home = http_get(port_, "/").body;
        std::smatch match;
        const std::regex link(R"re(<a href="(/archive/[^"]+)" rel="bookmark">)re" + title + "</a>");
        EXPECT_TRUE(std::regex_search(home, match, link)) << home;
        return match.size() > 1 ? match[1].str() : std::string();
    }

    std::string comments_page(const std::string& status) {
        return admin_comments(*session_, status);
    }

    // Approves the first comment waiting whose text holds `text`.
    void approve(const std::string& text) {
        const auto failure = approve_comment(*session_, text);
        ASSERT_TRUE(failure.empty()) << failure;
    }

    HttpResponse send_webmention(const std::string& source, const std::string& target) {
        return http_get(port_, "/webmention",
                        {{"Content-Type", "application/x-www-form-urlencoded"}}, "POST",
                        form_encode({{"source", source}, {"target", target}}));
    }

private:
    void sign_in() {
        session_ = std::make_unique<AdminSession>(port_, "owner@example.org", k_password);
        ASSERT_TRUE(session_->signed_in()) << session_->failure();
    }

    TempDir dir_;
    std::string title_;
    std::uint16_t port_;
    bool allow_loopback_fetch_ = true;
    std::filesystem::path db_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<AdminSession> session_;
};

TEST(Webmention, PublishedPostsNotifyTheBlogsTheyLinkToBothWaysAndShowOnceApproved) {
    Blog a("Le carnet d'Amina");
    Blog b("Le carnet de Basile");
    b.set_policy("all_held");
    const auto b_post = b.publish("Le billet de Basile", "Un billet que d'autres citent.");
    ASSERT_FALSE(b_post.empty());

    // The page advertises its endpoint, in its head and its headers.
    const auto page = http_get(b.port(), b_post);
    EXPECT_NE(page.body.find("<link rel=\"webmention\" href=\"/webmention\">"), std::string::npos);
    EXPECT_EQ(page.headers.at("link"), "</webmention>; rel=\"webmention\"");

    const auto a_post = a.publish(
        "La réponse à Basile", "Je réponds à [Basile](" + b.base_url() + b_post + ") : d'accord.");
    ASSERT_FALSE(a_post.empty());
    ASSERT_TRUE(eventually([&] {
        return b.comments_page("pending").find("Je réponds à") != std::string::npos;
    })) << a.log()
        << b.log();
    const auto held = b.comments_page("pending");
    EXPECT_NE(held.find("<strong class=\"author\">Le carnet d&#39;Amina</strong>"),
              std::string::npos)
        << held;
    // Held, it is not on the page yet.
    EXPECT_EQ(http_get(b.port(), b_post).body.find("Je réponds à"), std::string::npos);

    b.approve("Je réponds à");
    const auto shown = http_get(b.port(), b_post).body;
    EXPECT_NE(shown.find("Je réponds à"), std::string::npos) << shown;
    EXPECT_NE(shown.find("href=\"" + a.base_url() +
                         "/\" rel=\"nofollow ugc noopener\">Le carnet "
                         "d&#39;Amina</a>"),
              std::string::npos)
        << shown;

    // And back: Basile answers, Amina's blog (open to comments) shows it at once.
    b.publish("Basile répond", "Merci [Amina](" + a.base_url() + a_post + ") pour ce mot.");
    ASSERT_TRUE(eventually([&] {
        return http_get(a.port(), a_post).body.find("pour ce mot") != std::string::npos;
    })) << a.log()
        << b.log();
    EXPECT_NE(http_get(a.port(), a_post).body.find(">Le carnet de Basile</a>"), std::string::npos);
}

TEST(Webmention, BadRequestsAreRefusedAtOnceAndChangeNothing) {
    Blog b("Le carnet de Basile");
    const auto post = b.publish("Cible", "Texte.");
    const auto target = b.base_url() + post;
    EXPECT_EQ(b.send_webmention("", target).status, 400);
    EXPECT_EQ(b.send_webmention("ftp://example.org/x", target).status, 400);
    EXPECT_EQ(b.send_webmention(target, target).status, 400);
    EXPECT_EQ(b.send_webmention(target + "#x", target).status, 400);
    EXPECT_EQ(
        b.send_webmention("http://127.0.0.1:1/p", b.base_url() + "/archive/2001/01/01/none.html")
            .status,
        400);
    EXPECT_EQ(b.send_webmention("http://127.0.0.1:1/p", "http://elsewhere.example" + post).status,
              400);
    const auto refused = b.send_webmention("http://127.0.0.1:1/p", b.base_url() + "/list/x/");
    EXPECT_EQ(refused.status, 400);
    EXPECT_NE(refused.body.find("not a post of this blog"), std::string::npos) << refused.body;
    EXPECT_EQ(b.comments_page("pending").find("<strong class=\"author\">"), std::string::npos);
}

TEST(Webmention, ASourceWithoutTheLinkIsRefusedAndOneThatLaterAnswers410IsRemoved) {
    Blog b("Le carnet de Basile");
    b.set_policy("all_held");
    const auto post = b.publish("Cible", "Texte.");
    const auto target = b.base_url() + post;
    std::atomic<bool> gone = false;
    ScriptedSite source([&](const ScriptedSite::Received& request) {
        if (request.target == "/no-link") {
            return ScriptedSite::Reply{ScriptedSite::response(
                200,
                "<article class=\"h-entry\"><div class=\"e-content\">Aucun lien ici."
                "</div></article>")};
        }
        if (gone) return ScriptedSite::Reply{ScriptedSite::response(410, "Parti.")};
        return ScriptedSite::Reply{ScriptedSite::response(
            200,
            "<article class=\"h-entry\"><a class=\"p-author h-card\" href=\"/\">Chloé</a>"
            "<div class=\"e-content\"><p>Vu chez <a href=\"" +
                target + "\">Basile</a>, bien vu.</p></div></article>")};
    });
    EXPECT_EQ(b.send_webmention(source.url("/no-link"), target).status, 202);
    ASSERT_TRUE(eventually([&] { return b.log().find("does not link to") != std::string::npos; }))
        << b.log();
    EXPECT_EQ(b.comments_page("pending").find("Aucun lien"), std::string::npos);

    EXPECT_EQ(b.send_webmention(source.url("/reply"), target).status, 202);
    ASSERT_TRUE(eventually([&] {
        return b.comments_page("pending").find("bien vu") != std::string::npos;
    })) << b.log();
    b.approve("bien vu");
    ASSERT_NE(http_get(b.port(), post).body.find("bien vu"), std::string::npos);

    gone = true;
    EXPECT_EQ(b.send_webmention(source.url("/reply"), target).status, 202);
    ASSERT_TRUE(eventually([&] {
        return http_get(b.port(), post).body.find("bien vu") == std::string::npos;
    })) << b.log();
    EXPECT_EQ(b.comments_page("approved").find("bien vu"), std::string::npos);
}

TEST(Webmention, AHostileSourceLeavesNothingThatRunsAndMakesNoRequestItShouldNot) {
    Blog b("Le carnet de Basile");
    const auto post = b.publish("Cible", "Texte.");
    const auto target = b.base_url() + post;
    const std::string huge(3 * 1024 * 1024, 'x');
    ScriptedSite source([&](const ScriptedSite::Received& request) {
        if (request.target == "/huge") {
            return ScriptedSite::Reply{ScriptedSite::response(
                200, "<a href=\"" + target + "\">lien</a><p>Énorme" + huge + "</p>")};
        }
        if (request.target == "/to-private") {
            return ScriptedSite::Reply{ScriptedSite::response(
                302, "", "text/html", {{"Location", "http://169.254.169.254/latest/meta-data/"}})};
        }
        if (request.target == "/to-private-network") {
            return ScriptedSite::Reply{ScriptedSite::response(
                307, "", "text/html", {{"Location", "http://10.0.0.1/admin"}})};
        }
        return ScriptedSite::Reply{ScriptedSite::response(
            200,
            "<html><head><script>window.owned = 1</script></head><body>"
            "<article class=\"h-entry\"><a class=\"p-author h-card\" href=\"javascript:alert(1)\">"
            "<span class=\"p-name\">Mallory<img src=x onerror=alert(2)></span></a>"
            "<div class=\"e-content\"><p onclick=\"alert(3)\">Piégé <a href=\"" +
                target +
                "\">ici</a><script>alert(4)</script><img src=\"x\" onerror=\"alert(5)\">"
                "<a href=\"javascript:alert(6)\">clic</a> &lt;script&gt;alert(7)&lt;/script&gt;"
                "<iframe src=\"https://evil.example/\"></iframe><style>body{display:none}</style>"
                "</p></div></article></body></html>")};
    });

    EXPECT_EQ(b.send_webmention(source.url("/hostile"), target).status, 202);
    ASSERT_TRUE(eventually([&] {
        return http_get(b.port(), post).body.find("Piégé") != std::string::npos;
    })) << b.log();
    const auto page = http_get(b.port(), post).body;
    const auto comments = page.substr(page.find("<section id=\"comments\""));
    EXPECT_NE(comments.find("Mallory"), std::string::npos) << comments;
    for (const char* forbidden :
         {"<script", "onerror", "onclick", "javascript:", "<iframe", "<style", "<img"}) {
        EXPECT_EQ(comments.find(forbidden), std::string::npos) << forbidden << "\n" << comments;
    }
    // What the source wrote as text stays text.
    EXPECT_NE(comments.find("&lt;script&gt;alert(7)&lt;/script&gt;"), std::string::npos)
        << comments;

    EXPECT_EQ(b.send_webmention(source.url("/huge"), target).status, 202);
    EXPECT_EQ(b.send_webmention(source.url("/to-private"), target).status, 202);
    EXPECT_EQ(b.send_webmention(source.url("/to-private-network"), target).status, 202);
    ASSERT_TRUE(eventually([&] {
        const auto log = b.log();
        return log.find("larger than") != std::string::npos &&
               log.find("169.254.169.254, a link-local address") != std::string::npos &&
               log.find("10.0.0.1, a private address") != std::string::npos;
    })) << b.log();
    // Each was asked for once, and nothing followed the redirects out of loopback.
    int asked = 0;
    for (const auto& request : source.received()) {
        if (request.target == "/to-private" || request.target == "/to-private-network" ||
            request.target == "/huge") {
            ++asked;
        }
    }
    EXPECT_EQ(asked, 3);
    const auto all =
        b.comments_page("approved") + b.comments_page("pending") + b.comments_page("spam");
    EXPECT_EQ(all.find("Énorme"), std::string::npos);
    EXPECT_EQ(count_of(http_get(b.port(), post).body, "<article class=\"comment h-cite\""), 1);
}

TEST(Webmention, ATargetThatIsDownGetsTheMentionOnceBackAfterTheSenderRestartedAndOnlyOnce) {
    Blog a("Le carnet d'Amina");
    Blog b("Le carnet de Basile");
    b.set_policy("all_held");
    const auto b_post = b.publish("Le billet de Basile", "Un billet.");
    b.stop();
    a.publish("Pendant la panne", "Je cite [Basile](" + b.base_url() + b_post + ") malgré tout.");
    ASSERT_TRUE(eventually([&] { return a.log().find("failed, attempt 1") != std::string::npos; }))
        << a.log();
    a.stop();
    b.start();
    a.start();
    ASSERT_TRUE(eventually([&] {
        return b.comments_page("pending").find("malgré tout") != std::string::npos;
    })) << a.log()
        << b.log();
    // Given time to go wrong, nothing is sent a second time.
    ASSERT_TRUE(eventually([&] { return a.log().find("told") != std::string::npos; })) << a.log();
    EXPECT_EQ(count_of(b.log(), "\"POST /webmention\""), 1) << b.log();
    EXPECT_EQ(count_of(a.log(), " told "), 1) << a.log();
    EXPECT_EQ(count_of(b.comments_page("pending"), "<strong class=\"author\">"), 1);
}

TEST(Webmention, WithoutTheTestFlagAServerFetchesNothingFromLoopback) {
    Blog b("Le carnet de Basile", false);
    const auto post = b.publish("Cible", "Texte.");
    ScriptedSite source([&](const ScriptedSite::Received&) {
        return ScriptedSite::Reply{
            ScriptedSite::response(200, "<a href=\"" + b.base_url() + post + "\">lien</a>")};
    });
    EXPECT_EQ(b.send_webmention(source.url("/p"), b.base_url() + post).status, 202);
    ASSERT_TRUE(eventually([&] { return b.log().find("is plain http") != std::string::npos; }))
        << b.log();
    EXPECT_TRUE(source.received().empty());
    EXPECT_EQ(b.comments_page("approved").find("<strong class=\"author\">"), std::string::npos);
}

TEST(ActivityPub, WebFingerFindsTheBlogAndItsActorPublishesTheSameKeyAfterARestart) {
    Blog blog("Le carnet d'Amina");
    const auto account = "acct:127@127.0.0.1:" + std::to_string(blog.port());
    const auto found = http_get(
        blog.port(), "/.well-known/webfinger?resource=" + form_encode({{"r", account}}).substr(2));
    ASSERT_EQ(found.status, 200) << found.body << blog.log();
    EXPECT_EQ(found.headers.at("content-type"), "application/jrd+json");
    EXPECT_NE(found.body.find("\"subject\":\"" + account + "\""), std::string::npos) << found.body;
    EXPECT_NE(found.body.find("\"href\":\"" + blog.base_url() + "/actor\""), std::string::npos);

    const auto actor = http_get(blog.port(), "/actor");
    ASSERT_EQ(actor.status, 200) << actor.body;
    EXPECT_EQ(actor.headers.at("content-type"), "application/activity+json");
    const auto key_at = actor.body.find("-----BEGIN PUBLIC KEY-----");
    ASSERT_NE(key_at, std::string::npos) << actor.body;
    EXPECT_NE(actor.body.find("\"name\":\"Le carnet d'Amina\""), std::string::npos);
    blog.stop();
    blog.start();
    EXPECT_EQ(http_get(blog.port(), "/actor").body, actor.body);
    EXPECT_EQ(http_get(blog.port(), "/.well-known/webfinger?resource=acct%3Anobody%40x").status,
              404);
}

}  // namespace
}  // namespace carnet::testing
