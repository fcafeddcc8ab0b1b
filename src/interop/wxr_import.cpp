// Importing a WordPress export: a first pass over the stream learns the file's attachments
// and counts its items (and finds its encoding); a second one, inside the transaction, writes
// authors, categories, stored media, posts with their comments and pages, one item at a time.
#include <fmt/format.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url/pct_string_view.hpp>
#include <cctype>
#include <cstdlib>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "interop/archive_import.hpp"
#include "interop/interop.hpp"
#include "interop/mt_format.hpp"
#include "interop/wxr_format.hpp"
#include "markup/markup.hpp"
#include "media/media.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

using Code = model::Error::Code;
using archive::at_line;

// What pass one learns of an attachment.
struct Attachment {
    int line = 0;
    std::string id;
    std::string parent;  // the post's id, "0" for none
    std::string url;
    std::string title;
    std::string public_url;  // carnet's copy, once stored
};

struct FirstPass {
    std::size_t items = 0;
    std::vector<Attachment> attachments;
    std::map<std::string, std::vector<std::size_t>> attachments_of;  // post id -> indexes
    std::set<std::string> post_ids;  // of items that are posts, to tell orphans
};

// A WordPress slug ("nicename"), percent-decoded, as a carnet slug; made from `name` when
// it gives none.
std::string slug_from(std::string_view wordpress_slug, std::string_view name) {
    std::string decoded(wordpress_slug);
    if (auto parsed = boost::urls::make_pct_string_view(wordpress_slug)) {
        decoded = parsed->decode();
    }
    return model::make_slug(decoded.empty() ? name : std::string_view(decoded));
}

// True for a date WordPress writes when it has none: empty, or zeros ("0000-00-00 00:00:00").
bool is_unset_date(std::string_view text) {
    return std::ranges::all_of(text,
                               [](char c) { return c == '0' || c == '-' || c == ':' || c == ' '; });
}

// The instant of a WordPress date pair: the UTC one when the file has it, the local one read
// in the blog's time zone otherwise (drafts carry a zero UTC date). Nothing when the file
// leaves both unset; an error for a date that is set but cannot be read.
model::Result<std::optional<model::Instant>> instant_of(std::string_view local,
                                                        std::string_view gmt,
                                                        const model::Blog& blog, int line,
                                                        std::string_view what) {
    if (auto utc = wxr::parse_date(gmt)) return model::to_instant(*utc, "UTC");
    if (auto read = wxr::parse_date(local)) return model::to_instant(*read, blog.time_zone);
    if (is_unset_date(local) && is_unset_date(gmt)) return std::nullopt;
    return model::fail(Code::invalid_input,
                       fmt::format("line {}: invalid {} \"{}\" (expected YYYY-MM-DD hh:mm:ss)",
                                   line, what, is_unset_date(local) ? gmt : local));
}

std::string json_pairs(const std::vector<wxr::Meta>& pairs) {
    boost::json::array array;
    for (const auto& pair : pairs) {
        boost::json::array entry;
        entry.emplace_back(pair.key);
        entry.emplace_back(pair.value);
        array.emplace_back(std::move(entry));
    }
    return boost::json::serialize(array);
}

bool starts_with_block_comment(std::string_view content) {
    return content.find("<!-- wp:") != std::string_view::npos;
}

// The source carnet keeps for an item's content. The block editor's content is complete
// HTML; the classic editor's gets WordPress's automatic paragraphs, which are Movable Type's
// "convert breaks".
std::string post_source_of(std::string_view content) {
    if (starts_with_block_comment(content)) return std::string(content);
    return mt::post_source(mt::BodyFormat::breaks, content, std::nullopt);
}

// A path of the old blog to redirect from: the link's path, when it is one (not "/?p=12").
std::optional<std::string> old_path_of(std::string_view link) {
    const auto scheme = link.find("://");
    if (scheme == std::string_view::npos) return std::nullopt;
    const auto path_start = link.find('/', scheme + 3);
    if (path_start == std::string_view::npos) return std::nullopt;
    const auto path = link.substr(path_start);
    if (path.size() < 2 || path.find_first_of("?#") != std::string_view::npos) return std::nullopt;
    return std::string(path);
}

// The stored attachments by address, to point posts at carnet's copies. A post is scanned
// once per folder the attachments live in (WordPress files them by month), not once per
// attachment: a blog of many posts and many images stays linear.
class Copies {
public:
    void add(const Attachment& attachment) {
        const auto slash = attachment.url.rfind('/');
        if (slash == std::string::npos || attachment.public_url.empty()) return;
        by_url_[attachment.url] = attachment.public_url;
        folders_.insert(attachment.url.substr(0, slash + 1));
    }

