// Application passwords: the signed-in user's own, for their writing apps. Made here (shown
// once), listed with when each was last used, revoked. Any role may have them: what an app
// may do is the role's business, checked at every call.
#include <fmt/format.h>

#include "admin/admin_impl.hpp"
#include "api/api.hpp"

namespace carnet::admin {

void AdminImpl::add_app_password_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/app-passwords", Permission::any_role, &AdminImpl::app_password_list},
        {"POST", "/app-passwords", Permission::any_role, &AdminImpl::create_app_password},
        {"POST", "/app-passwords/revoke", Permission::any_role, &AdminImpl::revoke_app_password},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::app_password_page(const Access& access, int status,
                                      const std::string& new_password, const std::string& notice,
                                      const std::string& error) {
    const auto& locale = access.blog.locale;
    auto passwords = store_.app_passwords().app_passwords_of(access.visitor.user.id);
    if (!passwords) return internal_error(access, passwords.error());
    // When an app password or token was made and last used, in the blog's zone.
    auto dated = [&](model::Instant created, const std::optional<model::Instant>& used) {
        mustache::data item;
        item.set("created", local_display(created, access.blog.time_zone));
        item.set("last_used",
                 used ? local_display(*used, access.blog.time_zone) : tr(locale, "Never"));
        return item;
    };
    mustache::list items;
    for (const auto& password : *passwords) {
        auto item = dated(password.created_at, password.last_used_at);
        item.set("name", password.name);
        items.push_back(item);
    }
    auto tokens = store_.access_tokens().access_tokens_of(access.visitor.user.id);
    if (!tokens) return internal_error(access, tokens.error());
    mustache::list granted;
    for (const auto& token : *tokens) {
        auto item = dated(token.created_at, token.last_used_at);
        item.set("id", std::to_string(token.id));
        item.set("client", token.client_id);
        item.set("scopes", token.scope);
        granted.push_back(item);
    }
    mustache::data view;
    view.set("has_tokens", !granted.empty());
    view.set("tokens", granted);
    view.set("has_passwords", !items.empty());
    view.set("passwords", items);
    if (!new_password.empty()) view.set("new_password", new_password);
    view.set("xmlrpc_path", std::string(api::k_xmlrpc_path));
    return page(status, access, locale, tr(locale, "Application passwords"), "app_passwords", view,
                notice, error);
}

Response AdminImpl::app_password_list(const Call& call) {
    const bool revoked = call.request.query_param("revoked").has_value();
    return app_password_page(call.access, 200, {},
                             revoked ? tr(call.locale(), "Revoked.") : std::string());
}

Response AdminImpl::create_app_password(const Call& call) {
    const auto& access = call.access;
    const auto name = http::trim_blank(call.form.get("name").value_or(""));
    auto password = api::create_app_password(store_, access.visitor.user.id, name);
    if (!password) {
        const auto code = password.error().code;
        if (code == Error::Code::invalid_input || code == Error::Code::conflict) {
            return app_password_page(access, 422, {}, {}, password.error().message);
        }
        return internal_error(access, password.error());
    }
    // Shown on this answer only (which no cache keeps): the store holds a hash.
    return app_password_page(access, 200, *password);
}

Response AdminImpl::revoke_app_password(const Call& call) {
    const auto& access = call.access;
    const auto name = call.form.get("name").value_or("");
    return revoked(access, store_.write([&](store::Writer& writer) {
        return writer.app_passwords().revoke_app_password(access.visitor.user.id, name);
    }));
}

Response AdminImpl::revoked(const Access& access, const Status& written) {
    if (!written) {
        if (written.error().code == Error::Code::not_found) {
            return app_password_page(access, 404, {}, {}, written.error().message);
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/app-passwords?revoked=1", access.blog.id));
}

}  // namespace carnet::admin
