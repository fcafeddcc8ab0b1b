// Reading the front page of the old hosted service saved as text. The page has no markup
// left, so its structure is recovered from the shape of lines: a day header "DD/MM/YYYY",
// a title, body lines, and a footer "HH:MM Publié dans A, B | Lien permanent |
// Commentaires (N) | ...". A saved page can end anywhere, so the last post may lack its
// footer (or part of it).
#include <fmt/format.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interop/interop.hpp"

namespace carnet::interop {
namespace {

using Code = model::Error::Code;

constexpr std::string_view k_utf8_bom = "\xEF\xBB\xBF";
constexpr std::string_view k_published_in = "Publié dans";
constexpr std::string_view k_comments = "Commentaire";  // also the prefix of the plural
// Longer lines are paragraphs even without final punctuation.
constexpr std::size_t k_max_subheading_chars = 100;

std::unexpected<model::Error> refuse(int line, std::string_view what) {
    return model::fail(Code::invalid_input, fmt::format("line {}: {}", line, what));
}

// Decodes the code point at `at` and moves `at` past it; negative for an ill-formed
// sequence (which `at` is then moved past too).
UChar32 next_code_point(std::string_view text, std::size_t& at) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data() + at);
    // U8_NEXT indexes with int32_t; a code point never needs more than 4 bytes, so giving it
    // at most 4 keeps lines of any size safe.
    const auto length = static_cast<std::int32_t>(std::min<std::size_t>(text.size() - at, 4));
    std::int32_t offset = 0;
    UChar32 c = 0;
    U8_NEXT(bytes, offset, length, c);
    at += static_cast<std::size_t>(offset);
    return c;
}

// Non-breaking spaces are how the old service padded its lines; zero-width spaces and stray
// BOMs are invisible too, so none of them may make a line count as text.
bool is_blank_code_point(UChar32 c) { return u_isUWhiteSpace(c) || c == 0x200B || c == 0xFEFF; }

// True for the start of a multi-byte sequence cut by the end of the input: a page saved or
// copied up to a byte limit ends like that, and it is the page being cut, not bad text.
bool is_cut_sequence(std::string_view tail) {
    if (tail.empty() || tail.size() > 3) return false;
    const auto lead = static_cast<unsigned char>(tail[0]);
    const std::size_t needed = lead >= 0xF0 && lead <= 0xF4   ? 4
                               : lead >= 0xE0 && lead <= 0xEF ? 3
                               : lead >= 0xC2 && lead <= 0xDF ? 2
                                                              : 0;
    if (tail.size() >= needed) return false;
    return std::all_of(tail.begin() + 1, tail.end(),
                       [](char byte) { return (static_cast<unsigned char>(byte) & 0xC0) == 0x80; });
}

// One input line, trimmed of white space and non-breaking spaces at both ends.
struct Line {
    int number = 0;
    std::string_view text;
    bool last = false;  // no non-blank line follows: where a cut page ends
};

std::string_view trim(std::string_view text) {
    std::size_t first = text.size();
    std::size_t end = 0;
    for (std::size_t at = 0; at < text.size();) {
        const std::size_t start = at;
        if (!is_blank_code_point(next_code_point(text, at))) {
            first = std::min(first, start);
            end = at;
        }
    }
    return first < end ? text.substr(first, end - first) : std::string_view{};
}

std::vector<std::string_view> split_lines(std::string_view text) {
    std::vector<std::string_view> lines;
    std::size_t start = 0;
    for (std::size_t at = 0; at < text.size(); ++at) {
        if (text[at] != '\n' && text[at] != '\r') continue;
        lines.push_back(text.substr(start, at - start));
        // "\r\n" is one line end; a lone "\r" (old Mac files) is one too.
        if (text[at] == '\r' && at + 1 < text.size() && text[at + 1] == '\n') ++at;
        start = at + 1;
    }
    if (start < text.size()) lines.push_back(text.substr(start));
    return lines;
}

