// A post's Markdown as the editor saves it and the site renders it (raw HTML is the author's
// right there, so only crashes and hangs are looked for), and its excerpt and plain text.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "markup/markup.hpp"
#include "text/text.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view source(reinterpret_cast<const char*>(data), size);
    const auto html =
        carnet::markup::render_post_body(carnet::model::SourceFormat::markdown, source);
    (void)carnet::markup::excerpt(html);
    (void)carnet::text::html_to_text(html);
    return 0;
}
