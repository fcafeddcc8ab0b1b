// The API's routes: XML-RPC at /xmlrpc (sign-in, the blog and role checks, dispatch) and the
// RSD file that tells clients where it is.
#include "api/api.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "api/methods.hpp"
#include "api/micropub.hpp"
#include "api/xmlrpc.hpp"
#include "text/text.hpp"

namespace carnet::api {
namespace {

using xmlrpc::Fault;

http::Response xml_response(int status, std::string body) {
    http::Response response;
    response.status = status;
    response.content_type = "text/xml; charset=utf-8";
    response.body = std::move(body);
    response.headers.emplace_back("Cache-Control", "no-store");
    return response;
}

class ApiImpl final : public Api {
public:
    ApiImpl(store::Store& store, const Clock& clock, ApiOptions options)
        : options_(std::move(options)),
          methods_(store, clock, options_),
          micropub_(store, clock, options_, methods_),
          store_(store) {}

    void register_routes(http::Router& router) override {
        router.add("POST", std::string(k_xmlrpc_path),
                   [this](const http::Request& request, const http::RouteParams&) {
                       return xmlrpc(request);
                   });
        router.add("GET", "/rsd.xml",
                   [this](const http::Request& request, const http::RouteParams&) {
                       return rsd(request);
                   });
        micropub_.register_routes(router);
    }

private:
    http::Response xmlrpc(const http::Request& request) {
        if (request.body.size() > options_.max_request_bytes) {
            return xml_response(
                413, xmlrpc::fault_xml(Fault{xmlrpc::k_invalid_request,
                                             fmt::format("the request is over {} MiB",
                                                         options_.max_request_bytes >> 20)}));
        }
        auto call = xmlrpc::parse_call(request.body);
        if (!call) return xml_response(200, xmlrpc::fault_xml(call.error()));
        auto answer = methods_.call(request, *call);
        if (!answer) {
            spdlog::info("xmlrpc: {} from {}: fault {} ({})", call->method, request.remote_address,
                         answer.error().code, answer.error().message);
            return xml_response(200, xmlrpc::fault_xml(answer.error()));
        }
        return xml_response(200, xmlrpc::response_xml(*answer));
    }

    // Really Simple Discovery (cyber.harvard.edu/blogs/gems/tech/rsd.html): where the API is
    // and which flavours it speaks.
    http::Response rsd(const http::Request& request) {
        auto blogs = store_.blogs().list_blogs();
        if (!blogs) return xml_response(500, "");
        const model::Blog* blog = model::blog_for_host(*blogs, request.host);
        if (!blog) {
            http::Response missing;
            missing.status = 404;
            missing.body = "no blog here";
            return missing;
        }
        const auto base = site_base(*blog, request);
        const auto api = text::xml_escape(base + std::string(k_xmlrpc_path));
        std::string body = fmt::format(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<rsd version=\"1.0\" xmlns=\"http://archipelago.phrasewise.com/rsd\">\n"
            "<service>\n<engineName>carnet</engineName>\n<engineLink>{0}/</engineLink>\n"
            "<homePageLink>{0}/</homePageLink>\n<apis>\n",
            text::xml_escape(base));
        for (const auto* name : {"WordPress", "MovableType", "MetaWeblog", "Blogger"}) {
            body += fmt::format(
                "<api name=\"{}\" blogID=\"{}\" preferred=\"{}\" apiLink=\"{}\"/>\n", name,
                blog->id, std::string_view(name) == "MetaWeblog" ? "true" : "false", api);
        }
        body += "</apis>\n</service>\n</rsd>\n";
        auto response = xml_response(200, std::move(body));
        response.content_type = "application/rsd+xml; charset=utf-8";
        return response;
    }

    ApiOptions options_;
    Methods methods_;
    Micropub micropub_;
    store::Store& store_;
};

}  // namespace

std::string site_base(const model::Blog& blog, const http::Request& request) {
    if (!blog.base_url.empty()) {
        std::string url = blog.base_url;
        while (url.ends_with('/')) url.pop_back();
        return url;
    }
    const auto raw = request.header("host");
    const bool plausible =
        !raw.empty() && raw.size() <= 255 && std::ranges::all_of(raw, [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                   c == ':' || c == '[' || c == ']';
        });
    return fmt::format(
        "{}://{}", request.secure ? "https" : "http",
        plausible ? std::string(raw) : (request.host.empty() ? "localhost" : request.host));
}

model::Result<std::unique_ptr<Api>> Api::create(store::Store& store, const Clock& clock,
                                                ApiOptions options) {
    std::error_code error;
    std::filesystem::create_directories(options.media_dir, error);
    if (error) {
        return model::fail(model::Error::Code::io,
                           fmt::format("cannot create the media directory {}: {}",
                                       options.media_dir.string(), error.message()));
    }
    return std::unique_ptr<Api>(std::make_unique<ApiImpl>(store, clock, std::move(options)));
}

}  // namespace carnet::api
