// Categories: their list with post counts; renaming, merging and deleting them.
#include <fmt/format.h>

#include "admin/admin_impl.hpp"

namespace carnet::admin {

void AdminImpl::add_category_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/categories", Permission::edit_all, &AdminImpl::category_list},
        {"POST", "/categories/{category}/rename", Permission::edit_all,
         &AdminImpl::rename_category},
        {"POST", "/categories/{category}/merge", Permission::edit_all, &AdminImpl::merge_category},
        {"POST", "/categories/{category}/delete", Permission::edit_all,
         &AdminImpl::delete_category},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::category_list(const Call& call) { return category_page(call.access, {}); }

Response AdminImpl::rename_category(const Call& call) {
    return change_category(call, [&](store::Writer& writer) {
        return writer.categories().rename_category(
            call.access.blog.id, call.id("category"),
            http::trim_blank(call.form.get("name").value_or("")),
            http::trim_blank(call.form.get("slug").value_or("")));
    });
}

Response AdminImpl::merge_category(const Call& call) {
    return change_category(call, [&](store::Writer& writer) {
        return writer.categories().merge_categories(
            call.access.blog.id, call.id("category"),
            http::parse_id(call.form.get("into").value_or("")).value_or(0));
    });
}

Response AdminImpl::delete_category(const Call& call) {
    return change_category(call, [&](store::Writer& writer) {
        return writer.categories().delete_category(call.access.blog.id, call.id("category"));
    });
}

Response AdminImpl::change_category(const Call& call,
                                    const std::function<model::Status(store::Writer&)>& change) {
    const auto& access = call.access;
    auto written = store_.write(change);
    if (!written) {
        if (written.error().code == Error::Code::not_found) {
            return message(404, access, access.blog.locale, "Not found.");
        }
        return category_page(access, written.error().message);
    }
    return redirect(fmt::format("/admin/blogs/{}/categories", access.blog.id));
}

Response AdminImpl::category_page(const Access& access, const std::string& error) {
    const auto& locale = access.blog.locale;
    auto categories = store_.categories().all_categories(access.blog.id);
    if (!categories) return internal_error(access, categories.error());
    mustache::list rows;
    for (const auto& category : *categories) {
        mustache::data row;
        row.set("blog_id", std::to_string(access.blog.id));
        row.set("csrf", access.visitor.csrf());
        row.set("id", std::to_string(category.id));
        row.set("name", category.name);
        row.set("slug", category.slug);
        row.set("count", std::to_string(category.post_count));
        mustache::list targets;
        for (const auto& other : *categories) {
            if (other.id == category.id) continue;
            mustache::data target;
            target.set("id", std::to_string(other.id));
            target.set("name", other.name);
            targets.push_back(target);
        }
        row.set("targets", targets);
        rows.push_back(row);
    }
    mustache::data view;
    view.set("categories", rows);
    return page(error.empty() ? 200 : 422, access, locale, tr(locale, "Categories"), "categories",
                view, {}, error);
}

}  // namespace carnet::admin
