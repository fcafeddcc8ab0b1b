// Micropub (W3C Recommendation, www.w3.org/TR/micropub/) and IndieAuth's endpoints: what
// a request says, read from each encoding, and the routes that act on it. Private to the
// api module.
#pragma once

#include <expected>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "api/methods.hpp"

namespace carnet::api {

// One value of a microformats2 property: text, HTML ({"html": ...}), or a URL with its
// alternative text ({"value": ..., "alt": ...}).
struct PropertyValue {
    std::string value;
    std::optional<std::string> html;
    std::string alt;
    bool operator==(const PropertyValue&) const = default;
};
using Properties = std::map<std::string, std::vector<PropertyValue>, std::less<>>;

struct MicropubRequest {
    std::string action = "create";  // create, update, delete or undelete
    std::string url;                // the post an action is about
    Properties properties;          // of a new h-entry
    // An update's changes.
    Properties replace;
    Properties add;
    Properties remove_values;                    // values to take out of a property
    std::vector<std::string> remove_properties;  // properties to take out whole
    std::vector<http::UploadedFile> photos;      // files sent as photo (multipart)
    std::optional<std::string> access_token;     // sent in the body rather than a header
};

// A request's JSON body ({"type": ["h-entry"], "properties": {...}} or {"action": ...}), or
// why it is not one.
std::expected<MicropubRequest, std::string> parse_micropub_json(std::string_view body);
// A form-encoded or multipart request (h=entry, name, content, category[], photo, ...).
std::expected<MicropubRequest, std::string> parse_micropub_form(const http::Form& form);

// Micropub at k_micropub_path and its media endpoint; IndieAuth's metadata, authorization
// (which sends the user to the admin's approval page), token and revocation endpoints.
class Micropub {
public:
    Micropub(store::Store& store, const Clock& clock, const ApiOptions& options, Methods& methods)
        : store_(store), clock_(clock), options_(options), methods_(methods) {}

    void register_routes(http::Router& router);

private:
    struct Grant;
    // The grant of the token sent (an IndieAuth token of this blog or an application
    // password), or the 401 / 403 to answer.
    std::expected<Grant, http::Response> authenticate(const http::Request& request,
                                                      const std::optional<std::string>& token);
    // The post at `url` in the grant's blog, if its user may edit it.
    std::expected<model::Post, http::Response> post_at(const http::Request& request,
                                                       const Grant& grant, std::string_view url);
    http::Response micropub_post(const http::Request& request);
    http::Response micropub_get(const http::Request& request);
    http::Response media(const http::Request& request);
    http::Response metadata(const http::Request& request);
    http::Response authorize(const http::Request& request);
    // The code a client sends back, taken (it is single use) and checked against the form
    // that redeems it: the approval it stands for, or the error to answer.
    std::expected<store::AuthCode, http::Response> redeem_code(const model::Blog& blog,
                                                               const http::Form& form);
    // A code redeemed at the authorization endpoint: who signed in, and no token (IndieAuth's
    // sign-in without access).
    http::Response profile(const http::Request& request);
    http::Response token(const http::Request& request);
    // RFC 7662 as IndieAuth uses it: whether a token is active, for whom and with what scopes.
    http::Response introspect(const http::Request& request);
    http::Response revoke(const http::Request& request);

    store::Store& store_;
    const Clock& clock_;
    const ApiOptions& options_;
    Methods& methods_;
};

}  // namespace carnet::api
