// Importing a saved front page: every post of the page becomes a published post of the blog,
// all in one transaction, and the report tells the person what the page could not give.
#include <fmt/format.h>

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interop/interop.hpp"
#include "markup/markup.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

using Code = model::Error::Code;

std::string body_html(const PageTextPost& post) {
    std::string html;
    for (std::size_t index = 0; index < post.paragraphs.size(); ++index) {
        const bool subheading = index < post.is_subheading.size() && post.is_subheading[index];
        // h3: a subheading sits below the blog name and the post title on a page.
        const std::string_view tag = subheading ? "h3" : "p";
        html += fmt::format("<{0}>{1}</{0}>\n", tag, text::html_escape(post.paragraphs[index]));
    }
    return html;
}

std::string when(const PageTextPost& post) {
    const model::LocalDateTime& local = post.published_local;
    return fmt::format("{:02}/{:02}/{:04} {:02}:{:02}", local.day, local.month, local.year,
                       local.hour, local.minute);
}

std::string count_of(std::size_t count, std::string_view one, std::string_view many) {
    if (count == 0) return fmt::format("no {}", many);
    return fmt::format("{} {}", count, count == 1 ? one : many);
}

std::string imported_line(const PageTextPost& post, bool last_of_page) {
    std::string line = fmt::format("imported \"{}\" ({}, {})", post.title, when(post),
                                   count_of(post.categories.size(), "category", "categories"));
    if (!post.has_footer) {
        line += fmt::format("; it has no footer ({}): no time (00:00 used) and no categories",
                            last_of_page ? "the page was cut" : "it is missing from the page");
    } else if (!post.announced_comments) {
        // A footer without its count can only be the page's last line, cut short.
        line +=
            "; its footer was cut: the number of comments is unknown and categories may be "
            "missing";
    } else {
        const int comments = *post.announced_comments;
        line += fmt::format(
            "; the page announced {} {}, whose {} not in a saved page and could not be "
            "recovered",
            comments, comments == 1 ? "comment" : "comments",
            comments == 1 ? "text is" : "texts are");
    }
    return line;
}

struct PlannedPost {
    const PageTextPost* read = nullptr;
    model::Post post;
};

// Everything that needs no transaction is done before it, so the write lock is held only
// for the inserts.
Result<std::vector<PlannedPost>> plan_posts(const std::vector<PageTextPost>& read,
                                            const model::Blog& blog) {
    std::vector<PlannedPost> planned;
    planned.reserve(read.size());
    std::set<std::string> slugs_in_page;
    for (const PageTextPost& source : read) {
        auto published_at = model::to_instant(source.published_local, blog.time_zone);
        if (!published_at) {
            return model::fail(published_at.error().code,
                               fmt::format("line {}: \"{}\": {}", source.line, source.title,
                                           published_at.error().message));
        }
        model::Post post;
        post.blog_id = blog.id;
        post.status = model::PostStatus::published;
        post.title = source.title;
        // Two posts of one page may share a title (a daily column); each needs its own slug,
        // and numbering them in page order gives the same slugs on every import.
        const std::string base_slug = model::make_slug(source.title);
        post.slug = base_slug;
        for (int suffix = 2; slugs_in_page.contains(post.slug); ++suffix) {
            post.slug = fmt::format("{}-{}", base_slug, suffix);
        }
        slugs_in_page.insert(post.slug);
        post.source_format = model::SourceFormat::html;
        post.source = body_html(source);
        post.html = markup::render_post_body(post.source_format, post.source);
        post.excerpt = markup::excerpt(post.html);
        post.published_at = *published_at;
        post.updated_at = *published_at;
        post.comments_open = true;
        for (const std::string& name : source.categories) {
            model::Category category;
            category.blog_id = blog.id;
            category.name = name;  // the store makes the slug
            post.categories.push_back(std::move(category));
        }
        planned.push_back(PlannedPost{&source, std::move(post)});
    }
    return planned;
}

}  // namespace

Result<ImportReport> import_page_text(store::Store& store, std::int64_t blog_id,
                                      std::string_view text) {
    auto read = parse_page_text(text);
    if (!read) return std::unexpected(read.error());
    auto blog = store.blogs().find_blog(blog_id);
    if (!blog) return std::unexpected(blog.error());
    if (!*blog) return model::fail(Code::not_found, fmt::format("there is no blog {}", blog_id));
    auto planned = plan_posts(*read, **blog);
    if (!planned) return std::unexpected(planned.error());

    ImportReport report;
    auto written = store.write([&](store::Writer& writer) -> model::Status {
        // Counted afresh on every run of the body: only a committed run is reported.
        report = ImportReport{};
        for (const PlannedPost& item : *planned) {
            auto existing = writer.posts().find_post_by_slug(blog_id, item.post.slug);
            if (!existing) return std::unexpected(existing.error());
            if (*existing) {
                ++report.skipped;
                report.lines.push_back(fmt::format("skipped \"{}\" ({}): already present as \"{}\"",
                                                   item.read->title, when(*item.read),
                                                   item.post.slug));
                continue;
            }
            auto created = writer.posts().create_post(item.post);
            if (!created) {
                return model::fail(created.error().code,
                                   fmt::format("line {}: \"{}\": {}", item.read->line,
                                               item.read->title, created.error().message));
            }
            ++report.imported;
            report.lines.push_back(imported_line(*item.read, &item == &planned->back()));
        }
        return {};
    });
    if (!written) return std::unexpected(written.error());
    return report;
}

}  // namespace carnet::interop
