#include "api/xmlrpc.hpp"

#include <fmt/format.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <sodium.h>

#include <charconv>
#include <cstring>
#include <limits>
#include <memory>

#include "http/http.hpp"
#include "text/text.hpp"

namespace carnet::api::xmlrpc {
namespace {

using Unexpected = std::unexpected<Fault>;

// Values nest (structs of arrays of structs); deeper than this is no client's.
constexpr int k_max_depth = 32;

struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

std::string_view name_of(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

std::string content_of(const xmlNode* node) {
    std::string out;
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if ((child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) &&
            child->content != nullptr) {
            out += reinterpret_cast<const char*>(child->content);
        }
    }
    return out;
}

// The element children of `node`; anything else but white space is not XML-RPC.
std::expected<std::vector<const xmlNode*>, Fault> elements_of(const xmlNode* node) {
    std::vector<const xmlNode*> out;
    for (const xmlNode* child = node->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) {
            out.push_back(child);
        } else if (child->type == XML_TEXT_NODE || child->type == XML_CDATA_SECTION_NODE) {
            const std::string_view text =
                child->content ? reinterpret_cast<const char*>(child->content) : "";
            if (text.find_first_not_of(" \t\r\n") != std::string_view::npos) {
                return Unexpected(Fault{k_invalid_request,
                                        fmt::format("unexpected text in <{}>", name_of(node))});
            }
        } else if (child->type != XML_COMMENT_NODE) {
            return Unexpected(
                Fault{k_invalid_request, fmt::format("unexpected content in <{}>", name_of(node))});
        }
    }
    return out;
}

Fault invalid(std::string message) { return Fault{k_invalid_request, std::move(message)}; }

std::expected<Value, Fault> read_value(const xmlNode* value, int depth);

std::expected<Value, Fault> read_typed(const xmlNode* typed, int depth) {
    const auto type = name_of(typed);
    if (type == "string") return Value(content_of(typed));
    if (type == "int" || type == "i4" || type == "i8") {
        const auto text = http::trim_blank(content_of(typed));
        std::int64_t number = 0;
        const auto* end = text.data() + text.size();
        const auto* start = text.data() + (text.starts_with('+') ? 1 : 0);
        auto [ptr, ec] = std::from_chars(start, end, number);
        if (ec != std::errc() || ptr != end || start == end) {
            return Unexpected(invalid(fmt::format("<{}> holds no integer", type)));
        }
        return Value(number);
    }
    if (type == "boolean") {
        const auto text = http::trim_blank(content_of(typed));
        if (text == "1") return Value(true);
        if (text == "0") return Value(false);
        return Unexpected(invalid("<boolean> holds neither 0 nor 1"));
    }
    if (type == "double") {
        const auto text = http::trim_blank(content_of(typed));
        double number = 0;
        auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), number);
        if (ec != std::errc() || ptr != text.data() + text.size() || text.empty()) {
            return Unexpected(invalid("<double> holds no number"));
        }
        Value out;
        out.data = number;
        return out;
    }
    if (type == "dateTime.iso8601") {
        auto instant = parse_datetime(http::trim_blank(content_of(typed)));
        if (!instant) return Unexpected(invalid("<dateTime.iso8601> holds no date"));
        return Value(DateTime{*instant});
    }
    if (type == "base64") {
        const auto text = content_of(typed);
        std::string bytes(text.size() / 4 * 3 + 3, '\0');
        std::size_t length = 0;
        if (sodium_base642bin(reinterpret_cast<unsigned char*>(bytes.data()), bytes.size(),
                              text.data(), text.size(), " \t\r\n", &length, nullptr,
                              sodium_base64_VARIANT_ORIGINAL) != 0) {
            return Unexpected(invalid("<base64> is not base64"));
        }
        bytes.resize(length);
        return Value(Base64{std::move(bytes)});
    }
    if (type == "nil") return Value();
    if (type == "array") {
        auto children = elements_of(typed);
        if (!children) return Unexpected(children.error());
        if (children->size() != 1 || name_of(children->front()) != "data") {
            return Unexpected(invalid("<array> holds one <data>"));
        }
        auto values = elements_of(children->front());
        if (!values) return Unexpected(values.error());
        Array array;
        for (const auto* item : *values) {
            if (name_of(item) != "value") return Unexpected(invalid("<data> holds <value>s"));
            auto read = read_value(item, depth + 1);
            if (!read) return Unexpected(read.error());
            array.push_back(std::move(*read));
        }
        return Value(std::move(array));
    }
    if (type == "struct") {
        auto members = elements_of(typed);
        if (!members) return Unexpected(members.error());
        Struct out;
        for (const auto* member : *members) {
            if (name_of(member) != "member") return Unexpected(invalid("<struct> holds <member>s"));
            auto parts = elements_of(member);
            if (!parts) return Unexpected(parts.error());
            if (parts->size() != 2 || name_of((*parts)[0]) != "name" ||
                name_of((*parts)[1]) != "value") {
                return Unexpected(invalid("<member> holds <name> and <value>"));
            }
            auto read = read_value((*parts)[1], depth + 1);
            if (!read) return Unexpected(read.error());
            out.emplace_back(content_of((*parts)[0]), std::move(*read));
        }
        return Value(std::move(out));
    }
    return Unexpected(invalid(fmt::format("<{}> is not an XML-RPC type", type)));
}

