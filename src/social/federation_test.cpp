// The inboxes, the followers collection and deliveries, through the router, against a remote
// actor a test server plays. carnet's own actor document is served to the remote side by a
// second test server that forwards to the router, so that the Accept carnet delivers is
// verified with carnet's published key.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>

#include "social/social.hpp"
#include "testing/scripted_site.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::social {
namespace {

using namespace std::chrono;
using carnet::testing::ScriptedSite;

FetchOptions loopback() {
    FetchOptions options;
    options.allow_loopback = true;
    options.allow_plain_http = true;
    options.timeout = milliseconds{5000};
    return options;
}

http::Request request_of(const ScriptedSite::Received& received) {
    http::Request request;
    request.method = received.method;
    request.target = received.target;
    request.path = received.target.substr(0, received.target.find('?'));
    request.query = received.target.find('?') == std::string::npos
                        ? std::string()
                        : received.target.substr(received.target.find('?') + 1);
    request.host = "127.0.0.1";
    for (const auto& header : received.headers) request.headers.push_back(header);
    request.body = received.body;
    return request;
}

class FederationTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::open_sqlite_store(dir_.path() / "carnet.db",
                                               store::OpenMode::create_if_missing, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        auto written = store_->write([&](store::Writer& writer) -> Status {
            model::Blog blog;
            blog.title = "Le carnet";
            blog.hosts = {"carnet.example.org"};
            blog.base_url = carnet_site_.url("");
            auto created = writer.blogs().create_blog(blog);
            if (!created) return std::unexpected(created.error());
            blog_id_ = *created;
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
        auto key = make_actor_key();
        ASSERT_TRUE(key.has_value());
        remote_key_ = *key;
        actors_ = std::make_unique<Actors>(*store_);
        worker_ = std::make_unique<Worker>(*store_, clock_, WorkerOptions{.name = "test"});
        federation_ = std::make_unique<Federation>(
            *store_, *worker_, *actors_, clock_,
            FederationOptions{.fetch = loopback(), .followers_page_size = 2});
        actors_->register_routes(router_);
        federation_->register_routes(router_);
    }

    std::string actor_id() const { return carnet_site_.url("/actor"); }
    std::string remote_actor(const std::string& name = "ana") const {
        return remote_.url("/users/" + name);
    }

    ScriptedSite::Reply remote_answer(const ScriptedSite::Received& request) {
        if (request.method == "POST") {
            return {ScriptedSite::response(inbox_status_, "", "text/plain")};
        }
        if (request.target.starts_with("/.well-known/webfinger")) return webfinger(request);
        const auto name = request.target.substr(request.target.rfind('/') + 1);
        const boost::json::object document{
            {"id", remote_actor(name)},
            {"type", "Person"},
            {"preferredUsername", name},
            {"inbox", remote_actor(name) + "/inbox"},
            {"endpoints", boost::json::object{{"sharedInbox", remote_.url("/inbox")}}},
            {"publicKey", boost::json::object{{"id", remote_actor(name) + "#main-key"},
                                              {"owner", remote_actor(name)},
                                              {"publicKeyPem", remote_key_.public_pem}}}};
        return {ScriptedSite::response(200, boost::json::serialize(document),
                                       "application/activity+json")};
    }

    // The remote server's WebFinger: ana and bob have accounts there, nobody else.
    ScriptedSite::Reply webfinger(const ScriptedSite::Received& request) {
        const auto host = remote_.url("").substr(std::string("http://").size());
        for (const auto* name : {"ana", "bob"}) {
            if (request.target.find(fmt::format("resource=acct:{}@{}", name, host)) ==
                std::string::npos) {
                continue;
            }
            const boost::json::object document{{"subject", fmt::format("acct:{}@{}", name, host)},
                                               {"links", boost::json::array{boost::json::object{
                                                             {"rel", "self"},
                                                             {"type", "application/activity+json"},
                                                             {"href", remote_actor(name)}}}}};
            return {ScriptedSite::response(200, boost::json::serialize(document),
                                           "application/jrd+json")};
        }
        return {ScriptedSite::response(404, "", "text/plain")};
    }

    // carnet's router, reached over loopback by the remote side.
    ScriptedSite::Reply carnet_answer(const ScriptedSite::Received& received) {
        auto request = request_of(received);
        request.host = "carnet.example.org";
        auto response = router_.dispatch(request);
        return {ScriptedSite::response(response.status, response.body, response.content_type)};
    }

    // POSTs the activity to carnet's inbox at `path`, signed by `name`'s key when `sign`.
    http::Response post(const boost::json::object& activity, const std::string& name = "ana",
                        const std::string& path = "/actor/inbox", bool sign = true) {
        const auto body = boost::json::serialize(activity);
        http::Request request;
        request.method = "POST";
        request.target = path;
        request.path = path;
        request.host = "carnet.example.org";
        request.headers = {{"Host", "carnet.example.org"},
                           {"Content-Type", "application/activity+json"}};
        if (sign) {
            auto headers = sign_cavage({remote_actor(name) + "#main-key", remote_key_.private_pem},
                                       "https://carnet.example.org" + path, body, clock_.now());
            EXPECT_TRUE(headers.has_value());
            if (headers)
                request.headers.insert(request.headers.end(), headers->begin(), headers->end());
        }
        request.body = body;
        return router_.dispatch(request);
    }

    boost::json::object follow(const std::string& name = "ana") {
        return {{"@context", "https://www.w3.org/ns/activitystreams"},
                {"id", remote_actor(name) + "#follows/1"},
                {"type", "Follow"},
                {"actor", remote_actor(name)},
                {"object", actor_id()}};
    }

    std::vector<std::string> followers() {
        auto page = store_->federation().followers(blog_id_, store::FollowerState::accepted, 0, 50);
        EXPECT_TRUE(page.has_value());
        std::vector<std::string> actors;
        for (const auto& each : page.value_or(store::FollowerPage{}).followers) {
            actors.push_back(each.actor);
        }
        return actors;
    }

    std::vector<ScriptedSite::Received> deliveries() {
        std::vector<ScriptedSite::Received> posts;
        for (auto& request : remote_.received()) {
            if (request.method == "POST") posts.push_back(std::move(request));
        }
        return posts;
    }

    http::Response get(const std::string& path, const std::string& query = "") {
        http::Request request;
        request.method = "GET";
        request.path = path;
        request.query = query;
        request.target = path + (query.empty() ? "" : "?" + query);
        request.host = "carnet.example.org";
        request.headers = {{"Host", "carnet.example.org"}};
        return router_.dispatch(request);
    }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{year{2026} / 12 / 2} + hours{9}};
    std::atomic<int> inbox_status_ = 202;
    ActorKey remote_key_;
    http::Router router_;
    ScriptedSite remote_{[this](const auto& request) { return remote_answer(request); }};
    ScriptedSite carnet_site_{[this](const auto& request) { return carnet_answer(request); }};
    std::unique_ptr<store::Store> store_;
    std::int64_t blog_id_ = 0;
    std::unique_ptr<Actors> actors_;
    std::unique_ptr<Worker> worker_;
    std::unique_ptr<Federation> federation_;
};

TEST_F(FederationTest, AFollowIsRecordedAndASignedAcceptIsDelivered) {
    auto answered = post(follow());
    ASSERT_EQ(answered.status, 202) << answered.body;
    EXPECT_EQ(followers(), std::vector<std::string>{remote_actor()});
    auto kept = store_->federation().find_follower(blog_id_, remote_actor());
    ASSERT_TRUE(kept.has_value() && kept->has_value());
    EXPECT_EQ((*kept)->inbox, remote_actor() + "/inbox");
    EXPECT_EQ((*kept)->shared_inbox, remote_.url("/inbox"));
    EXPECT_EQ((*kept)->handle, "ana@127.0.0.1");

    auto ran = worker_->run_due_jobs();
    ASSERT_TRUE(ran.has_value());
    EXPECT_EQ(*ran, 1);
    auto delivered = deliveries();
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].target, "/users/ana/inbox");
    EXPECT_EQ(delivered[0].header("content-type"), "application/activity+json");
    const auto accept = boost::json::parse(delivered[0].body).as_object();
    EXPECT_EQ(accept.at("type").as_string(), "Accept");
    EXPECT_EQ(accept.at("actor").as_string(), actor_id());
    EXPECT_EQ(accept.at("object").at("id").as_string(), remote_actor() + "#follows/1");
    // The remote side checks it with the key carnet publishes.
    Fetcher fetcher(loopback());
    SignatureVerifier verifier(fetcher, clock_);
    auto signer = verifier.verify(request_of(delivered[0]));
    ASSERT_TRUE(signer.has_value()) << signer.error().message;
    EXPECT_EQ(signer->actor, actor_id());
    EXPECT_EQ(signer->key_id, actor_id() + "#main-key");
    // Done once: nothing is left to send.
    EXPECT_EQ(worker_->run_due_jobs().value_or(-1), 0);
}

