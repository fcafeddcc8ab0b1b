// A line diff between two versions of a post's text, for comparing a revision with the post.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace carnet::admin {

struct DiffLine {
    enum class Kind { same, removed, added };
    Kind kind = Kind::same;
    std::string text;
};

// The lines of `before` and `after` in order, each marked as kept, removed or added, along
// a longest common subsequence. Texts beyond a few thousand lines each are compared as
// wholly removed and added (the table would cost too much for what it shows).
std::vector<DiffLine> diff_lines(std::string_view before, std::string_view after);

}  // namespace carnet::admin
