// What the WordPress tests share: the store of the Movable Type tests, and WXR files written
// to a folder of their own.
#pragma once

#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "interop/interop.hpp"
#include "interop/mt_test_support.hpp"

namespace carnet::interop::testing {

inline const std::filesystem::path k_wordpress_fixture =
    std::filesystem::path(CARNET_INTEROP_TESTDATA) / "wordpress-1.2.xml";

class WxrStore : public MtStore {
protected:
    std::filesystem::path write_file(std::string_view name, std::string_view bytes) {
        const auto path = directory_ / name;
        std::filesystem::create_directories(path.parent_path());
        std::ofstream out(path, std::ios::binary);
        out << bytes;
        return path;
    }

    WxrImportReport import_wxr_ok(const std::filesystem::path& file, std::int64_t blog_id = 0,
                                  const WxrImportOptions& options = {}) {
        auto report = import_wordpress(*store_, blog_id == 0 ? blog_id_ : blog_id, file, options);
        EXPECT_TRUE(report) << report.error().message;
        return report ? *report : WxrImportReport{};
    }

    const store::ArchivedPost* find_titled(const std::vector<store::ArchivedPost>& all,
                                           std::string_view title) {
        for (const auto& archived : all) {
            if (archived.post.title == title) return &archived;
        }
        ADD_FAILURE() << "no post titled " << title;
        return nullptr;
    }
};

// A WXR document of `version` ("1.0", "1.1", "1.2") around `items`, with `channel` before them.
inline std::string wxr_document(std::string_view version, std::string_view items,
                                std::string_view channel = "") {
    std::string text = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<rss version=\"2.0\"";
    text += " xmlns:excerpt=\"http://wordpress.org/export/" + std::string(version) + "/excerpt/\"";
    text += " xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"";
    text += " xmlns:dc=\"http://purl.org/dc/elements/1.1/\"";
    text += " xmlns:wp=\"http://wordpress.org/export/" + std::string(version) + "/\">\n";
    text += "<channel>\n<title>Test</title>\n<wp:wxr_version>" + std::string(version) +
            "</wp:wxr_version>\n";
    text += channel;
    text += items;
    text += "</channel>\n</rss>\n";
    return text;
}

// One published post with `extra` elements inside its <item>.
inline std::string wxr_item(std::string_view title, std::string_view post_id,
                            std::string_view date_gmt, std::string_view extra = "") {
    std::string text = "<item>\n<title>" + std::string(title) + "</title>\n";
    text += "<content:encoded><![CDATA[Le texte.]]></content:encoded>\n";
    text += "<wp:post_id>" + std::string(post_id) + "</wp:post_id>\n";
    text += "<wp:post_date>" + std::string(date_gmt) + "</wp:post_date>\n";
    text += "<wp:post_date_gmt>" + std::string(date_gmt) + "</wp:post_date_gmt>\n";
    text += "<wp:status>publish</wp:status>\n<wp:post_type>post</wp:post_type>\n";
    text += extra;
    text += "</item>\n";
    return text;
}

}  // namespace carnet::interop::testing
