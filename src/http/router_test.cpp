#include <gtest/gtest.h>

#include <stdexcept>

#include "http/http.hpp"

namespace carnet::http {
namespace {

Request make_request(std::string method, std::string path) {
    Request request;
    request.method = std::move(method);
    request.target = path;
    request.path = std::move(path);
    return request;
}

// A handler that answers with its own name and the parameters it captured, "name k=v k=v".
Handler naming(std::string name) {
    return [name](const Request&, const RouteParams& params) {
        Response response;
        response.body = name;
        for (const auto& [key, value] : params) response.body += " " + key + "=" + value;
        return response;
    };
}

TEST(Router, MatchesLiteralPath) {
    Router router;
    router.add("GET", "/robots.txt", naming("robots"));
    router.add("GET", "/", naming("home"));
    EXPECT_EQ(router.dispatch(make_request("GET", "/robots.txt")).body, "robots");
    EXPECT_EQ(router.dispatch(make_request("GET", "/")).body, "home");
    EXPECT_EQ(router.dispatch(make_request("GET", "/robots.txt/")).status, 404);
    EXPECT_EQ(router.dispatch(make_request("GET", "/robots")).status, 404);
}

TEST(Router, CapturesNamedSegments) {
    Router router;
    router.add("GET", "/list/{slug}/", naming("category"));
    router.add("GET", "/archive/{year}/{month}/{day}/{slug}.html", naming("post"));
    EXPECT_EQ(router.dispatch(make_request("GET", "/list/libye/")).body, "category slug=libye");
    EXPECT_EQ(router.dispatch(make_request("GET", "/archive/2017/10/04/attaque.html")).body,
              "post day=04 month=10 slug=attaque year=2017");
}

TEST(Router, CapturesSegmentBetweenLiteralPrefixAndSuffix) {
    Router router;
    router.add("GET", "/archives/{year}/{month}/index-{page}.html", naming("month"));
    EXPECT_EQ(router.dispatch(make_request("GET", "/archives/2019/08/index-2.html")).body,
              "month month=08 page=2 year=2019");
    EXPECT_EQ(router.dispatch(make_request("GET", "/archives/2019/08/index.html")).status, 404);
    EXPECT_EQ(router.dispatch(make_request("GET", "/archives/2019/08/index-2.htm")).status, 404);
}

TEST(Router, NamedSegmentNeverMatchesEmptyText) {
    Router router;
    router.add("GET", "/list/{slug}/", naming("category"));
    router.add("GET", "/p/{slug}.html", naming("page"));
    EXPECT_EQ(router.dispatch(make_request("GET", "/list//")).status, 404);
    EXPECT_EQ(router.dispatch(make_request("GET", "/p/.html")).status, 404);
    EXPECT_EQ(router.dispatch(make_request("GET", "/p/a.html")).body, "page slug=a");
}

TEST(Router, NamedSegmentMatchesExactlyOneSegment) {
    Router router;
    router.add("GET", "/list/{slug}/", naming("category"));
    EXPECT_EQ(router.dispatch(make_request("GET", "/list/a/b/")).status, 404);
    EXPECT_EQ(router.dispatch(make_request("GET", "/list/a")).status, 404);
}

TEST(Router, TriesRoutesInOrderOfAddition) {
    Router router;
    router.add("GET", "/list/{slug}/", naming("first"));
    router.add("GET", "/list/libye/", naming("second"));
    EXPECT_EQ(router.dispatch(make_request("GET", "/list/libye/")).body, "first slug=libye");

    Router reversed;
    reversed.add("GET", "/list/libye/", naming("second"));
    reversed.add("GET", "/list/{slug}/", naming("first"));
    EXPECT_EQ(reversed.dispatch(make_request("GET", "/list/libye/")).body, "second");
}

TEST(Router, PicksRouteOfRequestMethod) {
    Router router;
    router.add("GET", "/admin/post", naming("form"));
    router.add("POST", "/admin/post", naming("save"));
    EXPECT_EQ(router.dispatch(make_request("GET", "/admin/post")).body, "form");
    EXPECT_EQ(router.dispatch(make_request("POST", "/admin/post")).body, "save");
}

TEST(Router, AnswersHeadWithGetRoute) {
    Router router;
    router.add("GET", "/atom.xml", naming("feed"));
    router.add("POST", "/comment", naming("comment"));
    EXPECT_EQ(router.dispatch(make_request("HEAD", "/atom.xml")).body, "feed");
    EXPECT_EQ(router.dispatch(make_request("HEAD", "/comment")).status, 405);
}

TEST(Router, Answers405WithAllowListingMethodsOfMatchingRoutes) {
    Router router;
    router.add("GET", "/admin/post/{id}", naming("form"));
    router.add("POST", "/admin/post/{id}", naming("save"));
    router.add("DELETE", "/admin/post/{id}", naming("delete"));
    router.add("PUT", "/elsewhere", naming("other"));
    Response response = router.dispatch(make_request("PATCH", "/admin/post/3"));
    EXPECT_EQ(response.status, 405);
    EXPECT_EQ(response.header("Allow"), "GET, HEAD, POST, DELETE");
    EXPECT_FALSE(response.cacheable);
}

TEST(Router, UsesFallbackWhenNothingMatches) {
    Router router;
    router.add("GET", "/", naming("home"));
    router.set_fallback([](const Request& request, const RouteParams& params) {
        Response response;
        response.status = 404;
        response.body = "themed 404 for " + request.path + " " + std::to_string(params.size());
        return response;
    });
    Response response = router.dispatch(make_request("GET", "/nowhere"));
    EXPECT_EQ(response.status, 404);
    EXPECT_EQ(response.body, "themed 404 for /nowhere 0");
}

TEST(Router, Answers405RatherThanFallbackWhenPathMatchesOtherMethod) {
    Router router;
    router.add("POST", "/comment", naming("comment"));
    router.set_fallback(naming("fallback"));
    EXPECT_EQ(router.dispatch(make_request("GET", "/comment")).status, 405);
}

TEST(Router, AnswersPlain404WithoutFallback) {
    Router router;
    router.add("GET", "/", naming("home"));
    Response response = router.dispatch(make_request("GET", "/nowhere"));
    EXPECT_EQ(response.status, 404);
    EXPECT_NE(response.body.find("404"), std::string::npos);
    EXPECT_FALSE(response.cacheable);
}

TEST(Router, ListsAllRoutesInOrderOfAddition) {
    Router router;
    router.add("GET", "/", naming("home"));
    router.add("POST", "/comment", naming("comment"));
    router.add("GET", "/list/{slug}/", naming("category"));
    std::vector<Route> routes = router.routes();
    ASSERT_EQ(routes.size(), 3u);
    EXPECT_EQ(routes[0].method, "GET");
    EXPECT_EQ(routes[0].pattern, "/");
    EXPECT_EQ(routes[1].method, "POST");
    EXPECT_EQ(routes[1].pattern, "/comment");
    EXPECT_EQ(routes[2].pattern, "/list/{slug}/");
}

TEST(Router, TurnsHandlerExceptionInto500) {
    Router router;
    router.add("GET", "/boom", [](const Request&, const RouteParams&) -> Response {
        throw std::runtime_error("x");
    });
    Response response = router.dispatch(make_request("GET", "/boom"));
    EXPECT_EQ(response.status, 500);
    EXPECT_FALSE(response.cacheable);
    EXPECT_EQ(response.body.find("runtime_error"), std::string::npos);
}

}  // namespace
}  // namespace carnet::http
