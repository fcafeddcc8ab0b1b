// Micropub's requests in each encoding, the endpoint that acts on them (create, update,
// delete, undelete, queries, media), and IndieAuth's endpoints. Posts are saved and images
// kept by the same code as XML-RPC's (Methods), held to the same roles.
#include "api/micropub.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url.hpp>

#include "api/xmlrpc.hpp"
#include "auth/auth.hpp"
#include "markup/markup.hpp"
#include "text/text.hpp"

namespace carnet::api {
namespace json = boost::json;
namespace {

using xmlrpc::Fault;

// --- Reading requests.

std::expected<PropertyValue, std::string> value_of_json(const json::value& value) {
    if (value.is_string()) return PropertyValue{std::string(value.as_string()), std::nullopt, {}};
    if (value.is_number()) return PropertyValue{json::serialize(value), std::nullopt, {}};
    if (const auto* object = value.if_object()) {
        PropertyValue out;
        if (const auto* html = object->if_contains("html"); html && html->is_string()) {
            out.html = std::string(html->as_string());
            if (const auto* text = object->if_contains("value"); text && text->is_string())
                out.value = std::string(text->as_string());
            return out;
        }
        if (const auto* text = object->if_contains("value"); text && text->is_string()) {
            out.value = std::string(text->as_string());
            if (const auto* alt = object->if_contains("alt"); alt && alt->is_string())
                out.alt = std::string(alt->as_string());
            return out;
        }
    }
    return std::unexpected(
        "a property value must be a string, {\"html\": ...} or {\"value\": ...}");
}

std::expected<Properties, std::string> properties_of_json(const json::value* value) {
    Properties out;
    if (value == nullptr) return out;
    const auto* object = value->if_object();
    if (object == nullptr) return std::unexpected("properties must be an object");
    for (const auto& [name, values] : *object) {
        const auto* list = values.if_array();
        if (list == nullptr) return std::unexpected(fmt::format("{} must be an array", name));
        auto& into = out[std::string(name)];
        for (const auto& item : *list) {
            auto parsed = value_of_json(item);
            if (!parsed) return std::unexpected(parsed.error());
            into.push_back(std::move(*parsed));
        }
    }
    return out;
}

std::string string_member(const json::object& object, std::string_view name) {
    const auto* value = object.if_contains(name);
    return value && value->is_string() ? std::string(value->as_string()) : std::string();
}

constexpr std::string_view k_actions[] = {"create", "update", "delete", "undelete"};
// The post meta that remembers what a deleted post was, for its undelete.
constexpr std::string_view k_status_before_trash = "carnet_status_before_trash";

}  // namespace

std::expected<MicropubRequest, std::string> parse_micropub_json(std::string_view body) {
    boost::system::error_code error;
    json::parse_options options;
    options.max_depth = 16;
    auto parsed = json::parse(body, error, {}, options);
    if (error || !parsed.is_object()) return std::unexpected("the body is not a JSON object");
    const auto& object = parsed.as_object();
    MicropubRequest request;
    if (const auto* action = object.if_contains("action")) {
        if (!action->is_string()) return std::unexpected("action must be a string");
        request.action = std::string(action->as_string());
        if (std::ranges::find(k_actions, request.action) == std::end(k_actions)) {
            return std::unexpected(fmt::format("there is no action {}", request.action));
        }
        request.url = string_member(object, "url");
        if (request.action != "create" && request.url.empty()) {
            return std::unexpected("an action needs the url of its post");
        }
    }
    if (request.action == "create") {
        const auto* type = object.if_contains("type");
        const auto* types = type ? type->if_array() : nullptr;
        if (types == nullptr || types->empty() || !(*types)[0].is_string() ||
            (*types)[0].as_string() != "h-entry") {
            return std::unexpected("only h-entry can be created (type [\"h-entry\"])");
        }
        auto properties = properties_of_json(object.if_contains("properties"));
        if (!properties) return std::unexpected(properties.error());
        request.properties = std::move(*properties);
        return request;
    }
    if (request.action != "update") return request;
    auto replace = properties_of_json(object.if_contains("replace"));
    if (!replace) return std::unexpected(replace.error());
    request.replace = std::move(*replace);
    auto add = properties_of_json(object.if_contains("add"));
    if (!add) return std::unexpected(add.error());
    request.add = std::move(*add);
    if (const auto* remove = object.if_contains("delete")) {
        if (const auto* names = remove->if_array()) {
            for (const auto& name : *names) {
                if (!name.is_string()) return std::unexpected("delete lists property names");
                request.remove_properties.emplace_back(name.as_string());
            }
        } else {
            auto values = properties_of_json(remove);
            if (!values) return std::unexpected(values.error());
            request.remove_values = std::move(*values);
        }
    }
    if (request.replace.empty() && request.add.empty() && request.remove_values.empty() &&
        request.remove_properties.empty()) {
        return std::unexpected("an update needs replace, add or delete");
    }
    return request;
}

std::expected<MicropubRequest, std::string> parse_micropub_form(const http::Form& form) {
    MicropubRequest request;
    request.access_token = form.get("access_token");
    if (auto action = form.get("action")) {
        request.action = *action;
        if (request.action != "delete" && request.action != "undelete") {
            return std::unexpected(request.action == "update"
                                       ? std::string("an update must be sent as JSON")
                                       : fmt::format("there is no action {}", request.action));
        }
        request.url = form.get("url").value_or("");
        if (request.url.empty()) return std::unexpected("an action needs the url of its post");
        return request;
    }
    if (form.get("h").value_or("") != "entry") {
        return std::unexpected("only h-entry can be created (h=entry)");
    }
    for (const auto& field : form.fields) {
        std::string_view name = field.name;
        if (name == "h" || name == "access_token") continue;
        if (name.ends_with("[]")) name.remove_suffix(2);
        request.properties[std::string(name)].push_back(PropertyValue{field.value, {}, {}});
    }
    // The alternative texts go with the photos, in order.
    if (auto alts = request.properties.find("mp-photo-alt"); alts != request.properties.end()) {
        auto photos = request.properties.find("photo");
        for (std::size_t at = 0; photos != request.properties.end() && at < photos->second.size() &&
                                 at < alts->second.size();
             ++at) {
            photos->second[at].alt = alts->second[at].value;
        }
    }
    for (const auto& file : form.files) {
        if ((file.field == "photo" || file.field == "photo[]") && !file.data.empty()) {
            request.photos.push_back(file);
        }
    }
    return request;
}

namespace {

// --- Answers.

http::Response json_response(int status, const json::value& body) {
    http::Response response;
    response.status = status;
    response.content_type = "application/json";
    response.body = json::serialize(body);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

http::Response error(int status, std::string_view code, std::string_view description) {
    auto response =
        json_response(status, json::object{{"error", code}, {"error_description", description}});
    if (status == 401) response.headers.emplace_back("WWW-Authenticate", "Bearer");
    return response;
}

http::Response fault_response(const Fault& fault) {
    if (fault.code == k_fault_forbidden) return error(403, "forbidden", fault.message);
    if (fault.code == xmlrpc::k_internal_error) return error(500, "server_error", fault.message);
    return error(400, "invalid_request", fault.message);
}

http::Response created(std::string location, int status = 201) {
    http::Response response;
    response.status = status;
    response.content_type = "text/plain; charset=utf-8";
    response.headers.emplace_back("Location", location);
    response.headers.emplace_back("Cache-Control", "no-store");
    response.body = location + "\n";
    return response;
}

http::Response no_content() {
    http::Response response;
    response.status = 204;
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

bool has_scope(std::string_view scopes, std::string_view wanted) {
    std::size_t from = 0;
    while (from <= scopes.size()) {
        auto space = scopes.find(' ', from);
        if (space == std::string_view::npos) space = scopes.size();
        if (scopes.substr(from, space - from) == wanted) return true;
        from = space + 1;
    }
    return false;
}

// Plain text as HTML paragraphs: blank lines part them, a line break stays one.
std::string text_html(std::string_view text) {
    std::string out;
    std::size_t from = 0;
    while (from < text.size()) {
        auto end = text.find("\n\n", from);
        if (end == std::string_view::npos) end = text.size();
        auto paragraph = http::trim_blank(text.substr(from, end - from));
        if (!paragraph.empty()) {
            out += "<p>";
            std::size_t line_from = 0;
            while (true) {
                auto line_end = paragraph.find('\n', line_from);
                text::append_html_escaped(
                    out, std::string_view(paragraph).substr(line_from, line_end - line_from));
                if (line_end == std::string::npos) break;
                out += "<br>\n";
                line_from = line_end + 1;
            }
            out += "</p>\n";
        }
        from = end + 2;
    }
    return out;
}

std::string html_of(const PropertyValue& value) {
    return value.html ? *value.html : text_html(value.value);
}

std::string img(std::string_view src, std::string_view alt) {
    return fmt::format("<p><img src=\"{}\" alt=\"{}\"></p>\n", text::html_escape(src),
                       text::html_escape(alt));
}

const std::vector<PropertyValue>* property(const Properties& properties, std::string_view name) {
    auto found = properties.find(name);
    return found == properties.end() || found->second.empty() ? nullptr : &found->second;
}

std::vector<std::string> values_text(const std::vector<PropertyValue>& values) {
    std::vector<std::string> out;
    for (const auto& value : values) {
        auto text = http::trim_blank(value.value);
        if (!text.empty() && std::ranges::find(out, text) == out.end()) out.push_back(text);
    }
    return out;
}

// The scalar properties every request may set, read into the changes of a post.
std::expected<void, Fault> read_scalars(const Properties& properties, PostChanges& changes) {
    if (const auto* name = property(properties, "name")) changes.title = (*name)[0].value;
    if (const auto* slug = property(properties, "mp-slug")) changes.slug = (*slug)[0].value;
    if (const auto* published = property(properties, "published")) {
        auto date = xmlrpc::parse_datetime(http::trim_blank((*published)[0].value));
        if (!date) {
            return std::unexpected(
                Fault{xmlrpc::k_invalid_params, "published must be an ISO 8601 date and time"});
        }
        changes.date = *date;
    }
    if (const auto* status = property(properties, "post-status")) {
        const auto& text = (*status)[0].value;
        if (text != "draft" && text != "published") {
            return std::unexpected(
                Fault{xmlrpc::k_invalid_params, "post-status must be draft or published"});
        }
        changes.publish = text == "published";
    }
    if (const auto* categories = property(properties, "category")) {
        changes.categories = values_text(*categories);
    }
    return {};
}

// A title for a post that came without a name (a note): its first words.
std::string title_from(std::string_view html) {
    auto words = markup::excerpt(html, 60);
    return words.empty() ? std::string("Note") : words;
}

}  // namespace

// Who a request's token belongs to, what it may do, and in which blog.
struct Micropub::Grant {
    Caller caller;
    store::Membership membership;
    std::string scopes;
    bool all_scopes = false;  // an application password
    bool allows(std::string_view scope) const { return all_scopes || has_scope(scopes, scope); }
};

void Micropub::register_routes(http::Router& router) {
    auto route = [&](std::string method, std::string_view path,
                     http::Response (Micropub::*handler)(const http::Request&)) {
        router.add(std::move(method), std::string(path),
                   [this, handler](const http::Request& request, const http::RouteParams&) {
                       return (this->*handler)(request);
                   });
    };
    route("POST", k_micropub_path, &Micropub::micropub_post);
    route("GET", k_micropub_path, &Micropub::micropub_get);
    route("POST", k_micropub_media_path, &Micropub::media);
    route("GET", k_indieauth_metadata_path, &Micropub::metadata);
    route("GET", k_authorization_path, &Micropub::authorize);
    route("POST", k_authorization_path, &Micropub::profile);
    route("POST", k_token_path, &Micropub::token);
    route("POST", k_introspection_path, &Micropub::introspect);
    route("POST", k_revocation_path, &Micropub::revoke);
}

namespace {

std::optional<model::Blog> blog_of(store::Store& store, const http::Request& request) {
    auto blogs = store.blogs().list_blogs();
    if (!blogs) return std::nullopt;
    const auto* blog = model::blog_for_host(*blogs, request.host);
    if (blog == nullptr) return std::nullopt;
    return *blog;
}

std::optional<std::string> bearer_of(const http::Request& request) {
    const auto header = request.header("authorization");
    if (header.size() > 7 && text::ascii_lower(header.substr(0, 7)) == "bearer ") {
        return http::trim_blank(header.substr(7));
    }
    return std::nullopt;
}

// Where a post is: its public page, or for a draft (or a trashed post) the admin's editor,
// which previews it.
std::string permalink(const model::Blog& blog, const http::Request& request,
                      const model::Post& post) {
    if (post.status == model::PostStatus::published ||
        post.status == model::PostStatus::scheduled) {
        return site_base(blog, request) + model::post_path(blog, post);
    }
    return fmt::format("{}/admin/blogs/{}/posts/{}", site_base(blog, request), blog.id, post.id);
}

}  // namespace

http::Response Micropub::micropub_post(const http::Request& request) {
    if (request.body.size() > options_.max_request_bytes) {
        return error(413, "invalid_request",
                     fmt::format("the request is over {} MiB", options_.max_request_bytes >> 20));
    }
    const auto content_type = text::ascii_lower(request.header("content-type"));
    std::expected<MicropubRequest, std::string> parsed;
    if (content_type.starts_with("application/json")) {
        parsed = parse_micropub_json(request.body);
    } else {
        auto form = http::parse_form(request);
        if (!form) return error(400, "invalid_request", form.error().message);
        parsed = parse_micropub_form(*form);
    }
    auto bearer = bearer_of(request);
    if (parsed && parsed->access_token && bearer) {
        return error(400, "invalid_request", "send the token in the header or the body, not both");
    }
    auto token = bearer ? bearer : (parsed ? parsed->access_token : std::nullopt);
    auto grant = authenticate(request, token);
    if (!grant) return grant.error();
    if (!parsed) return error(400, "invalid_request", parsed.error());
    auto& micropub = *parsed;
    const auto& blog = grant->membership.blog;

    if (micropub.action == "create") {
        if (!grant->allows("create")) {
            return error(403, "insufficient_scope", "this token may not create posts");
        }
        if (!model::allows(grant->membership.role, model::Permission::write_posts)) {
            return error(403, "forbidden", "Your role in this blog does not allow this.");
        }
        PostChanges changes;
        if (auto read = read_scalars(micropub.properties, changes); !read) {
            return fault_response(read.error());
        }
        std::string body;
        if (const auto* content = property(micropub.properties, "content")) {
            body = html_of((*content)[0]);
        }
        for (const auto& file : micropub.photos) {
            auto stored = methods_.store_upload(request, grant->caller, grant->membership,
                                                file.data, file.file_name);
            if (!stored) return fault_response(stored.error());
            const auto* alts = property(micropub.properties, "mp-photo-alt");
            const auto at = static_cast<std::size_t>(&file - micropub.photos.data());
            body += img(stored->url, alts && at < alts->size() ? (*alts)[at].value : "");
        }
        if (const auto* photos = property(micropub.properties, "photo")) {
            for (const auto& photo : *photos) {
                auto url = markup::safe_url(photo.value);
                if (!url || url->starts_with("mailto:")) {
                    return error(400, "invalid_request", "a photo must be an http or https URL");
                }
                body += img(*url, photo.alt);
            }
        }
        changes.body = body;
        if (!changes.title || http::trim_blank(*changes.title).empty()) {
            changes.title = title_from(body);
        }
        auto saved = methods_.save_post(request, grant->caller, grant->membership, model::Post{},
                                        changes, changes.publish.value_or(true));
        if (!saved) return fault_response(saved.error());
        auto post = store_.posts().find_post_by_id(blog.id, *saved);
        if (!post || !*post) return error(500, "server_error", "the post was not saved");
        spdlog::info("micropub: user {} created post {} of blog {}", grant->caller.user.id, *saved,
                     blog.id);
        return created(permalink(blog, request, **post));
    }

    auto found = post_at(request, *grant, micropub.url);
    if (!found) return found.error();
    auto post = std::move(*found);
    if (micropub.action == "update") {
        if (!grant->allows("update")) {
            return error(403, "insufficient_scope", "this token may not update posts");
        }
        PostChanges changes;
        if (auto read = read_scalars(micropub.replace, changes); !read) {
            return fault_response(read.error());
        }
        if (const auto* content = property(micropub.replace, "content")) {
            changes.body = html_of((*content)[0]);
        }
        if (const auto* content = property(micropub.add, "content")) {
            changes.body = post.source + html_of((*content)[0]);
        }
        if (const auto* name = property(micropub.add, "name"); name && post.title.empty()) {
            changes.title = (*name)[0].value;
        }
        std::vector<std::string> categories;
        for (const auto& category : post.categories) categories.push_back(category.name);
        if (changes.categories) categories = *changes.categories;
        if (const auto* more = property(micropub.add, "category")) {
            for (auto& name : values_text(*more)) {
                if (std::ranges::find(categories, name) == categories.end())
                    categories.push_back(std::move(name));
            }
        }
        if (const auto* gone = property(micropub.remove_values, "category")) {
            for (const auto& name : values_text(*gone)) std::erase(categories, name);
        }
        for (const auto& name : micropub.remove_properties) {
            if (name == "category") categories.clear();
            if (name == "content") changes.body = std::string();
            if (name == "name") changes.title = title_from(post.html);
        }
        changes.categories = std::move(categories);
        const bool published = post.status != model::PostStatus::draft;
        auto saved =
            methods_.save_post(request, grant->caller, grant->membership, post, changes, published);
        if (!saved) return fault_response(saved.error());
        spdlog::info("micropub: user {} updated post {} of blog {}", grant->caller.user.id, post.id,
                     blog.id);
        return no_content();
    }
    // delete and undelete: into the trash and back out of it.
    if (!grant->allows("delete")) {
        return error(403, "insufficient_scope", "this token may not delete posts");
    }
    const bool deleting = micropub.action == "delete";
    if (deleting == (post.status == model::PostStatus::trash)) return no_content();
    const auto status_before = post.status;
    post.updated_at = clock_.now();
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        // What the post was before the trash is kept in its meta, so that undeleting a draft
        // gives a draft back, not a published post.
        auto archived = writer.archive().archived_post(blog.id, post.id);
        if (!archived) return std::unexpected(archived.error());
        if (!*archived) return model::fail(model::Error::Code::not_found, "the post is gone");
        auto meta = (*archived)->meta;
        if (deleting) {
            meta[std::string(k_status_before_trash)] = model::to_string(status_before);
            post.status = model::PostStatus::trash;
        } else {
            const auto kept = meta.find(std::string(k_status_before_trash));
            const auto restored =
                kept == meta.end() ? std::nullopt : model::parse_post_status(kept->second);
            if (restored && *restored != model::PostStatus::trash &&
                *restored != model::PostStatus::published) {
                post.status = *restored;
            } else {
                post.status = post.published_at > clock_.now() ? model::PostStatus::scheduled
                                                               : model::PostStatus::published;
            }
            if (kept != meta.end()) meta.erase(kept);
        }
        if (auto updated = writer.posts().update_post(post); !updated) return updated;
        if (auto kept = writer.archive().set_post_extras(blog.id, post.id, (*archived)->tags, meta);
            !kept) {
            return kept;
        }
        return options_.post_hooks.after_save(
            writer, blog.id, post.id, status_before == model::PostStatus::published, post.status);
    });
    if (!written) return error(500, "server_error", "the post could not be changed");
    spdlog::info("micropub: user {} {}d post {} of blog {}", grant->caller.user.id, micropub.action,
                 post.id, blog.id);
    return no_content();
}

}  // namespace carnet::api

