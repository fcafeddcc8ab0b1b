// What every feature of the admin answers with, and the form fields several of them read.
#include <fmt/format.h>

#include <array>
#include <boost/url/encode.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <charconv>
#include <set>

#include "admin/admin_impl.hpp"

namespace carnet::admin {

std::int64_t Call::id(std::string_view name) const {
    auto found = params.find(name);
    return found == params.end() ? 0 : http::parse_id(found->second).value_or(0);
}

void protect(Response& response) {
    response.headers.emplace_back("Cache-Control", "no-store");
    response.headers.emplace_back(
        "Content-Security-Policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "frame-src https://www.youtube-nocookie.com https://player.vimeo.com "
        "https://www.dailymotion.com; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'");
    // No X-Content-Type-Options here: the server adds it to every answer.
    response.headers.emplace_back("Referrer-Policy", "same-origin");
}

Response redirect(std::string location) {
    Response response;
    response.status = 303;
    response.headers.emplace_back("Location", std::move(location));
    protect(response);
    return response;
}

Response json(int status, const boost::json::object& object) {
    Response response;
    response.status = status;
    response.content_type = "application/json";
    response.body = boost::json::serialize(object);
    protect(response);
    return response;
}

bool wants_json(const Request& request) {
    return request.header("Accept").find("application/json") != std::string_view::npos;
}

std::string percent_encode(std::string_view text) {
    return boost::urls::encode(text, boost::urls::unreserved_chars);
}

std::string safe_next(std::string_view next) {
    if (next.starts_with("/admin/") && !next.starts_with("//") &&
        next.find_first_of("\\\r\n") == std::string_view::npos) {
        return std::string(next);
    }
    return "/admin/";
}

std::string local_input_value(model::Instant instant, std::string_view zone) {
    auto local = model::to_local(instant, zone);
    if (!local) return {};
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}", local->year, local->month, local->day,
                       local->hour, local->minute);
}

std::string local_display(model::Instant instant, std::string_view zone) {
    auto value = local_input_value(instant, zone);
    if (value.size() > 10) value[10] = ' ';
    return value;
}

namespace {

// Reads exactly `digits` decimal digits at the front of `text` and what follows them must be
// `separator` (or the end when separator is '\0'); moves `text` past both.
std::optional<int> take_number(std::string_view& text, std::size_t digits, char separator) {
    if (text.size() < digits) return std::nullopt;
    int value = 0;
    const auto* end = text.data() + digits;
    auto [stop, error] = std::from_chars(text.data(), end, value);
    if (error != std::errc{} || stop != end || text[0] == '+' || text[0] == '-') {
        return std::nullopt;
    }
    text.remove_prefix(digits);
    if (separator == '\0') return value;
    if (text.empty() || text.front() != separator) return std::nullopt;
    text.remove_prefix(1);
    return value;
}

}  // namespace

std::optional<model::LocalDateTime> parse_local_input(std::string_view text) {
    // HTML's "valid normalized local date and time string", and the forms browsers send:
    // YYYY-MM-DDTHH:MM, optionally :SS.
    auto year = take_number(text, 4, '-');
    auto month = year ? take_number(text, 2, '-') : std::nullopt;
    auto day = month ? take_number(text, 2, 'T') : std::nullopt;
    auto hour = day ? take_number(text, 2, ':') : std::nullopt;
    auto minute = hour ? take_number(text, 2, text.size() > 2 ? ':' : '\0') : std::nullopt;
    if (!minute) return std::nullopt;
    int second = 0;
    if (!text.empty()) {
        auto seconds = take_number(text, 2, '\0');
        if (!seconds || !text.empty()) return std::nullopt;
        second = *seconds;
    }
    const std::chrono::year_month_day date{std::chrono::year{*year},
                                           std::chrono::month{static_cast<unsigned>(*month)},
                                           std::chrono::day{static_cast<unsigned>(*day)}};
    if (!date.ok() || *hour > 23 || *minute > 59 || second > 59) return std::nullopt;
    return model::LocalDateTime{.year = *year,
                                .month = *month,
                                .day = *day,
                                .hour = *hour,
                                .minute = *minute,
                                .second = second};
}