    // Every reference to a stored file, sized copies included ("photo-300x200.jpg" for
    // "photo.jpg"), replaced with carnet's address.
    std::string apply(std::string text) const {
        for (const auto& folder : folders_) {
            if (text.find(folder) == std::string::npos) continue;
            std::string out;
            std::size_t from = 0;
            for (auto at = text.find(folder); at != std::string::npos;
                 at = text.find(folder, from)) {
                auto end = at + folder.size();
                while (end < text.size() && std::string_view("\"' <>()\n\t,").find(text[end]) ==
                                                std::string_view::npos) {
                    ++end;
                }
                const auto found = by_url_.find(without_size(text.substr(at, end - at)));
                out.append(text, from, at - from);
                if (found != by_url_.end()) {
                    out += found->second;
                } else {
                    out.append(text, at, end - at);
                }
                from = end;
            }
            out.append(text, from);
            text = std::move(out);
        }
        return text;
    }

    bool empty() const { return by_url_.empty(); }

private:
    // "photo-300x200.jpg" -> "photo.jpg".
    static std::string without_size(std::string url) {
        const auto dot = url.rfind('.');
        if (dot == std::string::npos) return url;
        const auto dash = url.rfind('-', dot);
        if (dash == std::string::npos) return url;
        const std::string_view size(url.data() + dash + 1, dot - dash - 1);
        const auto x = size.find('x');
        const auto digits = [](std::string_view part) {
            return !part.empty() && std::ranges::all_of(part, [](char c) {
                return std::isdigit(static_cast<unsigned char>(c)) != 0;
            });
        };
        if (x == std::string_view::npos || !digits(size.substr(0, x)) ||
            !digits(size.substr(x + 1))) {
            return url;
        }
        return url.erase(dash, dot - dash);
    }

    std::map<std::string, std::string> by_url_;  // original address -> carnet's
    std::set<std::string> folders_;
};

model::Result<FirstPass> first_pass(wxr::Reader& reader) {
    FirstPass pass;
    while (true) {
        auto event = reader.next();
        if (!event) return std::unexpected(event.error());
        if (event->kind == wxr::Event::Kind::end) return pass;
        if (event->kind != wxr::Event::Kind::item) continue;
        ++pass.items;
        auto& item = event->item;
        if (item.post_type == "attachment") {
            pass.attachments_of[item.post_parent].push_back(pass.attachments.size());
            pass.attachments.push_back(
                {item.line,
                 item.post_id,
                 item.post_parent,
                 item.attachment_url.empty() ? item.guid : item.attachment_url,
                 item.title,
                 {}});
        } else if (item.post_type != "page") {
            pass.post_ids.insert(item.post_id);
        }
    }
}

// The file of an attachment in the uploads folder: by its path under wp-content/uploads,
// else by its name alone.
std::optional<std::filesystem::path> find_upload(const std::filesystem::path& uploads_dir,
                                                 std::string_view url) {
    constexpr std::string_view k_uploads = "/wp-content/uploads/";
    std::vector<std::filesystem::path> candidates;
    if (const auto at = url.find(k_uploads); at != std::string_view::npos) {
        const auto relative = std::filesystem::path(url.substr(at + k_uploads.size()));
        if (relative.is_relative() &&
            std::ranges::none_of(relative, [](const auto& part) { return part == ".."; })) {
            candidates.push_back(uploads_dir / relative);
        }
    }
    const auto slash = url.rfind('/');
    const auto name = url.substr(slash == std::string_view::npos ? 0 : slash + 1);
    if (!name.empty() && name != "." && name != "..") candidates.push_back(uploads_dir / name);
    for (const auto& candidate : candidates) {
        std::error_code error;
        if (std::filesystem::is_regular_file(candidate, error)) return candidate;
    }
    return std::nullopt;
}

class WxrImport {
public:
    WxrImport(const model::Blog& blog, const WxrImportOptions& options, FirstPass& pass,
              WxrImportReport& report)
        : blog_(blog), options_(options), pass_(pass), report_(report) {}

