// Themes: Mustache templates, CSS and locale files under themes/<name>/, turned into pages
// from model values. A Theme builds the view model (dates and times in the blog's time
// zone and locale, strings from the locale's .po file, URLs of posts and categories) and
// renders it; it never asks the store for anything.
#pragma once

#include <filesystem>
#include <kainjow/mustache.hpp>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "text/text.hpp"

namespace carnet::theme {

using model::Result;

class ViewValue;  // theme/template_engine.hpp, private to the theme

// What the sidebar of every page shows.
struct Sidebar {
    std::vector<model::Category> categories;  // with post counts, by name
    std::vector<model::MonthCount> months;    // newest first
    std::vector<model::Post> recent_posts;    // newest first, bodies not needed
    std::vector<model::Page> pages;           // published static pages, in their order
    // The theme's view of all this, made once by Theme::prepare_sidebar and shared by every
    // page rendered with this sidebar; without it each render makes its own.
    std::shared_ptr<const ViewValue> prepared;
    // The view of each of `months`, in their order, part of `prepared`: the next sidebar of
    // the blog takes those of the months whose count is unchanged, with what they rendered.
    std::vector<std::shared_ptr<const ViewValue>> prepared_months;
};

enum class ListingKind { home, year, month, day, category };

// A page of posts: the home page, an archive or a category.
struct Listing {
    ListingKind kind = ListingKind::home;
    int year = 0;                    // for year, month and day
    int month = 0;                   // for month and day
    int day = 0;                     // for day
    model::Category category;        // for category
    std::vector<model::Post> posts;  // newest first
    int page = 1;                    // 1-based
    int page_count = 1;
    // The path of the listing's first page ("/", "/list/libye/", "/archive/2017/10/");
    // page N > 1 is at base_path + "page/N/".
    std::string base_path = "/";
};

// One feed a page links to for autodiscovery.
struct FeedLink {
    std::string title;  // "Carnet — Atom"
    std::string type;   // "application/atom+xml"
    std::string url;    // absolute
};

// Where the page lives and what it links to, decided by the site for each request.
struct PageContext {
    // "https://blog.example.org" with no trailing slash. Empty: links stay relative and the
    // canonical link falls back to the blog's first host.
    std::string base_url;
    std::string path;             // this page's own path, for <link rel="canonical">
    std::vector<FeedLink> feeds;  // the blog's feeds, then those of the page's category
    // The page links the RSD file (/rsd.xml, rel="EditURI") where writers' apps find the
    // blog's XML-RPC endpoint, and Micropub's and IndieAuth's endpoints (rel="micropub",
    // "indieauth-metadata", "authorization_endpoint", "token_endpoint"): only where a
    // server answers them, not in a static copy.
    bool edit_uri = false;
    // The page names the blog's Webmention endpoint (rel="webmention"): again only where a
    // server answers it.
    bool webmention = false;
    // The address of the page's ActivityStreams object (a post's Article, which the server
    // answers at the permalink to application/activity+json), linked as rel="alternate";
    // empty for none.
    std::string activity_object;
};

// A search result as the theme shows it.
struct SearchHit {
    model::Post post;     // with categories
    std::string passage;  // plain text: the theme escapes it
    // Where the matched terms are in `passage`: byte ranges, in order, not overlapping. The
    // theme shows them inside <mark>.
    std::vector<text::ByteRange> matches;
};

// The search page: the form, and the results when there is a query.
struct SearchPage {
    std::string query;  // as typed; empty shows the form alone
    std::vector<SearchHit> hits;
    int total = 0;
    bool more = false;  // more posts match than the search lists (total)
    int page = 1;
    int page_count = 1;
};

// A comment as the theme shows it, with the replies under it.
struct CommentNode {
    model::Comment comment;  // html already safe
    std::vector<CommentNode> replies;
};

// The comments of a post page and its form.
struct CommentsSection {
    std::vector<CommentNode> threads;  // this page's comments, oldest first
    int page = 1;                      // pages of threads, ?comments=N
    int page_count = 1;
    bool open = false;  // the form is shown
    std::string stamp;  // the form's signed timestamp
    enum class Notice { none, approved, held };
    Notice notice = Notice::none;
    std::string error;  // why the comment sent was refused, in the blog's language
    // What the reader sent, shown again when it was refused; parent_id also comes from a
    // "reply" link (?reply=N), so that replying needs no script.
    std::string name;
    std::string email;
    std::string url;
    std::string body;
    std::int64_t parent_id = 0;
    std::string parent_author;  // the name of the comment replied to
    // The fediverse's Announces (shares) and Likes of the post.
    int shares = 0;
    int likes = 0;
};

// Where the renders on this thread, while it lives, wrote the sidebar that every page of a
// blog shares (Sidebar::prepared): the static build records it, so that after a write that
// changes only the sidebar (a new post elsewhere: its count, the recent posts) it puts the
// new sidebar in place of the old one in each page instead of rendering the page again.
// A page's trace is exact or says it cannot be: `elsewhere` when the template read the
// sidebar's data other than through one {{#sidebar}} section that begins a line.
class SidebarTrace {
public:
    SidebarTrace();
    ~SidebarTrace();
    SidebarTrace(const SidebarTrace&) = delete;
    SidebarTrace& operator=(const SidebarTrace&) = delete;

