// A generic HTTP/1.1 server on Boost.Beast: routing, limits, keep-alive, HEAD, an access
// log, an in-memory page cache of complete responses; cookies and forms for handlers. It knows
// nothing of blogs: the site and the admin register routes on a Router, and a CachePolicy tells
// the server which requests may be answered from the cache and at which generation of the data.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "text/clock.hpp"
#include "text/error.hpp"

namespace carnet::http {

using carnet::Result;
using carnet::Status;

using Headers = std::vector<std::pair<std::string, std::string>>;

// An IMF-fixdate ("Sun, 06 Nov 1994 08:49:37 GMT", RFC 9110 §5.6.7); nothing for any other
// form, which a client may send but a server may then ignore.
std::optional<std::chrono::sys_seconds> parse_http_date(std::string_view text);

struct Request {
    std::string method;  // "GET", "HEAD", "POST", ...
    std::string target;  // as sent: "/search?q=etat"
    std::string path;    // percent-decoded, without the query: "/search"
    std::string query;   // raw, without '?': "q=etat"
    std::string host;    // the Host header, lower case, without the port
    // The client's address: the peer's, or the one a trusted proxy forwarded.
    std::string remote_address;
    // Reached over HTTPS, as a trusted proxy said (X-Forwarded-Proto); the server itself only
    // speaks plain HTTP.
    bool secure = false;
    Headers headers;
    std::string body;

    // The first header of that name (case-insensitive), or "" when there is none.
    std::string_view header(std::string_view name) const;

    // A decoded query parameter, or nothing when it is absent.
    std::optional<std::string> query_param(std::string_view name) const;

    // The value of the first cookie of that name (case-sensitive) in the Cookie header(s),
    // without its surrounding quotes (RFC 6265 §4.2.1), or nothing when there is none.
    // Malformed pairs are skipped; values are returned as sent, not percent-decoded.
    std::optional<std::string> cookie(std::string_view name) const;
};

// The SameSite attribute of a cookie. Lax sends the cookie on top-level navigations from
// other sites, Strict never from other sites, None always (and needs Secure).
enum class SameSite { lax, strict, none };

struct CookieOptions {
    std::string name;
    std::string value;
    std::string path = "/";
    std::optional<std::int64_t> max_age;  // seconds; nothing: gone when the browser closes
    bool http_only = true;
    SameSite same_site = SameSite::lax;
    bool secure = false;
};

// The value of a Set-Cookie header: "sid=abc; Path=/; Max-Age=3600; HttpOnly; SameSite=Lax".
// No Domain: the cookie stays with the host that set it. Fails with invalid_input when the
// name is not an RFC 6265 token, the value holds a byte outside cookie-octet (space, '"', ',',
// ';', '\', control characters, non-ASCII: encode such values first), the path holds ';' or a
// control character, max_age is negative, or SameSite=None comes without Secure (browsers drop
// such cookies).
[[nodiscard]] Result<std::string> set_cookie_header(const CookieOptions& cookie);

// The value of a Set-Cookie header that makes the browser forget the cookie set with
// `cookie`: same name, path and attributes, an empty value and Max-Age=0. Fails as
// set_cookie_header does.
[[nodiscard]] Result<std::string> delete_cookie_header(const CookieOptions& cookie);

struct FormField {
    std::string name;
    std::string value;
};

// A file sent through a multipart form. Everything in it comes from the client.
struct UploadedFile {
    std::string field;         // the name of the form field that sent it
    std::string file_name;     // UTF-8, as sent: may hold '/', "..", anything; "" when none
    std::string content_type;  // as declared, never checked against the data; "" when absent
    std::string data;          // the bytes, as sent
};

// A submitted form, fields and files each in the order sent. A file input left empty
// arrives as a file with no name and no data.
struct Form {
    std::vector<FormField> fields;
    std::vector<UploadedFile> files;

    // The first value of that field, or nothing when the form has none.
    std::optional<std::string> get(std::string_view name) const;

    // Every value of that field, in order: checkboxes and multiple selects repeat a name.
    std::vector<std::string> all(std::string_view name) const;

