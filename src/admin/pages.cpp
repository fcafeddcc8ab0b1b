// Static pages (about, contact): their list and their editor.
#include <fmt/format.h>

#include <algorithm>

#include "admin/admin_impl.hpp"

namespace carnet::admin {

void AdminImpl::add_page_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/pages", Permission::edit_all, &AdminImpl::page_list},
        {"GET", "/pages/new", Permission::edit_all, &AdminImpl::new_page},
        {"POST", "/pages", Permission::edit_all, &AdminImpl::create_page},
        {"GET", "/pages/{page}", Permission::edit_all, &AdminImpl::edit_page},
        {"POST", "/pages/{page}", Permission::edit_all, &AdminImpl::update_page},
        {"POST", "/pages/{page}/delete", Permission::edit_all, &AdminImpl::delete_page},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::new_page(const Call& call) {
    model::Page fresh;
    fresh.blog_id = call.access.blog.id;
    return page_editor(call.access, fresh);
}

Response AdminImpl::edit_page(const Call& call) {
    auto found = store_.pages().find_page_by_id(call.access.blog.id, call.id("page"));
    if (!found || !*found) return message(404, call.access, call.locale(), "Not found.");
    return page_editor(call.access, **found);
}

Response AdminImpl::create_page(const Call& call) {
    return save_page(call.access, call.form, std::nullopt);
}

Response AdminImpl::update_page(const Call& call) {
    return save_page(call.access, call.form, call.id("page"));
}

Response AdminImpl::delete_page(const Call& call) {
    auto written = store_.write([&](store::Writer& writer) {
        return writer.pages().delete_page(call.access.blog.id, call.id("page"));
    });
    if (!written) return message(404, call.access, call.locale(), "Not found.");
    return redirect(fmt::format("/admin/blogs/{}/pages", call.access.blog.id));
}

Response AdminImpl::page_list(const Call& call) {
    const auto& access = call.access;
    const auto& locale = access.blog.locale;
    auto pages = store_.pages().pages(access.blog.id, false);
    if (!pages) return internal_error(access, pages.error());
    mustache::list items;
    for (const auto& found : *pages) {
        mustache::data item;
        item.set("blog_id", std::to_string(access.blog.id));
        item.set("id", std::to_string(found.id));
        item.set("title", found.title);
        item.set("published", found.published);
        items.push_back(item);
    }
    mustache::data view;
    view.set("pages", items);
    return page(200, access, locale, tr(locale, "Pages"), "pages", view);
}

Response AdminImpl::page_editor(const Access& access, const model::Page& edited, int status,
                                const std::string& notice, const std::string& error) {
    const auto& locale = access.blog.locale;
    const bool is_new = edited.id == 0;
    const auto base = fmt::format("/admin/blogs/{}/pages", access.blog.id);
    mustache::data view;
    view.set("is_page", true);
    view.set("heading", is_new ? tr(locale, "New page") : edited.title);
    view.set("action", is_new ? base : fmt::format("{}/{}", base, edited.id));
    view.set("preview_url", fmt::format("/admin/blogs/{}/preview", access.blog.id));
    view.set("upload_url", fmt::format("{}{}", k_upload_path_prefix, access.blog.id));
    view.set("title", edited.title);
    view.set("source", edited.source);
    view.set("preview", edited.html);
    view.set("slug", edited.slug);
    view.set("published", edited.published);
    view.set("position", std::to_string(edited.position));
    if (edited.published) view.set("public_url", model::page_path(edited.slug));
    if (!is_new) view.set("delete_url", fmt::format("{}/{}/delete", base, edited.id));
    auto media = media_view(access.blog.id, 24);
    view.set("has_media", !media.is_empty_list());
    view.set("media", media);
    return page(status, access, locale, is_new ? tr(locale, "New page") : edited.title, "editor",
                view, notice, error);
}

Response AdminImpl::save_page(const Access& access, const http::Form& form,
                              std::optional<std::int64_t> page_id) {
    model::Page edited;
    edited.blog_id = access.blog.id;
    if (page_id) {
        auto found = store_.pages().find_page_by_id(access.blog.id, *page_id);
        if (!found) return internal_error(access, found.error());
        if (!*found) return message(404, access, access.blog.locale, "Not found.");
        edited = std::move(**found);
    }
    edited.title = http::trim_blank(form.get("title").value_or(""));
    edited.source = form.get("source").value_or("");
    edited.slug = http::trim_blank(form.get("slug").value_or(""));
    edited.published = form.get("published").has_value();
    edited.position = static_cast<int>(std::clamp<std::int64_t>(
        http::parse_id(form.get("position").value_or("")).value_or(0), 0, 10'000));
    edited.html = render_body(access.blog.id, model::SourceFormat::markdown, edited.source);
    edited.updated_at = now();
    std::int64_t saved_id = edited.id;
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (saved_id != 0) return writer.pages().update_page(edited);
        auto created = writer.pages().create_page(edited);
        if (!created) return std::unexpected(created.error());
        saved_id = *created;
        return {};
    });
    if (!written) {
        if (written.error().code == Error::Code::database) {
            return internal_error(access, written.error());
        }
        return page_editor(access, edited, 422, {}, written.error().message);
    }
    return redirect(fmt::format("/admin/blogs/{}/pages/{}", access.blog.id, saved_id));
}

}  // namespace carnet::admin
