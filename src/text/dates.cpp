#include <fmt/format.h>

#include <array>
#include <cstdlib>

#include "text/text.hpp"

namespace carnet::text {
namespace {

using namespace std::chrono;

// A UTC instant moved by the offset, read as calendar fields: the wall clock of the reader.
struct WallClock {
    year_month_day date;
    hh_mm_ss<seconds> time;
    weekday day_of_week;
};

WallClock wall_clock(Instant instant, int offset_minutes) {
    const auto wall = instant + minutes{offset_minutes};
    const auto day = floor<days>(wall);
    return {year_month_day{day}, hh_mm_ss<seconds>{wall - day}, weekday{day}};
}

// English names whatever the process locale: HTTP and RSS dates are never localized.
std::string_view weekday_name(weekday day) {
    constexpr std::array<std::string_view, 7> names{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
    return names[day.c_encoding()];
}

std::string_view month_name(month m) {
    constexpr std::array<std::string_view, 12> names{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    return names[(static_cast<unsigned>(m) + 11) % 12];
}

}  // namespace

std::string rfc3339_utc(Instant instant) {
    const auto wall = wall_clock(instant, 0);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z", static_cast<int>(wall.date.year()),
                       static_cast<unsigned>(wall.date.month()),
                       static_cast<unsigned>(wall.date.day()), wall.time.hours().count(),
                       wall.time.minutes().count(), wall.time.seconds().count());
}

std::string rfc3339(Instant instant, int offset_minutes) {
    const auto wall = wall_clock(instant, offset_minutes);
    const int magnitude = std::abs(offset_minutes);
    return fmt::format("{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{}{:02}:{:02}",
                       static_cast<int>(wall.date.year()), static_cast<unsigned>(wall.date.month()),
                       static_cast<unsigned>(wall.date.day()), wall.time.hours().count(),
                       wall.time.minutes().count(), wall.time.seconds().count(),
                       offset_minutes < 0 ? '-' : '+', magnitude / 60, magnitude % 60);
}

std::string rfc822(Instant instant, int offset_minutes) {
    const auto wall = wall_clock(instant, offset_minutes);
    const int magnitude = std::abs(offset_minutes);
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} {}{:02}{:02}",
                       weekday_name(wall.day_of_week), static_cast<unsigned>(wall.date.day()),
                       month_name(wall.date.month()), static_cast<int>(wall.date.year()),
                       wall.time.hours().count(), wall.time.minutes().count(),
                       wall.time.seconds().count(), offset_minutes < 0 ? '-' : '+', magnitude / 60,
                       magnitude % 60);
}

std::string http_date(Instant instant) {
    const auto wall = wall_clock(instant, 0);
    return fmt::format("{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT", weekday_name(wall.day_of_week),
                       static_cast<unsigned>(wall.date.day()), month_name(wall.date.month()),
                       static_cast<int>(wall.date.year()), wall.time.hours().count(),
                       wall.time.minutes().count(), wall.time.seconds().count());
}

}  // namespace carnet::text
