#include "theme/date_texts.hpp"

#include <fmt/format.h>
#include <unicode/dtptngen.h>
#include <unicode/locid.h>
#include <unicode/timezone.h>

namespace carnet::theme {
namespace {

icu::UnicodeString from_utf8(std::string_view text) {
    return icu::UnicodeString::fromUTF8(icu::StringPiece(text.data(), text.size()));
}

std::string to_utf8(const icu::UnicodeString& text) {
    std::string out;
    text.toUTF8String(out);
    return out;
}

// The locale's own pattern for `skeleton`, or `fallback` if ICU has no data to offer.
std::unique_ptr<icu::SimpleDateFormat> make_format(
    icu::DateTimePatternGenerator* generator, const icu::Locale& locale, const icu::TimeZone& zone,
    std::string_view skeleton, std::string_view fallback, UDisplayContext capitalization) {
    UErrorCode status = U_ZERO_ERROR;
    icu::UnicodeString pattern;
    if (generator) pattern = generator->getBestPattern(from_utf8(skeleton), status);
    if (!generator || U_FAILURE(status) || pattern.isEmpty()) pattern = from_utf8(fallback);

    status = U_ZERO_ERROR;
    auto format = std::make_unique<icu::SimpleDateFormat>(pattern, locale, status);
    if (U_FAILURE(status)) return nullptr;
    format->setTimeZone(zone);
    status = U_ZERO_ERROR;
    format->setContext(capitalization, status);  // a failure leaves ICU's default: fine
    return format;
}

}  // namespace

DateTexts::DateTexts(std::string_view locale, std::string_view zone) {
    const icu::Locale icu_locale(std::string(locale).c_str());
    number_ = icu::number::NumberFormatter::withLocale(icu_locale);
    std::unique_ptr<icu::TimeZone> icu_zone(icu::TimeZone::createTimeZone(from_utf8(zone)));
    if (!icu_zone) icu_zone.reset(icu::TimeZone::getGMT()->clone());

    UErrorCode status = U_ZERO_ERROR;
    std::unique_ptr<icu::DateTimePatternGenerator> generator(
        icu::DateTimePatternGenerator::createInstance(icu_locale, status));
    if (U_FAILURE(status)) generator.reset();

    constexpr auto in_sentence = UDISPCTX_CAPITALIZATION_FOR_MIDDLE_OF_SENTENCE;
    day_header_ =
        make_format(generator.get(), icu_locale, *icu_zone, "ddMMyyyy", "dd/MM/yyyy", in_sentence);
    time_of_day_ = make_format(generator.get(), icu_locale, *icu_zone, "jmm", "HH:mm", in_sentence);
    long_date_ =
        make_format(generator.get(), icu_locale, *icu_zone, "dMMMMy", "d MMMM y", in_sentence);
    month_year_ =
        make_format(generator.get(), icu_locale, *icu_zone, "MMMMy", "MMMM y", in_sentence);
    month_year_in_list_ = make_format(generator.get(), icu_locale, *icu_zone, "MMMMy", "MMMM y",
                                      UDISPCTX_CAPITALIZATION_FOR_UI_LIST_OR_MENU);
    year_ = make_format(generator.get(), icu_locale, *icu_zone, "y", "y", in_sentence);
    small_numbers_.reserve(k_small_numbers);
    for (std::size_t value = 0; value < k_small_numbers; ++value) {
        small_numbers_.push_back(format_number(static_cast<std::int64_t>(value)));
    }
}

DateTexts::~DateTexts() = default;

std::string DateTexts::format(const icu::SimpleDateFormat* format, model::Instant instant) const {
    if (!format) return {};
    const auto when = static_cast<UDate>(instant.time_since_epoch().count()) * 1000.0;
    icu::UnicodeString out;
    std::lock_guard lock(mutex_);
    format->format(when, out);
    return to_utf8(out);
}

std::string DateTexts::day_header(model::Instant instant) const {
    return format(day_header_.get(), instant);
}
std::string DateTexts::time_of_day(model::Instant instant) const {
    return format(time_of_day_.get(), instant);
}
std::string DateTexts::long_date(model::Instant instant) const {
    return format(long_date_.get(), instant);
}
std::string DateTexts::month_year(model::Instant instant) const {
    return format(month_year_.get(), instant);
}
std::string DateTexts::month_year_in_list(model::Instant instant) const {
    const auto key = instant.time_since_epoch().count();
    {
        std::lock_guard lock(mutex_);
        if (auto found = month_in_list_.find(key); found != month_in_list_.end()) {
            return found->second;
        }
    }
    auto label = format(month_year_in_list_.get(), instant);
    std::lock_guard lock(mutex_);
    return month_in_list_.emplace(key, std::move(label)).first->second;
}
std::string DateTexts::year(model::Instant instant) const { return format(year_.get(), instant); }

std::string DateTexts::number(std::int64_t value) const {
    if (value >= 0 && static_cast<std::size_t>(value) < small_numbers_.size()) {
        return small_numbers_[static_cast<std::size_t>(value)];
    }
    return format_number(value);
}

std::string DateTexts::format_number(std::int64_t value) const {
    UErrorCode status = U_ZERO_ERROR;
    auto formatted = number_.formatInt(value, status);
    auto text = formatted.toString(status);
    if (U_FAILURE(status)) return fmt::format("{}", value);
    return to_utf8(text);
}

const DateTexts& DateTextsCache::get(std::string_view locale, std::string_view zone) const {
    std::string key = fmt::format("{}\n{}", locale, zone);
    std::lock_guard lock(mutex_);
    auto found = entries_.find(key);
    if (found == entries_.end()) {
        found = entries_.emplace(std::move(key), std::make_unique<DateTexts>(locale, zone)).first;
    }
    return *found->second;
}

}  // namespace carnet::theme
