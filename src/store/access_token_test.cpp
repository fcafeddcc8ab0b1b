// IndieAuth's codes and tokens on every backend: codes are taken once, tokens are kept by
// hash, listed, used, revoked, and ended with the account's password or the account itself.
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;

class AccessTokenStoreTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        auto written = write([&](Writer& writer) -> Status {
            model::Blog blog;
            blog.title = "Carnet";
            auto created = writer.blogs().create_blog(blog);
            if (!created) return std::unexpected(created.error());
            blog_ = *created;
            for (auto* who : {&alice_, &bob_}) {
                const auto email = who == &alice_ ? "alice@example.org" : "bob@example.org";
                auto user = writer.accounts().create_user(model::User{0, email, "Someone"}, "h");
                if (!user) return std::unexpected(user.error());
                *who = *user;
            }
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
    }

    Status write(const std::function<Status(Writer&)>& body) { return store_->write(body); }

    std::optional<AuthCode> take(std::string_view hash) {
        std::optional<AuthCode> taken;
        auto written = write([&](Writer& writer) -> Status {
            auto code = writer.access_tokens().take_auth_code(hash);
            if (!code) return std::unexpected(code.error());
            taken = std::move(*code);
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return taken;
    }

    std::int64_t grant(std::int64_t user, std::string_view hash, std::string scope) {
        std::int64_t id = 0;
        auto written = write([&](Writer& writer) -> Status {
            AccessToken token{.user_id = user,
                              .blog_id = blog_,
                              .client_id = "https://app.example/",
                              .scope = std::move(scope)};
            auto created = writer.access_tokens().create_access_token(hash, token);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return id;
    }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{2024y / 3 / 1} + 9h};
    std::unique_ptr<Store> store_;
    std::int64_t blog_ = 0;
    std::int64_t alice_ = 0;
    std::int64_t bob_ = 0;
};

TEST_P(AccessTokenStoreTest, ACodeIsTakenOnceWithWhatItWasBoundTo) {
    const AuthCode code{.user_id = alice_,
                        .blog_id = blog_,
                        .client_id = "https://app.example/",
                        .redirect_uri = "https://app.example/back",
                        .code_challenge = "challenge",
                        .scope = "create media",
                        .expires_at = clock_.now() + 10min};
    ASSERT_TRUE(write([&](Writer& writer) {
                    return writer.access_tokens().create_auth_code("code-hash", code);
                }).has_value());
    auto taken = take("code-hash");
    ASSERT_TRUE(taken.has_value());
    EXPECT_EQ(taken->user_id, alice_);
    EXPECT_EQ(taken->blog_id, blog_);
    EXPECT_EQ(taken->client_id, "https://app.example/");
    EXPECT_EQ(taken->redirect_uri, "https://app.example/back");
    EXPECT_EQ(taken->code_challenge, "challenge");
    EXPECT_EQ(taken->scope, "create media");
    EXPECT_EQ(taken->expires_at, code.expires_at);
    EXPECT_FALSE(take("code-hash").has_value());
    EXPECT_FALSE(take("other-hash").has_value());
}

TEST_P(AccessTokenStoreTest, TokensAreKeptByHashListedUsedAndRevoked) {
    const auto first = grant(alice_, "hash-1", "create");
    clock_.advance(1h);
    const auto second = grant(alice_, "hash-2", "create update delete media");
    grant(bob_, "hash-bob", "create");
    auto found = store_->access_tokens().find_access_token("hash-2");
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->id, second);
    EXPECT_EQ((*found)->user_id, alice_);
    EXPECT_EQ((*found)->blog_id, blog_);
    EXPECT_EQ((*found)->scope, "create update delete media");
    EXPECT_EQ((*found)->created_at, clock_.now());
    EXPECT_FALSE((*found)->last_used_at.has_value());
    EXPECT_FALSE(store_->access_tokens().find_access_token("hash-none")->has_value());

    clock_.advance(5min);
    ASSERT_TRUE(write([&](Writer& writer) {
                    return writer.access_tokens().record_access_token_use(second);
                }).has_value());
    EXPECT_EQ(store_->access_tokens().find_access_token("hash-2").value()->last_used_at,
              clock_.now());

    auto listed = store_->access_tokens().access_tokens_of(alice_);
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].id, first);
    EXPECT_EQ((*listed)[1].id, second);

    // Nobody revokes another user's token.
    auto foreign = write(
        [&](Writer& writer) { return writer.access_tokens().revoke_access_token(bob_, first); });
    ASSERT_FALSE(foreign.has_value());
    EXPECT_EQ(foreign.error().code, model::Error::Code::not_found);
    ASSERT_TRUE(write([&](Writer& writer) {
                    return writer.access_tokens().revoke_access_token(alice_, first);
                }).has_value());
    EXPECT_FALSE(store_->access_tokens().find_access_token("hash-1")->has_value());

    bool revoked = false;
    ASSERT_TRUE(write([&](Writer& writer) -> Status {
                    auto done = writer.access_tokens().revoke_access_token_by_hash("hash-2");
                    if (!done) return std::unexpected(done.error());
                    revoked = *done;
                    return {};
                }).has_value());
    EXPECT_TRUE(revoked);
    EXPECT_TRUE(store_->access_tokens().access_tokens_of(alice_)->empty());
    EXPECT_TRUE(store_->access_tokens().find_access_token("hash-bob")->has_value());
}

TEST_P(AccessTokenStoreTest, ANewPasswordOrRemovingTheUserEndsTheirTokens) {
    grant(alice_, "hash-alice", "create");
    grant(bob_, "hash-bob", "create");
    ASSERT_TRUE(write([&](Writer& writer) {
                    return writer.accounts().set_password(alice_, "new-hash");
                }).has_value());
    EXPECT_FALSE(store_->access_tokens().find_access_token("hash-alice")->has_value());
    EXPECT_TRUE(store_->access_tokens().find_access_token("hash-bob")->has_value());
    ASSERT_TRUE(
        write([&](Writer& writer) { return writer.accounts().remove_user(bob_); }).has_value());
    EXPECT_FALSE(store_->access_tokens().find_access_token("hash-bob")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, AccessTokenStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

}  // namespace
}  // namespace carnet::store
