#include <cstdint>

#include "text/text.hpp"

namespace carnet::text {
namespace {

char ascii_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool is_ascii_letter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }

bool starts_with_ignoring_case(std::string_view text, std::size_t at, std::string_view prefix) {
    if (text.size() - at < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (ascii_lower(text[at + i]) != prefix[i]) return false;
    }
    return true;
}

// Whether the tag at text[at] ('<') is `name` ("<script", "<script>", not "<scripts").
bool is_tag(std::string_view text, std::size_t at, std::string_view name) {
    if (!starts_with_ignoring_case(text, at + 1, name)) return false;
    const std::size_t after = at + 1 + name.size();
    return after >= text.size() || !is_ascii_letter(text[after]);
}

// Where the tag that begins at text[at] ends (one past its '>'), stepping over attribute
// values quoted after '=' that may hold '>'. A quote anywhere else is just a character, as
// browsers read it: "<a title=l'été>" does not swallow the text up to the next quote.
std::size_t tag_end(std::string_view html, std::size_t at) {
    bool after_equals = false;
    for (std::size_t i = at + 1; i < html.size(); ++i) {
        const char c = html[i];
        if (c == '>') return i + 1;
        if (after_equals && (c == '"' || c == '\'')) {
            const auto close = html.find(c, i + 1);
            if (close == std::string_view::npos) return html.size();
            i = close;
            after_equals = false;
            continue;
        }
        if (c == '=') {
            after_equals = true;
        } else if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f') {
            after_equals = false;
        }
    }
    return html.size();
}

// Appends a space for a run of white space, lazily: none at the start, one between words,
// none at the end.
class FoldedText {
public:
    explicit FoldedText(std::size_t capacity) { text_.reserve(capacity); }

    void space() { pending_space_ = !text_.empty(); }

    void append(std::string_view text) {
        for (std::size_t i = 0; i < text.size(); ++i) {
            const auto c = static_cast<unsigned char>(text[i]);
            // U+00A0 (no-break space) is C2 A0 in UTF-8: folded like a space.
            const bool nbsp =
                c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0;
            if (c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' || nbsp) {
                if (nbsp) ++i;
                space();
                continue;
            }
            if (pending_space_) text_ += ' ';
            pending_space_ = false;
            text_ += static_cast<char>(c);
        }
    }

    std::string take() { return std::move(text_); }

private:
    std::string text_;
    bool pending_space_ = false;
};

}  // namespace

std::string html_to_text(std::string_view html) {
    FoldedText out(html.size());
    std::string decoded;
    std::size_t i = 0;
    while (i < html.size()) {
        // Plain text up to the next tag or reference, in one piece.
        const auto special = html.find_first_of("<&", i);
        const auto stop = special == std::string_view::npos ? html.size() : special;
        out.append(html.substr(i, stop - i));
        i = stop;
        if (i == html.size()) break;
        if (html[i] == '&') {
            decoded.clear();
            const auto used = decode_html_entity(html, i, decoded);
            out.append(used > 0 ? std::string_view(decoded) : "&");
            i += used > 0 ? used : 1;
            continue;
        }
        const bool tag_start =
            i + 1 < html.size() && (is_ascii_letter(html[i + 1]) || html[i + 1] == '/' ||
                                    html[i + 1] == '!' || html[i + 1] == '?');
        if (!tag_start) {
            out.append("<");
            ++i;
            continue;
        }
        // A tag separates words ("<p>un</p><p>deux</p>" is two words, not "undeux").
        out.space();
        if (html.compare(i, 4, "<!--") == 0) {
            const auto end = html.find("-->", i + 4);
            i = end == std::string_view::npos ? html.size() : end + 3;
            continue;
        }
        std::string_view skip_to;
        if (is_tag(html, i, "script")) skip_to = "</script";
        if (is_tag(html, i, "style")) skip_to = "</style";
        if (is_tag(html, i, "template")) skip_to = "</template";
        i = tag_end(html, i);
        if (!skip_to.empty()) {
            // Code, style sheets and templates are not text a reader sees.
            while (i < html.size() && !starts_with_ignoring_case(html, i, skip_to)) ++i;
        }
    }
    return out.take();
}

}  // namespace carnet::text