    // The first file sent by that field, or null; it points into this form.
    const UploadedFile* file(std::string_view field) const;
};

// A form or query value read as the id of something: digits only, above zero.
std::optional<std::int64_t> parse_id(std::string_view text);

// A form value without the white space a browser or a person left around it.
std::string trim_blank(std::string_view text);

// Bounds on what one form may hold, beyond the server's limit on the body's size.
struct FormLimits {
    std::size_t max_fields = 1000;  // values that are not files
    std::size_t max_files = 100;
};

// The form in the request's body: application/x-www-form-urlencoded ('+' is a space) or
// multipart/form-data (RFC 7578). Field names, values and file names must be UTF-8; file
// data is kept byte for byte. A request with no Content-Type and no body is an empty form.
// Fails with invalid_input, with a message saying what is wrong, on another content type, a
// malformed body, an invalid percent escape, invalid UTF-8 or more than `limits` allow.
// Copies the values out of the body: the form does not borrow from the request.
[[nodiscard]] Result<Form> parse_form(const Request& request, const FormLimits& limits = {});

// --- Sessions and CSRF. A session is a random token in an HttpOnly cookie; only a hash of the
// token is kept, by a SessionKeeper: the database, so that a copy of it hands out no live
// session and every node behind a balancer knows every session. State-changing requests
// carry the session's CSRF secret in a form field, compared in constant time.

struct SessionRecord {
    std::int64_t user_id = 0;
    std::string csrf_secret;
    std::chrono::sys_seconds expires_at{};
};

// Where sessions are kept, by the hash of their token.
class SessionKeeper {
public:
    virtual ~SessionKeeper() = default;
    // The session of that token hash if it has not expired at `now`.
    [[nodiscard]] virtual Result<std::optional<SessionRecord>> find_session(
        std::string_view token_hash, std::chrono::sys_seconds now) = 0;
    [[nodiscard]] virtual Status create_session(std::string_view token_hash,
                                                const SessionRecord& session) = 0;
    [[nodiscard]] virtual Status delete_session(std::string_view token_hash) = 0;
};

// A live session a request's cookie named.
struct OpenSession {
    SessionRecord record;
    std::string token_hash;
};

struct SessionPolicy {
    std::string cookie_name = "carnet_session";
    std::chrono::seconds lifetime{14 * 24 * 60 * 60};
};

// Opens, finds and closes sessions. The cookie is for the whole site, HttpOnly, SameSite=Lax
// (following a link into the admin from elsewhere keeps the writer signed in; the CSRF
// secret guards what changes state) and Secure when the request came over HTTPS.
class Sessions {
public:
    Sessions(SessionKeeper& keeper, const Clock& clock, SessionPolicy policy = {})
        : keeper_(keeper), clock_(clock), policy_(std::move(policy)) {}

    // The live session the request's cookie names; nothing when there is no such cookie, the
    // session is unknown or expired, or the keeper failed (logged).
    std::optional<OpenSession> current(const Request& request) const;

    // Opens a session for the user, with a fresh CSRF secret, and gives the value of the
    // Set-Cookie header that hands its token to the browser.
    [[nodiscard]] Result<std::string> open(const Request& request, std::int64_t user_id);

    // Forgets the session and gives the value of the Set-Cookie header that clears the cookie.
    [[nodiscard]] Result<std::string> close(const Request& request, const OpenSession& session);

    const SessionPolicy& policy() const { return policy_; }

private:
    CookieOptions cookie(const Request& request, std::string value,
                         std::optional<std::int64_t> max_age) const;

    SessionKeeper& keeper_;
    const Clock& clock_;
    SessionPolicy policy_;
};

// True when the form's "csrf" field is the session's secret.
bool form_carries_csrf(const Form& form, const OpenSession& session);

// The CSRF token of a form shown before there is a session (the login form): a random value
// in a cookie of its own (one path, SameSite=Strict, an hour) that the form sends back in its
// "csrf" field: a double-submitted cookie, which another site can neither read nor set.
class FormCsrf {
public:
    FormCsrf(std::string cookie_name, std::string path)
        : cookie_name_(std::move(cookie_name)), path_(std::move(path)) {}

    struct Issued {
        std::string token;       // for the form's hidden "csrf" field
        std::string set_cookie;  // the Set-Cookie header's value
    };
    [[nodiscard]] Result<Issued> issue(const Request& request) const;

    // True when the form sent back the token of the request's cookie.
    bool matches(const Request& request, const Form& form) const;

    // The value of the Set-Cookie header that clears the cookie once the form has served.
    [[nodiscard]] Result<std::string> clear(const Request& request) const;

private:
    CookieOptions cookie(const Request& request, std::string value) const;

    std::string cookie_name_;
    std::string path_;
};

struct Response {
    int status = 200;
    std::string content_type = "text/html; charset=utf-8";
    std::string body;
    Headers headers;  // extra headers: Location, Allow, ...
    // The value of the first extra header of that name (any case), empty when there is none.
    std::string_view header(std::string_view name) const;
    // May be kept in the page cache and served to anyone who sends the same request at the
    // same generation. Only GET answers with status 200, 301, 404 or 410 are ever kept.
    bool cacheable = false;
};

// Named segments captured by a route pattern: "/list/{slug}/" matched by "/list/libye/"
// gives {"slug": "libye"}.
using RouteParams = std::map<std::string, std::string, std::less<>>;

using Handler = std::function<Response(const Request&, const RouteParams&)>;

struct Route {
    std::string method;
    std::string pattern;
};

// Maps method and path to a handler. Patterns are split on '/'; a segment is either
// literal or holds one `{name}` with an optional literal prefix and suffix around it
// ("{slug}.html", "index-{page}.html"). A `{name}` matches one non-empty segment. Routes
// are tried in the order they were added. GET routes answer HEAD too.
class Router {
public:
    void add(std::string method, std::string pattern, Handler handler);

