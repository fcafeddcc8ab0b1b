// A one-line progress bar on stderr for long commands (build, import). Private to the cli.
#pragma once

#include <fmt/format.h>

#include <cstddef>
#include <cstdio>
#include <string>

namespace carnet::cli {

// Redrawn only when what it shows changes: a build of 100,000 pages must not spend its time
// writing to the terminal. Shown only where the caller decided stderr is a terminal.
class ProgressBar {
public:
    explicit ProgressBar(std::string unit = {}) : unit_(std::move(unit)) {}

    void show(std::size_t done, std::size_t total) {
        constexpr int width = 30;
        const auto filled = total == 0 ? width : static_cast<int>(done * width / total);
        const auto percent = total == 0 ? 100 : static_cast<int>(done * 100 / total);
        if (filled == filled_ && percent == percent_ && done != total) return;
        filled_ = filled;
        percent_ = percent;
        std::fputs(fmt::format("\r[{:#<{}}{:<{}}] {:>3}% {}/{}{}{}", "", filled, "", width - filled,
                               percent, done, total, unit_.empty() ? "" : " ", unit_)
                       .c_str(),
                   stderr);
        std::fflush(stderr);
    }

    // Leaves the line empty for what comes next.
    void clear() {
        if (filled_ < 0) return;
        std::fputs("\r\033[K", stderr);
        std::fflush(stderr);
    }

private:
    std::string unit_;
    int filled_ = -1;
    int percent_ = -1;
};

}  // namespace carnet::cli
