// Micropub through carnet's own IndieAuth: the real server driven by a standard-library
// Python client (tests/micropub/client.py) that signs in with PKCE, then publishes, edits,
// deletes and uploads as a Micropub app does; the requests it must refuse leave the
// database as it was.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support.hpp"

namespace carnet::testing {
namespace {

const std::string k_script = std::string(CARNET_SOURCE_DIR) + "/tests/micropub/client.py";
constexpr const char* k_login_password = "correct horse battery staple";

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

class MicropubTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = dir_.path() / "carnet.db";
        ASSERT_EQ(run_carnet({"init", "--db", db_.string(), "--title", "Carnet"}).exit_code, 0);
        for (const auto& [email, role] : std::vector<std::pair<std::string, std::string>>{
                 {"owner@carnet.test", "owner"}, {"moderator@carnet.test", "moderator"}}) {
            auto added = run_carnet({"user", "add", "--db", db_.string(), "--email", email,
                                     "--name", email, "--role", role, "--password-stdin"},
                                    std::string(k_login_password) + "\n");
            ASSERT_EQ(added.exit_code, 0) << added.err;
        }
        server_ = std::make_unique<ServerProcess>(db_);
        ASSERT_NE(server_->port(), 0) << server_->log();
        port_ = std::to_string(server_->port());
    }

    CommandResult script(std::vector<std::string> args) {
        args.insert(args.begin(), {"python3", k_script});
        return run_command(args);
    }

    // A full IndieAuth sign-in of the owner for `scope`; the access token.
    std::string login(const std::string& scope) {
        auto signed_in = script({"login", port_, "owner@carnet.test", k_login_password, scope});
        EXPECT_EQ(signed_in.exit_code, 0) << signed_in.out << signed_in.err << server_->log();
        const auto token = trimmed(signed_in.out);
        EXPECT_EQ(token.size(), 48u) << signed_in.out;
        return token;
    }

    // A refused request must leave everything as it was; a token that was accepted may only
    // have recorded when it was used.
    void expect_refused_unchanged(const std::string& refusal, const std::string& token) {
        const std::vector<std::string> ignored{"access_tokens.last_used_at",
                                               "app_passwords.last_used_at"};
        const auto before = database_fingerprint(db_, ignored);
        auto refused = script({"refuse", refusal, port_, token});
        EXPECT_EQ(refused.exit_code, 0) << refusal << ": " << refused.out << refused.err;
        EXPECT_EQ(database_fingerprint(db_, ignored), before) << refusal;
    }

    TempDir dir_;
    std::filesystem::path db_;
    std::unique_ptr<ServerProcess> server_;
    std::string port_;
};

TEST_F(MicropubTest, AnAppSignsInWithPkceThenPublishesEditsDeletesAndUploads) {
    const auto token = login("create update delete media");
    ASSERT_FALSE(token.empty());
    auto walked = script({"walk", port_, token});
    EXPECT_EQ(walked.exit_code, 0) << walked.out << walked.err << server_->log();
    EXPECT_NE(walked.out.find("walked"), std::string::npos) << walked.out;
}

TEST_F(MicropubTest, RefusedRequestsChangeNothing) {
    const auto token = login("create update delete media");
    const auto update_only = login("update");
    auto moderator = run_carnet({"user", "app-password", "--db", db_.string(), "--email",
                                 "moderator@carnet.test", "--name", "Micropub"});
    ASSERT_EQ(moderator.exit_code, 0) << moderator.err;
    expect_refused_unchanged("no-token", token);
    expect_refused_unchanged("bad-token", "not-a-token");
    expect_refused_unchanged("scope", update_only);
    expect_refused_unchanged("invalid", token);
    // An application password is a bearer token too, and the role still applies.
    expect_refused_unchanged("role", trimmed(moderator.out));
}

TEST_F(MicropubTest, ARevokedTokenIsRefusedAtOnce) {
    const auto token = login("create");
    auto revoked = script({"revoke", port_, token});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.out << revoked.err;
    expect_refused_unchanged("revoked", token);
}

TEST_F(MicropubTest, ANewLoginPasswordEndsTheTokens) {
    const auto token = login("create");
    auto changed = run_carnet({"user", "passwd", "--db", db_.string(), "--email",
                               "owner@carnet.test", "--password-stdin"},
                              "another horse battery staple\n");
    ASSERT_EQ(changed.exit_code, 0) << changed.err;
    expect_refused_unchanged("revoked", token);
}

}  // namespace
}  // namespace carnet::testing
