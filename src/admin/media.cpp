// Media: the uploaded images of a blog, and uploading (a form, or the editor's script).
#include "media/media.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "admin/admin_impl.hpp"

namespace carnet::admin {
namespace {

std::string media_markdown(const store::MediaRecord& record) {
    auto alt = record.original_name;
    if (auto dot = alt.rfind('.'); dot != std::string::npos) alt.resize(dot);
    // Brackets and line breaks would end the Markdown image's description early.
    std::erase_if(alt, [](char c) { return c == '[' || c == ']' || c == '\n' || c == '\r'; });
    return fmt::format("![{}](/media/{})", alt, record.file_name);
}

std::string media_thumb(const store::MediaRecord& record) {
    // Originals are not public (they keep the photo's metadata): the smallest variant is.
    if (!record.variants.empty()) return "/media/" + record.variants.front().file_name;
    return "/media/" + record.file_name;
}

}  // namespace

void AdminImpl::add_media_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/media", Permission::write_posts, &AdminImpl::media_list},
    };
    add_blog_routes(router, k_routes);
    // Uploads live outside /admin/blogs/ so that the server can give them a larger body limit.
    add_blog_route(router, "POST", fmt::format("{}{{blog}}", k_upload_path_prefix),
                   Permission::write_posts, [this](const Call& call) { return upload(call); });
}

mustache::data AdminImpl::media_view(std::int64_t blog_id, int limit) {
    mustache::list items;
    if (auto records = store_.media().media(blog_id, 0, limit)) {
        for (const auto& record : *records) {
            mustache::data item;
            item.set("thumb", media_thumb(record));
            item.set("markdown", media_markdown(record));
            items.push_back(item);
        }
    }
    return items;
}

Response AdminImpl::media_list(const Call& call) {
    const auto& access = call.access;
    const auto& locale = access.blog.locale;
    mustache::data view;
    auto media = media_view(access.blog.id, 200);
    view.set("has_media", !media.is_empty_list());
    view.set("media", media);
    view.set("upload_url", fmt::format("{}{}", k_upload_path_prefix, access.blog.id));
    return page(200, access, locale, tr(locale, "Media"), "media", view);
}

Response AdminImpl::upload(const Call& call) {
    const auto& request = call.request;
    const auto& access = call.access;
    const auto& form = call.form;
    const auto* file = form.file("file");
    auto refuse = [&](const std::string& why) {
        if (wants_json(request)) return json(422, {{"error", why}});
        return page(
            422, access, access.blog.locale, tr(access.blog.locale, "Media"), "message",
            [&] {
                mustache::data view;
                view.set("heading", tr(access.blog.locale, "Upload an image"));
                view.set("message", why);
                return view;
            }(),
            {}, why);
    };
    if (file == nullptr || file->data.empty()) return refuse("no file");
    media::Limits limits;
    limits.max_bytes = options_.max_upload_bytes;
    auto stored = media::store(options_.media_dir, file->data, limits);
    if (!stored) {
        if (stored.error().code == Error::Code::invalid_input)
            return refuse(stored.error().message);
        return internal_error(access, stored.error());
    }
    store::MediaRecord record{.blog_id = access.blog.id,
                              .content_hash = stored->hash,
                              .content_type = stored->content_type,
                              .file_name = stored->file_name,
                              .original_name = file->file_name.substr(0, 200),
                              .size_bytes = static_cast<std::int64_t>(stored->size_bytes),
                              .width = stored->width,
                              .height = stored->height};
    for (const auto& variant : stored->variants) {
        record.variants.push_back({variant.width, variant.height, variant.file_name});
    }
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        auto added = writer.media().add_media(record, access.visitor.user.id);
        if (!added) return std::unexpected(added.error());
        return {};
    });
    if (!written) return internal_error(access, written.error());
    spdlog::info("admin: user {} uploaded {} to blog {}", access.visitor.user.id, stored->file_name,
                 access.blog.id);
    if (wants_json(request)) {
        return json(200, {{"markdown", media_markdown(record)}, {"file", record.file_name}});
    }
    return redirect(fmt::format("/admin/blogs/{}/media", access.blog.id));
}

}  // namespace carnet::admin