TEST_F(FederationTest, TheSharedInboxTakesActivitiesToo) {
    ASSERT_EQ(post(follow(), "ana", "/inbox").status, 202);
    EXPECT_EQ(followers(), std::vector<std::string>{remote_actor()});
}

TEST_F(FederationTest, UnsignedOrBadlySignedActivitiesAreRefusedAndChangeNothing) {
    EXPECT_EQ(post(follow(), "ana", "/actor/inbox", false).status, 401);
    // Signed by bob's key, but claiming to be ana's.
    auto forged = follow("ana");
    auto answered = post(forged, "bob");
    EXPECT_EQ(answered.status, 401);
    // Tampered after signing: the digest no longer holds.
    auto body = boost::json::serialize(follow());
    http::Request request;
    request.method = "POST";
    request.target = request.path = "/actor/inbox";
    request.host = "carnet.example.org";
    request.headers = {{"Host", "carnet.example.org"}};
    auto headers = sign_cavage({remote_actor() + "#main-key", remote_key_.private_pem},
                               "https://carnet.example.org/actor/inbox", body, clock_.now());
    ASSERT_TRUE(headers.has_value());
    request.headers.insert(request.headers.end(), headers->begin(), headers->end());
    request.body = body;
    request.body.replace(request.body.find("follows/1"), 9, "follows/2");
    EXPECT_EQ(router_.dispatch(request).status, 401);
    EXPECT_TRUE(followers().empty());
    EXPECT_TRUE(store_->jobs().pending_jobs(blog_id_).value().empty());
    EXPECT_EQ(post(boost::json::object{{"type", "Follow"}}).status, 400);
}

