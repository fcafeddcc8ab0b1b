#include "markup/markup.hpp"

#include <libxml/HTMLparser.h>
#include <md4c-html.h>

#include <memory>

#include "markup/video.hpp"

namespace carnet::markup {
namespace {

struct XmlDocDeleter {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocDeleter>;

bool is_space(unsigned char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
}

// Collects the text of a parsed HTML tree, skipping what a reader never sees.
void collect_text(const xmlNode* node, std::string& out) {
    for (; node != nullptr; node = node->next) {
        if (node->type == XML_TEXT_NODE && node->content != nullptr) {
            out += reinterpret_cast<const char*>(node->content);
        } else if (node->type == XML_ELEMENT_NODE) {
            const std::string_view name = reinterpret_cast<const char*>(node->name);
            if (name == "script" || name == "style" || name == "template") continue;
            // Block boundaries separate words even when the markup has no space there.
            out += ' ';
            collect_text(node->children, out);
            out += ' ';
        }
    }
}

std::string fold_white_space(std::string_view text) {
    std::string folded;
    folded.reserve(text.size());
    bool pending_space = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        // U+00A0 (no-break space) is C2 A0 in UTF-8: folded like a space.
        const bool nbsp =
            c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0;
        if (is_space(c) || nbsp) {
            if (nbsp) ++i;
            pending_space = !folded.empty();
            continue;
        }
        if (pending_space) folded += ' ';
        pending_space = false;
        folded += static_cast<char>(c);
    }
    return folded;
}

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string escape_html(std::string_view text) {
    std::string escaped;
    escaped.reserve(text.size() + text.size() / 8);
    for (char c : text) {
        switch (c) {
            case '&':
                escaped += "&amp;";
                break;
            case '<':
                escaped += "&lt;";
                break;
            case '>':
                escaped += "&gt;";
                break;
            case '"':
                escaped += "&quot;";
                break;
            case '\'':
                escaped += "&#39;";
                break;
            default:
                escaped += c;
        }
    }
    return escaped;
}

std::string render_post_body(model::SourceFormat format, std::string_view source) {
    if (format == model::SourceFormat::html) return embed_videos(source);
    std::string html;
    html.reserve(source.size() + source.size() / 4);
    const auto append = [](const MD_CHAR* text, MD_SIZE size, void* userdata) {
        static_cast<std::string*>(userdata)->append(text, size);
    };
    md_html(source.data(), static_cast<MD_SIZE>(source.size()), append, &html,
            MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEURLAUTOLINKS |
                MD_FLAG_PERMISSIVEWWWAUTOLINKS,
            MD_HTML_FLAG_SKIP_UTF8_BOM);
    return embed_videos(html);
}

std::string plain_text(std::string_view html) {
    if (html.empty()) return {};
    // libxml2's HTML parser decodes every named entity and copes with broken markup; the
    // fragment is wrapped so that leading text is not dropped.
    const std::string document = "<html><body>" + std::string(html) + "</body></html>";
    XmlDoc doc(htmlReadMemory(
        document.data(), static_cast<int>(document.size()), nullptr, "UTF-8",
        HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED));
    if (!doc) return fold_white_space(html);
    std::string text;
    collect_text(xmlDocGetRootElement(doc.get()), text);
    return fold_white_space(text);
}

std::string excerpt(std::string_view html, std::size_t max_chars) {
    const std::string text = plain_text(html);
    std::size_t chars = 0;
    std::size_t cut = text.size();
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (is_utf8_continuation(text[i])) continue;
        if (chars == max_chars) {
            cut = i;
            break;
        }
        ++chars;
    }
    if (cut == text.size()) return text;
    const auto space = text.rfind(' ', cut);
    if (space != std::string::npos && space > 0) cut = space;
    std::string shortened = text.substr(0, cut);
    while (!shortened.empty() && (shortened.back() == ',' || shortened.back() == ' ' ||
                                  shortened.back() == ';' || shortened.back() == ':')) {
        shortened.pop_back();
    }
    return shortened + "…";
}

}  // namespace carnet::markup
