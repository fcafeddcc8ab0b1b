// The admin's routes, feature by feature, and the work it does on the server's timer.
#include "admin/admin.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "admin/admin_impl.hpp"
#include "admin/assets.hpp"

namespace carnet::admin {

void AdminImpl::register_routes(http::Router& router) {
    auto asset = [](std::string_view body, std::string_view type) {
        return [body, type](const Request&, const RouteParams&) {
            Response response;
            response.content_type = std::string(type);
            response.body = std::string(body);
            response.headers.emplace_back("Cache-Control", "public, max-age=3600");
            return response;
        };
    };
    router.add("GET", "/admin/assets/admin.css", asset(assets::k_css, "text/css; charset=utf-8"));
    router.add("GET", "/admin/assets/admin.js",
               asset(assets::k_js, "text/javascript; charset=utf-8"));
    add_login_routes(router);
    add_dashboard_routes(router);
    add_post_routes(router);
    add_media_routes(router);
    add_page_routes(router);
    add_category_routes(router);
    add_comment_routes(router);
    add_settings_routes(router);
    add_follower_routes(router);
    add_following_routes(router);
    add_app_password_routes(router);
    add_indieauth_routes(router);
}

model::Result<int> AdminImpl::run_due_work(model::Instant at) {
    int published = 0;
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        auto done = writer.posts().publish_due_posts(at);
        if (!done) return std::unexpected(done.error());
        published = static_cast<int>(done->size());
        for (const auto& post : *done) {
            if (auto followed = options_.post_hooks.after_save(writer, post.blog_id, post.post_id,
                                                               false, model::PostStatus::published);
                !followed) {
                return followed;
            }
        }
        auto purged = writer.sessions().delete_expired_sessions(at);
        if (!purged) return std::unexpected(purged.error());
        return {};
    });
    if (!written) return std::unexpected(written.error());
    if (published > 0) spdlog::info("admin: published {} scheduled post(s)", published);
    return published;
}

model::Result<std::unique_ptr<Admin>> Admin::create(store::Store& store, const Clock& clock,
                                                    AdminOptions options) {
    std::error_code error;
    std::filesystem::create_directories(options.media_dir, error);
    if (error) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot create the media directory {}: {}",
                                       options.media_dir.string(), error.message()));
    }
    auto pages = theme::AdminPages::load(options.themes_dir / "admin");
    if (!pages) return std::unexpected(pages.error());
    auto dummy = auth::hash_password(auth::random_token(16));
    if (!dummy) return std::unexpected(dummy.error());
    return std::unique_ptr<Admin>(std::make_unique<AdminImpl>(
        store, clock, std::move(options), std::move(*pages), std::move(*dummy)));
}

}  // namespace carnet::admin
