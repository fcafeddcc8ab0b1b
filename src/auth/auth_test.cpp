#include "auth/auth.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace carnet::auth {
namespace {

TEST(Password, HashIsArgon2idAndDoesNotContainThePassword) {
    const auto hash = hash_password("tribunal de Misrata");
    ASSERT_TRUE(hash.has_value()) << hash.error().message;
    EXPECT_TRUE(hash->starts_with("$argon2id$")) << *hash;
    EXPECT_EQ(hash->find("Misrata"), std::string::npos);
}

TEST(Password, VerifiesTheRightPasswordOnly) {
    const auto hash = hash_password("correct horse");
    ASSERT_TRUE(hash.has_value());
    EXPECT_TRUE(verify_password(*hash, "correct horse"));
    EXPECT_FALSE(verify_password(*hash, "correct horsE"));
    EXPECT_FALSE(verify_password(*hash, ""));
    EXPECT_FALSE(verify_password("not a hash", "correct horse"));
}

TEST(Password, SamePasswordHashesDifferentlyEachTime) {
    EXPECT_NE(*hash_password("même"), *hash_password("même"));
}

TEST(Password, EmptyAndHugePasswordsAreRefused) {
    EXPECT_FALSE(hash_password("").has_value());
    EXPECT_FALSE(hash_password(std::string(5000, 'x')).has_value());
}

TEST(Token, IsHexOfTheRequestedLengthAndNeverRepeats) {
    std::set<std::string> seen;
    for (int i = 0; i < 100; ++i) {
        const auto token = random_token(32);
        EXPECT_EQ(token.size(), 64u);
        EXPECT_EQ(token.find_first_not_of("0123456789abcdef"), std::string::npos);
        EXPECT_TRUE(seen.insert(token).second);
    }
}

}  // namespace
}  // namespace carnet::auth

