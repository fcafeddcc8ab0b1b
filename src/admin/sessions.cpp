// Sessions and CSRF: the cookies, the lookup of the session a request's cookie names, and the
// check of the token state-changing requests carry.
#include "admin/admin_impl.hpp"

namespace carnet::admin {

http::CookieOptions session_cookie(const Request& request, std::string value,
                                   std::optional<std::int64_t> max_age) {
    return http::CookieOptions{.name = std::string(k_session_cookie),
                               .value = std::move(value),
                               .path = "/",
                               .max_age = max_age,
                               .http_only = true,
                               .same_site = http::SameSite::lax,
                               .secure = request.secure};
}

http::CookieOptions login_cookie(const Request& request, std::string value) {
    return http::CookieOptions{.name = std::string(k_login_cookie),
                               .value = std::move(value),
                               .path = "/admin/login",
                               .max_age = 60 * 60,
                               .http_only = true,
                               .same_site = http::SameSite::strict,
                               .secure = request.secure};
}

bool csrf_matches(const http::Form& form, std::string_view secret) {
    auto sent = form.get("csrf");
    return sent && !secret.empty() && auth::secrets_equal(*sent, secret);
}

std::optional<Visitor> AdminImpl::current_visitor(const Request& request) {
    auto token = request.cookie(k_session_cookie);
    if (!token || token->empty() || token->size() > 128) return std::nullopt;
    auto token_hash = auth::hash_token(*token);
    auto session = store_.sessions().find_session(token_hash, now());
    if (!session || !*session) return std::nullopt;
    auto user = store_.accounts().find_user((*session)->user_id);
    if (!user || !*user) return std::nullopt;
    return Visitor{std::move(**user), std::move(**session), std::move(token_hash)};
}

}  // namespace carnet::admin
