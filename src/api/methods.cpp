#include "api/methods.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <functional>
#include <map>

#include "media/media.hpp"
#include "text/text.hpp"

namespace carnet::api {

using xmlrpc::Array;
using xmlrpc::Fault;
using xmlrpc::Struct;
using xmlrpc::Value;
using Answer = std::expected<Value, Fault>;
using Unexpected = std::unexpected<Fault>;

namespace {

// Between a post's body and its extended part (mt_text_more) in the source kept.
constexpr std::string_view k_more = "\n\n<!--more-->\n\n";

Fault invalid(std::string message) { return Fault{xmlrpc::k_invalid_params, std::move(message)}; }
Fault internal(const model::Error& error) {
    spdlog::error("xmlrpc: {}", error.message);
    return Fault{xmlrpc::k_internal_error, "the server failed; try again later"};
}
Fault forbidden() {
    return Fault{k_fault_forbidden, "Your role in this blog does not allow this."};
}
Fault no_post() { return Fault{k_fault_not_found, "There is no such post."}; }

std::optional<std::string> string_of(const Value* value) {
    if (value == nullptr) return std::nullopt;
    if (const auto* text = value->string()) return *text;
    if (auto number = value->integer()) return std::to_string(*number);
    return std::nullopt;
}

std::optional<model::Instant> date_of(const Value* value) {
    if (value == nullptr) return std::nullopt;
    if (const auto* date = std::get_if<xmlrpc::DateTime>(&value->data)) return date->instant;
    if (const auto* text = value->string()) return xmlrpc::parse_datetime(http::trim_blank(*text));
    return std::nullopt;
}

std::vector<std::string> split_keywords(std::string_view text) {
    std::vector<std::string> out;
    std::size_t from = 0;
    while (from <= text.size()) {
        auto comma = text.find(',', from);
        if (comma == std::string_view::npos) comma = text.size();
        auto word = http::trim_blank(text.substr(from, comma - from));
        if (!word.empty() && std::ranges::find(out, word) == out.end()) out.push_back(word);
        from = comma + 1;
    }
    return out;
}

std::string join(const std::vector<std::string>& words, std::string_view separator) {
    std::string out;
    for (const auto& word : words) {
        if (!out.empty()) out += separator;
        out += word;
    }
    return out;
}

std::optional<bool> comments_flag(const Value* value) {
    if (value == nullptr) return std::nullopt;
    if (auto flag = value->boolean()) return *flag;
    if (const auto* text = value->string()) {
        if (*text == "open" || *text == "1") return true;
        if (*text == "closed" || *text == "0") return false;
    }
    return std::nullopt;
}

std::optional<bool> publish_of_status(const Value* value) {
    auto status = string_of(value);
    if (!status) return std::nullopt;
    if (*status == "publish" || *status == "future") return true;
    return false;  // draft, pending, private: not for readers yet
}

std::expected<std::optional<std::vector<std::string>>, Fault> names_of(const Value* value) {
    if (value == nullptr) return std::nullopt;
    const auto* array = value->array();
    if (array == nullptr) return Unexpected(invalid("categories must be an array of names"));
    std::vector<std::string> names;
    for (const auto& item : *array) {
        auto name = string_of(&item);
        if (!name) return Unexpected(invalid("categories must be an array of names"));
        auto clean = http::trim_blank(*name);
        if (!clean.empty() && std::ranges::find(names, clean) == names.end())
            names.push_back(clean);
    }
    return names;
}

// The MetaWeblog struct (with its Movable Type and WordPress extensions).
std::expected<PostChanges, Fault> metaweblog_changes(const Value& content) {
    if (content.members() == nullptr) return Unexpected(invalid("the post must be a struct"));
    PostChanges changes;
    changes.title = string_of(content.member("title"));
    changes.body = string_of(content.member("description"));
    changes.more = string_of(content.member("mt_text_more"));
    changes.excerpt = string_of(content.member("mt_excerpt"));
    changes.slug = string_of(content.member("wp_slug"));
    if (!changes.slug || changes.slug->empty()) {
        if (auto basename = string_of(content.member("mt_basename"))) changes.slug = basename;
    }
    auto categories = names_of(content.member("categories"));
    if (!categories) return Unexpected(categories.error());
    changes.categories = std::move(*categories);
    if (auto keywords = string_of(content.member("mt_keywords"))) {
        changes.tags = split_keywords(*keywords);
    }
    changes.comments_open = comments_flag(content.member("mt_allow_comments"));
    if (auto filter = string_of(content.member("mt_convert_breaks"))) {
        changes.format = text::ascii_lower(*filter).starts_with("markdown")
                             ? model::SourceFormat::markdown
                             : model::SourceFormat::html;
    }
    changes.date = date_of(content.member("date_created_gmt"));
    if (!changes.date) changes.date = date_of(content.member("dateCreated"));
    if (content.member("post_status") != nullptr) {
        changes.publish = publish_of_status(content.member("post_status"));
    }
    return changes;
}

// The wp.newPost / wp.editPost struct.
std::expected<PostChanges, Fault> wordpress_changes(const Value& content) {
    if (content.members() == nullptr) return Unexpected(invalid("the post must be a struct"));
    if (auto type = string_of(content.member("post_type")); type && *type != "post") {
        return Unexpected(invalid("only posts are offered (post_type \"post\")"));
    }
    PostChanges changes;
    changes.title = string_of(content.member("post_title"));
    changes.body = string_of(content.member("post_content"));
    changes.excerpt = string_of(content.member("post_excerpt"));
    changes.slug = string_of(content.member("post_name"));
    changes.comments_open = comments_flag(content.member("comment_status"));
    changes.date = date_of(content.member("post_date_gmt"));
    if (!changes.date) changes.date = date_of(content.member("post_date"));
    if (content.member("post_status") != nullptr) {
        changes.publish = publish_of_status(content.member("post_status"));
    }
    if (const auto* names = content.member("terms_names")) {
        auto categories = names_of(names->member("category"));
        if (!categories) return Unexpected(categories.error());
        if (*categories) changes.categories = std::move(*categories);
        auto tags = names_of(names->member("post_tag"));
        if (!tags) return Unexpected(tags.error());
        if (*tags) changes.tags = std::move(*tags);
    }
    if (const auto* terms = content.member("terms")) {
        if (const auto* ids = terms->member("category")) {
            if (ids->array() == nullptr) return Unexpected(invalid("terms must be arrays of ids"));
            std::vector<std::int64_t> category_ids;
            for (const auto& item : *ids->array()) {
                auto id = item.integer();
                if (!id) return Unexpected(invalid("terms must be arrays of ids"));
                category_ids.push_back(*id);
            }
            changes.category_ids = std::move(category_ids);
        }
    }
    return changes;
}

}  // namespace

// One call in progress: the request, the caller once signed in, and the methods' bodies.
struct MethodContext {
    Methods& methods;
    const http::Request& request;
    const std::vector<Value>& params;

