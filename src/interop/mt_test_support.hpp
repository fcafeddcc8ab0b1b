// What the Movable Type tests share: a store in a temporary folder holding blogs, and the
// test files of testdata/.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <string_view>

#include "interop/interop.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::interop::testing {

inline std::string mt_testdata(std::string_view name) {
    std::ifstream in(std::filesystem::path(CARNET_INTEROP_TESTDATA) / name, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << name;
    std::ostringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

class MtStore : public ::testing::Test {
protected:
    void SetUp() override {
        auto opened = store::open_sqlite_store(directory_ / "carnet.db",
                                               store::OpenMode::create_if_missing, store_clock_);
        ASSERT_TRUE(opened) << opened.error().message;
        store_ = std::move(*opened);
        blog_id_ = add_blog("mt.example");
    }

    std::int64_t add_blog(const std::string& host) {
        model::Blog blog;
        blog.hosts = {host};
        blog.title = "Blog " + host;
        blog.time_zone = "Europe/Paris";
        std::int64_t id = 0;
        auto created = store_->write([&](store::Writer& writer) -> model::Status {
            auto made = writer.blogs().create_blog(blog);
            if (!made) return std::unexpected(made.error());
            id = *made;
            return {};
        });
        EXPECT_TRUE(created) << created.error().message;
        return id;
    }

    MtImportReport import_ok(std::string_view text, std::int64_t blog_id = 0,
                             MtImportOptions options = {}) {
        auto report =
            import_movable_type(*store_, blog_id == 0 ? blog_id_ : blog_id, text, options);
        EXPECT_TRUE(report) << report.error().message;
        return report ? *report : MtImportReport{};
    }

    std::vector<store::ArchivedPost> posts(std::int64_t blog_id = 0) {
        auto found = store_->archive().archived_posts(blog_id == 0 ? blog_id_ : blog_id);
        EXPECT_TRUE(found) << found.error().message;
        return found ? *found : std::vector<store::ArchivedPost>{};
    }

    // Before the store, so that the store closes before its folder goes.
    carnet::testing::TempDir temp_;
    const std::filesystem::path& directory_ = temp_.path();
    // What the store records as the time of its writes; it outlives the store.
    ManualClock store_clock_{std::chrono::sys_days{std::chrono::year{2026} / 1 / 1}};
    std::unique_ptr<store::Store> store_;
    std::int64_t blog_id_ = 0;
};

// One minimal entry with `header` lines added to its header and `sections` after it.
inline std::string mt_entry(std::string_view title, std::string_view date,
                            std::string_view header = "", std::string_view sections = "") {
    std::string text = "TITLE: " + std::string(title) + "\nDATE: " + std::string(date) + "\n";
    text += header;
    text += "-----\nBODY:\nLe texte.\n-----\n";
    text += sections;
    text += "--------\n";
    return text;
}

}  // namespace carnet::interop::testing
