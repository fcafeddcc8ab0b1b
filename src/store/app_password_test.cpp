// Application passwords on every backend: kept by hash, named, used, revoked, and ended with
// the account's password or the account itself.
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;

class AppPasswordStoreTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        alice_ = add_user("alice@example.org");
        bob_ = add_user("bob@example.org");
    }

    std::int64_t add_user(const std::string& email) {
        std::int64_t id = 0;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto created = writer.accounts().create_user(model::User{0, email, "Someone"}, "hash");
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return id;
    }

    Result<std::int64_t> create(std::int64_t user_id, std::string_view name,
                                std::string_view hash) {
        std::int64_t id = 0;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto created = writer.app_passwords().create_app_password(user_id, name, hash);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        if (!written) return std::unexpected(written.error());
        return id;
    }

    Status write(const std::function<Status(Writer&)>& body) { return store_->write(body); }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{2024y / 3 / 1} + 9h};
    std::unique_ptr<Store> store_;
    std::int64_t alice_ = 0;
    std::int64_t bob_ = 0;
};

TEST_P(AppPasswordStoreTest, KeptByHashNamedAndListedByName) {
    ASSERT_TRUE(create(alice_, "MarsEdit", "hash-mars").has_value());
    ASSERT_TRUE(create(alice_, "Phone", "hash-phone").has_value());
    auto found = store_->app_passwords().find_app_password("hash-phone");
    ASSERT_TRUE(found.has_value()) << found.error().message;
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->user_id, alice_);
    EXPECT_EQ((*found)->name, "Phone");
    EXPECT_EQ((*found)->created_at, clock_.now());
    EXPECT_FALSE((*found)->last_used_at.has_value());
    auto unknown = store_->app_passwords().find_app_password("hash-other");
    ASSERT_TRUE(unknown.has_value());
    EXPECT_FALSE(unknown->has_value());
    auto listed = store_->app_passwords().app_passwords_of(alice_);
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].name, "MarsEdit");
    EXPECT_EQ((*listed)[1].name, "Phone");
    EXPECT_TRUE(store_->app_passwords().app_passwords_of(bob_)->empty());
}

TEST_P(AppPasswordStoreTest, NamesAreUniquePerUserAndNeverEmpty) {
    ASSERT_TRUE(create(alice_, "MarsEdit", "hash-1").has_value());
    auto again = create(alice_, "MarsEdit", "hash-2");
    ASSERT_FALSE(again.has_value());
    EXPECT_EQ(again.error().code, Error::Code::conflict);
    EXPECT_TRUE(create(bob_, "MarsEdit", "hash-3").has_value());
    auto empty = create(alice_, "", "hash-4");
    ASSERT_FALSE(empty.has_value());
    EXPECT_EQ(empty.error().code, Error::Code::invalid_input);
    auto long_name = create(alice_, std::string(101, 'x'), "hash-5");
    ASSERT_FALSE(long_name.has_value());
    EXPECT_EQ(long_name.error().code, Error::Code::invalid_input);
    EXPECT_EQ(store_->app_passwords().app_passwords_of(alice_)->size(), 1u);
}

TEST_P(AppPasswordStoreTest, UseIsRecordedAtTheStoresClock) {
    auto id = create(alice_, "MarsEdit", "hash-mars");
    ASSERT_TRUE(id.has_value());
    clock_.advance(hours(5));
    ASSERT_TRUE(write([&](Writer& writer) {
                    return writer.app_passwords().record_app_password_use(*id);
                }).has_value());
    auto found = store_->app_passwords().find_app_password("hash-mars");
    ASSERT_TRUE(found.has_value() && found->has_value());
    ASSERT_TRUE((*found)->last_used_at.has_value());
    EXPECT_EQ(*(*found)->last_used_at, clock_.now());
    EXPECT_EQ((*found)->created_at, clock_.now() - hours(5));
}

TEST_P(AppPasswordStoreTest, RevokedByNameOnlyForItsUser) {
    ASSERT_TRUE(create(alice_, "MarsEdit", "hash-alice").has_value());
    ASSERT_TRUE(create(bob_, "MarsEdit", "hash-bob").has_value());
    ASSERT_TRUE(write([&](Writer& writer) {
                    return writer.app_passwords().revoke_app_password(alice_, "MarsEdit");
                }).has_value());
    EXPECT_FALSE(store_->app_passwords().find_app_password("hash-alice")->has_value());
    EXPECT_TRUE(store_->app_passwords().find_app_password("hash-bob")->has_value());
    auto unknown = write([&](Writer& writer) {
        return writer.app_passwords().revoke_app_password(alice_, "MarsEdit");
    });
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, Error::Code::not_found);
}

TEST_P(AppPasswordStoreTest, EndedByANewLoginPasswordAndWithTheAccount) {
    ASSERT_TRUE(create(alice_, "MarsEdit", "hash-alice").has_value());
    ASSERT_TRUE(create(bob_, "MarsEdit", "hash-bob").has_value());
    ASSERT_TRUE(write([&](Writer& writer) {
                    return writer.accounts().set_password(alice_, "new-hash");
                }).has_value());
    EXPECT_FALSE(store_->app_passwords().find_app_password("hash-alice")->has_value());
    EXPECT_TRUE(store_->app_passwords().app_passwords_of(alice_)->empty());
    ASSERT_TRUE(
        write([&](Writer& writer) { return writer.accounts().remove_user(bob_); }).has_value());
    EXPECT_FALSE(store_->app_passwords().find_app_password("hash-bob")->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, AppPasswordStoreTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

}  // namespace
}  // namespace carnet::store
