// An uploaded image as the admin checks it before storing it: its magic bytes, its header's
// dimensions, then every pixel decoded by libvips with the loader of that type only.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "media/media.hpp"

// glib and libvips keep caches for the life of the process, which LeakSanitizer would report
// after every input.
extern "C" const char* __asan_default_options() { return "detect_leaks=0"; }

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    (void)carnet::media::detect_type(bytes);
    carnet::media::Limits limits;
    limits.max_pixels = 1'000'000;  // a fuzzer decodes many: small ones, fast
    (void)carnet::media::inspect(bytes, limits);
    return 0;
}
