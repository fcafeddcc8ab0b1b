// The guard every blog route goes through (session, CSRF, membership, role) and the layout
// every admin page shares.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "admin/admin_impl.hpp"

namespace carnet::admin {

Response AdminImpl::unauthenticated(const Request& request) {
    if (request.method == "GET" || request.method == "HEAD") {
        return redirect("/admin/login?next=" + percent_encode(request.target));
    }
    return message(401, std::nullopt, "fr", "You may not see this page.");
}

void AdminImpl::add_blog_route(http::Router& router, std::string method, std::string path,
                               Permission permission,
                               std::function<Response(const Call&)> handler) {
    router.add(
        std::move(method), std::move(path),
        [this, permission, handler = std::move(handler)](const Request& request,
                                                         const RouteParams& params) {
            auto visitor = current_visitor(request);
            if (!visitor) return unauthenticated(request);
            http::Form form;
            if (request.method == "POST") {
                auto parsed = http::parse_form(request);
                if (!parsed) return message(400, std::nullopt, "fr", "Bad request.");
                form = std::move(*parsed);
                if (!http::form_carries_csrf(form, visitor->session)) {
                    return message(403, std::nullopt, "fr",
                                   "The form has expired; reload the page and try again.");
                }
            }
            auto memberships = store_.accounts().memberships_of(visitor->user.id);
            if (!memberships) return message(500, std::nullopt, "fr", "Bad request.");
            const auto blog_param = params.find("blog");
            const auto blog_id =
                blog_param == params.end() ? std::nullopt : http::parse_id(blog_param->second);
            auto membership = std::ranges::find_if(*memberships, [&](const auto& candidate) {
                return blog_id && candidate.blog.id == *blog_id;
            });
            if (membership == memberships->end()) {
                return message(403, std::nullopt, "fr", "You may not see this page.");
            }
            Access access{std::move(*visitor), membership->blog, membership->role,
                          std::move(*memberships)};
            if (!allows(access.role, permission)) {
                return message(403, access, access.blog.locale, "You may not see this page.");
            }
            return handler(Call{request, params, access, form});
        });
}

void AdminImpl::add_blog_routes(http::Router& router, std::span<const BlogRoute> routes) {
    for (const auto& route : routes) {
        add_blog_route(
            router, std::string(route.method), fmt::format("/admin/blogs/{{blog}}{}", route.path),
            route.permission,
            [this, handler = route.handler](const Call& call) { return (this->*handler)(call); });
    }
}

Response AdminImpl::page(int status, const std::optional<Access>& access, std::string_view locale,
                         const std::string& title, std::string_view body_template,
                         mustache::data view, const std::string& notice, const std::string& error) {
    if (access) {
        view.set("blog_id", std::to_string(access->blog.id));
        view.set("csrf", access->visitor.csrf());
    }
    mustache::data layout;
    layout.set("lang", std::string(locale));
    layout.set("title", title);
    layout.set("body", pages_->render(body_template, locale, std::move(view)));
    if (!notice.empty()) layout.set("notice", notice);
    if (!error.empty()) layout.set("error", error);
    if (access) {
        mustache::data bar;
        bar.set("blog_id", std::to_string(access->blog.id));
        bar.set("blog_title", access->blog.title);
        bar.set("blog_url",
                access->blog.base_url.empty() ? std::string("/") : access->blog.base_url + "/");
        bar.set("user_name", access->visitor.user.name);
        bar.set("csrf", access->visitor.csrf());
        bar.set("can_write", allows(access->role, Permission::write_posts));
        bar.set("can_edit_all", allows(access->role, Permission::edit_all));
        bar.set("can_configure", allows(access->role, Permission::configure));
        bar.set("can_moderate", allows(access->role, Permission::moderate));
        mustache::list others;
        for (const auto& membership : access->memberships) {
            if (membership.blog.id == access->blog.id) continue;
            mustache::data other;
            other.set("id", std::to_string(membership.blog.id));
            other.set("title", membership.blog.title);
            others.push_back(other);
        }
        bar.set("has_other_blogs", !others.empty());
        bar.set("other_blogs", others);
        layout.set("access", bar);
    }
    Response response;
    response.status = status;
    response.body = pages_->render("layout", locale, std::move(layout));
    protect(response);
    return response;
}

Response AdminImpl::message(int status, const std::optional<Access>& access,
                            std::string_view locale, std::string_view msgid) {
    mustache::data view;
    const std::string words = tr(locale, msgid);
    view.set("heading", std::to_string(status));
    view.set("message", words);
    return page(status, access, locale, words, "message", view);
}

Response AdminImpl::internal_error(const Access& access, const Error& error) {
    spdlog::error("admin: {}", error.message);
    return message(500, access, access.blog.locale, "Bad request.");
}

}  // namespace carnet::admin