    model::Status run(store::Writer& writer, wxr::Reader& reader) {
        channel_ = &reader.channel();
        if (auto status = store_media(writer); !status) return status;
        std::size_t done = 0;
        while (true) {
            auto event = reader.next();
            if (!event) return std::unexpected(event.error());
            switch (event->kind) {
                case wxr::Event::Kind::end:
                    for (const auto& note : channel_->notes) report_.lines.push_back(note);
                    report_skipped_kinds();
                    return {};
                case wxr::Event::Kind::author:
                    if (auto status = add_author(writer, event->author); !status) return status;
                    break;
                case wxr::Event::Kind::term:
                    if (auto status = add_term(writer, event->term); !status) return status;
                    break;
                case wxr::Event::Kind::item:
                    if (auto status = add_item(writer, event->item); !status) return status;
                    ++done;
                    if (options_.progress) options_.progress(done, pass_.items);
                    break;
            }
        }
    }

private:
    model::Status store_media(store::Writer& writer) {
        for (auto& attachment : pass_.attachments) {
            const bool orphan = attachment.parent.empty() || attachment.parent == "0" ||
                                !pass_.post_ids.contains(attachment.parent);
            if (options_.uploads_dir.empty()) {
                report_.lines.push_back(
                    orphan ? fmt::format("line {}: attachment {} belongs to no post: not kept "
                                         "(give the uploads folder with --media-dir to store "
                                         "its file)",
                                         attachment.line, attachment.url)
                           : fmt::format("line {}: attachment {} kept as a URL of post {} (give "
                                         "the uploads folder with --media-dir to store its file)",
                                         attachment.line, attachment.url, attachment.parent));
                continue;
            }
            const auto file = find_upload(options_.uploads_dir, attachment.url);
            if (!file) {
                report_.lines.push_back(
                    fmt::format("line {}: attachment {}: no such file in {}: its URL is kept",
                                attachment.line, attachment.url, options_.uploads_dir.string()));
                continue;
            }
            std::ifstream in(*file, std::ios::binary);
            std::ostringstream bytes;
            bytes << in.rdbuf();
            auto stored = media::store(options_.media_dir, bytes.str());
            if (!stored) {
                report_.lines.push_back(
                    fmt::format("line {}: attachment {}: not stored ({}): its URL is kept",
                                attachment.line, attachment.url, stored.error().message));
                continue;
            }
            store::MediaRecord record{.blog_id = blog_.id,
                                      .content_hash = stored->hash,
                                      .content_type = stored->content_type,
                                      .file_name = stored->file_name,
                                      .original_name = file->filename().string().substr(0, 200),
                                      .size_bytes = static_cast<std::int64_t>(stored->size_bytes),
                                      .width = stored->width,
                                      .height = stored->height};
            for (const auto& variant : stored->variants) {
                record.variants.push_back({variant.width, variant.height, variant.file_name});
            }
            auto added = writer.media().add_media(record, 0);
            if (!added) return at_line(attachment.line, added.error());
            // Originals may hold the camera's metadata: pages show the full-size variant.
            attachment.public_url =
                "/media/" +
                (stored->variants.empty() ? stored->file_name : stored->variants.back().file_name);
            copies_.add(attachment);
            ++report_.media;
            report_.lines.push_back(fmt::format("line {}: stored {} as {}", attachment.line,
                                                attachment.url, attachment.public_url));
        }
        return {};
    }

    model::Status add_author(store::Writer& writer, const wxr::Author& author) {
        if (author.email.empty()) {
            report_.lines.push_back(
                fmt::format("line {}: <wp:author> {} has no e-mail: their posts keep the name only",
                            author.line, author.login));
            return {};
        }
        auto found = writer.accounts().find_user_by_email(author.email);
        if (!found) return std::unexpected(found.error());
        if (*found) {
            accounts_[author.login] = (*found)->id;
            return {};
        }
        model::User user;
        user.email = author.email;
        user.name = !author.display_name.empty() ? author.display_name : author.login;
        // No password: nobody can sign in as them until `carnet user passwd` gives one.
        auto created = writer.accounts().create_user(user, "");
        if (!created) return at_line(author.line, created.error());
        if (auto status = writer.accounts().add_membership(blog_.id, *created, model::Role::author);
            !status)
            return status;
        accounts_[author.login] = *created;
        ++report_.accounts;
        report_.lines.push_back(fmt::format(
            "line {}: account {} <{}> created for author {}, without password (set one with "
            "carnet user passwd)",
            author.line, user.name, user.email, author.login));
        return {};
    }