std::vector<model::Category> categories_from_text(std::string_view text) {
    std::vector<model::Category> categories;
    std::set<std::string> seen;
    while (!text.empty()) {
        const auto comma = text.find(',');
        auto name = http::trim_blank(text.substr(0, comma));
        if (!name.empty() && seen.insert(model::make_slug(name)).second) {
            categories.push_back(model::Category{.name = std::move(name)});
        }
        if (comma == std::string_view::npos) break;
        text.remove_prefix(comma + 1);
    }
    return categories;
}

std::string categories_text(const std::vector<model::Category>& categories) {
    std::string out;
    for (const auto& category : categories) {
        if (!out.empty()) out += ", ";
        out += category.name;
    }
    return out;
}

std::string post_status_label(const theme::AdminPages& pages, std::string_view locale,
                              model::PostStatus status) {
    switch (status) {
        case model::PostStatus::draft:
            return pages.text(locale, "Draft", "post state");
        case model::PostStatus::scheduled:
            return pages.text(locale, "Scheduled", "post state");
        case model::PostStatus::published:
            return pages.text(locale, "Published", "post state");
        case model::PostStatus::trash:
            return pages.text(locale, "Trash", "post state");
    }
    return std::string(model::to_string(status));
}

std::string comment_status_label(const theme::AdminPages& pages, std::string_view locale,
                                 model::CommentStatus status) {
    switch (status) {
        case model::CommentStatus::pending:
            return pages.text(locale, "Waiting", "comment state");
        case model::CommentStatus::approved:
            return pages.text(locale, "Approved", "comment state");
        case model::CommentStatus::spam:
            return pages.text(locale, "Spam", "comment state");
        case model::CommentStatus::trash:
            return pages.text(locale, "Trash", "comment state");
    }
    return std::string(model::to_string(status));
}

std::string policy_label(const theme::AdminPages& pages, std::string_view locale,
                         model::CommentPolicy policy) {
    switch (policy) {
        case model::CommentPolicy::open:
            return pages.text(locale, "Open, shown at once");
        case model::CommentPolicy::first_held:
            return pages.text(locale, "A new commenter's first comment waits");
        case model::CommentPolicy::all_held:
            return pages.text(locale, "All wait for moderation");
        case model::CommentPolicy::closed:
            return pages.text(locale, "Closed");
    }
    return std::string(model::to_string(policy));
}

mustache::data status_options(const theme::AdminPages& pages, std::string_view locale,
                              std::optional<model::PostStatus> selected, bool with_all) {
    mustache::list options;
    if (with_all) {
        mustache::data all;
        all.set("value", std::string());
        all.set("label", pages.text(locale, "All"));
        all.set("selected", !selected.has_value());
        options.push_back(all);
    }
    for (auto status : {model::PostStatus::draft, model::PostStatus::scheduled,
                        model::PostStatus::published, model::PostStatus::trash}) {
        mustache::data option;
        option.set("value", std::string(model::to_string(status)));
        option.set("label", post_status_label(pages, locale, status));
        option.set("selected", selected == status);
        options.push_back(option);
    }
    return options;
}

mustache::data policy_options(const theme::AdminPages& pages, std::string_view locale,
                              std::optional<model::CommentPolicy> selected) {
    mustache::list options;
    for (auto policy : {model::CommentPolicy::open, model::CommentPolicy::first_held,
                        model::CommentPolicy::all_held, model::CommentPolicy::closed}) {
        mustache::data option;
        option.set("value", std::string(model::to_string(policy)));
        option.set("label", policy_label(pages, locale, policy));
        option.set("selected", selected == policy);
        options.push_back(option);
    }
    return options;
}

}  // namespace carnet::admin