TEST_F(FederationTest, ABlockedDomainOrActorIsRefusedWithoutFetchingAnything) {
    auto blocked = store_->write([&](store::Writer& writer) -> Status {
        auto done = writer.federation().block(blog_id_, "127.0.0.1");
        if (!done) return std::unexpected(done.error());
        return {};
    });
    ASSERT_TRUE(blocked.has_value());
    EXPECT_EQ(post(follow()).status, 403);
    EXPECT_TRUE(remote_.received().empty());
    EXPECT_TRUE(followers().empty());
}

TEST_F(FederationTest, UndoOfTheFollowRemovesTheFollower) {
    ASSERT_EQ(post(follow("ana")).status, 202);
    ASSERT_EQ(post(follow("bob"), "bob").status, 202);
    const boost::json::object undo{{"id", remote_actor() + "#undo/1"},
                                   {"type", "Undo"},
                                   {"actor", remote_actor()},
                                   {"object", follow("ana")}};
    ASSERT_EQ(post(undo).status, 202);
    EXPECT_EQ(followers(), std::vector<std::string>{remote_actor("bob")});
    // Bob's Undo names the Follow by its id only.
    const boost::json::object by_id{{"type", "Undo"},
                                    {"actor", remote_actor("bob")},
                                    {"object", remote_actor("bob") + "#follows/1"}};
    ASSERT_EQ(post(by_id, "bob").status, 202);
    EXPECT_TRUE(followers().empty());
}

TEST_F(FederationTest, TheFollowersCollectionCountsAndPagesNewestFirst) {
    for (const auto* name : {"ana", "bob", "cy"}) {
        ASSERT_EQ(post(follow(name), name).status, 202);
        clock_.advance(seconds(1));
    }
    auto collection = get("/actor/followers");
    ASSERT_EQ(collection.status, 200) << collection.body;
    EXPECT_EQ(collection.content_type, "application/activity+json");
    auto body = boost::json::parse(collection.body).as_object();
    EXPECT_EQ(body.at("type").as_string(), "OrderedCollection");
    EXPECT_EQ(body.at("totalItems").as_int64(), 3);
    EXPECT_EQ(body.at("first").as_string(), actor_id() + "/followers?page=1");
    auto first = boost::json::parse(get("/actor/followers", "page=1").body).as_object();
    EXPECT_EQ(first.at("orderedItems"),
              (boost::json::array{remote_actor("cy"), remote_actor("bob")}));
    EXPECT_EQ(first.at("next").as_string(), actor_id() + "/followers?page=2");
    auto second = boost::json::parse(get("/actor/followers", "page=2").body).as_object();
    EXPECT_EQ(second.at("orderedItems"), (boost::json::array{remote_actor("ana")}));
    EXPECT_FALSE(second.contains("next"));
    EXPECT_EQ(get("/actor/followers", "page=0").status, 400);
    // The actor document links the collection and the shared inbox.
    auto actor = boost::json::parse(get("/actor").body).as_object();
    EXPECT_EQ(actor.at("followers").as_string(), actor_id() + "/followers");
    EXPECT_EQ(actor.at("endpoints").at("sharedInbox").as_string(), carnet_site_.url("/inbox"));
}