    model::Status add_term(store::Writer& writer, const wxr::Term& term) {
        // WordPress's own exports write categories and tags as <wp:category> and <wp:tag>;
        // other tools write every term as <wp:term> with its taxonomy.
        const bool category = term.kind == wxr::Term::Kind::category ||
                              (term.kind == wxr::Term::Kind::other && term.taxonomy == "category");
        const bool tag = term.kind == wxr::Term::Kind::tag ||
                         (term.kind == wxr::Term::Kind::other && term.taxonomy == "post_tag");
        const std::string_view element = term.kind == wxr::Term::Kind::category ? "wp:category"
                                         : term.kind == wxr::Term::Kind::tag    ? "wp:tag"
                                                                                : "wp:term";
        if (category) {
            if (term.name.empty()) {
                report_.lines.push_back(
                    fmt::format("line {}: <{}> without a name: ignored", term.line, element));
                return {};
            }
            model::Category category;
            category.blog_id = blog_.id;
            category.name = term.name;
            category.slug = slug_from(term.slug, term.name);
            auto ensured = writer.categories().ensure_category(category);
            if (!ensured) return at_line(term.line, ensured.error());
            if (!term.description.empty()) {
                report_.lines.push_back(
                    fmt::format("line {}: <{}> \"{}\" has a description; carnet's categories "
                                "have none: dropped",
                                term.line, element, term.name));
            }
            // model::Category has no parent: the hierarchy is flattened, each category kept.
            if (!term.parent.empty() && term.parent != "0") {
                report_.lines.push_back(
                    fmt::format("line {}: <{}> \"{}\" is under \"{}\" in WordPress; carnet's "
                                "categories are flat: kept as a category of its own",
                                term.line, element, term.name, term.parent));
            }
        } else if (!tag) {
            auto& seen = channel_terms_[term.taxonomy.empty() ? "(none)" : term.taxonomy];
            if (seen.first == 0) seen.second = term.line;
            ++seen.first;
        }
        // Tags are created with the first post that uses them.
        return {};
    }

    model::Status add_item(store::Writer& writer, wxr::Item& item) {
        for (const auto& unknown : item.unknown) {
            auto& seen = unknown_elements_[unknown.name];
            if (seen.first == 0) seen.second = unknown.line;
            ++seen.first;
        }
        const auto& type = item.post_type;
        if (type == "page") return add_page(writer, item);
        if (type == "attachment") return {};
        // WordPress's importer takes an item without post type as a post. Other types are
        // posts too, kept hidden: see plan_post.
        if (type.empty()) {
            report_.lines.push_back(
                fmt::format("line {}: <item> \"{}\" has no <wp:post_type>: imported as a post",
                            item.line, item.title));
        }
        return add_post(writer, item);
    }

    model::Status add_post(store::Writer& writer, const wxr::Item& item) {
        auto planned = plan_post(item);
        if (!planned) return std::unexpected(planned.error());
        if (!*planned) return {};
        auto outcome = archive::write_post(writer, blog_, **planned);
        if (!outcome) return std::unexpected(outcome.error());
        archive::record(report_, std::move(*outcome));
        return {};
    }

    // Content a carnet export made absolute ("https://host/media/...") made relative again,
    // so that the images are this blog's own.
    std::string carnet_relative(const std::string& content) const {
        auto base = channel_ == nullptr ? std::string() : channel_->base_site_url;
        while (base.ends_with('/')) base.pop_back();
        if (base.empty()) return content;
        const auto absolute = base + "/media/";
        std::string out;
        std::size_t from = 0;
        for (auto at = content.find(absolute); at != std::string::npos;
             at = content.find(absolute, from)) {
            out.append(content, from, at - from);
            out += "/media/";
            from = at + absolute.size();
        }
        out.append(content, from);
        return out;
    }

    // The content with references to stored attachments pointing at carnet's copies.
    std::string with_copies(std::string text) const {
        return copies_.empty() ? text : copies_.apply(std::move(text));
    }

    // The date of a post the file leaves undated: a published (or scheduled) post was shown at
    // some time, which the item's own <pubDate> or else the channel's tells best; a draft is
    // dated when it comes in.
    model::Instant default_date(const wxr::Item& item, bool shown, std::string& how) const {
        if (shown) {
            if (auto own = wxr::parse_rss_date(item.pub_date)) {
                how = "dated by its <pubDate>";
                return *own;
            }
            if (auto exported = wxr::parse_rss_date(channel_->pub_date)) {
                how = "dated by the channel's <pubDate>, when the file was exported";
                return *exported;
            }
        }
        how = "dated at the time of the import";
        return options_.import_time;
    }

    // An item whose wp:post_id an earlier item of the file has: the same post written twice
    // (same date and slug: skipped, as WordPress's importer skips it) or another post that a
    // tool numbered badly (imported as a post of its own).
    enum class Repeat { first, same_post, other_post };
    Repeat check_repeat(const wxr::Item& item) {
        if (item.post_id.empty()) return Repeat::first;
        const auto key = item.post_date + "\n" + item.post_date_gmt + "\n" + item.post_name;
        const auto [found, inserted] = post_ids_.try_emplace(item.post_id, item.line, key);
        if (inserted) return Repeat::first;
        const auto& [first_line, first_key] = found->second;
        if (first_key == key && !item.post_name.empty()) {
            report_.lines.push_back(fmt::format(
                "line {}: <item> \"{}\" repeats <wp:post_id> {} of the item at line {} with the "
                "same date and slug: skipped as the same post",
                item.line, item.title, item.post_id, first_line));
            return Repeat::same_post;
        }
        report_.lines.push_back(fmt::format(
            "line {}: <item> \"{}\" has <wp:post_id> {}, which the item at line {} already has: "
            "imported as a post of its own",
            item.line, item.title, item.post_id, first_line));
        return Repeat::other_post;
    }

