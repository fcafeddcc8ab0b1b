// ActivityPub against the real carnet server (started with --allow-loopback-fetch): the other
// side is a remote actor a test server plays, with a key made by the test, whose activities
// the test signs with carnet's own signing code and whose inbox records what carnet delivers
// (checked with carnet's verifier against the key carnet publishes).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>
#include <regex>

#include "social/social.hpp"
#include "support.hpp"
#include "testing/scripted_site.hpp"

namespace carnet::testing {
namespace {

using namespace std::chrono_literals;

const std::string k_password = "un mot de passe assez long";

social::FetchOptions loopback() {
    social::FetchOptions options;
    options.allow_loopback = true;
    options.allow_plain_http = true;
    return options;
}

// A fediverse account on a server of its own: its actor document and its inbox.
class RemoteActor {
public:
    explicit RemoteActor(std::string name = "ana")
        : name_(std::move(name)),
          key_(*social::make_actor_key()),
          site_([this](const ScriptedSite::Received& request) { return answer(request); }) {}

    std::string actor() const { return site_.url("/users/" + name_); }
    std::string inbox() const { return actor() + "/inbox"; }
    std::string profile() const { return site_.url("/@" + name_); }
    std::string handle() const { return name_ + "@127.0.0.1"; }
    void set_inbox_status(int status) { inbox_status_ = status; }

    std::vector<ScriptedSite::Received> deliveries() const {
        std::vector<ScriptedSite::Received> posts;
        for (auto& request : site_.received()) {
            if (request.method == "POST") posts.push_back(std::move(request));
        }
        return posts;
    }

    // POSTs the activity to `url`, signed with the actor's key when `sign` (for `signed_url`
    // when given), its id then suffixed with `tampered` when given.
    HttpResponse send(std::uint16_t port, const std::string& url,
                      const boost::json::object& activity, bool sign = true,
                      const std::string& tampered = "", const std::string& signed_url = "") const {
        auto body = boost::json::serialize(activity);
        std::map<std::string, std::string> headers{{"Host", "127.0.0.1:" + std::to_string(port)},
                                                   {"Content-Type", "application/activity+json"}};
        if (sign) {
            auto signed_headers = social::sign_cavage(
                {actor() + "#main-key", key_.private_pem}, signed_url.empty() ? url : signed_url,
                body, std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now()));
            EXPECT_TRUE(signed_headers.has_value());
            for (const auto& [name, value] : signed_headers.value_or(http::Headers{})) {
                headers[name] = value;
            }
        }
        if (!tampered.empty()) {
            auto changed = activity;
            changed["id"] = std::string(activity.at("id").as_string()) + tampered;
            body = boost::json::serialize(changed);
        }
        const auto target = url.substr(url.find('/', url.find("://") + 3));
        return http_get(port, target, headers, "POST", body);
    }

    // A public Note of the actor's, `id` under its notes, answering `in_reply_to`.
    boost::json::object note(const std::string& id, const std::string& html,
                             const std::string& in_reply_to) const {
        return {{"id", actor() + "/notes/" + id},
                {"type", "Note"},
                {"attributedTo", actor()},
                {"inReplyTo", in_reply_to},
                {"to", boost::json::array{"https://www.w3.org/ns/activitystreams#Public"}},
                {"content", html}};
    }

    // An activity of the actor's: `type` of `object`, its id `id` under the actor's.
    boost::json::object activity(const std::string& type, const boost::json::value& object,
                                 const std::string& id) const {
        return {{"@context", "https://www.w3.org/ns/activitystreams"},
                {"id", actor() + "#" + id},
                {"type", type},
                {"actor", actor()},
                {"object", object}};
    }

    // The same of an object given by its id.
    boost::json::object activity(const std::string& type, const std::string& object_id,
                                 const std::string& id) const {
        return activity(type, boost::json::value(boost::json::string_view(object_id)), id);
    }