    std::optional<Caller> caller;

    store::Store& store() { return methods.store_; }

    const Value* param(std::size_t index) const {
        return index < params.size() ? &params[index] : nullptr;
    }

    // Signs in with the user name and password of params `user_at` and `user_at + 1`.
    std::expected<void, Fault> sign_in(std::size_t user_at) {
        auto name = string_of(param(user_at));
        auto password = string_of(param(user_at + 1));
        if (!name || !password) return Unexpected(invalid("a user name and password are needed"));
        const auto account = text::ascii_lower(http::trim_blank(*name));
        const auto now = methods.clock_.now();
        const auto wait = methods.throttle_->retry_after(account, request.remote_address, now);
        if (wait > auth::LoginThrottle::Duration::zero()) {
            return Unexpected(
                Fault{k_fault_credentials,
                      fmt::format("Too many attempts. Try again in {} seconds.",
                                  std::chrono::ceil<std::chrono::seconds>(wait).count())});
        }
        const Fault wrong{k_fault_credentials, "Wrong user name or application password."};
        auto found = store().app_passwords().find_app_password(auth::hash_token(*password));
        if (!found) return Unexpected(internal(found.error()));
        std::optional<model::User> user;
        if (*found) {
            auto owner = store().accounts().find_user((*found)->user_id);
            if (!owner) return Unexpected(internal(owner.error()));
            if (*owner && text::ascii_lower((*owner)->email) == account) user = std::move(**owner);
        }
        if (!user) {
            methods.throttle_->record_failure(account, request.remote_address, now);
            return Unexpected(wrong);
        }
        methods.throttle_->record_success(account);
        const auto id = (*found)->id;
        auto used = store().write([&](store::Writer& writer) {
            return writer.app_passwords().record_app_password_use(id);
        });
        if (!used) return Unexpected(internal(used.error()));
        auto signed_in = methods.caller_of(std::move(*user));
        if (!signed_in) return Unexpected(signed_in.error());
        caller = std::move(*signed_in);
        return {};
    }