namespace carnet::auth {
namespace {

using namespace std::chrono_literals;

TEST(TokenHash, IsStableHexAndHidesTheToken) {
    const auto token = random_token();
    EXPECT_EQ(hash_token(token), hash_token(token));
    EXPECT_NE(hash_token(token), hash_token(random_token()));
    EXPECT_EQ(hash_token(token).size(), 64u);
    EXPECT_EQ(hash_token(token).find(token.substr(0, 16)), std::string::npos);
}

TEST(SecretsEqual, ComparesWholeSecrets) {
    EXPECT_TRUE(secrets_equal("abc123", "abc123"));
    EXPECT_FALSE(secrets_equal("abc123", "abc124"));
    EXPECT_FALSE(secrets_equal("abc123", "abc1234"));
    EXPECT_FALSE(secrets_equal("", "x"));
}

TEST(LoginThrottle, FirstFailuresAreFreeThenDelaysDouble) {
    LoginThrottle throttle;
    const auto start = LoginThrottle::TimePoint{} + 1000h;
    for (int i = 0; i < 3; ++i) throttle.record_failure("jr@example.org", "10.0.0.1", start);
    EXPECT_EQ(throttle.retry_after("jr@example.org", "10.0.0.1", start), 0s);
    throttle.record_failure("jr@example.org", "10.0.0.1", start);
    EXPECT_EQ(throttle.retry_after("jr@example.org", "10.0.0.1", start), 1s);
    throttle.record_failure("jr@example.org", "10.0.0.1", start);
    EXPECT_EQ(throttle.retry_after("jr@example.org", "10.0.0.1", start), 2s);
    throttle.record_failure("jr@example.org", "10.0.0.1", start);
    EXPECT_EQ(throttle.retry_after("jr@example.org", "10.0.0.1", start + 1s), 3s);
    EXPECT_EQ(throttle.retry_after("jr@example.org", "10.0.0.1", start + 10s), 0s);
}

TEST(LoginThrottle, CountsPerAccountAndPerAddress) {
    LoginThrottle throttle;
    const auto now = LoginThrottle::TimePoint{} + 1000h;
    // One address guessing many accounts is slowed down on every account...
    for (int i = 0; i < 6; ++i) {
        throttle.record_failure("user" + std::to_string(i) + "@example.org", "10.0.0.9", now);
    }
    EXPECT_GT(throttle.retry_after("new@example.org", "10.0.0.9", now), 0s);
    EXPECT_EQ(throttle.retry_after("new@example.org", "10.0.0.10", now), 0s);
    // ...and many addresses guessing one account slow down that account everywhere.
    for (int i = 0; i < 6; ++i) {
        throttle.record_failure("target@example.org", "10.1.0." + std::to_string(i), now);
    }
    EXPECT_GT(throttle.retry_after("target@example.org", "10.2.0.1", now), 0s);
}

TEST(LoginThrottle, SuccessClearsTheAccountButNotTheAddress) {
    LoginThrottle throttle;
    const auto now = LoginThrottle::TimePoint{} + 1000h;
    for (int i = 0; i < 6; ++i) throttle.record_failure("jr@example.org", "10.0.0.1", now);
    throttle.record_success("jr@example.org");
    EXPECT_EQ(throttle.retry_after("jr@example.org", "10.0.0.2", now), 0s);
    EXPECT_GT(throttle.retry_after("jr@example.org", "10.0.0.1", now), 0s);
}

TEST(LoginThrottle, DelayIsCappedAndQuietEntriesAreForgotten) {
    LoginThrottle throttle(LoginThrottle::Limits{.max_entries = 4});
    const auto now = LoginThrottle::TimePoint{} + 1000h;
    for (int i = 0; i < 100; ++i) throttle.record_failure("jr@example.org", "10.0.0.1", now);
    EXPECT_EQ(throttle.retry_after("jr@example.org", "10.0.0.1", now), 15min);
    const auto later = now + 2h;
    throttle.record_failure("other@example.org", "10.0.0.2", later);
    throttle.record_failure("third@example.org", "10.0.0.3", later);
    // Had the old count of 100 survived, one more failure would cost the full 15 minutes.
    throttle.record_failure("jr@example.org", "10.0.0.1", later);
    EXPECT_EQ(throttle.retry_after("jr@example.org", "10.0.0.1", later), 0s);
}

// Two throttles on one ledger stand for two nodes on one database (the ledger the server uses
// is the store's: tested in store/login_failure_test.cpp and tests/multinode_e2e_test.cpp).
class MapLedger final : public ThrottleLedger {
public:
    Result<std::optional<Entry>> find(std::string_view key) override {
        if (!answering) return std::unexpected(Error{Error::Code::database, "down"});
        auto found = entries.find(std::string(key));
        if (found == entries.end()) return std::optional<Entry>{};
        return std::optional<Entry>{found->second};
    }
    bool add_failure(std::string_view key, std::chrono::sys_seconds now,
                     std::chrono::sys_seconds) override {
        if (!answering) return false;
        auto& entry = entries[std::string(key)];
        ++entry.count;
        entry.last = now;
        return true;
    }
    bool clear(std::string_view key) override { return entries.erase(std::string(key)) > 0; }

    std::map<std::string, Entry> entries;
    bool answering = true;
};

TEST(LoginThrottle, ThrottlesSharingALedgerCountEachOthersFailures) {
    auto ledger = std::make_shared<MapLedger>();
    LoginThrottle first({}, ledger);
    LoginThrottle second({}, ledger);
    const auto start = LoginThrottle::TimePoint{} + 1000h;
    for (int i = 0; i < 4; ++i) first.record_failure("jr@example.org", "10.0.0.1", start);
    EXPECT_GT(second.retry_after("jr@example.org", "10.0.0.9", start), 0s);
    EXPECT_GT(second.retry_after("other@example.org", "10.0.0.1", start), 0s);
    EXPECT_EQ(second.retry_after("other@example.org", "10.0.0.9", start), 0s);
    // A success on the second node clears the account everywhere, not the address.
    second.record_success("jr@example.org");
    EXPECT_EQ(first.retry_after("jr@example.org", "10.0.0.9", start), 0s);
    EXPECT_GT(first.retry_after("jr@example.org", "10.0.0.1", start), 0s);
    // A ledger that stops answering leaves each throttle its own count.
    ledger->answering = false;
    for (int i = 0; i < 4; ++i) first.record_failure("ann@example.org", "10.0.0.2", start);
    EXPECT_GT(first.retry_after("ann@example.org", "10.0.0.3", start), 0s);
}

}  // namespace
}  // namespace carnet::auth