namespace carnet::api {

std::expected<Micropub::Grant, http::Response> Micropub::authenticate(
    const http::Request& request, const std::optional<std::string>& token) {
    using Unexpected = std::unexpected<http::Response>;
    if (!token || token->empty()) {
        return Unexpected(error(401, "unauthorized", "an access token is needed"));
    }
    auto blog = blog_of(store_, request);
    if (!blog) return Unexpected(error(404, "invalid_request", "no blog here"));
    const auto hash = auth::hash_token(*token);
    const auto refused = error(401, "unauthorized", "the access token is not valid");
    std::optional<std::int64_t> user_id;
    Grant grant;
    auto found = store_.access_tokens().find_access_token(hash);
    if (!found) return Unexpected(error(500, "server_error", "the server failed"));
    model::Status used;
    if (*found) {
        // A token is for the blog it was granted on.
        if ((*found)->blog_id != blog->id) return Unexpected(refused);
        user_id = (*found)->user_id;
        grant.scopes = (*found)->scope;
        used = store_.write([&](store::Writer& writer) {
            return writer.access_tokens().record_access_token_use((*found)->id);
        });
    } else {
        auto password = store_.app_passwords().find_app_password(hash);
        if (!password) return Unexpected(error(500, "server_error", "the server failed"));
        if (!*password) return Unexpected(refused);
        user_id = (*password)->user_id;
        grant.all_scopes = true;
        used = store_.write([&](store::Writer& writer) {
            return writer.app_passwords().record_app_password_use((*password)->id);
        });
    }
    if (!used) return Unexpected(error(500, "server_error", "the server failed"));
    auto user = store_.accounts().find_user(*user_id);
    if (!user || !*user) return Unexpected(refused);
    auto caller = methods_.caller_of(std::move(**user));
    if (!caller) return Unexpected(fault_response(caller.error()));
    grant.caller = std::move(*caller);
    auto member = std::ranges::find(grant.caller.memberships, blog->id,
                                    [](const store::Membership& m) { return m.blog.id; });
    if (member == grant.caller.memberships.end()) {
        return Unexpected(error(403, "forbidden", "you are not a member of this blog"));
    }
    grant.membership = *member;
    return grant;
}

std::expected<model::Post, http::Response> Micropub::post_at(const http::Request& request,
                                                             const Grant& grant,
                                                             std::string_view url) {
    using Unexpected = std::unexpected<http::Response>;
    (void)request;
    const auto& blog = grant.membership.blog;
    auto parsed = boost::urls::parse_uri_reference(url);
    const auto missing = error(400, "invalid_request", "there is no post at that url");
    if (!parsed) return Unexpected(missing);
    const std::string path = parsed->path();
    std::optional<model::Post> post;
    const auto editor = fmt::format("/admin/blogs/{}/posts/", blog.id);
    if (path.starts_with(editor)) {
        if (auto id = http::parse_id(std::string_view(path).substr(editor.size()))) {
            auto found = store_.posts().find_post_by_id(blog.id, *id);
            if (!found) return Unexpected(error(500, "server_error", "the server failed"));
            post = std::move(*found);
        }
    } else if (path.ends_with(".html")) {
        const auto slash = path.rfind('/');
        const auto slug = path.substr(slash + 1, path.size() - slash - 1 - 5);
        auto read = store_.write([&](store::Writer& writer) -> model::Status {
            auto found = writer.posts().find_post_by_slug(blog.id, slug);
            if (!found) return std::unexpected(found.error());
            post = std::move(*found);
            return {};
        });
        if (!read) return Unexpected(error(500, "server_error", "the server failed"));
        if (post && model::post_path(blog, *post) != path) post.reset();
    }
    if (!post) return Unexpected(missing);
    if (!model::may_edit_post(grant.membership.role, grant.caller.user.id, *post)) {
        return Unexpected(error(403, "forbidden", "Your role in this blog does not allow this."));
    }
    return std::move(*post);
}

http::Response Micropub::micropub_get(const http::Request& request) {
    auto grant = authenticate(
        request, bearer_of(request) ? bearer_of(request) : request.query_param("access_token"));
    if (!grant) return grant.error();
    const auto& blog = grant->membership.blog;
    const auto q = request.query_param("q").value_or("");
    if (q == "syndicate-to")
        return json_response(200, json::object{{"syndicate-to", json::array{}}});
    if (q == "config") {
        const auto base = site_base(blog, request);
        return json_response(
            200, json::object{{"media-endpoint", base + std::string(k_micropub_media_path)},
                              {"syndicate-to", json::array{}},
                              {"q", json::array{"config", "source", "syndicate-to"}},
                              {"post-types",
                               json::array{json::object{{"type", "note"}, {"name", "Note"}},
                                           json::object{{"type", "article"}, {"name", "Article"}},
                                           json::object{{"type", "photo"}, {"name", "Photo"}}}}});
    }
    if (q != "source")
        return error(400, "invalid_request", "q must be config, source or syndicate-to");
    const auto url = request.query_param("url");
    if (!url) return error(400, "invalid_request", "q=source needs the url of a post");
    auto post = post_at(request, *grant, *url);
    if (!post) return post.error();
    json::array categories;
    for (const auto& category : post->categories) categories.emplace_back(category.name);
    const bool draft = post->status == model::PostStatus::draft;
    json::object all{
        {"name", json::array{post->title}},
        {"content", json::array{json::object{{"html", post->source},
                                             {"value", text::html_to_text(post->html)}}}},
        {"category", std::move(categories)},
        {"published", json::array{text::rfc3339_utc(post->published_at)}},
        {"post-status", json::array{draft ? "draft" : "published"}},
        {"mp-slug", json::array{post->slug}},
        {"url", json::array{permalink(blog, request, *post)}},
    };
    // Only the properties asked for, when some are.
    std::vector<std::string> wanted;
    for (const auto& [name, value] :
         http::parse_form(http::Request{.method = "POST",
         .headers = {{"Content-Type", "application/x-www-form-urlencoded"}},
         .body = request.query})
             .value_or(http::Form{})
             .fields) {
        if (name == "properties[]" || name == "properties") wanted.push_back(value);
    }
    if (wanted.empty()) {
        return json_response(
            200, json::object{{"type", json::array{"h-entry"}}, {"properties", std::move(all)}});
    }
    json::object some;
    for (const auto& name : wanted) {
        if (const auto* value = all.if_contains(name)) some[name] = *value;
    }
    return json_response(200, json::object{{"properties", std::move(some)}});
}

http::Response Micropub::media(const http::Request& request) {
    if (request.body.size() > options_.max_request_bytes) {
        return error(413, "invalid_request", "the upload is too large");
    }
    auto form = http::parse_form(request);
    auto bearer = bearer_of(request);
    auto grant =
        authenticate(request, bearer ? bearer : (form ? form->get("access_token") : std::nullopt));
    if (!grant) return grant.error();
    if (!grant->allows("media") && !grant->allows("create")) {
        return error(403, "insufficient_scope", "this token may not upload");
    }
    if (!model::allows(grant->membership.role, model::Permission::write_posts)) {
        return error(403, "forbidden", "Your role in this blog does not allow this.");
    }
    if (!form) return error(400, "invalid_request", form.error().message);
    const auto* file = form->file("file");
    if (file == nullptr || file->data.empty()) {
        return error(400, "invalid_request", "the upload needs a file in the field \"file\"");
    }
    auto stored = methods_.store_upload(request, grant->caller, grant->membership, file->data,
                                        file->file_name);
    if (!stored) return fault_response(stored.error());
    return created(stored->shown_url);
}

// --- IndieAuth.

http::Response Micropub::metadata(const http::Request& request) {
    auto blog = blog_of(store_, request);
    if (!blog) return error(404, "invalid_request", "no blog here");
    const auto base = site_base(*blog, request);
    json::array scopes;
    for (const auto scope : k_scopes) scopes.emplace_back(scope);
    return json_response(
        200, json::object{
                 {"issuer", issuer_of(*blog, request)},
                 {"authorization_endpoint", base + std::string(k_authorization_path)},
                 {"token_endpoint", base + std::string(k_token_path)},
                 {"revocation_endpoint", base + std::string(k_revocation_path)},
                 {"introspection_endpoint", base + std::string(k_introspection_path)},
                 {"introspection_endpoint_auth_methods_supported", json::array{"Bearer"}},
                 {"revocation_endpoint_auth_methods_supported", json::array{"none"}},
                 {"response_types_supported", json::array{"code"}},
                 {"grant_types_supported", json::array{"authorization_code"}},
                 {"code_challenge_methods_supported", json::array{"S256"}},
                 {"scopes_supported", std::move(scopes)},
                 {"authorization_response_iss_parameter_supported", true},
             });
}

http::Response Micropub::authorize(const http::Request& request) {
    auto blog = blog_of(store_, request);
    if (!blog) return error(404, "invalid_request", "no blog here");
    auto auth =
        parse_auth_request([&](std::string_view name) { return request.query_param(name); });
    if (!auth) {
        // Never sent back to a redirect_uri that could not be checked.
        http::Response refused;
        refused.status = 400;
        refused.content_type = "text/plain; charset=utf-8";
        refused.body = "This authorization request is refused: " + auth.error().message + "\n";
        return refused;
    }
    // The user approves it in the admin, signed in (the admin sends them to its login first).
    http::Response response;
    response.status = 303;
    response.headers.emplace_back("Location", approval_path(blog->id) + "?" + request.query);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

std::expected<store::AuthCode, http::Response> Micropub::redeem_code(const model::Blog& blog,
                                                                     const http::Form& form) {
    using Unexpected = std::unexpected<http::Response>;
    if (form.get("grant_type").value_or("") != "authorization_code") {
        return Unexpected(
            error(400, "unsupported_grant_type", "grant_type must be authorization_code"));
    }
    const auto code = form.get("code").value_or("");
    if (code.empty()) return Unexpected(error(400, "invalid_request", "code is missing"));
    // The code is burnt whatever comes next: a code is tried once.
    std::optional<store::AuthCode> taken;
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        auto found = writer.access_tokens().take_auth_code(auth::hash_token(code));
        if (!found) return std::unexpected(found.error());
        taken = std::move(*found);
        return {};
    });
    if (!written) return Unexpected(error(500, "server_error", "the server failed"));
    if (!taken || taken->blog_id != blog.id || taken->expires_at < clock_.now() ||
        form.get("client_id").value_or("") != taken->client_id ||
        form.get("redirect_uri").value_or("") != taken->redirect_uri ||
        !pkce_matches(form.get("code_verifier").value_or(""), taken->code_challenge)) {
        return Unexpected(error(400, "invalid_grant", "the code is not valid for this request"));
    }
    return std::move(*taken);
}

