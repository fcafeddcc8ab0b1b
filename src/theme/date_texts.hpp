// Dates, times and numbers as a blog's readers expect them: in its locale (ICU) and its time
// zone. Private to the theme module.
#pragma once

#include <unicode/numberformatter.h>
#include <unicode/smpdtfmt.h>

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"

namespace carnet::theme {

// Formatters for one locale and one time zone. Thread-safe: every method may be called from
// several threads at once.
class DateTexts {
public:
    // `zone` must be a zone ICU knows; an unknown one reads as UTC.
    DateTexts(std::string_view locale, std::string_view zone);
    ~DateTexts();
    DateTexts(const DateTexts&) = delete;
    DateTexts& operator=(const DateTexts&) = delete;

    std::string day_header(model::Instant instant) const;   // skeleton ddMMyyyy: "04/10/2017"
    std::string time_of_day(model::Instant instant) const;  // skeleton jmm: "20:19", "8:19 PM"
    std::string long_date(model::Instant instant) const;    // "4 octobre 2017"
    std::string month_year(model::Instant instant) const;   // "octobre 2017", inside a sentence
    std::string month_year_in_list(model::Instant instant) const;  // as a list item
    std::string year(model::Instant instant) const;                // "2017"
    std::string number(std::int64_t value) const;                  // "1 234", "1,234"

private:
    std::string format(const icu::SimpleDateFormat* format, model::Instant instant) const;
    std::string format_number(std::int64_t value) const;

    // The counts a sidebar shows after every write (posts per month and per category) are
    // mostly small: formatted once here, read without a lock.
    static constexpr std::size_t k_small_numbers = 1000;
    std::vector<std::string> small_numbers_;

    // SimpleDateFormat::format works on a calendar the formatter owns, so ICU does not
    // promise that two threads may share one: calls take turns. Each is microseconds long.
    mutable std::mutex mutex_;
    std::unique_ptr<icu::SimpleDateFormat> day_header_;
    std::unique_ptr<icu::SimpleDateFormat> time_of_day_;
    std::unique_ptr<icu::SimpleDateFormat> long_date_;
    std::unique_ptr<icu::SimpleDateFormat> month_year_;
    std::unique_ptr<icu::SimpleDateFormat> month_year_in_list_;
    std::unique_ptr<icu::SimpleDateFormat> year_;
    // The sidebar's archive labels, made again after every write to a blog: one a month of
    // the blog's life, each formatted once. Under mutex_.
    mutable std::map<std::int64_t, std::string> month_in_list_;
    // Immutable and documented thread-safe by ICU: no lock needed.
    icu::number::LocalizedNumberFormatter number_;
};

// DateTexts by locale and zone, built on first use and kept: building them costs ICU
// resource lookups that a page render should not pay. Thread-safe.
class DateTextsCache {
public:
    const DateTexts& get(std::string_view locale, std::string_view zone) const;

private:
    mutable std::mutex mutex_;
    mutable std::map<std::string, std::unique_ptr<DateTexts>, std::less<>> entries_;
};

}  // namespace carnet::theme
