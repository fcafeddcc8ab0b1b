// The XML-RPC methods: who is calling (an application password, held to the login
// throttle), what their role in the blog lets them do (the model's rules, as in the admin),
// and each method of the Blogger, MetaWeblog, Movable Type and WordPress APIs. Private to
// the api module.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "api/api.hpp"
#include "api/xmlrpc.hpp"
#include "auth/auth.hpp"

namespace carnet::api {

// Where the blog's pages are: its base URL, or the address the client used.
std::string site_base(const model::Blog& blog, const http::Request& request);

// Standard faults of blog APIs (the codes WordPress answers, which clients know).
inline constexpr int k_fault_credentials = 403;
inline constexpr int k_fault_forbidden = 401;
inline constexpr int k_fault_not_found = 404;

class Methods {
public:
    Methods(store::Store& store, const Clock& clock, const ApiOptions& options)
        : store_(store),
          clock_(clock),
          options_(options),
          throttle_(options.throttle ? options.throttle : std::make_shared<auth::LoginThrottle>()) {
    }

    // Answers one call: its value, or the fault to send.
    std::expected<xmlrpc::Value, xmlrpc::Fault> call(const http::Request& request,
                                                     const xmlrpc::Call& call);

    // Every method offered, in order (system.listMethods, mt.supportedMethods).
    static std::vector<std::string> names();

private:
    store::Store& store_;
    const Clock& clock_;
    const ApiOptions& options_;
    // The admin's login throttle: every call counts.
    std::shared_ptr<auth::LoginThrottle> throttle_;

    friend struct MethodContext;
};

}  // namespace carnet::api
