// Movable Type / Typepad text exports as the import reads them: decoded, parsed, and written
// back. The writer promises that parsing its output and writing again gives the same bytes:
// a difference is a bug, reported as a crash.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "interop/mt_format.hpp"

using namespace carnet::interop;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    TextEncoding used = TextEncoding::utf8;
    auto text = mt::decode(bytes, TextEncoding::detect, &used);
    if (!text) return 0;
    auto entries = mt::parse(*text);
    if (!entries) return 0;
    const auto written = mt::write(*entries);
    auto again = mt::parse(written);
    if (!again || mt::write(*again) != written) std::abort();
    return 0;
}
