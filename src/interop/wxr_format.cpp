#include "interop/wxr_format.hpp"

#include <fmt/format.h>
#include <libxml/xmlreader.h>

#include <charconv>
#include <utility>

#include "text/text.hpp"

namespace carnet::interop::wxr {
namespace {

using Code = model::Error::Code;

// Which vocabulary an element belongs to. WordPress's importer goes by the prefixes the
// document declares (wp:, excerpt:, content:, dc:), whatever URI they are bound to: exports
// bind wp: to http:// or https://wordpress.org/export/1.0/ to 1.2/, and some tools to other
// URIs. An element without a known prefix is matched by its URI.
enum class Vocabulary { rss, wp, excerpt, content, dc, other };

Vocabulary vocabulary_of(const xmlNode* node) {
    if (node->ns == nullptr || node->ns->href == nullptr) return Vocabulary::rss;
    if (node->ns->prefix != nullptr) {
        const std::string_view prefix(reinterpret_cast<const char*>(node->ns->prefix));
        if (prefix == "wp") return Vocabulary::wp;
        if (prefix == "excerpt") return Vocabulary::excerpt;
        if (prefix == "content") return Vocabulary::content;
        if (prefix == "dc") return Vocabulary::dc;
    }
    std::string_view href(reinterpret_cast<const char*>(node->ns->href));
    if (href.starts_with("https://")) href.remove_prefix(1);  // as "http://" from here on
    if (href.starts_with("http://wordpress.org/export/")) {
        return href.ends_with("/excerpt/") ? Vocabulary::excerpt : Vocabulary::wp;
    }
    if (href == "http://purl.org/rss/1.0/modules/content/") return Vocabulary::content;
    if (href == "http://purl.org/dc/elements/1.1/") return Vocabulary::dc;
    return Vocabulary::other;
}

std::string_view name_of(const xmlNode* node) { return reinterpret_cast<const char*>(node->name); }

// prefix:name, for the report of what was not understood.
std::string qualified_name(const xmlNode* node) {
    if (node->ns != nullptr && node->ns->prefix != nullptr) {
        return fmt::format("{}:{}", reinterpret_cast<const char*>(node->ns->prefix), name_of(node));
    }
    return std::string(name_of(node));
}

// Text and CDATA inside the element, concatenated: a CDATA section split to carry "]]>"
// comes back whole.
std::string text_of(const xmlNode* node) {
    xmlChar* content = xmlNodeGetContent(node);
    if (content == nullptr) return {};
    std::string text(reinterpret_cast<const char*>(content));
    xmlFree(content);
    return text;
}

std::string attribute_of(const xmlNode* node, const char* name) {
    xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
    if (value == nullptr) return {};
    std::string text(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return text;
}

int line_of(const xmlNode* node) { return static_cast<int>(xmlGetLineNo(node)); }

template <typename Visit>
void for_each_element(const xmlNode* parent, Visit visit) {
    for (const xmlNode* child = parent->children; child != nullptr; child = child->next) {
        if (child->type == XML_ELEMENT_NODE) visit(child);
    }
}

Meta read_meta(const xmlNode* node, std::string_view key_name, std::string_view value_name) {
    Meta meta;
    for_each_element(node, [&](const xmlNode* child) {
        if (name_of(child) == key_name) meta.key = text_of(child);
        if (name_of(child) == value_name) meta.value = text_of(child);
    });
    return meta;
}

Author read_author(const xmlNode* node) {
    Author author;
    author.line = line_of(node);
    for_each_element(node, [&](const xmlNode* child) {
        const auto name = name_of(child);
        if (name == "author_id") author.id = text_of(child);
        if (name == "author_login") author.login = text_of(child);
        if (name == "author_email") author.email = text_of(child);
        if (name == "author_display_name") author.display_name = text_of(child);
        if (name == "author_first_name") author.first_name = text_of(child);
        if (name == "author_last_name") author.last_name = text_of(child);
    });
    return author;
}

Term read_term(const xmlNode* node) {
    Term term;
    term.line = line_of(node);
    const auto element = name_of(node);
    term.kind = element == "category" ? Term::Kind::category
                : element == "tag"    ? Term::Kind::tag
                                      : Term::Kind::other;
    for_each_element(node, [&](const xmlNode* child) {
        const auto name = name_of(child);
        if (name == "category_nicename" || name == "tag_slug" || name == "term_slug") {
            term.slug = text_of(child);
        } else if (name == "cat_name" || name == "tag_name" || name == "term_name") {
            term.name = text_of(child);
        } else if (name == "category_parent" || name == "term_parent") {
            term.parent = text_of(child);
        } else if (name == "category_description" || name == "tag_description" ||
                   name == "term_description") {
            term.description = text_of(child);
        } else if (name == "term_taxonomy") {
            term.taxonomy = text_of(child);
        }
    });
    return term;
}

Comment read_comment(const xmlNode* node) {
    Comment comment;
    comment.line = line_of(node);
    for_each_element(node, [&](const xmlNode* child) {
        const auto name = name_of(child);
        if (name == "comment_id") comment.id = text_of(child);
        if (name == "comment_author") comment.author = text_of(child);
        if (name == "comment_author_email") comment.email = text_of(child);
        if (name == "comment_author_url") comment.url = text_of(child);
        if (name == "comment_author_IP") comment.ip = text_of(child);
        if (name == "comment_date") comment.date = text_of(child);
        if (name == "comment_date_gmt") comment.date_gmt = text_of(child);
        if (name == "comment_content") comment.content = text_of(child);
        if (name == "comment_approved") comment.approved = text_of(child);
        if (name == "comment_type") comment.type = text_of(child);
        if (name == "comment_parent") comment.parent = text_of(child);
        if (name == "comment_user_id") comment.user_id = text_of(child);
        if (name == "commentmeta")
            comment.meta.push_back(read_meta(child, "meta_key", "meta_value"));
    });
    return comment;
}

// The wp: fields of an item that are plain text, by element name.
std::string* wp_field(Item& item, std::string_view name) {
    static constexpr std::pair<std::string_view, std::string Item::*> k_fields[] = {
        {"post_id", &Item::post_id},
        {"post_date", &Item::post_date},
        {"post_date_gmt", &Item::post_date_gmt},
        {"post_modified", &Item::post_modified},
        {"post_modified_gmt", &Item::post_modified_gmt},
        {"comment_status", &Item::comment_status},
        {"ping_status", &Item::ping_status},
        {"post_name", &Item::post_name},
        {"status", &Item::status},
        {"post_parent", &Item::post_parent},
        {"menu_order", &Item::menu_order},
        {"post_type", &Item::post_type},
        {"post_password", &Item::post_password},
        {"is_sticky", &Item::is_sticky},
        {"attachment_url", &Item::attachment_url},
    };
    for (const auto& [field_name, member] : k_fields) {
        if (field_name == name) return &(item.*member);
    }
    return nullptr;
}

Item read_item(const xmlNode* node) {
    Item item;
    item.line = line_of(node);
    for_each_element(node, [&](const xmlNode* child) {
        const auto name = name_of(child);
        switch (vocabulary_of(child)) {
            case Vocabulary::rss:
                if (name == "title") return void(item.title = text_of(child));
                if (name == "link") return void(item.link = text_of(child));
                if (name == "pubDate") return void(item.pub_date = text_of(child));
                if (name == "guid") return void(item.guid = text_of(child));
                if (name == "description") return void(item.description = text_of(child));
                if (name == "category") {
                    item.terms.push_back({attribute_of(child, "domain"),
                                          attribute_of(child, "nicename"), text_of(child)});
                    return;
                }
                break;
            case Vocabulary::dc:
                if (name == "creator") return void(item.creator = text_of(child));
                break;
            case Vocabulary::content:
                if (name == "encoded") return void(item.content = text_of(child));
                break;
            case Vocabulary::excerpt:
                if (name == "encoded") return void(item.excerpt = text_of(child));
                break;
            case Vocabulary::wp:
                if (auto* field = wp_field(item, name)) return void(*field = text_of(child));
                if (name == "postmeta") {
                    item.meta.push_back(read_meta(child, "meta_key", "meta_value"));
                    return;
                }
                if (name == "comment") return void(item.comments.push_back(read_comment(child)));
                break;
            case Vocabulary::other:
                break;
        }
        item.unknown.push_back({qualified_name(child), line_of(child)});
    });
    return item;
}

}  // namespace

struct Reader::State {
    xmlTextReaderPtr reader = nullptr;
    std::string bytes;  // what a reader from memory reads; must outlive it
    std::string error;
    int error_line = 0;
    Channel channel;
    bool saw_channel = false;
    bool positioned = false;  // the reader already stands on a node not yet looked at

