// Importing a Movable Type export: every entry becomes a post with its comments and pings,
// all in one transaction; what the format holds beyond carnet's fields goes to the post's
// meta so that export_movable_type gives it back.
#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <istream>
#include <map>
#include <optional>
#include <span>
#include <spanstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interop/archive_import.hpp"
#include "interop/interop.hpp"
#include "interop/mt_format.hpp"
#include "markup/markup.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

using Code = model::Error::Code;

std::string archive_path(const model::LocalDateTime& local, std::string_view basename) {
    return fmt::format("/archive/{:04}/{:02}/{:02}/{}.html", local.year, local.month, local.day,
                       basename);
}

// A title for an entry the file left untitled: its first words, as a reader would name it.
std::string title_from_body(const std::string& html, std::string_view locale) {
    constexpr std::size_t k_words = 8;
    const auto text = text::html_to_text(html);
    std::string title;
    std::size_t words = 0;
    std::size_t at = 0;
    while (words < k_words) {
        at = text.find_first_not_of(" \t\n", at);
        if (at == std::string::npos) break;
        const auto end = std::min(text.find_first_of(" \t\n", at), text.size());
        if (!title.empty()) title += ' ';
        title.append(text, at, end - at);
        ++words;
        at = end;
    }
    if (title.empty()) return locale == "fr" ? "Sans titre" : "Untitled";
    if (text.find_first_not_of(" \t\n", at) != std::string::npos) title += "…";
    return title;
}

// What the file holds under keys and sections carnet has no field for, as meta the export
// gives back: "mt_key:KEY" (one value per line when the key repeats), "mt_section:NAME".
void keep_extras(const mt::ExtraFields& fields, std::string_view prefix,
                 std::map<std::string, std::string>& meta) {
    for (const auto& [name, value] : fields) {
        auto [at, added] = meta.try_emplace(fmt::format("{}{}", prefix, name), value);
        if (!added) {
            at->second += '\n';
            at->second += value;
        }
    }
}

model::Result<store::ArchivedComment> plan_comment(const mt::Comment& read, const model::Blog& blog,
                                                   const model::LocalDateTime& entry_date) {
    auto created_at = model::to_instant(read.has_date ? read.date : entry_date, blog.time_zone);
    if (!created_at) return archive::at_line(read.line, created_at.error());
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
    comment.html =
        read.text.empty() ? "" : markup::render_comment(archive::comment_text(read.text));
    comment.status = model::CommentStatus::approved;
    comment.created_at = *created_at;
    keep_extras(read.extra_keys, "mt_key:", archived.meta);
    return archived;
}

model::Result<archive::PlannedPost> plan_entry(mt::Entry& entry, const model::Blog& blog,
                                               model::Instant import_time,
                                               std::vector<std::string>& warnings) {
    archive::PlannedPost planned;
    planned.line = entry.line;
    planned.status_label = entry.status;
    planned.identity_key = "mt_basename";
    for (auto& note : entry.notes) warnings.push_back(std::move(note));
    if (!entry.has_date) {
        planned.undated_key = "mt_undated";
        // Read back in the blog's zone below, as a date the file gave would be.
        auto local = model::to_local(import_time, blog.time_zone);
        if (!local) return archive::at_line(entry.line, local.error());
        entry.date = *local;
    }
    auto published_at = model::to_instant(entry.date, blog.time_zone);
    if (!published_at) return archive::at_line(entry.line, published_at.error());
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
    if (entry.allow_comments && *entry.allow_comments == "2")
        meta.emplace("mt_allow_comments", "2");

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
    if (!entry.has_title) {
        post.title = title_from_body(post.html, blog.locale);
        meta["mt_title_generated"] = post.title;
        warnings.push_back(
            fmt::format("line {}: an entry without TITLE: titled \"{}\"", entry.line, post.title));
    }
    keep_extras(entry.extra_keys, "mt_key:", meta);
    keep_extras(entry.extra_sections, "mt_section:", meta);
    if (entry.excerpt && !entry.excerpt->empty()) {
        post.excerpt = *entry.excerpt;
    } else {
        post.excerpt = markup::excerpt(post.html);
        meta.emplace("mt_excerpt_generated", "1");
    }
    // The body as written, for the export; where the post's source is that already (no break
    // converted, no extended body joined), only a mark that says so: at 100,000 posts the
    // second copy was 430 MiB, an eighth of the database.
    if (post.source == entry.body) {
        meta.emplace("mt_body_is_source", "1");
    } else {
        meta["mt_body"] = entry.body;
    }
    if (entry.extended_body) meta["mt_extended_body"] = *entry.extended_body;
    if (entry.convert_breaks) meta["mt_convert_breaks"] = *entry.convert_breaks;
    if (entry.author) meta["mt_author"] = *entry.author;
    if (entry.allow_pings) meta["mt_allow_pings"] = *entry.allow_pings;
    if (entry.keywords) meta["mt_keywords"] = *entry.keywords;

    if (entry.basename && !entry.basename->empty()) {
        const auto& basename = *entry.basename;
        planned.identity_value = basename;
        meta["mt_basename"] = basename;
        post.slug = model::make_slug(basename);
        planned.old_path = archive_path(entry.date, basename);
    } else {
        post.slug = model::make_slug(post.title);
    }
    for (const auto& name : entry.categories) {
        model::Category category;
        category.blog_id = blog.id;
        category.name = name;
        post.categories.push_back(std::move(category));
    }
    planned.archived.tags = entry.tags;
    for (const auto& read : entry.comments) {
        auto comment = plan_comment(read, blog, entry.date);
        if (!comment) return std::unexpected(comment.error());
        planned.archived.comments.push_back(std::move(*comment));
        planned.parent_of.push_back(0);  // the format has no threads
    }
    return planned;
}

}  // namespace

