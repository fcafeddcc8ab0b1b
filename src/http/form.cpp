#include <fmt/format.h>

#include <algorithm>
#include <boost/url/encoding_opts.hpp>
#include <boost/url/grammar/ci_string.hpp>
#include <boost/url/pct_string_view.hpp>
#include <charconv>
#include <cstdint>
#include <exception>

#include "http/http.hpp"

namespace carnet::http {

namespace {

// RFC 2046 §5.1.1 caps a boundary at 70 characters.
constexpr std::size_t k_max_boundary_bytes = 70;

std::unexpected<Error> malformed(std::string message) {
    return fail(Error::Code::invalid_input, std::move(message));
}

bool iequals(std::string_view a, std::string_view b) {
    return boost::urls::grammar::ci_is_equal(a, b);
}

bool is_space(char c) { return c == ' ' || c == '\t'; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool starts_with_at(std::string_view text, std::size_t position, std::string_view prefix) {
    return position <= text.size() && text.substr(position).starts_with(prefix);
}

// Well-formed UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates, nothing past
// U+10FFFF. Names and values go into pages and the database, which both expect it.
bool is_valid_utf8(std::string_view text) {
    std::size_t i = 0;
    while (i < text.size()) {
        auto lead = static_cast<unsigned char>(text[i]);
        if (lead < 0x80) {
            ++i;
            continue;
        }
        std::size_t length = 0;
        std::uint32_t code_point = 0;
        std::uint32_t smallest = 0;
        if ((lead & 0xE0) == 0xC0) {
            length = 2;
            code_point = lead & 0x1F;
            smallest = 0x80;
        } else if ((lead & 0xF0) == 0xE0) {
            length = 3;
            code_point = lead & 0x0F;
            smallest = 0x800;
        } else if ((lead & 0xF8) == 0xF0) {
            length = 4;
            code_point = lead & 0x07;
            smallest = 0x10000;
        } else {
            return false;
        }
        if (text.size() - i < length) return false;
        for (std::size_t k = 1; k < length; ++k) {
            auto continuation = static_cast<unsigned char>(text[i + k]);
            if ((continuation & 0xC0) != 0x80) return false;
            code_point = (code_point << 6) | (continuation & 0x3F);
        }
        if (code_point < smallest || code_point > 0x10FFFF ||
            (code_point >= 0xD800 && code_point <= 0xDFFF)) {
            return false;
        }
        i += length;
    }
    return true;
}

// A header value of the form `type; name=value; name="quoted value"`, as Content-Type and
// Content-Disposition are written. Parameter names are lower-cased.
struct ParameterizedValue {
    std::string_view type;
    std::vector<std::pair<std::string, std::string>> parameters;

    const std::string* find(std::string_view name) const {
        for (const auto& [key, value] : parameters) {
            if (key == name) return &value;
        }
        return nullptr;
    }
};

Result<ParameterizedValue> parse_parameterized(std::string_view text, std::string_view header) {
    ParameterizedValue result;
    std::size_t position = std::min(text.find(';'), text.size());
    result.type = trim(text.substr(0, position));
    if (result.type.empty()) return malformed(fmt::format("{} has no type", header));
    while (position < text.size()) {
        ++position;  // the ';'
        while (position < text.size() && is_space(text[position])) ++position;
        if (position == text.size()) break;  // a trailing ';' is harmless
        std::size_t equals = text.find('=', position);
        if (equals == std::string_view::npos) {
            return malformed(fmt::format("{} has a parameter without a value", header));
        }
        std::string name(trim(text.substr(position, equals - position)));
        if (name.empty() || name.find(';') != std::string::npos) {
            return malformed(fmt::format("{} has a parameter without a name", header));
        }
        std::transform(name.begin(), name.end(), name.begin(), [](char c) {
            return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
        });
        position = equals + 1;
        while (position < text.size() && is_space(text[position])) ++position;
        std::string value;
        if (position < text.size() && text[position] == '"') {
            ++position;
            bool closed = false;
            while (position < text.size()) {
                char c = text[position++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                // Only \" and \\ are escapes: browsers send a Windows path's backslashes as
                // they are, and those must survive.
                if (c == '\\' && position < text.size() &&
                    (text[position] == '"' || text[position] == '\\')) {
                    c = text[position++];
                }
                value += c;
            }
            if (!closed) return malformed(fmt::format("{} has an unterminated quote", header));
            while (position < text.size() && is_space(text[position])) ++position;
            if (position < text.size() && text[position] != ';') {
                return malformed(fmt::format("{} has text after a quoted value", header));
            }
        } else {
            std::size_t end = std::min(text.find(';', position), text.size());
            value = std::string(trim(text.substr(position, end - position)));
            position = end;
        }
        // Two readings of one part would let a proxy and this server disagree about it.
        if (result.find(name)) {
            return malformed(fmt::format("{} gives parameter {} twice", header, name));
        }
        result.parameters.emplace_back(std::move(name), std::move(value));
    }
    return result;
}

// Percent-decodes one name or value of a URL-encoded form, '+' being a space.
Result<std::string> decode_form_component(std::string_view encoded) {
    auto escaped = boost::urls::make_pct_string_view(encoded);
    if (!escaped) return malformed("invalid percent escape (" + escaped.error().message() + ")");
    boost::urls::encoding_opts options;
    options.space_as_plus = true;
    std::string decoded = escaped->decode(options);
    if (!is_valid_utf8(decoded)) return malformed("not valid UTF-8");
    return decoded;
}

// The WHATWG application/x-www-form-urlencoded parser, split by hand rather than with
// boost::urls::parse_query: that one refuses raw spaces and non-ASCII bytes, which the WHATWG
// parser accepts and `curl --data` sends. Boost.URL still checks and decodes the escapes.
Result<Form> parse_urlencoded(std::string_view body, const FormLimits& limits) {
    Form form;
    while (!body.empty()) {
        std::size_t end = body.find('&');
        std::string_view pair = body.substr(0, end);
        body = end == std::string_view::npos ? std::string_view() : body.substr(end + 1);
        if (pair.empty()) continue;
        std::size_t equals = pair.find('=');
        auto name = decode_form_component(pair.substr(0, equals));
        if (!name) return malformed("a form field name: " + name.error().message);
        auto value = decode_form_component(
            equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1));
        if (!value) {
            return malformed(fmt::format("form field {}: {}", *name, value.error().message));
        }
        if (form.fields.size() >= limits.max_fields) {
            return malformed(fmt::format("the form has more than {} fields", limits.max_fields));
        }
        form.fields.push_back(FormField{std::move(*name), std::move(*value)});
    }
    return form;
}

// An RFC 8187 ext-value, as filename* carries it: charset'language'percent-encoded.
Result<std::string> decode_ext_value(std::string_view text) {
    std::size_t first = text.find('\'');
    std::size_t second = first == std::string_view::npos ? first : text.find('\'', first + 1);
    if (second == std::string_view::npos) {
        return malformed("filename* is not charset'language'value");
    }
    std::string_view charset = text.substr(0, first);
    auto escaped = boost::urls::make_pct_string_view(text.substr(second + 1));
    if (!escaped) {
        return malformed("filename* holds an invalid percent escape (" + escaped.error().message() +
                         ")");
    }
    std::string decoded = escaped->decode();
    if (iequals(charset, "UTF-8")) {
        if (!is_valid_utf8(decoded)) return malformed("filename* is not valid UTF-8");
        return decoded;
    }
    if (iequals(charset, "ISO-8859-1")) {
        // Each Latin-1 byte is the code point of the same number.
        std::string utf8;
        for (char c : decoded) {
            auto byte = static_cast<unsigned char>(c);
            if (byte < 0x80) {
                utf8 += c;
            } else {
                utf8 += static_cast<char>(0xC0 | (byte >> 6));
                utf8 += static_cast<char>(0x80 | (byte & 0x3F));
            }
        }
        return utf8;
    }
    return malformed(
        fmt::format("filename* uses charset \"{}\"; only UTF-8 and ISO-8859-1 are "
                    "understood",
                    charset));
}

// What the headers of one part of a multipart body say.
struct Part {
    std::optional<ParameterizedValue> disposition;
    std::string content_type;
};

Result<Part> parse_part_headers(std::string_view headers) {
    Part part;
    while (!headers.empty()) {
        std::size_t end = headers.find("\r\n");
        std::string_view line = headers.substr(0, end);
        headers = end == std::string_view::npos ? std::string_view() : headers.substr(end + 2);
        if (line.empty()) continue;
        if (is_space(line.front())) {
            return malformed("a part of the form has a folded header line");
        }
        std::size_t colon = line.find(':');
        if (colon == std::string_view::npos) {
            return malformed("a part of the form has a header line without ':'");
        }
        std::string_view name = trim(line.substr(0, colon));
        std::string_view value = trim(line.substr(colon + 1));
        if (iequals(name, "Content-Disposition")) {
            if (part.disposition) {
                return malformed("a part of the form has two Content-Disposition headers");
            }
            auto disposition = parse_parameterized(value, "a part's Content-Disposition");
            if (!disposition) return std::unexpected(disposition.error());
            part.disposition = std::move(*disposition);
        } else if (iequals(name, "Content-Type")) {
            part.content_type = std::string(value);
        }
        // Anything else (Content-Transfer-Encoding, which RFC 7578 §4.7 deprecates) is
        // ignored: browsers send the bytes as they are.
    }
    return part;
}

Status add_part(Form& form, const Part& part, std::string_view content, const FormLimits& limits) {
    if (!part.disposition || !iequals(part.disposition->type, "form-data")) {
        return malformed("a part of the form has no Content-Disposition: form-data");
    }
    const std::string* name = part.disposition->find("name");
    if (!name) return malformed("a part of the form has no name");
    if (!is_valid_utf8(*name)) return malformed("a form field name is not valid UTF-8");
    const std::string* file_name = part.disposition->find("filename");
    const std::string* extended_file_name = part.disposition->find("filename*");
    if (!file_name && !extended_file_name) {
        if (!is_valid_utf8(content)) {
            return malformed(fmt::format("form field {}: not valid UTF-8", *name));
        }
        if (form.fields.size() >= limits.max_fields) {
            return malformed(fmt::format("the form has more than {} fields", limits.max_fields));
        }
        form.fields.push_back(FormField{*name, std::string(content)});
        return {};
    }
    UploadedFile file;
    file.field = *name;
    // RFC 6266 §4.3: the extended form wins when both are given.
    if (extended_file_name) {
        auto decoded = decode_ext_value(*extended_file_name);
        if (!decoded) {
            return malformed(fmt::format("form field {}: {}", *name, decoded.error().message));
        }
        file.file_name = std::move(*decoded);
    } else {
        if (!is_valid_utf8(*file_name)) {
            return malformed(fmt::format("form field {}: the file name is not valid UTF-8", *name));
        }
        file.file_name = *file_name;
    }
    if (form.files.size() >= limits.max_files) {
        return malformed(fmt::format("the form has more than {} files", limits.max_files));
    }
    file.content_type = part.content_type;
    file.data = std::string(content);
    form.files.push_back(std::move(file));
    return {};
}

// RFC 2046 §5.1.1 as RFC 7578 uses it: an optional preamble, parts each opened by
// "--boundary" (then optional spaces and CRLF), their headers, an empty line and the content,
// which ends at CRLF "--boundary"; "--boundary--" closes the body and anything after it (the
// epilogue) is ignored. Every search is bounded by the body: a truncated body is an error.
Result<Form> parse_multipart(std::string_view body, std::string_view boundary,
                             const FormLimits& limits) {
    const std::string delimiter = "--" + std::string(boundary);
    const std::string next_delimiter = "\r\n" + delimiter;
    std::size_t position = 0;
    if (!body.starts_with(delimiter)) {
        std::size_t found = body.find(next_delimiter);
        if (found == std::string_view::npos) {
            return malformed("the form's body does not hold its boundary");
        }
        position = found + 2;
    }
    Form form;
    for (;;) {
        position += delimiter.size();
        if (starts_with_at(body, position, "--")) return form;
        while (position < body.size() && is_space(body[position])) ++position;
        if (!starts_with_at(body, position, "\r\n")) {
            return malformed("a boundary line of the form is followed by something else");
        }
        position += 2;
        std::string_view headers;
        if (starts_with_at(body, position, "\r\n")) {
            position += 2;
        } else {
            std::size_t headers_end = body.find("\r\n\r\n", position);
            if (headers_end == std::string_view::npos) {
                return malformed("the headers of a part of the form do not end");
            }
            headers = body.substr(position, headers_end - position);
            position = headers_end + 4;
        }
        std::size_t content_end = body.find(next_delimiter, position);
        if (content_end == std::string_view::npos) {
            return malformed("a part of the form does not end with a boundary: truncated body?");
        }
        auto part = parse_part_headers(headers);
        if (!part) return std::unexpected(part.error());
        auto added = add_part(form, *part, body.substr(position, content_end - position), limits);
        if (!added) return std::unexpected(added.error());
        position = content_end + 2;
    }
}

Result<Form> parse_form_body(const Request& request, const FormLimits& limits) {
    std::string_view content_type = request.header("Content-Type");
    if (content_type.empty()) {
        if (request.body.empty()) return Form{};
        return malformed("the form has no Content-Type");
    }
    auto media = parse_parameterized(content_type, "Content-Type");
    if (!media) return std::unexpected(media.error());
    if (iequals(media->type, "application/x-www-form-urlencoded")) {
        return parse_urlencoded(request.body, limits);
    }
    if (iequals(media->type, "multipart/form-data")) {
        const std::string* boundary = media->find("boundary");
        if (!boundary || boundary->empty() || boundary->size() > k_max_boundary_bytes) {
            return malformed("multipart/form-data needs a boundary of 1 to 70 characters");
        }
        if (std::any_of(boundary->begin(), boundary->end(),
                        [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; })) {
            return malformed("the multipart boundary holds a control character");
        }
        return parse_multipart(request.body, *boundary, limits);
    }
    return malformed(fmt::format("a form cannot be read from {}", media->type));
}

}  // namespace

std::optional<std::string> Form::get(std::string_view name) const {
    for (const FormField& field : fields) {
        if (field.name == name) return field.value;
    }
    return std::nullopt;
}

std::vector<std::string> Form::all(std::string_view name) const {
    std::vector<std::string> values;
    for (const FormField& field : fields) {
        if (field.name == name) values.push_back(field.value);
    }
    return values;
}

const UploadedFile* Form::file(std::string_view field) const {
    for (const UploadedFile& file : files) {
        if (file.field == field) return &file;
    }
    return nullptr;
}

Result<Form> parse_form(const Request& request, const FormLimits& limits) {
    try {
        return parse_form_body(request, limits);
    } catch (const std::exception& e) {
        // Only allocation failures can get here; Boost.URL's decoding does not throw otherwise.
        return fail(Error::Code::internal, std::string("cannot read the form: ") + e.what());
    }
}

std::optional<std::int64_t> parse_id(std::string_view text) {
    std::int64_t value = 0;
    const auto* end = text.data() + text.size();
    auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc() || stop != end || value <= 0) return std::nullopt;
    return value;
}

std::string trim_blank(std::string_view text) {
    const auto first = text.find_first_not_of(" \t\r\n");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t\r\n");
    return std::string(text.substr(first, last - first + 1));
}

}  // namespace carnet::http
