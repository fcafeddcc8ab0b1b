// The login throttle's counts on every backend: counted per key, cleared, and forgotten once
// quiet.
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;

class LoginFailureStoreTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
    }

    Status fail(std::string_view key, model::Instant at, model::Instant forget_before = {}) {
        return store_->write([&](Writer& writer) {
            return writer.login_failures().add_login_failure(key, at, forget_before);
        });
    }

    testing::TempDir dir_;
    ManualClock clock_{sys_days{2024y / 3 / 1} + 9h};
    std::unique_ptr<Store> store_;
};

TEST_P(LoginFailureStoreTest, CountsPerKeyClearsAndForgetsQuietKeys) {
    const auto t0 = clock_.now();
    EXPECT_FALSE(
        store_->login_failures().find_login_failures("account a@example.org")->has_value());
    ASSERT_TRUE(fail("account a@example.org", t0).has_value());
    ASSERT_TRUE(fail("account a@example.org", t0 + 5s).has_value());
    ASSERT_TRUE(fail("address 192.0.2.7", t0 + 6s).has_value());
    auto counted = store_->login_failures().find_login_failures("account a@example.org");
    ASSERT_TRUE(counted.has_value() && counted->has_value());
    EXPECT_EQ((*counted)->count, 2);
    EXPECT_EQ((*counted)->last, t0 + 5s);

    ASSERT_TRUE(store_
                    ->write([](Writer& writer) {
                        return writer.login_failures().clear_login_failures(
                            "account a@example.org");
                    })
                    .has_value());
    EXPECT_FALSE(
        store_->login_failures().find_login_failures("account a@example.org")->has_value());
    EXPECT_TRUE(store_->login_failures().find_login_failures("address 192.0.2.7")->has_value());

    // A failure an hour later forgets the keys quiet since then.
    ASSERT_TRUE(fail("account b@example.org", t0 + 1h, t0 + 10s).has_value());
    EXPECT_FALSE(store_->login_failures().find_login_failures("address 192.0.2.7")->has_value());
    EXPECT_TRUE(store_->login_failures().find_login_failures("account b@example.org")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, LoginFailureStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

}  // namespace
}  // namespace carnet::store