    // The caller's membership of the blog of param `blog_at`, allowed `permission`.
    std::expected<store::Membership, Fault> blog(std::size_t blog_at,
                                                 model::Permission permission) {
        auto id = param(blog_at) ? param(blog_at)->integer() : std::nullopt;
        if (!id) return Unexpected(invalid("a blog id is needed"));
        for (const auto& membership : caller->memberships) {
            if (membership.blog.id != *id) continue;
            if (!model::allows(membership.role, permission)) return Unexpected(forbidden());
            return membership;
        }
        return Unexpected(forbidden());
    }

    // The post of param `post_at` in one of the caller's blogs, if they may edit it.
    std::expected<std::pair<store::Membership, model::Post>, Fault> editable_post(
        std::size_t post_at, std::optional<std::int64_t> in_blog = std::nullopt) {
        auto id = param(post_at) ? param(post_at)->integer() : std::nullopt;
        if (!id) return Unexpected(invalid("a post id is needed"));
        for (const auto& membership : caller->memberships) {
            if (in_blog && membership.blog.id != *in_blog) continue;
            auto post = store().posts().find_post_by_id(membership.blog.id, *id);
            if (!post) return Unexpected(internal(post.error()));
            if (!*post) continue;
            if (!model::may_edit_post(membership.role, caller->user.id, **post)) {
                return Unexpected(forbidden());
            }
            return std::pair{membership, std::move(**post)};
        }
        return Unexpected(no_post());
    }

    std::string base(const model::Blog& blog) const { return site_base(blog, request); }

    // --- Posts as the APIs show them.

    std::vector<std::string> tags_of(const model::Post& post) {
        std::vector<std::string> tags;
        auto read = store().write([&](store::Writer& writer) -> model::Status {
            auto archived = writer.archive().archived_post(post.blog_id, post.id);
            if (!archived) return std::unexpected(archived.error());
            if (*archived) tags = (*archived)->tags;
            return {};
        });
        if (!read) spdlog::warn("xmlrpc: cannot read the tags of post {}", post.id);
        return tags;
    }

    std::string link_of(const model::Blog& blog, const model::Post& post) const {
        return base(blog) + model::post_path(blog, post);
    }

    Value metaweblog_post(const model::Blog& blog, const model::Post& post) {
        std::string body = post.source;
        std::string more;
        if (auto at = body.find(k_more); at != std::string::npos) {
            more = body.substr(at + k_more.size());
            body.resize(at);
        }
        Array categories;
        for (const auto& category : post.categories) categories.emplace_back(category.name);
        const auto link = link_of(blog, post);
        return Value(Struct{
            {"postid", Value(std::to_string(post.id))},
            {"userid", Value(std::to_string(post.author_id))},
            {"title", Value(post.title)},
            {"description", Value(body)},
            {"mt_text_more", Value(more)},
            {"mt_excerpt", Value(post.excerpt)},
            {"mt_keywords", Value(join(tags_of(post), ", "))},
            {"mt_allow_comments", Value(post.comments_open ? 1 : 0)},
            {"mt_convert_breaks",
             Value(post.source_format == model::SourceFormat::markdown ? "markdown" : "0")},
            {"wp_slug", Value(post.slug)},
            {"mt_basename", Value(post.slug)},
            {"categories", Value(std::move(categories))},
            {"dateCreated", Value(xmlrpc::DateTime{post.published_at})},
            {"date_created_gmt", Value(xmlrpc::DateTime{post.published_at})},
            {"post_status", Value(std::string(model::wordpress_status(post.status)))},
            {"link", Value(link)},
            {"permaLink", Value(link)},
        });
    }

    Value wordpress_post(const model::Blog& blog, const model::Post& post) {
        Array terms;
        for (const auto& category : post.categories) {
            terms.emplace_back(Struct{{"term_id", Value(std::to_string(category.id))},
                                      {"name", Value(category.name)},
                                      {"slug", Value(category.slug)},
                                      {"taxonomy", Value("category")}});
        }
        for (const auto& tag : tags_of(post)) {
            terms.emplace_back(Struct{{"name", Value(tag)}, {"taxonomy", Value("post_tag")}});
        }
        return Value(Struct{
            {"post_id", Value(std::to_string(post.id))},
            {"post_title", Value(post.title)},
            {"post_date", Value(xmlrpc::DateTime{post.published_at})},
            {"post_date_gmt", Value(xmlrpc::DateTime{post.published_at})},
            {"post_modified_gmt", Value(xmlrpc::DateTime{post.updated_at})},
            {"post_status", Value(std::string(model::wordpress_status(post.status)))},
            {"post_type", Value("post")},
            {"post_name", Value(post.slug)},
            {"post_author", Value(std::to_string(post.author_id))},
            {"post_excerpt", Value(post.excerpt)},
            {"post_content", Value(post.source)},
            {"link", Value(link_of(blog, post))},
            {"comment_status", Value(post.comments_open ? "open" : "closed")},
            {"terms", Value(std::move(terms))},
        });
    }

