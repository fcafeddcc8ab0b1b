#include "interop/archive_import.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <utility>

#include "markup/markup.hpp"
#include "text/text.hpp"

namespace carnet::interop::archive {
namespace {

bool looks_like_html(std::string_view text) {
    for (std::size_t at = text.find('<'); at != std::string_view::npos && at + 1 < text.size();
         at = text.find('<', at + 1)) {
        const char next = text[at + 1];
        if (std::isalpha(static_cast<unsigned char>(next)) || next == '/') return true;
    }
    return false;
}

// Replaces every `tag` (matched without regard to case) by `with`.
std::string replace_tag(const std::string& text, std::string_view tag, std::string_view with) {
    std::string lower(text);
    std::ranges::transform(lower, lower.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    std::string out;
    std::size_t from = 0;
    for (auto at = lower.find(tag); at != std::string::npos; at = lower.find(tag, from)) {
        out.append(text, from, at - from);
        out += with;
        from = at + tag.size();
    }
    out.append(text, from);
    return out;
}

bool same_comment(const store::ArchivedComment& a, const store::ArchivedComment& b) {
    return a.kind == b.kind && a.comment.created_at == b.comment.created_at &&
           a.comment.author_name == b.comment.author_name && a.comment.source == b.comment.source;
}

// Adds the comments of `planned` that `present` lacks, replies under their parent's id.
model::Result<std::size_t> add_missing_comments(
    store::Writer& writer, std::int64_t post_id, const PlannedPost& planned,
    const std::vector<store::ArchivedComment>& present) {
    const auto& comments = planned.archived.comments;
    std::vector<std::int64_t> ids(comments.size(), 0);
    std::size_t added = 0;
    for (std::size_t index = 0; index < comments.size(); ++index) {
        auto comment = comments[index];
        const auto known = std::ranges::find_if(
            present, [&](const auto& old) { return same_comment(old, comment); });
        if (known != present.end()) {
            ids[index] = known->comment.id;
            continue;
        }
        comment.comment.post_id = post_id;
        const auto parent = index < planned.parent_of.size() ? planned.parent_of[index] : 0;
        comment.comment.parent_id = parent > 0 ? ids[parent - 1] : 0;
        auto id = writer.archive().add_archived_comment(comment);
        if (!id) return at_line(planned.line, id.error());
        ids[index] = *id;
        ++added;
    }
    return added;
}

// The post an earlier import made of an undated post: dated at that import, it is known by
// its slug (or a numbered one, when the slug was taken), title, source and undated mark.
model::Result<std::optional<std::int64_t>> find_undated_copy(store::Writer& writer,
                                                             const model::Blog& blog,
                                                             const PlannedPost& planned) {
    const auto& post = planned.archived.post;
    for (int suffix = 1;; ++suffix) {
        const auto slug = suffix == 1 ? post.slug : fmt::format("{}-{}", post.slug, suffix);
        auto taken = writer.posts().find_post_by_slug(blog.id, slug);
        if (!taken) return std::unexpected(taken.error());
        if (!*taken) return std::nullopt;
        if ((*taken)->title != post.title || (*taken)->source != post.source) continue;
        auto present = writer.archive().archived_post(blog.id, (*taken)->id);
        if (!present) return std::unexpected(present.error());
        if (*present && (*present)->meta.contains(planned.undated_key)) return (*taken)->id;
    }
}

}  // namespace

std::string counted(std::size_t count, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::unexpected<model::Error> at_line(int line, const model::Error& error) {
    return model::fail(error.code, fmt::format("line {}: {}", line, error.message));
}

std::string comment_text(const std::string& source) {
    if (!looks_like_html(source)) return source;
    std::string text = source;
    // A break at the end of a line is that line's end, not a blank line.
    for (std::string_view tag : {"<br />\n", "<br/>\n", "<br>\n", "<br />", "<br/>", "<br>"}) {
        text = replace_tag(text, tag, "\n");
    }
    for (std::string_view tag : {"<p>", "</p>"}) text = replace_tag(text, tag, "\n\n");
    std::string out;
    std::string paragraph;
    std::size_t at = 0;
    const auto flush = [&] {
        if (paragraph.empty()) return;
        if (!out.empty()) out += "\n\n";
        out += paragraph;
        paragraph.clear();
    };
    while (at <= text.size()) {
        const auto end = text.find('\n', at);
        const auto line = text::html_to_text(std::string_view(text).substr(
            at, end == std::string::npos ? std::string::npos : end - at));
        if (line.empty()) {
            flush();
        } else {
            if (!paragraph.empty()) paragraph += '\n';
            paragraph += line;
        }
        if (end == std::string::npos) break;
        at = end + 1;
    }
    flush();
    return out;
}

model::Result<Written> write_post(store::Writer& writer, const model::Blog& blog,
                                  PlannedPost& planned) {
    auto& post = planned.archived.post;
    const auto& comments = planned.archived.comments;
    auto existing = planned.undated_key.empty()
                        ? writer.archive().find_post_at(
                              blog.id, post.published_at, post.slug,
                              planned.identity_value.empty() ? "" : planned.identity_key,
                              planned.identity_value)
                        : find_undated_copy(writer, blog, planned);
    if (!existing) return std::unexpected(existing.error());
    if (*existing) {
        auto present = writer.archive().archived_post(blog.id, **existing);
        if (!present) return std::unexpected(present.error());
        auto added = add_missing_comments(
            writer, **existing, planned,
            *present ? (*present)->comments : std::vector<store::ArchivedComment>{});
        if (!added) return std::unexpected(added.error());
        if (*added > 0) {
            return Written{
                Outcome::merged,
                fmt::format("line {}: merged {} into \"{}\", already present", planned.line,
                            counted(*added, "comment or ping", "comments and pings"), post.title)};
        }
        return Written{
            Outcome::skipped,
            fmt::format("line {}: skipped \"{}\": already present, with all its comments",
                        planned.line, post.title)};
    }
    // A slug taken by another post (another date) gets a number, as in page order.
    const std::string wanted = post.slug;
    for (int suffix = 2;; ++suffix) {
        auto taken = writer.posts().find_post_by_slug(blog.id, post.slug);
        if (!taken) return std::unexpected(taken.error());
        if (!*taken) break;
        post.slug = fmt::format("{}-{}", wanted, suffix);
    }
    if (!planned.undated_key.empty()) planned.archived.meta.emplace(planned.undated_key, "1");
    auto created = writer.posts().create_post(post);
    if (!created) return at_line(planned.line, created.error());
    post.id = *created;
    auto extras = writer.archive().set_post_extras(blog.id, *created, planned.archived.tags,
                                                   planned.archived.meta);
    if (!extras) return at_line(planned.line, extras.error());
    std::string line =
        fmt::format("line {}: imported \"{}\" ({}, {}, {})", planned.line, post.title,
                    planned.status_label, counted(post.categories.size(), "category", "categories"),
                    counted(comments.size(), "comment or ping", "comments and pings"));
    const auto path = model::post_path(blog, post);
    if (planned.old_path && *planned.old_path != path) {
        auto redirected =
            writer.redirects().add_post_redirect(blog.id, *planned.old_path, *created);
        if (!redirected) return at_line(planned.line, redirected.error());
        line += fmt::format("; {} redirects to {}", *planned.old_path, path);
    }
    auto added = add_missing_comments(writer, *created, planned, {});
    if (!added) return std::unexpected(added.error());
    return Written{Outcome::imported, std::move(line)};
}

}  // namespace carnet::interop::archive
