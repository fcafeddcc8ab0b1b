#include "admin/diff.hpp"

#include <algorithm>
#include <cstdint>

namespace carnet::admin {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        lines.push_back(line);
        if (end == std::string_view::npos) break;
        text.remove_prefix(end + 1);
    }
    return lines;
}

}  // namespace

std::vector<DiffLine> diff_lines(std::string_view before, std::string_view after) {
    const auto old_lines = split_lines(before);
    const auto new_lines = split_lines(after);
    const std::size_t n = old_lines.size();
    const std::size_t m = new_lines.size();
    std::vector<DiffLine> out;
    constexpr std::size_t k_max_cells = 16'000'000;
    if (n * m > k_max_cells) {
        for (auto line : old_lines) out.push_back({DiffLine::Kind::removed, std::string(line)});
        for (auto line : new_lines) out.push_back({DiffLine::Kind::added, std::string(line)});
        return out;
    }
    // lcs[i][j]: length of the longest common subsequence of old[i..] and new[j..].
    std::vector<std::uint32_t> lcs((n + 1) * (m + 1), 0);
    auto at = [&](std::size_t i, std::size_t j) -> std::uint32_t& { return lcs[i * (m + 1) + j]; };
    for (std::size_t i = n; i-- > 0;) {
        for (std::size_t j = m; j-- > 0;) {
            at(i, j) = old_lines[i] == new_lines[j] ? at(i + 1, j + 1) + 1
                                                    : std::max(at(i + 1, j), at(i, j + 1));
        }
    }
    std::size_t i = 0;
    std::size_t j = 0;
    while (i < n || j < m) {
        if (i < n && j < m && old_lines[i] == new_lines[j]) {
            out.push_back({DiffLine::Kind::same, std::string(old_lines[i])});
            ++i;
            ++j;
        } else if (j < m && (i == n || at(i, j + 1) >= at(i + 1, j))) {
            out.push_back({DiffLine::Kind::added, std::string(new_lines[j])});
            ++j;
        } else {
            out.push_back({DiffLine::Kind::removed, std::string(old_lines[i])});
            ++i;
        }
    }
    return out;
}

}  // namespace carnet::admin
