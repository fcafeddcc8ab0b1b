// A front page of the old hosted service saved as text, as `carnet import page-text` reads it.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "interop/interop.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)carnet::interop::parse_page_text(text);
    return 0;
}
