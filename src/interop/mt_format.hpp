// The Movable Type import/export text format (what Movable Type, Typepad and the old hosted
// service export), read and written; private to the interop module.
//
// Entries end with a line of eight dashes; within an entry, a line of five dashes ends the
// single-line header keys and then each multi-line section (BODY, EXTENDED BODY, EXCERPT,
// KEYWORDS, COMMENT, PING), whose text is every line in between.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interop/interop.hpp"
#include "model/model.hpp"

namespace carnet::interop::mt {

struct Comment {
    int line = 0;
    bool is_ping = false;
    std::string author;  // comments
    std::string email;   // comments
    std::string url;
    std::string ip;
    std::string title;      // pings
    std::string blog_name;  // pings
    model::LocalDateTime date;
    std::string text;
};

struct Entry {
    int line = 0;  // where the entry starts
    std::optional<std::string> author;
    std::string title;
    std::optional<std::string> basename;
    std::string status = "Publish";  // Publish, Draft or Future, as written canonically
    std::optional<std::string> allow_comments;
    std::optional<std::string> allow_pings;
    std::optional<std::string> convert_breaks;
    std::vector<std::string> categories;  // the primary one first, no repeats
    model::LocalDateTime date;
    std::vector<std::string> tags;
    std::string body;
    std::optional<std::string> extended_body;
    std::optional<std::string> excerpt;
    std::optional<std::string> keywords;
    std::vector<Comment> comments;  // comments and pings in file order
};

// Reads UTF-8 text in the format. Refuses (Code::invalid_input, "line N: ...") a file cut
// short, a section that never ends, an unknown key or section, an invalid date or value, a
// comment without text, an entry without TITLE or DATE.
model::Result<std::vector<Entry>> parse(std::string_view text);

// Writes entries in the format, keys and sections in one fixed order, so that writing what
// `parse` read from this function's output gives the same bytes.
std::string write(const std::vector<Entry>& entries);

// The text in UTF-8: as declared, or, when `encoding` is detect, as is when it is valid
// UTF-8 and read as Windows-1252 otherwise (old exports are). A UTF-8 byte order mark goes
// and CRLF line ends become LF. `used` says which encoding was read.
model::Result<std::string> decode(std::string_view bytes, TextEncoding encoding,
                                  TextEncoding* used);

// How CONVERT BREAKS says a body is written.
enum class BodyFormat { breaks, html, markdown, unknown };
BodyFormat body_format(const std::optional<std::string>& convert_breaks);

// The source carnet stores for a body and extended body written in `format`: paragraphs
// and <br /> made from blank lines and single breaks for `breaks`, as written otherwise.
std::string post_source(BodyFormat format, std::string_view body,
                        const std::optional<std::string>& extended_body);

// "MM/DD/YYYY hh:mm:ss AM" (and 24-hour times without AM/PM when reading).
std::optional<model::LocalDateTime> parse_date(std::string_view text);
std::string format_date(const model::LocalDateTime& local);

}  // namespace carnet::interop::mt