    model::Result<std::optional<archive::PlannedPost>> plan_post(const wxr::Item& item) {
        const auto repeat = check_repeat(item);
        if (repeat == Repeat::same_post) return std::nullopt;
        archive::PlannedPost planned;
        planned.line = item.line;
        planned.status_label = item.status.empty() ? "no status" : item.status;
        planned.identity_key = "wp_post_id";
        // A repeated id would make the first post look like this one on the next import.
        if (repeat == Repeat::first) planned.identity_value = item.post_id;
        planned.old_path = old_path_of(item.link);
        auto& post = planned.archived.post;
        auto& meta = planned.archived.meta;
        post.blog_id = blog_.id;

        const std::string status = item.status;
        // carnet's posts are WordPress's posts; an item of another type (a menu entry, a
        // reusable block, a form's message, a plugin's own) has no place to be shown, so it is
        // kept hidden as a draft and given back with its type and status by the export.
        const bool other_type = !item.post_type.empty() && item.post_type != "post";
        if (other_type) meta["wp_post_type"] = item.post_type;
        if (status.empty()) {
            // wp_insert_post makes a post without status a draft.
            post.status = model::PostStatus::draft;
            report_.lines.push_back(
                fmt::format("line {}: <item> \"{}\" has no <wp:status>: imported as a draft",
                            item.line, item.title));
        } else if (other_type) {
            post.status = model::PostStatus::draft;
            if (status != "draft") meta["wp_status"] = status;
        } else if (status == "publish") {
            post.status = model::PostStatus::published;
        } else if (status == "future") {
            post.status = model::PostStatus::scheduled;
        } else if (status == "trash") {
            post.status = model::PostStatus::trash;
        } else {
            post.status = model::PostStatus::draft;
            if (status != "draft" && status != "auto-draft") meta["wp_status"] = status;
            if (status == "private" || status == "pending") {
                report_.lines.push_back(
                    fmt::format("line {}: \"{}\" is {} in WordPress: imported as a draft",
                                item.line, item.title, status));
            } else if (status != "draft" && status != "auto-draft") {
                report_.lines.push_back(
                    fmt::format("line {}: \"{}\": unknown status \"{}\": imported as a draft",
                                item.line, item.title, status));
            }
        }
        if (!item.post_password.empty()) {
            meta["wp_post_password"] = item.post_password;
            if (post.status == model::PostStatus::published ||
                post.status == model::PostStatus::scheduled) {
                post.status = model::PostStatus::draft;
                meta["wp_status"] = status;
                report_.lines.push_back(
                    fmt::format("line {}: \"{}\" is protected by a password in WordPress: "
                                "imported as a draft, so that it is not shown to everyone",
                                item.line, item.title));
            }
        }

        if (post.status == model::PostStatus::draft && status != "draft") {
            planned.status_label = planned.status_label + ", now a draft";
        }
        if (other_type) {
            planned.status_label = fmt::format(
                "{} of type {}, kept as a draft: carnet has no such "
                "type; the export gives it back as it was",
                status.empty() ? "no status" : status, item.post_type);
        }

        auto published_at =
            instant_of(item.post_date, item.post_date_gmt, blog_, item.line, "post date");
        if (!published_at) return std::unexpected(published_at.error());
        if (*published_at) {
            post.published_at = **published_at;
        } else {
            std::string how;
            post.published_at =
                default_date(item, !other_type && (status == "publish" || status == "future"), how);
            report_.lines.push_back(
                fmt::format("line {}: \"{}\" has no date: {}", item.line, item.title, how));
        }
        post.updated_at = post.published_at;
        if (auto modified = wxr::parse_date(item.post_modified_gmt)) {
            if (auto at = model::to_instant(*modified, "UTC")) post.updated_at = *at;
        }
        post.title = item.title;
        if (post.title.empty()) {
            post.title = markup::excerpt(text::html_to_text(item.content), 60);
            if (post.title.empty()) post.title = blog_.locale == "en" ? "Untitled" : "Sans titre";
            meta["wp_untitled"] = "1";
            report_.lines.push_back(
                fmt::format("line {}: an untitled post is titled \"{}\"", item.line, post.title));
        }
        if (text::html_to_text(item.content).empty() &&
            item.content.find("<img") == std::string::npos) {
            report_.lines.push_back(
                fmt::format("line {}: \"{}\" has no content: imported with an empty body",
                            item.line, post.title));
        }
        post.slug = slug_from(item.post_name, post.title);
        post.comments_open = item.comment_status != "closed";

        std::vector<wxr::Meta> kept_meta;
        std::optional<std::string> carnet_format;
        std::optional<std::string> carnet_source;
        for (const auto& pair : item.meta) {
            if (pair.key == "_carnet_source_format") {
                carnet_format = pair.value;
            } else if (pair.key == "_carnet_source") {
                carnet_source = pair.value;
            } else {
                kept_meta.push_back(pair);
            }
        }
        if (carnet_format == "markdown" && carnet_source) {
            post.source_format = model::SourceFormat::markdown;
            post.source = *carnet_source;
        } else {
            post.source_format = model::SourceFormat::html;
            post.source = with_copies(carnet_format == "html" ? carnet_relative(item.content)
                                                              : post_source_of(item.content));
        }
        post.html = markup::render_post_body(post.source_format, post.source);
        if (!item.excerpt.empty()) {
            post.excerpt = item.excerpt;
        } else {
            const auto more = post.html.find("<!--more-->");
            post.excerpt = markup::excerpt(more == std::string::npos
                                               ? std::string_view(post.html)
                                               : std::string_view(post.html).substr(0, more));
            meta["wp_excerpt_generated"] = "1";
        }

        std::vector<wxr::Meta> other_terms;
        for (const auto& term : item.terms) {
            if (term.domain == "category" || (term.domain.empty() && !term.name.empty())) {
                model::Category category;
                category.blog_id = blog_.id;
                category.name = term.name;
                category.slug = slug_from(term.slug, term.name);
                const bool repeated = std::ranges::any_of(
                    post.categories, [&](const auto& seen) { return seen.slug == category.slug; });
                if (!repeated && !term.name.empty()) post.categories.push_back(std::move(category));
            } else if (term.domain == "post_tag" || term.domain == "tag") {
                if (!term.name.empty() && std::ranges::find(planned.archived.tags, term.name) ==
                                              planned.archived.tags.end()) {
                    planned.archived.tags.push_back(term.name);
                }
            } else {
                other_terms.push_back({term.domain, term.slug + "\n" + term.name});
                auto& seen = skipped_terms_[term.domain.empty() ? "(none)" : term.domain];
                if (seen.first == 0) seen.second = item.line;
                ++seen.first;
            }
        }

        meta[planned.identity_value.empty() && !item.post_id.empty() ? "wp_repeated_post_id"
                                                                     : "wp_post_id"] = item.post_id;
        if (!item.post_parent.empty() && item.post_parent != "0") {
            meta["wp_post_parent"] = item.post_parent;
        }
        if (!item.menu_order.empty() && item.menu_order != "0") {
            meta["wp_menu_order"] = item.menu_order;
        }
        if (!item.guid.empty()) meta["wp_guid"] = item.guid;
        if (!item.link.empty()) meta["wp_link"] = item.link;
        if (!item.creator.empty()) {
            meta["wp_creator"] = item.creator;
            if (auto account = accounts_.find(item.creator); account != accounts_.end()) {
                post.author_id = account->second;
            }
        }
        if (!item.ping_status.empty()) meta["wp_ping_status"] = item.ping_status;
        if (item.is_sticky == "1") meta["wp_is_sticky"] = "1";
        if (!item.description.empty()) meta["wp_description"] = item.description;
        if (!kept_meta.empty()) meta["wp_postmeta"] = json_pairs(kept_meta);
        if (!other_terms.empty()) meta["wp_terms"] = json_pairs(other_terms);
        std::vector<wxr::Meta> attachments;
        if (const auto found = pass_.attachments_of.find(item.post_id);
            found != pass_.attachments_of.end()) {
            for (const auto index : found->second) {
                const auto& attachment = pass_.attachments[index];
                attachments.push_back({attachment.id, attachment.url + "\n" + attachment.title});
            }
        }
        if (!attachments.empty()) meta["wp_attachments"] = json_pairs(attachments);

        return plan_comments(item, planned);
    }