    // --- Writing posts, as the admin's editor saves them.

    // Links to the blog's own media written as absolute URLs (as uploads answer them) become
    // the site paths that pages give their resized variants.
    std::string own_media_paths(const model::Blog& blog, std::string source) const {
        std::vector<std::string> prefixes{base(blog) + "/media/"};
        for (const auto& host : blog.hosts) {
            prefixes.push_back("http://" + host + "/media/");
            prefixes.push_back("https://" + host + "/media/");
        }
        for (const auto& prefix : prefixes) {
            const auto quoted = "\"" + prefix;
            std::size_t at = 0;
            while ((at = source.find(quoted, at)) != std::string::npos) {
                source.replace(at, quoted.size(), "\"/media/");
                at += 8;
            }
        }
        return source;
    }

    std::string render(const model::Blog& blog, const model::Post& post) {
        return media::render_post_html(
            post.source_format, post.source,
            [&](std::string_view name) -> std::optional<media::StoredImage> {
                auto record = store().media().find_media(blog.id, name);
                if (!record || !*record) return std::nullopt;
                auto image = media::describe((*record)->file_name,
                                             static_cast<std::uint64_t>((*record)->size_bytes),
                                             (*record)->width, (*record)->height);
                if (!image) return std::nullopt;
                return std::move(*image);
            });
    }

    // Creates (no post.id) or changes the post with what the client sent; its id.
    std::expected<std::int64_t, Fault> save(const store::Membership& membership, model::Post post,
                                            const PostChanges& changes, bool publish) {
        const auto& blog = membership.blog;
        const auto now = methods.clock_.now();
        const bool is_new = post.id == 0;
        const bool was_published = post.status == model::PostStatus::published;
        if (is_new) {
            post.blog_id = blog.id;
            post.author_id = caller->user.id;
            post.source_format = model::SourceFormat::html;
            post.published_at = now;
        }
        if (changes.title) post.title = http::trim_blank(*changes.title);
        if (changes.format) post.source_format = *changes.format;
        if (changes.body || changes.more) {
            std::string body = post.source;
            std::string more;
            if (auto at = body.find(k_more); at != std::string::npos) {
                more = body.substr(at + k_more.size());
                body.resize(at);
            }
            if (changes.body) body = *changes.body;
            if (changes.more) more = *changes.more;
            post.source =
                own_media_paths(blog, more.empty() ? body : body + std::string(k_more) + more);
        }
        if (changes.excerpt) post.excerpt = http::trim_blank(*changes.excerpt);
        if (changes.slug && !http::trim_blank(*changes.slug).empty())
            post.slug = http::trim_blank(*changes.slug);
        if (changes.comments_open) post.comments_open = *changes.comments_open;
        if (changes.categories) {
            post.categories.clear();
            for (const auto& name : *changes.categories) {
                post.categories.push_back(model::Category{.name = name});
            }
        }
        if (changes.category_ids) {
            auto known = store().categories().all_categories(blog.id);
            if (!known) return Unexpected(internal(known.error()));
            post.categories.clear();
            for (const auto id : *changes.category_ids) {
                auto found = std::ranges::find(*known, id, &model::Category::id);
                if (found == known->end()) {
                    return Unexpected(invalid(fmt::format("there is no category {}", id)));
                }
                post.categories.push_back(model::Category{.name = found->name});
            }
        }
        if (post.title.empty()) return Unexpected(invalid("a post needs a title"));
        const bool wants_published = changes.publish.value_or(publish);
        post.status = wants_published ? model::PostStatus::published : model::PostStatus::draft;
        if (changes.date) {
            post.published_at = *changes.date;
        } else if (!was_published && !is_new && wants_published) {
            post.published_at = now;
        }
        // Published with a time to come waits for it, as in the admin.
        if (post.status == model::PostStatus::published && post.published_at > now) {
            post.status = model::PostStatus::scheduled;
        }
        if (post.slug.empty()) post.slug = model::make_slug(post.title);
        post.html = render(blog, post);
        post.updated_at = now;
        std::int64_t saved_id = post.id;
        auto written = store().write([&](store::Writer& writer) -> model::Status {
            if (saved_id == 0) {
                auto created = writer.posts().create_post(post);
                if (!created) return std::unexpected(created.error());
                saved_id = *created;
            } else if (auto updated = writer.posts().update_post(post); !updated) {
                return updated;
            }
            if (changes.tags) {
                auto archived = writer.archive().archived_post(blog.id, saved_id);
                if (!archived) return std::unexpected(archived.error());
                std::map<std::string, std::string> meta;
                if (*archived) meta = (*archived)->meta;
                if (auto set =
                        writer.archive().set_post_extras(blog.id, saved_id, *changes.tags, meta);
                    !set) {
                    return set;
                }
            }
            auto revision = writer.posts().save_revision(blog.id, saved_id, caller->user.id, false);
            if (!revision) return std::unexpected(revision.error());
            return {};
        });
        if (!written) {
            const auto code = written.error().code;
            if (code == model::Error::Code::conflict || code == model::Error::Code::invalid_input) {
                return Unexpected(invalid(written.error().message));
            }
            return Unexpected(internal(written.error()));
        }
        spdlog::info("xmlrpc: user {} saved post {} of blog {}", caller->user.id, saved_id,
                     blog.id);
        return saved_id;
    }