    boost::json::object follow(const std::string& object) const {
        return {{"@context", "https://www.w3.org/ns/activitystreams"},
                {"id", actor() + "#follows/1"},
                {"type", "Follow"},
                {"actor", actor()},
                {"object", object}};
    }

private:
    ScriptedSite::Reply answer(const ScriptedSite::Received& request) {
        if (request.method == "POST") {
            return {ScriptedSite::response(inbox_status_, "", "text/plain")};
        }
        const boost::json::object document{
            {"@context", "https://www.w3.org/ns/activitystreams"},
            {"id", actor()},
            {"type", "Person"},
            {"preferredUsername", name_},
            {"name", name_ == "ana" ? "Ana Lima" : "Bob"},
            {"url", profile()},
            {"inbox", inbox()},
            {"publicKey", boost::json::object{{"id", actor() + "#main-key"},
                                              {"owner", actor()},
                                              {"publicKeyPem", key_.public_pem}}}};
        return {ScriptedSite::response(200, boost::json::serialize(document),
                                       "application/activity+json")};
    }

    std::string name_;
    social::ActorKey key_;
    std::atomic<int> inbox_status_ = 202;
    ScriptedSite site_;
};

// One blog on its own server and database.
class Carnet {
public:
    Carnet() : port_(free_port()) {
        db_ = dir_.path() / "carnet.db";
        auto init = run_carnet({"init", "--db", db_.string(), "--title", "Le carnet", "--base-url",
                                base_url(), "--locale", "fr"});
        EXPECT_EQ(init.exit_code, 0) << init.err;
        auto user = run_carnet({"user", "add", "--db", db_.string(), "--email", "owner@example.org",
                                "--name", "Owner", "--password-stdin", "--role", "owner"},
                               k_password + "\n");
        EXPECT_EQ(user.exit_code, 0) << user.err;
        start();
    }

    // Saves a post through the admin (a new one when `edit` is empty, else the one at that
    // admin address): the admin address of the post.
    std::string save_post(const std::string& title, const std::string& source,
                          const std::string& status, const std::string& edit = "") {
        AdminSession admin(port_, "owner@example.org", k_password);
        EXPECT_TRUE(admin.signed_in()) << admin.failure();
        auto saved = admin.post(
            edit.empty() ? "/admin/blogs/1/posts" : edit,
            {{"title", title}, {"source", source}, {"status", status}, {"comments_open", "on"}});
        EXPECT_EQ(saved.status, 303) << saved.body;
        const auto location = saved.headers["location"];
        return location.substr(0, location.find('?'));
    }