    model::Result<archive::PlannedPost> plan_comments(const wxr::Item& item,
                                                      archive::PlannedPost& planned) {
        // Written parents first: a reply may come before the comment it answers.
        std::vector<const wxr::Comment*> pending;
        for (const auto& comment : item.comments) pending.push_back(&comment);
        std::map<std::string, std::size_t> index_of_id;  // comment id -> 1 + index
        std::set<std::string> ids;
        for (const auto& comment : item.comments) ids.insert(comment.id);
        while (!pending.empty()) {
            std::vector<const wxr::Comment*> later;
            for (const auto* comment : pending) {
                const auto& parent = comment->parent;
                const bool top = parent.empty() || parent == "0" || !ids.contains(parent) ||
                                 parent == comment->id;
                if (!top && !index_of_id.contains(parent)) {
                    later.push_back(comment);
                    continue;
                }
                if (!parent.empty() && parent != "0" && !ids.contains(parent)) {
                    report_.lines.push_back(fmt::format(
                        "line {}: comment {} answers comment {}, which the file does not hold: "
                        "kept as a comment of its own",
                        comment->line, comment->id, parent));
                }
                auto archived = plan_comment(*comment, planned.archived.post.published_at);
                if (!archived) return std::unexpected(archived.error());
                planned.archived.comments.push_back(std::move(*archived));
                planned.parent_of.push_back(top ? 0 : index_of_id.at(parent));
                index_of_id[comment->id] = planned.archived.comments.size();
            }
            if (later.size() == pending.size()) {
                // Replies answering each other in a circle: kept as comments of their own.
                for (const auto* comment : later) {
                    auto archived = plan_comment(*comment, planned.archived.post.published_at);
                    if (!archived) return std::unexpected(archived.error());
                    planned.archived.comments.push_back(std::move(*archived));
                    planned.parent_of.push_back(0);
                    index_of_id[comment->id] = planned.archived.comments.size();
                    report_.lines.push_back(fmt::format(
                        "line {}: comment {} is in a circle of replies: kept as a comment of its "
                        "own",
                        comment->line, comment->id));
                }
                break;
            }
            pending = std::move(later);
        }
        return std::move(planned);
    }