TEST_F(FederationTest, AnInboxDownIsTriedAgainAndOneGoneTakesItsFollowers) {
    inbox_status_ = 503;
    ASSERT_EQ(post(follow()).status, 202);
    ASSERT_EQ(worker_->run_due_jobs().value_or(-1), 1);
    auto pending = store_->jobs().pending_jobs(blog_id_);
    ASSERT_TRUE(pending.has_value());
    ASSERT_EQ(pending->size(), 1u);
    EXPECT_NE(pending->front().last_error.find("503"), std::string::npos);
    inbox_status_ = 410;
    clock_.advance(hours(1));
    ASSERT_EQ(worker_->run_due_jobs().value_or(-1), 1);
    EXPECT_EQ(deliveries().size(), 2u);
    EXPECT_TRUE(followers().empty());
    EXPECT_TRUE(store_->jobs().pending_jobs(blog_id_).value().empty());
}

TEST_F(FederationTest, APostGoesToEachInboxOnceAsCreateThenUpdateThenDelete) {
    // Two followers on one server share its inbox; a third has only its own.
    ASSERT_EQ(post(follow("ana"), "ana").status, 202);
    ASSERT_EQ(post(follow("bob"), "bob").status, 202);
    ASSERT_EQ(worker_->run_due_jobs().value_or(-1), 2);  // the two Accepts
    const auto accepted = deliveries().size();
    model::Post article;
    article.blog_id = blog_id_;
    article.title = "Misrata";
    article.slug = "misrata";
    article.status = model::PostStatus::published;
    article.source = "Le port.";
    article.html = "<p>Le port.</p>";
    article.excerpt = "Un port";
    article.published_at = clock_.now();
    article.updated_at = clock_.now();
    article.categories = {model::Category{.name = "Libye", .slug = "libye"}};
    auto change = [&](const std::function<Status(store::Writer&)>& edit) {
        auto written = store_->write([&](store::Writer& writer) -> Status {
            if (auto edited = edit(writer); !edited) return edited;
            return Federation::queue_post_activity(writer, blog_id_, article.id, clock_.now());
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
        ASSERT_TRUE(worker_->run_due_jobs().has_value());
    };
    change([&](store::Writer& writer) -> Status {
        auto created = writer.posts().create_post(article);
        if (!created) return std::unexpected(created.error());
        article.id = *created;
        return {};
    });
    auto sent = deliveries();
    ASSERT_EQ(sent.size(), accepted + 1);  // one shared inbox for both
    EXPECT_EQ(sent.back().target, "/inbox");
    auto create = boost::json::parse(sent.back().body).as_object();
    EXPECT_EQ(create.at("type").as_string(), "Create");
    EXPECT_EQ(create.at("actor").as_string(), actor_id());
    const auto& object = create.at("object").as_object();
    EXPECT_EQ(object.at("type").as_string(), "Article");
    EXPECT_EQ(object.at("content").as_string(), "<p>Le port.</p>");
    EXPECT_EQ(object.at("summary").as_string(), "Un port");
    EXPECT_EQ(object.at("name").as_string(), "Misrata");
    EXPECT_EQ(object.at("attributedTo").as_string(), actor_id());
    EXPECT_EQ(object.at("published").as_string(), "2026-12-02T09:00:00Z");
    EXPECT_EQ(object.at("tag").at(0).at("type").as_string(), "Hashtag");
    EXPECT_EQ(object.at("tag").at(0).at("name").as_string(), "#Libye");
    const std::string object_id(object.at("id").as_string());
    EXPECT_TRUE(object_id.starts_with(carnet_site_.url("/archive/"))) << object_id;

    clock_.advance(hours(1));
    change([&](store::Writer& writer) -> Status {
        article.html = "<p>Le port, au matin.</p>";
        article.updated_at = clock_.now();
        return writer.posts().update_post(article);
    });
    sent = deliveries();
    ASSERT_EQ(sent.size(), accepted + 2);
    auto update = boost::json::parse(sent.back().body).as_object();
    EXPECT_EQ(update.at("type").as_string(), "Update");
    EXPECT_EQ(update.at("object").at("content").as_string(), "<p>Le port, au matin.</p>");
    EXPECT_EQ(update.at("object").at("id").as_string(), object_id);

    change([&](store::Writer& writer) -> Status {
        article.status = model::PostStatus::trash;
        return writer.posts().update_post(article);
    });
    sent = deliveries();
    ASSERT_EQ(sent.size(), accepted + 3);
    auto removal = boost::json::parse(sent.back().body).as_object();
    EXPECT_EQ(removal.at("type").as_string(), "Delete");
    EXPECT_EQ(removal.at("object").at("type").as_string(), "Tombstone");
    EXPECT_EQ(removal.at("object").at("id").as_string(), object_id);
    // The outbox no longer has it; it had it while published (seen below for another post).
    auto outbox = boost::json::parse(get("/actor/outbox").body).as_object();
    EXPECT_EQ(outbox.at("totalItems").as_int64(), 0);
    // Trashed again, or deleted for good: the followers were told already.
    change([&](store::Writer& writer) -> Status {
        return writer.posts().delete_post(blog_id_, article.id);
    });
    EXPECT_EQ(deliveries().size(), accepted + 3);
}

TEST_F(FederationTest, TheOutboxHoldsThePublishedPostsNewestFirstAsCreates) {
    auto written = store_->write([&](store::Writer& writer) -> Status {
        for (const auto* title : {"un", "deux", "trois"}) {
            model::Post post;
            post.blog_id = blog_id_;
            post.title = title;
            post.slug = title;
            post.status = model::PostStatus::published;
            post.html = std::string("<p>") + title + "</p>";
            post.published_at = post.updated_at = clock_.now();
            clock_.advance(hours(1));
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
        }
        model::Post draft;
        draft.blog_id = blog_id_;
        draft.title = draft.slug = "brouillon";
        auto created = writer.posts().create_post(draft);
        if (!created) return std::unexpected(created.error());
        return {};
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    auto outbox = get("/actor/outbox");
    ASSERT_EQ(outbox.status, 200) << outbox.body;
    auto whole = boost::json::parse(outbox.body).as_object();
    EXPECT_EQ(whole.at("type").as_string(), "OrderedCollection");
    EXPECT_EQ(whole.at("totalItems").as_int64(), 3);
    auto first = boost::json::parse(get("/actor/outbox", "page=1").body).as_object();
    const auto& items = first.at("orderedItems").as_array();
    ASSERT_EQ(items.size(), 2u);
    EXPECT_EQ(items[0].at("type").as_string(), "Create");
    EXPECT_EQ(items[0].at("object").at("name").as_string(), "trois");
    EXPECT_EQ(items[0].at("object").at("content").as_string(), "<p>trois</p>");
    EXPECT_EQ(items[1].at("object").at("name").as_string(), "deux");
    auto second = boost::json::parse(get("/actor/outbox", "page=2").body).as_object();
    EXPECT_EQ(second.at("orderedItems").at(0).at("object").at("name").as_string(), "un");
    EXPECT_FALSE(second.contains("next"));
    EXPECT_EQ(get("/actor/outbox", "page=x").status, 400);
    auto actor = boost::json::parse(get("/actor").body).as_object();
    EXPECT_EQ(actor.at("outbox").as_string(), actor_id() + "/outbox");
}

// --- Following from the blog, the reader and answers.

using model::Error;

class FollowingTest : public FederationTest {
protected:
    model::Blog blog() {
        auto found = store_->blogs().find_blog(blog_id_);
        EXPECT_TRUE(found.has_value() && found->has_value());
        return found.value_or(std::nullopt).value_or(model::Blog{});
    }
    std::string account(const std::string& name) const {
        return "@" + name + "@" + remote_.url("").substr(std::string("http://").size());
    }
    std::optional<store::Following> following(const std::string& name) {
        auto found = store_->following().find_following(blog_id_, remote_actor(name));
        EXPECT_TRUE(found.has_value());
        return found.value_or(std::nullopt);
    }
    // Follows `name` and has its Accept come back.
    void follow_accepted(const std::string& name) {
        auto followed = federation_->follow(blog(), account(name));
        ASSERT_TRUE(followed.has_value()) << followed.error().message;
        const boost::json::object accept{
            {"id", remote_actor(name) + "#accepts/1"},
            {"type", "Accept"},
            {"actor", remote_actor(name)},
            {"object", boost::json::object{{"id", followed->follow_id}, {"type", "Follow"}}}};
        ASSERT_EQ(post(accept, name).status, 202);
        ASSERT_EQ(following(name).value_or(store::Following{}).state,
                  store::FollowingState::accepted);
    }
    boost::json::object create(const std::string& name, const boost::json::object& object,
                               const std::string& type = "Create") {
        return {{"id",
                 remote_actor(name) + "#" + type + "-" + std::string(object.at("id").as_string())},
                {"type", type},
                {"actor", remote_actor(name)},
                {"object", object}};
    }
    boost::json::object note(const std::string& name, const std::string& id,
                             const std::string& html) {
        return {{"id", remote_actor(name) + "/notes/" + id},
                {"type", "Note"},
                {"attributedTo", remote_actor(name)},
                {"published", "2026-12-01T10:30:00+01:00"},
                {"url", remote_.url("/@" + name + "/" + id)},
                {"to", boost::json::array{"https://www.w3.org/ns/activitystreams#Public"}},
                {"content", html}};
    }
    std::vector<store::ReaderItem> items() {
        auto page = store_->following().reader_items(blog_id_, 0, 50);
        EXPECT_TRUE(page.has_value());
        return page.value_or(store::ReaderPage{}).items;
    }
};

TEST_F(FollowingTest, AnAccountIsResolvedFollowedWithASignedFollowAndAcceptedByItsAnswer) {
    auto followed = federation_->follow(blog(), account("ana"));
    ASSERT_TRUE(followed.has_value()) << followed.error().message;
    EXPECT_EQ(followed->actor, remote_actor("ana"));
    EXPECT_EQ(followed->inbox, remote_actor("ana") + "/inbox");
    EXPECT_EQ(followed->handle, "ana@127.0.0.1");
    EXPECT_EQ(following("ana").value_or(store::Following{}).state, store::FollowingState::pending);

    ASSERT_EQ(worker_->run_due_jobs().value_or(-1), 1);
    auto delivered = deliveries();
    ASSERT_EQ(delivered.size(), 1u);
    EXPECT_EQ(delivered[0].target, "/users/ana/inbox");
    const auto activity = boost::json::parse(delivered[0].body).as_object();
    EXPECT_EQ(activity.at("type").as_string(), "Follow");
    EXPECT_EQ(activity.at("actor").as_string(), actor_id());
    EXPECT_EQ(activity.at("object").as_string(), remote_actor("ana"));
    EXPECT_EQ(activity.at("id").as_string(), followed->follow_id);
    Fetcher fetcher(loopback());
    SignatureVerifier verifier(fetcher, clock_);
    auto signer = verifier.verify(request_of(delivered[0]));
    ASSERT_TRUE(signer.has_value()) << signer.error().message;
    EXPECT_EQ(signer->actor, actor_id());

    // An Accept of another Follow changes nothing; the Accept of this one (by id) does.
    ASSERT_EQ(post({{"id", remote_actor("ana") + "#accepts/0"},
                    {"type", "Accept"},
                    {"actor", remote_actor("ana")},
                    {"object", actor_id() + "#follows/other"}})
                  .status,
              202);
    EXPECT_EQ(following("ana").value_or(store::Following{}).state, store::FollowingState::pending);
    ASSERT_EQ(post({{"id", remote_actor("ana") + "#accepts/1"},
                    {"type", "Accept"},
                    {"actor", remote_actor("ana")},
                    {"object", followed->follow_id}})
                  .status,
              202);
    EXPECT_EQ(following("ana").value_or(store::Following{}).state, store::FollowingState::accepted);

    // A Reject forgets the account.
    auto bob = federation_->follow(blog(), remote_actor("bob"));
    ASSERT_TRUE(bob.has_value()) << bob.error().message;
    ASSERT_EQ(post({{"id", remote_actor("bob") + "#rejects/1"},
                    {"type", "Reject"},
                    {"actor", remote_actor("bob")},
                    {"object", bob->follow_id}},
                   "bob")
                  .status,
              202);
    EXPECT_FALSE(following("bob").has_value());

    // Unfollowing sends the Undo of the Follow and forgets the account.
    ASSERT_TRUE(store_->write([&](store::Writer& writer) {
        return federation_->unfollow(writer, blog(), remote_actor("ana"));
    }));
    EXPECT_FALSE(following("ana").has_value());
    ASSERT_GE(worker_->run_due_jobs().value_or(-1), 1);
    const auto last = boost::json::parse(deliveries().back().body).as_object();
    EXPECT_EQ(last.at("type").as_string(), "Undo");
    EXPECT_EQ(last.at("object").at("id").as_string(), followed->follow_id);
    EXPECT_EQ(deliveries().back().target, "/users/ana/inbox");
}

TEST_F(FollowingTest, WhatIsNotAnAccountIsRefusedAndNothingIsRecorded) {
    const std::vector<std::string> refusals{"personne", "@@", "@ana@", "ftp://127.0.0.1/users/ana",
                                            "@nobody" + account("ana").substr(4)};
    for (const auto& refused : refusals) {
        auto followed = federation_->follow(blog(), refused);
        ASSERT_FALSE(followed.has_value()) << refused;
        EXPECT_EQ(followed.error().code, Error::Code::invalid_input) << refused;
    }
    // Its own actor is not an account to follow.
    auto itself = federation_->follow(blog(), actor_id());
    ASSERT_FALSE(itself.has_value());
    EXPECT_EQ(itself.error().code, Error::Code::invalid_input);
    auto listed = store_->following().followings(blog_id_);
    ASSERT_TRUE(listed.has_value());
    EXPECT_TRUE(listed->empty());
    EXPECT_TRUE(store_->jobs().pending_jobs(blog_id_).value().empty());
}

TEST_F(FollowingTest, TheReaderKeepsWhatFollowedAccountsPostWholeAndSanitisedAndOnlyThat) {
    follow_accepted("ana");
    const auto html =
        "<p>Premier paragraphe.</p><p>Second <strong>paragraphe</strong><script>alert(1)</script>"
        "<img src=x onerror=alert(2)></p><ul><li>un point</li></ul>";
    ASSERT_EQ(post(create("ana", note("ana", "1", html))).status, 202);
    auto kept = items();
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].object_id, remote_actor("ana") + "/notes/1");
    EXPECT_EQ(kept[0].actor, remote_actor("ana"));
    EXPECT_EQ(kept[0].author_handle, "ana@127.0.0.1");
    EXPECT_EQ(kept[0].url, remote_.url("/@ana/1"));
    EXPECT_EQ(kept[0].published_at, sys_days{year{2026} / 12 / 1} + hours{9} + minutes{30});
    EXPECT_NE(kept[0].html.find("<p>Premier paragraphe.</p>"), std::string::npos) << kept[0].html;
    EXPECT_NE(kept[0].html.find("<p>Second paragraphe</p>"), std::string::npos) << kept[0].html;
    EXPECT_NE(kept[0].html.find("<p>un point</p>"), std::string::npos) << kept[0].html;
    EXPECT_EQ(kept[0].html.find("alert"), std::string::npos) << kept[0].html;
    EXPECT_EQ(kept[0].html.find("<img"), std::string::npos) << kept[0].html;

    // An Article keeps its name as its title.
    auto article = note("ana", "2", "<p>Long texte.</p>");
    article["type"] = "Article";
    article["name"] = "Le titre <b>gras</b>";
    article["published"] = "2026-12-02T08:00:00Z";
    ASSERT_EQ(post(create("ana", article)).status, 202);
    kept = items();
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].title, "Le titre <b>gras</b>");  // plain text, escaped where shown

    // Not kept: an account the blog does not follow, a note claiming another author, or one
    // on another site than its actor's.
    ASSERT_EQ(post(create("bob", note("bob", "3", "<p>Bob</p>")), "bob").status, 202);
    auto forged = note("ana", "4", "<p>Signé Bob</p>");
    forged["attributedTo"] = remote_actor("bob");
    ASSERT_EQ(post(create("ana", forged)).status, 202);
    auto elsewhere = note("ana", "5", "<p>Ailleurs</p>");
    elsewhere["id"] = "https://elsewhere.example/notes/5";
    ASSERT_EQ(post(create("ana", elsewhere)).status, 202);
    EXPECT_EQ(items().size(), 2u);

    // Update changes the item (in its place); another actor may neither change nor delete it.
    auto changed = note("ana", "1", "<p>Corrigé.</p>");
    changed["updated"] = "2026-12-02T09:00:00Z";
    ASSERT_EQ(post(create("bob", changed, "Update"), "bob").status, 202);
    ASSERT_EQ(post(create("ana", changed, "Update")).status, 202);
    kept = items();
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[1].html, "<p>Corrigé.</p>\n");
    EXPECT_EQ(kept[1].published_at, sys_days{year{2026} / 12 / 1} + hours{9} + minutes{30});
    EXPECT_EQ(kept[1].updated_at, sys_days{year{2026} / 12 / 2} + hours{9});
    const boost::json::object tombstone{{"id", remote_actor("ana") + "/notes/1"},
                                        {"type", "Tombstone"}};
    ASSERT_EQ(post(create("bob", tombstone, "Delete"), "bob").status, 202);
    EXPECT_EQ(items().size(), 2u);
    ASSERT_EQ(post(create("ana", tombstone, "Delete")).status, 202);
    kept = items();
    ASSERT_EQ(kept.size(), 1u);
    EXPECT_EQ(kept[0].object_id, remote_actor("ana") + "/notes/2");
}

