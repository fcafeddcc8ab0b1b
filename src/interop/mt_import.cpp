// Importing a Movable Type export: every entry becomes a post with its comments and pings,
// all in one transaction; what the format holds beyond carnet's fields goes to the post's
// meta so that export_movable_type gives it back.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interop/interop.hpp"
#include "interop/mt_format.hpp"
#include "markup/markup.hpp"

namespace carnet::interop {
namespace {

using Code = model::Error::Code;

std::unexpected<model::Error> at_line(int line, const model::Error& error) {
    return model::fail(error.code, fmt::format("line {}: {}", line, error.message));
}

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

// What the comment renderer is given for a comment of another host. Those are often HTML,
// which carnet never shows from a commenter: its paragraphs and breaks are kept, its other
// tags dropped and its entities decoded, and the text is then rendered (and escaped) like
// any comment typed on carnet. The original stays in the comment's source for the export.
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
        const auto line = markup::plain_text(std::string_view(text).substr(
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

std::string archive_path(const model::LocalDateTime& local, std::string_view basename) {
    return fmt::format("/archive/{:04}/{:02}/{:02}/{}.html", local.year, local.month, local.day,
                       basename);
}

struct Planned {
    const mt::Entry* entry = nullptr;
    store::ArchivedPost archived;
    std::string basename;  // empty without BASENAME
    std::optional<std::string> old_path;
};

model::Result<store::ArchivedComment> plan_comment(const mt::Comment& read,
                                                   const model::Blog& blog) {
    auto created_at = model::to_instant(read.date, blog.time_zone);
    if (!created_at) return at_line(read.line, created_at.error());
    store::ArchivedComment archived;
    archived.kind = read.is_ping ? store::CommentKind::ping : store::CommentKind::comment;
    archived.author_ip = read.ip;
    auto& comment = archived.comment;
    comment.blog_id = blog.id;
    comment.author_name = read.is_ping ? read.blog_name : read.author;
    comment.author_email = read.email;
    comment.author_url = markup::safe_url(read.url).value_or("");
    if (comment.author_url != read.url) archived.meta["url"] = read.url;
    if (read.is_ping) archived.meta["title"] = read.title;
    comment.source = read.text;
    comment.html = read.text.empty() ? "" : markup::render_comment(comment_text(read.text));
    comment.status = model::CommentStatus::approved;
    comment.created_at = *created_at;
    return archived;
}

model::Result<Planned> plan_entry(const mt::Entry& entry, const model::Blog& blog,
                                  std::vector<std::string>& warnings) {
    Planned planned;
    planned.entry = &entry;
    auto published_at = model::to_instant(entry.date, blog.time_zone);
    if (!published_at) return at_line(entry.line, published_at.error());
    auto& post = planned.archived.post;
    auto& meta = planned.archived.meta;
    post.blog_id = blog.id;
    post.title = entry.title;
    post.status = entry.status == "Draft"    ? model::PostStatus::draft
                  : entry.status == "Future" ? model::PostStatus::scheduled
                                             : model::PostStatus::published;
    post.published_at = *published_at;
    post.updated_at = *published_at;
    post.comments_open = !entry.allow_comments || *entry.allow_comments == "1";
    if (entry.allow_comments && *entry.allow_comments == "2") meta["mt_allow_comments"] = "2";

    const auto format = mt::body_format(entry.convert_breaks);
    if (format == mt::BodyFormat::unknown) {
        warnings.push_back(fmt::format(
            "line {}: \"{}\": CONVERT BREAKS {} is not a format carnet renders: the body is "
            "kept as HTML, as written",
            entry.line, entry.title, *entry.convert_breaks));
    }
    post.source_format = format == mt::BodyFormat::markdown ? model::SourceFormat::markdown
                                                            : model::SourceFormat::html;
    post.source = mt::post_source(format, entry.body, entry.extended_body);
    post.html = markup::render_post_body(post.source_format, post.source);
    if (entry.excerpt && !entry.excerpt->empty()) {
        post.excerpt = *entry.excerpt;
    } else {
        post.excerpt = markup::excerpt(post.html);
        meta["mt_excerpt_generated"] = "1";
    }
    meta["mt_body"] = entry.body;
    if (entry.extended_body) meta["mt_extended_body"] = *entry.extended_body;
    if (entry.convert_breaks) meta["mt_convert_breaks"] = *entry.convert_breaks;
    if (entry.author) meta["mt_author"] = *entry.author;
    if (entry.allow_pings) meta["mt_allow_pings"] = *entry.allow_pings;
    if (entry.keywords) meta["mt_keywords"] = *entry.keywords;

    if (entry.basename && !entry.basename->empty()) {
        planned.basename = *entry.basename;
        meta["mt_basename"] = planned.basename;
        post.slug = model::make_slug(planned.basename) == planned.basename
                        ? planned.basename
                        : model::make_slug(planned.basename);
        planned.old_path = archive_path(entry.date, planned.basename);
    } else {
        post.slug = model::make_slug(entry.title);
    }
    for (const auto& name : entry.categories) {
        model::Category category;
        category.blog_id = blog.id;
        category.name = name;
        post.categories.push_back(std::move(category));
    }
    planned.archived.tags = entry.tags;
    for (const auto& read : entry.comments) {
        auto comment = plan_comment(read, blog);
        if (!comment) return std::unexpected(comment.error());
        planned.archived.comments.push_back(std::move(*comment));
    }
    return planned;
}

bool same_comment(const store::ArchivedComment& a, const store::ArchivedComment& b) {
    return a.kind == b.kind && a.comment.created_at == b.comment.created_at &&
           a.comment.author_name == b.comment.author_name && a.comment.source == b.comment.source;
}

std::string counted(std::size_t count, std::string_view one, std::string_view many) {
    return fmt::format("{} {}", count, count == 1 ? one : many);
}

}  // namespace

Result<MtImportReport> import_movable_type(store::Store& store, std::int64_t blog_id,
                                           std::string_view bytes, const MtImportOptions& options) {
    MtImportReport report;
    auto text = mt::decode(bytes, options.encoding, &report.encoding);
    if (!text) return std::unexpected(text.error());
    auto entries = mt::parse(*text);
    if (!entries) return std::unexpected(entries.error());
    auto blog = store.find_blog(blog_id);
    if (!blog) return std::unexpected(blog.error());
    if (!*blog) return model::fail(Code::not_found, fmt::format("there is no blog {}", blog_id));

    std::vector<std::string> warnings;
    if (options.encoding == TextEncoding::detect && report.encoding != TextEncoding::utf8) {
        warnings.push_back("the file is not valid UTF-8: read as windows-1252");
    }
    std::vector<Planned> planned;
    planned.reserve(entries->size());
    for (const auto& entry : *entries) {
        auto item = plan_entry(entry, **blog, warnings);
        if (!item) return std::unexpected(item.error());
        planned.push_back(std::move(*item));
    }

    const auto encoding = report.encoding;
    auto written = store.write([&](store::Writer& writer) -> model::Status {
        // Counted afresh on every run of the body: only a committed run is reported.
        report = MtImportReport{};
        report.encoding = encoding;
        report.lines = warnings;
        std::size_t done = 0;
        for (auto& item : planned) {
            const auto& entry = *item.entry;
            auto& post = item.archived.post;
            auto existing =
                writer.find_post_at(blog_id, post.published_at, post.slug,
                                    item.basename.empty() ? "" : "mt_basename", item.basename);
            if (!existing) return std::unexpected(existing.error());
            if (*existing) {
                auto present = writer.archived_post(blog_id, **existing);
                if (!present) return std::unexpected(present.error());
                std::size_t added = 0;
                for (auto comment : item.archived.comments) {
                    comment.comment.post_id = **existing;
                    const bool known =
                        *present && std::ranges::any_of((*present)->comments, [&](const auto& old) {
                            return same_comment(old, comment);
                        });
                    if (known) continue;
                    auto added_id = writer.add_archived_comment(comment);
                    if (!added_id) return std::unexpected(added_id.error());
                    ++added;
                }
                if (added > 0) {
                    ++report.merged;
                    report.lines.push_back(fmt::format(
                        "line {}: merged {} into \"{}\", already present", entry.line,
                        counted(added, "comment or ping", "comments and pings"), entry.title));
                } else {
                    ++report.skipped;
                    report.lines.push_back(fmt::format(
                        "line {}: skipped \"{}\": already present, with all its comments",
                        entry.line, entry.title));
                }
            } else {
                // A slug taken by another post (another date) gets a number, as in page order.
                const std::string wanted = post.slug;
                for (int suffix = 2;; ++suffix) {
                    auto taken = writer.find_post_by_slug(blog_id, post.slug);
                    if (!taken) return std::unexpected(taken.error());
                    if (!*taken) break;
                    post.slug = fmt::format("{}-{}", wanted, suffix);
                }
                auto created = writer.create_post(post);
                if (!created) return at_line(entry.line, created.error());
                post.id = *created;
                auto extras = writer.set_post_extras(blog_id, *created, item.archived.tags,
                                                     item.archived.meta);
                if (!extras) return at_line(entry.line, extras.error());
                std::string line = fmt::format(
                    "line {}: imported \"{}\" ({}, {}, {})", entry.line, entry.title, entry.status,
                    counted(post.categories.size(), "category", "categories"),
                    counted(item.archived.comments.size(), "comment or ping",
                            "comments and pings"));
                if (item.old_path && *item.old_path != model::post_path(**blog, post)) {
                    auto redirected = writer.add_post_redirect(blog_id, *item.old_path, *created);
                    if (!redirected) return at_line(entry.line, redirected.error());
                    line += fmt::format("; {} redirects to {}", *item.old_path,
                                        model::post_path(**blog, post));
                }
                report.lines.push_back(std::move(line));
                for (auto comment : item.archived.comments) {
                    comment.comment.post_id = *created;
                    auto added = writer.add_archived_comment(comment);
                    if (!added) return at_line(entry.line, added.error());
                }
                ++report.imported;
            }
            ++done;
            if (options.progress) options.progress(done, planned.size());
        }
        return {};
    });
    if (!written) return std::unexpected(written.error());
    return report;
}

}  // namespace carnet::interop
