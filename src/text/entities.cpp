// Character references, read as the HTML standard's tokenizer reads them in text (§13.2.5.72
// to §13.2.5.80), but for named references without their ';', which stay text (as libxml2 and
// md4c, which carnet's other HTML goes through, leave them).
#include <algorithm>
#include <array>

#include "text/named_references.hpp"
#include "text/text.hpp"

namespace carnet::text {
namespace {

// The longest name of the standard ("CounterClockwiseContourIntegral") and a little more.
constexpr std::size_t k_longest_name = 32;

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

int digit_value(char c, bool hex) {
    if (c >= '0' && c <= '9') return c - '0';
    if (hex && c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (hex && c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// What a numeric reference to `value` stands for (§13.2.5.80).
char32_t referenced_code_point(std::uint32_t value) {
    if (value == 0 || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0xFFFD;
    // Windows-1252 at 0x80 to 0x9F, where ISO 8859-1 has C1 controls; the five holes of
    // Windows-1252 stay as they are.
    static constexpr std::array<char32_t, 32> k_windows_1252{
        0x20AC, 0x81,   0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D,   0x017D, 0x8F,   0x90,   0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
        0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D,   0x017E, 0x0178};
    if (value >= 0x80 && value <= 0x9F) return k_windows_1252[value - 0x80];
    return value;
}

std::size_t decode_numeric(std::string_view text, std::size_t at, std::string& out) {
    // text[at] is '&', text[at + 1] is '#'.
    std::size_t i = at + 2;
    const bool hex = i < text.size() && (text[i] == 'x' || text[i] == 'X');
    if (hex) ++i;
    const std::size_t digits_start = i;
    std::uint32_t value = 0;
    for (; i < text.size(); ++i) {
        const int digit = digit_value(text[i], hex);
        if (digit < 0) break;
        // Past U+10FFFF it is U+FFFD however large: stop growing before it overflows.
        value = std::min<std::uint32_t>(value * (hex ? 16 : 10) + static_cast<std::uint32_t>(digit),
                                        0x110000);
    }
    if (i == digits_start) return 0;  // "&#;" and "&#x;" are text
    if (i < text.size() && text[i] == ';') ++i;
    append_utf8(out, referenced_code_point(value));
    return i - at;
}

std::size_t decode_named(std::string_view text, std::size_t at, std::string& out) {
    std::size_t end = at + 1;
    while (end < text.size() && end - at <= k_longest_name && is_ascii_alnum(text[end])) ++end;
    if (end == at + 1 || end >= text.size() || text[end] != ';') return 0;
    const auto name = text.substr(at + 1, end - at - 1);
    const auto found = std::lower_bound(
        k_named_references.begin(), k_named_references.end(), name,
        [](const NamedReference& entry, std::string_view wanted) { return entry.name < wanted; });
    if (found == k_named_references.end() || found->name != name) return 0;
    out += found->text;
    return end - at + 1;
}

}  // namespace

std::size_t decode_html_entity(std::string_view text, std::size_t at, std::string& out) {
    if (at + 1 >= text.size() || text[at] != '&') return 0;
    return text[at + 1] == '#' ? decode_numeric(text, at, out) : decode_named(text, at, out);
}

std::string decode_html_entities(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    std::size_t done = 0;
    for (auto at = text.find('&'); at != std::string_view::npos; at = text.find('&', at)) {
        out.append(text, done, at - done);
        const std::size_t used = decode_html_entity(text, at, out);
        if (used == 0) {
            out += '&';
            ++at;
        } else {
            at += used;
        }
        done = at;
    }
    out.append(text, done);
    return out;
}

}  // namespace carnet::text