// Splits `text` into trimmed lines, refusing what is not UTF-8 text.
Result<std::vector<Line>> read_lines(std::string_view text) {
    if (text.starts_with(k_utf8_bom)) text.remove_prefix(k_utf8_bom.size());
    std::vector<std::string_view> raw = split_lines(text);
    std::vector<Line> lines;
    lines.reserve(raw.size());
    for (std::size_t index = 0; index < raw.size(); ++index) {
        std::string_view content = raw[index];
        const int number = static_cast<int>(index) + 1;
        for (std::size_t at = 0; at < content.size();) {
            const std::size_t start = at;
            const UChar32 c = next_code_point(content, at);
            if (c == 0) return refuse(number, "the file holds a NUL byte: it is not text");
            if (c >= 0) continue;
            if (index + 1 == raw.size() && is_cut_sequence(content.substr(start))) {
                content = content.substr(0, start);
                break;
            }
            return refuse(number, "the file is not UTF-8 text");
        }
        lines.push_back(Line{number, trim(content), false});
    }
    for (auto line = lines.rbegin(); line != lines.rend(); ++line) {
        if (!line->text.empty()) {
            line->last = true;
            break;
        }
    }
    return lines;
}

std::optional<int> read_number(std::string_view digits) {
    if (digits.empty() || digits.size() > 9) return std::nullopt;
    int value = 0;
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
    return value;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Day {
    int year = 0;
    int month = 0;
    int day = 0;
    int line = 0;
};

// Digits and two slashes are meant as a day header, even when they do not make a valid one.
// On the page's last line one slash is enough: a page cut in the middle of a header must not
// turn the stub into a post title. Elsewhere "24/7" alone is body text.
bool looks_like_day_header(const Line& line) {
    const std::string_view text = line.text;
    const auto slashes = std::count(text.begin(), text.end(), '/');
    return (slashes == 2 || (line.last && slashes == 1)) &&
           std::all_of(text.begin(), text.end(), [](char c) { return is_digit(c) || c == '/'; });
}

// "DD/MM/YYYY" (a one-digit day or month is accepted too). Nothing when the line is not
// meant as a day header; a refusal when it is but does not hold a date.
Result<std::optional<Day>> read_day_header(const Line& line) {
    if (!looks_like_day_header(line)) return std::nullopt;
    const std::string_view text = line.text;
    const std::size_t first_slash = text.find('/');
    const std::size_t second_slash = text.find('/', first_slash + 1);
    const auto not_a_header = [&] {
        return refuse(line.number,
                      fmt::format("\"{}\" is not a day header (DD/MM/YYYY)", line.text));
    };
    if (second_slash == std::string_view::npos) return not_a_header();
    const std::string_view day_digits = text.substr(0, first_slash);
    const std::string_view month_digits =
        text.substr(first_slash + 1, second_slash - first_slash - 1);
    const std::string_view year_digits = text.substr(second_slash + 1);
    if (day_digits.size() > 2 || month_digits.size() > 2 || year_digits.size() != 4) {
        return not_a_header();
    }
    const auto day = read_number(day_digits);
    const auto month = read_number(month_digits);
    const auto year = read_number(year_digits);
    if (!day || !month || !year) return not_a_header();
    const std::chrono::year_month_day date{std::chrono::year{year.value()},
                                           std::chrono::month{static_cast<unsigned>(month.value())},
                                           std::chrono::day{static_cast<unsigned>(day.value())}};
    if (!date.ok()) {
        return refuse(line.number, fmt::format("{} is not a date (DD/MM/YYYY)", line.text));
    }
    return Day{*year, *month, *day, line.number};
}

struct Footer {
    int hour = 0;
    int minute = 0;
    std::vector<std::string> categories;
    std::optional<int> comments;  // none when the page was cut before the count
};

// "Commentaires (N)", or "Commentaire (N)" should the service have used the singular.
std::optional<int> read_comment_count(std::string_view cell) {
    cell.remove_prefix(k_comments.size());
    if (cell.starts_with('s')) cell.remove_prefix(1);
    cell = trim(cell);
    if (!cell.starts_with('(') || !cell.ends_with(')')) return std::nullopt;
    return read_number(trim(cell.substr(1, cell.size() - 2)));
}

std::vector<std::string> split_categories(std::string_view list) {
    std::vector<std::string> categories;
    while (!list.empty()) {
        const std::size_t comma = list.find(',');
        const std::string_view name = trim(list.substr(0, comma));
        if (!name.empty()) categories.emplace_back(name);
        if (comma == std::string_view::npos) break;
        list.remove_prefix(comma + 1);
    }
    return categories;
}

// The footer closing a post. Nothing when the line is not one (a body line that happens to
// start with a time, "14:30 : la séance reprend", is not); a refusal when it is one but its
// time or comment count is wrong. On the page's last line the footer may be cut short.
Result<std::optional<Footer>> read_footer(const Line& line) {
    const std::string_view text = line.text;
    std::size_t colon = 0;
    while (colon < text.size() && colon < 3 && is_digit(text[colon])) ++colon;
    if (colon == 0 || colon > 2 || colon >= text.size() || text[colon] != ':') return std::nullopt;
    const std::size_t time_end = colon + 3;
    if (time_end > text.size() || !is_digit(text[colon + 1]) || !is_digit(text[colon + 2])) {
        return std::nullopt;
    }
    if (time_end < text.size()) {
        std::size_t at = time_end;
        const UChar32 next = next_code_point(text, at);
        if (next != '|' && !is_blank_code_point(next)) return std::nullopt;
    }
    const std::string_view rest = trim(text.substr(time_end));
    const std::size_t first_bar = rest.find('|');
    // Mid-page, a footer always has its "|" cells; only the last line may have lost them.
    if (first_bar == std::string_view::npos && !line.last) return std::nullopt;
    const bool cut_in_published_in = line.last && !rest.empty() && k_published_in.starts_with(rest);
    if (!rest.empty() && !rest.starts_with('|') && !rest.starts_with(k_published_in) &&
        !cut_in_published_in) {
        return std::nullopt;
    }

    Footer footer;
    footer.hour = *read_number(text.substr(0, colon));
    footer.minute = *read_number(text.substr(colon + 1, 2));
    if (footer.hour > 23 || footer.minute > 59) {
        return refuse(line.number,
                      fmt::format("{} is not a time of day (HH:MM)", text.substr(0, time_end)));
    }
    if (cut_in_published_in) return footer;

    if (rest.starts_with(k_published_in)) {
        footer.categories =
            split_categories(rest.substr(k_published_in.size(), first_bar - k_published_in.size()));
        // Cut before the first "|": the last name may have lost its end; a category that
        // does not exist is worse than a missing one.
        if (first_bar == std::string_view::npos && !footer.categories.empty()) {
            footer.categories.pop_back();
        }
    }
    if (first_bar == std::string_view::npos) return footer;

    std::string_view cells = rest.substr(first_bar + 1);
    while (!footer.comments) {
        const std::size_t bar = cells.find('|');
        const std::string_view cell = trim(cells.substr(0, bar));
        const bool last_cell = bar == std::string_view::npos;
        if (cell.starts_with(k_comments)) {
            footer.comments = read_comment_count(cell);
            if (!footer.comments && !(line.last && last_cell)) {
                return refuse(line.number,
                              fmt::format("the footer's \"{}\" is not \"Commentaires (N)\"", cell));
            }
        }
        // Other cells are the permalink and the share links, whose text does not matter.
        if (last_cell) break;
        cells.remove_prefix(bar + 1);
    }
    if (!footer.comments && !line.last) {
        return refuse(line.number, "the footer has no \"Commentaires (N)\"");
    }
    return footer;
}

bool is_lower_case_start(std::string_view text) {
    std::size_t at = 0;
    return !text.empty() && u_islower(next_code_point(text, at));
}

bool is_subheading_text(std::string_view paragraph) {
    std::size_t length = 0;
    UChar32 last = 0;
    for (std::size_t at = 0; at < paragraph.size(); ++length) {
        last = next_code_point(paragraph, at);
    }
    if (length == 0 || length > k_max_subheading_chars) return false;
    switch (last) {
        case '.':
        case '!':
        case '?':
        case ':':
        case ';':
        case ',':
        case '"':
        case ')':
        case 0x2026:  // …
        case 0x00BB:  // »
        case 0x201D:  // ”
            return false;
        default:
            return true;
    }
}

// Collects one post's lines until its footer, the next day header or the end of the page.
class PostBuilder {
public:
    PostBuilder(const Day& day, std::string_view title) {
        post_.line = day.line;
        post_.title = std::string(title);
        post_.published_local = model::LocalDateTime{day.year, day.month, day.day, 0, 0, 0};
    }

    void add_body_line(std::string_view text) {
        if (text.empty()) {
            // A spacer (often a lone non-breaking space) ends a paragraph, it is not one.
            continues_paragraph_ = false;
            return;
        }
        // Saving the page broke some sentences over two lines; the second half starts in
        // lower case, which a new paragraph never does.
        if (continues_paragraph_ && is_lower_case_start(text)) {
            post_.paragraphs.back() += ' ';
            post_.paragraphs.back() += text;
        } else {
            post_.paragraphs.emplace_back(text);
        }
        continues_paragraph_ = true;
    }

    PageTextPost finish(std::optional<Footer> footer) && {
        if (footer) {
            post_.has_footer = true;
            post_.published_local.hour = footer->hour;
            post_.published_local.minute = footer->minute;
            post_.categories = std::move(footer->categories);
            post_.announced_comments = footer->comments;
        }
        // Short unpunctuated lines are the subheadings the writer put between paragraphs;
        // the last line is the signature, a paragraph whatever its shape.
        const std::size_t count = post_.paragraphs.size();
        post_.is_subheading.assign(count, false);
        for (std::size_t index = 0; index + 1 < count; ++index) {
            post_.is_subheading[index] = is_subheading_text(post_.paragraphs[index]);
        }
        return std::move(post_);
    }

private:
    PageTextPost post_;
    bool continues_paragraph_ = false;
};

}  // namespace

