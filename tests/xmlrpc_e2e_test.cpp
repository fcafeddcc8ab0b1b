// Writing from apps: the real server driven by Python's xmlrpc.client as MarsEdit drives a
// blog (tests/xmlrpc/marsedit.py), and the calls it must refuse leaving the database as it
// was.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "support.hpp"

namespace carnet::testing {
namespace {

const std::string k_script = std::string(CARNET_SOURCE_DIR) + "/tests/xmlrpc/marsedit.py";
constexpr const char* k_login_password = "correct horse battery staple";

std::string trimmed(std::string text) {
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    return text;
}

class XmlRpcTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = dir_.path() / "carnet.db";
        ASSERT_EQ(run_carnet({"init", "--db", db_.string(), "--title", "Carnet"}).exit_code, 0);
        for (const auto& [email, role] :
             std::vector<std::pair<std::string, std::string>>{{"owner@carnet.test", "owner"},
                                                              {"author@carnet.test", "author"},
                                                              {"other@carnet.test", "owner"}}) {
            auto added = run_carnet({"user", "add", "--db", db_.string(), "--email", email,
                                     "--name", email, "--role", role, "--password-stdin"},
                                    std::string(k_login_password) + "\n");
            ASSERT_EQ(added.exit_code, 0) << added.err;
        }
        // A second blog, which only other@ writes in.
        auto blog = run_carnet({"blog", "add", "--db", db_.string(), "--host", "other.test",
                                "--title", "Autre", "--owner", "other@carnet.test"});
        ASSERT_EQ(blog.exit_code, 0) << blog.err;
        ASSERT_EQ(run_carnet({"user", "remove", "--db", db_.string(), "--email",
                              "other@carnet.test", "--blog", "1"})
                      .exit_code,
                  0);
        owner_password_ = app_password("owner@carnet.test", "MarsEdit");
        author_password_ = app_password("author@carnet.test", "MarsEdit");
        other_password_ = app_password("other@carnet.test", "MarsEdit");
        // A login delay longer than any test: the throttle's answer cannot depend on how long
        // the machine takes between two requests.
        server_ =
            std::make_unique<ServerProcess>(db_, std::vector<std::string>{"--login-delay", "3600"});
        ASSERT_NE(server_->port(), 0) << server_->log();
        port_ = std::to_string(server_->port());
    }

    std::string app_password(const std::string& email, const std::string& name) {
        auto made = run_carnet(
            {"user", "app-password", "--db", db_.string(), "--email", email, "--name", name});
        EXPECT_EQ(made.exit_code, 0) << made.err;
        const auto password = trimmed(made.out);
        EXPECT_EQ(password.size(), 48u) << made.out;
        return password;
    }

    CommandResult script(std::vector<std::string> args) {
        args.insert(args.begin(), {"python3", k_script});
        return run_command(args);
    }

    std::string publish(const std::string& email, const std::string& password,
                        const std::string& blog, const std::string& title) {
        auto posted = script({"post", port_, email, password, blog, title});
        EXPECT_EQ(posted.exit_code, 0) << posted.out << posted.err;
        return trimmed(posted.out);
    }

    // A refused call must leave everything as it was; a sign-in that succeeded may only
    // have recorded when the password was used, and a wrong password counts as a guess for the
    // login throttle (shared with the admin's form).
    void expect_refused_unchanged(std::vector<std::string> args) {
        const std::vector<std::string> ignored{"app_passwords.last_used_at", "login_failures.*"};
        const auto before = database_fingerprint(db_, ignored);
        args.insert(args.begin(), "refuse");
        auto refused = script(args);
        EXPECT_EQ(refused.exit_code, 0) << refused.out << refused.err << server_->log();
        EXPECT_EQ(database_fingerprint(db_, ignored), before) << args[1];
    }

    TempDir dir_;
    std::filesystem::path db_;
    std::string owner_password_, author_password_, other_password_;
    std::unique_ptr<ServerProcess> server_;
    std::string port_;
};

TEST_F(XmlRpcTest, MarsEditPublishesEditsFilesSchedulesAndDeletes) {
    auto walked = script({"walk", port_, "owner@carnet.test", owner_password_});
    EXPECT_EQ(walked.exit_code, 0) << walked.out << walked.err << server_->log();
    EXPECT_NE(walked.out.find("walked"), std::string::npos) << walked.out;
    // The app's password was used, which the listing says.
    auto listed =
        run_carnet({"user", "app-password", "--db", db_.string(), "--email", "owner@carnet.test"});
    EXPECT_EQ(listed.exit_code, 0);
    EXPECT_NE(listed.out.find("MarsEdit"), std::string::npos);
    EXPECT_EQ(listed.out.find("never"), std::string::npos) << listed.out;
}

TEST_F(XmlRpcTest, RefusedCallsChangeNothing) {
    const auto owners_post = publish("owner@carnet.test", owner_password_, "1", "Du propriétaire");
    const auto other_blogs_post = publish("other@carnet.test", other_password_, "2", "D'ailleurs");
    ASSERT_FALSE(owners_post.empty());
    ASSERT_FALSE(other_blogs_post.empty());
    expect_refused_unchanged({"wrong-password", port_, "owner@carnet.test", "1"});
    expect_refused_unchanged({"login-password", port_, "owner@carnet.test", k_login_password, "1"});
    expect_refused_unchanged(
        {"other-blog", port_, "owner@carnet.test", owner_password_, other_blogs_post});
    expect_refused_unchanged(
        {"author-edit", port_, "author@carnet.test", author_password_, owners_post});
    expect_refused_unchanged({"billion-laughs", port_, "owner@carnet.test", owner_password_, "1"});
    expect_refused_unchanged({"oversized", port_});
}

TEST_F(XmlRpcTest, ARevokedApplicationPasswordIsRefusedAtOnce) {
    ASSERT_FALSE(publish("owner@carnet.test", owner_password_, "1", "Avant").empty());
    auto revoked = run_carnet({"user", "app-password", "--db", db_.string(), "--email",
                               "owner@carnet.test", "--revoke", "MarsEdit"});
    ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
    // The revoked password is now as wrong as any other.
    auto refused =
        script({"refuse", "login-password", port_, "owner@carnet.test", owner_password_, "1"});
    EXPECT_EQ(refused.exit_code, 0) << refused.out << refused.err;
}

// One throttle for the login form and the API: guesses made through XML-RPC slow the form.
TEST_F(XmlRpcTest, GuessesThroughTheApiSlowTheLoginFormToo) {
    for (int i = 0; i < 4; ++i) {
        auto refused = script({"refuse", "wrong-password", port_, "owner@carnet.test", "1"});
        ASSERT_EQ(refused.exit_code, 0) << refused.out;
    }
    const auto login_page = http_get(server_->port(), "/admin/login");
    ASSERT_EQ(login_page.status, 200);
    std::smatch token;
    ASSERT_TRUE(std::regex_search(login_page.body, token,
                                  std::regex(R"re(name="csrf" value="([^"]+)")re")));
    const auto login =
        http_get(server_->port(), "/admin/login",
                 {{"Cookie", "carnet_login=" + cookie_set(login_page, "carnet_login")},
                  {"Content-Type", "application/x-www-form-urlencoded"}},
                 "POST",
                 form_encode({{"email", "owner@carnet.test"},
                              {"password", k_login_password},
                              {"csrf", token[1].str()}}));
    EXPECT_EQ(login.status, 429) << login.body;
    EXPECT_TRUE(cookie_set(login, "carnet_session").empty());
}

}  // namespace
}  // namespace carnet::testing