    struct Write {
        std::size_t offset = 0;  // in the rendered page
        std::size_t length = 0;
        // The template's line state after it, which the bytes that follow depend on.
        bool section_on_line = false;
        bool ends_line = false;
    };
    // Clears what was traced, before the next page.
    void clear() {
        writes.clear();
        elsewhere = false;
    }
    std::vector<Write> writes;
    bool elsewhere = false;

    // The trace of this thread, nullptr when none lives.
    static SidebarTrace* current();

private:
    SidebarTrace* previous_;
};

class Theme {
public:
    // Loads themes/<name>/ from `themes_dir`: its templates (parsed once) and its locale
    // files (locales/fr.po, locales/en.po). Fails with a readable message naming the file
    // when one is missing or does not parse.
    [[nodiscard]] static Result<std::unique_ptr<Theme>> load(
        const std::filesystem::path& themes_dir, std::string_view name);
    virtual ~Theme() = default;

    // Complete HTML documents. Safe to call from several threads at once.
    virtual std::string render_listing(const model::Blog& blog, const Listing& listing,
                                       const Sidebar& sidebar,
                                       const PageContext& context) const = 0;
    // Post pages also carry schema.org BlogPosting JSON-LD, then the comments and their form.
    virtual std::string render_post(const model::Blog& blog, const model::Post& post,
                                    const Sidebar& sidebar, const PageContext& context,
                                    const CommentsSection& comments = {}) const = 0;
    virtual std::string render_search(const model::Blog& blog, const SearchPage& search,
                                      const Sidebar& sidebar, const PageContext& context) const = 0;
    // A static page (about, contact): its title and its text, no date, no comments.
    virtual std::string render_page(const model::Blog& blog, const model::Page& page,
                                    const Sidebar& sidebar, const PageContext& context) const = 0;
    virtual std::string render_not_found(const model::Blog& blog, const Sidebar& sidebar,
                                         const PageContext& context) const = 0;

    // Makes sidebar.prepared from the rest of `sidebar`, for the blog's locale and time zone:
    // the pages that share a sidebar then share its view too. Call it again after changing
    // the sidebar. `previous`, when given, is a sidebar this theme prepared for the same blog
    // with the same settings: the months it shows alike are taken from it, not made again
    // (a new post changes one month of a thousand).
    virtual void prepare_sidebar(const model::Blog& blog, Sidebar& sidebar,
                                 const Sidebar* previous) const = 0;

    // The theme's CSS, served at /theme/style.css.
    virtual const std::string& stylesheet() const = 0;

    // A string of the blog's locale by its msgid, or the msgid itself when untranslated.
    virtual std::string text(std::string_view locale, std::string_view msgid) const = 0;
};

// The admin's pages. They come from a theme folder of their own (themes/admin/), never from
// the blog's theme: a blog's theme changes what readers see, not the writer's tools. The folder
// holds one <page>.mustache per page (layout.mustache among them) and locales/<locale>.po,
// fr.po and en.po at least, whose msgids are the English strings. In a template,
// {{#t}}Log in{{/t}} is "Log in" translated in the page's locale and HTML-escaped, and
// {{#t}}page state|Published{{/t}} the translation of "Published" with msgctxt "page state"
// (for an English word that means two things in another language).
class AdminPages {
public:
    // Reads and parses every template of `dir` and its catalogs once. Fails with a readable
    // message naming the file when one is missing or does not parse.
    [[nodiscard]] static Result<std::unique_ptr<AdminPages>> load(const std::filesystem::path& dir);
    virtual ~AdminPages() = default;

    // The template `page` ("login" for login.mustache) rendered with `view` in `locale`;
    // values are HTML-escaped unless the template uses {{{ }}}. Safe to call from several
    // threads at once. An unknown page is a broken invariant of the caller (std::logic_error).
    virtual std::string render(std::string_view page, std::string_view locale,
                               kainjow::mustache::data view) const = 0;

    // A string of `locale` by its msgid (and msgctxt), or the msgid itself when untranslated.
    virtual std::string text(std::string_view locale, std::string_view msgid,
                             std::string_view context = {}) const = 0;
};

}  // namespace carnet::theme
