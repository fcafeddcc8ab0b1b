// The blog's settings: title, language, time zone, theme, address, comment policy.
#include <fmt/format.h>

#include "admin/admin_impl.hpp"

namespace carnet::admin {

void AdminImpl::add_settings_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/settings", Permission::configure, &AdminImpl::show_settings},
        {"POST", "/settings", Permission::configure, &AdminImpl::save_settings},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::show_settings(const Call& call) {
    const bool saved = call.request.query_param("saved").has_value();
    return settings(call.access, 200, saved ? tr(call.locale(), "Saved.") : "");
}

Response AdminImpl::settings(const Access& access, int status, const std::string& notice,
                             const std::string& error) {
    const auto& blog = access.blog;
    mustache::data view;
    view.set("title", blog.title);
    view.set("subtitle", blog.subtitle);
    view.set("is_fr", blog.locale == "fr");
    view.set("is_en", blog.locale == "en");
    view.set("time_zone", blog.time_zone);
    view.set("posts_per_page", std::to_string(blog.posts_per_page));
    view.set("theme", blog.theme);
    view.set("base_url", blog.base_url);
    view.set("close_comments_after_days", std::to_string(blog.close_comments_after_days));
    view.set("policies", policy_options(*pages_, blog.locale, blog.comment_policy));
    view.set("approve_followers", blog.approve_followers);
    return page(status, access, blog.locale, tr(blog.locale, "Settings"), "settings", view, notice,
                error);
}

Response AdminImpl::save_settings(const Call& call) {
    const auto& access = call.access;
    const auto& form = call.form;
    auto blog = access.blog;
    blog.title = http::trim_blank(form.get("title").value_or(""));
    blog.subtitle = http::trim_blank(form.get("subtitle").value_or(""));
    blog.locale = form.get("locale").value_or(blog.locale);
    blog.time_zone = http::trim_blank(form.get("time_zone").value_or(""));
    blog.theme = http::trim_blank(form.get("theme").value_or(blog.theme));
    blog.base_url = http::trim_blank(form.get("base_url").value_or(""));
    while (blog.base_url.ends_with('/')) blog.base_url.pop_back();
    blog.posts_per_page =
        static_cast<int>(http::parse_id(form.get("posts_per_page").value_or("")).value_or(0));
    const auto close_after = form.get("close_comments_after_days").value_or("0");
    blog.close_comments_after_days =
        close_after == "0" ? 0 : static_cast<int>(http::parse_id(close_after).value_or(-1));
    blog.approve_followers = form.get("approve_followers").has_value();
    auto policy = model::parse_comment_policy(form.get("comment_policy").value_or(""));
    Access shown = access;
    if (!policy) return settings(shown, 422, {}, tr(blog.locale, "Comments") + " ?");
    blog.comment_policy = *policy;
    shown.blog = blog;
    if (blog.theme.find_first_of("/\\.") != std::string::npos || blog.theme.empty()) {
        return settings(shown, 422, {}, tr(blog.locale, "Theme") + " ?");
    }
    auto written =
        store_.write([&](store::Writer& writer) { return writer.blogs().update_blog(blog); });
    if (!written) {
        if (written.error().code == Error::Code::invalid_input) {
            return settings(shown, 422, {}, written.error().message);
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/settings?saved=1", blog.id));
}

}  // namespace carnet::admin
