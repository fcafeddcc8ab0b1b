// End-to-end: `carnet backup` of the database a real server keeps writing comments to, and
// `carnet restore` of that copy, read back with the sqlite3 command; and the delay a comment
// waits for before it reads as a person's.
#include <gtest/gtest.h>

#include <atomic>
#include <cctype>
#include <condition_variable>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>

#include "support.hpp"

namespace carnet::testing {
namespace {

const std::filesystem::path k_fixture =
    std::filesystem::path(CARNET_FIXTURES_DIR) / "hautetfort-front-page.txt";
const std::string k_post_path =
    "/archive/2017/10/04/l-etat-islamique-attaque-le-tribunal-de-misrata.html";

std::vector<std::string> sqlite_lines(const std::filesystem::path& db, const std::string& sql) {
    const auto result = run_command({"sqlite3", db.string(), sql});
    EXPECT_EQ(result.exit_code, 0) << result.err;
    std::vector<std::string> lines;
    std::istringstream out(result.out);
    for (std::string line; std::getline(out, line);) lines.push_back(line);
    return lines;
}

struct CommentForm {
    std::string action;
    std::string stamp;
};

// The comment form of the fixture's post, as the server at `port` serves it now.
std::optional<CommentForm> comment_form(std::uint16_t port) {
    const auto page = http_get(port, k_post_path);
    if (page.status != 200) return std::nullopt;
    std::smatch form;
    static const std::regex form_parts(
        R"re(<form id="comment-form"[^>]*action="([^"]+)"[\s\S]*?name="stamp" value="([^"]+)")re");
    if (!std::regex_search(page.body, form, form_parts)) return std::nullopt;
    return CommentForm{form[1].str(), form[2].str()};
}

// Sends one comment through the form at once and answers the status of what was stored.
std::vector<std::string> send_at_once(std::uint16_t port, const CommentForm& form,
                                      const std::filesystem::path& db, const std::string& body) {
    const auto sent = http_get(
        port, form.action, {{"Content-Type", "application/x-www-form-urlencoded"}}, "POST",
        form_encode(
            {{"name", "Lectrice"}, {"body", body}, {"stamp", form.stamp}, {"homepage", ""}}));
    if (sent.status != 303) return {"answered " + std::to_string(sent.status)};
    return sqlite_lines(db, "SELECT status FROM comments WHERE source = '" + body + "'");
}

std::string comment_body(int number) {
    return "Commentaire numéro " + std::to_string(number) + " envoyé pendant la sauvegarde";
}

// Posts comments through the post's form, one after another, until stopped, and remembers
// which ones the server acknowledged with a 303 (stored).
class CommentPoster {
public:
    CommentPoster(std::uint16_t port, std::string action, std::string stamp)
        : port_(port), action_(std::move(action)), stamp_(std::move(stamp)) {
        thread_ = std::thread([this] { post_until_stopped(); });
    }
    ~CommentPoster() { stop(); }

    void stop() {
        stop_ = true;
        if (thread_.joinable()) thread_.join();
    }
    std::vector<int> acknowledged() const {
        std::scoped_lock lock(mutex_);
        return acknowledged_;
    }
    std::vector<std::string> failures() const {
        std::scoped_lock lock(mutex_);
        return failures_;
    }

    // Waits until at least `count` comments are acknowledged, or the deadline passes.
    bool wait_for(std::size_t count, std::chrono::seconds deadline) const {
        std::unique_lock lock(mutex_);
        return answered_.wait_for(lock, deadline, [&] { return acknowledged_.size() >= count; });
    }

private:
    void post_until_stopped() {
        for (int number = 1; !stop_; ++number) {
            const auto body = form_encode({{"name", "Lecteur " + std::to_string(number)},
                                           {"body", comment_body(number)},
                                           {"stamp", stamp_},
                                           {"homepage", ""}});
            // One address per comment, so the rate limit does not send them to the spam queue
            // (they would be stored all the same).
            const auto address = client_address(number);
            const auto answer = http_get(port_, action_,
                                         {{"Content-Type", "application/x-www-form-urlencoded"},
                                          {"X-Forwarded-For", address}},
                                         "POST", body);
            std::scoped_lock lock(mutex_);
            if (answer.status == 303) {
                acknowledged_.push_back(number);
                answered_.notify_all();
            } else {
                failures_.push_back(std::to_string(number) + ": " + std::to_string(answer.status));
            }
        }
    }

    static std::string client_address(int number) {
        return "10.0." + std::to_string(number / 250 % 250) + "." +
               std::to_string(number % 250 + 1);
    }

    std::uint16_t port_;
    std::string action_;
    std::string stamp_;
    std::atomic<bool> stop_ = false;
    mutable std::mutex mutex_;
    mutable std::condition_variable answered_;
    std::vector<int> acknowledged_;
    std::vector<std::string> failures_;
    std::thread thread_;
};

TEST(Backup, ACopyTakenWhileCommentsArriveRestoresEveryCommentAcknowledgedBeforeIt) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Sauvegarde"}).exit_code, 0);
    ASSERT_EQ(
        run_carnet({"import", "page-text", "--db", db.string(), k_fixture.string()}).exit_code, 0);
    // No delay before a comment is accepted: what this test sends is not what it is about.
    ServerProcess server(
        db, {"--trusted-proxy", "127.0.0.1", "--no-access-log", "--comment-delay", "0"});
    ASSERT_NE(server.port(), 0) << server.log();
    const auto form = comment_form(server.port());
    ASSERT_TRUE(form) << server.log();

