// Comments moderation: the lists by status, approving, marking as spam, trashing and
// deleting (one or a selection), editing, and replying as the writer.
#include <fmt/format.h>

#include <algorithm>

#include "admin/admin_impl.hpp"
#include "markup/markup.hpp"

namespace carnet::admin {

void AdminImpl::add_comment_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/comments", Permission::moderate, &AdminImpl::comment_list},
        {"POST", "/comments/bulk", Permission::moderate, &AdminImpl::moderate_selection},
        {"POST", "/comments/{comment}", Permission::moderate, &AdminImpl::edit_comment},
        {"POST", "/comments/{comment}/reply", Permission::moderate, &AdminImpl::reply_to_comment},
    };
    add_blog_routes(router, k_routes);
    // One route per action, so that each button of a comment posts to its own address.
    for (const std::string action : {"approve", "spam", "trash", "delete"}) {
        add_blog_route(router, "POST", "/admin/blogs/{blog}/comments/{comment}/" + action,
                       Permission::moderate, [this, action](const Call& call) {
                           return moderate(call.access, {call.id("comment")}, action);
                       });
    }
}

Response AdminImpl::moderate_selection(const Call& call) {
    std::vector<std::int64_t> ids;
    for (const auto& id : call.form.all("ids")) {
        if (auto parsed = http::parse_id(id)) ids.push_back(*parsed);
    }
    return moderate(call.access, ids, call.form.get("action").value_or(""));
}

Response AdminImpl::comment_list(const Call& call) {
    const auto& request = call.request;
    const auto& access = call.access;
    const auto& locale = access.blog.locale;
    const auto status = model::parse_comment_status(request.query_param("status").value_or(""))
                            .value_or(model::CommentStatus::pending);
    const int page_number = static_cast<int>(std::clamp<std::int64_t>(
        http::parse_id(request.query_param("page").value_or("")).value_or(1), 1, 100'000));
    constexpr int k_per_page = 50;
    auto list = store_.comments().comments(
        access.blog.id,
        {.status = status, .offset = (page_number - 1) * k_per_page, .limit = k_per_page});
    if (!list) return internal_error(access, list.error());
    mustache::data view;
    mustache::list tabs;
    for (auto tab : {model::CommentStatus::pending, model::CommentStatus::approved,
                     model::CommentStatus::spam, model::CommentStatus::trash}) {
        auto count = store_.comments().comments(access.blog.id, {.status = tab, .limit = 0});
        mustache::data item;
        item.set("value", std::string(model::to_string(tab)));
        item.set("label", comment_status_label(*pages_, locale, tab));
        item.set("count", std::to_string(count ? count->total : 0));
        item.set("current", tab == status);
        tabs.push_back(item);
    }
    view.set("tabs", tabs);
    mustache::list rows;
    for (const auto& comment : list->comments) {
        mustache::data row;
        row.set("id", std::to_string(comment.id));
        row.set("author", comment.author_name);
        if (!comment.author_email.empty()) row.set("email", comment.author_email);
        if (!comment.author_url.empty()) row.set("url", comment.author_url);
        row.set("when", local_display(comment.created_at, access.blog.time_zone));
        row.set("post_title", comment.post_title);
        row.set("post_url",
                fmt::format("/admin/blogs/{}/posts/{}", access.blog.id, comment.post_id));
        row.set("html", comment.html);
        row.set("source", comment.source);
        row.set("is_approved", comment.status == model::CommentStatus::approved);
        row.set("is_spam", comment.status == model::CommentStatus::spam);
        row.set("is_trash", comment.status == model::CommentStatus::trash);
        rows.push_back(row);
    }
    view.set("has_comments", !rows.empty());
    view.set("comments", rows);
    const auto base =
        fmt::format("/admin/blogs/{}/comments?status={}", access.blog.id, model::to_string(status));
    if (page_number > 1) view.set("previous", fmt::format("{}&page={}", base, page_number - 1));
    if (page_number * k_per_page < list->total) {
        view.set("next", fmt::format("{}&page={}", base, page_number + 1));
    }
    return page(200, access, locale, tr(locale, "Comments"), "comments", view);
}

Response AdminImpl::moderate(const Access& access, const std::vector<std::int64_t>& ids,
                             std::string_view action) {
    std::optional<model::CommentStatus> status;
    if (action == "approve") status = model::CommentStatus::approved;
    if (action == "spam") status = model::CommentStatus::spam;
    if (action == "trash") status = model::CommentStatus::trash;
    if (!status && action != "delete")
        return message(400, access, access.blog.locale, "Bad request.");
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        for (auto id : ids) {
            auto done = status ? writer.comments().set_comment_status(access.blog.id, id, *status)
                               : writer.comments().delete_comment(access.blog.id, id);
            if (!done) return done;
        }
        return {};
    });
    if (!written) {
        if (written.error().code == Error::Code::not_found) {
            return message(404, access, access.blog.locale, "Not found.");
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/comments", access.blog.id));
}

Response AdminImpl::edit_comment(const Call& call) {
    const auto& access = call.access;
    const auto& form = call.form;
    const auto comment_id = call.id("comment");
    auto existing = store_.comments().find_comment(access.blog.id, comment_id);
    if (!existing) return internal_error(access, existing.error());
    if (!*existing) return message(404, access, access.blog.locale, "Not found.");
    const auto source = http::trim_blank(form.get(fmt::format("body_{}", comment_id)).value_or(""));
    if (source.empty()) return message(422, access, access.blog.locale, "Bad request.");
    auto written = store_.write([&](store::Writer& writer) {
        return writer.comments().update_comment(access.blog.id, comment_id, source,
                                                markup::render_comment(source));
    });
    if (!written) {
        if (written.error().code == Error::Code::not_found) {
            return message(404, access, access.blog.locale, "Not found.");
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/comments?status=approved", access.blog.id));
}

Response AdminImpl::reply_to_comment(const Call& call) {
    const auto& access = call.access;
    const auto& form = call.form;
    const auto comment_id = call.id("comment");
    auto parent = store_.comments().find_comment(access.blog.id, comment_id);
    if (!parent) return internal_error(access, parent.error());
    if (!*parent) return message(404, access, access.blog.locale, "Not found.");
    const auto source =
        http::trim_blank(form.get(fmt::format("reply_{}", comment_id)).value_or(""));
    if (source.empty()) return message(422, access, access.blog.locale, "Bad request.");
    // Answering a comment shows it too: a writer does not reply to what readers cannot see.
    model::Comment reply{.blog_id = access.blog.id,
                         .post_id = (*parent)->post_id,
                         .parent_id = comment_id,
                         .author_name = access.visitor.user.name,
                         .author_email = access.visitor.user.email,
                         .source = source,
                         .html = markup::render_comment(source),
                         .status = model::CommentStatus::approved,
                         .created_at = now()};
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (auto approved = writer.comments().set_comment_status(access.blog.id, comment_id,
                                                                 model::CommentStatus::approved);
            !approved) {
            return approved;
        }
        auto added = writer.comments().add_comment(reply);
        if (!added) return std::unexpected(added.error());
        // An answer to a reply from the fediverse goes back there too, so that the thread reads
        // the same on both sides.
        if (!options_.fediverse.comment_answered) return {};
        reply.id = *added;
        return options_.fediverse.comment_answered(writer, access.blog, **parent, reply);
    });
    if (!written) return internal_error(access, written.error());
    return redirect(fmt::format("/admin/blogs/{}/comments?status=approved", access.blog.id));
}

}  // namespace carnet::admin