http::Response Micropub::profile(const http::Request& request) {
    auto blog = blog_of(store_, request);
    if (!blog) return error(404, "invalid_request", "no blog here");
    auto form = http::parse_form(request);
    if (!form) return error(400, "invalid_request", form.error().message);
    auto taken = redeem_code(*blog, *form);
    if (!taken) return taken.error();
    spdlog::info("indieauth: user {} signed in to {}", taken->user_id, taken->client_id);
    return json_response(200, json::object{{"me", issuer_of(*blog, request)}});
}

http::Response Micropub::introspect(const http::Request& request) {
    auto blog = blog_of(store_, request);
    if (!blog) return error(404, "invalid_request", "no blog here");
    // Only a caller holding a token of its own for this blog may ask about tokens.
    if (auto caller = authenticate(request, bearer_of(request)); !caller) return caller.error();
    auto form = http::parse_form(request);
    if (!form) return error(400, "invalid_request", form.error().message);
    const auto token = form->get("token").value_or("");
    if (token.empty()) return error(400, "invalid_request", "token is missing");
    auto found = store_.access_tokens().find_access_token(auth::hash_token(token));
    if (!found) return error(500, "server_error", "the server failed");
    if (!*found || (*found)->blog_id != blog->id) {
        return json_response(200, json::object{{"active", false}});
    }
    return json_response(200, json::object{{"active", true},
                                           {"me", issuer_of(*blog, request)},
                                           {"client_id", (*found)->client_id},
                                           {"scope", (*found)->scope},
                                           {"iat", std::chrono::duration_cast<std::chrono::seconds>(
                                                       (*found)->created_at.time_since_epoch())
                                                       .count()}});
}

