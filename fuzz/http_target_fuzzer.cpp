// Request targets and Host headers as the server reads them before any handler runs. A parsed
// path must never hold a "." or ".." segment or a NUL (target.hpp's promise).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "http/target.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    if (auto target = carnet::http::parse_target(bytes)) {
        const std::string_view path = target->path;
        if (path.find('\0') != std::string_view::npos) std::abort();
        for (std::size_t at = 0; at <= path.size();) {
            const auto end = path.find('/', at);
            const auto segment =
                path.substr(at, end == std::string_view::npos ? path.npos : end - at);
            if (segment == "." || segment == "..") std::abort();
            if (end == std::string_view::npos) break;
            at = end + 1;
        }
    }
    (void)carnet::http::parse_host(bytes);
    return 0;
}
