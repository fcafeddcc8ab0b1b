// Multipart uploads (RFC 7578) as handlers read them: the first line of the input is the
// Content-Type header's value (its boundary, quoted or not, of any length), the rest the body.
// Beyond not crashing, a form that parses holds no more than the limits allow, and every field
// name, value and file name is valid UTF-8, as parse_form promises.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "http/http.hpp"
#include "text/text.hpp"

using namespace carnet;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const std::string_view input(reinterpret_cast<const char*>(data), size);
    const auto line_end = input.find('\n');
    if (line_end == std::string_view::npos) return 0;
    http::Request request;
    request.method = "POST";
    request.headers.emplace_back("Content-Type", std::string(input.substr(0, line_end)));
    request.body = std::string(input.substr(line_end + 1));
    const http::FormLimits limits{.max_fields = 20, .max_files = 5};
    auto form = http::parse_form(request, limits);
    if (!form) return 0;
    if (form->fields.size() > limits.max_fields || form->files.size() > limits.max_files) abort();
    for (const auto& field : form->fields) {
        if (!text::is_valid_utf8(field.name) || !text::is_valid_utf8(field.value)) abort();
    }
    for (const auto& file : form->files) {
        if (!text::is_valid_utf8(file.field) || !text::is_valid_utf8(file.file_name)) abort();
        if (form->file(file.field) == nullptr) abort();
    }
    return 0;
}
