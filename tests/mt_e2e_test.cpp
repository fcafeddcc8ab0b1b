// End-to-end: `carnet import mt` and `carnet export mt` on the real binary: a Movable Type
// export goes in, comes out, goes into a fresh database and comes out with the same bytes;
// the old addresses answer on the real server; a broken file changes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support.hpp"

namespace carnet::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_export = fs::path(CARNET_SOURCE_DIR) / "src/interop/testdata/typepad.txt";

void write_text(const fs::path& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary);
    out << text;
}

TEST(MtE2e, ImportThenExportThenImportIntoAFreshBlogGivesTheSameFile) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Ancien blog"}).exit_code, 0);
    auto imported = run_carnet({"import", "mt", "--db", db.string(), k_export.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_NE(imported.out.find("line 1: imported \"L'État islamique attaque le tribunal de "
                                "Misrata\""),
              std::string::npos)
        << imported.out;
    EXPECT_NE(imported.out.find("3 imported, 0 merged, 0 skipped\n"), std::string::npos)
        << imported.out;
    // Not a terminal: no progress bar.
    EXPECT_EQ(imported.err.find('\r'), std::string::npos) << imported.err;

    auto again = run_carnet({"import", "mt", "--db", db.string(), k_export.string()});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("0 imported, 0 merged, 3 skipped\n"), std::string::npos) << again.out;

    const auto first = dir.path() / "first.txt";
    auto exported = run_carnet({"export", "mt", "--db", db.string(), first.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_EQ(exported.out, "exported 3 posts of \"Ancien blog\" to " + first.string() + "\n");

    const auto fresh = dir.path() / "fresh.db";
    ASSERT_EQ(run_carnet({"init", "--db", fresh.string(), "--title", "Nouveau"}).exit_code, 0);
    auto reimported =
        run_carnet({"import", "mt", "--db", fresh.string(), "--encoding", "utf-8", first.string()});
    ASSERT_EQ(reimported.exit_code, 0) << reimported.err;
    const auto second = dir.path() / "second.txt";
    ASSERT_EQ(run_carnet({"export", "mt", "--db", fresh.string(), second.string()}).exit_code, 0);
    const auto bytes = read_file(first);
    EXPECT_FALSE(bytes.empty());
    EXPECT_EQ(bytes, read_file(second));
}

TEST(MtE2e, TheOldAddressRedirectsAndCommentsShowEscaped) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Ancien blog"}).exit_code, 0);
    ASSERT_EQ(run_carnet({"import", "mt", "--db", db.string(), k_export.string()}).exit_code, 0);
    ServerProcess server(db);
    ASSERT_NE(server.port(), 0) << server.log();
    auto old = http_get(server.port(), "/archive/2017/10/04/l_etat_islamique_attaque.html");
    EXPECT_EQ(old.status, 301);
    EXPECT_NE(old.headers["location"].find("/archive/2017/10/04/l-etat-islamique-attaque.html"),
              std::string::npos);
    auto page = http_get(server.port(), "/archive/2017/10/04/l-etat-islamique-attaque.html");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Merci pour cet article."), std::string::npos);
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
    EXPECT_EQ(page.body.find("spam.example"), std::string::npos);
}

TEST(MtE2e, ABrokenFileIsRefusedWithItsLineAndNothingIsWritten) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Ancien blog"}).exit_code, 0);
    const auto broken = dir.path() / "broken.txt";
    // A good entry, then one whose date cannot be.
    write_text(broken, read_file(k_export) +
                           "TITLE: Mauvaise date\nDATE: 02/30/2019 10:00:00 AM\n-----\n"
                           "BODY:\nx\n-----\n--------\n");
    auto refused = run_carnet({"import", "mt", "--db", db.string(), broken.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("line 83: invalid DATE 02/30/2019 10:00:00 AM (nothing was "
                               "imported)"),
              std::string::npos)
        << refused.err;
    const auto out = dir.path() / "out.txt";
    ASSERT_EQ(run_carnet({"export", "mt", "--db", db.string(), out.string()}).exit_code, 0);
    EXPECT_EQ(read_file(out), "");
}

}  // namespace
}  // namespace carnet::testing