namespace {

// Reads the export from `input` a run of entries at a time and writes each entry as it is
// planned: one entry's text, rendering and rows are held at once, whatever the file's size.
Result<MtImportReport> import_from(store::Store& store, std::int64_t blog_id, std::istream& input,
                                   const MtImportOptions& options) {
    auto blog = store.blogs().find_blog(blog_id);
    if (!blog) return std::unexpected(blog.error());
    if (!*blog) return model::fail(Code::not_found, fmt::format("there is no blog {}", blog_id));
    auto pieces = mt::Pieces::open(input, options.encoding);
    if (!pieces) return std::unexpected(pieces.error());
    std::vector<std::string> warnings;
    if (options.encoding == TextEncoding::detect && pieces->encoding() != TextEncoding::utf8) {
        warnings.push_back("the file is not valid UTF-8: read as windows-1252");
    }

    MtImportReport report;
    auto written = store.write([&](store::Writer& writer) -> model::Status {
        // Counted afresh on every run of the body: only a committed run is reported.
        report = MtImportReport{};
        report.encoding = pieces->encoding();
        report.lines = warnings;
        if (auto rewound = pieces->rewind(); !rewound) return rewound;
        std::size_t done = 0;
        while (true) {
            auto piece = pieces->next();
            if (!piece) return std::unexpected(piece.error());
            if (!*piece) return {};
            mt::Parser parser((*piece)->text, (*piece)->first_line);
            while (true) {
                auto entry = parser.next();
                if (!entry) return std::unexpected(entry.error());
                if (!*entry) break;
                auto item = plan_entry(**entry, **blog, options.import_time, report.lines);
                if (!item) return std::unexpected(item.error());
                auto outcome = archive::write_post(writer, **blog, *item);
                if (!outcome) return std::unexpected(outcome.error());
                archive::record(report, std::move(*outcome));
                ++done;
                if (options.progress) options.progress(done, std::max(done, pieces->entries()));
            }
        }
    });
    if (!written) return std::unexpected(written.error());
    return report;
}

}  // namespace

Result<MtImportReport> import_movable_type(store::Store& store, std::int64_t blog_id,
                                           std::string_view bytes, const MtImportOptions& options) {
    std::ispanstream input(std::span<const char>(bytes.data(), bytes.size()));
    return import_from(store, blog_id, input, options);
}

Result<MtImportReport> import_movable_type_file(store::Store& store, std::int64_t blog_id,
                                                const std::filesystem::path& file,
                                                const MtImportOptions& options) {
    std::ifstream input(file, std::ios::binary);
    if (!input) return model::fail(Code::not_found, fmt::format("cannot read {}", file.string()));
    return import_from(store, blog_id, input, options);
}

}  // namespace carnet::interop