    Answer remove(const store::Membership& membership, const model::Post& post) {
        auto written = store().write([&](store::Writer& writer) {
            return writer.posts().delete_post(membership.blog.id, post.id);
        });
        if (!written) return Unexpected(internal(written.error()));
        return Value(true);
    }

    Answer upload(const store::Membership& membership, const Value* file) {
        if (file == nullptr || file->members() == nullptr) {
            return Unexpected(invalid("the file must be a struct with name, type and bits"));
        }
        const auto* bits = file->member("bits");
        const auto* data = bits ? std::get_if<xmlrpc::Base64>(&bits->data) : nullptr;
        if (data == nullptr || data->bytes.empty()) {
            return Unexpected(invalid("the file's bits must be base64"));
        }
        auto stored =
            store_upload(membership, data->bytes, string_of(file->member("name")).value_or(""));
        if (!stored) return Unexpected(stored.error());
        return Value(Struct{{"id", Value(std::to_string(stored->id))},
                            {"file", Value(stored->file_name)},
                            {"url", Value(stored->url)},
                            {"type", Value(stored->content_type)}});
    }

    // Keeps an uploaded image as the admin does (resized variants, a media record).
    std::expected<Upload, Fault> store_upload(const store::Membership& membership,
                                              std::string_view bytes, std::string_view name) {
        media::Limits limits;
        limits.max_bytes = methods.options_.max_upload_bytes;
        auto stored = media::store(methods.options_.media_dir, bytes, limits);
        if (!stored) {
            if (stored.error().code == model::Error::Code::invalid_input) {
                return Unexpected(invalid(stored.error().message));
            }
            return Unexpected(internal(stored.error()));
        }
        store::MediaRecord record{.blog_id = membership.blog.id,
                                  .content_hash = stored->hash,
                                  .content_type = stored->content_type,
                                  .file_name = stored->file_name,
                                  .original_name = std::string(name.substr(0, 200)),
                                  .size_bytes = static_cast<std::int64_t>(stored->size_bytes),
                                  .width = stored->width,
                                  .height = stored->height};
        for (const auto& variant : stored->variants) {
            record.variants.push_back({variant.width, variant.height, variant.file_name});
        }
        std::int64_t id = 0;
        auto written = store().write([&](store::Writer& writer) -> model::Status {
            auto added = writer.media().add_media(record, caller->user.id);
            if (!added) return std::unexpected(added.error());
            id = *added;
            return {};
        });
        if (!written) return Unexpected(internal(written.error()));
        const auto media = base(membership.blog) + "/media/";
        std::string shown = record.file_name;
        int widest = 0;
        for (const auto& variant : record.variants) {
            if (variant.width > widest) {
                widest = variant.width;
                shown = variant.file_name;
            }
        }
        return Upload{id, record.file_name, media + record.file_name, media + shown,
                      record.content_type};
    }

    Answer users_blogs() {
        Array blogs;
        for (const auto& membership : caller->memberships) {
            const auto home = base(membership.blog);
            blogs.emplace_back(Struct{{"blogid", Value(std::to_string(membership.blog.id))},
                                      {"blogName", Value(membership.blog.title)},
                                      {"url", Value(home + "/")},
                                      {"xmlrpc", Value(home + std::string(k_xmlrpc_path))},
                                      {"isAdmin", Value(membership.role == model::Role::owner)}});
        }
        return Value(std::move(blogs));
    }

