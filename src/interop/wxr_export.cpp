// Exporting a blog as WordPress eXtended RSS 1.2. What a WordPress import kept in a post's
// meta (its post meta, other taxonomies, ping status, ...) is given back; each post also
// carries carnet's own source, so that carnet reads its export back without loss.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <map>
#include <optional>
#include <ostream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "interop/interop.hpp"
#include "interop/wxr_format.hpp"
#include "markup/markup.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

std::string meta_or(const std::map<std::string, std::string>& meta, const std::string& key,
                    std::string fallback = {}) {
    const auto found = meta.find(key);
    return found == meta.end() ? std::move(fallback) : found->second;
}

// The [key, value] pairs an import kept as JSON; none when absent or unreadable.
std::vector<wxr::Meta> pairs_of(const std::map<std::string, std::string>& meta,
                                const std::string& key) {
    std::vector<wxr::Meta> pairs;
    const auto found = meta.find(key);
    if (found == meta.end()) return pairs;
    boost::system::error_code error;
    const auto parsed = boost::json::parse(found->second, error);
    if (error || !parsed.is_array()) return pairs;
    for (const auto& entry : parsed.as_array()) {
        if (!entry.is_array() || entry.as_array().size() != 2) continue;
        const auto& pair = entry.as_array();
        if (!pair[0].is_string() || !pair[1].is_string()) continue;
        pairs.push_back({std::string(pair[0].as_string()), std::string(pair[1].as_string())});
    }
    return pairs;
}

model::Result<std::pair<std::string, std::string>> local_and_utc(model::Instant instant,
                                                                 const model::Blog& blog) {
    auto local = model::to_local(instant, blog.time_zone);
    if (!local) return std::unexpected(local.error());
    auto utc = model::to_local(instant, "UTC");
    if (!utc) return std::unexpected(utc.error());
    return std::pair{wxr::format_date(*local), wxr::format_date(*utc)};
}

std::string_view status_text(const store::ArchivedPost& archived) {
    if (archived.post.status != model::PostStatus::draft) {
        return model::wordpress_status(archived.post.status);
    }
    // A private or pending post imported as a draft goes back as it was; so do an item of a
    // type carnet has no place for and a post behind a password (WordPress shows it only to
    // whoever knows the password), whatever their status.
    const auto status = archived.meta.find("wp_status");
    if (status != archived.meta.end() &&
        (archived.meta.contains("wp_post_type") || archived.meta.contains("wp_post_password"))) {
        return status->second;
    }
    if (status != archived.meta.end() && status->second != "publish" &&
        status->second != "future") {
        return status->second;
    }
    return "draft";
}

std::string_view approved_text(const store::ArchivedComment& archived) {
    switch (archived.comment.status) {
        case model::CommentStatus::approved:
            return "1";
        case model::CommentStatus::spam:
            return "spam";
        case model::CommentStatus::trash:
            return "trash";
        case model::CommentStatus::pending:
            break;
    }
    return "0";
}

// Carnet's image addresses are relative ("/media/<file>"): a file read on another host needs
// them whole. Only addresses that start an attribute or a srcset entry are touched.
std::string absolute_media(const std::string& html, std::string_view base) {
    constexpr std::string_view k_media = "/media/";
    std::string out;
    std::size_t from = 0;
    for (auto at = html.find(k_media); at != std::string::npos; at = html.find(k_media, at + 1)) {
        if (at == 0 || std::string_view("\"' ,").find(html[at - 1]) == std::string_view::npos) {
            continue;
        }
        out.append(html, from, at - from);
        out += base;
        from = at;
    }
    out.append(html, from);
    return out;
}

// The addresses of carnet's images a post's content uses ("<base>/media/<file>"), in order,
// each once: the export lists them as the post's attachments, for WordPress's importer to
// fetch.
std::vector<std::string> media_urls_in(const std::string& content, std::string_view base) {
    const std::string prefix = std::string(base) + "/media/";
    std::vector<std::string> urls;
    for (auto at = content.find(prefix); at != std::string::npos;
         at = content.find(prefix, at + 1)) {
        auto end = at + prefix.size();
        while (end < content.size() &&
               std::string_view("\"' <>()\n\t,?#").find(content[end]) == std::string_view::npos) {
            ++end;
        }
        if (end == at + prefix.size()) continue;
        auto url = content.substr(at, end - at);
        if (std::ranges::find(urls, url) == urls.end()) urls.push_back(std::move(url));
    }
    return urls;
}

