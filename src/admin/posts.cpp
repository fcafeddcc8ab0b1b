// Posts: the list with its filters, the editor (live preview, autosave, scheduling), revisions
// and their restoring, and the preview of what readers will see.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "admin/admin_impl.hpp"
#include "admin/diff.hpp"
#include "markup/markup.hpp"
#include "media/media.hpp"
#include "text/text.hpp"

namespace carnet::admin {
namespace {

constexpr int k_posts_per_admin_page = 20;

std::optional<media::StoredImage> stored_image(store::Store& store, std::int64_t blog_id,
                                               std::string_view name) {
    auto record = store.media().find_media(blog_id, name);
    if (!record || !*record) return std::nullopt;
    auto image =
        media::describe((*record)->file_name, static_cast<std::uint64_t>((*record)->size_bytes),
                        (*record)->width, (*record)->height);
    if (!image) return std::nullopt;
    return std::move(*image);
}

}  // namespace

void AdminImpl::add_post_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/posts", Permission::write_posts, &AdminImpl::post_list},
        {"GET", "/posts/new", Permission::write_posts, &AdminImpl::new_post},
        {"POST", "/posts", Permission::write_posts, &AdminImpl::create_post},
        {"POST", "/posts/autosave", Permission::write_posts, &AdminImpl::autosave_new_post},
        {"GET", "/posts/{post}", Permission::write_posts, &AdminImpl::edit_post},
        {"POST", "/posts/{post}", Permission::write_posts, &AdminImpl::update_post},
        {"POST", "/posts/{post}/autosave", Permission::write_posts, &AdminImpl::autosave_post},
        {"POST", "/posts/{post}/delete", Permission::write_posts, &AdminImpl::delete_post},
        {"GET", "/posts/{post}/revisions/{revision}", Permission::write_posts,
         &AdminImpl::revision},
        {"POST", "/posts/{post}/revisions/{revision}/restore", Permission::write_posts,
         &AdminImpl::restore_revision},
        {"POST", "/preview", Permission::write_posts, &AdminImpl::preview},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::new_post(const Call& call) {
    model::Post fresh;
    fresh.blog_id = call.access.blog.id;
    return post_editor(call.access, fresh);
}

Response AdminImpl::edit_post(const Call& call) {
    auto post = editable_post(call.access, call.id("post"));
    if (!post) return message(404, call.access, call.locale(), "Not found.");
    const bool saved = call.request.query_param("saved").has_value();
    return post_editor(call.access, *post, 200, saved ? tr(call.locale(), "Saved.") : "");
}

Response AdminImpl::create_post(const Call& call) {
    return save_post(call.access, call.form, std::nullopt, false);
}

Response AdminImpl::autosave_new_post(const Call& call) {
    return save_post(call.access, call.form, std::nullopt, true);
}

Response AdminImpl::update_post(const Call& call) {
    return save_post(call.access, call.form, call.id("post"), false);
}

Response AdminImpl::autosave_post(const Call& call) {
    return save_post(call.access, call.form, call.id("post"), true);
}

std::optional<model::Post> AdminImpl::editable_post(const Access& access, std::int64_t post_id) {
    auto post = store_.posts().find_post_by_id(access.blog.id, post_id);
    if (!post || !*post) return std::nullopt;
    if (!model::may_edit_post(access.role, access.visitor.user.id, **post)) return std::nullopt;
    return std::move(**post);
}

Response AdminImpl::post_list(const Call& call) {
    const auto& request = call.request;
    const auto& access = call.access;
    const auto& locale = access.blog.locale;
    store::AdminPostQuery query;
    query.status = model::parse_post_status(request.query_param("status").value_or(""));
    query.category_id = http::parse_id(request.query_param("category").value_or(""));
    query.text = http::trim_blank(request.query_param("q").value_or(""));
    if (!allows(access.role, Permission::edit_all)) query.author_id = access.visitor.user.id;
    const int page_number = static_cast<int>(std::clamp<std::int64_t>(
        http::parse_id(request.query_param("page").value_or("")).value_or(1), 1, 100'000));
    query.limit = k_posts_per_admin_page;
    query.offset = (page_number - 1) * k_posts_per_admin_page;
    auto list = store_.posts().admin_posts(access.blog.id, query);
    if (!list) return internal_error(access, list.error());
    auto categories = store_.categories().all_categories(access.blog.id);
    if (!categories) return internal_error(access, categories.error());

    mustache::data view;
    view.set("statuses", status_options(*pages_, locale, query.status, true));
    mustache::list category_options;
    for (const auto& category : *categories) {
        mustache::data option;
        option.set("id", std::to_string(category.id));
        option.set("name", category.name);
        option.set("selected", query.category_id == category.id);
        category_options.push_back(option);
    }
    view.set("categories", category_options);
    view.set("q", query.text);
    mustache::list posts;
    for (const auto& post : list->posts) {
        mustache::data row;
        row.set("blog_id", std::to_string(access.blog.id));
        row.set("id", std::to_string(post.id));
        row.set("title", post.title);
        row.set("status", post_status_label(*pages_, locale, post.status));
        row.set("iso", text::rfc3339_utc(post.published_at));
        row.set("when", local_display(post.published_at, access.blog.time_zone));
        row.set("categories", categories_text(post.categories));
        posts.push_back(row);
    }
    view.set("has_posts", !posts.empty());
    view.set("posts", posts);
    auto page_link = [&](int number) {
        return fmt::format("/admin/blogs/{}/posts?status={}&category={}&q={}&page={}",
                           access.blog.id,
                           query.status ? model::to_string(*query.status) : std::string_view(),
                           query.category_id ? std::to_string(*query.category_id) : "",
                           percent_encode(query.text), number);
    };
    if (page_number > 1) view.set("previous", page_link(page_number - 1));
    if (query.offset + k_posts_per_admin_page < list->total) {
        view.set("next", page_link(page_number + 1));
    }
    return page(200, access, locale, tr(locale, "Posts"), "posts", view);
}

// Renders a post's text as the public page shows it, with images uploaded to the blog given
// their resized variants (srcset) in place of the original.
std::string AdminImpl::render_body(std::int64_t blog_id, model::SourceFormat format,
                                   std::string_view source) {
    return media::render_post_html(
        format, source, [&](std::string_view name) { return stored_image(store_, blog_id, name); });
}

Response AdminImpl::post_editor(const Access& access, const model::Post& post, int status,
                                const std::string& notice, const std::string& error) {
    const auto& locale = access.blog.locale;
    const bool is_new = post.id == 0;
    const auto base = fmt::format("/admin/blogs/{}/posts", access.blog.id);
    mustache::data view;
    view.set("is_post", true);
    view.set("heading", is_new ? tr(locale, "New post") : post.title);
    view.set("action", is_new ? base : fmt::format("{}/{}", base, post.id));
    view.set("autosave_url",
             is_new ? base + "/autosave" : fmt::format("{}/{}/autosave", base, post.id));
    view.set("preview_url", fmt::format("/admin/blogs/{}/preview", access.blog.id));
    view.set("upload_url", fmt::format("{}{}", k_upload_path_prefix, access.blog.id));
    view.set("title", post.title);
    view.set("source", post.source);
    view.set("preview", render_body(access.blog.id, post.source_format, post.source));
    view.set("categories", categories_text(post.categories));
    view.set("slug", post.slug);
    view.set("slug_placeholder", post.title.empty() ? std::string() : model::make_slug(post.title));
    view.set("excerpt", post.excerpt);
    view.set("statuses", status_options(*pages_, locale, post.status, false));
    view.set("published_local",
             is_new ? std::string() : local_input_value(post.published_at, access.blog.time_zone));
    view.set("time_zone", access.blog.time_zone);
    view.set("comments_open", post.comments_open);
    view.set("policies", policy_options(*pages_, locale, post.comment_policy));
    if (post.status == model::PostStatus::published) {
        view.set("public_url", model::post_path(access.blog, post));
    }
    if (post.status == model::PostStatus::trash) {
        view.set("delete_url", fmt::format("{}/{}/delete", base, post.id));
    }
    auto known = store_.categories().all_categories(access.blog.id);
    mustache::list known_categories;
    if (known) {
        for (const auto& category : *known) {
            mustache::data item;
            item.set("name", category.name);
            known_categories.push_back(item);
        }
    }
    view.set("known_categories", known_categories);
    auto media = media_view(access.blog.id, 24);
    view.set("has_media", !media.is_empty_list());
    view.set("media", media);
    mustache::list revisions;
    if (!is_new) {
        if (auto found = store_.posts().revisions(access.blog.id, post.id)) {
            for (const auto& revision : *found) {
                mustache::data item;
                item.set("url", fmt::format("{}/{}/revisions/{}", base, post.id, revision.id));
                item.set("when", local_display(revision.created_at, access.blog.time_zone));
                item.set("author", revision.author_name);
                item.set("autosave", revision.autosave);
                revisions.push_back(item);
            }
        }
    }
    view.set("has_revisions", !revisions.empty());
    view.set("revisions", revisions);
    return page(status, access, locale, is_new ? tr(locale, "New post") : post.title, "editor",
                view, notice, error);
}

Response AdminImpl::save_post(const Access& access, const http::Form& form,
                              std::optional<std::int64_t> post_id, bool autosave) {
    const auto& locale = access.blog.locale;
    model::Post post;
    post.blog_id = access.blog.id;
    post.author_id = access.visitor.user.id;
    post.source_format = model::SourceFormat::markdown;
    post.status = model::PostStatus::draft;
    const auto at = now();
    post.published_at = at;
    bool was_published = false;
    if (post_id) {
        auto existing = editable_post(access, *post_id);
        if (!existing) return message(404, access, locale, "Not found.");
        post = std::move(*existing);
        was_published = post.status == model::PostStatus::published;
    }
    // An autosave never changes what readers see: it only writes drafts.
    if (autosave && post_id && post.status != model::PostStatus::draft) {
        return json(409, {{"error", "only drafts are autosaved"}});
    }
    post.title = http::trim_blank(form.get("title").value_or(""));
    post.source = form.get("source").value_or("");
    post.slug = http::trim_blank(form.get("slug").value_or(""));
    post.excerpt = http::trim_blank(form.get("excerpt").value_or(""));
    post.categories = categories_from_text(form.get("categories").value_or(""));
    post.comments_open = form.get("comments_open").has_value();
    post.comment_policy = model::parse_comment_policy(form.get("comment_policy").value_or(""));
    if (!autosave) {
        post.status = model::parse_post_status(form.get("status").value_or("draft"))
                          .value_or(model::PostStatus::draft);
    }
    std::string error;
    if (post.title.empty()) {
        if (autosave)
            post.title = tr(locale, "Untitled");
        else
            error = tr(locale, "Title") + " ?";
    }
    const auto when = http::trim_blank(form.get("published_at").value_or(""));
    if (!when.empty()) {
        auto local = parse_local_input(when);
        auto instant = local ? model::to_instant(*local, access.blog.time_zone)
                             : model::Result<model::Instant>(std::unexpected(Error{}));
        if (instant) {
            post.published_at = *instant;
        } else {
            error = tr(locale, "Publication date and time") + " ?";
        }
    } else if (!was_published && post.status != model::PostStatus::scheduled) {
        post.published_at = at;
    }
    // Published with a time to come waits for it; scheduled for a time gone is published.
    if (post.status == model::PostStatus::published && post.published_at > at) {
        post.status = model::PostStatus::scheduled;
    } else if (post.status == model::PostStatus::scheduled && post.published_at <= at) {
        post.status = model::PostStatus::published;
    }
    if (post.slug.empty() || (autosave && !post_id)) post.slug = model::make_slug(post.title);
    if (autosave && !post_id) {
        // A new draft autosaved before its title is final must not take a slug from another
        // post: it gets a unique one, made again from the title at the first real save.
        post.slug += '-';
        post.slug += auth::random_token(3);
    }
    post.html = render_body(access.blog.id, post.source_format, post.source);
    post.updated_at = at;
    if (!error.empty()) {
        if (autosave) return json(422, {{"error", error}});
        return post_editor(access, post, 422, {}, error);
    }

    std::int64_t saved_id = post.id;
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (saved_id == 0) {
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            saved_id = *created;
        } else if (auto updated = writer.posts().update_post(post); !updated) {
            return updated;
        }
        auto revision = writer.posts().save_revision(access.blog.id, saved_id,
                                                     access.visitor.user.id, autosave);
        if (!revision) return std::unexpected(revision.error());
        return options_.post_hooks.after_save(writer, access.blog.id, saved_id, was_published,
                                              post.status);
    });
    if (!written) {
        if (written.error().code == Error::Code::internal ||
            written.error().code == Error::Code::database ||
            written.error().code == Error::Code::io) {
            return internal_error(access, written.error());
        }
        if (autosave) return json(422, {{"error", written.error().message}});
        return post_editor(access, post, 422, {}, written.error().message);
    }
    const auto edit_url = fmt::format("/admin/blogs/{}/posts/{}", access.blog.id, saved_id);
    if (autosave) {
        return json(200, {{"saved", fmt::format("{} {}", tr(locale, "Draft saved automatically"),
                                                local_display(at, access.blog.time_zone))},
                          {"id", saved_id},
                          {"action", edit_url},
                          {"autosave_url", edit_url + "/autosave"}});
    }
    return redirect(edit_url + "?saved=1");
}

Response AdminImpl::delete_post(const Call& call) {
    const auto& access = call.access;
    const auto post_id = call.id("post");
    auto post = editable_post(access, post_id);
    if (!post) return message(404, access, access.blog.locale, "Not found.");
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (auto deleted = writer.posts().delete_post(access.blog.id, post_id); !deleted) {
            return deleted;
        }
        return options_.post_hooks.after_save(writer, access.blog.id, post_id,
                                              post->status == model::PostStatus::published,
                                              model::PostStatus::trash);
    });
    if (!written) return internal_error(access, written.error());
    return redirect(fmt::format("/admin/blogs/{}/posts?status=trash", access.blog.id));
}