    CommentPoster poster(server.port(), form->action, form->stamp);
    ASSERT_TRUE(poster.wait_for(20, std::chrono::seconds(60))) << poster.failures().size();
    // Every comment acknowledged now was committed before the backup command starts.
    const auto acknowledged_before = poster.acknowledged();
    const auto backup = dir.path() / "backup.db";
    const auto backed_up = run_carnet({"backup", "--db", db.string(), backup.string()});
    const auto acknowledged_by_end = poster.acknowledged().size();
    // The server went on taking comments: the backup did not lock it out.
    EXPECT_TRUE(poster.wait_for(acknowledged_by_end + 5, std::chrono::seconds(30)));
    poster.stop();
    ASSERT_EQ(backed_up.exit_code, 0) << backed_up.err;
    EXPECT_NE(backed_up.out.find("pages"), std::string::npos) << backed_up.out;
    EXPECT_TRUE(poster.failures().empty()) << poster.failures().front();

    const auto restored_db = dir.path() / "restored" / "blog.db";
    std::filesystem::create_directory(restored_db.parent_path());
    const auto restored = run_carnet({"restore", "--db", restored_db.string(), backup.string()});
    ASSERT_EQ(restored.exit_code, 0) << restored.err;
    EXPECT_EQ(sqlite_lines(restored_db, "PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    const auto stored = sqlite_lines(restored_db, "SELECT source FROM comments");
    const std::set<std::string> stored_bodies(stored.begin(), stored.end());
    for (const int number : acknowledged_before) {
        EXPECT_TRUE(stored_bodies.contains(comment_body(number))) << "comment " << number;
    }
    EXPECT_GE(stored_bodies.size(), acknowledged_before.size());

    // The restored database serves: its comments show on the post.
    ServerProcess restored_server(restored_db);
    ASSERT_NE(restored_server.port(), 0) << restored_server.log();
    const auto restored_page = http_get(restored_server.port(), k_post_path);
    EXPECT_EQ(restored_page.status, 200);
    EXPECT_NE(restored_page.body.find(comment_body(acknowledged_before.front())),
              std::string::npos);
}

TEST(Backup, RestoreOverARunningServerIsRefusedAndBackupNeverOverwritesTheDatabase) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "En service"}).exit_code, 0);
    const auto backup = dir.path() / "backup.db";
    ASSERT_EQ(run_carnet({"backup", "--db", db.string(), backup.string()}).exit_code, 0);
    ASSERT_EQ(
        run_carnet({"import", "page-text", "--db", db.string(), k_fixture.string()}).exit_code, 0);

    ServerProcess server(db);
    ASSERT_NE(server.port(), 0) << server.log();
    const auto refused = run_carnet({"restore", "--db", db.string(), backup.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("--force"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("was not changed"), std::string::npos) << refused.err;
    EXPECT_EQ(sqlite_lines(db, "SELECT count(*) FROM posts"), std::vector<std::string>{"3"});

    const auto onto_itself = run_carnet({"backup", "--db", db.string(), db.string()});
    EXPECT_EQ(onto_itself.exit_code, 1);
    EXPECT_NE(onto_itself.err.find("the database itself"), std::string::npos) << onto_itself.err;
    EXPECT_EQ(http_get(server.port(), k_post_path).status, 200);

    const auto not_a_backup = dir.path() / "notes.txt";
    std::ofstream(not_a_backup) << "pas une sauvegarde\n";
    const auto garbage = run_carnet({"restore", "--db", db.string(), not_a_backup.string()});
    EXPECT_EQ(garbage.exit_code, 1);
    EXPECT_NE(garbage.err.find("not a SQLite database"), std::string::npos) << garbage.err;

    // With the server stopped the same restore goes through.
    ASSERT_EQ(server.stop(), 0);
    const auto done = run_carnet({"restore", "--db", db.string(), backup.string()});
    ASSERT_EQ(done.exit_code, 0) << done.err;
    EXPECT_EQ(sqlite_lines(db, "SELECT count(*) FROM posts"), std::vector<std::string>{"0"});
}

}  // namespace
}  // namespace carnet::testing

namespace carnet::testing {
namespace {

TEST(CommentDelay, ACommentSentSoonerThanTheDelayIsARobotsAndLaterOnesAreNot) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Délai"}).exit_code, 0);
    ASSERT_EQ(
        run_carnet({"import", "page-text", "--db", db.string(), k_fixture.string()}).exit_code, 0);
    {
        // An hour: however slow this machine, the comment comes back sooner than that.
        ServerProcess server(db, {"--no-access-log", "--comment-delay", "3600"});
        ASSERT_NE(server.port(), 0) << server.log();
        const auto form = comment_form(server.port());
        ASSERT_TRUE(form) << server.log();
        EXPECT_EQ(send_at_once(server.port(), *form, db, "Trop rapide pour un lecteur."),
                  std::vector<std::string>{"spam"});
    }
    ServerProcess server(db, {"--no-access-log", "--comment-delay", "0"});
    ASSERT_NE(server.port(), 0) << server.log();
    const auto form = comment_form(server.port());
    ASSERT_TRUE(form) << server.log();
    const auto stored = send_at_once(server.port(), *form, db, "Sans délai, rien de suspect.");
    ASSERT_EQ(stored.size(), 1u);
    EXPECT_NE(stored.front(), "spam");
}

}  // namespace
}  // namespace carnet::testing
