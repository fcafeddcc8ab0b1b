#include <algorithm>

#include "text/text.hpp"

namespace carnet::text {

void append_html_escaped(std::string& out, std::string_view text) {
    std::size_t done = 0;
    for (std::size_t i = 0; i < text.size(); ++i) {
        std::string_view reference;
        switch (text[i]) {
            case '&':
                reference = "&amp;";
                break;
            case '<':
                reference = "&lt;";
                break;
            case '>':
                reference = "&gt;";
                break;
            case '"':
                reference = "&quot;";
                break;
            case '\'':
                reference = "&#39;";
                break;
            default:
                continue;
        }
        out.append(text, done, i - done);
        out += reference;
        done = i + 1;
    }
    out.append(text, done);
}

std::string ascii_lower(std::string_view text) {
    std::string out(text);
    for (auto& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    append_html_escaped(out, text);
    return out;
}

std::string html_escape_marking(std::string_view text, std::span<const ByteRange> marks) {
    constexpr std::string_view k_open = "<mark>";
    constexpr std::string_view k_close = "</mark>";
    std::string out;
    out.reserve(text.size() + text.size() / 8 + marks.size() * (k_open.size() + k_close.size()));
    std::size_t done = 0;
    for (const auto& mark : marks) {
        const std::size_t begin = std::clamp(mark.begin, done, text.size());
        const std::size_t end = std::clamp(mark.end, begin, text.size());
        if (begin == end) continue;
        append_html_escaped(out, text.substr(done, begin - done));
        out += k_open;
        append_html_escaped(out, text.substr(begin, end - begin));
        out += k_close;
        done = end;
    }
    append_html_escaped(out, text.substr(done));
    return out;
}

std::string xml_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&apos;";
                break;
            case '\t':
            case '\n':
            case '\r':
                out += c;
                break;
            default:
                // XML 1.0 §2.2 forbids the other C0 controls, even as references.
                if (static_cast<unsigned char>(c) >= 0x20) out += c;
        }
    }
    return out;
}

}  // namespace carnet::text