Response AdminImpl::revision(const Call& call) {
    const auto& access = call.access;
    const auto post_id = call.id("post");
    const auto revision_id = call.id("revision");
    const auto& locale = access.blog.locale;
    auto post = editable_post(access, post_id);
    if (!post) return message(404, access, locale, "Not found.");
    auto found = store_.posts().find_revision(access.blog.id, revision_id);
    if (!found) return internal_error(access, found.error());
    if (!*found || (*found)->post_id != post_id) return message(404, access, locale, "Not found.");
    const auto& revision = **found;
    mustache::data view;
    view.set("when", local_display(revision.created_at, access.blog.time_zone));
    view.set("title", post->title);
    view.set("post_url", fmt::format("/admin/blogs/{}/posts/{}", access.blog.id, post_id));
    view.set("restore_url", fmt::format("/admin/blogs/{}/posts/{}/revisions/{}/restore",
                                        access.blog.id, post_id, revision_id));
    mustache::list lines;
    // From the revision to the post as it is now: what restoring would take back.
    const auto before = fmt::format("# {}\n\n{}", revision.title, revision.source);
    const auto after = fmt::format("# {}\n\n{}", post->title, post->source);
    for (const auto& line : diff_lines(before, after)) {
        mustache::data item;
        const bool removed = line.kind == DiffLine::Kind::removed;
        const bool added = line.kind == DiffLine::Kind::added;
        item.set("kind", removed ? "del" : added ? "ins" : "same");
        item.set("sign", removed ? "−" : added ? "+" : "");
        item.set("text", line.text);
        lines.push_back(item);
    }
    view.set("lines", lines);
    return page(200, access, locale, tr(locale, "Revisions"), "revision", view);
}

