// The head of an answer as the server puts it on the wire. Shared by the server, which writes
// the head of each answer it makes, and the page cache, which writes the heads of a cached
// response once, so that a cache hit sends bytes made in advance.
#pragma once

#include <string>
#include <string_view>

#include "http/http.hpp"

namespace carnet::http {

enum class CacheState { none, hit, miss };
// "hit", "miss", or "-" for an answer the cache had no say in: the X-Cache header and the log.
std::string_view to_string(CacheState state);

// One answer on the wire, whichever way it was made: from a handler, from the cache, or by
// the server itself. It borrows everything it shows.
struct Answer {
    int status = 200;
    std::string_view content_type;
    const Headers* headers = nullptr;
    std::string_view body;  // the representation: Content-Length is its size
    bool send_body = true;  // false for HEAD and 304
    std::string_view content_encoding;
    std::string_view etag;
    bool vary_on_encoding = false;
    CacheState cache = CacheState::none;
};

// Headers the server writes itself: a handler's copy would contradict them.
bool is_managed_header(std::string_view name);

// A CR or LF in a header from a handler would let a URL or a title split the response.
bool is_safe_header(std::string_view name, std::string_view value);

// A status the server can send: `status` when it has three digits, 500 otherwise.
int sendable_status(int status);

// Whether an answer of that status carries no body (1xx, 204, 304).
bool is_bodiless(int status);

// Appends the status line and every header field of `answer` but Date and Connection: the
// fields that do not change from one sending of the same answer to the next. `defaults` are
// the server's default headers, added unless the answer has a header of that name; they
// must be neither managed nor unsafe.
void append_head(std::string& out, unsigned version, const Answer& answer, const Headers& defaults);

// Appends what ends a head: the Date field, the Connection field when the version's default
// is not what is wanted, and the empty line.
void append_head_end(std::string& out, std::string_view date, unsigned version, bool keep_alive);

}  // namespace carnet::http
