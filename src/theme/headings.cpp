#include "theme/headings.hpp"

#include <algorithm>
#include <cstddef>
#include <vector>

namespace carnet::theme {
namespace {

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

char lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_name(std::string_view text, std::size_t at, std::string_view name) {
    if (text.size() - at < name.size()) return false;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (lower(text[at + i]) != name[i]) return false;
    }
    return true;
}

// Where the level digit of each heading tag (<h2 ...>, </h2>) of `html` is.
std::vector<std::size_t> heading_digits(std::string_view html) {
    std::vector<std::size_t> digits;
    std::size_t at = 0;
    while ((at = html.find('<', at)) != std::string_view::npos) {
        if (html.substr(at, 4) == "<!--") {
            const auto end = html.find("-->", at + 4);
            if (end == std::string_view::npos) break;
            at = end + 3;
            continue;
        }
        std::size_t name = at + 1;
        const bool closing = name < html.size() && html[name] == '/';
        if (closing) ++name;
        if (name >= html.size() || !is_ascii_letter(html[name])) {
            ++at;  // a "<" of the text
            continue;
        }
        std::size_t name_end = name;
        while (name_end < html.size() && html[name_end] != '>' && html[name_end] != '/' &&
               html[name_end] != ' ' && html[name_end] != '\t' && html[name_end] != '\n' &&
               html[name_end] != '\r' && html[name_end] != '\f') {
            ++name_end;
        }
        if (name_end - name == 2 && lower(html[name]) == 'h' && html[name + 1] >= '1' &&
            html[name + 1] <= '6') {
            digits.push_back(name + 1);
        }
        // The end of the tag: the first ">" outside a quoted attribute value.
        std::size_t end = name_end;
        char quote = 0;
        for (; end < html.size(); ++end) {
            const char c = html[end];
            if (quote != 0) {
                if (c == quote) quote = 0;
            } else if (c == '"' || c == '\'') {
                quote = c;
            } else if (c == '>') {
                break;
            }
        }
        at = end == html.size() ? end : end + 1;
        // The text of a script or a style element is not markup.
        if (!closing) {
            for (const std::string_view raw :
                 {std::string_view("script"), std::string_view("style")}) {
                if (name_end - name != raw.size() || !starts_with_name(html, name, raw)) continue;
                std::size_t close = at;
                while ((close = html.find("</", close)) != std::string_view::npos &&
                       !starts_with_name(html, close + 2, raw)) {
                    close += 2;
                }
                at = close == std::string_view::npos ? html.size() : close;
            }
        }
    }
    return digits;
}

}  // namespace

std::string headings_from(std::string_view html, int top) {
    std::string moved(html);
    const auto digits = heading_digits(html);
    if (digits.empty()) return moved;
    char highest = '6';
    for (const auto at : digits) highest = std::min(highest, html[at]);
    const int shift = std::clamp(top, 1, 6) - (highest - '0');
    for (const auto at : digits) {
        const int level = std::min(6, html[at] - '0' + shift);
        moved[at] = static_cast<char>('0' + level);
    }
    return moved;
}

}  // namespace carnet::theme