Result<std::vector<PageTextPost>> parse_page_text(std::string_view text) {
    auto read = read_lines(text);
    if (!read) return std::unexpected(read.error());
    const std::vector<Line>& lines = *read;
    if (std::all_of(lines.begin(), lines.end(), [](const Line& l) { return l.text.empty(); })) {
        return refuse(1, "the page is empty: no day header (DD/MM/YYYY), no post");
    }

    std::vector<PageTextPost> posts;
    std::optional<Day> day;
    bool expecting_title = false;
    std::optional<PostBuilder> post;
    for (const Line& line : lines) {
        auto header = read_day_header(line);
        if (!header) return std::unexpected(header.error());
        if (*header) {
            if (expecting_title) {
                return refuse(day->line, "the day header has no post title after it");
            }
            if (post) posts.push_back(std::move(*post).finish(std::nullopt));
            post.reset();
            day = **header;
            expecting_title = true;
            continue;
        }
        if (line.text.empty()) {
            if (post) post->add_body_line(line.text);
            continue;
        }
        if (!day) {
            return refuse(line.number, "text before the first day header (DD/MM/YYYY)");
        }
        auto footer = read_footer(line);
        if (!footer) return std::unexpected(footer.error());
        if (*footer) {
            if (expecting_title) {
                return refuse(day->line, "the day header has no post title after it");
            }
            if (!post) return refuse(line.number, "a post footer with no post before it");
            posts.push_back(std::move(*post).finish(std::move(**footer)));
            post.reset();
            continue;
        }
        if (post) {
            post->add_body_line(line.text);
        } else {
            // A title right after a day header, or after a footer: several posts of one day
            // share one header.
            post.emplace(*day, line.text);
            expecting_title = false;
        }
    }
    if (expecting_title) return refuse(day->line, "the day header has no post title after it");
    if (post) posts.push_back(std::move(*post).finish(std::nullopt));
    return posts;
}

}  // namespace carnet::interop
