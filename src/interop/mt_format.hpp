// The Movable Type import/export text format (what Movable Type, Typepad and the old hosted
// service export), read and written; private to the interop module.
//
// Entries end with a line of eight dashes; within an entry, a line of five dashes ends the
// single-line header keys and then each multi-line section (BODY, EXTENDED BODY, EXCERPT,
// KEYWORDS, COMMENT, PING), whose text is every line in between.
#pragma once

#include <cstddef>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interop/interop.hpp"
#include "model/model.hpp"

namespace carnet::interop::mt {

// Keys and sections that carnet has no field for (custom fields such as CF50_BASENAME, keys of
// other versions), in file order, kept so that an export gives them back.
using ExtraFields = std::vector<std::pair<std::string, std::string>>;

struct Comment {
    int line = 0;
    bool is_ping = false;
    bool has_date = false;  // false: the file gave none (the entry's date stands in)
    std::string author;     // comments
    std::string email;      // comments
    std::string url;
    std::string ip;
    std::string title;      // pings
    std::string blog_name;  // pings
    model::LocalDateTime date;
    std::string text;
    ExtraFields extra_keys;
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
    bool has_title = true;          // false: the file gave no title, or an empty one
    bool has_date = true;           // false: the file gave no DATE
    ExtraFields extra_keys;         // header keys carnet has no field for
    ExtraFields extra_sections;     // sections carnet has no field for, with their text
    // What the reading kept, defaulted or dropped, "line N: ...", for the import's report.
    std::vector<std::string> notes;
};

// Reads UTF-8 text in the format as leniently as Movable Type's own importer: unknown keys
// and sections are kept (ExtraFields), an unknown STATUS is a draft, a line that is no key in
// a header, a repeated key or section, a comment without text are dropped, a missing TITLE
// or DATE is left for the importer to default; each of these is noted in the entry's notes.
// Refuses (Code::invalid_input, "line N: ...") only what is no such file: one cut short (an
// entry or a section that never ends), a date that cannot be read, text where an entry
// should start.
[[nodiscard]] model::Result<std::vector<Entry>> parse(std::string_view text);

// What `parse` reads, one entry at a time, so that a whole file's entries are never held at
// once. `first_line` is the number of the text's first line (it may be a part of a file).
class Parser {
public:
    explicit Parser(std::string_view text, int first_line = 1);
    // The next entry; nothing after the last.
    [[nodiscard]] model::Result<std::optional<Entry>> next();

private:
    std::string_view text_;
    std::size_t at_ = 0;
    int number_ = 0;
};

// A file in the format read a run of whole entries at a time (each run ends with a line
// "--------", or with the file), decoded as `decode` does, so that an import holds one run of
// the file and not all of it.
class Pieces {
public:
    struct Piece {
        std::string text;    // UTF-8, LF line ends
        int first_line = 1;  // in the file
    };

    // Reads `input`, which must outlive the pieces. A first pass over it counts its entries
    // and, when `encoding` is detect, settles it: UTF-8 when the whole file is valid UTF-8,
    // windows-1252 otherwise.
    [[nodiscard]] static model::Result<Pieces> open(std::istream& input, TextEncoding encoding);

    TextEncoding encoding() const { return encoding_; }
    std::size_t entries() const { return entries_; }  // the lines "--------" the file has
    // Back to the start of the file, for another reading.
    [[nodiscard]] model::Status rewind();
    // The next run of entries; nothing after the last.
    [[nodiscard]] model::Result<std::optional<Piece>> next();

private:
    Pieces(std::istream& input, TextEncoding encoding);
    std::optional<std::string> read_lines();

    std::istream* input_;
    TextEncoding encoding_;
    std::size_t entries_ = 0;
    std::string carried_;  // read, after the last whole line
    std::string pending_;  // whole lines read, not yet given out
    int first_line_ = 1;
};

// Writes entries in the format, keys and sections in one fixed order, so that writing what
// `parse` read from this function's output gives the same bytes.
std::string write(const std::vector<Entry>& entries);
// Appends one entry, as `write` writes it.
void write_entry(std::string& out, const Entry& entry);

// The text in UTF-8: as declared, or, when `encoding` is detect, as is when it is valid
// UTF-8 and read as Windows-1252 otherwise (old exports are). A UTF-8 byte order mark goes
// and CRLF line ends become LF. `used` says which encoding was read.
[[nodiscard]] model::Result<std::string> decode(std::string_view bytes, TextEncoding encoding,
                                                TextEncoding* used);

// How CONVERT BREAKS says a body is written.
enum class BodyFormat { breaks, html, markdown, unknown };
BodyFormat body_format(const std::optional<std::string>& convert_breaks);

// The source carnet stores for a body and extended body written in `format`: paragraphs
// and <br /> made from blank lines and single breaks for `breaks`, as written otherwise.
std::string post_source(BodyFormat format, std::string_view body,
                        const std::optional<std::string>& extended_body);

// "MM/DD/YYYY hh:mm:ss AM" as written; when reading, also 24-hour times without AM/PM, times
// without seconds, one-digit months, days and hours, and lower-case am/pm, as Movable Type
// versions have written them.
std::optional<model::LocalDateTime> parse_date(std::string_view text);
std::string format_date(const model::LocalDateTime& local);

}  // namespace carnet::interop::mt