    ~State() {
        if (reader != nullptr) xmlFreeTextReader(reader);
    }
};

namespace {

// No DTD loading, no entity substitution, no network; line numbers past 65535. HUGE lifts
// libxml2's 10 MB cap on one text node: a post with images pasted in as data: URIs exceeds it,
// and WordPress's importer takes it. The entity limits HUGE also lifts do not matter here: a
// document type declaration, the only way to declare an entity, is refused before any use.
constexpr int k_parse_options = XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_NOERROR |
                                XML_PARSE_NOWARNING | XML_PARSE_COMPACT | XML_PARSE_HUGE;

const char* encoding_name(TextEncoding encoding) {
    switch (encoding) {
        case TextEncoding::detect:
            return nullptr;
        case TextEncoding::utf8:
            return "UTF-8";
        case TextEncoding::latin1:
            return "ISO-8859-1";
        case TextEncoding::windows1252:
            return "WINDOWS-1252";
    }
    return nullptr;
}

void record_error(void* arg, xmlError* error) {
    auto* state = static_cast<Reader::State*>(arg);
    if (error == nullptr || error->level < XML_ERR_ERROR) return;
    // A namespace URI that is not a valid or absolute URI (non-ASCII, relative) is reported
    // as an error by libxml2 but leaves the document well-formed, and WordPress's importer
    // reads such files: carnet binds namespaces by prefix anyway.
    if (error->code == XML_WAR_NS_URI || error->code == XML_WAR_NS_URI_RELATIVE) return;
    if (!state->error.empty()) return;  // the first error is the one that explains
    state->error = error->message == nullptr ? "malformed XML" : error->message;
    while (!state->error.empty() && (state->error.back() == '\n' || state->error.back() == ' ')) {
        state->error.pop_back();
    }
    state->error_line = error->line;
}

}  // namespace

Reader::Reader(std::unique_ptr<State> state) : state_(std::move(state)) {}
Reader::Reader(Reader&&) noexcept = default;
Reader& Reader::operator=(Reader&&) noexcept = default;
Reader::~Reader() = default;

model::Result<Reader> Reader::open(const std::filesystem::path& path, TextEncoding encoding) {
    auto state = std::make_unique<State>();
    state->reader = xmlReaderForFile(path.c_str(), encoding_name(encoding), k_parse_options);
    if (state->reader == nullptr) {
        return model::fail(Code::not_found, fmt::format("cannot read {}", path.string()));
    }
    xmlTextReaderSetStructuredErrorHandler(state->reader, record_error, state.get());
    return Reader(std::move(state));
}

model::Result<Reader> Reader::from_memory(std::string_view bytes, TextEncoding encoding) {
    auto state = std::make_unique<State>();
    state->bytes = std::string(bytes);
    state->reader = xmlReaderForMemory(state->bytes.data(), static_cast<int>(state->bytes.size()),
                                       nullptr, encoding_name(encoding), k_parse_options);
    if (state->reader == nullptr) return model::fail(Code::internal, "cannot start the reader");
    xmlTextReaderSetStructuredErrorHandler(state->reader, record_error, state.get());
    return Reader(std::move(state));
}

const Channel& Reader::channel() const { return state_->channel; }

int Reader::line() const { return xmlTextReaderGetParserLineNumber(state_->reader); }

model::Result<Event> Reader::next() {
    auto& state = *state_;
    const auto failure = [&](std::string message) -> std::unexpected<model::Error> {
        const int at = state.error_line > 0 ? state.error_line : line();
        return model::fail(Code::invalid_input, fmt::format("line {}: {}", at, message));
    };
    const auto xml_failure = [&] {
        return failure(state.error.empty() ? "malformed XML" : "malformed XML: " + state.error);
    };
    // Moves past the current element and all it holds; the reader then stands on whatever
    // follows (or at the end, which the next read reports).
    const auto skip_element = [&]() -> bool {
        const int moved = xmlTextReaderNext(state.reader);
        state.positioned = moved == 1;
        return moved >= 0 && state.error.empty();
    };
    while (true) {
        int moved = 1;
        if (state.positioned) {
            state.positioned = false;
        } else {
            moved = xmlTextReaderRead(state.reader);
        }
        if (moved < 0 || !state.error.empty()) return xml_failure();
        if (moved == 0) {
            if (!state.saw_channel) return failure("not a WordPress export: no <rss><channel>");
            return Event{};
        }
        const int type = xmlTextReaderNodeType(state.reader);
        if (type == XML_READER_TYPE_DOCUMENT_TYPE) {
            return failure(
                "a document type declaration (DOCTYPE) is not allowed in a WordPress export: "
                "its entities could expand without bound");
        }
        if (type != XML_READER_TYPE_ELEMENT) continue;
        const int depth = xmlTextReaderDepth(state.reader);
        const std::string_view name =
            reinterpret_cast<const char*>(xmlTextReaderConstLocalName(state.reader));
        const bool no_namespace = xmlTextReaderConstNamespaceUri(state.reader) == nullptr;
        if (depth == 0) {
            if (name != "rss" || !no_namespace) {
                return failure(
                    fmt::format("not a WordPress export: the document is <{}>, not <rss>", name));
            }
            continue;
        }
        if (depth == 1) {
            if (name == "channel" && no_namespace) {
                state.saw_channel = true;
                continue;
            }
        }
        if (depth != 2 || !state.saw_channel) {
            // Anything outside the channel is skipped whole.
            if (!skip_element()) return xml_failure();
            continue;
        }
        xmlNode* node = xmlTextReaderExpand(state.reader);
        if (node == nullptr || !state.error.empty()) return xml_failure();
        Event event;  // stays `end` for what only fills the channel or is skipped
        const auto vocabulary = vocabulary_of(node);
        if (vocabulary == Vocabulary::rss) {
            if (name == "item") {
                event.kind = Event::Kind::item;
                event.item = read_item(node);
                if (state.channel.wxr_version.empty()) {
                    // WordPress's importer reads a channel without it when its items are
                    // WordPress's: they say so with their wp: elements.
                    const auto& item = event.item;
                    if (item.post_id.empty() && item.post_type.empty() && item.status.empty() &&
                        item.post_date.empty() && item.post_name.empty()) {
                        return failure(
                            "not a WordPress export: no <wp:wxr_version> before the first item");
                    }
                    state.channel.wxr_version = "1.2";
                    state.channel.notes.push_back(
                        fmt::format("line {}: no <wp:wxr_version> before the first item: read as "
                                    "WXR 1.2",
                                    item.line));
                }
            } else if (name == "title") {
                state.channel.title = text_of(node);
            } else if (name == "link") {
                state.channel.link = text_of(node);
            } else if (name == "description") {
                state.channel.description = text_of(node);
            } else if (name == "language") {
                state.channel.language = text_of(node);
            } else if (name == "pubDate") {
                state.channel.pub_date = text_of(node);
            }
        } else if (vocabulary == Vocabulary::wp) {
            if (name == "author") {
                event.kind = Event::Kind::author;
                event.author = read_author(node);
            } else if (name == "category" || name == "tag" || name == "term") {
                event.kind = Event::Kind::term;
                event.term = read_term(node);
            } else if (name == "wxr_version") {
                state.channel.wxr_version = text_of(node);
            } else if (name == "base_site_url") {
                state.channel.base_site_url = text_of(node);
            } else if (name == "base_blog_url") {
                state.channel.base_blog_url = text_of(node);
            }
        }
        if (!skip_element()) return xml_failure();
        if (event.kind != Event::Kind::end) return event;
    }
}

std::optional<model::LocalDateTime> parse_date(std::string_view text) {
    // YYYY-MM-DD hh:mm:ss
    if (text.size() != 19 || text[4] != '-' || text[7] != '-' || text[10] != ' ' ||
        text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    const auto number = [&](std::size_t at, std::size_t length) -> std::optional<int> {
        int value = 0;
        const auto* first = text.data() + at;
        const auto [end, error] = std::from_chars(first, first + length, value);
        if (error != std::errc{} || end != first + length) return std::nullopt;
        return value;
    };
    const auto year = number(0, 4), month = number(5, 2), day = number(8, 2), hour = number(11, 2),
               minute = number(14, 2), second = number(17, 2);
    if (!year || !month || !day || !hour || !minute || !second) return std::nullopt;
    if (*year < 1 || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
        *minute > 59 || *second > 60) {
        return std::nullopt;
    }
    model::LocalDateTime local{*year, *month, *day, *hour, *minute, *second};
    // 31 February and the like.
    const std::chrono::year_month_day date{std::chrono::year(*year),
                                           std::chrono::month(static_cast<unsigned>(*month)),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok()) return std::nullopt;
    return local;
}

std::string format_date(const model::LocalDateTime& local) {
    return fmt::format("{:04}-{:02}-{:02} {:02}:{:02}:{:02}", local.year, local.month, local.day,
                       local.hour, local.minute, local.second);
}

std::optional<model::Instant> parse_rss_date(std::string_view text) {
    const auto is_space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
    std::vector<std::string_view> words;
    for (std::size_t at = 0; at < text.size();) {
        while (at < text.size() && is_space(text[at])) ++at;
        const auto start = at;
        while (at < text.size() && !is_space(text[at])) ++at;
        if (at > start) words.push_back(text.substr(start, at - start));
    }
    if (!words.empty() && words.front().ends_with(',')) words.erase(words.begin());  // "Wed,"
    if (words.size() != 5) return std::nullopt;
    const auto number = [](std::string_view digits) -> std::optional<int> {
        int value = 0;
        const auto [end, error] =
            std::from_chars(digits.data(), digits.data() + digits.size(), value);
        if (error != std::errc{} || end != digits.data() + digits.size()) return std::nullopt;
        return value;
    };
    static constexpr std::string_view k_months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    int month = 0;
    for (int index = 0; index < 12; ++index) {
        if (words[1] == k_months[index]) month = index + 1;
    }
    const auto day = number(words[0]);
    const auto year = words[2].size() == 4 ? number(words[2]) : std::nullopt;
    const auto& clock = words[3];
    if (month == 0 || !day || !year || *year < 1970 || (clock.size() != 8 && clock.size() != 5)) {
        return std::nullopt;
    }
    const auto hour = number(clock.substr(0, 2)), minute = number(clock.substr(3, 2));
    const auto second = clock.size() == 8 ? number(clock.substr(6, 2)) : std::optional<int>(0);
    if (clock[2] != ':' || (clock.size() == 8 && clock[5] != ':') || !hour || !minute || !second ||
        *hour > 23 || *minute > 59 || *second > 60) {
        return std::nullopt;
    }
    int offset_minutes = 0;
    const auto& zone = words[4];
    if (zone.size() == 5 && (zone[0] == '+' || zone[0] == '-')) {
        const auto hours = number(zone.substr(1, 2)), minutes = number(zone.substr(3, 2));
        if (!hours || !minutes || *minutes > 59) return std::nullopt;
        offset_minutes = (zone[0] == '-' ? -1 : 1) * (*hours * 60 + *minutes);
    } else if (zone != "GMT" && zone != "UTC" && zone != "UT" && zone != "Z") {
        return std::nullopt;
    }
    const std::chrono::year_month_day date{std::chrono::year(*year),
                                           std::chrono::month(static_cast<unsigned>(month)),
                                           std::chrono::day(static_cast<unsigned>(*day))};
    if (!date.ok()) return std::nullopt;
    const model::Instant local = std::chrono::sys_days(date) + std::chrono::hours(*hour) +
                                 std::chrono::minutes(*minute) + std::chrono::seconds(*second);
    return local - std::chrono::minutes(offset_minutes);
}

// --- Writing.

namespace {

constexpr std::string_view k_namespaces =
    R"( xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/")"
    R"( xmlns:content="http://purl.org/rss/1.0/modules/content/")"
    R"( xmlns:wfw="http://wellformedweb.org/CommentAPI/")"
    R"( xmlns:dc="http://purl.org/dc/elements/1.1/")"
    R"( xmlns:wp="http://wordpress.org/export/1.2/")";

// XML 1.0 has no way to carry most control characters, even escaped: they are dropped.
bool allowed_in_xml(unsigned char c) { return c >= 0x20 || c == '\t' || c == '\n' || c == '\r'; }

// A CDATA section cannot hold "]]>": such text is split into two sections between "]]" and ">".
// A carriage return is written as a reference between two sections: a raw one would be read
// back as a line feed (XML 1.0 §2.11), and a serialized PHP value counts its bytes.
void append_cdata(std::string& out, std::string_view text) {
    out += "<![CDATA[";
    for (std::size_t at = 0; at < text.size(); ++at) {
        const char c = text[at];
        if (c == ']' && text.substr(at).starts_with("]]>")) {
            out += "]]]]><![CDATA[>";
            at += 2;
            continue;
        }
        if (c == '\r') {
            out += "]]>&#13;<![CDATA[";
            continue;
        }
        if (allowed_in_xml(static_cast<unsigned char>(c))) out += c;
    }
    out += "]]>";
}

}  // namespace

Writer::Writer(const Channel& channel, std::string_view generator) {
    out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n";
    out_ += fmt::format("<!-- {} -->\n", generator);
    out_ += fmt::format("<rss version=\"2.0\"{}>\n\n<channel>\n", k_namespaces);
    element("\t", "title", channel.title);
    element("\t", "link", channel.link);
    element("\t", "description", channel.description);
    element("\t", "language", channel.language);
    element("\t", "wp:wxr_version", channel.wxr_version.empty() ? "1.2" : channel.wxr_version);
    element("\t", "wp:base_site_url", channel.base_site_url);
    element("\t", "wp:base_blog_url", channel.base_blog_url);
    out_ += '\n';
}

void Writer::element(std::string_view indent, std::string_view name, std::string_view text) {
    out_ += indent;
    out_ += fmt::format("<{}>", name);
    out_ += text::xml_escape(text);
    out_ += fmt::format("</{}>\n", name);
}

void Writer::cdata(std::string_view indent, std::string_view name, std::string_view text) {
    out_ += indent;
    out_ += fmt::format("<{}>", name);
    append_cdata(out_, text);
    out_ += fmt::format("</{}>\n", name);
}

void Writer::author(const Author& author) {
    out_ += "\t<wp:author>";
    out_ += fmt::format("<wp:author_id>{}</wp:author_id>", author.id);
    cdata("", "wp:author_login", author.login);
    cdata("", "wp:author_email", author.email);
    cdata("", "wp:author_display_name", author.display_name);
    cdata("", "wp:author_first_name", author.first_name);
    cdata("", "wp:author_last_name", author.last_name);
    out_ += "\t</wp:author>\n";
}

void Writer::term(const Term& term) {
    if (term.kind == Term::Kind::category) {
        out_ += "\t<wp:category>\n";
        cdata("\t\t", "wp:category_nicename", term.slug);
        cdata("\t\t", "wp:category_parent", term.parent);
        cdata("\t\t", "wp:cat_name", term.name);
        if (!term.description.empty()) cdata("\t\t", "wp:category_description", term.description);
        out_ += "\t</wp:category>\n";
    } else if (term.kind == Term::Kind::tag) {
        out_ += "\t<wp:tag>\n";
        cdata("\t\t", "wp:tag_slug", term.slug);
        cdata("\t\t", "wp:tag_name", term.name);
        if (!term.description.empty()) cdata("\t\t", "wp:tag_description", term.description);
        out_ += "\t</wp:tag>\n";
    } else {
        out_ += "\t<wp:term>\n";
        cdata("\t\t", "wp:term_taxonomy", term.taxonomy);
        cdata("\t\t", "wp:term_slug", term.slug);
        cdata("\t\t", "wp:term_parent", term.parent);
        cdata("\t\t", "wp:term_name", term.name);
        out_ += "\t</wp:term>\n";
    }
}

void Writer::item(const Item& item) {
    out_ += "\n\t<item>\n";
    // In CDATA as WordPress writes it: its importer's fallback parser reads titles with a
    // regular expression and would keep an entity such as &apos; as it is.
    cdata("\t\t", "title", item.title);
    element("\t\t", "link", item.link);
    element("\t\t", "pubDate", item.pub_date);
    cdata("\t\t", "dc:creator", item.creator);
    out_ += "\t\t<guid isPermaLink=\"false\">";
    out_ += text::xml_escape(item.guid);
    out_ += "</guid>\n";
    element("\t\t", "description", item.description);
    cdata("\t\t", "content:encoded", item.content);
    cdata("\t\t", "excerpt:encoded", item.excerpt);
    element("\t\t", "wp:post_id", item.post_id);
    cdata("\t\t", "wp:post_date", item.post_date);
    cdata("\t\t", "wp:post_date_gmt", item.post_date_gmt);
    if (!item.post_modified.empty()) cdata("\t\t", "wp:post_modified", item.post_modified);
    if (!item.post_modified_gmt.empty()) {
        cdata("\t\t", "wp:post_modified_gmt", item.post_modified_gmt);
    }
    cdata("\t\t", "wp:comment_status", item.comment_status);
    cdata("\t\t", "wp:ping_status", item.ping_status);
    cdata("\t\t", "wp:post_name", item.post_name);
    cdata("\t\t", "wp:status", item.status);
    element("\t\t", "wp:post_parent", item.post_parent.empty() ? "0" : item.post_parent);
    element("\t\t", "wp:menu_order", item.menu_order.empty() ? "0" : item.menu_order);
    cdata("\t\t", "wp:post_type", item.post_type);
    cdata("\t\t", "wp:post_password", item.post_password);
    element("\t\t", "wp:is_sticky", item.is_sticky.empty() ? "0" : item.is_sticky);
    if (!item.attachment_url.empty()) cdata("\t\t", "wp:attachment_url", item.attachment_url);
    for (const auto& term : item.terms) {
        out_ += "\t\t<category domain=\"";
        out_ += text::xml_escape(term.domain);
        out_ += "\" nicename=\"";
        out_ += text::xml_escape(term.slug);
        out_ += "\">";
        append_cdata(out_, term.name);
        out_ += "</category>\n";
    }
    for (const auto& meta : item.meta) {
        out_ += "\t\t<wp:postmeta>\n";
        cdata("\t\t\t", "wp:meta_key", meta.key);
        cdata("\t\t\t", "wp:meta_value", meta.value);
        out_ += "\t\t</wp:postmeta>\n";
    }
    for (const auto& comment : item.comments) {
        out_ += "\t\t<wp:comment>\n";
        element("\t\t\t", "wp:comment_id", comment.id);
        cdata("\t\t\t", "wp:comment_author", comment.author);
        cdata("\t\t\t", "wp:comment_author_email", comment.email);
        element("\t\t\t", "wp:comment_author_url", comment.url);
        cdata("\t\t\t", "wp:comment_author_IP", comment.ip);
        cdata("\t\t\t", "wp:comment_date", comment.date);
        cdata("\t\t\t", "wp:comment_date_gmt", comment.date_gmt);
        cdata("\t\t\t", "wp:comment_content", comment.content);
        cdata("\t\t\t", "wp:comment_approved", comment.approved);
        cdata("\t\t\t", "wp:comment_type", comment.type);
        element("\t\t\t", "wp:comment_parent", comment.parent.empty() ? "0" : comment.parent);
        element("\t\t\t", "wp:comment_user_id", comment.user_id.empty() ? "0" : comment.user_id);
        for (const auto& meta : comment.meta) {
            out_ += "\t\t\t<wp:commentmeta>\n";
            cdata("\t\t\t\t", "wp:meta_key", meta.key);
            cdata("\t\t\t\t", "wp:meta_value", meta.value);
            out_ += "\t\t\t</wp:commentmeta>\n";
        }
        out_ += "\t\t</wp:comment>\n";
    }
    out_ += "\t</item>\n";
}

std::string Writer::take() { return std::exchange(out_, {}); }

std::string Writer::finish() {
    out_ += "</channel>\n</rss>\n";
    return std::move(out_);
}

}  // namespace carnet::interop::wxr