    model::Result<store::ArchivedComment> plan_comment(const wxr::Comment& read,
                                                       model::Instant post_date) {
        store::ArchivedComment archived;
        auto created_at = instant_of(read.date, read.date_gmt, blog_, read.line, "comment date");
        if (!created_at) return std::unexpected(created_at.error());
        auto& comment = archived.comment;
        comment.blog_id = blog_.id;
        if (!*created_at) {
            report_.lines.push_back(
                fmt::format("line {}: a comment without date: given its post's date", read.line));
        }
        comment.created_at = created_at->value_or(post_date);
        const bool ping = read.type == "pingback" || read.type == "trackback";
        archived.kind = ping ? store::CommentKind::ping : store::CommentKind::comment;
        if (!read.type.empty() && read.type != "comment")
            archived.meta["wp_comment_type"] = read.type;
        archived.author_ip = read.ip;
        comment.author_name = read.author;
        if (read.author.empty()) {
            report_.lines.push_back(fmt::format(
                "line {}: <wp:comment> {} has no author: kept without a name", read.line, read.id));
        }
        comment.author_email = read.email;
        comment.author_url = markup::safe_url(read.url).value_or("");
        if (comment.author_url != read.url) archived.meta["url"] = read.url;
        comment.source = read.content;
        comment.html =
            read.content.empty() ? "" : markup::render_comment(archive::comment_text(read.content));
        if (read.approved == "1" || read.approved == "approve") {
            comment.status = model::CommentStatus::approved;
        } else if (read.approved == "spam") {
            comment.status = model::CommentStatus::spam;
        } else if (read.approved == "trash" || read.approved == "post-trashed") {
            comment.status = model::CommentStatus::trash;
        } else {
            comment.status = model::CommentStatus::pending;
            if (read.approved != "0" && !read.approved.empty()) {
                archived.meta["wp_comment_approved"] = read.approved;
            }
        }
        archived.meta["wp_comment_id"] = read.id;
        if (!read.user_id.empty() && read.user_id != "0") {
            archived.meta["wp_comment_user_id"] = read.user_id;
        }
        if (!read.meta.empty()) archived.meta["wp_commentmeta"] = json_pairs(read.meta);
        return archived;
    }

    model::Status add_page(store::Writer& writer, const wxr::Item& item) {
        model::Page page;
        page.blog_id = blog_.id;
        page.title = item.title.empty() ? "Page" : item.title;
        page.slug = slug_from(item.post_name, page.title);
        page.published = item.status == "publish" && item.post_password.empty();
        page.source = with_copies(post_source_of(item.content));
        page.html = markup::render_post_body(model::SourceFormat::html, page.source);
        page.position = std::atoi(item.menu_order.c_str());
        auto updated =
            instant_of(item.post_date, item.post_date_gmt, blog_, item.line, "page date");
        if (!updated) return std::unexpected(updated.error());
        if (!*updated) {
            report_.lines.push_back(
                fmt::format("line {}: page \"{}\" has no date: dated at the time of the import",
                            item.line, item.title));
        }
        page.updated_at = updated->value_or(options_.import_time);
        auto created = writer.pages().create_page(page);
        if (!created) {
            if (created.error().code == Code::conflict) {
                ++report_.skipped;
                report_.lines.push_back(
                    fmt::format("line {}: skipped page \"{}\": a page /{}.html is already there",
                                item.line, page.title, page.slug));
                return {};
            }
            return at_line(item.line, created.error());
        }
        ++report_.pages;
        report_.lines.push_back(fmt::format("line {}: imported page \"{}\" ({}) at {}", item.line,
                                            page.title, page.published ? "published" : "hidden",
                                            model::page_path(page.slug)));
        if (!item.comments.empty()) {
            report_.lines.push_back(fmt::format(
                "line {}: page \"{}\": {} not imported (carnet's pages take no comments)",
                item.line, page.title,
                archive::counted(item.comments.size(), "comment", "comments")));
        }
        return {};
    }

