#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>
#include <boost/url.hpp>
#include <cctype>
#include <map>
#include <mutex>

#include "social/activitypub.hpp"
#include "social/social.hpp"

namespace carnet::social {
namespace {

using model::Error;

using activitypub::json_response;
using activitypub::k_activity_json;
using activitypub::k_actor_path;

using activitypub::Bio;
using activitypub::Key;

std::string bio_text(BIO* bio) {
    char* data = nullptr;
    const long size = BIO_get_mem_data(bio, &data);
    return size > 0 ? std::string(data, static_cast<std::size_t>(size)) : std::string();
}

http::Response not_found(std::string_view why) { return activitypub::plain(404, why); }

// The raw Host header when it holds only host characters, for addresses made from it.
std::string plausible_host(const http::Request& request) {
    const auto raw = request.header("host");
    const bool plausible =
        !raw.empty() && raw.size() <= 255 && std::ranges::all_of(raw, [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                   c == ':' || c == '[' || c == ']';
        });
    return plausible ? std::string(raw) : (request.host.empty() ? "localhost" : request.host);
}

}  // namespace

namespace activitypub {

std::optional<std::string> public_base(const model::Blog& blog) {
    std::string base = blog.base_url;
    if (base.empty() && !blog.hosts.empty()) base = "https://" + blog.hosts.front();
    while (base.ends_with('/')) base.pop_back();
    if (base.empty()) return std::nullopt;
    return base;
}

std::string blog_base(const model::Blog& blog, const http::Request& request) {
    return public_base(blog).value_or("http://" + plausible_host(request));
}

http::Response plain(int status, std::string_view body) {
    http::Response response;
    response.status = status;
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::string(body) + "\n";
    return response;
}

std::string json_string(const boost::json::object& object, std::string_view name) {
    const auto* value = object.if_contains(name);
    return value != nullptr && value->is_string() ? std::string(value->get_string())
                                                  : std::string();
}

std::string id_of(const boost::json::value* value) {
    if (value == nullptr) return {};
    if (value->is_string()) return std::string(value->get_string());
    if (value->is_object()) return json_string(value->as_object(), "id");
    return {};
}

std::string host_of(std::string_view uri) {
    auto parsed = boost::urls::parse_uri(uri);
    if (!parsed) return {};
    std::string host = parsed->host();
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return host;
}

http::Response json_response(int status, const boost::json::value& body,
                             std::string_view content_type) {
    http::Response response;
    response.status = status;
    response.content_type = std::string(content_type);
    response.body = boost::json::serialize(body);
    response.headers.emplace_back("Access-Control-Allow-Origin", "*");
    return response;
}

}  // namespace activitypub

Result<ActorKey> make_actor_key() {
    Key key(EVP_RSA_gen(2048));
    if (!key) return model::fail(Error::Code::internal, "OpenSSL could not make an RSA key");
    Bio private_bio(BIO_new(BIO_s_mem()));
    Bio public_bio(BIO_new(BIO_s_mem()));
    if (!private_bio || !public_bio ||
        PEM_write_bio_PrivateKey(private_bio.get(), key.get(), nullptr, nullptr, 0, nullptr,
                                 nullptr) != 1 ||
        PEM_write_bio_PUBKEY(public_bio.get(), key.get()) != 1) {
        return model::fail(Error::Code::internal, "OpenSSL could not write the key");
    }
    return ActorKey{bio_text(private_bio.get()), bio_text(public_bio.get())};
}

Result<ActorKey> read_actor_key(std::string_view private_pem) {
    Bio bio(BIO_new_mem_buf(private_pem.data(), static_cast<int>(private_pem.size())));
    if (!bio) return model::fail(Error::Code::internal, "out of memory");
    Key key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
    if (!key) return model::fail(Error::Code::database, "the blog's actor key is not a PEM key");
    Bio public_bio(BIO_new(BIO_s_mem()));
    if (!public_bio || PEM_write_bio_PUBKEY(public_bio.get(), key.get()) != 1) {
        return model::fail(Error::Code::internal, "OpenSSL could not write the public key");
    }
    return ActorKey{std::string(private_pem), bio_text(public_bio.get())};
}

std::string actor_handle(const model::Blog& blog, std::string_view request_host) {
    std::string host = blog.hosts.empty() ? std::string() : blog.hosts.front();
    if (host.empty() && !blog.base_url.empty()) {
        if (auto url = boost::urls::parse_uri(blog.base_url)) host = url->host();
    }
    if (host.empty()) host = request_host;
    std::string handle;
    for (char c : host.substr(0, host.find('.'))) {
        const auto lower = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        if (std::isalnum(static_cast<unsigned char>(lower)) || lower == '_') handle += lower;
    }
    return handle.empty() ? "blog" : handle;
}

struct Actors::Impl {
    store::Store& store;
    std::mutex mutex;
    std::map<std::int64_t, ActorKey> keys;  // by blog

    explicit Impl(store::Store& the_store) : store(the_store) {}

