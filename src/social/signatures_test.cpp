#include <gtest/gtest.h>

#include <atomic>
#include <boost/json.hpp>
#include <mutex>

#include "social/social.hpp"
#include "testing/scripted_site.hpp"

namespace carnet::social {
namespace {

using namespace std::chrono;
using carnet::testing::ScriptedSite;
using model::Error;

constexpr std::string_view k_inbox = "https://carnet.example.org/inbox";
constexpr std::string_view k_body = R"({"type":"Follow","actor":"x"})";

FetchOptions loopback() {
    FetchOptions options;
    options.allow_loopback = true;
    options.allow_plain_http = true;
    options.timeout = milliseconds{5000};
    return options;
}

// A remote actor's site: publishes the actor document of its current key.
class RemoteActor {
public:
    RemoteActor()
        : site_([this](const ScriptedSite::Received& request) {
              ++fetches_;
              std::scoped_lock lock(mutex_);
              if (request.target != "/users/ana")
                  return ScriptedSite::Reply{ScriptedSite::response(404, "")};
              return ScriptedSite::Reply{
                  ScriptedSite::response(200, document_, "application/activity+json")};
          }) {
        publish(*make_actor_key(), actor());
    }

    std::string actor() const { return site_.url("/users/ana"); }
    std::string key_id() const { return actor() + "#main-key"; }
    int fetches() const { return fetches_; }

