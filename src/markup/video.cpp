#include "markup/video.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/url_view.hpp>
#include <initializer_list>
#include <utility>
#include <vector>

#include "markup/markup.hpp"

namespace carnet::markup {
namespace {

namespace urls = boost::urls;

// Longer start times are typos or tricks; the video then starts at the beginning.
constexpr int k_max_start_seconds = 24 * 3600;

bool is_ascii_alnum(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

// YouTube IDs are 11 characters of the URL-safe base64 alphabet.
bool is_youtube_id(std::string_view id) {
    return id.size() == 11 && std::all_of(id.begin(), id.end(), [](char c) {
               return is_ascii_alnum(c) || c == '-' || c == '_';
           });
}

bool is_vimeo_id(std::string_view id) {
    return !id.empty() && id.size() <= 12 && std::all_of(id.begin(), id.end(), is_ascii_digit);
}

// Dailymotion IDs are short alphanumeric strings ("x7tgad0", "k3xhzAVuWvUqQBzvKw4").
bool is_dailymotion_id(std::string_view id) {
    return id.size() >= 5 && id.size() <= 24 && std::all_of(id.begin(), id.end(), is_ascii_alnum);
}

std::string lower_case(std::string_view text) {
    std::string lowered(text);
    for (auto& c : lowered) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return lowered;
}

// "90", "90s", "1m30s", "1h2m3s": the forms the three providers use in links.
std::optional<int> parse_start_time(std::string_view text) {
    if (text.empty() || text.size() > 12) return std::nullopt;
    long total = 0;
    long number = -1;
    for (const char c : text) {
        if (is_ascii_digit(c)) {
            number = (number < 0 ? 0 : number * 10) + (c - '0');
            continue;
        }
        if (number < 0) return std::nullopt;
        switch (c) {
            case 'h':
                total += number * 3600;
                break;
            case 'm':
                total += number * 60;
                break;
            case 's':
                total += number;
                break;
            default:
                return std::nullopt;
        }
        number = -1;
    }
    if (number >= 0) total += number;
    if (total > k_max_start_seconds) return std::nullopt;
    return static_cast<int>(total);
}

// The value of `key` in a query or in a fragment written like one ("t=90s").
std::optional<std::string_view> find_param(std::string_view encoded, std::string_view key) {
    auto params = urls::parse_query(encoded);
    if (!params) return std::nullopt;
    for (const auto& param : *params) {
        if (param.key == key && param.has_value) {
            return std::string_view(param.value.data(), param.value.size());
        }
    }
    return std::nullopt;
}

int start_from(const urls::url_view& url, std::initializer_list<std::string_view> query_keys,
               std::initializer_list<std::string_view> fragment_keys) {
    const auto take = [](std::optional<std::string_view> value) {
        if (!value) return std::optional<int>();
        return parse_start_time(*value);
    };
    if (url.has_query()) {
        const std::string_view query(url.encoded_query().data(), url.encoded_query().size());
        for (auto key : query_keys) {
            if (auto seconds = take(find_param(query, key))) return *seconds;
        }
    }
    if (url.has_fragment()) {
        const std::string_view fragment(url.encoded_fragment().data(),
                                        url.encoded_fragment().size());
        for (auto key : fragment_keys) {
            if (auto seconds = take(find_param(fragment, key))) return *seconds;
        }
    }
    return 0;
}

std::optional<VideoLink> youtube(const urls::url_view& url, std::string_view host,
                                 const std::vector<std::string_view>& path) {
    std::string_view id;
    if (host == "youtu.be") {
        if (path.size() != 1) return std::nullopt;
        id = path[0];
    } else if (path.size() == 1 && path[0] == "watch" && url.has_query()) {
        const std::string_view query(url.encoded_query().data(), url.encoded_query().size());
        auto v = find_param(query, "v");
        if (!v) return std::nullopt;
        id = *v;
    } else if (path.size() == 2 &&
               (path[0] == "embed" || path[0] == "shorts" || path[0] == "live" || path[0] == "v")) {
        id = path[1];
    } else {
        return std::nullopt;
    }
    if (!is_youtube_id(id)) return std::nullopt;
    return VideoLink{VideoProvider::youtube, std::string(id),
                     start_from(url, {"t", "start"}, {"t"})};
}

std::optional<VideoLink> vimeo(const urls::url_view& url, std::string_view host,
                               const std::vector<std::string_view>& path) {
    std::string_view id;
    if (host == "player.vimeo.com") {
        if (path.size() != 2 || path[0] != "video") return std::nullopt;
        id = path[1];
    } else {
        if (path.size() != 1) return std::nullopt;
        id = path[0];
    }
    if (!is_vimeo_id(id)) return std::nullopt;
    return VideoLink{VideoProvider::vimeo, std::string(id), start_from(url, {"t"}, {"t"})};
}

std::optional<VideoLink> dailymotion(const urls::url_view& url, std::string_view host,
                                     const std::vector<std::string_view>& path) {
    std::string_view id;
    if (host == "dai.ly") {
        if (path.size() != 1) return std::nullopt;
        id = path[0];
    } else if (path.size() == 2 && path[0] == "video") {
        // Older links carry the title after the ID: /video/x5abcde_le-titre_news.
        id = path[1].substr(0, path[1].find('_'));
    } else if (path.size() == 3 && path[0] == "embed" && path[1] == "video") {
        id = path[2];
    } else {
        return std::nullopt;
    }
    if (!is_dailymotion_id(id)) return std::nullopt;
    return VideoLink{VideoProvider::dailymotion, std::string(id), start_from(url, {"start"}, {})};
}

std::string_view trim_space(std::string_view text) {
    constexpr std::string_view k_space = " \t\r\n";
    const auto first = text.find_first_not_of(k_space);
    if (first == std::string_view::npos) return {};
    return text.substr(first, text.find_last_not_of(k_space) - first + 1);
}

// What a paragraph holds when it is a single link: its URL and its label as HTML.
struct LoneLink {
    std::string url;
    std::string_view label_html;
};

std::optional<LoneLink> lone_link(std::string_view inner) {
    inner = trim_space(inner);
    if (inner.empty()) return std::nullopt;
    if (inner.find_first_of("<>") == std::string_view::npos) {
        // Whatever the references stand for, the URL parser judges the result.
        return LoneLink{text::decode_html_entities(inner), inner};
    }
    // Exactly `<a href="...">label</a>`, as md4c writes links: a link with more attributes or
    // any text around it is left as it is.
    constexpr std::string_view k_open = "<a href=\"";
    constexpr std::string_view k_close = "</a>";
    if (!inner.starts_with(k_open) || !inner.ends_with(k_close)) return std::nullopt;
    const auto href_end = inner.find('"', k_open.size());
    if (href_end == std::string_view::npos || inner.substr(href_end).size() < 2 ||
        inner[href_end + 1] != '>') {
        return std::nullopt;
    }
    const auto label = inner.substr(href_end + 2, inner.size() - href_end - 2 - k_close.size());
    if (label.find("<a") != std::string_view::npos || label.find("</a") != std::string_view::npos)
        return std::nullopt;
    return LoneLink{
        text::decode_html_entities(inner.substr(k_open.size(), href_end - k_open.size())), label};
}

std::string poster_html(const VideoLink& video, std::string_view url, std::string_view label_html) {
    std::string label = text::html_to_text(label_html);
    if (label.empty()) label = std::string(url);
    // data-video-src is what the theme's script loads on click; it re-checks the address
    // against the same three player URL shapes before making an iframe of it.
    return fmt::format(
        "<figure class=\"video-embed\" data-video-src=\"{}\"><a class=\"video-poster\" "
        "href=\"{}\"><span class=\"video-play\" aria-hidden=\"true\"></span> <span "
        "class=\"video-provider\">{}</span> <span class=\"video-title\">{}</span></a></figure>",
        text::html_escape(video_player_url(video)), text::html_escape(video_page_url(video)),
        provider_name(video.provider), text::html_escape(label));
}

}  // namespace

std::optional<VideoLink> recognize_video(std::string_view text) {
    auto parsed = urls::parse_uri(text);
    if (!parsed) return std::nullopt;
    const urls::url_view& url = *parsed;
    if (url.scheme_id() != urls::scheme::https && url.scheme_id() != urls::scheme::http)
        return std::nullopt;
    // A user name or a port changes where the browser goes or what it shows; real links to
    // the providers have neither.
    if (url.has_userinfo() || url.has_port() || url.host_type() != urls::host_type::name)
        return std::nullopt;
    const std::string host =
        lower_case(std::string_view(url.encoded_host().data(), url.encoded_host().size()));

    std::vector<std::string_view> path;
    for (const auto segment : url.encoded_segments()) {
        path.emplace_back(segment.data(), segment.size());
    }
    if (!path.empty() && path.back().empty()) path.pop_back();  // a trailing slash

    if (host == "youtube.com" || host == "www.youtube.com" || host == "m.youtube.com" ||
        host == "youtube-nocookie.com" || host == "www.youtube-nocookie.com" ||
        host == "youtu.be") {
        return youtube(url, host, path);
    }
    if (host == "vimeo.com" || host == "www.vimeo.com" || host == "player.vimeo.com") {
        return vimeo(url, host, path);
    }
    if (host == "dailymotion.com" || host == "www.dailymotion.com" || host == "dai.ly") {
        return dailymotion(url, host, path);
    }
    return std::nullopt;
}

std::string_view provider_name(VideoProvider provider) {
    switch (provider) {
        case VideoProvider::youtube:
            return "YouTube";
        case VideoProvider::vimeo:
            return "Vimeo";
        case VideoProvider::dailymotion:
            return "Dailymotion";
    }
    return "";
}

std::string video_page_url(const VideoLink& video) {
    const int start = video.start_seconds;
    switch (video.provider) {
        case VideoProvider::youtube:
            return start > 0
                       ? fmt::format("https://www.youtube.com/watch?v={}&t={}s", video.id, start)
                       : fmt::format("https://www.youtube.com/watch?v={}", video.id);
        case VideoProvider::vimeo:
            return start > 0 ? fmt::format("https://vimeo.com/{}#t={}s", video.id, start)
                             : fmt::format("https://vimeo.com/{}", video.id);
        case VideoProvider::dailymotion:
            return start > 0 ? fmt::format("https://www.dailymotion.com/video/{}?start={}",
                                           video.id, start)
                             : fmt::format("https://www.dailymotion.com/video/{}", video.id);
    }
    return {};
}

std::string video_player_url(const VideoLink& video) {
    const int start = video.start_seconds;
    switch (video.provider) {
        case VideoProvider::youtube:
            // The no-cookie domain sets no cookie until the reader plays the video.
            return start > 0 ? fmt::format(
                                   "https://www.youtube-nocookie.com/embed/{}?autoplay=1&start={}",
                                   video.id, start)
                             : fmt::format("https://www.youtube-nocookie.com/embed/{}?autoplay=1",
                                           video.id);
        case VideoProvider::vimeo:
            return start > 0
                       ? fmt::format("https://player.vimeo.com/video/{}?autoplay=1#t={}s", video.id,
                                     start)
                       : fmt::format("https://player.vimeo.com/video/{}?autoplay=1", video.id);
        case VideoProvider::dailymotion:
            return start > 0 ? fmt::format(
                                   "https://www.dailymotion.com/embed/video/"
                                   "{}?autoplay=1&startTime={}",
                                   video.id, start)
                             : fmt::format("https://www.dailymotion.com/embed/video/{}?autoplay=1",
                                           video.id);
    }
    return {};
}

std::string embed_videos(std::string_view html) {
    constexpr std::string_view k_open = "<p>";
    constexpr std::string_view k_close = "</p>";
    std::string out;
    std::size_t copied = 0;
    for (std::size_t open = html.find(k_open); open != std::string_view::npos;
         open = html.find(k_open, open + 1)) {
        const std::size_t inner_start = open + k_open.size();
        const std::size_t close = html.find(k_close, inner_start);
        if (close == std::string_view::npos) break;
        const auto inner = html.substr(inner_start, close - inner_start);
        auto link = lone_link(inner);
        if (!link) continue;
        auto video = recognize_video(link->url);
        if (!video) continue;
        if (out.empty()) out.reserve(html.size() + 512);
        out.append(html.substr(copied, open - copied));
        out += poster_html(*video, link->url, link->label_html);
        copied = close + k_close.size();
        open = copied - 1;
    }
    if (copied == 0) return std::string(html);
    out.append(html.substr(copied));
    return out;
}

}  // namespace carnet::markup
