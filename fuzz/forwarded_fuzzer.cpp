// X-Forwarded-For and X-Forwarded-Proto from a trusted proxy, and the configured list of
// trusted proxies: the bytes split at the first newline into the two headers.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/forwarded.hpp"

using namespace carnet::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view bytes(reinterpret_cast<const char*>(data), size);
    const auto newline = bytes.find('\n');
    Request request;
    request.remote_address = "10.0.0.1";
    request.headers.emplace_back("X-Forwarded-For", std::string(bytes.substr(0, newline)));
    if (newline != std::string_view::npos) {
        request.headers.emplace_back("X-Forwarded-Proto", std::string(bytes.substr(newline + 1)));
    }
    apply_forwarded_headers(request);
    (void)parse_trusted_proxies({std::string(bytes)});
    return 0;
}
