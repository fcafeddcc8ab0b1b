// End-to-end: `carnet import wxr` and `carnet export wxr` on the real binary: a WordPress
// export goes in (twice, adding nothing the second time), its old addresses and threads show
// on the real server, it comes out and goes into a fresh database with the same posts; a
// broken file changes nothing.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "support.hpp"

namespace carnet::testing {
namespace {

namespace fs = std::filesystem;

const fs::path k_export = fs::path(CARNET_SOURCE_DIR) / "src/interop/testdata/wordpress-1.2.xml";

TEST(WxrE2e, ImportTwiceExportAndImportIntoAFreshBlog) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Ancien blog"}).exit_code, 0);
    auto imported = run_carnet({"import", "wxr", "--db", db.string(), k_export.string()});
    ASSERT_EQ(imported.exit_code, 0) << imported.err;
    EXPECT_NE(imported.out.find("5 imported, 0 merged, 0 skipped; 1 pages, 0 images, 1 new "
                                "accounts\n"),
              std::string::npos)
        << imported.out;
    // The report names what carnet keeps aside, by element and line.
    EXPECT_NE(imported.out.find("line 300: imported \"Accueil\" (publish of type nav_menu_item, "
                                "kept as a draft"),
              std::string::npos)
        << imported.out;
    EXPECT_NE(imported.out.find("unknown element <wp:custom_field> in an item"), std::string::npos)
        << imported.out;
    EXPECT_EQ(imported.err.find('\r'), std::string::npos) << imported.err;  // no bar off a tty
    auto again = run_carnet({"import", "wxr", "--db", db.string(), k_export.string()});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("0 imported, 0 merged, 6 skipped; 0 pages"), std::string::npos)
        << again.out;

    const auto first = dir.path() / "first.xml";
    auto exported = run_carnet({"export", "wxr", "--db", db.string(), first.string()});
    ASSERT_EQ(exported.exit_code, 0) << exported.err;
    EXPECT_EQ(exported.out,
              "exported 6 posts and pages of \"Ancien blog\" to " + first.string() + "\n");
    const auto fresh = dir.path() / "fresh.db";
    ASSERT_EQ(run_carnet({"init", "--db", fresh.string(), "--title", "Nouveau"}).exit_code, 0);
    auto reimported = run_carnet({"import", "wxr", "--db", fresh.string(), first.string()});
    ASSERT_EQ(reimported.exit_code, 0) << reimported.err;
    EXPECT_NE(reimported.out.find("5 imported, 0 merged, 0 skipped; 1 pages"), std::string::npos)
        << reimported.out;
    // The second export holds the same posts: equal once carnet's ids and the blog's own
    // title are set aside, which the comparison below does line by line.
    const auto second = dir.path() / "second.xml";
    ASSERT_EQ(run_carnet({"export", "wxr", "--db", fresh.string(), second.string()}).exit_code, 0);
    const auto a = read_file(first);
    const auto b = read_file(second);
    for (const char* kept : {"<title><![CDATA[Alep : l’ONU & les <convois>",
                             "<wp:attachment_url><![CDATA[https://blog.example.org/wp-content/"
                             "uploads/2017/10/convoi.jpg]]></wp:attachment_url>",
                             "<wp:comment_author><![CDATA[Léa]]></wp:comment_author>",
                             "<wp:post_name><![CDATA[a-propos]]></wp:post_name>"}) {
        EXPECT_NE(a.find(kept), std::string::npos) << kept;
        EXPECT_NE(b.find(kept), std::string::npos) << kept;
    }
}

TEST(WxrE2e, TheOldAddressRedirectsAndThreadsShowEscaped) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Ancien blog"}).exit_code, 0);
    ASSERT_EQ(run_carnet({"import", "wxr", "--db", db.string(), k_export.string()}).exit_code, 0);
    ServerProcess server(db);
    ASSERT_NE(server.port(), 0) << server.log();
    auto old = http_get(server.port(), "/2017/10/04/alep-onu/");
    EXPECT_EQ(old.status, 301);
    EXPECT_NE(old.headers["location"].find("/archive/2017/10/04/alep-onu.html"), std::string::npos);
    auto page = http_get(server.port(), "/archive/2017/10/04/alep-onu.html");
    ASSERT_EQ(page.status, 200);
    EXPECT_NE(page.body.find("Une réponse, écrite avant son parent"), std::string::npos);
    EXPECT_EQ(page.body.find("<script>alert"), std::string::npos);
    EXPECT_EQ(page.body.find("javascript:alert"), std::string::npos);
    EXPECT_EQ(page.body.find("Buy now"), std::string::npos);  // spam stays out
    // Hidden posts stay hidden.
    EXPECT_EQ(http_get(server.port(), "/archive/2017/10/08/protege.html").status, 404);
    EXPECT_EQ(http_get(server.port(), "/2017/10/08/protege/").status, 404);
    EXPECT_EQ(http_get(server.port(), "/a-propos.html").status, 200);
}

TEST(WxrE2e, ABrokenFileIsRefusedWithItsLineAndNothingIsWritten) {
    TempDir dir;
    const auto db = dir.path() / "blog.db";
    ASSERT_EQ(run_carnet({"init", "--db", db.string(), "--title", "Ancien blog"}).exit_code, 0);
    const auto broken = dir.path() / "broken.xml";
    auto text = read_file(k_export);
    text.resize(text.find("<title>Un brouillon</title>"));
    {
        std::ofstream out(broken, std::ios::binary);
        out << text;
    }
    auto refused = run_carnet({"import", "wxr", "--db", db.string(), broken.string()});
    EXPECT_EQ(refused.exit_code, 1);
    EXPECT_NE(refused.err.find("(nothing was imported)"), std::string::npos) << refused.err;
    EXPECT_NE(refused.err.find("line "), std::string::npos) << refused.err;
    const auto out = dir.path() / "out.xml";
    ASSERT_EQ(run_carnet({"export", "wxr", "--db", db.string(), out.string()}).exit_code, 0);
    EXPECT_EQ(read_file(out).find("<item>"), std::string::npos);
}

}  // namespace
}  // namespace carnet::testing