TEST_F(FollowingTest, AReplyFromTheReaderIsAPublicNoteToItsAuthorThroughTheQueue) {
    follow_accepted("ana");
    ASSERT_EQ(post(create("ana", note("ana", "1", "<p>Question ?</p>"))).status, 202);
    ASSERT_EQ(worker_->run_due_jobs().value_or(-1), 1);  // the Follow
    const auto before = deliveries().size();
    const auto item = items().at(0);
    auto empty = store_->write([&](store::Writer& writer) {
        return federation_->reply_to_item(writer, blog(), item, "  ");
    });
    ASSERT_FALSE(empty.has_value());
    EXPECT_EQ(empty.error().code, Error::Code::invalid_input);
    ASSERT_TRUE(store_->write([&](store::Writer& writer) {
        return federation_->reply_to_item(writer, blog(), item, "Réponse <script>x</script>");
    }));
    ASSERT_EQ(worker_->run_due_jobs().value_or(-1), 1);
    auto delivered = deliveries();
    ASSERT_EQ(delivered.size(), before + 1);
    EXPECT_EQ(delivered.back().target, "/users/ana/inbox");
    const auto activity = boost::json::parse(delivered.back().body).as_object();
    EXPECT_EQ(activity.at("type").as_string(), "Create");
    EXPECT_EQ(activity.at("actor").as_string(), actor_id());
    const auto& object = activity.at("object").as_object();
    EXPECT_EQ(object.at("type").as_string(), "Note");
    EXPECT_EQ(object.at("inReplyTo").as_string(), item.object_id);
    EXPECT_EQ(object.at("attributedTo").as_string(), actor_id());
    EXPECT_TRUE(object.at("id").as_string().starts_with(actor_id() + "/notes/"));
    EXPECT_EQ(object.at("to").at(0).as_string(), remote_actor("ana"));
    EXPECT_EQ(object.at("cc").at(0).as_string(), "https://www.w3.org/ns/activitystreams#Public");
    EXPECT_EQ(object.at("tag").at(0).at("type").as_string(), "Mention");
    EXPECT_EQ(object.at("tag").at(0).at("href").as_string(), remote_actor("ana"));
    EXPECT_EQ(object.at("tag").at(0).at("name").as_string(), "@ana@127.0.0.1");
    const std::string content(object.at("content").as_string());
    EXPECT_NE(content.find("@ana@127.0.0.1</a>"), std::string::npos) << content;
    EXPECT_NE(content.find("Réponse"), std::string::npos) << content;
    EXPECT_EQ(content.find("<script"), std::string::npos) << content;
    Fetcher fetcher(loopback());
    SignatureVerifier verifier(fetcher, clock_);
    auto signer = verifier.verify(request_of(delivered.back()));
    ASSERT_TRUE(signer.has_value()) << signer.error().message;
    EXPECT_EQ(signer->actor, actor_id());
}

}  // namespace
}  // namespace carnet::social
