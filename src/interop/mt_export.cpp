// Exporting a blog in the Movable Type text format: what an import kept in a post's meta is
// given back as it was read, unless the post was edited since.
#include <fmt/format.h>

#include <map>
#include <optional>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#include "interop/interop.hpp"
#include "interop/mt_format.hpp"
#include "markup/markup.hpp"

namespace carnet::interop {
namespace {

std::optional<std::string> meta_of(const std::map<std::string, std::string>& meta,
                                   const std::string& key) {
    const auto found = meta.find(key);
    if (found == meta.end()) return std::nullopt;
    return found->second;
}

std::string_view status_text(model::PostStatus status) {
    switch (status) {
        case model::PostStatus::draft:
        case model::PostStatus::trash:
            return "Draft";
        case model::PostStatus::scheduled:
            return "Future";
        case model::PostStatus::published:
            break;
    }
    return "Publish";
}

// The keys and sections of other versions an import kept in meta ("mt_key:KEY", one value
// per line; "mt_section:NAME"), in the order of their names.
void give_back_extras(const std::map<std::string, std::string>& meta, mt::ExtraFields& keys,
                      mt::ExtraFields& sections) {
    constexpr std::string_view k_key = "mt_key:";
    constexpr std::string_view k_section = "mt_section:";
    for (const auto& [name, value] : meta) {
        if (name.starts_with(k_key)) {
            std::size_t at = 0;
            while (at <= value.size()) {
                const auto end = std::min(value.find('\n', at), value.size());
                keys.emplace_back(name.substr(k_key.size()), value.substr(at, end - at));
                at = end + 1;
            }
        } else if (name.starts_with(k_section)) {
            sections.emplace_back(name.substr(k_section.size()), value);
        }
    }
}

// The body as the import read it when the post still holds what that gives; the post's own
// source otherwise (it was written or edited in carnet, or its format changed).
void set_body(const store::ArchivedPost& archived, mt::Entry& entry) {
    const auto& post = archived.post;
    auto body = meta_of(archived.meta, "mt_body");
    if (!body && archived.meta.contains("mt_body_is_source")) body = post.source;
    if (body) {
        const auto extended = meta_of(archived.meta, "mt_extended_body");
        const auto convert_breaks = meta_of(archived.meta, "mt_convert_breaks");
        const auto format = mt::body_format(convert_breaks);
        const bool same_kind = (format == mt::BodyFormat::markdown) ==
                               (post.source_format == model::SourceFormat::markdown);
        if (same_kind && mt::post_source(format, *body, extended) == post.source) {
            entry.body = *body;
            entry.extended_body = extended;
            entry.convert_breaks = convert_breaks;
            return;
        }
    }
    entry.body = post.source;
    entry.convert_breaks = post.source_format == model::SourceFormat::markdown ? "markdown" : "0";
}

model::Result<mt::Entry> entry_of(store::Store& store, const model::Blog& blog,
                                  const store::ArchivedPost& archived) {
    const auto& post = archived.post;
    const auto& meta = archived.meta;
    mt::Entry entry;
    entry.author = meta_of(meta, "mt_author");
    if (!entry.author && post.author_id != 0) {
        auto user = store.accounts().find_user(post.author_id);
        if (!user) return std::unexpected(user.error());
        if (*user) entry.author = (*user)->name;
    }
    // A title the import made up for an untitled entry goes back untitled.
    const bool title_generated = meta_of(meta, "mt_title_generated") == post.title;
    entry.title = title_generated ? std::string() : post.title;
    // The basename read, unless the slug has since been changed to something else.
    const auto basename = meta_of(meta, "mt_basename");
    entry.basename =
        basename && (*basename == post.slug || model::make_slug(*basename) == post.slug)
            ? *basename
            : post.slug;
    entry.status = status_text(post.status);
    entry.allow_comments =
        post.comments_open ? "1" : meta_of(meta, "mt_allow_comments").value_or("0");
    entry.allow_pings = meta_of(meta, "mt_allow_pings");
    for (const auto& category : post.categories) entry.categories.push_back(category.name);
    auto local = model::to_local(post.published_at, blog.time_zone);
    if (!local) return std::unexpected(local.error());
    entry.date = *local;
    entry.tags = archived.tags;
    set_body(archived, entry);
    const bool generated =
        meta.contains("mt_excerpt_generated") && post.excerpt == markup::excerpt(post.html);
    entry.excerpt = generated ? std::string() : post.excerpt;
    entry.keywords = meta_of(meta, "mt_keywords");
    give_back_extras(meta, entry.extra_keys, entry.extra_sections);
    for (const auto& stored : archived.comments) {
        const auto& comment = stored.comment;
        if (comment.status != model::CommentStatus::approved) continue;
        mt::Comment written;
        written.is_ping = stored.kind == store::CommentKind::ping;
        if (written.is_ping) {
            written.blog_name = comment.author_name;
            written.title = meta_of(stored.meta, "title").value_or("");
        } else {
            written.author = comment.author_name;
            written.email = comment.author_email;
        }
        written.url = meta_of(stored.meta, "url").value_or(comment.author_url);
        written.ip = stored.author_ip;
        auto when = model::to_local(comment.created_at, blog.time_zone);
        if (!when) return std::unexpected(when.error());
        written.date = *when;
        written.text = comment.source;
        mt::ExtraFields no_sections;
        give_back_extras(stored.meta, written.extra_keys, no_sections);
        entry.comments.push_back(std::move(written));
    }
    return entry;
}

}  // namespace

Result<std::size_t> export_movable_type(store::Store& store, std::int64_t blog_id,
                                        std::ostream& out) {
    auto blog = store.blogs().find_blog(blog_id);
    if (!blog) return std::unexpected(blog.error());
    if (!*blog) {
        return model::fail(model::Error::Code::not_found,
                           fmt::format("there is no blog {}", blog_id));
    }
    std::size_t written = 0;
    std::string text;
    auto exported = store.archive().each_archived_post(
        blog_id, [&](const store::ArchivedPost& archived) -> model::Status {
            auto entry = entry_of(store, **blog, archived);
            if (!entry) return std::unexpected(entry.error());
            text.clear();
            mt::write_entry(text, *entry);
            out.write(text.data(), static_cast<std::streamsize>(text.size()));
            if (!out) return model::fail(model::Error::Code::io, "the export cannot be written");
            ++written;
            return {};
        });
    if (!exported) return std::unexpected(exported.error());
    return written;
}

Result<std::string> export_movable_type(store::Store& store, std::int64_t blog_id) {
    std::ostringstream out;
    auto written = export_movable_type(store, blog_id, out);
    if (!written) return std::unexpected(written.error());
    return std::move(out).str();
}

}  // namespace carnet::interop
