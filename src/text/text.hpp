// The ground floor every module may use: escaping for HTML and XML, entity decoding, HTML to
// plain text, case and accent folding, UTF-8, and the date formats of feeds and HTTP. Each of
// these has exactly one implementation in carnet, here, so that one review audits them.
// Includes nothing of carnet's own but the error type.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "text/error.hpp"

namespace carnet::text {

using Instant = std::chrono::sys_seconds;  // always UTC

// --- Escaping.

// Text escaped for XML character data and attribute values (&, <, >, ", '). Characters XML
// 1.0 forbids (C0 controls other than tab, line feed, carriage return) are dropped.
std::string xml_escape(std::string_view text);

// --- Dates. The offset is what the reader's time zone adds to UTC at that instant, in
// minutes (+120 for Paris in summer); the caller reads it from the zone (model::utc_offset).

// RFC 3339 in UTC: "2017-10-04T18:19:00Z".
std::string rfc3339_utc(Instant instant);

// RFC 3339 with an explicit offset: "2017-10-04T20:19:00+02:00" ("+00:00" for UTC).
std::string rfc3339(Instant instant, int offset_minutes);

// RFC 822 as RSS 2.0 uses it: "Wed, 04 Oct 2017 20:19:00 +0200". Always English names.
std::string rfc822(Instant instant, int offset_minutes);

// The IMF-fixdate of RFC 9110 §5.6.7: "Wed, 04 Oct 2017 18:19:00 GMT".
std::string http_date(Instant instant);

}  // namespace carnet::text
