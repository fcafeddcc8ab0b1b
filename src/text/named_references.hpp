// The named character references of HTML, private to the text module.
#pragma once

#include <array>
#include <string_view>

namespace carnet::text {

struct NamedReference {
    std::string_view name;  // without '&' and ';': "eacute"
    std::string_view text;  // what it stands for, in UTF-8 (one or two code points)
};

// Every reference of the HTML standard that ends with ';', sorted by name (byte order).
extern const std::array<NamedReference, 2125> k_named_references;

}  // namespace carnet::text
