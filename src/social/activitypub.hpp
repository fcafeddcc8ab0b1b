// What the ActivityPub parts of the module share (actor.cpp, federation.cpp, replies.cpp,
// signatures.cpp). Private.
#pragma once

#include <openssl/bio.h>
#include <openssl/evp.h>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "http/http.hpp"
#include "model/model.hpp"

namespace carnet::social::activitypub {

inline constexpr std::string_view k_activity_json = "application/activity+json";
inline constexpr std::string_view k_activity_streams = "https://www.w3.org/ns/activitystreams";
inline constexpr std::string_view k_actor_path = "/actor";

// OpenSSL's objects, owned.
struct BioFree {
    void operator()(BIO* bio) const { BIO_free(bio); }
};
struct KeyFree {
    void operator()(EVP_PKEY* key) const { EVP_PKEY_free(key); }
};
using Bio = std::unique_ptr<BIO, BioFree>;
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;

// Where readers reach the blog: its base URL without the final '/', else https:// and its
// first host name; nothing when it has neither.
std::optional<std::string> public_base(const model::Blog& blog);

// Where the blog's actor lives: its base URL without the final '/', else https:// and its
// first host, else http:// and the request's Host.
std::string blog_base(const model::Blog& blog, const http::Request& request);

// A JSON answer, readable by scripts on other sites (RFC 7033 §5, and actors).
http::Response json_response(int status, const boost::json::value& body,
                             std::string_view content_type = k_activity_json);

// A short text answer (the inboxes' way to say what they did with an activity).
http::Response plain(int status, std::string_view body);

// The member `name` of a JSON object when it is a string, else "".
std::string json_string(const boost::json::object& object, std::string_view name);

// An object given by its id or in full (ActivityStreams allows both): its id, or "".
std::string id_of(const boost::json::value* value);

// The lower-case host of a URI; "" when it is not one.
std::string host_of(std::string_view uri);

}  // namespace carnet::social::activitypub
