// WordPress eXtended RSS (WXR 1.0, 1.1 and 1.2), read as a stream and written; private to
// the interop module.
//
// The reader is libxml2's streaming reader: one <item> (or channel-level author, category,
// tag or term) is expanded at a time and freed once passed, so memory stays bounded by the
// largest item whatever the file's size. It loads no DTD, resolves no external entity, uses
// no network, and refuses a document type declaration outright: a WordPress export never has
// one, and its entity declarations are how entity bombs get in.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "interop/interop.hpp"
#include "model/model.hpp"

namespace carnet::interop::wxr {

struct Meta {
    std::string key;
    std::string value;
};

struct Author {
    int line = 0;
    std::string id;
    std::string login;
    std::string email;
    std::string display_name;
    std::string first_name;
    std::string last_name;
};

// A category, tag or other term the channel defines.
struct Term {
    int line = 0;
    enum class Kind { category, tag, other } kind = Kind::category;
    std::string taxonomy;  // for `other`
    std::string slug;      // WordPress's "nicename", percent-encoded for non-Latin text
    std::string name;
    std::string parent;  // the parent's slug, for categories
    std::string description;
};

// A term an item is filed under: <category domain="post_tag" nicename="x">X</category>.
struct ItemTerm {
    std::string domain;  // "category", "post_tag", "tag" (WXR 1.0), another taxonomy, or empty
    std::string slug;
    std::string name;
};

struct Comment {
    int line = 0;
    std::string id;
    std::string author;
    std::string email;
    std::string url;
    std::string ip;
    std::string date;      // "YYYY-MM-DD hh:mm:ss", the site's local time
    std::string date_gmt;  // the same in UTC, "0000-00-00 00:00:00" when unknown
    std::string content;
    std::string approved;  // "1", "0", "spam", "trash", "post-trashed"
    std::string type;      // "", "comment", "pingback", "trackback", ...
    std::string parent;    // the id of the comment it answers, "0" for none
    std::string user_id;
    std::vector<Meta> meta;
};

struct Item {
    int line = 0;
    std::string title;
    std::string link;
    std::string pub_date;
    std::string creator;  // the author's login
    std::string guid;
    std::string description;
    std::string content;
    std::string excerpt;
    std::string post_id;
    std::string post_date;
    std::string post_date_gmt;
    std::string post_modified;
    std::string post_modified_gmt;
    std::string comment_status;
    std::string ping_status;
    std::string post_name;
    std::string status;
    std::string post_parent;
    std::string menu_order;
    std::string post_type;
    std::string post_password;
    std::string is_sticky;
    std::string attachment_url;
    std::vector<ItemTerm> terms;
    std::vector<Meta> meta;
    std::vector<Comment> comments;
    struct Unknown {
        std::string name;  // prefix:name
        int line = 0;
    };
    std::vector<Unknown> unknown;  // elements the reader does not know
};

// What the channel says before its items.
struct Channel {
    std::string title;
    std::string link;
    std::string description;
    std::string language;
    std::string pub_date;  // RFC 822, when the export was written
    std::string wxr_version;
    std::string base_site_url;
    std::string base_blog_url;
    // What the reading let pass that a stricter reading would refuse, "line N: ...", for the
    // import's report.
    std::vector<std::string> notes;
};

// One thing read from the stream.
struct Event {
    enum class Kind { author, term, item, end } kind = Kind::end;
    Author author;
    Term term;
    Item item;
};

// Reads a file as a stream. `encoding` overrides what the file declares (detect: as
// declared, UTF-8 when it declares nothing).
class Reader {
public:
    [[nodiscard]] static model::Result<Reader> open(const std::filesystem::path& path,
                                                    TextEncoding encoding);
    // From bytes in memory (tests, small files).
    [[nodiscard]] static model::Result<Reader> from_memory(std::string_view bytes,
                                                           TextEncoding encoding);
    Reader(Reader&&) noexcept;
    Reader& operator=(Reader&&) noexcept;
    ~Reader();

    // The next author, term or item; `end` once the channel is over. invalid_input with a line
    // number for what is not a WXR file: malformed XML, a DOCTYPE, no <rss><channel>, no WXR
    // version, an item without post type.
    [[nodiscard]] model::Result<Event> next();
    // Filled as the stream goes; complete once the first item or the end was returned.
    const Channel& channel() const;
    int line() const;  // the reader's current line

    struct State;  // defined in the implementation

private:
    explicit Reader(std::unique_ptr<State> state);
    std::unique_ptr<State> state_;
};

// A date of the file: "YYYY-MM-DD hh:mm:ss"; nullopt for anything else, including the zero
// date WordPress writes for drafts.
std::optional<model::LocalDateTime> parse_date(std::string_view text);
std::string format_date(const model::LocalDateTime& local);  // "YYYY-MM-DD hh:mm:ss"

// An RSS date as WordPress writes <pubDate>: "Wed, 04 Oct 2017 18:19:00 +0000" (the day name
// optional, a numeric offset or GMT/UTC/Z); nullopt for anything else, including the year -0001
// WordPress writes for drafts.
std::optional<model::Instant> parse_rss_date(std::string_view text);

// Writing a WXR 1.2 file: the caller opens <rss> and <channel> and writes elements with these.
class Writer {
public:
    // The XML declaration, <rss> with WordPress's namespaces, <channel> and the channel's own
    // elements.
    explicit Writer(const Channel& channel, std::string_view generator);
    void author(const Author& author);
    void term(const Term& term);
    void item(const Item& item);
    std::string take();    // what was written since the last take, to stream it out
    std::string finish();  // closes the channel and the document

private:
    void element(std::string_view indent, std::string_view name, std::string_view text);
    void cdata(std::string_view indent, std::string_view name, std::string_view text);
    std::string out_;
};

}  // namespace carnet::interop::wxr
