// XML-RPC (xmlrpc.com/spec): the values it carries, reading a methodCall and writing a
// methodResponse or a fault. Private to the api module.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "model/model.hpp"

namespace carnet::api::xmlrpc {

struct Value;
using Array = std::vector<Value>;
using Member = std::pair<std::string, Value>;
using Struct = std::vector<Member>;  // in the order sent

struct DateTime {
    model::Instant instant{};
};
struct Base64 {
    std::string bytes;  // decoded
};
struct Nil {};

struct Value {
    std::variant<Nil, bool, std::int64_t, double, std::string, DateTime, Base64, Array, Struct>
        data;

    Value() = default;
    Value(bool b) : data(b) {}
    Value(int i) : data(static_cast<std::int64_t>(i)) {}
    Value(std::int64_t i) : data(i) {}
    Value(std::string s) : data(std::move(s)) {}
    Value(const char* s) : data(std::string(s)) {}
    Value(DateTime d) : data(d) {}
    Value(Base64 b) : data(std::move(b)) {}
    Value(Array a) : data(std::move(a)) {}
    Value(Struct s) : data(std::move(s)) {}

    const std::string* string() const { return std::get_if<std::string>(&data); }
    const Struct* members() const { return std::get_if<Struct>(&data); }
    const Array* array() const { return std::get_if<Array>(&data); }
    // The member of that name of a struct; null for another type or a missing member.
    const Value* member(std::string_view name) const;
    // An int, or a string of digits (clients send ids either way).
    std::optional<std::int64_t> integer() const;
    // A boolean, or an int (0 or not).
    std::optional<bool> boolean() const;
};

struct Call {
    std::string method;
    std::vector<Value> params;
};

// The interoperable fault codes (xmlrpc-epi's "Specification for Fault Code Interoperability").
inline constexpr int k_parse_error = -32700;
inline constexpr int k_invalid_request = -32600;
inline constexpr int k_unknown_method = -32601;
inline constexpr int k_invalid_params = -32602;
inline constexpr int k_internal_error = -32603;

struct Fault {
    int code = k_internal_error;
    std::string message;
};

// Reads a methodCall. The document must be UTF-8 and hold no DTD (so no entity can be
// declared, let alone expanded); libxml2 reads it without network and without entity
// substitution. Fault k_parse_error for what is not well-formed or holds a DTD,
// k_invalid_request for well-formed XML that is not a methodCall.
[[nodiscard]] std::expected<Call, Fault> parse_call(std::string_view body);

// dateTime.iso8601 as clients send it: "20171004T20:19:00", "2017-10-04T20:19:00", with an
// optional "Z" or offset ("+02:00", "-0500"); a time without zone is read as UTC.
std::optional<model::Instant> parse_datetime(std::string_view text);
// "20171004T20:19:00Z".
std::string format_datetime(model::Instant instant);

std::string response_xml(const Value& value);
std::string fault_xml(const Fault& fault);

}  // namespace carnet::api::xmlrpc
