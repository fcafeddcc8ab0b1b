#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <boost/json.hpp>

#include "social/social.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::social {
namespace {

using namespace std::chrono;

// Signs with the private half and verifies with the public half: they belong together.
bool pair_matches(const ActorKey& key) {
    BIO* private_bio =
        BIO_new_mem_buf(key.private_pem.data(), static_cast<int>(key.private_pem.size()));
    BIO* public_bio =
        BIO_new_mem_buf(key.public_pem.data(), static_cast<int>(key.public_pem.size()));
    EVP_PKEY* private_key = PEM_read_bio_PrivateKey(private_bio, nullptr, nullptr, nullptr);
    EVP_PKEY* public_key = PEM_read_bio_PUBKEY(public_bio, nullptr, nullptr, nullptr);
    bool ok = private_key != nullptr && public_key != nullptr;
    const std::string message = "(request-target): post /inbox";
    unsigned char signature[512];
    std::size_t length = sizeof signature;
    EVP_MD_CTX* sign = EVP_MD_CTX_new();
    ok =
        ok && EVP_DigestSignInit(sign, nullptr, EVP_sha256(), nullptr, private_key) == 1 &&
        EVP_DigestSign(sign, signature, &length,
                       reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
    EVP_MD_CTX* verify = EVP_MD_CTX_new();
    ok = ok && EVP_DigestVerifyInit(verify, nullptr, EVP_sha256(), nullptr, public_key) == 1 &&
         EVP_DigestVerify(verify, signature, length,
                          reinterpret_cast<const unsigned char*>(message.data()),
                          message.size()) == 1;
    EVP_MD_CTX_free(sign);
    EVP_MD_CTX_free(verify);
    EVP_PKEY_free(private_key);
    EVP_PKEY_free(public_key);
    BIO_free(private_bio);
    BIO_free(public_bio);
    return ok;
}

class ActorTest : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::open_sqlite_store(dir_.path() / "carnet.db",
                                               store::OpenMode::create_if_missing, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        auto written = store_->write([&](store::Writer& writer) -> Status {
            model::Blog blog;
            blog.title = "Le carnet";
            blog.subtitle = "Libye, Syrie";
            blog.hosts = {"carnet.example.org"};
            blog.base_url = "https://carnet.example.org";
            auto created = writer.blogs().create_blog(blog);
            if (!created) return std::unexpected(created.error());
            blog_id_ = *created;
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
        actors_ = std::make_unique<Actors>(*store_);
        actors_->register_routes(router_);
    }

    http::Response get(const std::string& path, const std::string& query) {
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
    ManualClock clock_{sys_days{year{2026} / 12 / 2}};
    std::unique_ptr<store::Store> store_;
    std::int64_t blog_id_ = 0;
    std::unique_ptr<Actors> actors_;
    http::Router router_;
};

TEST(ActorKey, AFreshKeyPairSignsAndVerifiesAndReadsBackFromItsPrivateHalf) {
    auto key = make_actor_key();
    ASSERT_TRUE(key.has_value()) << key.error().message;
    EXPECT_TRUE(key->private_pem.starts_with("-----BEGIN PRIVATE KEY-----"));
    EXPECT_TRUE(key->public_pem.starts_with("-----BEGIN PUBLIC KEY-----"));
    EXPECT_TRUE(pair_matches(*key));
    auto again = read_actor_key(key->private_pem);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->public_pem, key->public_pem);
    EXPECT_FALSE(read_actor_key("not a key").has_value());
}

TEST(ActorKey, TheHandleComesFromTheBlogsHostName) {
    model::Blog blog;
    blog.hosts = {"Le-Carnet.example.org"};
    EXPECT_EQ(actor_handle(blog, "ignored"), "lecarnet");
    blog.hosts.clear();
    blog.base_url = "https://journal.example.net";
    EXPECT_EQ(actor_handle(blog, "ignored"), "journal");
    blog.base_url.clear();
    EXPECT_EQ(actor_handle(blog, "127.0.0.1"), "127");
    EXPECT_EQ(actor_handle(blog, ""), "blog");
}

TEST_F(ActorTest, WebFingerFindsTheBlogsAccountAndPointsAtItsActor) {
    auto found = get("/.well-known/webfinger", "resource=acct%3Acarnet%40carnet.example.org");
    ASSERT_EQ(found.status, 200) << found.body;
    EXPECT_EQ(found.content_type, "application/jrd+json");
    auto body = boost::json::parse(found.body).as_object();
    EXPECT_EQ(body["subject"].as_string(), "acct:carnet@carnet.example.org");
    const auto& self = body["links"].as_array()[0].as_object();
    EXPECT_EQ(self.at("rel").as_string(), "self");
    EXPECT_EQ(self.at("type").as_string(), "application/activity+json");
    EXPECT_EQ(self.at("href").as_string(), "https://carnet.example.org/actor");

    EXPECT_EQ(get("/.well-known/webfinger", "resource=acct%3Aother%40carnet.example.org").status,
              404);
    EXPECT_EQ(get("/.well-known/webfinger", "").status, 400);
}

TEST_F(ActorTest, TheActorDocumentCarriesAKeyThatIsKeptAndTheSameOnEveryRequest) {
    auto first = get("/actor", "");
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.content_type, "application/activity+json");
    auto actor = boost::json::parse(first.body).as_object();
    EXPECT_EQ(actor["id"].as_string(), "https://carnet.example.org/actor");
    EXPECT_EQ(actor["preferredUsername"].as_string(), "carnet");
    EXPECT_EQ(actor["name"].as_string(), "Le carnet");
    EXPECT_EQ(actor["inbox"].as_string(), "https://carnet.example.org/actor/inbox");
    const auto& key = actor["publicKey"].as_object();
    EXPECT_EQ(key.at("owner").as_string(), "https://carnet.example.org/actor");
    const std::string pem(key.at("publicKeyPem").as_string());
    EXPECT_TRUE(pem.starts_with("-----BEGIN PUBLIC KEY-----"));

    // Another node on the same database, its memory empty, publishes the same key.
    Actors other(*store_);
    auto kept = other.key_of(blog_id_);
    ASSERT_TRUE(kept.has_value()) << kept.error().message;
    EXPECT_EQ(kept->public_pem, pem);
    EXPECT_TRUE(pair_matches(*kept));
    EXPECT_EQ(boost::json::parse(get("/actor", "").body).at("publicKey").at("publicKeyPem"),
              key.at("publicKeyPem"));
}

}  // namespace
}  // namespace carnet::social
