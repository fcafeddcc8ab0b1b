#include "markup/markup.hpp"

#include <md4c-html.h>

#include "markup/video.hpp"

namespace carnet::markup {
namespace {

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0) == 0x80; }

}  // namespace

std::string render_post_body(model::SourceFormat format, std::string_view source) {
    if (format == model::SourceFormat::html) return embed_videos(source);
    std::string html;
    html.reserve(source.size() + source.size() / 4);
    const auto append = [](const MD_CHAR* text, MD_SIZE size, void* userdata) {
        static_cast<std::string*>(userdata)->append(text, size);
    };
    // md4c 0.4.8 reads the byte past the end of its input (see comment.cpp): a copy ends in a
    // NUL, whatever the view it was given is part of.
    const std::string copy(source);
    md_html(copy.data(), static_cast<MD_SIZE>(copy.size()), append, &html,
            MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_PERMISSIVEURLAUTOLINKS |
                MD_FLAG_PERMISSIVEWWWAUTOLINKS,
            MD_HTML_FLAG_SKIP_UTF8_BOM);
    return embed_videos(html);
}

std::string excerpt(std::string_view html, std::size_t max_chars) {
    const std::string text = text::html_to_text(html);
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
