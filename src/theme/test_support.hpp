// Helpers shared by the theme module's tests: sample data from the fixture, HTML to text.
#pragma once

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::theme::test_support {

// 2017-10-04T18:19:00Z style instants, written as UTC date and time.
inline model::Instant utc(int year, unsigned month, unsigned day, int hour, int minute) {
    using namespace std::chrono;
    return sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}} +
           hours{hour} + minutes{minute};
}

inline model::Category category(std::int64_t id, std::string name, std::string slug,
                                int post_count = 0) {
    model::Category made;
    made.id = id;
    made.blog_id = 1;
    made.name = std::move(name);
    made.slug = std::move(slug);
    made.post_count = post_count;
    return made;
}

inline model::Blog french_blog() {
    model::Blog blog;
    blog.id = 1;
    blog.hosts = {"carnet.example"};
    blog.title = "Le carnet de Jean";
    blog.subtitle = "Libye, Syrie, Irak";
    blog.locale = "fr";
    blog.time_zone = "Europe/Paris";
    return blog;
}

inline model::Blog english_blog() {
    auto blog = french_blog();
    blog.locale = "en";
    return blog;
}

// The first post of the fixture: 20:19 in Paris on 4 October 2017, four categories.
inline model::Post misrata_post() {
    model::Post post;
    post.id = 42;
    post.blog_id = 1;
    post.status = model::PostStatus::published;
    post.title = "L'Etat islamique attaque le tribunal de Misrata";
    post.slug = "l-etat-islamique-attaque-le-tribunal-de-misrata";
    post.html =
        "<h2>L'Etat islamique attaque le tribunal de Misrata</h2>\n"
        "<p>Deux militants de l'Etat islamique ont lancé une attaque contre le tribunal de la "
        "ville de Misrata.</p>\n";
    post.published_at = utc(2017, 10, 4, 18, 19);
    post.comment_count = 0;
    post.categories = {category(1, "Etat Islamique", "etat-islamique"),
                       category(2, "Libye", "libye"), category(3, "Misrata", "misrata"),
                       category(4, "Syrte", "syrte")};
    return post;
}

inline model::Post simple_post(std::int64_t id, std::string title, model::Instant at) {
    model::Post post;
    post.id = id;
    post.blog_id = 1;
    post.status = model::PostStatus::published;
    post.title = std::move(title);
    post.slug = model::make_slug(post.title);
    post.html = "<p>Texte.</p>";
    post.published_at = at;
    return post;
}

// The text a reader sees: tags removed, the entities our templates produce decoded.
inline std::string html_to_text(std::string_view html) {
    std::string text;
    bool in_tag = false;
    for (char c : html) {
        if (c == '<') {
            in_tag = true;
        } else if (c == '>') {
            in_tag = false;
        } else if (!in_tag) {
            text += c;
        }
    }
    const std::pair<std::string_view, std::string_view> entities[] = {
        {"&lt;", "<"},   {"&gt;", ">"},  {"&quot;", "\""},
        {"&apos;", "'"}, {"&#39;", "'"}, {"&amp;", "&"}};
    for (const auto& [entity, character] : entities) {
        for (auto at = text.find(entity); at != std::string::npos;
             at = text.find(entity, at + character.size())) {
            text.replace(at, entity.size(), character);
        }
    }
    return text;
}

inline std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \n\t");
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(" \n\t") - first + 1);
}

// The inner HTML of every element that starts with `open` ("<footer class=\"post-footer\">")
// and ends at the next `close`.
inline std::vector<std::string> elements(std::string_view html, std::string_view open,
                                         std::string_view close) {
    std::vector<std::string> found;
    for (auto at = html.find(open); at != std::string_view::npos; at = html.find(open, at)) {
        at += open.size();
        const auto end = html.find(close, at);
        if (end == std::string_view::npos) break;
        found.emplace_back(html.substr(at, end - at));
        at = end;
    }
    return found;
}

inline std::size_t count(std::string_view text, std::string_view needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + needle.size())) {
        ++n;
    }
    return n;
}

// ICU 72 (CLDR 42) separates the time from AM/PM by a narrow no-break space.
inline std::string plain_spaces(std::string text) {
    constexpr std::string_view narrow_nbsp = "\u202F";
    for (auto at = text.find(narrow_nbsp); at != std::string::npos; at = text.find(narrow_nbsp)) {
        text.replace(at, narrow_nbsp.size(), 1, ' ');
    }
    return text;
}

// A folder of its own under the system's temporary folder, removed on destruction.
using carnet::testing::TempDir;

}  // namespace carnet::theme::test_support
