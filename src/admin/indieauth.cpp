// IndieAuth in the admin: the page where a signed-in user approves (or refuses) a Micropub
// client's authorization request, and the tokens granted, listed on the Apps page and
// revoked there. The request's checks, the codes and the tokens are the API's.
#include <fmt/format.h>

#include <boost/url.hpp>

#include "admin/admin_impl.hpp"
#include "api/api.hpp"

namespace carnet::admin {

void AdminImpl::add_indieauth_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/indieauth", Permission::any_role, &AdminImpl::indieauth_request},
        {"POST", "/indieauth", Permission::any_role, &AdminImpl::indieauth_decision},
        {"POST", "/app-passwords/revoke-token", Permission::any_role,
         &AdminImpl::revoke_access_token},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::indieauth_request(const Call& call) {
    const auto& access = call.access;
    auto auth = api::parse_auth_request(
        [&](std::string_view name) { return call.request.query_param(name); });
    if (!auth) return message(400, access, call.locale(), "Bad request.");
    mustache::data view;
    view.set("client_id", auth->client_id);
    view.set("redirect_uri", auth->redirect_uri);
    view.set("state", auth->state);
    view.set("code_challenge", auth->code_challenge);
    view.set("me", auth->me);
    mustache::list scopes;
    for (const auto& scope : auth->scopes) scopes.push_back(mustache::data("name", scope));
    view.set("scopes", scopes);
    view.set("has_scopes", !scopes.empty());
    auto response =
        page(200, access, call.locale(), tr(call.locale(), "Allow an app"), "indieauth", view);
    // The approval's answer sends the browser on to the app: its origin may receive the form.
    auto origin = boost::urls::parse_absolute_uri(auth->redirect_uri);
    for (auto& [name, value] : response.headers) {
        if (name != "Content-Security-Policy" || !origin) continue;
        const auto at = value.find("form-action 'self'");
        if (at == std::string::npos) continue;
        auto allowed = fmt::format("{}://{}", origin->scheme(), origin->encoded_host_and_port());
        value.insert(at + std::string_view("form-action 'self'").size(), " " + allowed);
    }
    return response;
}

Response AdminImpl::indieauth_decision(const Call& call) {
    const auto& access = call.access;
    auto auth = api::parse_auth_request([&](std::string_view name) -> std::optional<std::string> {
        if (name == "response_type") return "code";
        if (name == "code_challenge_method") return "S256";
        if (name == "scope") {
            std::string scope;
            for (const auto& asked : call.form.all("asked")) scope += asked + " ";
            return scope;
        }
        return call.form.get(name);
    });
    if (!auth) return message(400, access, call.locale(), "Bad request.");
    if (call.form.get("decision").value_or("") != "approve") {
        return redirect(api::deny_auth_request(access.blog, call.request, *auth));
    }
    auto location = api::approve_auth_request(store_, clock_, access.visitor.user.id, access.blog,
                                              call.request, *auth, call.form.all("scope"));
    if (!location) return internal_error(access, location.error());
    return redirect(*location);
}

Response AdminImpl::revoke_access_token(const Call& call) {
    const auto& access = call.access;
    const auto id = http::parse_id(call.form.get("id").value_or(""));
    return revoked(access, store_.write([&](store::Writer& writer) {
        return writer.access_tokens().revoke_access_token(access.visitor.user.id, id.value_or(0));
    }));
}

}  // namespace carnet::admin
