// Request bodies as handlers read forms, and the headers read beside them: the first byte
// chooses the content type (URL-encoded, or multipart with a fixed boundary), the rest is the
// body; the same bytes are also read as a query string, a Cookie header, an Accept-Encoding,
// an If-None-Match and an HTTP date.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/http.hpp"
#include "http/negotiation.hpp"

using namespace carnet::http;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0) return 0;
    const std::string_view rest(reinterpret_cast<const char*>(data) + 1, size - 1);
    Request request;
    request.method = "POST";
    request.headers.emplace_back(
        "Content-Type", data[0] % 2 == 0 ? "application/x-www-form-urlencoded"
                                         : "multipart/form-data; boundary=----fuzzboundary");
    request.headers.emplace_back("Cookie", std::string(rest));
    request.body = std::string(rest);
    request.query = std::string(rest);
    (void)parse_form(request, FormLimits{.max_fields = 200, .max_files = 20});
    (void)request.query_param("q");
    (void)request.cookie("carnet_session");
    (void)choose_coding(rest, true, true);
    (void)if_none_match_matches(rest, "\"abc\"");
    (void)parse_http_date(rest);
    return 0;
}