    std::expected<std::vector<model::Category>, Fault> categories(const model::Blog& blog) {
        auto all = store().categories().all_categories(blog.id);
        if (!all) return Unexpected(internal(all.error()));
        return std::move(*all);
    }

    Answer recent(const store::Membership& membership, std::int64_t count, std::int64_t offset,
                  bool wordpress) {
        store::AdminPostQuery query;
        query.limit = static_cast<int>(std::clamp<std::int64_t>(count, 1, 100));
        query.offset = static_cast<int>(std::clamp<std::int64_t>(offset, 0, 1'000'000));
        if (!model::allows(membership.role, model::Permission::edit_all)) {
            query.author_id = caller->user.id;
        }
        auto listed = store().posts().admin_posts(membership.blog.id, query);
        if (!listed) return Unexpected(internal(listed.error()));
        Array posts;
        for (const auto& summary : listed->posts) {
            auto post = store().posts().find_post_by_id(membership.blog.id, summary.id);
            if (!post) return Unexpected(internal(post.error()));
            if (!*post) continue;
            posts.push_back(wordpress ? wordpress_post(membership.blog, **post)
                                      : metaweblog_post(membership.blog, **post));
        }
        return Value(std::move(posts));
    }
};

namespace {
const std::vector<Value> k_no_params;
const http::Request k_no_request;
}  // namespace

std::expected<Caller, Fault> Methods::caller_of(model::User user) {
    auto memberships = store_.accounts().memberships_of(user.id);
    if (!memberships) return Unexpected(internal(memberships.error()));
    return Caller{std::move(user), std::move(*memberships)};
}

std::expected<std::int64_t, Fault> Methods::save_post(const http::Request& request,
                                                      const Caller& caller,
                                                      const store::Membership& membership,
                                                      model::Post post, const PostChanges& changes,
                                                      bool publish) {
    MethodContext context{*this, request, k_no_params, caller};
    return context.save(membership, std::move(post), changes, publish);
}

std::expected<Upload, Fault> Methods::store_upload(const http::Request& request,
                                                   const Caller& caller,
                                                   const store::Membership& membership,
                                                   std::string_view bytes, std::string_view name) {
    MethodContext context{*this, request, k_no_params, caller};
    return context.store_upload(membership, bytes, name);
}

std::string Methods::render(const model::Blog& blog, const model::Post& post) {
    MethodContext context{*this, k_no_request, k_no_params, std::nullopt};
    return context.render(blog, post);
}

std::vector<std::string> Methods::names() {
    return {"blogger.getUsersBlogs",
            "blogger.deletePost",
            "metaWeblog.newPost",
            "metaWeblog.editPost",
            "metaWeblog.getPost",
            "metaWeblog.getRecentPosts",
            "metaWeblog.getCategories",
            "metaWeblog.newMediaObject",
            "mt.getCategoryList",
            "mt.getPostCategories",
            "mt.setPostCategories",
            "mt.publishPost",
            "mt.supportedMethods",
            "mt.supportedTextFilters",
            "system.listMethods",
            "wp.getUsersBlogs",
            "wp.newPost",
            "wp.editPost",
            "wp.getPost",
            "wp.getPosts",
            "wp.deletePost",
            "wp.getTerms",
            "wp.uploadFile"};
}

Answer Methods::call(const http::Request& request, const xmlrpc::Call& call) {
    MethodContext context{*this, request, call.params, std::nullopt};
    const auto& method = call.method;
    using model::Permission;
    auto names_value = [] {
        Array list;
        for (const auto& name : names()) list.emplace_back(name);
        return Value(std::move(list));
    };
    if (method == "system.listMethods" || method == "mt.supportedMethods") return names_value();
    if (method == "mt.supportedTextFilters") {
        return Value(
            Array{Value(Struct{{"key", Value("0")}, {"label", Value("HTML")}}),
                  Value(Struct{{"key", Value("markdown")}, {"label", Value("Markdown")}})});
    }
    if (method == "system.multicall") {
        // Each inner call would sign in again: one request could try a thousand passwords.
        return Unexpected(Fault{xmlrpc::k_unknown_method,
                                "system.multicall is not offered: send one call per request"});
    }
    const auto known = names();
    if (std::ranges::find(known, method) == known.end()) {
        return Unexpected(
            Fault{xmlrpc::k_unknown_method, fmt::format("there is no method {}", method)});
    }
    // Where the user name is: after the blog or post id (and the appkey for Blogger's).
    std::size_t user_at = 1;
    if (method == "blogger.deletePost") user_at = 2;
    if (method == "wp.getUsersBlogs") user_at = 0;
    if (auto signed_in = context.sign_in(user_at); !signed_in) {
        return Unexpected(signed_in.error());
    }
    auto param = [&](std::size_t at) { return context.param(at); };

    if (method == "blogger.getUsersBlogs" || method == "wp.getUsersBlogs") {
        return context.users_blogs();
    }
    if (method == "metaWeblog.getCategories" || method == "mt.getCategoryList" ||
        method == "wp.getTerms") {
        auto membership = context.blog(0, Permission::write_posts);
        if (!membership) return Unexpected(membership.error());
        if (method == "wp.getTerms") {
            auto taxonomy = string_of(param(3)).value_or("category");
            if (taxonomy != "category" && taxonomy != "post_tag") {
                return Unexpected(invalid(fmt::format("there is no taxonomy {}", taxonomy)));
            }
            if (taxonomy == "post_tag") {
                auto tags = context.store().categories().all_tags(membership->blog.id);
                if (!tags) return Unexpected(internal(tags.error()));
                Array out;
                for (const auto& tag : *tags) {
                    out.emplace_back(Struct{{"term_id", Value(std::to_string(tag.id))},
                                            {"name", Value(tag.name)},
                                            {"slug", Value(tag.slug)},
                                            {"taxonomy", Value("post_tag")},
                                            {"parent", Value("0")},
                                            {"count", Value(tag.post_count)}});
                }
                return Value(std::move(out));
            }
        }
        auto found = context.categories(membership->blog);
        if (!found) return Unexpected(found.error());
        Array out;
        const auto base = context.base(membership->blog);
        for (const auto& category : *found) {
            const auto id = std::to_string(category.id);
            if (method == "mt.getCategoryList") {
                out.emplace_back(
                    Struct{{"categoryId", Value(id)}, {"categoryName", Value(category.name)}});
            } else if (method == "wp.getTerms") {
                out.emplace_back(Struct{{"term_id", Value(id)},
                                        {"name", Value(category.name)},
                                        {"slug", Value(category.slug)},
                                        {"taxonomy", Value("category")},
                                        {"parent", Value("0")},
                                        {"count", Value(category.post_count)}});
            } else {
                const auto url = base + model::category_path(category.slug);
                out.emplace_back(Struct{{"categoryId", Value(id)},
                                        {"parentId", Value("0")},
                                        {"categoryName", Value(category.name)},
                                        {"title", Value(category.name)},
                                        {"description", Value(category.name)},
                                        {"categoryDescription", Value("")},
                                        {"htmlUrl", Value(url)},
                                        {"rssUrl", Value(url + "atom.xml")}});
            }
        }
        return Value(std::move(out));
    }
    if (method == "metaWeblog.getRecentPosts") {
        auto membership = context.blog(0, Permission::write_posts);
        if (!membership) return Unexpected(membership.error());
        const auto count = param(3) ? param(3)->integer().value_or(10) : 10;
        return context.recent(*membership, count, 0, false);
    }
    if (method == "wp.getPosts") {
        auto membership = context.blog(0, Permission::write_posts);
        if (!membership) return Unexpected(membership.error());
        const auto* filter = param(3);
        const auto count = filter && filter->member("number")
                               ? filter->member("number")->integer().value_or(10)
                               : 10;
        const auto offset = filter && filter->member("offset")
                                ? filter->member("offset")->integer().value_or(0)
                                : 0;
        return context.recent(*membership, count, offset, true);
    }
    if (method == "metaWeblog.newPost" || method == "wp.newPost") {
        auto membership = context.blog(0, Permission::write_posts);
        if (!membership) return Unexpected(membership.error());
        const bool wordpress = method == "wp.newPost";
        if (param(3) == nullptr) return Unexpected(invalid("the post is missing"));
        auto changes = wordpress ? wordpress_changes(*param(3)) : metaweblog_changes(*param(3));
        if (!changes) return Unexpected(changes.error());
        const bool publish =
            wordpress ? false : (param(4) ? param(4)->boolean().value_or(false) : false);
        auto saved = context.save(*membership, model::Post{}, *changes, publish);
        if (!saved) return Unexpected(saved.error());
        return Value(std::to_string(*saved));
    }
    if (method == "metaWeblog.editPost") {
        auto found = context.editable_post(0);
        if (!found) return Unexpected(found.error());
        if (param(3) == nullptr) return Unexpected(invalid("the post is missing"));
        auto changes = metaweblog_changes(*param(3));
        if (!changes) return Unexpected(changes.error());
        const bool publish = param(4) ? param(4)->boolean().value_or(false)
                                      : found->second.status != model::PostStatus::draft;
        auto saved = context.save(found->first, found->second, *changes, publish);
        if (!saved) return Unexpected(saved.error());
        return Value(true);
    }
    if (method == "wp.editPost") {
        auto blog_id = param(0) ? param(0)->integer() : std::nullopt;
        if (!blog_id) return Unexpected(invalid("a blog id is needed"));
        auto found = context.editable_post(3, *blog_id);
        if (!found) return Unexpected(found.error());
        if (param(4) == nullptr) return Unexpected(invalid("the post is missing"));
        auto changes = wordpress_changes(*param(4));
        if (!changes) return Unexpected(changes.error());
        const bool publish = found->second.status != model::PostStatus::draft;
        auto saved = context.save(found->first, found->second, *changes, publish);
        if (!saved) return Unexpected(saved.error());
        return Value(true);
    }
    if (method == "metaWeblog.getPost") {
        auto found = context.editable_post(0);
        if (!found) return Unexpected(found.error());
        return context.metaweblog_post(found->first.blog, found->second);
    }
    if (method == "wp.getPost") {
        auto blog_id = param(0) ? param(0)->integer() : std::nullopt;
        if (!blog_id) return Unexpected(invalid("a blog id is needed"));
        auto found = context.editable_post(3, *blog_id);
        if (!found) return Unexpected(found.error());
        return context.wordpress_post(found->first.blog, found->second);
    }
    if (method == "blogger.deletePost") {
        auto found = context.editable_post(1);
        if (!found) return Unexpected(found.error());
        return context.remove(found->first, found->second);
    }
    if (method == "wp.deletePost") {
        auto blog_id = param(0) ? param(0)->integer() : std::nullopt;
        if (!blog_id) return Unexpected(invalid("a blog id is needed"));
        auto found = context.editable_post(3, *blog_id);
        if (!found) return Unexpected(found.error());
        return context.remove(found->first, found->second);
    }
    if (method == "mt.getPostCategories") {
        auto found = context.editable_post(0);
        if (!found) return Unexpected(found.error());
        Array out;
        bool first = true;
        for (const auto& category : found->second.categories) {
            out.emplace_back(Struct{{"categoryId", Value(std::to_string(category.id))},
                                    {"categoryName", Value(category.name)},
                                    {"isPrimary", Value(first)}});
            first = false;
        }
        return Value(std::move(out));
    }
    if (method == "mt.setPostCategories") {
        auto found = context.editable_post(0);
        if (!found) return Unexpected(found.error());
        const auto* list = param(3) ? param(3)->array() : nullptr;
        if (list == nullptr) return Unexpected(invalid("the categories must be an array"));
        std::vector<std::int64_t> ids;
        std::optional<std::int64_t> primary;
        for (const auto& item : *list) {
            auto id =
                item.member("categoryId") ? item.member("categoryId")->integer() : std::nullopt;
            if (!id) return Unexpected(invalid("each category needs a categoryId"));
            const auto* is_primary = item.member("isPrimary");
            if (is_primary && is_primary->boolean().value_or(false) && !primary) primary = *id;
            if (std::ranges::find(ids, *id) == ids.end()) ids.push_back(*id);
        }
        // The primary category comes first, the others in the order sent.
        if (primary) {
            std::erase(ids, *primary);
            ids.insert(ids.begin(), *primary);
        }
        PostChanges changes;
        changes.category_ids = std::move(ids);
        auto& post = found->second;
        const bool published = post.status != model::PostStatus::draft;
        changes.date = post.published_at;
        auto saved = context.save(found->first, post, changes, published);
        if (!saved) return Unexpected(saved.error());
        return Value(true);
    }
    if (method == "mt.publishPost") {
        auto found = context.editable_post(0);
        if (!found) return Unexpected(found.error());
        auto saved = context.save(found->first, found->second, PostChanges{}, true);
        if (!saved) return Unexpected(saved.error());
        return Value(true);
    }
    if (method == "metaWeblog.newMediaObject" || method == "wp.uploadFile") {
        auto membership = context.blog(0, Permission::write_posts);
        if (!membership) return Unexpected(membership.error());
        return context.upload(*membership, param(3));
    }
    return Unexpected(
        Fault{xmlrpc::k_unknown_method, fmt::format("there is no method {}", method)});
}

}  // namespace carnet::api
