// Comments are rendered by our own md4c renderer rather than md4c-html: it emits only the
// few elements a comment may hold and vets every link, so safety does not depend on
// sanitizing HTML after the fact.
#include <md4c.h>

#include <algorithm>
#include <cctype>
#include <vector>

#include "markup/markup.hpp"
#include "text/text.hpp"

namespace carnet::markup {
namespace {

// An attribute's text with its entities decoded; nothing if it holds a NUL.
std::optional<std::string> attribute_text(const MD_ATTRIBUTE& attribute) {
    std::string text;
    if (attribute.text == nullptr) return text;
    for (int i = 0; attribute.substr_offsets[i] < attribute.size; ++i) {
        const std::string_view part(attribute.text + attribute.substr_offsets[i],
                                    attribute.substr_offsets[i + 1] - attribute.substr_offsets[i]);
        switch (attribute.substr_types[i]) {
            case MD_TEXT_NULLCHAR:
                return std::nullopt;
            case MD_TEXT_ENTITY:
                text += text::decode_html_entities(part);
                break;
            default:
                text += part;
        }
    }
    return text;
}

class CommentRenderer {
public:
    std::string render(std::string_view source) {
        MD_PARSER parser{};
        parser.flags = MD_FLAG_NOHTML | MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_STRIKETHROUGH;
        parser.enter_block = [](MD_BLOCKTYPE type, void* detail, void* self) {
            return static_cast<CommentRenderer*>(self)->enter_block(type, detail);
        };
        parser.leave_block = [](MD_BLOCKTYPE type, void* detail, void* self) {
            return static_cast<CommentRenderer*>(self)->leave_block(type, detail);
        };
        parser.enter_span = [](MD_SPANTYPE type, void* detail, void* self) {
            return static_cast<CommentRenderer*>(self)->enter_span(type, detail);
        };
        parser.leave_span = [](MD_SPANTYPE type, void*, void* self) {
            return static_cast<CommentRenderer*>(self)->leave_span(type);
        };
        parser.text = [](MD_TEXTTYPE type, const MD_CHAR* text, MD_SIZE size, void* self) {
            return static_cast<CommentRenderer*>(self)->text(type, std::string_view(text, size));
        };
        // md4c 0.4.8 (Debian 12) reads the byte past the end of its input while it looks for
        // the end of a link, and a ')' there makes it hand back text spans that run past the
        // end, into whatever memory follows: a stranger's comment could show it on the page.
        // It reads a copy, whose end is a NUL, and spans are clipped to the copy.
        const std::string copy(source);
        begin_ = copy.data();
        end_ = copy.data() + copy.size();
        if (md_parse(copy.data(), static_cast<MD_SIZE>(copy.size()), &parser, this) != 0) {
            // md4c only fails on memory exhaustion: show the text, escaped, rather than lose it.
            return "<p>" + text::html_escape(source) + "</p>\n";
        }
        return std::move(html_);
    }

private:
    int enter_block(MD_BLOCKTYPE type, void* detail) {
        switch (type) {
            case MD_BLOCK_QUOTE:
                html_ += "<blockquote>\n";
                break;
            case MD_BLOCK_UL:
                html_ += "<ul>\n";
                break;
            case MD_BLOCK_OL: {
                const auto* list = static_cast<const MD_BLOCK_OL_DETAIL*>(detail);
                html_ += list->start == 1 ? std::string("<ol>\n")
                                          : "<ol start=\"" + std::to_string(list->start) + "\">\n";
                break;
            }
            case MD_BLOCK_LI:
                html_ += "<li>";
                break;
            case MD_BLOCK_HR:
                html_ += "<hr>\n";
                break;
            case MD_BLOCK_CODE:
                html_ += "<pre><code>";
                break;
            // A comment has no headings of its own: a heading reads as a paragraph.
            case MD_BLOCK_H:
            case MD_BLOCK_P:
            case MD_BLOCK_HTML:
                html_ += "<p>";
                break;
            default:
                break;
        }
        return 0;
    }

    int leave_block(MD_BLOCKTYPE type, void*) {
        switch (type) {
            case MD_BLOCK_QUOTE:
                html_ += "</blockquote>\n";
                break;
            case MD_BLOCK_UL:
                html_ += "</ul>\n";
                break;
            case MD_BLOCK_OL:
                html_ += "</ol>\n";
                break;
            case MD_BLOCK_LI:
                html_ += "</li>\n";
                break;
            case MD_BLOCK_CODE:
                html_ += "</code></pre>\n";
                break;
            case MD_BLOCK_H:
            case MD_BLOCK_P:
            case MD_BLOCK_HTML:
                html_ += "</p>\n";
                break;
            default:
                break;
        }
        return 0;
    }

