// ActivityPub against the real carnet server (started with --allow-loopback-fetch): the other
// side is a remote actor a test server plays, with a key made by the test, whose activities
// the test signs with carnet's own signing code and whose inbox records what carnet delivers
// (checked with carnet's verifier against the key carnet publishes).
#include <gtest/gtest.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/json.hpp>

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
    RemoteActor()
        : key_(*social::make_actor_key()),
          site_([this](const ScriptedSite::Received& request) { return answer(request); }) {}

    std::string actor() const { return site_.url("/users/ana"); }
    std::string inbox() const { return site_.url("/users/ana/inbox"); }
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
            {"preferredUsername", "ana"},
            {"inbox", inbox()},
            {"publicKey", boost::json::object{{"id", actor() + "#main-key"},
                                              {"owner", actor()},
                                              {"publicKeyPem", key_.public_pem}}}};
        return {ScriptedSite::response(200, boost::json::serialize(document),
                                       "application/activity+json")};
    }

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
        auto saved = admin.post(edit.empty() ? "/admin/blogs/1/posts" : edit,
                                {{"title", title}, {"source", source}, {"status", status}});
        EXPECT_EQ(saved.status, 303) << saved.body;
        const auto location = saved.headers["location"];
        return location.substr(0, location.find('?'));
    }

    void start() {
        server_ = std::make_unique<ServerProcess>(
            db_,
            std::vector<std::string>{"--listen", "127.0.0.1:" + std::to_string(port_),
                                     "--delivery-retry-seconds", "1", "--allow-loopback-fetch"});
        ASSERT_EQ(server_->port(), port_) << server_->log();
    }
    void stop() { server_.reset(); }

    std::uint16_t port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::string actor() const { return base_url() + "/actor"; }
    std::string log() const { return server_ ? server_->log() : std::string(); }
    const std::filesystem::path& db() const { return db_; }

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

}  // namespace
}  // namespace carnet::testing
