#include "social/html.hpp"

#include <libxml/HTMLparser.h>
#include <libxml/HTMLtree.h>
#include <libxml/tree.h>

#include <algorithm>
#include <boost/beast/core/string.hpp>
#include <boost/url.hpp>
#include <functional>
#include <memory>
#include <set>

#include "text/text.hpp"

namespace carnet::social {
namespace {

struct DocFree {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using Doc = std::unique_ptr<xmlDoc, DocFree>;

struct BufferFree {
    void operator()(xmlBuffer* buffer) const { xmlBufferFree(buffer); }
};

// The page as libxml2's HTML parser reads it: forgiving, quiet, never on the network. libxml2
// ends the document at a NUL byte, where a browser reads U+FFFD and goes on: a page with a
// NUL before its link would otherwise not link for carnet while it does for its readers.
Doc parse_html(std::string_view html) {
    if (html.empty()) html = "<html></html>";
    std::string without_nul;
    if (html.find('\0') != std::string_view::npos) {
        without_nul.reserve(html.size() + 16);
        for (const char c : html) {
            if (c == '\0') {
                without_nul += "\xEF\xBF\xBD";
            } else {
                without_nul += c;
            }
        }
        html = without_nul;
    }
    return Doc(htmlReadMemory(
        html.data(), static_cast<int>(html.size()), nullptr, "UTF-8",
        HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET));
}

std::string_view name_of(const xmlNode* node) {
    return node->name == nullptr ? std::string_view() : reinterpret_cast<const char*>(node->name);
}

std::optional<std::string> attribute(const xmlNode* node, const char* name) {
    xmlChar* value = xmlGetProp(node, reinterpret_cast<const xmlChar*>(name));
    if (value == nullptr) return std::nullopt;
    std::string text(reinterpret_cast<const char*>(value));
    xmlFree(value);
    return text;
}

std::vector<std::string> tokens_of(std::string_view text) {
    std::vector<std::string> tokens;
    std::size_t at = 0;
    while (at < text.size()) {
        while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
        std::size_t end = at;
        while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
        if (end > at) tokens.emplace_back(text.substr(at, end - at));
        at = end;
    }
    return tokens;
}

std::vector<std::string> classes_of(const xmlNode* node) {
    return tokens_of(attribute(node, "class").value_or(""));
}

bool has_class(const xmlNode* node, std::string_view wanted) {
    const auto classes = classes_of(node);
    return std::ranges::find(classes, wanted) != classes.end();
}

bool has_rel(const xmlNode* node, std::string_view wanted) {
    for (const auto& rel : tokens_of(attribute(node, "rel").value_or(""))) {
        if (boost::beast::iequals(rel, wanted)) return true;
    }
    return false;
}

// A microformats2 root class: "h-" and lower-case letters, with inner hyphens.
bool is_root_class(std::string_view name) {
    if (name.size() < 3 || !name.starts_with("h-")) return false;
    return std::ranges::all_of(name.substr(2),
                               [](char c) { return (c >= 'a' && c <= 'z') || c == '-'; });
}

bool is_root(const xmlNode* node) {
    return std::ranges::any_of(classes_of(node),
                               [](const auto& name) { return is_root_class(name); });
}

void for_each_element(xmlNode* node, const std::function<bool(xmlNode*)>& visit) {
    for (auto* child = node; child != nullptr; child = child->next) {
        if (child->type != XML_ELEMENT_NODE) continue;
        if (!visit(child)) continue;
        for_each_element(child->children, visit);
    }
}

xmlNode* first_with_class(xmlNode* from, std::string_view wanted) {
    xmlNode* found = nullptr;
    for_each_element(from, [&](xmlNode* node) {
        if (found != nullptr) return false;
        if (has_class(node, wanted)) found = node;
        return found == nullptr;
    });
    return found;
}

// The elements inside `root` carrying the property class `wanted`, not looking inside nested
// microformats (whose own properties are theirs), in document order.
std::vector<xmlNode*> properties(xmlNode* root, std::string_view wanted) {
    std::vector<xmlNode*> found;
    for_each_element(root->children, [&](xmlNode* node) {
        if (has_class(node, wanted)) found.push_back(node);
        return !is_root(node);
    });
    return found;
}

// The node and what it holds, as HTML.
std::string outer_html(xmlDoc* doc, xmlNode* node) {
    std::unique_ptr<xmlBuffer, BufferFree> buffer(xmlBufferCreate());
    if (!buffer) return {};
    htmlNodeDump(buffer.get(), doc, node);
    return std::string(reinterpret_cast<const char*>(xmlBufferContent(buffer.get())),
                       static_cast<std::size_t>(xmlBufferLength(buffer.get())));
}

std::string text_of(xmlDoc* doc, xmlNode* node) {
    return text::html_to_text(outer_html(doc, node));
}

// The value of a p-* property (microformats2 parsing, "parsing a p- property").
std::string text_value(xmlDoc* doc, xmlNode* node) {
    const auto name = name_of(node);
    std::optional<std::string> value;
    if (name == "data" || name == "input") value = attribute(node, "value");
    if (name == "abbr" || name == "link") value = attribute(node, "title");
    if (name == "img" || name == "area") value = attribute(node, "alt");
    return value ? text::html_to_text(text::html_escape(*value)) : text_of(doc, node);
}

// The value of a u-* property (microformats2 parsing, "parsing a u- property").
std::optional<std::string> url_value(xmlDoc* doc, xmlNode* node, std::string_view page_url) {
    const auto name = name_of(node);
    std::optional<std::string> raw;
    if (name == "data" || name == "input") {
        raw = attribute(node, "value");
    } else if (name == "a" || name == "area" || name == "link") {
        raw = attribute(node, "href");
    } else if (name == "img" || name == "audio" || name == "video" || name == "source" ||
               name == "iframe") {
        raw = attribute(node, "src");
    } else if (name == "object") {
        raw = attribute(node, "data");
    }
    if (!raw) raw = text_of(doc, node);
    return resolve_url(page_url, text::html_to_text(*raw));
}

struct Card {
    std::string name;
    std::string url;
    std::string photo;
};

Card read_card(xmlDoc* doc, xmlNode* author, std::string_view page_url) {
    Card card;
    if (!has_class(author, "h-card")) {
        card.name = text_value(doc, author);
        if (name_of(author) == "a") {
            card.url = resolve_url(page_url, attribute(author, "href").value_or("")).value_or("");
        }
        return card;
    }
    if (auto names = properties(author, "p-name"); !names.empty()) {
        card.name = text_value(doc, names.front());
    } else {
        card.name = text_value(doc, author);
    }
    if (auto urls = properties(author, "u-url"); !urls.empty()) {
        card.url = url_value(doc, urls.front(), page_url).value_or("");
    } else if (name_of(author) == "a") {
        card.url = resolve_url(page_url, attribute(author, "href").value_or("")).value_or("");
    } else {
        // The implied url: the one link the card holds.
        for (auto* child = author->children; child != nullptr; child = child->next) {
            if (child->type == XML_ELEMENT_NODE && name_of(child) == "a") {
                card.url =
                    resolve_url(page_url, attribute(child, "href").value_or("")).value_or("");
                break;
            }
        }
    }
    if (auto photos = properties(author, "u-photo"); !photos.empty()) {
        card.photo = url_value(doc, photos.front(), page_url).value_or("");
    } else {
        for (auto* child = author->children; child != nullptr; child = child->next) {
            if (child->type == XML_ELEMENT_NODE && name_of(child) == "img") {
                card.photo =
                    resolve_url(page_url, attribute(child, "src").value_or("")).value_or("");
                break;
            }
        }
    }
    return card;
}

std::string without_fragment(std::string_view url) {
    const auto hash = url.find('#');
    return std::string(url.substr(0, hash));
}

// The parameters of one link-value of a Link header (RFC 8288 §3) hold rel="webmention".
std::optional<std::string> webmention_link(std::string_view header) {
    std::size_t at = 0;
    while (at < header.size()) {
        const auto open = header.find('<', at);
        if (open == std::string_view::npos) return std::nullopt;
        const auto close = header.find('>', open);
        if (close == std::string_view::npos) return std::nullopt;
        const auto url = header.substr(open + 1, close - open - 1);
        // The parameters run to the next comma outside quotes.
        std::size_t end = close + 1;
        bool quoted = false;
        while (end < header.size() && (quoted || header[end] != ',')) {
            if (header[end] == '"') quoted = !quoted;
            ++end;
        }
        const auto params = header.substr(close + 1, end - close - 1);
        std::size_t rel = 0;
        while ((rel = params.find("rel", rel)) != std::string_view::npos) {
            std::size_t value = rel + 3;
            while (value < params.size() && params[value] == ' ') ++value;
            if (value < params.size() && params[value] == '=') {
                ++value;
                while (value < params.size() && params[value] == ' ') ++value;
                std::string_view rels;
                if (value < params.size() && params[value] == '"') {
                    const auto quote = params.find('"', value + 1);
                    rels = params.substr(value + 1, quote == std::string_view::npos
                                                        ? std::string_view::npos
                                                        : quote - value - 1);
                } else {
                    const auto stop = params.find(';', value);
                    rels =
                        params.substr(value, stop == std::string_view::npos ? stop : stop - value);
                }
                for (const auto& token : tokens_of(rels)) {
                    if (boost::beast::iequals(token, "webmention")) return std::string(url);
                }
            }
            rel += 3;
        }
        at = end + 1;
    }
    return std::nullopt;
}

}  // namespace

std::optional<std::string> resolve_url(std::string_view base, std::string_view reference,
                                       bool keep_fragment) {
    auto parsed_base = boost::urls::parse_uri(base);
    if (!parsed_base) return std::nullopt;
    // Attributes often carry white space around the URL; browsers drop it.
    while (!reference.empty() && std::isspace(static_cast<unsigned char>(reference.front()))) {
        reference.remove_prefix(1);
    }
    while (!reference.empty() && std::isspace(static_cast<unsigned char>(reference.back()))) {
        reference.remove_suffix(1);
    }
    const std::string trimmed(reference);
    auto parsed = boost::urls::parse_uri_reference(trimmed);
    if (!parsed) return std::nullopt;
    boost::urls::url resolved;
    if (!boost::urls::resolve(*parsed_base, *parsed, resolved)) return std::nullopt;
    resolved.normalize_scheme();
    if (resolved.scheme_id() != boost::urls::scheme::http &&
        resolved.scheme_id() != boost::urls::scheme::https) {
        return std::nullopt;
    }
    if (!keep_fragment) resolved.remove_fragment();
    return std::string(resolved.buffer());
}

std::vector<std::string> links_in(std::string_view html, std::string_view base) {
    std::vector<std::string> links;
    auto doc = parse_html(html);
    if (!doc) return links;
    std::set<std::string> seen;
    for_each_element(xmlDocGetRootElement(doc.get()), [&](xmlNode* node) {
        if (name_of(node) == "a") {
            if (auto href = attribute(node, "href")) {
                auto url = resolve_url(base, *href, false);
                if (url && seen.insert(*url).second) links.push_back(*url);
            }
        }
        return true;
    });
    return links;
}

std::vector<Image> images_in(std::string_view html, std::string_view base) {
    std::vector<Image> images;
    auto doc = parse_html(html);
    if (!doc) return images;
    std::set<std::string> seen;
    for_each_element(xmlDocGetRootElement(doc.get()), [&](xmlNode* node) {
        if (name_of(node) == "img") {
            if (auto src = attribute(node, "src")) {
                auto url = resolve_url(base, *src);
                if (url && seen.insert(*url).second) {
                    images.push_back({std::move(*url), attribute(node, "alt").value_or("")});
                }
            }
        }
        return true;
    });
    return images;
}

std::optional<std::string> find_endpoint(const FetchResponse& response) {
    for (auto header : response.all_headers("link")) {
        if (auto link = webmention_link(header)) return resolve_url(response.url, *link);
    }
    const auto content_type = response.header("content-type");
    if (!content_type.empty() && content_type.find("html") == std::string_view::npos) {
        return std::nullopt;
    }
    auto doc = parse_html(response.body);
    if (!doc) return std::nullopt;
    std::optional<std::string> found;
    for_each_element(xmlDocGetRootElement(doc.get()), [&](xmlNode* node) {
        if (found) return false;
        const auto name = name_of(node);
        if ((name == "link" || name == "a") && has_rel(node, "webmention")) {
            if (auto href = attribute(node, "href")) found = resolve_url(response.url, *href);
        }
        return !found;
    });
    return found;
}

SourcePage read_source(std::string_view html, std::string_view page_url, std::string_view target) {
    SourcePage page;
    auto doc = parse_html(html);
    if (!doc) return page;
    auto* root = xmlDocGetRootElement(doc.get());
    const bool target_has_fragment = target.find('#') != std::string_view::npos;
    std::string title;
    for_each_element(root, [&](xmlNode* node) {
        const auto name = name_of(node);
        if (name == "title" && title.empty()) title = text_of(doc.get(), node);
        std::optional<std::string> link;
        if (name == "a" || name == "link" || name == "area") link = attribute(node, "href");
        if (name == "img" || name == "video" || name == "audio" || name == "source" ||
            name == "iframe") {
            link = attribute(node, "src");
        }
        if (link && !page.links_to_target) {
            if (auto url = resolve_url(page_url, *link)) {
                page.links_to_target =
                    *url == target || (!target_has_fragment && without_fragment(*url) == target);
            }
        }
        return true;
    });
    auto* entry = first_with_class(root, "h-entry");
    if (entry == nullptr) {
        page.content_html = text::html_escape(title);
        return page;
    }
    if (auto authors = properties(entry, "p-author"); !authors.empty()) {
        auto card = read_card(doc.get(), authors.front(), page_url);
        page.author_name = std::move(card.name);
        page.author_url = std::move(card.url);
        page.author_photo = std::move(card.photo);
    }
    for (auto* reply : properties(entry, "u-in-reply-to")) {
        std::optional<std::string> url;
        if (is_root(reply)) {
            if (auto urls = properties(reply, "u-url"); !urls.empty()) {
                url = url_value(doc.get(), urls.front(), page_url);
            }
        }
        if (!url) url = url_value(doc.get(), reply, page_url);
        if (url) page.in_reply_to.push_back(*url);
    }
    if (auto content = properties(entry, "e-content"); !content.empty()) {
        page.content_html = outer_html(doc.get(), content.front());
    } else if (auto summary = properties(entry, "p-summary"); !summary.empty()) {
        page.content_html = outer_html(doc.get(), summary.front());
    } else if (auto names = properties(entry, "p-name"); !names.empty()) {
        page.content_html = outer_html(doc.get(), names.front());
    } else {
        page.content_html = text::html_escape(title);
    }
    return page;
}

}  // namespace carnet::social
