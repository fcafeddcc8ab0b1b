// The dashboard's chart of posts per month, drawn by the server as inline SVG: no script, no
// image request, readable by screen readers through its title and per-bar labels.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace carnet::admin {

// Bars for the 24 months ending with `last_year`/`last_month`, from `counts` (any order;
// months outside the window are ignored). `title` labels the whole chart.
std::string posts_per_month_svg(const std::vector<model::MonthCount>& counts, int last_year,
                                int last_month, std::string_view title);

}  // namespace carnet::admin
