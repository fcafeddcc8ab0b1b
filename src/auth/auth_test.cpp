#include "auth/auth.hpp"

#include <gtest/gtest.h>

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