class WxrExport {
public:
    WxrExport(store::Store& store, const model::Blog& blog, std::string base)
        : store_(store), blog_(blog), base_(std::move(base)) {}

    // Reads the posts twice, a batch at a time: first for the authors and tags that the
    // channel lists before its items, then for the items, written as they are made. Only the
    // attachment items (an image's address and title), which come after every post and
    // page, are held until the end.
    model::Result<std::size_t> run(std::ostream& out) {
        auto pages = store_.pages().pages(blog_.id, false);
        if (!pages) return std::unexpected(pages.error());
        auto categories = store_.categories().all_categories(blog_.id);
        if (!categories) return std::unexpected(categories.error());
        std::int64_t last_post_id = 0;
        auto listed = store_.archive().each_archived_post(
            blog_.id, [&](const store::ArchivedPost& archived) -> model::Status {
                auto creator = creator_of(archived);
                if (!creator) return std::unexpected(creator.error());
                for (const auto& tag : archived.tags) tags_.emplace(model::make_slug(tag), tag);
                last_post_id = std::max(last_post_id, archived.post.id);
                return {};
            });
        if (!listed) return std::unexpected(listed.error());
        // Pages share WordPress's numbering with posts: they come after the last post, and
        // attachments after the last page.
        std::int64_t last_id = last_post_id;
        for (const auto& page : *pages) last_id = std::max(last_id, last_post_id + page.id);

        wxr::Channel channel;
        channel.title = blog_.title;
        channel.link = base_;
        channel.description = blog_.subtitle;
        channel.language = blog_.locale == "en" ? "en-US" : "fr-FR";
        channel.wxr_version = "1.2";
        channel.base_site_url = base_;
        channel.base_blog_url = base_;
        wxr::Writer writer(channel, "Exported by carnet");
        for (const auto& author : authors_) writer.author(author.second);
        for (const auto& category : *categories) {
            writer.term({0, wxr::Term::Kind::category, "", category.slug, category.name, "", ""});
        }
        for (const auto& [slug, name] : tags_) {
            writer.term({0, wxr::Term::Kind::tag, "", slug, name, "", ""});
        }
        std::size_t written = 0;
        std::vector<wxr::Item> attachments;
        auto posts = store_.archive().each_archived_post(
            blog_.id, [&](const store::ArchivedPost& archived) -> model::Status {
                auto item = post_item(archived);
                if (!item) return std::unexpected(item.error());
                writer.item(*item);
                for (auto& attachment : attachment_items(*item, archived, last_id)) {
                    attachments.push_back(std::move(attachment));
                }
                ++written;
                return send(writer.take(), out);
            });
        if (!posts) return std::unexpected(posts.error());
        for (const auto& page : *pages) {
            auto item = page_item(page, last_post_id + page.id);
            if (!item) return std::unexpected(item.error());
            writer.item(*item);
            ++written;
        }
        for (const auto& attachment : attachments) writer.item(attachment);
        if (auto sent = send(writer.finish(), out); !sent) return std::unexpected(sent.error());
        return written;
    }

private:
    static model::Status send(const std::string& text, std::ostream& out) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
        if (!out) return model::fail(model::Error::Code::io, "the export cannot be written");
        return {};
    }

    // The images the post uses, as WordPress's attachment items under it: those the post's
    // content shows from carnet's media, and those a WordPress import kept as URLs.
    std::vector<wxr::Item> attachment_items(const wxr::Item& post,
                                            const store::ArchivedPost& archived,
                                            std::int64_t& last_id) {
        std::vector<std::pair<std::string, std::string>> found;  // URL, title
        for (auto& url : media_urls_in(post.content, base_)) found.emplace_back(url, "");
        const auto file_of = [](std::string_view url) {
            return url.substr(url.rfind('/') == std::string_view::npos ? 0 : url.rfind('/') + 1);
        };
        for (const auto& [id, url_and_title] : pairs_of(archived.meta, "wp_attachments")) {
            const auto newline = url_and_title.find('\n');
            auto url = url_and_title.substr(0, newline);
            // An earlier carnet export's image is listed under its old host: the same file as
            // the one the content shows from this blog's media.
            // Carnet names its files by their content's hash, so the name alone tells.
            const bool known = std::ranges::any_of(found, [&](const auto& seen) {
                return seen.first == url || (url.find("/media/") != std::string::npos &&
                                             file_of(seen.first) == file_of(url));
            });
            if (url.empty() || known) continue;
            found.emplace_back(std::move(url), newline == std::string::npos
                                                   ? std::string()
                                                   : url_and_title.substr(newline + 1));
        }
        std::vector<wxr::Item> items;
        for (auto& [url, title] : found) {
            const auto slash = url.rfind('/');
            const auto file = url.substr(slash == std::string::npos ? 0 : slash + 1);
            wxr::Item item;
            item.post_id = std::to_string(++last_id);
            item.title = title.empty() ? file.substr(0, file.rfind('.')) : title;
            item.link = url;
            item.pub_date = post.pub_date;
            item.creator = post.creator;
            item.guid = url;
            item.post_date = post.post_date;
            item.post_date_gmt = post.post_date_gmt;
            item.comment_status = "closed";
            item.ping_status = "closed";
            item.post_name = model::make_slug(item.title);
            item.status = "inherit";
            item.post_parent = post.post_id;
            item.post_type = "attachment";
            item.attachment_url = url;
            items.push_back(std::move(item));
        }
        return items;
    }

    // The login a post's author goes by in the file, their <wp:author> written once.
    model::Result<std::string> creator_of(const store::ArchivedPost& archived) {
        const auto& post = archived.post;
        auto login = meta_or(archived.meta, "wp_creator");
        if (post.author_id == 0) {
            if (!login.empty() && !authors_.contains(login)) {
                authors_[login] = {0, std::to_string(authors_.size() + 1), login, "", login, "",
                                   ""};
            }
            return login;
        }
        auto user = store_.accounts().find_user(post.author_id);
        if (!user) return std::unexpected(user.error());
        if (!*user) return login;
        if (login.empty()) {
            const auto& email = (*user)->email;
            login = model::make_slug(email.substr(0, email.find('@')));
            if (login.empty()) login = fmt::format("author-{}", post.author_id);
        }
        if (!authors_.contains(login)) {
            authors_[login] = {
                0, std::to_string(post.author_id), login, (*user)->email, (*user)->name, "", ""};
        }
        return login;
    }

    model::Result<wxr::Item> post_item(const store::ArchivedPost& archived) {
        const auto& post = archived.post;
        const auto& meta = archived.meta;
        wxr::Item item;
        item.title = post.title;
        item.link = base_ + model::post_path(blog_, post);
        item.pub_date = text::rfc822(post.published_at, 0);
        auto creator = creator_of(archived);
        if (!creator) return std::unexpected(creator.error());
        item.creator = *creator;
        item.post_id = std::to_string(post.id);
        item.guid = meta_or(meta, "wp_guid", fmt::format("{}/?p={}", base_, post.id));
        item.description = meta_or(meta, "wp_description");
        item.content = absolute_media(
            post.source_format == model::SourceFormat::html ? post.source : post.html, base_);
        const bool generated =
            meta.contains("wp_excerpt_generated") ||
            (meta.contains("mt_excerpt_generated") && post.excerpt == markup::excerpt(post.html));
        item.excerpt = generated ? std::string() : post.excerpt;
        auto published = local_and_utc(post.published_at, blog_);
        if (!published) return std::unexpected(published.error());
        std::tie(item.post_date, item.post_date_gmt) = *published;
        auto modified = local_and_utc(post.updated_at, blog_);
        if (!modified) return std::unexpected(modified.error());
        std::tie(item.post_modified, item.post_modified_gmt) = *modified;
        item.comment_status = post.comments_open ? "open" : "closed";
        item.ping_status = meta_or(meta, "wp_ping_status", "closed");
        item.post_name = post.slug;
        item.status = status_text(archived);
        item.post_type = meta_or(meta, "wp_post_type", "post");
        item.post_parent = meta_or(meta, "wp_post_parent");
        item.menu_order = meta_or(meta, "wp_menu_order");
        item.post_password = meta_or(meta, "wp_post_password");
        item.is_sticky = meta_or(meta, "wp_is_sticky", "0");
        for (const auto& category : post.categories) {
            item.terms.push_back({"category", category.slug, category.name});
        }
        for (const auto& tag : archived.tags) {
            const auto slug = model::make_slug(tag);
            tags_.emplace(slug, tag);
            item.terms.push_back({"post_tag", slug, tag});
        }
        for (const auto& [domain, slug_and_name] : pairs_of(meta, "wp_terms")) {
            const auto newline = slug_and_name.find('\n');
            item.terms.push_back(
                {domain, slug_and_name.substr(0, newline),
                 newline == std::string::npos ? "" : slug_and_name.substr(newline + 1)});
        }
        item.meta = pairs_of(meta, "wp_postmeta");
        item.meta.push_back(
            {"_carnet_source_format",
             post.source_format == model::SourceFormat::markdown ? "markdown" : "html"});
        if (post.source_format == model::SourceFormat::markdown) {
            item.meta.push_back({"_carnet_source", post.source});
        }
        for (const auto& stored : archived.comments) {
            auto comment = comment_item(stored);
            if (!comment) return std::unexpected(comment.error());
            item.comments.push_back(std::move(*comment));
        }
        return item;
    }

    model::Result<wxr::Comment> comment_item(const store::ArchivedComment& stored) {
        const auto& comment = stored.comment;
        wxr::Comment written;
        written.id = std::to_string(comment.id);
        written.author = comment.author_name;
        written.email = comment.author_email;
        written.url = meta_or(stored.meta, "url", comment.author_url);
        written.ip = stored.author_ip;
        auto created = local_and_utc(comment.created_at, blog_);
        if (!created) return std::unexpected(created.error());
        std::tie(written.date, written.date_gmt) = *created;
        written.content = comment.source;
        written.approved =
            meta_or(stored.meta, "wp_comment_approved", std::string(approved_text(stored)));
        written.type = meta_or(stored.meta, "wp_comment_type",
                               stored.kind == store::CommentKind::ping ? "trackback" : "");
        written.parent = std::to_string(comment.parent_id);
        written.user_id = meta_or(stored.meta, "wp_comment_user_id", "0");
        written.meta = pairs_of(stored.meta, "wp_commentmeta");
        return written;
    }

    model::Result<wxr::Item> page_item(const model::Page& page, std::int64_t id) {
        wxr::Item item;
        item.title = page.title;
        item.link = base_ + model::page_path(page.slug);
        item.pub_date = text::rfc822(page.updated_at, 0);
        item.post_id = std::to_string(id);
        item.guid = fmt::format("{}/?page_id={}", base_, id);
        item.content = absolute_media(page.html, base_);
        auto dates = local_and_utc(page.updated_at, blog_);
        if (!dates) return std::unexpected(dates.error());
        std::tie(item.post_date, item.post_date_gmt) = *dates;
        item.comment_status = "closed";
        item.ping_status = "closed";
        item.post_name = page.slug;
        item.status = page.published ? "publish" : "draft";
        item.menu_order = std::to_string(page.position);
        item.post_type = "page";
        return item;
    }

    store::Store& store_;
    const model::Blog& blog_;
    std::string base_;
    std::map<std::string, wxr::Author> authors_;  // by login
    std::map<std::string, std::string> tags_;     // slug -> name
};

}  // namespace

Result<std::size_t> export_wordpress(store::Store& store, std::int64_t blog_id, std::ostream& out) {
    auto blog = store.blogs().find_blog(blog_id);
    if (!blog) return std::unexpected(blog.error());
    if (!*blog) {
        return model::fail(model::Error::Code::not_found,
                           fmt::format("there is no blog {}", blog_id));
    }
    auto base = (*blog)->base_url;
    if (base.empty() && !(*blog)->hosts.empty()) base = "http://" + (*blog)->hosts.front();
    while (base.ends_with('/')) base.pop_back();
    WxrExport exporter(store, **blog, base);
    return exporter.run(out);
}

Result<std::string> export_wordpress(store::Store& store, std::int64_t blog_id) {
    std::ostringstream out;
    auto written = export_wordpress(store, blog_id, out);
    if (!written) return std::unexpected(written.error());
    return std::move(out).str();
}

}  // namespace carnet::interop
