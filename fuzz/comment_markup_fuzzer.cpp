// What a commenter types, rendered as the public page shows it. Whatever the input, the HTML
// must hold no tag the commenter wrote: a <script> in the output is a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "markup/markup.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view source(reinterpret_cast<const char*>(data), size);
    const auto html = carnet::markup::render_comment(source);
    std::string lower(html);
    for (auto& c : lower) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
    if (lower.find("<script") != std::string::npos || lower.find("<iframe") != std::string::npos ||
        lower.find("href=\"javascript:") != std::string::npos) {
        std::abort();
    }
    (void)carnet::markup::excerpt(html);
    return 0;
}
