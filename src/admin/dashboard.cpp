// The dashboard: how many posts in each state, comments waiting, posts per month.
#include "admin/admin_impl.hpp"
#include "admin/chart.hpp"

namespace carnet::admin {

void AdminImpl::add_dashboard_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/", Permission::any_role, &AdminImpl::dashboard},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::dashboard(const Call& call) {
    const auto& access = call.access;
    auto counts = store_.blogs().counts(access.blog.id);
    if (!counts) return internal_error(access, counts.error());
    auto today = model::to_local(now(), access.blog.time_zone);
    if (!today) return internal_error(access, today.error());
    mustache::data view;
    view.set("published", std::to_string(counts->published));
    view.set("drafts", std::to_string(counts->drafts));
    view.set("scheduled", std::to_string(counts->scheduled));
    view.set("comments_pending", std::to_string(counts->comments_pending));
    view.set("chart", posts_per_month_svg(
                          counts->published_per_month, today->year, today->month,
                          tr(access.blog.locale, "Posts published per month, over two years")));
    return page(200, access, access.blog.locale, tr(access.blog.locale, "Dashboard"), "dashboard",
                view);
}

}  // namespace carnet::admin