    Result<ActorKey> key_of(std::int64_t blog_id) {
        {
            std::scoped_lock lock(mutex);
            if (auto found = keys.find(blog_id); found != keys.end()) return found->second;
        }
        // Made before the transaction, so that the writer is not held while RSA primes are
        // found; a node that loses the race keeps the key the other one stored.
        auto fresh = make_actor_key();
        if (!fresh) return std::unexpected(fresh.error());
        std::string kept;
        auto written = store.write([&](store::Writer& writer) -> Status {
            auto secret = writer.blogs().shared_secret(fmt::format("actor_key_{}", blog_id),
                                                       fresh->private_pem);
            if (!secret) return std::unexpected(secret.error());
            kept = std::move(*secret);
            return {};
        });
        if (!written) return std::unexpected(written.error());
        auto key = read_actor_key(kept);
        if (!key) return std::unexpected(key.error());
        std::scoped_lock lock(mutex);
        return keys.insert_or_assign(blog_id, std::move(*key)).first->second;
    }

    Result<const model::Blog*> blog_of(const http::Request& request,
                                       std::vector<model::Blog>& blogs) {
        auto listed = store.blogs().list_blogs();
        if (!listed) return std::unexpected(listed.error());
        blogs = std::move(*listed);
        return model::blog_for_host(blogs, request.host);
    }

    http::Response webfinger(const http::Request& request) {
        const auto resource = request.query_param("resource");
        if (!resource || resource->empty()) {
            http::Response response;
            response.status = 400;
            response.content_type = "text/plain; charset=utf-8";
            response.body = "The resource parameter is required (acct:handle@host).\n";
            return response;
        }
        std::vector<model::Blog> blogs;
        auto blog = blog_of(request, blogs);
        if (!blog) return internal(blog.error());
        if (*blog == nullptr) return not_found("No blog answers this host.");
        const auto base = activitypub::blog_base(**blog, request);
        const auto parsed_base = boost::urls::parse_uri(base);
        const auto host = parsed_base ? std::string(parsed_base->encoded_host_and_port())
                                      : plausible_host(request);
        const auto handle = actor_handle(**blog, request.host);
        const auto subject = fmt::format("acct:{}@{}", handle, host);
        const auto actor = base + std::string(k_actor_path);
        // The blog answers to its account, its actor's address and its home page.
        if (*resource != subject && *resource != actor && *resource != base + "/" &&
            *resource != base) {
            return not_found("No such account on this blog.");
        }
        const boost::json::object body{
            {"subject", subject},
            {"aliases", boost::json::array{actor, base + "/"}},
            {"links",
             boost::json::array{
                 boost::json::object{{"rel", "self"}, {"type", k_activity_json}, {"href", actor}},
                 boost::json::object{{"rel", "http://webfinger.net/rel/profile-page"},
                                     {"type", "text/html"},
                                     {"href", base + "/"}}}}};
        return json_response(200, body, "application/jrd+json");
    }

    http::Response actor(const http::Request& request) {
        std::vector<model::Blog> blogs;
        auto blog = blog_of(request, blogs);
        if (!blog) return internal(blog.error());
        if (*blog == nullptr) return not_found("No blog answers this host.");
        auto key = key_of((*blog)->id);
        if (!key) return internal(key.error());
        const auto base = activitypub::blog_base(**blog, request);
        const auto id = base + std::string(k_actor_path);
        boost::json::object body{
            {"@context", boost::json::array{"https://www.w3.org/ns/activitystreams",
                                            "https://w3id.org/security/v1"}},
            {"id", id},
            {"type", "Person"},
            {"preferredUsername", actor_handle(**blog, request.host)},
            {"name", (*blog)->title},
            {"summary", (*blog)->subtitle},
            {"url", base + "/"},
            {"inbox", id + "/inbox"},
            {"outbox", id + "/outbox"},
            {"followers", id + "/followers"},
            {"endpoints", boost::json::object{{"sharedInbox", base + "/inbox"}}},
            {"publicKey",
             boost::json::object{
                 {"id", id + "#main-key"}, {"owner", id}, {"publicKeyPem", key->public_pem}}}};
        return json_response(200, body, k_activity_json);
    }

    static http::Response internal(const Error& error) {
        spdlog::error("activitypub: {}", error.message);
        http::Response response;
        response.status = 500;
        response.content_type = "text/plain; charset=utf-8";
        response.body = "Something went wrong: please try again later.\n";
        return response;
    }
};

Actors::Actors(store::Store& store) : impl_(std::make_unique<Impl>(store)) {}

Actors::~Actors() = default;

void Actors::register_routes(http::Router& router) {
    router.add("GET", "/.well-known/webfinger",
               [this](const http::Request& request, const http::RouteParams&) {
                   return impl_->webfinger(request);
               });
    router.add("GET", std::string(k_actor_path),
               [this](const http::Request& request, const http::RouteParams&) {
                   return impl_->actor(request);
               });
}

Result<ActorKey> Actors::key_of(std::int64_t blog_id) { return impl_->key_of(blog_id); }

}  // namespace carnet::social
