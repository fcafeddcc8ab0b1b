// The ground floor every module may use: escaping for HTML and XML, entity decoding, HTML to
// plain text, case and accent folding, UTF-8, and the date formats of feeds and HTTP. Each of
// these has exactly one implementation in carnet, here, so that one review audits them.
// Includes nothing of carnet's own but the error type.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "text/error.hpp"

namespace carnet::text {

using Instant = std::chrono::sys_seconds;  // always UTC

// ASCII letters in lower case, every other byte as it is: for protocol words (header
// values, schemes, e-mail addresses as keys), never for readers' text.
std::string ascii_lower(std::string_view text);

// --- Escaping.

// Text escaped for HTML: &, <, >, " and ' become references (' as &#39;, which HTML 4 and
// every mail and feed reader know, unlike &apos;). The result is safe as element text and
// as an attribute value between either kind of quote; it is the one HTML escaping of carnet,
// so that no caller picks a weaker one for an attribute.
std::string html_escape(std::string_view text);

// The same, appended to `out` (for building a page without a temporary per piece).
void append_html_escaped(std::string& out, std::string_view text);

// A run of bytes of a text: [begin, end).
struct ByteRange {
    std::size_t begin = 0;
    std::size_t end = 0;
    bool operator==(const ByteRange&) const = default;
};

// `text` escaped as html_escape does, with each of `marks` (byte ranges into `text`, in
// order, not overlapping) inside <mark>…</mark>: how search results show the matched words.
// A range that overlaps the one before it or reaches past the text is clamped to what is
// left; an empty one is skipped. One pass, one allocation.
std::string html_escape_marking(std::string_view text, std::span<const ByteRange> marks);

// Text escaped for XML character data and attribute values (&, <, >, ", '). Characters XML
// 1.0 forbids (C0 controls other than tab, line feed, carriage return) are dropped.
std::string xml_escape(std::string_view text);

// --- Character references.

// `text` with its HTML character references replaced by what they stand for: the named
// references of the HTML standard ("&eacute;", "&NotEqualTilde;"), decimal ("&#233;") and
// hexadecimal ("&#xE9;") ones. As browsers read text: a numeric reference needs no ';'; a
// code point of 0, a surrogate or one past U+10FFFF gives U+FFFD, and 0x80 to 0x9F the
// character Windows-1252 puts there (old posts write "&#146;" for an apostrophe). A named
// reference needs its ';' (as libxml2 and md4c read them); one not in the standard is kept as
// typed. Decodes once: "&amp;lt;" gives "&lt;".
std::string decode_html_entities(std::string_view text);

// Decodes the reference that begins at text[at] (an '&') onto `out` and returns how many
// bytes it took; 0 when no reference begins there (the '&' is then plain text).
std::size_t decode_html_entity(std::string_view text, std::size_t at, std::string& out);

// --- HTML to plain text.

// The text a reader sees in an HTML fragment: tags dropped (each separates words, so
// "<p>un</p><p>deux</p>" is "un deux"), comments and the contents of script, style and
// template dropped, character references decoded, runs of white space (ASCII and U+00A0)
// folded into one space, none at either end. Broken markup is read as browsers mostly do:
// a '<' that does not begin a tag is text, a quoted attribute value may hold '>'. Hand-written
// rather than libxml2's HTML parser: several times faster for indexing (bench/html_text).
std::string html_to_text(std::string_view html);

// --- UTF-8.

// Appends the UTF-8 of `code_point`; a surrogate or a value past U+10FFFF appends U+FFFD.
void append_utf8(std::string& out, char32_t code_point);

bool is_valid_utf8(std::string_view text);

// Code points in `text` when it is valid UTF-8 (each invalid byte that is not a continuation
// byte counts as one).
std::size_t count_chars(std::string_view text);

// The longest beginning of `text` of at most `max_bytes` bytes that does not cut a
// character in two.
std::string_view utf8_prefix(std::string_view text, std::size_t max_bytes);

// --- Case and accent folding (ICU).

enum class Folding {
    // Full case folding, then NFC: "État" gives "état", "Straße" gives "strasse" (what the
    // Snowball stemmers expect).
    case_only,
    // Full case folding, compatibility forms taken apart ("ﬁ" is "fi", "ｃ" is "c"),
    // diacritics and format characters (soft hyphens, zero-width spaces) dropped, and the
    // ligatures œ and æ that no decomposition splits written as two letters: "L'ÉTÉ" gives
    // "l'ete", "Œuvre" gives "oeuvre", "ca\u200Bsino" gives "casino".
    case_and_accents,
};

// Folds text for comparison (search tokens, blocked words). Invalid UTF-8 is read as U+FFFD.
// Holds its work buffers, so that folding many words allocates rarely: one per thread.
class Folder {
public:
    // Writes the folded `text` to `out`; false (and `out` unspecified) if ICU failed or the
    // text is beyond what ICU can address (about 500 MB).
    [[nodiscard]] bool fold(std::string_view text, Folding folding, std::string& out);

private:
    std::u16string utf16_;
    std::u16string folded_;
    std::u16string normalized_;
};

// The same with a Folder of its own: for a few words, not for a loop.
std::optional<std::string> fold(std::string_view text, Folding folding);

// --- Dates. The offset is what the reader's time zone adds to UTC at that instant, in
// minutes (+120 for Paris in summer); the caller reads it from the zone (model::utc_offset).

// RFC 3339 in UTC: "2017-10-04T18:19:00Z".
std::string rfc3339_utc(Instant instant);

// RFC 3339 with an explicit offset: "2017-10-04T20:19:00+02:00" ("+00:00" for UTC).
std::string rfc3339(Instant instant, int offset_minutes);

// RFC 822 as RSS 2.0 uses it: "Wed, 04 Oct 2017 20:19:00 +0200". Always English names.
std::string rfc822(Instant instant, int offset_minutes);

// The IMF-fixdate of RFC 9110 §5.6.7: "Wed, 04 Oct 2017 18:19:00 GMT".
std::string http_date(Instant instant);

}  // namespace carnet::text
