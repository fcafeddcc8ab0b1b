// The public pages of every blog the store holds: home, post permalinks, day, month and
// year archives, category pages, search, feeds (Atom, RSS, JSON Feed, site-wide and per
// category), sitemap, robots.txt, the theme's stylesheet, and the old service's URLs as
// permanent redirects. The blog is chosen by the request's Host header; a host that no blog
// names gets the default blog (the one without host names), or the only blog there is.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "comments/comments.hpp"
#include "http/http.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace carnet::site {

struct SiteOptions {
    std::filesystem::path themes_dir;
    // URLs per sitemap file (the sitemaps.org limit); past it /sitemap.xml becomes an index.
    int sitemap_max_urls = 50'000;
    // Where uploaded images are (served at /media/); empty: no media.
    std::filesystem::path media_dir;
    // Post pages carry the comment form and reply links. A static copy (`carnet build`) turns
    // them off: the form's stamp is signed by the serving process and expires, so no server
    // could accept a form written into a file; the page then says comments are closed.
    bool comment_form = true;
    // Pages link the RSD file of the writers' apps (api module), which the server answers; a
    // static copy, which has no API, turns it off.
    bool writer_apps = true;
    // Pages name the Webmention endpoint (social module); a static copy turns it off too.
    bool webmention_endpoint = true;
    // A comment sent sooner than this after its form was served is a robot's, and refused.
    std::chrono::seconds comment_min_age{3};
    // Where the comment form's rate limit counts besides the process's memory: the store every
    // node shares (`carnet serve` hands one), so that a reader balanced from node to node gets
    // one allowance. Unset: each process counts on its own.
    std::shared_ptr<comments::RateLedger> comment_ledger;
    // Reads of public pages go to a hot standby through this router when it is set
    // (`carnet serve --read-db`); writes, the comment form's and everything else go to the
    // store the site was made with.
    std::shared_ptr<store::ReadRouter> read_router;
    // Where the site reads the time: when a comment form was served and a comment sent, when
    // a page last changed (Last-Modified).
    std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>();
    // The post as an ActivityStreams object (JSON text, social module): set, a post's
    // permalink answers it to requests whose Accept asks for application/activity+json (or
    // application/ld+json with the ActivityStreams profile), and its HTML page links it
    // (rel="alternate"); both vary on Accept, the cache keeping them apart. Unset: HTML only.
    std::function<std::string(const model::Blog&, const model::Post&, const http::Request&)>
        post_object;
};

class Site {
public:
    // Loads the blogs and their themes. The store must outlive the site.
    [[nodiscard]] static model::Result<std::unique_ptr<Site>> create(store::Store& store,
                                                                     SiteOptions options);
    virtual ~Site() = default;

    // Reads the blogs and their settings again (the admin changed one, `carnet blog add` made
    // one); the server calls it now and then. Pages in flight finish with what they had.
    [[nodiscard]] virtual model::Status load() = 0;

    // Adds the public routes and the themed 404 page to `router`.
    virtual void register_routes(http::Router& router) = 0;

    // Public GET pages are cacheable until their blog's generation changes; the key holds the
    // Host header when the blog has no base URL (links are made from it). Search pages are
    // never cached. Costs no query.
    virtual http::CachePolicy cache_policy() = 0;
};

}  // namespace carnet::site
