#include "admin/chart.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "text/text.hpp"

namespace carnet::admin {

std::string posts_per_month_svg(const std::vector<model::MonthCount>& counts, int last_year,
                                int last_month, std::string_view title) {
    constexpr int k_months = 24;
    constexpr int k_bar_width = 20;
    constexpr int k_gap = 6;
    constexpr int k_plot_height = 120;
    constexpr int k_label_height = 20;
    std::array<int, k_months> values{};
    std::array<std::pair<int, int>, k_months> months{};
    for (int i = 0; i < k_months; ++i) {
        // Month index counted from year 0, so that stepping back crosses years simply.
        const int index = last_year * 12 + (last_month - 1) - (k_months - 1 - i);
        months[i] = {index / 12, index % 12 + 1};
    }
    for (const auto& count : counts) {
        for (int i = 0; i < k_months; ++i) {
            if (months[i].first == count.year && months[i].second == count.month) {
                values[i] = count.post_count;
            }
        }
    }
    const int highest = std::max(1, *std::ranges::max_element(values));
    const int width = k_months * (k_bar_width + k_gap);
    std::string svg = fmt::format(
        R"(<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {} {}" role="img" aria-labelledby="chart-title">)"
        R"(<title id="chart-title">{}</title>)",
        width, k_plot_height + k_label_height, text::html_escape(title));
    for (int i = 0; i < k_months; ++i) {
        const int height = values[i] * k_plot_height / highest;
        const int x = i * (k_bar_width + k_gap) + k_gap / 2;
        svg += fmt::format(
            R"(<rect x="{}" y="{}" width="{}" height="{}" fill="#1a4f8b"><title>{:04}-{:02}: {}</title></rect>)",
            x, k_plot_height - height, k_bar_width, height, months[i].first, months[i].second,
            values[i]);
        if (months[i].second == 1 || i == 0) {
            svg += fmt::format(R"(<text x="{}" y="{}" font-size="11" fill="#333">{:04}</text>)", x,
                               k_plot_height + 15, months[i].first);
        }
    }
    svg += "</svg>";
    return svg;
}

}  // namespace carnet::admin
