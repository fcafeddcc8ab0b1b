// Sessions and CSRF tokens: random tokens from auth, kept by their hash in a SessionKeeper.
#include <spdlog/spdlog.h>

#include "auth/auth.hpp"
#include "http/http.hpp"

namespace carnet::http {
namespace {

constexpr std::size_t k_token_bytes = 32;
// Longer than any token carnet hands out: a longer cookie is not ours and costs no hashing.
constexpr std::size_t k_max_token_chars = 128;
constexpr std::int64_t k_form_token_seconds = 60 * 60;

}  // namespace

CookieOptions Sessions::cookie(const Request& request, std::string value,
                               std::optional<std::int64_t> max_age) const {
    return CookieOptions{.name = policy_.cookie_name,
                         .value = std::move(value),
                         .path = "/",
                         .max_age = max_age,
                         .http_only = true,
                         .same_site = SameSite::lax,
                         .secure = request.secure};
}

std::optional<OpenSession> Sessions::current(const Request& request) const {
    auto token = request.cookie(policy_.cookie_name);
    if (!token || token->empty() || token->size() > k_max_token_chars) return std::nullopt;
    auto token_hash = auth::hash_token(*token);
    auto found = keeper_.find_session(token_hash, clock_.now());
    if (!found) {
        spdlog::error("sessions: cannot read a session: {}", found.error().message);
        return std::nullopt;
    }
    if (!*found) return std::nullopt;
    return OpenSession{std::move(**found), std::move(token_hash)};
}

Result<std::string> Sessions::open(const Request& request, std::int64_t user_id) {
    const auto token = auth::random_token(k_token_bytes);
    const SessionRecord record{user_id, auth::random_token(k_token_bytes),
                               clock_.now() + policy_.lifetime};
    // The cookie first: a session the browser could not be given is never kept.
    auto header = set_cookie_header(cookie(request, token, policy_.lifetime.count()));
    if (!header) return std::unexpected(header.error());
    if (auto created = keeper_.create_session(auth::hash_token(token), record); !created) {
        return std::unexpected(created.error());
    }
    return header;
}

Result<std::string> Sessions::close(const Request& request, const OpenSession& session) {
    if (auto deleted = keeper_.delete_session(session.token_hash); !deleted) {
        return std::unexpected(deleted.error());
    }
    return delete_cookie_header(cookie(request, "", std::nullopt));
}

bool form_carries_csrf(const Form& form, const OpenSession& session) {
    auto sent = form.get("csrf");
    return sent && !sent->empty() && !session.record.csrf_secret.empty() &&
           auth::secrets_equal(*sent, session.record.csrf_secret);
}

CookieOptions FormCsrf::cookie(const Request& request, std::string value) const {
    return CookieOptions{.name = cookie_name_,
                         .value = std::move(value),
                         .path = path_,
                         .max_age = k_form_token_seconds,
                         .http_only = true,
                         .same_site = SameSite::strict,
                         .secure = request.secure};
}

Result<FormCsrf::Issued> FormCsrf::issue(const Request& request) const {
    auto token = auth::random_token(k_token_bytes);
    auto header = set_cookie_header(cookie(request, token));
    if (!header) return std::unexpected(header.error());
    return Issued{std::move(token), std::move(*header)};
}

bool FormCsrf::matches(const Request& request, const Form& form) const {
    const auto sent = form.get("csrf").value_or("");
    const auto kept = request.cookie(cookie_name_).value_or("");
    return !sent.empty() && auth::secrets_equal(sent, kept);
}

Result<std::string> FormCsrf::clear(const Request& request) const {
    return delete_cookie_header(cookie(request, ""));
}

}  // namespace carnet::http