std::expected<Value, Fault> read_value(const xmlNode* value, int depth) {
    if (depth > k_max_depth) return Unexpected(invalid("values nested too deep"));
    auto children = elements_of(value);
    if (!children) {
        // A <value> with text and no type is a string.
        bool only_text = true;
        for (const xmlNode* child = value->children; child != nullptr; child = child->next) {
            if (child->type == XML_ELEMENT_NODE) only_text = false;
        }
        if (only_text) return Value(content_of(value));
        return Unexpected(children.error());
    }
    if (children->empty()) return Value(content_of(value));
    if (children->size() != 1) return Unexpected(invalid("<value> holds one value"));
    return read_typed(children->front(), depth);
}

void write_value(std::string& out, const Value& value);

void write_string(std::string& out, std::string_view text) {
    out += "<string>";
    out += text::xml_escape(text);
    out += "</string>";
}

void write_value(std::string& out, const Value& value) {
    out += "<value>";
    std::visit(
        [&](const auto& v) {
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, Nil>) {
                out += "<nil/>";
            } else if constexpr (std::is_same_v<T, bool>) {
                out += v ? "<boolean>1</boolean>" : "<boolean>0</boolean>";
            } else if constexpr (std::is_same_v<T, std::int64_t>) {
                out += fmt::format("<int>{}</int>", v);
            } else if constexpr (std::is_same_v<T, double>) {
                out += fmt::format("<double>{}</double>", v);
            } else if constexpr (std::is_same_v<T, std::string>) {
                write_string(out, v);
            } else if constexpr (std::is_same_v<T, DateTime>) {
                out += "<dateTime.iso8601>" + format_datetime(v.instant) + "</dateTime.iso8601>";
            } else if constexpr (std::is_same_v<T, Base64>) {
                std::string encoded(
                    sodium_base64_encoded_len(v.bytes.size(), sodium_base64_VARIANT_ORIGINAL),
                    '\0');
                sodium_bin2base64(encoded.data(), encoded.size(),
                                  reinterpret_cast<const unsigned char*>(v.bytes.data()),
                                  v.bytes.size(), sodium_base64_VARIANT_ORIGINAL);
                encoded.resize(std::strlen(encoded.c_str()));
                out += "<base64>" + encoded + "</base64>";
            } else if constexpr (std::is_same_v<T, Array>) {
                out += "<array><data>";
                for (const auto& item : v) write_value(out, item);
                out += "</data></array>";
            } else if constexpr (std::is_same_v<T, Struct>) {
                out += "<struct>";
                for (const auto& [name, member] : v) {
                    out += "<member><name>" + text::xml_escape(name) + "</name>";
                    write_value(out, member);
                    out += "</member>";
                }
                out += "</struct>";
            }
        },
        value.data);
    out += "</value>";
}

bool read_digits(std::string_view& text, int count, int& value) {
    if (text.size() < static_cast<std::size_t>(count)) return false;
    value = 0;
    for (int i = 0; i < count; ++i) {
        if (text[i] < '0' || text[i] > '9') return false;
        value = value * 10 + (text[i] - '0');
    }
    text.remove_prefix(count);
    return true;
}

bool skip(std::string_view& text, char c) {
    if (!text.empty() && text.front() == c) {
        text.remove_prefix(1);
        return true;
    }
    return false;
}

}  // namespace

const Value* Value::member(std::string_view name) const {
    const auto* fields = members();
    if (fields == nullptr) return nullptr;
    for (const auto& [key, value] : *fields) {
        if (key == name) return &value;
    }
    return nullptr;
}

std::optional<std::int64_t> Value::integer() const {
    if (const auto* number = std::get_if<std::int64_t>(&data)) return *number;
    if (const auto* text = string()) {
        std::int64_t number = 0;
        auto [ptr, ec] = std::from_chars(text->data(), text->data() + text->size(), number);
        if (ec == std::errc() && ptr == text->data() + text->size() && !text->empty())
            return number;
    }
    return std::nullopt;
}

std::optional<bool> Value::boolean() const {
    if (const auto* flag = std::get_if<bool>(&data)) return *flag;
    if (const auto* number = std::get_if<std::int64_t>(&data)) return *number != 0;
    return std::nullopt;
}