    // One line per kind, at its first occurrence: a file may hold thousands of each.
    void report_skipped_kinds() {
        for (const auto& [taxonomy, count] : skipped_terms_) {
            report_.lines.push_back(fmt::format(
                "line {}: <category domain=\"{}\">: terms of taxonomy {} are kept in the posts' "
                "metadata for the export, not shown ({} in the file)",
                count.second, taxonomy, taxonomy, count.first));
        }
        for (const auto& [taxonomy, count] : channel_terms_) {
            report_.lines.push_back(fmt::format(
                "line {}: <wp:term> of taxonomy {}: not imported, carnet has no such taxonomy ({} "
                "in the file)",
                count.second, taxonomy, count.first));
        }
        for (const auto& [name, count] : unknown_elements_) {
            report_.lines.push_back(
                fmt::format("line {}: unknown element <{}> in an item: ignored ({} in the file)",
                            count.second, name, count.first));
        }
    }

    const model::Blog& blog_;
    const wxr::Channel* channel_ = nullptr;
    const WxrImportOptions& options_;
    FirstPass& pass_;
    WxrImportReport& report_;
    std::map<std::string, std::int64_t> accounts_;  // author login -> user id
    Copies copies_;
    // By name: how many, and the line of the first.
    std::map<std::string, std::pair<int, int>> skipped_terms_;     // taxonomy, in items
    std::map<std::string, std::pair<int, int>> channel_terms_;     // taxonomy, in the channel
    std::map<std::string, std::pair<int, int>> unknown_elements_;  // element
    // wp:post_id -> the line of the first item that has it, and its dates and slug.
    std::map<std::string, std::pair<int, std::string>> post_ids_;
};

bool is_encoding_error(const model::Error& error) {
    return error.message.find("not proper UTF-8") != std::string::npos ||
           error.message.find("Invalid bytes in character encoding") != std::string::npos ||
           error.message.find("invalid character") != std::string::npos;
}

}  // namespace

Result<WxrImportReport> import_wordpress(store::Store& store, std::int64_t blog_id,
                                         const std::filesystem::path& file,
                                         const WxrImportOptions& options) {
    auto blog = store.blogs().find_blog(blog_id);
    if (!blog) return std::unexpected(blog.error());
    if (!*blog) return model::fail(Code::not_found, fmt::format("there is no blog {}", blog_id));
    if (!options.uploads_dir.empty() && options.media_dir.empty()) {
        return model::fail(Code::invalid_input, "storing uploads needs carnet's media folder");
    }

    // Pass one; a file that is not UTF-8 although it says nothing else is read again as
    // windows-1252, as old exports need.
    auto encoding = options.encoding;
    auto pass = [&]() -> model::Result<FirstPass> {
        auto reader = wxr::Reader::open(file, encoding);
        if (!reader) return std::unexpected(reader.error());
        return first_pass(*reader);
    }();
    bool fell_back = false;
    if (!pass && options.encoding == TextEncoding::detect && is_encoding_error(pass.error())) {
        encoding = TextEncoding::windows1252;
        fell_back = true;
        auto reader = wxr::Reader::open(file, encoding);
        if (!reader) return std::unexpected(reader.error());
        pass = first_pass(*reader);
    }
    if (!pass) return std::unexpected(pass.error());

    WxrImportReport report;
    auto written = store.write([&](store::Writer& writer) -> model::Status {
        // Counted afresh on every run of the body: only a committed run is reported.
        report = WxrImportReport{};
        report.encoding = encoding == TextEncoding::detect ? TextEncoding::utf8 : encoding;
        if (fell_back) report.lines.push_back("the file is not valid UTF-8: read as windows-1252");
        auto reader = wxr::Reader::open(file, encoding);
        if (!reader) return std::unexpected(reader.error());
        auto copy = *pass;  // media URLs found in one run must not leak into a retried one
        WxrImport import(**blog, options, copy, report);
        return import.run(writer, *reader);
    });
    if (!written) return std::unexpected(written.error());
    return report;
}

}  // namespace carnet::interop