    // The document now names `key` (owned by `owner`) as the actor's key.
    void publish(const ActorKey& key, const std::string& owner) {
        key_ = key;
        const boost::json::object document{
            {"id", actor()},
            {"type", "Person"},
            {"inbox", actor() + "/inbox"},
            {"publicKey",
             boost::json::object{
                 {"id", key_id()}, {"owner", owner}, {"publicKeyPem", key.public_pem}}}};
        std::scoped_lock lock(mutex_);
        document_ = boost::json::serialize(document);
    }
    SigningKey signing_key() const { return {key_id(), key_.private_pem}; }

private:
    std::mutex mutex_;
    std::string document_;
    ActorKey key_;
    std::atomic<int> fetches_ = 0;
    ScriptedSite site_;
};

// The request as carnet's server sees it once `headers` were sent with `body`.
http::Request received(const http::Headers& headers, std::string_view body) {
    http::Request request;
    request.method = "POST";
    request.target = "/inbox";
    request.path = "/inbox";
    request.host = "carnet.example.org";
    request.headers = {{"Host", "carnet.example.org"},
                       {"Content-Type", "application/activity+json"}};
    request.headers.insert(request.headers.end(), headers.begin(), headers.end());
    request.body = std::string(body);
    return request;
}

void drop_header(http::Request& request, std::string_view name) {
    std::erase_if(request.headers, [&](const auto& header) { return header.first == name; });
}

class SignaturesTest : public ::testing::Test {
protected:
    ManualClock clock_{sys_days{2026y / 3 / 14} + 9h};
    Fetcher fetcher_{loopback()};
    SignatureVerifier verifier_{fetcher_, clock_};
    RemoteActor remote_;
};

TEST_F(SignaturesTest, Cavage_SignedPostVerifiesAsItsActor) {
    auto headers = sign_cavage(remote_.signing_key(), k_inbox, k_body, clock_.now());
    ASSERT_TRUE(headers.has_value()) << headers.error().message;
    auto request = received(*headers, k_body);
    EXPECT_EQ(request.header("date"), "Sat, 14 Mar 2026 09:00:00 GMT");
    EXPECT_TRUE(request.header("digest").starts_with("SHA-256="));
    auto signer = verifier_.verify(request);
    ASSERT_TRUE(signer.has_value()) << signer.error().message;
    EXPECT_EQ(signer->actor, remote_.actor());
    EXPECT_EQ(signer->key_id, remote_.key_id());
    // The key is kept: a second request costs no fetch.
    ASSERT_TRUE(verifier_.verify(request).has_value());
    EXPECT_EQ(remote_.fetches(), 1);
}

TEST_F(SignaturesTest, Rfc9421_BothAlgorithmsVerify) {
    for (auto algorithm : {Rfc9421Algorithm::rsa_v1_5_sha256, Rfc9421Algorithm::rsa_pss_sha512}) {
        auto headers =
            sign_rfc9421(remote_.signing_key(), k_inbox, k_body, clock_.now(), algorithm);
        ASSERT_TRUE(headers.has_value()) << headers.error().message;
        auto request = received(*headers, k_body);
        request.secure = true;  // the URL signed is https, as the proxy tells carnet
        ASSERT_FALSE(request.header("signature-input").empty());
        auto signer = verifier_.verify(request);
        ASSERT_TRUE(signer.has_value()) << signer.error().message;
        EXPECT_EQ(signer->actor, remote_.actor());
    }
}

TEST_F(SignaturesTest, Rfc9421_PssSignatureIsNotReadAsPkcs1) {
    auto headers = sign_rfc9421(remote_.signing_key(), k_inbox, k_body, clock_.now(),
                                Rfc9421Algorithm::rsa_pss_sha512);
    ASSERT_TRUE(headers.has_value());
    auto request = received(*headers, k_body);
    request.secure = true;
    for (auto& [name, value] : request.headers) {
        if (name == "Signature-Input") {
            value.replace(value.find("rsa-pss-sha512"), 14, "rsa-v1_5-sha256");
        }
    }
    EXPECT_FALSE(verifier_.verify(request).has_value());
}

TEST_F(SignaturesTest, TamperedBodyIsRefused) {
    auto cavage = sign_cavage(remote_.signing_key(), k_inbox, k_body, clock_.now());
    auto modern = sign_rfc9421(remote_.signing_key(), k_inbox, k_body, clock_.now(),
                               Rfc9421Algorithm::rsa_v1_5_sha256);
    ASSERT_TRUE(cavage.has_value() && modern.has_value());
    const std::string tampered = R"({"type":"Delete","actor":"x"})";
    auto first = verifier_.verify(received(*cavage, tampered));
    ASSERT_FALSE(first.has_value());
    EXPECT_NE(first.error().message.find("digest"), std::string::npos) << first.error().message;
    auto request = received(*modern, tampered);
    request.secure = true;
    EXPECT_FALSE(verifier_.verify(request).has_value());
}

TEST_F(SignaturesTest, TamperedTargetOrHostIsRefused) {
    auto headers = sign_cavage(remote_.signing_key(), k_inbox, k_body, clock_.now());
    ASSERT_TRUE(headers.has_value());
    auto other_target = received(*headers, k_body);
    other_target.target = "/users/admin/inbox";
    EXPECT_FALSE(verifier_.verify(other_target).has_value());
    auto other_host = received(*headers, k_body);
    other_host.headers.front().second = "other.example.org";
    EXPECT_FALSE(verifier_.verify(other_host).has_value());
}

TEST_F(SignaturesTest, WrongKeyIsRefusedEvenAfterRefetch) {
    auto impostor = make_actor_key();
    ASSERT_TRUE(impostor.has_value());
    auto headers =
        sign_cavage({remote_.key_id(), impostor->private_pem}, k_inbox, k_body, clock_.now());
    ASSERT_TRUE(headers.has_value());
    auto signer = verifier_.verify(received(*headers, k_body));
    ASSERT_FALSE(signer.has_value());
    EXPECT_EQ(signer.error().code, Error::Code::invalid_input);
    EXPECT_EQ(remote_.fetches(), 1);  // a key fetched just now is not fetched again
}

TEST_F(SignaturesTest, RotatedKeyIsFetchedAgainOnce) {
    auto first = sign_cavage(remote_.signing_key(), k_inbox, k_body, clock_.now());
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(verifier_.verify(received(*first, k_body)).has_value());
    remote_.publish(*make_actor_key(), remote_.actor());
    auto second = sign_cavage(remote_.signing_key(), k_inbox, k_body, clock_.now());
    ASSERT_TRUE(second.has_value());
    auto signer = verifier_.verify(received(*second, k_body));
    ASSERT_TRUE(signer.has_value()) << signer.error().message;
    EXPECT_EQ(remote_.fetches(), 2);
    // The old key is gone with the refetch.
    EXPECT_FALSE(verifier_.verify(received(*first, k_body)).has_value());
}

TEST_F(SignaturesTest, StaleOrFutureDateIsRefused) {
    auto headers = sign_cavage(remote_.signing_key(), k_inbox, k_body, clock_.now());
    ASSERT_TRUE(headers.has_value());
    auto request = received(*headers, k_body);
    clock_.advance(13h);
    auto stale = verifier_.verify(request);
    ASSERT_FALSE(stale.has_value());
    EXPECT_NE(stale.error().message.find("window"), std::string::npos) << stale.error().message;
    clock_.advance(-15h);
    EXPECT_FALSE(verifier_.verify(request).has_value());
    clock_.advance(2h);
    EXPECT_TRUE(verifier_.verify(request).has_value());

    auto modern = sign_rfc9421(remote_.signing_key(), k_inbox, k_body, clock_.now(),
                               Rfc9421Algorithm::rsa_pss_sha512);
    ASSERT_TRUE(modern.has_value());
    auto later = received(*modern, k_body);
    later.secure = true;
    clock_.advance(13h);
    EXPECT_FALSE(verifier_.verify(later).has_value());
}

TEST_F(SignaturesTest, MissingHeadersAreRefused) {
    auto headers = sign_cavage(remote_.signing_key(), k_inbox, k_body, clock_.now());
    ASSERT_TRUE(headers.has_value());
    for (std::string_view name : {"Signature", "Digest", "Date", "Host"}) {
        auto request = received(*headers, k_body);
        drop_header(request, name);
        EXPECT_FALSE(verifier_.verify(request).has_value()) << name;
    }
    // A signature that covers less than the target, host, date and digest.
    auto request = received(*headers, k_body);
    for (auto& [name, value] : request.headers) {
        if (name == "Signature") {
            value.replace(value.find("(request-target) host date digest"), 33, "date");
        }
    }
    auto narrow = verifier_.verify(request);
    ASSERT_FALSE(narrow.has_value());
    EXPECT_NE(narrow.error().message.find("cover"), std::string::npos);

    auto modern = sign_rfc9421(remote_.signing_key(), k_inbox, k_body, clock_.now(),
                               Rfc9421Algorithm::rsa_v1_5_sha256);
    ASSERT_TRUE(modern.has_value());
    for (std::string_view name : {"Signature-Input", "Content-Digest", "Date"}) {
        auto without = received(*modern, k_body);
        without.secure = true;
        drop_header(without, name);
        EXPECT_FALSE(verifier_.verify(without).has_value()) << name;
    }
}

TEST_F(SignaturesTest, KeyOwnedByAnotherSiteIsRefused) {
    remote_.publish(*make_actor_key(), "https://victim.example.net/users/admin");
    auto headers = sign_cavage(remote_.signing_key(), k_inbox, k_body, clock_.now());
    ASSERT_TRUE(headers.has_value());
    auto signer = verifier_.verify(received(*headers, k_body));
    ASSERT_FALSE(signer.has_value());
    EXPECT_NE(signer.error().message.find("another site"), std::string::npos);
}

TEST_F(SignaturesTest, UnreachableKeyIsAnIoFailure) {
    SigningKey nowhere{"http://127.0.0.1:1/users/gone#main-key", remote_.signing_key().private_pem};
    auto headers = sign_cavage(nowhere, k_inbox, k_body, clock_.now());
    ASSERT_TRUE(headers.has_value());
    auto signer = verifier_.verify(received(*headers, k_body));
    ASSERT_FALSE(signer.has_value());
    EXPECT_EQ(signer.error().code, Error::Code::io);
}

}  // namespace
}  // namespace carnet::social
