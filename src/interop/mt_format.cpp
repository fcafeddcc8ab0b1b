#include "interop/mt_format.hpp"

#include <fmt/format.h>
#include <unicode/ucnv.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <chrono>
#include <memory>
#include <utility>

#include "text/text.hpp"

namespace carnet::interop {

std::string_view to_string(TextEncoding encoding) {
    switch (encoding) {
        case TextEncoding::latin1:
            return "latin-1";
        case TextEncoding::windows1252:
            return "windows-1252";
        case TextEncoding::detect:
        case TextEncoding::utf8:
            break;
    }
    return "utf-8";
}

std::optional<TextEncoding> parse_text_encoding(std::string_view name) {
    std::string lower(name);
    std::ranges::transform(lower, lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "utf-8" || lower == "utf8") return TextEncoding::utf8;
    if (lower == "latin-1" || lower == "latin1" || lower == "iso-8859-1") {
        return TextEncoding::latin1;
    }
    if (lower == "windows-1252" || lower == "cp1252") return TextEncoding::windows1252;
    return std::nullopt;
}

namespace mt {
namespace {

using Code = model::Error::Code;

constexpr std::string_view k_entry_end = "--------";
constexpr std::string_view k_section_end = "-----";

std::unexpected<model::Error> bad(int line, std::string_view what) {
    return model::fail(Code::invalid_input, fmt::format("line {}: {}", line, what));
}

struct ConverterCloser {
    void operator()(UConverter* converter) const { ucnv_close(converter); }
};
using Converter = std::unique_ptr<UConverter, ConverterCloser>;

// Converts between two ICU charsets, failing on bytes invalid in `from` rather than
// replacing them, so that invalid UTF-8 is noticed.
model::Result<std::string> convert(std::string_view bytes, const char* from, const char* to) {
    UErrorCode status = U_ZERO_ERROR;
    Converter source(ucnv_open(from, &status));
    if (U_FAILURE(status)) return model::fail(Code::internal, fmt::format("no ICU {}", from));
    Converter target(ucnv_open(to, &status));
    if (U_FAILURE(status)) return model::fail(Code::internal, fmt::format("no ICU {}", to));
    ucnv_setToUCallBack(source.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &status);
    std::string out(bytes.size() * 3 + 16, '\0');
    char* target_at = out.data();
    const char* source_at = bytes.data();
    ucnv_convertEx(target.get(), source.get(), &target_at, out.data() + out.size(), &source_at,
                   bytes.data() + bytes.size(), nullptr, nullptr, nullptr, nullptr, true, true,
                   &status);
    if (U_FAILURE(status)) {
        return model::fail(Code::invalid_input, fmt::format("the file is not valid {} (byte {})",
                                                            from, source_at - bytes.data()));
    }
    out.resize(static_cast<std::size_t>(target_at - out.data()));
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
    return text;
}

std::optional<int> number(std::string_view text) {
    int value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty()) {
        return std::nullopt;
    }
    return value;
}

// A "KEY: value" line (or "KEY:" alone) split in two; nothing when there is no colon.
std::optional<std::pair<std::string_view, std::string_view>> key_value(std::string_view line) {
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return std::nullopt;
    auto key = line.substr(0, colon);
    // Keys are upper-case words, custom fields with digits and underscores (CF50_BASENAME):
    // anything else is a text line that happens to hold a colon.
    if (key.front() < 'A' || key.front() > 'Z' || !std::ranges::all_of(key, [](char c) {
            return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == ' ';
        })) {
        return std::nullopt;
    }
    return std::pair{key, trim(line.substr(colon + 1))};
}

// TAGS: a, "b, c", d. A tag that starts with a quote runs to the closing quote ("" inside
// is one quote, as the writer escapes it); any other runs to the next comma, quotes included.
// A quote that opens no such tag is text: one stray quote must not swallow the tags after it.
std::vector<std::string> parse_tags(std::string_view text) {
    std::vector<std::string> tags;
    const auto add = [&](std::string tag) {
        if (!tag.empty() && std::ranges::find(tags, tag) == tags.end()) tags.push_back(tag);
    };
    const auto is_blank = [](char c) { return c == ' ' || c == '\t'; };
    std::size_t at = 0;
    while (at <= text.size()) {
        while (at < text.size() && is_blank(text[at])) ++at;
        if (at < text.size() && text[at] == '"') {
            std::string tag;
            std::size_t end = at + 1;
            bool closed = false;
            for (; end < text.size(); ++end) {
                if (text[end] != '"') {
                    tag += text[end];
                } else if (end + 1 < text.size() && text[end + 1] == '"') {
                    tag += '"';
                    ++end;
                } else {
                    closed = true;
                    break;
                }
            }
            auto after = end + 1;
            while (after < text.size() && is_blank(text[after])) ++after;
            if (closed && (after >= text.size() || text[after] == ',')) {
                add(std::move(tag));
                at = after + 1;
                continue;
            }
        }
        const auto comma = std::min(text.find(',', at), text.size());
        add(std::string(trim(text.substr(at, comma - at))));
        at = comma + 1;
    }
    return tags;
}

class Lines {
public:
    // `at` is where reading starts in `text`; `number`, the number of the line before it.
    Lines(std::string_view text, std::size_t at, int number)
        : text_(text), at_(at), number_(number) {}
    bool done() const { return at_ >= text_.size(); }
    int number() const { return number_; }  // of the line last read
    std::size_t at() const { return at_; }
    std::string_view next() {
        const auto end = text_.find('\n', at_);
        const auto line =
            text_.substr(at_, end == std::string_view::npos ? std::string_view::npos : end - at_);
        at_ = end == std::string_view::npos ? text_.size() : end + 1;
        ++number_;
        return line;
    }

private:
    std::string_view text_;
    std::size_t at_ = 0;
    int number_ = 0;
};

// A text line that reads as a separator is written with its first dash as a character
// reference, which HTML and Markdown show as the dash it stands for; reading gives it back.
constexpr std::string_view k_escaped_section_end = "&#45;----";
constexpr std::string_view k_escaped_entry_end = "&#45;-------";

std::string_view escaped_separator(std::string_view line) {
    if (line == k_section_end) return k_escaped_section_end;
    if (line == k_entry_end) return k_escaped_entry_end;
    return line;
}

std::string_view unescaped_separator(std::string_view line) {
    if (line == k_escaped_section_end) return k_section_end;
    if (line == k_escaped_entry_end) return k_entry_end;
    return line;
}

// Reads a section's lines up to its closing "-----", joined with '\n'.
model::Result<std::string> section_text(Lines& lines, std::string_view name, int start) {
    std::string text;
    bool first = true;
    while (!lines.done()) {
        const auto line = lines.next();
        if (line == k_section_end) return text;
        if (line == k_entry_end) {
            return bad(
                lines.number(),
                fmt::format("the {} section of line {} ends without its -----", name, start));
        }
        if (!first) text += '\n';
        text += unescaped_separator(line);
        first = false;
    }
    return bad(start, fmt::format("the {} section never ends (no ----- before the end of the file)",
                                  name));
}

bool is_comment_key(std::string_view key, bool is_ping) {
    if (key == "URL" || key == "IP" || key == "DATE") return true;
    if (is_ping) return key == "TITLE" || key == "BLOG NAME";
    return key == "AUTHOR" || key == "EMAIL" || key == "AUTHOR EMAIL" || key == "AUTHOR URL";
}

// A COMMENT or PING section: its keys, then its text. Nothing when it is dropped (a comment
// without text), with a note saying so.
model::Result<std::optional<Comment>> parse_comment(std::string_view name, std::string text,
                                                    int start, std::vector<std::string>& notes) {
    Comment comment;
    comment.line = start;
    comment.is_ping = name == "PING";
    // The run of lines that read as keys. Movable Type writes DATE last: keys it does not know
    // before the DATE are keys of another version (kept); after it, or without a DATE, a line
    // such as "NB: ..." opening the text is text.
    struct KeyLine {
        std::string_view key;
        std::string_view value;
        std::size_t end;  // where the line ends in text, past its '\n'
    };
    std::vector<KeyLine> run;
    std::size_t at = 0;
    while (at < text.size()) {
        const auto end = std::min(text.find('\n', at), text.size());
        const auto pair = key_value(std::string_view(text).substr(at, end - at));
        if (!pair) break;
        at = std::min(end + 1, text.size());
        run.push_back({pair->first, pair->second, at});
    }
    std::size_t date_index = run.size();
    for (std::size_t i = 0; i < run.size(); ++i) {
        if (run[i].key == "DATE") {
            date_index = i;
            break;
        }
    }
    std::vector<std::string_view> seen;
    std::size_t text_start = 0;
    for (std::size_t i = 0; i < run.size(); ++i) {
        const auto [key, value, end] = run[i];
        const bool known = is_comment_key(key, comment.is_ping);
        const bool repeated = std::ranges::find(seen, key) != seen.end();
        if (i > date_index ? (!known || repeated) : (!known && date_index == run.size())) break;
        const int line = start + static_cast<int>(i) + 1;
        text_start = end;
        seen.push_back(key);
        if (!known) {
            comment.extra_keys.emplace_back(key, value);
            notes.push_back(
                fmt::format("line {}: {} key {}: kept for the export", line, name, key));
        } else if (repeated) {
            notes.push_back(
                fmt::format("line {}: a second {} in the {}: dropped", line, key, name));
        } else if (key == "URL" || key == "AUTHOR URL") {
            comment.url = value;
        } else if (key == "IP") {
            comment.ip = value;
        } else if (key == "DATE") {
            auto date = parse_date(value);
            if (!date) return bad(line, fmt::format("invalid DATE {}", value));
            comment.date = *date;
            comment.has_date = true;
        } else if (key == "AUTHOR") {
            comment.author = value;
        } else if (key == "EMAIL" || key == "AUTHOR EMAIL") {
            comment.email = value;
        } else if (key == "TITLE") {
            comment.title = value;
        } else if (key == "BLOG NAME") {
            comment.blog_name = value;
        }
    }
    comment.text = text.substr(std::min(text_start, text.size()));
    if (!comment.is_ping && trim(comment.text).empty()) {
        notes.push_back(fmt::format("line {}: a COMMENT without text: dropped", start));
        return std::nullopt;
    }
    if (!comment.has_date) {
        notes.push_back(
            fmt::format("line {}: the {} has no DATE: given the entry's date", start, name));
    }
    return comment;
}

// Movable Type's statuses over its versions; those carnet has no twin for are drafts, so
// that nothing the writer had not published goes online.
std::optional<std::string> canonical_status(std::string_view value) {
    std::string lower(value);
    std::ranges::transform(lower, lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (lower == "publish") return "Publish";
    if (lower == "draft") return "Draft";
    if (lower == "future") return "Future";
    return std::nullopt;
}

model::Result<Entry> parse_entry(Lines& lines, int start, std::string_view first_line) {
    Entry entry;
    entry.line = start;
    entry.has_title = false;
    entry.has_date = false;
    std::vector<std::string_view> seen;  // the single-valued keys read so far
    std::optional<std::string> primary;
    std::vector<std::string> categories;
    const auto note = [&](int line, std::string what) {
        entry.notes.push_back(fmt::format("line {}: {}", line, what));
    };
    // The header: single-line keys up to "-----" (or "--------" for an entry without body).
    std::string_view line = first_line;
    bool has_sections = true;
    while (true) {
        if (line == k_section_end) break;
        if (line == k_entry_end) {
            has_sections = false;
            break;
        }
        const int number = lines.number();
        if (!trim(line).empty()) {
            const auto pair = key_value(line);
            if (!pair) {
                // The first line of an entry must be a key: otherwise this is no such file.
                if (number == start) {
                    return bad(number, fmt::format("expected KEY: value, not \"{}\"", line));
                }
                note(number, fmt::format("\"{}\" is not KEY: value: dropped", line));
            } else {
                const auto [key, value] = *pair;
                // Keys carnet reads once; CATEGORY and TAGS add up, other keys are kept all.
                constexpr std::array<std::string_view, 9> k_single{
                    "AUTHOR",      "TITLE",          "BASENAME",         "STATUS", "ALLOW COMMENTS",
                    "ALLOW PINGS", "CONVERT BREAKS", "PRIMARY CATEGORY", "DATE"};
                const bool single = std::ranges::find(k_single, key) != k_single.end();
                const bool repeated = single && std::ranges::find(seen, key) != seen.end();
                if (single) seen.push_back(key);
                if (repeated) {
                    note(number, fmt::format("a second {}: dropped", key));
                } else if (key == "AUTHOR") {
                    entry.author = value;
                } else if (key == "TITLE") {
                    entry.title = value;
                    entry.has_title = !trim(value).empty();
                } else if (key == "BASENAME") {
                    entry.basename = value;
                } else if (key == "STATUS") {
                    if (auto status = canonical_status(value)) {
                        entry.status = *status;
                    } else {
                        entry.status = "Draft";
                        note(number, fmt::format("STATUS {} is not Publish, Draft or Future: "
                                                 "imported as a draft",
                                                 value));
                        entry.extra_keys.emplace_back(key, value);
                    }
                } else if (key == "ALLOW COMMENTS") {
                    if (value == "0" || value == "1" || value == "2") {
                        entry.allow_comments = value;
                    } else {
                        note(number,
                             fmt::format("ALLOW COMMENTS {} is not 0, 1 or 2: ignored", value));
                    }
                } else if (key == "ALLOW PINGS") {
                    if (value == "0" || value == "1") {
                        entry.allow_pings = value;
                    } else {
                        note(number, fmt::format("ALLOW PINGS {} is not 0 or 1: ignored", value));
                    }
                } else if (key == "CONVERT BREAKS") {
                    entry.convert_breaks = value;
                } else if (key == "PRIMARY CATEGORY") {
                    primary = value;
                } else if (key == "CATEGORY") {
                    if (!value.empty()) categories.emplace_back(value);
                } else if (key == "DATE") {
                    auto date = parse_date(value);
                    if (!date) return bad(number, fmt::format("invalid DATE {}", value));
                    entry.date = *date;
                    entry.has_date = true;
                } else if (key == "TAGS") {
                    for (auto& tag : parse_tags(value)) {
                        if (std::ranges::find(entry.tags, tag) == entry.tags.end()) {
                            entry.tags.push_back(std::move(tag));
                        }
                    }
                } else {
                    entry.extra_keys.emplace_back(key, value);
                    note(number, fmt::format("key {}: kept in the post's meta", key));
                }
            }
        }
        if (lines.done()) return bad(start, "the file ends inside an entry (no ----- or --------)");
        line = lines.next();
    }
    if (primary && !primary->empty()) entry.categories.push_back(*primary);
    for (auto& name : categories) {
        if (std::ranges::find(entry.categories, name) == entry.categories.end()) {
            entry.categories.push_back(std::move(name));
        }
    }

    // The sections, up to "--------".
    bool has_body = false;
    while (has_sections) {
        if (lines.done()) {
            return bad(start, "the file ends inside an entry (its -------- is missing)");
        }
        line = lines.next();
        if (line == k_entry_end) break;
        if (trim(line).empty()) continue;
        const int section_line = lines.number();
        const auto pair = key_value(line);
        if (pair && !pair->second.empty()) {
            // A key with a value between sections: the -------- before a new entry is missing.
            return bad(section_line, fmt::format("expected a section name, not \"{}\"", line));
        }
        if (!pair) {
            note(section_line, fmt::format("\"{}\" is outside any section: dropped", line));
            continue;
        }
        const std::string name(pair->first);
        auto text = section_text(lines, name, section_line);
        if (!text) return std::unexpected(text.error());
        const auto keep = [&](std::string why) {
            note(section_line, fmt::format("{}: kept in the post's meta", why));
            entry.extra_sections.emplace_back(name, std::move(*text));
        };
        if (name == "COMMENT" || name == "PING") {
            auto comment = parse_comment(name, std::move(*text), section_line, entry.notes);
            if (!comment) return std::unexpected(comment.error());
            if (*comment) entry.comments.push_back(std::move(**comment));
        } else if (name == "BODY") {
            if (has_body) {
                keep("a second BODY section");
                continue;
            }
            entry.body = std::move(*text);
            has_body = true;
        } else if (name == "EXTENDED BODY") {
            if (entry.extended_body) {
                keep("a second EXTENDED BODY section");
                continue;
            }
            entry.extended_body = std::move(*text);
        } else if (name == "EXCERPT") {
            if (entry.excerpt) {
                keep("a second EXCERPT section");
                continue;
            }
            entry.excerpt = std::move(*text);
        } else if (name == "KEYWORDS") {
            if (entry.keywords) {
                keep("a second KEYWORDS section");
                continue;
            }
            entry.keywords = std::move(*text);
        } else {
            keep(fmt::format("section {}", name));
        }
    }
    if (!entry.has_date) note(start, "an entry without DATE: dated at the time of the import");
    return entry;
}

void write_section(std::string& out, std::string_view name, std::string_view text) {
    out += name;
    out += ":\n";
    if (!text.empty()) {
        std::size_t at = 0;
        while (at <= text.size()) {
            const auto end = std::min(text.find('\n', at), text.size());
            out += escaped_separator(text.substr(at, end - at));
            out += '\n';
            at = end + 1;
        }
    }
    out += k_section_end;
    out += '\n';
}

// A tag as parse_tags reads it back: quoted when a comma, a leading quote or blanks at its
// ends would change it, with its own quotes doubled.
std::string quoted_tag(const std::string& tag) {
    const bool plain = tag.find(',') == std::string::npos && !tag.starts_with('"') &&
                       !tag.starts_with(' ') && !tag.starts_with('\t') && !tag.ends_with(' ') &&
                       !tag.ends_with('\t');
    if (plain) return tag;
    std::string quoted = "\"";
    for (const char c : tag) {
        quoted += c;
        if (c == '"') quoted += '"';
    }
    quoted += '"';
    return quoted;
}

bool starts_block(std::string_view paragraph) {
    static constexpr std::array<std::string_view, 14> k_block_tags{
        "<p",  "<div", "<h1", "<h2",         "<h3",  "<h4",    "<h5",
        "<h6", "<ul",  "<ol", "<blockquote", "<pre", "<table", "<dl"};
    return std::ranges::any_of(k_block_tags,
                               [&](std::string_view tag) { return paragraph.starts_with(tag); });
}

// Movable Type's "convert line breaks": a blank line separates paragraphs, each wrapped in
// <p> unless it already starts with a block element; a single break becomes <br />.
std::string converted_breaks(std::string_view text) {
    std::vector<std::string> paragraphs;
    std::string current;
    const auto flush = [&] {
        while (!current.empty() && current.back() == '\n') current.pop_back();
        if (!current.empty()) paragraphs.push_back(std::move(current));
        current.clear();
    };
    std::size_t at = 0;
    while (at <= text.size()) {
        const auto end = text.find('\n', at);
        const auto line =
            text.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
        if (trim(line).empty()) {
            flush();
        } else {
            if (!current.empty()) current += '\n';
            current += line;
        }
        if (end == std::string_view::npos) break;
        at = end + 1;
    }
    flush();
    std::string out;
    for (const auto& paragraph : paragraphs) {
        if (!out.empty()) out += "\n\n";
        if (starts_block(paragraph)) {
            out += paragraph;
            continue;
        }
        std::string with_breaks;
        for (const char c : paragraph) {
            if (c == '\n') with_breaks += "<br />";
            with_breaks += c;
        }
        out += fmt::format("<p>{}</p>", with_breaks);
    }
    return out;
}

}  // namespace

std::optional<model::LocalDateTime> parse_date(std::string_view text) {
    text = trim(text);
    // M[M]/D[D]/YYYY h[h]:mm[:ss][ AM|PM], as Movable Type's importer reads it.
    std::size_t at = 0;
    const auto field = [&](std::size_t min_digits, std::size_t max_digits,
                           char separator) -> std::optional<int> {
        std::size_t end = at;
        while (end < text.size() && end - at < max_digits && text[end] >= '0' && text[end] <= '9')
            ++end;
        if (end - at < min_digits) return std::nullopt;
        const auto value = number(text.substr(at, end - at));
        at = end;
        if (separator != '\0') {
            if (at >= text.size() || text[at] != separator) return std::nullopt;
            ++at;
        }
        return value;
    };
    const auto month = field(1, 2, '/');
    const auto day = month ? field(1, 2, '/') : std::nullopt;
    const auto year = day ? field(4, 4, ' ') : std::nullopt;
    if (!year) return std::nullopt;
    while (at < text.size() && text[at] == ' ') ++at;
    auto hour = field(1, 2, ':');
    const auto minute = hour ? field(2, 2, '\0') : std::nullopt;
    if (!minute) return std::nullopt;
    std::optional<int> second = 0;
    if (at < text.size() && text[at] == ':') {
        ++at;
        second = field(2, 2, '\0');
        if (!second) return std::nullopt;
    }
    std::string suffix(trim(text.substr(at)));
    std::ranges::transform(suffix, suffix.begin(),
                           [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    if (suffix == "AM" || suffix == "PM") {
        if (*hour < 1 || *hour > 12) return std::nullopt;
        *hour = (*hour % 12) + (suffix == "PM" ? 12 : 0);
    } else if (!suffix.empty()) {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year{*year},
                                           std::chrono::month{static_cast<unsigned>(*month)},
                                           std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok() || *year < 1900 || *hour > 23 || *minute > 59 || *second > 59) {
        return std::nullopt;
    }
    return model::LocalDateTime{*year, *month, *day, *hour, *minute, *second};
}

std::string format_date(const model::LocalDateTime& local) {
    const int hour12 = local.hour % 12 == 0 ? 12 : local.hour % 12;
    return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}:{:02} {}", local.month, local.day, local.year,
                       hour12, local.minute, local.second, local.hour < 12 ? "AM" : "PM");
}

Parser::Parser(std::string_view text, int first_line) : text_(text), number_(first_line - 1) {}

model::Result<std::optional<Entry>> Parser::next() {
    Lines lines(text_, at_, number_);
    std::optional<Entry> entry;
    while (!entry && !lines.done()) {
        const auto line = lines.next();
        if (trim(line).empty()) continue;
        auto read = parse_entry(lines, lines.number(), line);
        if (!read) return std::unexpected(read.error());
        entry = std::move(*read);
    }
    at_ = lines.at();
    number_ = lines.number();
    return entry;
}

model::Result<std::vector<Entry>> parse(std::string_view text) {
    Parser parser(text);
    std::vector<Entry> entries;
    while (true) {
        auto entry = parser.next();
        if (!entry) return std::unexpected(entry.error());
        if (!*entry) return entries;
        entries.push_back(std::move(**entry));
    }
}

std::string write(const std::vector<Entry>& entries) {
    std::string out;
    for (const auto& entry : entries) write_entry(out, entry);
    return out;
}

void write_entry(std::string& out, const Entry& entry) {
    if (entry.author) out += fmt::format("AUTHOR: {}\n", *entry.author);
    out += fmt::format("TITLE: {}\n", entry.title);
    if (entry.basename) out += fmt::format("BASENAME: {}\n", *entry.basename);
    // An unknown STATUS is read as a draft and kept among the extra keys: while the entry
    // is a draft it is written back in the STATUS line, since a second STATUS line would
    // be read as a repeat and dropped (found by fuzz/mt_fuzzer.cpp).
    const auto kept_status = std::ranges::find_if(
        entry.extra_keys, [](const auto& pair) { return pair.first == "STATUS"; });
    const bool keeps_status = kept_status != entry.extra_keys.end() && entry.status == "Draft";
    out += fmt::format("STATUS: {}\n", keeps_status ? kept_status->second : entry.status);
    if (entry.allow_comments) out += fmt::format("ALLOW COMMENTS: {}\n", *entry.allow_comments);
    if (entry.convert_breaks) out += fmt::format("CONVERT BREAKS: {}\n", *entry.convert_breaks);
    if (entry.allow_pings) out += fmt::format("ALLOW PINGS: {}\n", *entry.allow_pings);
    if (!entry.categories.empty()) {
        out += fmt::format("PRIMARY CATEGORY: {}\n", entry.categories.front());
        for (const auto& category : entry.categories) {
            out += fmt::format("CATEGORY: {}\n", category);
        }
    }
    out += fmt::format("DATE: {}\n", format_date(entry.date));
    if (!entry.tags.empty()) {
        std::string tags;
        for (const auto& tag : entry.tags) {
            if (!tags.empty()) tags += ',';
            tags += quoted_tag(tag);
        }
        out += fmt::format("TAGS: {}\n", tags);
    }
    for (const auto& [key, value] : entry.extra_keys) {
        if (key != "STATUS") out += fmt::format("{}: {}\n", key, value);
    }
    out += k_section_end;
    out += '\n';
    write_section(out, "BODY", entry.body);
    if (entry.extended_body) write_section(out, "EXTENDED BODY", *entry.extended_body);
    if (entry.excerpt) write_section(out, "EXCERPT", *entry.excerpt);
    if (entry.keywords) write_section(out, "KEYWORDS", *entry.keywords);
    for (const auto& [name, text] : entry.extra_sections) write_section(out, name, text);
    for (const auto& comment : entry.comments) {
        std::string text;
        if (comment.is_ping) {
            text = fmt::format("TITLE: {}\nURL: {}\nIP: {}\nBLOG NAME: {}\n", comment.title,
                               comment.url, comment.ip, comment.blog_name);
        } else {
            text = fmt::format("AUTHOR: {}\nEMAIL: {}\nURL: {}\nIP: {}\n", comment.author,
                               comment.email, comment.url, comment.ip);
        }
        // Keys of other versions before the DATE, where a reading takes them for keys.
        for (const auto& [key, value] : comment.extra_keys) {
            text += fmt::format("{}: {}\n", key, value);
        }
        text += fmt::format("DATE: {}\n", format_date(comment.date));
        text += comment.text;
        while (!text.empty() && text.back() == '\n' && comment.text.empty()) text.pop_back();
        write_section(out, comment.is_ping ? "PING" : "COMMENT", text);
    }
    out += k_entry_end;
    out += '\n';
}

model::Result<std::string> decode(std::string_view bytes, TextEncoding encoding,
                                  TextEncoding* used) {
    std::string converted;
    std::string_view text;
    if (encoding == TextEncoding::detect || encoding == TextEncoding::utf8) {
        if (text::is_valid_utf8(bytes)) {
            text = bytes;
            *used = TextEncoding::utf8;
        } else if (encoding == TextEncoding::utf8) {
            // ICU says where the first invalid byte is.
            auto checked = convert(bytes, "UTF-8", "UTF-8");
            if (!checked) return std::unexpected(checked.error());
            return model::fail(Code::invalid_input, "the file is not valid UTF-8");
        } else {
            encoding = TextEncoding::windows1252;
        }
    }
    if (encoding == TextEncoding::latin1 || encoding == TextEncoding::windows1252) {
        auto read = convert(bytes, encoding == TextEncoding::latin1 ? "ISO-8859-1" : "windows-1252",
                            "UTF-8");
        if (!read) return std::unexpected(read.error());
        converted = std::move(*read);
        text = converted;
        *used = encoding;
    }
    if (text.starts_with("\xEF\xBB\xBF")) text.remove_prefix(3);
    std::string unix_lines;
    unix_lines.reserve(text.size());
    for (std::size_t from = 0; from < text.size();) {
        const auto cr = text.find("\r\n", from);
        const auto end = cr == std::string_view::npos ? text.size() : cr;
        unix_lines.append(text, from, end - from);
        from = cr == std::string_view::npos ? text.size() : cr + 1;
    }
    return unix_lines;
}

namespace {

// How much of the file is read at once.
constexpr std::size_t k_block_bytes = std::size_t{4} << 20;

// Where the text's last line "--------" ends (past its line end), 0 when it has none. The
// text starts at the start of a line.
std::size_t after_last_entry_end(std::string_view text) {
    for (auto before = text.size(); before > 0;) {
        const auto found = text.rfind(k_entry_end, before - 1);
        if (found == std::string_view::npos) return 0;
        before = found;
        if (found > 0 && text[found - 1] != '\n') continue;
        const auto rest = text.substr(found + k_entry_end.size());
        if (rest.starts_with("\n")) return found + k_entry_end.size() + 1;
        if (rest.starts_with("\r\n")) return found + k_entry_end.size() + 2;
    }
    return 0;
}

}  // namespace

Pieces::Pieces(std::istream& input, TextEncoding encoding) : input_(&input), encoding_(encoding) {}

// The next block of whole lines (up to the last '\n' read), the rest of the input at its end;
// nothing after it. No UTF-8 sequence holds a '\n': a block is valid UTF-8 or not by itself.
std::optional<std::string> Pieces::read_lines() {
    while (true) {
        const auto had = carried_.size();
        carried_.resize(had + k_block_bytes);
        input_->read(carried_.data() + had, static_cast<std::streamsize>(k_block_bytes));
        carried_.resize(had + static_cast<std::size_t>(input_->gcount()));
        if (carried_.size() == had) {
            if (carried_.empty()) return std::nullopt;
            return std::exchange(carried_, {});
        }
        const auto last_line_end = carried_.rfind('\n');
        if (last_line_end == std::string::npos) continue;
        std::string lines = carried_.substr(0, last_line_end + 1);
        carried_.erase(0, last_line_end + 1);
        return lines;
    }
}

model::Result<Pieces> Pieces::open(std::istream& input, TextEncoding encoding) {
    Pieces pieces(input, encoding);
    // The first pass: whether the text is UTF-8 when the file does not say, and how many
    // entries it has.
    bool valid = true;
    while (auto lines = pieces.read_lines()) {
        std::string_view text(*lines);
        for (auto at = text.find(k_entry_end); at != std::string_view::npos;
             at = text.find(k_entry_end, at + k_entry_end.size())) {
            if (at == 0 || text[at - 1] == '\n') ++pieces.entries_;
        }
        if (valid && encoding == TextEncoding::detect) valid = text::is_valid_utf8(text);
    }
    if (encoding == TextEncoding::detect) {
        pieces.encoding_ = valid ? TextEncoding::utf8 : TextEncoding::windows1252;
    }
    if (auto rewound = pieces.rewind(); !rewound) return std::unexpected(rewound.error());
    return pieces;
}

model::Status Pieces::rewind() {
    input_->clear();
    input_->seekg(0);
    if (!*input_) return model::fail(Code::io, "the file cannot be read again");
    carried_.clear();
    pending_.clear();
    first_line_ = 1;
    return {};
}

model::Result<std::optional<Pieces::Piece>> Pieces::next() {
    std::size_t cut = after_last_entry_end(pending_);
    bool at_end = false;
    while (cut == 0) {
        auto lines = read_lines();
        if (!lines) {
            at_end = true;
            break;
        }
        pending_ += *lines;
        cut = after_last_entry_end(pending_);
    }
    if (at_end) cut = pending_.size();
    if (cut == 0) return std::optional<Piece>();
    const std::string_view raw = std::string_view(pending_).substr(0, cut);
    TextEncoding used = encoding_;
    auto text = decode(raw, encoding_, &used);
    if (!text) return std::unexpected(text.error());
    Piece piece{std::move(*text), first_line_};
    first_line_ += static_cast<int>(std::ranges::count(raw, '\n'));
    pending_.erase(0, cut);
    return std::optional<Piece>(std::move(piece));
}

BodyFormat body_format(const std::optional<std::string>& convert_breaks) {
    // Without the key, Movable Type applies the blog's default, which is converting breaks.
    if (!convert_breaks || *convert_breaks == "1" || *convert_breaks == "__default__") {
        return BodyFormat::breaks;
    }
    if (*convert_breaks == "0") return BodyFormat::html;
    if (convert_breaks->starts_with("markdown")) return BodyFormat::markdown;
    return BodyFormat::unknown;
}

std::string post_source(BodyFormat format, std::string_view body,
                        const std::optional<std::string>& extended_body) {
    switch (format) {
        case BodyFormat::breaks: {
            auto source = converted_breaks(body);
            if (extended_body && !trim(*extended_body).empty()) {
                source += "\n\n" + converted_breaks(*extended_body);
            }
            return source;
        }
        case BodyFormat::markdown:
            if (extended_body && !extended_body->empty()) {
                return fmt::format("{}\n\n{}", body, *extended_body);
            }
            return std::string(body);
        case BodyFormat::html:
        case BodyFormat::unknown:
            break;
    }
    if (extended_body && !extended_body->empty())
        return fmt::format("{}\n{}", body, *extended_body);
    return std::string(body);
}

}  // namespace mt
}  // namespace carnet::interop
