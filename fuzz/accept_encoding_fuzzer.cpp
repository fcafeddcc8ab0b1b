// Accept-Encoding headers (RFC 9110 §12.5.3) as the response cache reads them, with every set
// of variants at hand. Beyond not crashing, the coding chosen is always one that exists: never
// brotli without a brotli variant, never gzip without a gzip one.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/negotiation.hpp"

using namespace carnet::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view header(reinterpret_cast<const char*>(data), size);
    for (const bool gzip : {false, true}) {
        for (const bool brotli : {false, true}) {
            const auto chosen = choose_coding(header, gzip, brotli);
            if (chosen == Coding::gzip && !gzip) abort();
            if (chosen == Coding::brotli && !brotli) abort();
        }
    }
    return 0;
}