    // Answers requests that no route matches (the themed 404 page).
    void set_fallback(Handler handler);

    // What it answers: 405 with an Allow header when the path matches only routes of other
    // methods, the fallback (or a plain 404) when nothing matches.
    Response dispatch(const Request& request) const;

    // Every route added, in order: for tests that must cover all of them.
    std::vector<Route> routes() const;

private:
    struct Entry {
        Route route;
        std::vector<std::string> segments;
        Handler handler;
    };
    std::vector<Entry> entries_;
    Handler fallback_;
};

// Identifies a cacheable request: requests with the same key share a cached response, which
// is only used while the data is still at `generation`.
struct CacheKey {
    std::string key;
    std::uint64_t generation = 0;
};

// A request as a cache policy reads it, before the server has copied anything out of it:
// views into the server's parse of the request, valid only during the call. The fields mean
// what Request's of the same names mean.
struct RequestHead {
    std::string_view method;
    std::string_view target;
    std::string_view path;
    std::string_view query;
    std::string_view host;
    std::span<const std::pair<std::string_view, std::string_view>> headers;

    // The first header of that name (case-insensitive), or "" when there is none.
    std::string_view header(std::string_view name) const;
};

// Says whether a request may be answered from the page cache, and under which key. It runs
// on every request the cache could answer, before the server has built a Request, so the
// function it wraps reads a RequestHead, appends the key to a string the server reuses
// (empty on entry) and returns the generation; nothing means never. A policy that allocates
// nothing once that string has grown keeps cache hits free of allocation.
class CachePolicy {
public:
    using Function = std::function<std::optional<std::uint64_t>(const RequestHead&, std::string&)>;

    CachePolicy() = default;
    template <typename F>
    requires std::is_invocable_r_v<std::optional<std::uint64_t>, F&, const RequestHead&,
                                   std::string&>
    CachePolicy(F function) : function_(std::move(function)) {}

    explicit operator bool() const { return static_cast<bool>(function_); }

    // Empties `key`, then writes the request's key into it; nothing when the request is never
    // cached.
    std::optional<std::uint64_t> key_into(const RequestHead& request, std::string& key) const;

    // The key of a request already built (tests, callers holding a Request).
    std::optional<CacheKey> operator()(const Request& request) const;

private:
    Function function_;
};

// A limit on request bodies for the paths that start with `path_prefix` (byte for byte, on
// the percent-decoded path): "/admin/media/" for uploads.
struct BodyLimit {
    std::string path_prefix;
    std::size_t max_bytes = 0;
};

struct ServerOptions {
    std::string address = "127.0.0.1";
    std::uint16_t port = 8080;  // 0 picks a free port
    int threads = 0;            // 0: one per core
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    std::chrono::milliseconds idle_timeout{30'000};     // between requests on a connection
    std::chrono::milliseconds request_timeout{30'000};  // to read one request
    std::size_t page_cache_bytes = 128 * 1024 * 1024;
    bool handle_signals = true;  // stop gracefully on SIGINT and SIGTERM
    bool access_log = true;
    // Paths whose bodies may be larger (or must be smaller) than max_body_bytes: the longest
    // prefix that matches sets the limit. Beyond it the server answers 413.
    std::vector<BodyLimit> body_limits;
    // IP addresses of the reverse proxies in front of the server. Only from these peers are
    // X-Forwarded-For (its last address becomes remote_address) and X-Forwarded-Proto
    // ("https" makes the request secure) believed; from anyone else they are ignored.
    std::vector<std::string> trusted_proxies;
    // Added to every response the server sends (handlers', cached, errors, 304s) that has no
    // header of that name yet: Content-Security-Policy, Referrer-Policy, ...
    Headers default_headers;
    // Where the server reads the time of day, for the Date header of every response.
    std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>();
};

struct ServerStats {
    std::uint64_t requests = 0;
    std::uint64_t cache_hits = 0;
    std::uint64_t cache_misses = 0;
    std::size_t cache_bytes = 0;
    // Bytes of cached bodies the kernel sent from their files (sendfile), not from a copy.
    std::uint64_t file_bytes_sent = 0;
};

class Server {
public:
    Server(ServerOptions options, Router router, CachePolicy cache_policy);
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // Binds the listening socket; returns the port it listens on. Fails with invalid_input,
    // before binding, when a trusted proxy is not an IP address or a default header could
    // not be sent (a line break, a NUL, or one the server manages: Content-Length, ...), or
    // the options hold no clock.
    [[nodiscard]] Result<std::uint16_t> listen();

    // Runs `task` every `interval` on a server thread while the server runs.
    void every(std::chrono::milliseconds interval, std::function<void()> task);

    // Serves on the configured threads until `stop` (or a signal when handle_signals), then
    // lets the requests in flight finish and returns.
    void run();

    // Thread-safe; may be called from a handler, a signal or another thread.
    void stop();

    ServerStats stats() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace carnet::http