Response AdminImpl::restore_revision(const Call& call) {
    const auto& access = call.access;
    const auto post_id = call.id("post");
    const auto revision_id = call.id("revision");
    const auto& locale = access.blog.locale;
    auto post = editable_post(access, post_id);
    if (!post) return message(404, access, locale, "Not found.");
    auto found = store_.posts().find_revision(access.blog.id, revision_id);
    if (!found) return internal_error(access, found.error());
    if (!*found || (*found)->post_id != post_id) return message(404, access, locale, "Not found.");
    const auto& revision = **found;
    // The text comes back; where the post stands (published or not, its address) stays.
    post->title = revision.title;
    post->source = revision.source;
    post->excerpt = revision.excerpt;
    post->categories.clear();
    for (const auto& name : revision.categories) {
        post->categories.push_back(model::Category{.name = name});
    }
    post->html = render_body(access.blog.id, post->source_format, post->source);
    post->updated_at = now();
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (auto updated = writer.posts().update_post(*post); !updated) return updated;
        auto saved =
            writer.posts().save_revision(access.blog.id, post_id, access.visitor.user.id, false);
        if (!saved) return std::unexpected(saved.error());
        return options_.post_hooks.after_save(writer, access.blog.id, post_id,
                                              post->status == model::PostStatus::published,
                                              post->status);
    });
    if (!written) return internal_error(access, written.error());
    return redirect(fmt::format("/admin/blogs/{}/posts/{}?saved=1", access.blog.id, post_id));
}

Response AdminImpl::preview(const Call& call) {
    const auto& access = call.access;
    const auto& form = call.form;
    Response response;
    response.body =
        render_body(access.blog.id, model::SourceFormat::markdown, form.get("source").value_or(""));
    protect(response);
    return response;
}

}  // namespace carnet::admin
