// Backups of a live database and their restoration: the snapshot holds what was committed
// before it began, and a restore either installs a checked file or changes nothing.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <fstream>
#include <set>
#include <sstream>
#include <thread>

#include "store/store.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

std::string bytes_of(const fs::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream bytes;
    bytes << file.rdbuf();
    return bytes.str();
}

void write_bytes(const fs::path& path, std::string_view bytes) {
    std::ofstream file(path, std::ios::binary | std::ios::trunc);
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// A raw connection, to look at a file as SQLite sees it or to damage it on purpose.
class RawDatabase {
public:
    explicit RawDatabase(const fs::path& path) {
        sqlite3* raw = nullptr;
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr);
        db_.reset(raw);
    }
    // Every row's first column, as text; empty on error (the error is in error_).
    std::vector<std::string> column(const std::string& sql) {
        std::vector<std::string> values;
        char* message = nullptr;
        sqlite3_exec(
            db_.get(), sql.c_str(),
            [](void* out, int, char** row, char**) {
                static_cast<std::vector<std::string>*>(out)->push_back(row[0] ? row[0] : "NULL");
                return 0;
            },
            &values, &message);
        error_ = message ? message : "";
        sqlite3_free(message);
        return values;
    }
    void execute(const std::string& sql) {
        column(sql);
        ASSERT_EQ(error_, "") << sql;
    }
    const std::string& error() const { return error_; }

private:
    struct Closer {
        void operator()(sqlite3* db) const { sqlite3_close_v2(db); }
    };
    std::unique_ptr<sqlite3, Closer> db_;
    std::string error_;
};

