// Helpers shared by the page-text tests: reading the fixture and building broken variants
// of it.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstddef>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace carnet::interop::testing {

inline std::string read_text_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    EXPECT_TRUE(in) << "cannot open " << path;
    std::ostringstream contents;
    contents << in.rdbuf();
    return contents.str();
}

inline std::string fixture_text() {
    return read_text_file(std::filesystem::path(CARNET_FIXTURES_DIR) / "hautetfort-front-page.txt");
}

// The demo page sits in the source tree's demo/, beside themes/ (the one source-tree path
// the build gives tests).
inline std::filesystem::path demo_front_page_path() {
    return std::filesystem::path(CARNET_THEMES_DIR).parent_path() / "demo" / "front-page.txt";
}

// The 1-based line on which `needle` first occurs in `text`.
inline int line_of(std::string_view text, std::string_view needle) {
    const std::size_t at = text.find(needle);
    EXPECT_NE(at, std::string_view::npos) << "not in the text: " << needle;
    if (at == std::string_view::npos) return 0;
    return 1 + static_cast<int>(std::count(text.begin(), text.begin() + at, '\n'));
}

// `text` with the first `from` replaced by `to`.
inline std::string replaced(std::string text, std::string_view from, std::string_view to) {
    const std::size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << "not in the text: " << from;
    if (at != std::string::npos) text.replace(at, from.size(), to);
    return text;
}

// `text` up to (not including) the first `needle`, plus `extra` bytes of it.
inline std::string cut_before(const std::string& text, std::string_view needle,
                              std::size_t extra = 0) {
    const std::size_t at = text.find(needle);
    EXPECT_NE(at, std::string::npos) << "not in the text: " << needle;
    return text.substr(0, at == std::string::npos ? text.size() : at + extra);
}

}  // namespace carnet::interop::testing
