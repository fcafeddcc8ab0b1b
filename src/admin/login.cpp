// Logging in and out: the login form (its CSRF token a double-submitted cookie, since there is
// no session yet), the throttle against guessing, the session opened, and /admin/ itself.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "admin/admin_impl.hpp"

namespace carnet::admin {
Response AdminImpl::login_form(const Request& request, int status, const std::string& error,
                               const std::string& email) {
    auto token = login_csrf_.issue(request);
    if (!token) return message(500, std::nullopt, "fr", "Bad request.");
    mustache::data view;
    view.set("login_csrf", token->token);
    view.set("next", safe_next(request.query_param("next").value_or("/admin/")));
    view.set("email", email);
    auto response = page(status, std::nullopt, "fr", tr("fr", "Log in"), "login", view, {}, error);
    response.headers.emplace_back("Set-Cookie", std::move(token->set_cookie));
    return response;
}

Response AdminImpl::login(const Request& request) {
    auto form = http::parse_form(request);
    if (!form) return message(400, std::nullopt, "fr", "Bad request.");
    if (!login_csrf_.matches(request, *form)) {
        return message(403, std::nullopt, "fr",
                       "The form has expired; reload the page and try again.");
    }
    const auto email = http::trim_blank(form->get("email").value_or(""));
    const auto password = form->get("password").value_or("");
    std::string account = email;
    std::ranges::transform(account, account.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const auto clock_now = now();
    const auto wait = throttle_->retry_after(account, request.remote_address, clock_now);
    if (wait > auth::LoginThrottle::Duration::zero()) {
        auto response =
            login_form(request, 429, tr("fr", "Too many attempts. Try again in a moment."), email);
        response.headers.emplace_back(
            "Retry-After", std::to_string(std::chrono::ceil<std::chrono::seconds>(wait).count()));
        return response;
    }
    auto found = store_.accounts().find_login(email);
    if (!found) {
        spdlog::error("admin: login lookup failed: {}", found.error().message);
        return message(500, std::nullopt, "fr", "Bad request.");
    }
    const bool valid = *found ? auth::verify_password((*found)->password_hash, password)
                              : (auth::verify_password(dummy_hash_, password), false);
    if (!valid) {
        throttle_->record_failure(account, request.remote_address, clock_now);
        spdlog::info("admin: failed login from {}", request.remote_address);
        return login_form(request, 401, tr("fr", "Wrong e-mail address or password."), email);
    }
    throttle_->record_success(account);
    auto session_cookie = sessions_.open(request, (*found)->user.id);
    if (!session_cookie) {
        spdlog::error("admin: cannot create a session: {}", session_cookie.error().message);
        return message(500, std::nullopt, "fr", "Bad request.");
    }
    spdlog::info("admin: user {} logged in from {}", (*found)->user.id, request.remote_address);
    auto response = redirect(safe_next(form->get("next").value_or("/admin/")));
    response.headers.emplace_back("Set-Cookie", std::move(*session_cookie));
    if (auto cleared = login_csrf_.clear(request)) {
        response.headers.emplace_back("Set-Cookie", std::move(*cleared));
    }
    return response;
}

Response AdminImpl::logout(const Request& request) {
    auto visitor = current_visitor(request);
    if (!visitor) return unauthenticated(request);
    auto form = http::parse_form(request);
    if (!form) return message(400, std::nullopt, "fr", "Bad request.");
    if (!http::form_carries_csrf(*form, visitor->session)) {
        return message(403, std::nullopt, "fr",
                       "The form has expired; reload the page and try again.");
    }
    auto cleared = sessions_.close(request, visitor->session);
    if (!cleared) return message(500, std::nullopt, "fr", "Bad request.");
    auto response = redirect("/admin/login");
    response.headers.emplace_back("Set-Cookie", std::move(*cleared));
    return response;
}

Response AdminImpl::home(const Request& request) {
    auto visitor = current_visitor(request);
    if (!visitor) return unauthenticated(request);
    auto memberships = store_.accounts().memberships_of(visitor->user.id);
    if (!memberships) return message(500, std::nullopt, "fr", "Bad request.");
    if (memberships->empty()) return message(403, std::nullopt, "fr", "You may not see this page.");
    // The blog this host serves, when the user belongs to it; their first blog otherwise.
    auto here = std::ranges::find_if(*memberships, [&](const auto& membership) {
        return std::ranges::find(membership.blog.hosts, request.host) !=
               membership.blog.hosts.end();
    });
    const auto& chosen = here != memberships->end() ? *here : memberships->front();
    return redirect(fmt::format("/admin/blogs/{}/", chosen.blog.id));
}

void AdminImpl::add_login_routes(http::Router& router) {
    router.add("GET", "/admin/login", [this](const Request& request, const RouteParams&) {
        if (current_visitor(request))
            return redirect(safe_next(request.query_param("next").value_or("/admin/")));
        return login_form(request, 200, {}, {});
    });
    router.add("POST", "/admin/login",
               [this](const Request& request, const RouteParams&) { return login(request); });
    router.add("POST", "/admin/logout",
               [this](const Request& request, const RouteParams&) { return logout(request); });
    router.add("GET", "/admin/",
               [this](const Request& request, const RouteParams&) { return home(request); });
    router.add("GET", "/admin",
               [](const Request&, const RouteParams&) { return redirect("/admin/"); });
}

}  // namespace carnet::admin