http::Response Micropub::token(const http::Request& request) {
    auto blog = blog_of(store_, request);
    if (!blog) return error(404, "invalid_request", "no blog here");
    auto form = http::parse_form(request);
    if (!form) return error(400, "invalid_request", form.error().message);
    auto taken = redeem_code(*blog, *form);
    if (!taken) return taken.error();
    if (taken->scope.empty()) {
        return error(400, "invalid_grant", "no scope was granted: there is no token to give");
    }
    auto access = auth::random_token(24);
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        store::AccessToken record{.user_id = taken->user_id,
                                  .blog_id = taken->blog_id,
                                  .client_id = taken->client_id,
                                  .scope = taken->scope};
        auto created = writer.access_tokens().create_access_token(auth::hash_token(access), record);
        if (!created) return std::unexpected(created.error());
        return {};
    });
    if (!written) return error(500, "server_error", "the server failed");
    spdlog::info("indieauth: user {} granted {} to {}", taken->user_id, taken->scope,
                 taken->client_id);
    return json_response(200, json::object{{"access_token", access},
                                           {"token_type", "Bearer"},
                                           {"scope", taken->scope},
                                           {"me", issuer_of(*blog, request)}});
}

http::Response Micropub::revoke(const http::Request& request) {
    auto form = http::parse_form(request);
    if (!form) return error(400, "invalid_request", form.error().message);
    const auto token = form->get("token").value_or("");
    if (token.empty()) return error(400, "invalid_request", "token is missing");
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        auto revoked = writer.access_tokens().revoke_access_token_by_hash(auth::hash_token(token));
        if (!revoked) return std::unexpected(revoked.error());
        return {};
    });
    if (!written) return error(500, "server_error", "the server failed");
    // RFC 7009: an unknown token is answered as a revoked one.
    http::Response response;
    response.headers.emplace_back("Cache-Control", "no-store");
    response.content_type = "text/plain; charset=utf-8";
    return response;
}

}  // namespace carnet::api