std::optional<model::Instant> parse_datetime(std::string_view text) {
    int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
    if (!read_digits(text, 4, year)) return std::nullopt;
    const bool dashes = skip(text, '-');
    if (!read_digits(text, 2, month)) return std::nullopt;
    if (dashes && !skip(text, '-')) return std::nullopt;
    if (!read_digits(text, 2, day) || !skip(text, 'T')) return std::nullopt;
    if (!read_digits(text, 2, hour)) return std::nullopt;
    const bool colons = skip(text, ':');
    if (!read_digits(text, 2, minute)) return std::nullopt;
    if (colons && !skip(text, ':')) return std::nullopt;
    if (!read_digits(text, 2, second)) return std::nullopt;
    if (skip(text, '.')) {
        while (!text.empty() && text.front() >= '0' && text.front() <= '9') text.remove_prefix(1);
    }
    int offset_minutes = 0;
    if (skip(text, 'Z')) {
    } else if (!text.empty() && (text.front() == '+' || text.front() == '-')) {
        const int sign = text.front() == '-' ? -1 : 1;
        text.remove_prefix(1);
        int offset_hours = 0, offset_mins = 0;
        if (!read_digits(text, 2, offset_hours)) return std::nullopt;
        skip(text, ':');
        if (!read_digits(text, 2, offset_mins)) return std::nullopt;
        if (offset_hours > 23 || offset_mins > 59) return std::nullopt;
        offset_minutes = sign * (offset_hours * 60 + offset_mins);
    }
    if (!text.empty()) return std::nullopt;
    using namespace std::chrono;
    const year_month_day date{std::chrono::year{year},
                              std::chrono::month{static_cast<unsigned>(month)},
                              std::chrono::day{static_cast<unsigned>(day)}};
    if (!date.ok() || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    return sys_days{date} + hours{hour} + minutes{minute} + seconds{std::min(second, 59)} -
           minutes{offset_minutes};
}

std::string format_datetime(model::Instant instant) {
    using namespace std::chrono;
    const auto day = floor<days>(instant);
    const year_month_day date{day};
    const hh_mm_ss time{instant - day};
    return fmt::format("{:04}{:02}{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(date.year()),
                       static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                       time.hours().count(), time.minutes().count(), time.seconds().count());
}

std::expected<Call, Fault> parse_call(std::string_view body) {
    // No XML-RPC request needs a DTD, and a DTD is what declares entities: refusing it before
    // libxml2 reads a byte leaves nothing to expand (billion laughs) or to fetch (XXE).
    if (body.find("<!DOCTYPE") != std::string_view::npos ||
        body.find("<!ENTITY") != std::string_view::npos) {
        return Unexpected(Fault{k_parse_error, "a DTD is not accepted"});
    }
    if (body.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        return Unexpected(Fault{k_parse_error, "the request is too large"});
    }
    // HUGE lifts libxml2's 10 MB bound on one text node, which an image in base64 passes;
    // with no DTD it cannot let anything expand.
    Doc doc(
        xmlReadMemory(body.data(), static_cast<int>(body.size()), "request.xml", "UTF-8",
                      XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_HUGE));
    if (!doc) return Unexpected(Fault{k_parse_error, "the request is not well-formed XML"});
    if (doc->intSubset != nullptr || doc->extSubset != nullptr) {
        return Unexpected(Fault{k_parse_error, "a DTD is not accepted"});
    }
    const xmlNode* root = xmlDocGetRootElement(doc.get());
    if (root == nullptr || name_of(root) != "methodCall") {
        return Unexpected(invalid("the request is not a <methodCall>"));
    }
    auto parts = elements_of(root);
    if (!parts) return Unexpected(parts.error());
    Call call;
    bool named = false;
    for (const auto* part : *parts) {
        if (name_of(part) == "methodName") {
            call.method = http::trim_blank(content_of(part));
            named = true;
        } else if (name_of(part) == "params") {
            auto params = elements_of(part);
            if (!params) return Unexpected(params.error());
            for (const auto* param : *params) {
                if (name_of(param) != "param")
                    return Unexpected(invalid("<params> holds <param>s"));
                auto values = elements_of(param);
                if (!values) return Unexpected(values.error());
                if (values->size() != 1 || name_of(values->front()) != "value") {
                    return Unexpected(invalid("<param> holds one <value>"));
                }
                auto value = read_value(values->front(), 0);
                if (!value) return Unexpected(value.error());
                call.params.push_back(std::move(*value));
            }
        } else {
            return Unexpected(invalid(fmt::format("unexpected <{}>", name_of(part))));
        }
    }
    if (!named || call.method.empty()) return Unexpected(invalid("the call names no method"));
    return call;
}

std::string response_xml(const Value& value) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse><params><param>";
    write_value(out, value);
    out += "</param></params></methodResponse>\n";
    return out;
}

std::string fault_xml(const Fault& fault) {
    std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodResponse><fault>";
    write_value(out, Value(Struct{{"faultCode", Value(fault.code)},
                                  {"faultString", Value(fault.message)}}));
    out += "</fault></methodResponse>\n";
    return out;
}

}  // namespace carnet::api::xmlrpc