class BackupTest : public ::testing::Test {
protected:
    void SetUp() override {
        db_ = dir_.path() / "blog.db";
        auto opened = open_sqlite_store(db_, OpenMode::create_if_missing, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        ASSERT_TRUE(store_
                        ->write([&](Writer& writer) -> Status {
                            model::Blog blog;
                            blog.title = "Sauvegardes";
                            blog.hosts = {"blog.example.org"};
                            auto blog_id = writer.blogs().create_blog(blog);
                            if (!blog_id) return std::unexpected(blog_id.error());
                            blog_id_ = *blog_id;
                            model::Post post;
                            post.blog_id = blog_id_;
                            post.status = model::PostStatus::published;
                            post.title = "Un billet commenté";
                            post.source_format = model::SourceFormat::html;
                            post.source = post.html = "<p>Texte</p>";
                            post.published_at = post.updated_at =
                                model::Instant{} + std::chrono::hours(400'000);
                            post.categories.push_back(model::Category{.name = "Libye"});
                            auto post_id = writer.posts().create_post(post);
                            if (!post_id) return std::unexpected(post_id.error());
                            post_id_ = *post_id;
                            return {};
                        })
                        .has_value());
    }

    Status add_comment(int number, std::size_t body_bytes = 20) {
        return store_->write([&](Writer& writer) -> Status {
            model::Comment comment{
                .blog_id = blog_id_,
                .post_id = post_id_,
                .author_name = "Lectrice " + std::to_string(number),
                .source = std::to_string(number) + " " + std::string(body_bytes, 'x'),
                .html = "<p>" + std::to_string(number) + "</p>",
                .status = model::CommentStatus::approved,
                .created_at = model::Instant{} + std::chrono::hours(400'001)};
            auto added = writer.comments().add_comment(comment);
            if (!added) return std::unexpected(added.error());
            return {};
        });
    }

    // Comment numbers as stored in the file at `path`, read by SQLite alone.
    static std::vector<std::string> comment_numbers(const fs::path& path) {
        RawDatabase db(path);
        return db.column("SELECT CAST(source AS INTEGER) FROM comments ORDER BY 1");
    }

    // A good backup taken now, for tests to damage.
    fs::path good_backup(const std::string& name) {
        const auto path = dir_.path() / name;
        auto report = backup_sqlite_database(db_, path);
        EXPECT_TRUE(report.has_value()) << report.error().message;
        return path;
    }

    std::set<std::string> files_in_folder() const {
        std::set<std::string> names;
        for (const auto& entry : fs::directory_iterator(dir_.path())) {
            names.insert(entry.path().filename().string());
        }
        return names;
    }

    TempDir dir_;
    fs::path db_;
    ManualClock clock_{std::chrono::sys_days{std::chrono::year{2026} / 11 / 25}};
    std::unique_ptr<Store> store_;
    std::int64_t blog_id_ = 0;
    std::int64_t post_id_ = 0;
};

TEST_F(BackupTest, Backup_HoldsEveryRowCommittedBeforeItBeganWhileAnotherThreadWrites) {
    // Enough data for the copy to take several steps.
    for (int number = 1; number <= 300; ++number) {
        ASSERT_TRUE(add_comment(number, 2000).has_value());
    }
    std::atomic<int> committed = 300;
    std::atomic<bool> stop = false;
    std::string writer_error;
    std::thread writer([&] {
        for (int number = 301; !stop; ++number) {
            auto added = add_comment(number, 2000);
            if (!added) {
                writer_error = added.error().message;
                return;
            }
            committed = number;
        }
    });
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (committed < 350 && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
    }
    const int committed_before = committed;
    const auto backup = dir_.path() / "backup.db";
    auto report = backup_sqlite_database(db_, backup);
    const int committed_after = committed;
    stop = true;
    writer.join();
    ASSERT_EQ(writer_error, "");
    ASSERT_TRUE(report.has_value()) << report.error().message;
    EXPECT_GT(report->pages, 100);
    EXPECT_EQ(report->bytes, report->pages * report->page_size);

    RawDatabase copy(backup);
    EXPECT_EQ(copy.column("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
    EXPECT_EQ(copy.column("PRAGMA journal_mode"), std::vector<std::string>{"delete"});
    const auto numbers = comment_numbers(backup);
    // A snapshot: the numbers run from 1 without a gap, up to at least what was committed
    // before the backup began and at most what was committed when it ended.
    ASSERT_GE(static_cast<int>(numbers.size()), committed_before);
    EXPECT_LE(static_cast<int>(numbers.size()), committed_after);
    for (std::size_t i = 0; i < numbers.size(); ++i) {
        ASSERT_EQ(numbers[i], std::to_string(i + 1));
    }
    EXPECT_FALSE(fs::exists(backup.string() + "-wal"));
    EXPECT_EQ(files_in_folder(),
              (std::set<std::string>{"backup.db", "blog.db", "blog.db-shm", "blog.db-wal"}));
}

TEST_F(BackupTest, Backup_RefusesToOverwriteTheLiveDatabase) {
    const auto before = bytes_of(db_);
    for (const auto& target : {db_, fs::path(db_.string() + "-wal"), dir_.path() / "." / "blog.db",
                               fs::path(db_.string() + "-journal")}) {
        auto refused = backup_sqlite_database(db_, target);
        ASSERT_FALSE(refused.has_value()) << target;
        EXPECT_EQ(refused.error().code, model::Error::Code::invalid_input);
    }
    EXPECT_EQ(bytes_of(db_), before);
    auto missing = backup_sqlite_database(dir_.path() / "absent.db", dir_.path() / "b.db");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, model::Error::Code::not_found);
    const auto not_ours = dir_.path() / "other.db";
    RawDatabase(not_ours).execute("CREATE TABLE t (x)");
    auto refused = backup_sqlite_database(not_ours, dir_.path() / "b.db");
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, model::Error::Code::invalid_input);
    EXPECT_FALSE(fs::exists(dir_.path() / "b.db"));
}

TEST_F(BackupTest, Backup_ReplacesAnOlderBackupWhole) {
    ASSERT_TRUE(add_comment(1).has_value());
    const auto backup = dir_.path() / "backup.db";
    write_bytes(backup, "an older, smaller file");
    ASSERT_TRUE(backup_sqlite_database(db_, backup).has_value());
    EXPECT_EQ(comment_numbers(backup), std::vector<std::string>{"1"});
}

TEST_F(BackupTest, Restore_OfAGoodBackupGivesTheSameData) {
    for (int number = 1; number <= 5; ++number) ASSERT_TRUE(add_comment(number).has_value());
    const auto backup = good_backup("backup.db");
    for (int number = 6; number <= 9; ++number) ASSERT_TRUE(add_comment(number).has_value());
    store_.reset();

    auto restored = restore_sqlite_database(backup, db_, false);
    ASSERT_TRUE(restored.has_value()) << restored.error().message;
    EXPECT_TRUE(restored->replaced_existing);
    EXPECT_GT(restored->schema_version, 0);
    EXPECT_EQ(comment_numbers(db_), (std::vector<std::string>{"1", "2", "3", "4", "5"}));
    auto reopened = open_sqlite_store(db_, OpenMode::must_exist, clock_);
    ASSERT_TRUE(reopened.has_value()) << reopened.error().message;
    auto comments = (*reopened)->comments().approved_comments(blog_id_, post_id_);
    ASSERT_TRUE(comments.has_value());
    EXPECT_EQ(comments->size(), 5u);
    // The search index came back with the posts.
    auto found = (*reopened)->search().search(blog_id_, SearchQuery{.text = "texte"});
    ASSERT_TRUE(found.has_value()) << found.error().message;
    EXPECT_EQ(found->total, 1);

    auto fresh = restore_sqlite_database(backup, dir_.path() / "fresh.db", false);
    ASSERT_TRUE(fresh.has_value()) << fresh.error().message;
    EXPECT_FALSE(fresh->replaced_existing);
    EXPECT_EQ(bytes_of(dir_.path() / "fresh.db"), bytes_of(backup));
}

// A database left by a crashed server has a -wal that SQLite would replay onto whatever file
// then bears the name: the restore removes it.
TEST_F(BackupTest, Restore_DropsTheReplacedDatabasesWal) {
    ASSERT_TRUE(add_comment(1).has_value());
    const auto backup = good_backup("backup.db");
    for (int number = 2; number <= 4; ++number) ASSERT_TRUE(add_comment(number).has_value());
    const auto crashed = dir_.path() / "crashed.db";
    fs::copy_file(db_, crashed);
    fs::copy_file(db_.string() + "-wal", crashed.string() + "-wal");
    ASSERT_GT(fs::file_size(crashed.string() + "-wal"), 0u);

    auto restored = restore_sqlite_database(backup, crashed, false);
    ASSERT_TRUE(restored.has_value()) << restored.error().message;
    EXPECT_EQ(comment_numbers(crashed), std::vector<std::string>{"1"});
    RawDatabase check(crashed);
    EXPECT_EQ(check.column("PRAGMA integrity_check"), std::vector<std::string>{"ok"});
}

TEST_F(BackupTest, Restore_RefusesEachKindOfBrokenFileAndLeavesTheTargetUntouched) {
    ASSERT_TRUE(add_comment(1).has_value());
    const auto good = good_backup("good.db");
    const auto good_bytes = bytes_of(good);
    const auto target = dir_.path() / "target.db";
    fs::copy_file(good, target);
    ASSERT_TRUE(add_comment(2).has_value());
    const auto newer = good_backup("newer.db");
    const auto target_bytes = bytes_of(target);

    struct Broken {
        std::string name;
        std::string expected_words;
    };
    std::vector<Broken> broken;

    write_bytes(dir_.path() / "notes.txt", "Liste de courses\n- pain\n- lait\n");
    broken.push_back({"notes.txt", "not a SQLite database"});
    write_bytes(dir_.path() / "empty.db", "");
    broken.push_back({"empty.db", "not a SQLite database"});
    write_bytes(dir_.path() / "truncated.db", good_bytes.substr(0, good_bytes.size() / 2));
    broken.push_back({"truncated.db", "truncated"});
    // A whole number of pages cut off, so that only the header's page count tells.
    const auto page_size = 4096u;
    write_bytes(dir_.path() / "short.db", good_bytes.substr(0, good_bytes.size() - page_size));
    broken.push_back({"short.db", "truncated"});
    RawDatabase(dir_.path() / "other.db").execute("CREATE TABLE notes (id INTEGER PRIMARY KEY)");
    broken.push_back({"other.db", "not one made by carnet"});
    {
        fs::copy_file(good, dir_.path() / "future.db");
        RawDatabase(dir_.path() / "future.db")
            .execute("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)");
        broken.push_back({"future.db", "newer than this carnet"});
    }
    {
        fs::copy_file(good, dir_.path() / "dangling.db");
        RawDatabase(dir_.path() / "dangling.db")
            .execute("INSERT INTO blog_hosts (host, blog_id, position) VALUES ('x.org', 99, 0)");
        broken.push_back({"dangling.db", "foreign key"});
    }
    {
        // Garbage over the root page of the comments table: the file still opens, its
        // schema still reads, and only the integrity check tells.
        const auto damaged = dir_.path() / "damaged.db";
        fs::copy_file(good, damaged);
        const auto root = std::stoul(RawDatabase(damaged).column(
            "SELECT rootpage FROM sqlite_schema WHERE name = 'comments'")[0]);
        auto bytes = bytes_of(damaged);
        for (std::size_t i = 100; i < page_size; ++i) bytes[(root - 1) * page_size + i] = '\xab';
        bytes[(root - 1) * page_size] = 0x0d;  // still a table leaf, with nonsense cells
        write_bytes(damaged, bytes);
        broken.push_back({"damaged.db", "damaged"});
    }

    const auto files_before = files_in_folder();
    for (const auto& file : broken) {
        auto refused = restore_sqlite_database(dir_.path() / file.name, target, false);
        ASSERT_FALSE(refused.has_value()) << file.name;
        EXPECT_EQ(refused.error().code, model::Error::Code::invalid_input) << file.name;
        EXPECT_NE(refused.error().message.find(file.expected_words), std::string::npos)
            << file.name << ": " << refused.error().message;
        EXPECT_EQ(bytes_of(target), target_bytes) << file.name;
        EXPECT_EQ(files_in_folder(), files_before) << file.name;
    }
    // The good one still goes in afterwards.
    auto restored = restore_sqlite_database(newer, target, false);
    ASSERT_TRUE(restored.has_value()) << restored.error().message;
    EXPECT_EQ(comment_numbers(target), (std::vector<std::string>{"1", "2"}));
}

TEST_F(BackupTest, Restore_RefusesWhileTheDatabaseIsInUseUnlessForced) {
    ASSERT_TRUE(add_comment(1).has_value());
    const auto backup = good_backup("backup.db");
    ASSERT_TRUE(add_comment(2).has_value());
    const auto before = bytes_of(db_);
    // store_ is open and idle, as a server between requests.
    auto refused = restore_sqlite_database(backup, db_, false);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, model::Error::Code::conflict);
    EXPECT_NE(refused.error().message.find("--force"), std::string::npos);
    EXPECT_EQ(bytes_of(db_), before);
    ASSERT_TRUE(add_comment(3).has_value()) << "the store still works";

    auto forced = restore_sqlite_database(backup, db_, true);
    ASSERT_TRUE(forced.has_value()) << forced.error().message;
    store_.reset();
    EXPECT_EQ(comment_numbers(db_), std::vector<std::string>{"1"});
}

TEST_F(BackupTest, Restore_RefusesTheBackupOntoItself) {
    auto refused = restore_sqlite_database(db_, db_, true);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, model::Error::Code::invalid_input);
    auto missing = restore_sqlite_database(dir_.path() / "absent.db", db_, false);
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, model::Error::Code::not_found);
}

}  // namespace
}  // namespace carnet::store
