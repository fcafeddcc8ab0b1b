#include "model/model.hpp"

#include <fmt/format.h>
#include <unicode/basictz.h>
#include <unicode/translit.h>
#include <unicode/unistr.h>

#include <array>
#include <charconv>
#include <map>
#include <memory>
#include <utility>

#include "text/text.hpp"

namespace carnet::model {
namespace {

template <typename Enum, std::size_t N>
std::optional<Enum> parse_enum(const std::array<std::pair<Enum, std::string_view>, N>& names,
                               std::string_view text) {
    for (const auto& [value, name] : names) {
        if (name == text) return value;
    }
    return std::nullopt;
}

template <typename Enum, std::size_t N>
std::string_view enum_name(const std::array<std::pair<Enum, std::string_view>, N>& names,
                           Enum value) {
    for (const auto& [candidate, name] : names) {
        if (candidate == value) return name;
    }
    return "unknown";
}

constexpr std::array<std::pair<Role, std::string_view>, 4> k_role_names{{
    {Role::owner, "owner"},
    {Role::editor, "editor"},
    {Role::author, "author"},
    {Role::moderator, "moderator"},
}};

constexpr std::array<std::pair<PostStatus, std::string_view>, 4> k_post_status_names{{
    {PostStatus::draft, "draft"},
    {PostStatus::scheduled, "scheduled"},
    {PostStatus::published, "published"},
    {PostStatus::trash, "trash"},
}};

constexpr std::array<std::pair<SourceFormat, std::string_view>, 2> k_source_format_names{{
    {SourceFormat::markdown, "markdown"},
    {SourceFormat::html, "html"},
}};

constexpr std::array<std::pair<CommentPolicy, std::string_view>, 4> k_comment_policy_names{{
    {CommentPolicy::open, "open"},
    {CommentPolicy::first_held, "first_held"},
    {CommentPolicy::all_held, "all_held"},
    {CommentPolicy::closed, "closed"},
}};

constexpr std::array<std::pair<CommentStatus, std::string_view>, 4> k_comment_status_names{{
    {CommentStatus::pending, "pending"},
    {CommentStatus::approved, "approved"},
    {CommentStatus::spam, "spam"},
    {CommentStatus::trash, "trash"},
}};

// ICU transliterators and time zones are costly to build and not safe to share between
// threads, so each thread keeps its own.
icu::Transliterator* slug_transliterator() {
    thread_local std::unique_ptr<icu::Transliterator> transliterator = [] {
        UErrorCode status = U_ZERO_ERROR;
        std::unique_ptr<icu::Transliterator> made(icu::Transliterator::createInstance(
            "Any-Latin; Latin-ASCII; Lower", UTRANS_FORWARD, status));
        return U_SUCCESS(status) ? std::move(made) : nullptr;
    }();
    return transliterator.get();
}

const icu::BasicTimeZone* find_time_zone(std::string_view zone) {
    thread_local std::map<std::string, std::unique_ptr<icu::TimeZone>, std::less<>> zones;
    auto found = zones.find(zone);
    if (found == zones.end()) {
        auto id = icu::UnicodeString::fromUTF8(icu::StringPiece(zone.data(), zone.size()));
        std::unique_ptr<icu::TimeZone> made(icu::TimeZone::createTimeZone(id));
        icu::UnicodeString made_id;
        // ICU answers an unknown id with a zone named "Etc/Unknown" rather than an error.
        if (!made || made->getID(made_id) == icu::UnicodeString(UCAL_UNKNOWN_ZONE_ID)) {
            made.reset();
        }
        found = zones.emplace(std::string(zone), std::move(made)).first;
    }
    return dynamic_cast<const icu::BasicTimeZone*>(found->second.get());
}

constexpr double k_ms_per_second = 1000.0;

LocalDateTime local_from_seconds(std::int64_t seconds_since_epoch) {
    using namespace std::chrono;
    const sys_seconds point{seconds{seconds_since_epoch}};
    const auto day_point = floor<days>(point);
    const year_month_day date{day_point};
    const hh_mm_ss time{point - day_point};
    return LocalDateTime{static_cast<int>(date.year()),
                         static_cast<int>(static_cast<unsigned>(date.month())),
                         static_cast<int>(static_cast<unsigned>(date.day())),
                         static_cast<int>(time.hours().count()),
                         static_cast<int>(time.minutes().count()),
                         static_cast<int>(time.seconds().count())};
}

}  // namespace

std::string_view to_string(Role role) { return enum_name(k_role_names, role); }
std::optional<Role> parse_role(std::string_view text) { return parse_enum(k_role_names, text); }

std::string_view to_string(PostStatus status) { return enum_name(k_post_status_names, status); }
std::optional<PostStatus> parse_post_status(std::string_view text) {
    return parse_enum(k_post_status_names, text);
}

std::string_view to_string(SourceFormat format) { return enum_name(k_source_format_names, format); }
std::optional<SourceFormat> parse_source_format(std::string_view text) {
    return parse_enum(k_source_format_names, text);
}

std::string_view to_string(CommentPolicy policy) {
    return enum_name(k_comment_policy_names, policy);
}
std::optional<CommentPolicy> parse_comment_policy(std::string_view text) {
    return parse_enum(k_comment_policy_names, text);
}

std::string_view to_string(CommentStatus status) {
    return enum_name(k_comment_status_names, status);
}
std::optional<CommentStatus> parse_comment_status(std::string_view text) {
    return parse_enum(k_comment_status_names, text);
}

std::string make_slug(std::string_view title, std::size_t max_length) {
    auto text = icu::UnicodeString::fromUTF8(icu::StringPiece(title.data(), title.size()));
    if (auto* transliterator = slug_transliterator()) {
        transliterator->transliterate(text);
    } else {
        text.toLower();
    }
    std::string ascii;
    text.toUTF8String(ascii);

    std::string slug;
    bool pending_dash = false;
    for (char c : ascii) {
        const bool keep = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
        if (!keep) {
            pending_dash = !slug.empty();
            continue;
        }
        if (pending_dash) slug += '-';
        pending_dash = false;
        slug += c;
    }
    if (slug.size() > max_length) {
        auto cut = slug.rfind('-', max_length);
        slug.resize(cut == std::string::npos || cut == 0 ? max_length : cut);
    }
    return slug.empty() ? "post" : slug;
}

bool is_known_time_zone(std::string_view zone) { return find_time_zone(zone) != nullptr; }

Result<int> utc_offset_minutes(Instant instant, std::string_view zone) {
    const auto* time_zone = find_time_zone(zone);
    if (!time_zone)
        return fail(Error::Code::invalid_input, fmt::format("unknown time zone {}", zone));
    std::int32_t raw_offset_ms = 0;
    std::int32_t dst_offset_ms = 0;
    UErrorCode status = U_ZERO_ERROR;
    time_zone->getOffset(static_cast<UDate>(instant.time_since_epoch().count()) * k_ms_per_second,
                         false, raw_offset_ms, dst_offset_ms, status);
    if (U_FAILURE(status)) {
        return fail(Error::Code::internal, fmt::format("ICU cannot read time zone {}", zone));
    }
    return (raw_offset_ms + dst_offset_ms) / 60'000;
}

Result<LocalDateTime> to_local(Instant instant, std::string_view zone) {
    auto offset = utc_offset_minutes(instant, zone);
    if (!offset) return std::unexpected(std::move(offset.error()));
    return local_from_seconds(instant.time_since_epoch().count() + *offset * 60);
}

Result<Instant> to_instant(const LocalDateTime& local, std::string_view zone) {
    using namespace std::chrono;
    const year_month_day date{year{local.year}, month{static_cast<unsigned>(local.month)},
                              day{static_cast<unsigned>(local.day)}};
    if (!date.ok() || local.hour < 0 || local.hour > 23 || local.minute < 0 || local.minute > 59 ||
        local.second < 0 || local.second > 59) {
        return fail(
            Error::Code::invalid_input,
            fmt::format("invalid date or time {:04}-{:02}-{:02} {:02}:{:02}:{:02}", local.year,
                        local.month, local.day, local.hour, local.minute, local.second));
    }
    const auto* time_zone = find_time_zone(zone);
    if (!time_zone)
        return fail(Error::Code::invalid_input, fmt::format("unknown time zone {}", zone));

    const sys_seconds wall_as_utc =
        sys_days{date} + hours{local.hour} + minutes{local.minute} + seconds{local.second};
    std::int32_t raw_offset_ms = 0;
    std::int32_t dst_offset_ms = 0;
    UErrorCode status = U_ZERO_ERROR;
    // FORMER for both: a skipped wall time takes the offset before the change, a repeated
    // one is read as its first occurrence (what a writer most likely meant).
    time_zone->getOffsetFromLocal(
        static_cast<UDate>(wall_as_utc.time_since_epoch().count()) * k_ms_per_second,
        UCAL_TZ_LOCAL_FORMER, UCAL_TZ_LOCAL_FORMER, raw_offset_ms, dst_offset_ms, status);
    if (U_FAILURE(status)) {
        return fail(Error::Code::internal, fmt::format("ICU cannot read time zone {}", zone));
    }
    return wall_as_utc - seconds{(raw_offset_ms + dst_offset_ms) / 1000};
}

std::string rfc3339_in_zone(Instant instant, std::string_view zone) {
    return text::rfc3339(instant, utc_offset_minutes(instant, zone).value_or(0));
}

std::string rfc822_in_zone(Instant instant, std::string_view zone) {
    return text::rfc822(instant, utc_offset_minutes(instant, zone).value_or(0));
}

namespace {

// `number` in decimal, zero-padded to `width` digits: what "{:0N}" formats, without parsing a
// format on each of the thousand month links of a sidebar.
void append_padded(std::string& out, int number, int width) {
    std::array<char, 16> digits{};
    const auto end = std::to_chars(digits.data(), digits.data() + digits.size(), number).ptr;
    const auto length = static_cast<int>(end - digits.data());
    if (length < width) out.append(static_cast<std::size_t>(width - length), '0');
    out.append(digits.data(), end);
}

std::string archive_path(int year, int month, int day) {
    std::string path;
    path.reserve(24);
    path += "/archive/";
    append_padded(path, year, 4);
    path += '/';
    if (month > 0) {
        append_padded(path, month, 2);
        path += '/';
    }
    if (day > 0) {
        append_padded(path, day, 2);
        path += '/';
    }
    return path;
}

}  // namespace

std::string post_path(const Blog& blog, const Post& post) {
    // A blog's zone was checked when it was saved; UTC keeps a link usable if it was not.
    const auto local =
        to_local(post.published_at, blog.time_zone)
            .value_or(local_from_seconds(post.published_at.time_since_epoch().count()));
    std::string path = archive_path(local.year, local.month, local.day);
    path.append(post.slug).append(".html");
    return path;
}

std::string category_path(std::string_view category_slug) {
    std::string path = "/list/";
    path.append(category_slug).append("/");
    return path;
}

std::string day_path(int year, int month, int day) { return archive_path(year, month, day); }

std::string month_path(int year, int month) { return archive_path(year, month, 0); }

std::string year_path(int year) { return archive_path(year, 0, 0); }

std::string page_path(std::string_view page_slug) {
    std::string path = "/";
    path.append(page_slug).append(".html");
    return path;
}

bool allows(Role role, Permission permission) {
    switch (permission) {
        case Permission::any_role:
            return true;
        case Permission::write_posts:
            return role != Role::moderator;
        case Permission::edit_all:
            return role == Role::owner || role == Role::editor;
        case Permission::configure:
            return role == Role::owner;
        case Permission::moderate:
            return role != Role::author;
    }
    return false;
}

bool may_edit_post(Role role, std::int64_t user_id, const Post& post) {
    if (!allows(role, Permission::write_posts)) return false;
    return allows(role, Permission::edit_all) || post.author_id == user_id;
}

const Blog* blog_for_host(const std::vector<Blog>& blogs, std::string_view host) {
    const Blog* default_blog = nullptr;
    for (const auto& blog : blogs) {
        for (const auto& blog_host : blog.hosts) {
            if (blog_host == host) return &blog;
        }
        if (blog.hosts.empty()) default_blog = &blog;
    }
    if (default_blog != nullptr) return default_blog;
    if (blogs.size() == 1) return &blogs.front();
    return nullptr;
}

std::string_view wordpress_status(PostStatus status) {
    switch (status) {
        case PostStatus::published:
            return "publish";
        case PostStatus::scheduled:
            return "future";
        case PostStatus::trash:
            return "trash";
        case PostStatus::draft:
            break;
    }
    return "draft";
}

}  // namespace carnet::model
