// End-to-end: an import that fails part way, after it has written some posts, leaves the
// database as it was, for every format `carnet import` reads: a write refused by the database
// (a trigger stands for a full disk), a failure once every row and the search index are
// written, and the process killed in the middle of writing.
#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support.hpp"

namespace carnet::testing {
namespace {

namespace fs = std::filesystem;

struct Format {
    std::string name;  // as `carnet import` names it
    fs::path file;
};

std::ostream& operator<<(std::ostream& out, const Format& format) { return out << format.name; }

class ImportFailureE2e : public ::testing::TestWithParam<Format> {
protected:
    void SetUp() override {
        ASSERT_EQ(run_carnet({"init", "--db", db_.string(), "--title", "Blog"}).exit_code, 0);
    }

    void sql(const std::string& statements) {
        auto done = run_command({"sqlite3", db_.string(), statements});
        ASSERT_EQ(done.exit_code, 0) << done.err;
    }

    CommandResult import() {
        return run_carnet(
            {"import", GetParam().name, "--db", db_.string(), GetParam().file.string()});
    }

    TempDir dir_;
    fs::path db_ = dir_.path() / "blog.db";
};

TEST_P(ImportFailureE2e, AWriteRefusedAfterTheFirstPostLeavesNothing) {
    // The second post's row is refused, as a full disk would refuse it: the first post, its
    // categories, comments and search entry are written by then.
    sql("CREATE TRIGGER full_disk BEFORE INSERT ON posts "
        "WHEN (SELECT count(*) FROM posts) >= 1 "
        "BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END;");
    const auto before = database_fingerprint(db_);
    ASSERT_EQ(before.find("cannot read"), std::string::npos) << before;
    auto refused = import();
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_NE(refused.err.find("(nothing was imported)"), std::string::npos) << refused.err;
    EXPECT_EQ(database_fingerprint(db_), before);
}

TEST_P(ImportFailureE2e, AFailureOnceEveryRowAndTheSearchIndexAreWrittenLeavesNothing) {
    // The last write of a transaction bumps the blog's generation, after every post, comment
    // and search entry.
    sql("CREATE TRIGGER last_write BEFORE UPDATE OF generation ON blogs "
        "BEGIN SELECT RAISE(ABORT, 'the disk went away'); END;");
    const auto before = database_fingerprint(db_);
    auto refused = import();
    EXPECT_EQ(refused.exit_code, 1) << refused.out;
    EXPECT_NE(refused.err.find("the disk went away"), std::string::npos) << refused.err;
    EXPECT_EQ(database_fingerprint(db_), before);
    // And once the disk is back, the same file imports whole.
    sql("DROP TRIGGER last_write;");
    auto imported = import();
    EXPECT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_NE(database_fingerprint(db_), before);
}

const fs::path k_testdata = fs::path(CARNET_SOURCE_DIR) / "src/interop/testdata";

INSTANTIATE_TEST_SUITE_P(EveryFormat, ImportFailureE2e,
                         ::testing::Values(Format{"mt", k_testdata / "typepad.txt"},
                                           Format{"wxr", k_testdata / "wordpress-1.2.xml"},
                                           Format{"page-text", fs::path(CARNET_FIXTURES_DIR) /
                                                                   "hautetfort-front-page.txt"}),
                         [](const auto& info) {
                             return info.param.name == "page-text" ? "page_text" : info.param.name;
                         });

// A Movable Type export of `entries` posts with a comment each, a few KiB a post.
std::string big_export(int entries) {
    std::string paragraph;
    for (int word = 0; word < 60; ++word) paragraph += fmt::format("mot{} ", word % 17);
    std::string text;
    for (int i = 0; i < entries; ++i) {
        const auto date = fmt::format("{:02}/{:02}/{} 10:{:02}:00 AM", 1 + i / 28 % 12, 1 + i % 28,
                                      2000 + i / 336, i % 60);
        text += fmt::format(
            "TITLE: Billet {0}\nBASENAME: billet_{0}\nSTATUS: Publish\n"
            "CATEGORY: Carnet\nDATE: {1}\n-----\nBODY:\n",
            i, date);
        for (int p = 0; p < 8; ++p) text += "<p>" + paragraph + "</p>\n";
        text += fmt::format(
            "-----\nCOMMENT:\nAUTHOR: Lecteur {}\nDATE: {}\nMerci.\n-----\n"
            "--------\n",
            i % 50, date);
    }
    return text;
}

// How many bytes the process has read so far (every read(2), files and pipes).
std::uint64_t bytes_read_by(pid_t pid) {
    std::ifstream io(fmt::format("/proc/{}/io", pid));
    std::string key;
    std::uint64_t value = 0;
    while (io >> key >> value) {
        if (key == "rchar:") return value;
    }
    return 0;
}

TEST(ImportKilledE2e, AnImportKilledWhileWritingPostsLeavesNothing) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Blog"}).exit_code, 0);
    const auto file = dir.path() / "big.txt";
    {
        std::ofstream out(file, std::ios::binary);
        out << big_export(8000);
    }
    const auto size = fs::file_size(file);
    const auto before = database_fingerprint(db);
    ASSERT_EQ(before.find("cannot read"), std::string::npos) << before;
    CarnetProcess import({"import", "mt", "--db", db.string(), file.string()});
    // The import reads the file once to check it, then again as it writes the posts: past
    // the first reading and a few MiB into the second, posts are being written.
    ASSERT_TRUE(eventually([&] {
        return !import.running() || bytes_read_by(import.pid()) > size + (std::uint64_t{9} << 20);
    }));
    ASSERT_TRUE(import.running()) << "the import ended before it could be killed";
    EXPECT_EQ(import.kill_now(), 128 + 9);
    EXPECT_EQ(database_fingerprint(db), before);
    // The next process to open the database finds it whole, and can import the file.
    auto imported = run_carnet({"import", "mt", "--db", db.string(), file.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_NE(imported.out.find("8000 imported, 0 merged, 0 skipped"), std::string::npos)
        << imported.out.substr(imported.out.size() -
                               std::min<std::size_t>(200, imported.out.size()));
}

}  // namespace
}  // namespace carnet::testing
