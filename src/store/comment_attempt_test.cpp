// The comment rate limit's memory on every backend: a sliding window per key, refused attempts
// counted, quiet keys forgotten.
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;

class CommentAttemptStoreTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
    }

    // Whether the attempt was allowed; a failed write fails the test.
    bool attempt(std::string_view key, model::Instant at,
                 AttemptLimits limits = AttemptLimits{.max_attempts = 2, .window = 60s}) {
        bool allowed = false;
        const auto written = store_->write([&](Writer& writer) -> Status {
            auto recorded = writer.comment_attempts().record_comment_attempt(key, at, limits);
            if (!recorded) return std::unexpected(recorded.error());
            allowed = *recorded;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return allowed;
    }

    std::int64_t keys() {
        auto counted = store_->comment_attempts().count_attempt_keys();
        EXPECT_TRUE(counted.has_value()) << counted.error().message;
        return counted.value_or(-1);
    }

    testing::TempDir dir_;
    ManualClock clock_{sys_days{2024y / 3 / 1} + 9h};
    std::unique_ptr<Store> store_;
};

TEST_P(CommentAttemptStoreTest, RefusesPastTheLimitUntilTheWindowHasSlid) {
    const auto t0 = clock_.now();
    EXPECT_TRUE(attempt("comment 192.0.2.1", t0));
    EXPECT_TRUE(attempt("comment 192.0.2.1", t0 + 10s));
    EXPECT_FALSE(attempt("comment 192.0.2.1", t0 + 20s));
    // Another key has an allowance of its own.
    EXPECT_TRUE(attempt("comment 192.0.2.2", t0 + 20s));
    // The first attempt has left the window at 65 s, but the refused one took its place: the
    // attempts at 10 s and 20 s are still in it. At 80 s only the one at 65 s is.
    EXPECT_FALSE(attempt("comment 192.0.2.1", t0 + 65s));
    EXPECT_TRUE(attempt("comment 192.0.2.1", t0 + 80s));
}

TEST_P(CommentAttemptStoreTest, AFloodStaysRefusedAndKeepsAtMostTheLimitPerKey) {
    const auto t0 = clock_.now();
    EXPECT_TRUE(attempt("comment 192.0.2.1", t0));
    EXPECT_TRUE(attempt("comment 192.0.2.1", t0 + 1s));
    for (int i = 2; i < 50; ++i) EXPECT_FALSE(attempt("comment 192.0.2.1", t0 + i * 1s)) << i;
    // The last two were 1 s and 2 s ago.
    EXPECT_FALSE(attempt("comment 192.0.2.1", t0 + 50s));
    EXPECT_TRUE(attempt("comment 192.0.2.1", t0 + 50s + 60s));
}

TEST_P(CommentAttemptStoreTest, ForgetsKeysWhoseWindowHasPassed) {
    const auto t0 = clock_.now();
    for (int i = 0; i < 10; ++i) attempt("comment 198.51.100." + std::to_string(i), t0);
    EXPECT_EQ(keys(), 10);
    attempt("comment 192.0.2.1", t0 + 59s);
    EXPECT_EQ(keys(), 11);
    // A minute after the first ten, their rows are gone; the newest is kept.
    attempt("webmention 192.0.2.1", t0 + 60s);
    EXPECT_EQ(keys(), 2);
    EXPECT_TRUE(attempt("comment 198.51.100.0", t0 + 61s));
}

TEST_P(CommentAttemptStoreTest, ALoweredLimitHoldsAtOnce) {
    const auto t0 = clock_.now();
    const AttemptLimits five{.max_attempts = 5, .window = 60s};
    for (int i = 0; i < 4; ++i) EXPECT_TRUE(attempt("comment 192.0.2.1", t0 + i * 1s, five));
    const AttemptLimits one{.max_attempts = 1, .window = 60s};
    EXPECT_FALSE(attempt("comment 192.0.2.1", t0 + 10s, one));
    EXPECT_FALSE(attempt("comment 192.0.2.1", t0 + 69s, one));
    EXPECT_TRUE(attempt("comment 192.0.2.1", t0 + 69s + 60s, one));
    // No attempt allowed at all: none is remembered either.
    EXPECT_FALSE(attempt("comment 192.0.2.9", t0 + 200s, AttemptLimits{.max_attempts = 0}));
    EXPECT_EQ(keys(), 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, CommentAttemptStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

}  // namespace
}  // namespace carnet::store
