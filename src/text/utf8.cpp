// UTF-8 and folding. ICU does the Unicode work (case folding, normalization, character
// properties); its offsets are int32_t, hence the limits below.
#include <unicode/uchar.h>
#include <unicode/unorm2.h>
#include <unicode/ustring.h>
#include <unicode/utf16.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <cstdint>
#include <limits>

#include "text/text.hpp"

namespace carnet::text {
namespace {

constexpr UChar32 k_replacement = 0xFFFD;

// What one fold reads at the most: its UTF-16 and the decomposition (up to 18 code units for
// one, in theory; a few in practice) stay within ICU's int32_t.
constexpr std::size_t k_max_folded_bytes = std::numeric_limits<int32_t>::max() / 4;

bool is_ascii(std::string_view text) {
    return std::all_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

// Runs an ICU UTF-16 transformation into `out`, growing it once if ICU asks for more room.
template <typename Transform>
bool transform_utf16(const std::u16string& in, std::u16string& out, Transform&& transform) {
    out.resize(in.size() * 2 + 8);
    for (int attempt = 0; attempt < 2; ++attempt) {
        UErrorCode status = U_ZERO_ERROR;
        const int32_t length = transform(in.data(), static_cast<int32_t>(in.size()), out.data(),
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

}  // namespace

void append_utf8(std::string& out, char32_t code_point) {
    if ((code_point >= 0xD800 && code_point <= 0xDFFF) || code_point > 0x10FFFF) {
        code_point = k_replacement;
    }
    char buffer[U8_MAX_LENGTH];
    int32_t length = 0;
    U8_APPEND_UNSAFE(buffer, length, static_cast<UChar32>(code_point));
    out.append(buffer, static_cast<std::size_t>(length));
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

std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes) return text;
    std::size_t end = max_bytes;
    // Back to the first byte of the character that the cut would split.
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return text.substr(0, end);
}

bool Folder::fold(std::string_view text, Folding folding, std::string& out) {
    out.clear();
    if (is_ascii(text)) {
        // Folding, NFC and NFKD leave ASCII as it is but for the capitals.
        out.assign(text);
        for (auto& c : out) {
            if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
        }
        return true;
    }
    if (text.size() > k_max_folded_bytes) return false;
    UErrorCode status = U_ZERO_ERROR;
    int32_t length = 0;
    utf16_.resize(text.size() + 1);  // never more UTF-16 units than bytes
    u_strFromUTF8WithSub(utf16_.data(), static_cast<int32_t>(utf16_.size()), &length, text.data(),
                         static_cast<int32_t>(text.size()), k_replacement, nullptr, &status);
    if (U_FAILURE(status)) return false;
    utf16_.resize(static_cast<std::size_t>(length));
    if (!transform_utf16(utf16_, folded_,
                         [](const UChar* in, int32_t in_length, UChar* buffer, int32_t capacity,
                            UErrorCode* error) {
                             return u_strFoldCase(buffer, capacity, in, in_length,
                                                  U_FOLD_CASE_DEFAULT, error);
                         })) {
        return false;
    }
    const bool strip = folding == Folding::case_and_accents;
    UErrorCode instance_status = U_ZERO_ERROR;
    // ICU owns these instances; they are immutable and shared by all threads. NFKD rather
    // than NFD: spammers write "ｃａｓｉｎｏ" and "ﬁnance" to slip past filters.
    const UNormalizer2* normalizer =
        strip ? unorm2_getNFKDInstance(&instance_status) : unorm2_getNFCInstance(&instance_status);
    if (U_FAILURE(instance_status)) return false;
    if (!transform_utf16(folded_, normalized_,
                         [normalizer](const UChar* in, int32_t in_length, UChar* buffer,
                                      int32_t capacity, UErrorCode* error) {
                             return unorm2_normalize(normalizer, in, in_length, buffer, capacity,
                                                     error);
                         })) {
        return false;
    }
    const auto size = static_cast<int32_t>(normalized_.size());
    for (int32_t i = 0; i < size;) {
        UChar32 c = 0;
        U16_NEXT(normalized_.data(), i, size, c);
        if (strip) {
            // Accents go; zero-width spaces and soft hyphens vanish rather than split a word,
            // or "ca\u200Bsino" would escape a list of blocked words.
            if (U_GET_GC_MASK(c) & (U_GC_MN_MASK | U_GC_CF_MASK)) continue;
            // Ligatures that no Unicode decomposition splits, but French readers type as two
            // letters.
            if (c == 0x0153) {
                out += "oe";
                continue;
            }
            if (c == 0x00E6) {
                out += "ae";
                continue;
            }
        }
        append_utf8(out, static_cast<char32_t>(c));
    }
    return true;
}

std::optional<std::string> fold(std::string_view text, Folding folding) {
    Folder folder;
    std::string out;
    if (!folder.fold(text, folding, out)) return std::nullopt;
    return out;
}

}  // namespace carnet::text
