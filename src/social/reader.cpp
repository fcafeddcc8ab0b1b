#include "social/reader.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>

#include "markup/markup.hpp"
#include "social/activitypub.hpp"
#include "text/text.hpp"

namespace carnet::social::activitypub {
namespace {

using model::Error;

constexpr std::size_t k_max_title_chars = 300;
constexpr std::size_t k_max_name_chars = 100;

http::Response internal(const Error& error) {
    spdlog::error("activitypub: {}", error.message);
    return plain(500, "Something went wrong: please try again later.");
}

bool is_block_tag(std::string_view name) {
    static constexpr auto k_blocks = std::to_array<std::string_view>(
        {"p",       "div", "br",     "li",         "ul",    "ol",  "blockquote", "h1",
         "h2",      "h3",  "h4",     "h5",         "h6",    "pre", "tr",         "section",
         "article", "hr",  "figure", "figcaption", "table", "dd",  "dt"});
    return std::ranges::find(k_blocks, name) != k_blocks.end();
}

// The first `max_chars` characters of plain text, cut at a word with "…".
std::string cut(std::string_view text, std::size_t max_chars) {
    return markup::excerpt(text::html_escape(text), max_chars);
}

// An object's page for people: its `url` (a string, a Link, or a list of either), else its id;
// only a safe http(s) address.
std::string page_of(const boost::json::object& object) {
    const auto* url = object.if_contains("url");
    std::vector<std::string> candidates;
    const auto add = [&](const boost::json::value& value) {
        if (value.is_string()) candidates.emplace_back(value.get_string());
        if (value.is_object()) candidates.push_back(json_string(value.get_object(), "href"));
    };
    if (url != nullptr) {
        if (url->is_array()) {
            for (const auto& each : url->get_array()) add(each);
        } else {
            add(*url);
        }
    }
    candidates.push_back(json_string(object, "id"));
    for (const auto& candidate : candidates) {
        if (auto safe = markup::safe_url(candidate);
            safe && (safe->starts_with("https://") || safe->starts_with("http://"))) {
            return *safe;
        }
    }
    return {};
}

// An object's HTML: its content, else the first of its contentMap.
std::string content_of(const boost::json::object& object) {
    auto html = json_string(object, "content");
    if (!html.empty()) return html;
    if (const auto* map = object.if_contains("contentMap"); map != nullptr && map->is_object()) {
        for (const auto& [language, value] : map->as_object()) {
            if (value.is_string()) return std::string(value.get_string());
        }
    }
    return {};
}

int two_digits(std::string_view text, std::size_t at, bool& ok) {
    if (at + 2 > text.size() || !std::isdigit(static_cast<unsigned char>(text[at])) ||
        !std::isdigit(static_cast<unsigned char>(text[at + 1]))) {
        ok = false;
        return 0;
    }
    return (text[at] - '0') * 10 + (text[at + 1] - '0');
}

}  // namespace

std::optional<model::Instant> parse_rfc3339(std::string_view text) {
    using namespace std::chrono;
    // 2026-12-02T08:00:00[.fff](Z|+01:00)
    if (text.size() < 20 || text[4] != '-' || text[7] != '-' ||
        (text[10] != 'T' && text[10] != 't') || text[13] != ':' || text[16] != ':') {
        return std::nullopt;
    }
    int year_number = 0;
    if (std::from_chars(text.data(), text.data() + 4, year_number).ptr != text.data() + 4) {
        return std::nullopt;
    }
    bool ok = true;
    const int month_number = two_digits(text, 5, ok);
    const int day_number = two_digits(text, 8, ok);
    const int hour = two_digits(text, 11, ok);
    const int minute = two_digits(text, 14, ok);
    const int second = two_digits(text, 17, ok);
    if (!ok || hour > 23 || minute > 59 || second > 60) return std::nullopt;
    const year_month_day date{year{year_number}, month{static_cast<unsigned>(month_number)},
                              day{static_cast<unsigned>(day_number)}};
    if (!date.ok()) return std::nullopt;
    std::size_t at = 19;
    if (at < text.size() && text[at] == '.') {
        ++at;
        const auto digits_start = at;
        while (at < text.size() && std::isdigit(static_cast<unsigned char>(text[at]))) ++at;
        if (at == digits_start) return std::nullopt;
    }
    if (at >= text.size()) return std::nullopt;
    minutes offset{0};
    if (text[at] == 'Z' || text[at] == 'z') {
        ++at;
    } else if (text[at] == '+' || text[at] == '-') {
        if (at + 6 != text.size() || text[at + 3] != ':') return std::nullopt;
        const int offset_hours = two_digits(text, at + 1, ok);
        const int offset_minutes = two_digits(text, at + 4, ok);
        if (!ok || offset_hours > 23 || offset_minutes > 59) return std::nullopt;
        offset = hours{offset_hours} + minutes{offset_minutes};
        if (text[at] == '-') offset = -offset;
        at += 6;
    } else {
        return std::nullopt;
    }
    if (at != text.size()) return std::nullopt;
    return sys_days{date} + hours{hour} + minutes{minute} + seconds{std::min(second, 59)} - offset;
}

std::string sanitised_html(std::string_view html) {
    std::string paragraphs;
    const auto add = [&](std::string_view fragment) {
        auto text = text::html_to_text(fragment);
        if (text.empty()) return;
        if (!paragraphs.empty()) paragraphs += "\n\n";
        paragraphs += text;
    };
    std::size_t start = 0;
    for (std::size_t at = html.find('<'); at != std::string_view::npos;
         at = html.find('<', at + 1)) {
        std::size_t name_start = at + 1;
        if (name_start < html.size() && html[name_start] == '/') ++name_start;
        std::size_t name_end = name_start;
        std::string name;
        while (name_end < html.size() && std::isalnum(static_cast<unsigned char>(html[name_end]))) {
            name += static_cast<char>(std::tolower(static_cast<unsigned char>(html[name_end])));
            ++name_end;
        }
        if (!is_block_tag(name)) continue;
        add(html.substr(start, at - start));
        // The tag itself holds no text: the next paragraph starts after it.
        const auto close = html.find('>', name_end);
        if (close == std::string_view::npos) {
            start = html.size();
            break;
        }
        start = close + 1;
        at = close;
    }
    if (start < html.size()) add(html.substr(start));
    return markup::render_comment(paragraphs);
}

Reader::Reader(store::Store& store, const Clock& clock) : store_(store), clock_(clock) {}

http::Response Reader::follow_answered(const Inbound& inbound, bool accepted) {
    const auto& blog = inbound.blog;
    const auto actor = inbound.signer.actor;
    auto known = store_.following().find_following(blog.id, actor);
    if (!known) return internal(known.error());
    if (!*known) return plain(202, "Accepted: this blog does not follow you.");
    // The Follow answered comes in full or by its id; either must be the blog's last one.
    const auto follow_id = id_of(inbound.activity.if_contains("object"));
    if (!follow_id.empty() && follow_id != (*known)->follow_id) {
        return plain(202, "Accepted: not this blog's Follow.");
    }
    auto written = store_.write([&](store::Writer& writer) -> Status {
        if (accepted) {
            return writer.following().set_following_state(blog.id, actor,
                                                          store::FollowingState::accepted);
        }
        auto removed = writer.following().remove_following(blog.id, actor);
        if (!removed) return std::unexpected(removed.error());
        return {};
    });
    if (!written) return internal(written.error());
    spdlog::info("activitypub: {} {} blog {}'s Follow", actor, accepted ? "accepted" : "rejected",
                 blog.id);
    return plain(202, "Accepted.");
}

Status Reader::keep(const Inbound& inbound) {
    const auto* value = inbound.activity.if_contains("object");
    if (value == nullptr || !value->is_object()) return {};
    const auto& object = value->as_object();
    const auto type = json_string(object, "type");
    if (type != "Note" && type != "Article") return {};
    const auto& signer = inbound.signer;
    const auto object_id = json_string(object, "id");
    if (object_id.empty() || host_of(object_id) != host_of(signer.actor) ||
        id_of(object.if_contains("attributedTo")) != signer.actor) {
        return {};
    }
    const auto& blog = inbound.blog;
    auto followed = store_.following().find_following(blog.id, signer.actor);
    if (!followed) return std::unexpected(followed.error());
    if (!*followed || (*followed)->state != store::FollowingState::accepted) return {};
    const auto& account = **followed;

    const auto now = clock_.now();
    store::ReaderItem item{.blog_id = blog.id,
                           .object_id = object_id,
                           .actor = signer.actor,
                           .author_handle = account.handle,
                           .url = page_of(object),
                           .title = cut(json_string(object, "name"), k_max_title_chars),
                           .html = sanitised_html(content_of(object))};
    if (type == "Note") item.title.clear();
    auto name = signer.name.empty() ? account.name : signer.name;
    if (name.empty()) name = account.handle.empty() ? signer.actor : account.handle;
    item.author_name = cut(name, k_max_name_chars);
    auto profile =
        markup::safe_url(signer.profile_url.empty() ? account.profile_url : signer.profile_url);
    if (!profile) profile = markup::safe_url(signer.actor);
    item.author_url = profile.value_or("");
    item.published_at = parse_rfc3339(json_string(object, "published")).value_or(now);
    item.updated_at = parse_rfc3339(json_string(object, "updated")).value_or(item.published_at);
    auto written = store_.write([&](store::Writer& writer) -> Status {
        auto kept = writer.following().find_reader_item_by_object(blog.id, object_id);
        if (!kept) return std::unexpected(kept.error());
        // Only its author changes an item; an update keeps its place in the reader.
        if (*kept && (*kept)->actor != signer.actor) return {};
        if (*kept) item.published_at = (*kept)->published_at;
        auto saved = writer.following().save_reader_item(item);
        if (!saved) return std::unexpected(saved.error());
        spdlog::info("activitypub: {} {} in blog {}'s reader", object_id,
                     *kept ? "changed" : "kept", blog.id);
        return {};
    });
    return written;
}

Status Reader::forget(const Inbound& inbound) {
    const auto object_id = id_of(inbound.activity.if_contains("object"));
    if (object_id.empty()) return {};
    const auto blog_id = inbound.blog.id;
    return store_.write([&](store::Writer& writer) -> Status {
        auto item = writer.following().find_reader_item_by_object(blog_id, object_id);
        if (!item) return std::unexpected(item.error());
        if (!*item || (*item)->actor != inbound.signer.actor) return {};
        auto removed = writer.following().remove_reader_item(blog_id, object_id);
        if (!removed) return std::unexpected(removed.error());
        spdlog::info("activitypub: {} deleted from blog {}'s reader", object_id, blog_id);
        return {};
    });
}

}  // namespace carnet::social::activitypub
