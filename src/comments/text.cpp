#include "comments/text.hpp"

#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <limits>

namespace carnet::comments {
namespace {

constexpr UChar32 k_replacement = 0xFFFD;

// ICU counts in int32_t; anything larger than this is far past every limit of a comment, and
// looking at its beginning is enough to judge it.
constexpr std::size_t k_max_scanned_bytes = 16 * 1024 * 1024;

std::string_view scanned_part(std::string_view text) {
    return text.substr(0, std::min(text.size(), k_max_scanned_bytes));
}

bool is_blank(UChar32 c) { return u_isUWhiteSpace(c) || u_iscntrl(c); }

// Runs an ICU UTF-16 transformation into `out`, growing it once if ICU asks for more room.
template <typename Transform>
bool transform(const std::u16string& in, std::u16string& out, Transform&& run) {
    out.resize(in.size() + 16);
    for (int attempt = 0; attempt < 2; ++attempt) {
        UErrorCode status = U_ZERO_ERROR;
        const int32_t length = run(in.data(), static_cast<int32_t>(in.size()), out.data(),
                                   static_cast<int32_t>(out.size()), &status);
        if (status == U_BUFFER_OVERFLOW_ERROR) {
            out.resize(static_cast<std::size_t>(length));
            continue;
        }
        if (U_FAILURE(status)) return false;
        out.resize(static_cast<std::size_t>(length));
        return true;
    }
    return false;
}

void append_utf8(std::string& out, UChar32 c) {
    char buffer[U8_MAX_LENGTH];
    int32_t length = 0;
    U8_APPEND_UNSAFE(buffer, length, c);
    out.append(buffer, static_cast<std::size_t>(length));
}

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

bool is_valid_utf8(std::string_view text) {
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    // Checked in pieces that ICU's int32_t offsets can address; a piece boundary may split a
    // sequence, so each piece after the first starts where the previous one stopped.
    std::size_t offset = 0;
    while (offset < text.size()) {
        const auto length = static_cast<int32_t>(
            std::min<std::size_t>(text.size() - offset, std::numeric_limits<int32_t>::max()));
        int32_t i = 0;
        while (i < length) {
            UChar32 c = 0;
            U8_NEXT(bytes + offset, i, length, c);
            if (c < 0) return false;
        }
        offset += static_cast<std::size_t>(i);
    }
    return true;
}

std::size_t count_chars(std::string_view text) {
    std::size_t count = 0;
    for (const char c : text) {
        // Every byte but a continuation byte starts a code point (or is an invalid byte).
        if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++count;
    }
    return count;
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
    std::u16string utf16(text.size() + 1, u'\0');  // never more UTF-16 units than bytes
    int32_t length = 0;
    UErrorCode status = U_ZERO_ERROR;
    u_strFromUTF8WithSub(utf16.data(), static_cast<int32_t>(utf16.size()), &length, text.data(),
                         static_cast<int32_t>(text.size()), k_replacement, nullptr, &status);
    if (U_FAILURE(status)) return {};
    utf16.resize(static_cast<std::size_t>(length));

    std::u16string folded;
    if (!transform(utf16, folded,
                   [](const UChar* in, int32_t in_length, UChar* out, int32_t capacity,
                      UErrorCode* error) {
                       return u_strFoldCase(out, capacity, in, in_length, U_FOLD_CASE_DEFAULT,
                                            error);
                   })) {
        return {};
    }
    UErrorCode instance_status = U_ZERO_ERROR;
    // NFKD rather than NFD: spammers write "ｃａｓｉｎｏ" and "ﬁnance" to slip past filters.
    const UNormalizer2* nfkd = unorm2_getNFKDInstance(&instance_status);
    if (U_FAILURE(instance_status)) return {};
    std::u16string decomposed;
    if (!transform(folded, decomposed,
                   [nfkd](const UChar* in, int32_t in_length, UChar* out, int32_t capacity,
                          UErrorCode* error) {
                       return unorm2_normalize(nfkd, in, in_length, out, capacity, error);
                   })) {
        return {};
    }

    std::vector<std::string> words;
    std::string word;
    const auto size = static_cast<int32_t>(decomposed.size());
    for (int32_t i = 0; i < size;) {
        UChar32 c = 0;
        U16_NEXT(decomposed.data(), i, size, c);
        const auto category = U_GET_GC_MASK(c);
        // Accents go; zero-width spaces and soft hyphens vanish rather than split a word,
        // or "ca\u200Bsino" would escape the list.
        if (category & (U_GC_MN_MASK | U_GC_CF_MASK)) continue;
        if (u_isalnum(c)) {
            // Ligatures that no decomposition splits but French readers type as two letters.
            if (c == 0x0153) {
                word += "oe";
            } else if (c == 0x00E6) {
                word += "ae";
            } else {
                append_utf8(word, c);
            }
            continue;
        }
        if (!word.empty()) words.push_back(std::move(word));
        word.clear();
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

}  // namespace carnet::comments
