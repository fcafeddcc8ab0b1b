#include "comments/text.hpp"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>

#include "text/text.hpp"

namespace carnet::comments {
namespace {

// ICU counts in int32_t; anything larger than this is far past every limit of a comment, and
// looking at its beginning is enough to judge it.
constexpr std::size_t k_max_scanned_bytes = 16 * 1024 * 1024;

std::string_view scanned_part(std::string_view text) {
    return text.substr(0, std::min(text.size(), k_max_scanned_bytes));
}

bool is_blank(UChar32 c) { return u_isUWhiteSpace(c) || u_iscntrl(c); }

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool starts_with_ignoring_case(std::string_view text, std::size_t at, std::string_view prefix) {
    if (text.size() - at < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (ascii_lower(text[at + i]) != prefix[i]) return false;
    }
    return true;
}

// Whether a URL may begin at `at`: not inside a word (a scheme is read from the word's first
// letter), a host name or an e-mail address ("a.www.example.org", "me@www.example.org").
// Punctuation is a boundary, so "_http://x_" and "(www.x.org)" count.
bool at_url_boundary(std::string_view text, std::size_t at) {
    if (at == 0) return true;
    const char before = text[at - 1];
    return !is_ascii_alnum(before) && before != '.' && before != '@';
}

// The length of the URL prefix that begins at `at` ("https://", "www.", "mailto:"), zero
// when none does.
std::size_t url_prefix_at(std::string_view text, std::size_t at) {
    if (!at_url_boundary(text, at)) return 0;
    if (starts_with_ignoring_case(text, at, "www.")) return 4;
    if (starts_with_ignoring_case(text, at, "mailto:")) return 7;
    // Any scheme (RFC 3986 §3.1) followed by "//": http, https, ftp, and whatever a spammer
    // hopes a browser will open.
    const auto is_scheme_char = [](char c) {
        return is_ascii_alnum(c) || c == '+' || c == '-' || c == '.';
    };
    if (!is_ascii_alnum(text[at]) || (text[at] >= '0' && text[at] <= '9')) return 0;
    std::size_t end = at;
    while (end < text.size() && is_scheme_char(text[end])) ++end;
    if (text.substr(end, 3) == "://") return end - at + 3;
    return 0;
}

// Where the URL that begins at `at` ends: at white space or at a character that closes a
// Markdown link, an autolink or a quoted attribute.
std::size_t url_end(std::string_view text, std::size_t at) {
    const auto stop = text.find_first_of(" \t\r\n\f\v<>\"'()[]", at);
    return stop == std::string_view::npos ? text.size() : stop;
}

}  // namespace

std::string_view trim(std::string_view text) {
    text = scanned_part(text);
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    const auto length = static_cast<int32_t>(text.size());
    int32_t begin = 0;
    while (begin < length) {
        int32_t next = begin;
        UChar32 c = 0;
        U8_NEXT(bytes, next, length, c);
        if (c < 0 || !is_blank(c)) break;
        begin = next;
    }
    int32_t end = length;
    while (end > begin) {
        int32_t previous = end;
        UChar32 c = 0;
        U8_PREV(bytes, begin, previous, c);
        if (c < 0 || !is_blank(c)) break;
        end = previous;
    }
    return text.substr(static_cast<std::size_t>(begin), static_cast<std::size_t>(end - begin));
}

std::size_t count_links(std::string_view text) {
    text = scanned_part(text);
    std::size_t count = 0;
    std::size_t at = 0;
    while (at < text.size()) {
        const std::size_t prefix = url_prefix_at(text, at);
        if (prefix == 0) {
            ++at;
            continue;
        }
        ++count;
        at = url_end(text, at + prefix);
    }
    return count;
}

std::vector<std::string> fold_words(std::string_view text) {
    text = scanned_part(text);
    auto folded = text::fold(text, text::Folding::case_and_accents);
    if (!folded) return {};
    std::vector<std::string> words;
    const auto* bytes = reinterpret_cast<const uint8_t*>(folded->data());
    const auto length = static_cast<int32_t>(folded->size());
    int32_t word_start = -1;
    for (int32_t i = 0; i < length;) {
        const int32_t here = i;
        UChar32 c = 0;
        U8_NEXT(bytes, i, length, c);
        if (c >= 0 && u_isalnum(c)) {
            if (word_start < 0) word_start = here;
            continue;
        }
        if (word_start >= 0)
            words.emplace_back(folded->substr(static_cast<std::size_t>(word_start),
                                              static_cast<std::size_t>(here - word_start)));
        word_start = -1;
    }
    if (word_start >= 0) words.emplace_back(folded->substr(static_cast<std::size_t>(word_start)));
    return words;
}

}  // namespace carnet::comments