    // The public address of the published post titled `title`, from the home page.
    std::string public_url(const std::string& title) const {
        const auto home = http_get(port_, "/").body;
        std::smatch match;
        const std::regex link(R"re(<a href="(/archive/[^"]+)" rel="bookmark">)re" + title + "</a>");
        EXPECT_TRUE(std::regex_search(home, match, link)) << home;
        return match.size() > 1 ? base_url() + match[1].str() : std::string();
    }

    HttpResponse admin(const std::string& target, std::map<std::string, std::string> fields = {},
                       const std::string& method = "POST") {
        if (!session_)
            session_ = std::make_unique<AdminSession>(port_, "owner@example.org", k_password);
        EXPECT_TRUE(session_->signed_in()) << session_->failure();
        return method == "GET" ? session_->get(target) : session_->post(target, std::move(fields));
    }

    void set_settings(std::map<std::string, std::string> changed) {
        std::map<std::string, std::string> fields{{"title", "Le carnet"},
                                                  {"locale", "fr"},
                                                  {"time_zone", "Europe/Paris"},
                                                  {"theme", "classique"},
                                                  {"base_url", base_url()},
                                                  {"posts_per_page", "10"},
                                                  {"close_comments_after_days", "0"},
                                                  {"comment_policy", "open"}};
        for (auto& [name, value] : changed) fields[name] = value;
        auto saved = admin("/admin/blogs/1/settings", fields);
        ASSERT_EQ(saved.status, 303) << saved.body;
    }

    std::string comments_page(const std::string& status) {
        admin("/admin/blogs/1/", {}, "GET");
        return admin_comments(*session_, status);
    }

    // Approves the first comment waiting whose text holds `text`.
    void approve(const std::string& text) {
        admin("/admin/blogs/1/", {}, "GET");
        const auto failure = approve_comment(*session_, text);
        ASSERT_TRUE(failure.empty()) << failure;
    }

    void start() {
        server_ = std::make_unique<ServerProcess>(
            db_,
            std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--delivery-retry-seconds", "1", "--allow-loopback-fetch"});
        ASSERT_EQ(server_->port(), port_) << server_->log();
    }
    void stop() { server_.reset(); }
    std::string session_cookie() {
        admin("/admin/blogs/1/", {}, "GET");
        return session_->cookie();
    }

    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string actor() const { return base_url() + "/actor"; }
    std::string log() const { return server_ ? server_->log() : std::string(); }
    const std::filesystem::path& db() const { return db_; }

    // Waits until the delivery queue's own thread has done every job, so that a fingerprint
    // taken before a request compares only what the request itself could change.
    [[nodiscard]] bool queue_drained() const {
        return eventually(
            [&] { return database_fingerprint(db_).find("\njobs []\n") != std::string::npos; });
    }

    std::int64_t follower_count() const {
        auto collection = http_get(port_, "/actor/followers");
        boost::system::error_code error;
        auto body = boost::json::parse(collection.body, error);
        if (error || !body.is_object()) return -1;
        return body.at("totalItems").to_number<std::int64_t>();
    }

private:
    TempDir dir_;
    std::uint16_t port_;
    std::filesystem::path db_;
    std::unique_ptr<ServerProcess> server_;
    std::unique_ptr<AdminSession> session_;
};

// What a delivered request was, as carnet's verifier reads one.
http::Request as_request(const ScriptedSite::Received& received) {
    http::Request request;
    request.method = received.method;
    request.target = received.target;
    request.path = received.target;
    request.host = "127.0.0.1";
    for (const auto& header : received.headers) request.headers.push_back(header);
    request.body = received.body;
    return request;
}

TEST(ActivityPub, AFollowGetsASignedAcceptAndTheFollowerIsListed) {
    Carnet carnet;
    RemoteActor remote;
    auto answered =
        remote.send(carnet.port(), carnet.actor() + "/inbox", remote.follow(carnet.actor()));
    ASSERT_EQ(answered.status, 202) << answered.body << carnet.log();
    ASSERT_TRUE(eventually([&] { return !remote.deliveries().empty(); })) << carnet.log();
    const auto delivered = remote.deliveries().front();
    EXPECT_EQ(delivered.target, "/users/ana/inbox");
    const auto accept = boost::json::parse(delivered.body).as_object();
    EXPECT_EQ(accept.at("type").as_string(), "Accept");
    EXPECT_EQ(accept.at("actor").as_string(), carnet.actor());
    EXPECT_EQ(accept.at("object").at("id").as_string(), remote.actor() + "#follows/1");
    social::Fetcher fetcher(loopback());
    SystemClock clock;
    social::SignatureVerifier verifier(fetcher, clock);
    auto signer = verifier.verify(as_request(delivered));
    ASSERT_TRUE(signer.has_value()) << signer.error().message;
    EXPECT_EQ(signer->actor, carnet.actor());
    EXPECT_EQ(carnet.follower_count(), 1);
    const auto page = http_get(carnet.port(), "/actor/followers?page=1");
    EXPECT_NE(page.body.find(remote.actor()), std::string::npos) << page.body;
}

TEST(ActivityPub, UnsignedOrBadlySignedActivitiesAre401AndChangeNothing) {
    Carnet carnet;
    RemoteActor remote;
    const auto inbox = carnet.actor() + "/inbox";
    const auto before = database_fingerprint(carnet.db());
    EXPECT_EQ(remote.send(carnet.port(), inbox, remote.follow(carnet.actor()), false).status, 401);
    // Signed, then changed on the way.
    EXPECT_EQ(
        remote.send(carnet.port(), inbox, remote.follow(carnet.actor()), true, "#follows/9").status,
        401);
    // Signed for the shared inbox, sent to the actor's.
    EXPECT_EQ(remote
                  .send(carnet.port(), inbox, remote.follow(carnet.actor()), true, "",
                        carnet.base_url() + "/inbox")
                  .status,
              401);
    EXPECT_EQ(database_fingerprint(carnet.db()), before);
    EXPECT_EQ(carnet.follower_count(), 0);
    EXPECT_TRUE(remote.deliveries().empty());
    // The same activity, signed as it is sent, is taken.
    EXPECT_EQ(remote.send(carnet.port(), inbox, remote.follow(carnet.actor())).status, 202);
    EXPECT_EQ(carnet.follower_count(), 1);
}

TEST(ActivityPub, AnInboxDownGetsTheAcceptOnceBackAfterARestartAndOneGoneDropsTheFollower) {
    Carnet carnet;
    RemoteActor remote;
    remote.set_inbox_status(503);
    ASSERT_EQ(
        remote.send(carnet.port(), carnet.actor() + "/inbox", remote.follow(carnet.actor())).status,
        202);
    ASSERT_TRUE(eventually([&] {
        return carnet.log().find("failed, attempt 1") != std::string::npos;
    })) << carnet.log();
    carnet.stop();
    const auto tried = remote.deliveries().size();
    remote.set_inbox_status(202);
    carnet.start();
    ASSERT_TRUE(eventually([&] { return carnet.log().find("delivered to") != std::string::npos; }))
        << carnet.log();
    EXPECT_EQ(remote.deliveries().size(), tried + 1);
    EXPECT_EQ(count_of(carnet.log(), "delivered to"), 1);
    EXPECT_EQ(carnet.follower_count(), 1);

    // The inbox is gone for good: the next delivery to it takes the follower away.
    remote.set_inbox_status(410);
    auto again = remote.follow(carnet.actor());
    again["id"] = remote.actor() + "#follows/2";
    ASSERT_EQ(remote.send(carnet.port(), carnet.actor() + "/inbox", again).status, 202);
    ASSERT_TRUE(eventually([&] { return carnet.follower_count() == 0; })) << carnet.log();
}

TEST(ActivityPub, FollowersGetEachPostAsCreateThenUpdateThenDelete) {
    Carnet carnet;
    RemoteActor remote;
    ASSERT_EQ(
        remote.send(carnet.port(), carnet.actor() + "/inbox", remote.follow(carnet.actor())).status,
        202);
    ASSERT_TRUE(eventually([&] { return remote.deliveries().size() == 1; })) << carnet.log();
    social::Fetcher fetcher(loopback());
    SystemClock clock;
    social::SignatureVerifier verifier(fetcher, clock);
    // The next activity delivered, once its signature is checked against carnet's key.
    auto next = [&](std::size_t index) -> boost::json::object {
        EXPECT_TRUE(eventually([&] { return remote.deliveries().size() > index; })) << carnet.log();
        const auto all = remote.deliveries();
        if (all.size() <= index) return {};
        auto signer = verifier.verify(as_request(all[index]));
        EXPECT_TRUE(signer.has_value()) << signer.error().message;
        return boost::json::parse(all[index].body).as_object();
    };

    const auto edit = carnet.save_post("Misrata", "Le port, **au matin**.", "published");
    ASSERT_FALSE(edit.empty());
    auto create = next(1);
    EXPECT_EQ(create["type"].as_string(), "Create");
    const auto& article = create["object"].as_object();
    EXPECT_EQ(article.at("type").as_string(), "Article");
    EXPECT_EQ(article.at("name").as_string(), "Misrata");
    const std::string content(article.at("content").as_string());
    EXPECT_NE(content.find("Le port, <strong>au matin</strong>."), std::string::npos) << content;
    const std::string url(article.at("url").as_string());
    EXPECT_TRUE(url.starts_with(carnet.base_url() + "/archive/")) << url;
    EXPECT_EQ(http_get(carnet.port(), url.substr(carnet.base_url().size())).status, 200);

    carnet.save_post("Misrata", "Le port, le soir.", "published", edit);
    auto update = next(2);
    EXPECT_EQ(update["type"].as_string(), "Update");
    EXPECT_EQ(update["object"].at("id").as_string(), article.at("id").as_string());
    EXPECT_NE(std::string(update["object"].at("content").as_string()).find("le soir"),
              std::string::npos);

    carnet.save_post("Misrata", "Le port, le soir.", "trash", edit);
    auto removal = next(3);
    EXPECT_EQ(removal["type"].as_string(), "Delete");
    EXPECT_EQ(removal["object"].at("type").as_string(), "Tombstone");
    EXPECT_EQ(removal["object"].at("id").as_string(), article.at("id").as_string());
    EXPECT_EQ(count_of(carnet.log(), "delivered to"), 4) << carnet.log();
}

TEST(ActivityPub, AReplyIsHeldThenShownThreadedWithItsHandleAndOnlyItsAuthorChangesIt) {
    Carnet carnet;
    carnet.set_settings({{"comment_policy", "all_held"}});
    carnet.save_post("Misrata", "Le port, au matin.", "published");
    const auto url = carnet.public_url("Misrata");
    ASSERT_FALSE(url.empty());
    const auto path = url.substr(carnet.base_url().size());
    RemoteActor ana;
    RemoteActor bob("bob");
    const auto inbox = carnet.base_url() + "/inbox";

    const auto reply = ana.note(
        "1", "<p>Bien vu <script>alert('ana')</script><a href=\"javascript:alert(2)\">ici</a></p>",
        url);
    auto answered = ana.send(carnet.port(), inbox, ana.activity("Create", reply, "create-1"));
    ASSERT_EQ(answered.status, 202) << answered.body << carnet.log();
    EXPECT_NE(carnet.comments_page("pending").find("Bien vu"), std::string::npos);
    EXPECT_EQ(http_get(carnet.port(), path).body.find("Bien vu"), std::string::npos);
    carnet.approve("Bien vu");
    auto page = http_get(carnet.port(), path).body;
    EXPECT_NE(page.find("Bien vu"), std::string::npos) << page;
    EXPECT_EQ(page.find("alert("), std::string::npos) << page;
    EXPECT_EQ(page.find("javascript:"), std::string::npos) << page;
    EXPECT_NE(page.find("@" + ana.handle()), std::string::npos) << page;
    EXPECT_NE(
        page.find("<a href=\"" + ana.profile() + "\" rel=\"nofollow ugc noopener\">Ana Lima</a>"),
        std::string::npos)
        << page;

    // A reply to the reply sits under it.
    const auto answer = bob.note("7", "<p>Tout à fait</p>", reply.at("id").as_string().c_str());
    ASSERT_EQ(bob.send(carnet.port(), inbox, bob.activity("Create", answer, "create-7")).status,
              202);
    carnet.approve("Tout à fait");
    page = http_get(carnet.port(), path).body;
    const auto ana_at = page.find("Bien vu");
    const auto bob_at = page.find("Tout à fait");
    ASSERT_NE(bob_at, std::string::npos) << page;
    EXPECT_LT(ana_at, bob_at);
    EXPECT_GT(page.find("</article>", ana_at), bob_at) << "the answer is not inside the reply";

    // Its author changes it; another actor may neither change nor delete it.
    auto edited = reply;
    edited["content"] = "<p>Bien vu, et corrigé</p>";
    EXPECT_EQ(ana.send(carnet.port(), inbox, ana.activity("Update", edited, "update-1")).status,
              202);
    EXPECT_TRUE(eventually([&] {
        return http_get(carnet.port(), path).body.find("et corrigé") != std::string::npos;
    }));
    auto stolen = edited;
    stolen["content"] = "<p>Bob a tout changé</p>";
    EXPECT_EQ(bob.send(carnet.port(), inbox, bob.activity("Update", stolen, "update-x")).status,
              403);
    EXPECT_EQ(
        bob.send(carnet.port(), inbox, bob.activity("Delete", reply.at("id"), "delete-x")).status,
        403);
    page = http_get(carnet.port(), path).body;
    EXPECT_NE(page.find("et corrigé"), std::string::npos);
    EXPECT_EQ(page.find("Bob a tout changé"), std::string::npos);

    const boost::json::object tombstone{{"id", reply.at("id")}, {"type", "Tombstone"}};
    EXPECT_EQ(ana.send(carnet.port(), inbox, ana.activity("Delete", tombstone, "delete-1")).status,
              202);
    page = http_get(carnet.port(), path).body;
    EXPECT_EQ(page.find("et corrigé"), std::string::npos) << page;
    EXPECT_NE(page.find("Tout à fait"), std::string::npos) << "bob's answer is his: it stays";
}

TEST(ActivityPub, UnderFirstHeldAnAccountOnceApprovedIsKnownAndItsNextReplyShowsAtOnce) {
    Carnet carnet;
    carnet.set_settings({{"comment_policy", "first_held"}});
    carnet.save_post("Syrte", "La corniche.", "published");
    const auto url = carnet.public_url("Syrte");
    ASSERT_FALSE(url.empty());
    const auto path = url.substr(carnet.base_url().size());
    RemoteActor ana;
    RemoteActor bob("bob");
    const auto inbox = carnet.base_url() + "/inbox";
    const auto send = [&](const RemoteActor& actor, const std::string& id,
                          const std::string& text) {
        auto answered = actor.send(
            carnet.port(), inbox,
            actor.activity("Create", actor.note(id, "<p>" + text + "</p>", url), "create-" + id));
        ASSERT_EQ(answered.status, 202) << answered.body << carnet.log();
    };

    send(ana, "1", "Premier passage");
    EXPECT_EQ(http_get(carnet.port(), path).body.find("Premier passage"), std::string::npos);
    carnet.approve("Premier passage");
    send(ana, "2", "Second passage");
    EXPECT_NE(http_get(carnet.port(), path).body.find("Second passage"), std::string::npos)
        << carnet.log();
    // Another account is not known for it.
    send(bob, "3", "Un inconnu");
    EXPECT_EQ(http_get(carnet.port(), path).body.find("Un inconnu"), std::string::npos);
    EXPECT_NE(carnet.comments_page("pending").find("Un inconnu"), std::string::npos);
}

TEST(ActivityPub, AReplyToNothingOfTheBlogNotPublicOrForgedIsKeptNowhere) {
    Carnet carnet;
    carnet.save_post("Misrata", "Le port, au matin.", "published");
    const auto url = carnet.public_url("Misrata");
    RemoteActor ana;
    const auto inbox = carnet.base_url() + "/inbox";
    ASSERT_TRUE(carnet.queue_drained()) << carnet.log();
    const auto before = database_fingerprint(carnet.db());
    EXPECT_EQ(
        ana.send(carnet.port(), inbox,
                 ana.activity("Create",
                              ana.note("1", "<p>Ailleurs</p>", "https://elsewhere.example/p/1"),
                              "create-1"))
            .status,
        202);
    auto direct = ana.note("2", "<p>Entre nous</p>", url);
    direct["to"] = boost::json::array{carnet.actor()};
    EXPECT_EQ(ana.send(carnet.port(), inbox, ana.activity("Create", direct, "create-2")).status,
              202);
    // A note that claims another author.
    auto forged = ana.note("3", "<p>Signé Bob</p>", url);
    forged["attributedTo"] = "https://bob.example/users/bob";
    EXPECT_EQ(ana.send(carnet.port(), inbox, ana.activity("Create", forged, "create-3")).status,
              202);
    EXPECT_EQ(database_fingerprint(carnet.db()), before);
}

TEST(ActivityPub, LikesAndSharesShowOnThePostOncePerActorAndUndoLowersThem) {
    Carnet carnet;
    carnet.save_post("Misrata", "Le port, au matin.", "published");
    const auto url = carnet.public_url("Misrata");
    const auto path = url.substr(carnet.base_url().size());
    RemoteActor ana;
    RemoteActor bob("bob");
    const auto inbox = carnet.base_url() + "/inbox";
    EXPECT_EQ(http_get(carnet.port(), path).body.find("post-reactions"), std::string::npos);

    const auto like = ana.activity("Like", url, "like-1");
    ASSERT_EQ(ana.send(carnet.port(), inbox, like).status, 202) << carnet.log();
    ASSERT_EQ(ana.send(carnet.port(), inbox, ana.activity("Like", url, "like-2")).status, 202);
    ASSERT_EQ(bob.send(carnet.port(), inbox, bob.activity("Like", url, "like-1")).status, 202);
    const auto share = ana.activity("Announce", url, "announce-1");
    ASSERT_EQ(ana.send(carnet.port(), inbox, share).status, 202);
    auto page = http_get(carnet.port(), path).body;
    EXPECT_NE(page.find("<p class=\"post-reactions\">1 partage, 2 j&#39;aime</p>"),
              std::string::npos)
        << page;

    // Undone: the like in full (as Mastodon sends it), the share by its id.
    auto second_like = ana.activity("Like", url, "like-2");
    ASSERT_EQ(ana.send(carnet.port(), inbox, ana.activity("Undo", second_like, "undo-1")).status,
              202);
    ASSERT_EQ(ana.send(carnet.port(), inbox, ana.activity("Undo", share.at("id"), "undo-2")).status,
              202);
    page = http_get(carnet.port(), path).body;
    EXPECT_NE(page.find("<p class=\"post-reactions\">1 j&#39;aime</p>"), std::string::npos) << page;
}

// The followers page's table row of `actor`, and the form fields that act on it.
std::map<std::string, std::string> acting_on(const std::string& actor) {
    return {{"actor", actor}};
}

TEST(ActivityPub, AHeldFollowIsAnsweredOnlyOnceTheOwnerApprovesOrRefusesIt) {
    Carnet carnet;
    carnet.set_settings({{"approve_followers", "on"}});
    RemoteActor ana;
    RemoteActor bob("bob");
    const auto inbox = carnet.actor() + "/inbox";
    ASSERT_EQ(ana.send(carnet.port(), inbox, ana.follow(carnet.actor())).status, 202)
        << carnet.log();
    ASSERT_EQ(bob.send(carnet.port(), inbox, bob.follow(carnet.actor())).status, 202);
    // Held: no answer is even queued (it would be, in the Follow's own transaction).
    const auto held = database_fingerprint(carnet.db());
    EXPECT_NE(held.find("\njobs []\n"), std::string::npos) << held;
    EXPECT_EQ(carnet.follower_count(), 0);
    auto page = carnet.admin("/admin/blogs/1/followers", {}, "GET");
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_NE(page.body.find("@" + ana.handle()), std::string::npos) << page.body;
    EXPECT_NE(page.body.find("/followers/approve"), std::string::npos);
    EXPECT_NE(carnet.admin("/admin/blogs/1/", {}, "GET").body.find("/admin/blogs/1/followers"),
              std::string::npos)
        << "the admin's bar links the page";

    // Another role may not see or act; a form without its token does nothing.
    auto editor =
        run_carnet({"user", "add", "--db", carnet.db().string(), "--email", "editor@example.org",
                    "--name", "Editor", "--password-stdin", "--role", "editor"},
                   k_password + "\n");
    ASSERT_EQ(editor.exit_code, 0) << editor.err;
    AdminSession other(carnet.port(), "editor@example.org", k_password);
    ASSERT_TRUE(other.signed_in()) << other.failure();
    EXPECT_EQ(other.get("/admin/blogs/1/followers").status, 403);
    EXPECT_EQ(other.post("/admin/blogs/1/followers/approve", acting_on(ana.actor())).status, 403);
    auto forged = http_get(carnet.port(), "/admin/blogs/1/followers/approve",
                           {{"Cookie", "carnet_session=" + carnet.session_cookie()},
                            {"Content-Type", "application/x-www-form-urlencoded"}},
                           "POST", form_encode(acting_on(ana.actor())));
    EXPECT_EQ(forged.status, 403);
    EXPECT_EQ(carnet.follower_count(), 0);
    EXPECT_TRUE(ana.deliveries().empty());

    auto approved = carnet.admin("/admin/blogs/1/followers/approve", acting_on(ana.actor()));
    ASSERT_EQ(approved.status, 303) << approved.body;
    ASSERT_TRUE(eventually([&] { return !ana.deliveries().empty(); })) << carnet.log();
    const auto accept = boost::json::parse(ana.deliveries().front().body).as_object();
    EXPECT_EQ(accept.at("type").as_string(), "Accept");
    EXPECT_EQ(accept.at("object").at("id").as_string(), ana.actor() + "#follows/1");
    social::Fetcher fetcher(loopback());
    SystemClock clock;
    social::SignatureVerifier verifier(fetcher, clock);
    EXPECT_TRUE(verifier.verify(as_request(ana.deliveries().front())).has_value());
    EXPECT_EQ(carnet.follower_count(), 1);

    auto refused = carnet.admin("/admin/blogs/1/followers/refuse", acting_on(bob.actor()));
    ASSERT_EQ(refused.status, 303) << refused.body;
    ASSERT_TRUE(eventually([&] { return !bob.deliveries().empty(); })) << carnet.log();
    const auto reject = boost::json::parse(bob.deliveries().front().body).as_object();
    EXPECT_EQ(reject.at("type").as_string(), "Reject");
    EXPECT_EQ(reject.at("object").at("id").as_string(), bob.actor() + "#follows/1");
    EXPECT_EQ(carnet.follower_count(), 1);
    page = carnet.admin("/admin/blogs/1/followers", {}, "GET");
    EXPECT_EQ(page.body.find("@" + bob.handle()), std::string::npos);
    EXPECT_NE(page.body.find("@" + ana.handle()), std::string::npos);
}

TEST(ActivityPub, ABlockedDomainLosesItsFollowersAndItsRepliesAreRefusedUntilUnblocked) {
    Carnet carnet;
    carnet.save_post("Misrata", "Le port, au matin.", "published");
    const auto url = carnet.public_url("Misrata");
    RemoteActor ana;
    const auto inbox = carnet.base_url() + "/inbox";
    ASSERT_EQ(ana.send(carnet.port(), inbox, ana.follow(carnet.actor())).status, 202);
    ASSERT_EQ(carnet.follower_count(), 1);
    ASSERT_EQ(carnet.admin("/admin/blogs/1/followers/block", {{"target", "127.0.0.1"}}).status,
              303);
    EXPECT_EQ(carnet.follower_count(), 0);
    auto page = carnet.admin("/admin/blogs/1/followers", {}, "GET").body;
    EXPECT_NE(page.find("/followers/unblock"), std::string::npos) << page;
    EXPECT_EQ(carnet.admin("/admin/blogs/1/followers/block", {{"target", "not a <domain>"}}).status,
              422);

    // The Accept sent for the follow is delivered by the queue's own thread.
    ASSERT_TRUE(carnet.queue_drained()) << carnet.log();
    const auto before = database_fingerprint(carnet.db());
    const auto reply = ana.note("1", "<p>Encore moi</p>", url);
    EXPECT_EQ(ana.send(carnet.port(), inbox, ana.activity("Create", reply, "create-1")).status,
              403);
    EXPECT_EQ(ana.send(carnet.port(), inbox, ana.activity("Like", url, "like-1")).status, 403);
    EXPECT_EQ(database_fingerprint(carnet.db()), before);

    ASSERT_EQ(carnet.admin("/admin/blogs/1/followers/unblock", {{"target", "127.0.0.1"}}).status,
              303);
    EXPECT_EQ(ana.send(carnet.port(), inbox, ana.activity("Create", reply, "create-1")).status,
              202);
}

TEST(ActivityPub, APermalinkAnswersItsArticleOrItsPageByAcceptEachTimeThroughTheCache) {
    Carnet carnet;
    carnet.save_post("Misrata", "Le port, au matin.\n\n![Les bateaux du port](/media/port.jpg)",
                     "published");
    const auto url = carnet.public_url("Misrata");
    const auto path = url.substr(carnet.base_url().size());
    const auto as_json =
        std::map<std::string, std::string>{{"Accept", "application/activity+json"}};
    const auto as_ld = std::map<std::string, std::string>{
        {"Accept", "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""}};
    const auto as_page =
        std::map<std::string, std::string>{{"Accept", "text/html,application/xhtml+xml,*/*;q=0.8"}};
    for (int round = 0; round < 2; ++round) {
        for (const auto* headers : {&as_json, &as_page, &as_ld, &as_page}) {
            auto answer = http_get(carnet.port(), path, *headers);
            ASSERT_EQ(answer.status, 200);
            // The server's own "Vary: Accept-Encoding" comes first, when it sends one.
            EXPECT_EQ(answer.headers["vary"], "Accept");
            if (headers == &as_page) {
                EXPECT_TRUE(answer.headers["content-type"].starts_with("text/html"));
                EXPECT_NE(
                    answer.body.find("<link rel=\"alternate\" type=\"application/activity+json\" "
                                     "href=\"" +
                                     url + "\">"),
                    std::string::npos)
                    << answer.body;
                EXPECT_EQ(count_of(answer.body, "application/activity+json"), 1)
                    << "linked in the head only, not among the feeds the sidebar lists";
                continue;
            }
            EXPECT_EQ(answer.headers["content-type"], "application/activity+json");
            auto article = boost::json::parse(answer.body).as_object();
            EXPECT_EQ(article.at("type").as_string(), "Article");
            EXPECT_EQ(article.at("id").as_string(), url);
            EXPECT_EQ(article.at("attributedTo").as_string(), carnet.actor());
            const auto& image = article.at("attachment").as_array().at(0).as_object();
            EXPECT_EQ(image.at("type").as_string(), "Image");
            EXPECT_EQ(image.at("url").as_string(), carnet.base_url() + "/media/port.jpg");
            EXPECT_EQ(image.at("name").as_string(), "Les bateaux du port");
        }
    }
    // The outbox carries the same object.
    auto outbox = boost::json::parse(http_get(carnet.port(), "/actor/outbox?page=1").body);
    const auto& first = outbox.at("orderedItems").as_array().at(0).at("object");
    EXPECT_EQ(first.at("attachment"),
              boost::json::parse(http_get(carnet.port(), path, as_json).body).at("attachment"));
}

}  // namespace
}  // namespace carnet::testing