    int enter_span(MD_SPANTYPE type, void* detail) {
        std::string_view closing;
        switch (type) {
            case MD_SPAN_EM:
                html_ += "<em>";
                closing = "</em>";
                break;
            case MD_SPAN_STRONG:
                html_ += "<strong>";
                closing = "</strong>";
                break;
            case MD_SPAN_CODE:
                html_ += "<code>";
                closing = "</code>";
                break;
            case MD_SPAN_DEL:
                html_ += "<del>";
                closing = "</del>";
                break;
            case MD_SPAN_A: {
                const auto* link = static_cast<const MD_SPAN_A_DETAIL*>(detail);
                auto target = attribute_text(link->href);
                auto url = target ? safe_url(*target) : std::nullopt;
                // A link inside an image's description would be a link in an attribute.
                if (url && image_depth_ == 0) {
                    html_ += "<a href=\"";
                    text::append_html_escaped(html_, *url);
                    html_ += "\" rel=\"nofollow ugc noopener\">";
                    closing = "</a>";
                }
                break;
            }
            case MD_SPAN_IMG:
                ++image_depth_;
                break;
            default:
                break;
        }
        closings_.push_back(closing);
        return 0;
    }

    int leave_span(MD_SPANTYPE type) {
        if (type == MD_SPAN_IMG) --image_depth_;
        if (!closings_.empty()) {
            html_ += closings_.back();
            closings_.pop_back();
        }
        return 0;
    }

    int text(MD_TEXTTYPE type, std::string_view text) {
        if (text.data() >= begin_ && text.data() <= end_) {
            text = text.substr(0, std::min<std::size_t>(text.size(), end_ - text.data()));
        }
        switch (type) {
            case MD_TEXT_NULLCHAR:
                html_ += "\xEF\xBF\xBD";
                break;
            case MD_TEXT_BR:
                html_ += image_depth_ > 0 ? " " : "<br>\n";
                break;
            case MD_TEXT_SOFTBR:
                html_ += "\n";
                break;
            case MD_TEXT_ENTITY:
                text::append_html_escaped(html_, text::decode_html_entities(text));
                break;
            default:
                text::append_html_escaped(html_, text);
                break;
        }
        return 0;
    }

    std::string html_;
    const char* begin_ = nullptr;  // the text md4c reads
    const char* end_ = nullptr;
    std::vector<std::string_view> closings_;
    int image_depth_ = 0;
};

bool is_url_breaking(unsigned char c) {
    return c <= 0x20 || c == 0x7F || c == '"' || c == '\'' || c == '<' || c == '>' || c == '`' ||
           c == '\\';
}

}  // namespace

std::string render_comment(std::string_view source) { return CommentRenderer().render(source); }

std::optional<std::string> safe_url(std::string_view url) {
    const auto is_space = [](unsigned char c) { return c <= 0x20; };
    while (!url.empty() && is_space(url.front())) url.remove_prefix(1);
    while (!url.empty() && is_space(url.back())) url.remove_suffix(1);
    if (url.empty() || url.size() > 2048) return std::nullopt;
    if (std::any_of(url.begin(), url.end(), [](char c) { return is_url_breaking(c); })) {
        return std::nullopt;
    }
    const auto colon = url.find(':');
    if (colon == std::string_view::npos ||
        url.substr(0, colon).find_first_of("/?#") != std::string_view::npos) {
        return std::nullopt;  // relative: no scheme to check, and nothing a comment needs
    }
    std::string scheme(url.substr(0, colon));
    std::transform(scheme.begin(), scheme.end(), scheme.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto rest = url.substr(colon + 1);
    if (scheme == "http" || scheme == "https") {
        if (!rest.starts_with("//") || rest.size() <= 2 || rest[2] == '/') return std::nullopt;
    } else if (scheme == "mailto") {
        if (rest.find('@') == std::string_view::npos) return std::nullopt;
    } else {
        return std::nullopt;
    }
    return std::string(url);
}

std::optional<std::string> safe_web_url(std::string_view url) {
    auto safe = safe_url(url);
    // safe_url keeps http, https and mailto: a web address is either of the first two.
    if (!safe || text::ascii_lower(safe->substr(0, 7)) == "mailto:") return std::nullopt;
    return safe;
}

}  // namespace carnet::markup
