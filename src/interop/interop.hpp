// Moving blogs in and out of carnet: the front page of the old hosted service, saved as text
// (what a browser's "save as text" or a copy of the page gives), and the blog written out as
// static files for any web server.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "store/store.hpp"

namespace carnet::interop {

using model::Result;

// One post as read from a saved front page.
struct PageTextPost {
    int line = 0;  // 1-based line of its day header in the input
    std::string title;
    model::LocalDateTime published_local;   // 00:00 on its day when the footer is missing
    std::vector<std::string> categories;    // in the order written
    std::vector<std::string> paragraphs;    // body text, one entry per paragraph
    std::vector<bool> is_subheading;        // parallel to paragraphs
    bool has_footer = false;                // false for a post cut off by the end of the page
    std::optional<int> announced_comments;  // "Commentaires (N)" when there is a footer
};

// Reads a saved front page. Refuses (Code::invalid_input, with a line number) anything that
// is not one: no day header, a day header with no title after it, an invalid date or time,
// text that is not UTF-8.
[[nodiscard]] Result<std::vector<PageTextPost>> parse_page_text(std::string_view text);

struct ImportReport {
    int imported = 0;
    int skipped = 0;
    std::vector<std::string> lines;  // one per post and per problem, for a person to read
};

// Imports a saved front page into the blog, in one transaction: posts are published at
// their time in the blog's time zone, with their categories, their body as HTML (paragraphs
// and subheadings). A post whose slug is already in the blog is skipped, so importing the
// same page twice adds nothing. The report says, per post, how many comments the page
// announced (their texts are not in such a page) and which posts had no footer.
[[nodiscard]] Result<ImportReport> import_page_text(store::Store& store, std::int64_t blog_id,
                                                    std::string_view text);

// How the bytes of an imported file are to be read.
enum class TextEncoding { detect, utf8, latin1, windows1252 };
std::string_view to_string(TextEncoding encoding);  // "utf-8", "latin-1", "windows-1252"
// "utf-8", "latin-1" (or "iso-8859-1") and "windows-1252" (or "cp1252"), any case.
std::optional<TextEncoding> parse_text_encoding(std::string_view name);

struct MtImportOptions {
    TextEncoding encoding = TextEncoding::detect;
    // When the import runs: the date of entries the file leaves undated (reported).
    model::Instant import_time{};
    // Called after each entry written with how many are done out of how many; may be empty.
    std::function<void(std::size_t done, std::size_t total)> progress;
};

struct MtImportReport {
    int imported = 0;  // new posts
    int merged = 0;    // posts already present that got comments or pings they lacked
    int skipped = 0;   // posts already present with everything the file holds for them
    TextEncoding encoding = TextEncoding::utf8;  // how the file was read
    std::vector<std::string> lines;  // "line N: ..." per post and per warning, for a person
};

// Imports a Movable Type / Typepad export (the text format) into the blog, in one
// transaction: a file refused half-way (Code::invalid_input, "line N: ...") leaves the blog
// as it was. Only a file that is no such export is refused (cut short, a date that cannot be
// read); whatever Movable Type's own importer takes is imported, and the report names, by
// line, each key, section or comment kept aside, defaulted or dropped. Posts keep their status,
// date (read in the blog's time zone), categories in order, tags, body (CONVERT BREAKS honoured),
// excerpt, and their comments and pings as approved; whatever else the format holds is kept for
// `export_movable_type`. BASENAME is the slug when it is a valid one; when the old path
// /archive/YYYY/MM/DD/<basename>.html is not the post's carnet path, it redirects there. A post
// already in the blog (same date, and same slug or basename) is not added again: only its missing
// comments are.
[[nodiscard]] Result<MtImportReport> import_movable_type(store::Store& store, std::int64_t blog_id,
                                                         std::string_view bytes,
                                                         const MtImportOptions& options = {});
// The same, reading the file a run of entries at a time: memory holds one entry's worth of
// the file, whatever its size.
[[nodiscard]] Result<MtImportReport> import_movable_type_file(store::Store& store,
                                                              std::int64_t blog_id,
                                                              const std::filesystem::path& file,
                                                              const MtImportOptions& options = {});

// The blog's posts but those in the trash, oldest first, with their comments and pings, in
// the Movable Type text format (UTF-8). Exporting, importing into a fresh blog of the same
// time zone and exporting again gives the same bytes.
[[nodiscard]] Result<std::string> export_movable_type(store::Store& store, std::int64_t blog_id);
// The same, written to `out` a post at a time as the posts are read in batches: memory holds
// one batch whatever the blog's size. Returns how many posts were written.
[[nodiscard]] Result<std::size_t> export_movable_type(store::Store& store, std::int64_t blog_id,
                                                      std::ostream& out);

struct WxrImportOptions {
    // detect: as the file declares (UTF-8 when it declares nothing), and as windows-1252 when
    // a file that declares nothing or UTF-8 is not valid UTF-8.
    TextEncoding encoding = TextEncoding::detect;
    // The old blog's uploads (its wp-content/uploads folder, or a folder holding the files by
    // name). Empty: attachments keep their URLs only.
    std::filesystem::path uploads_dir;
    // carnet's folder of images (the server's --media-dir), where found uploads are stored.
    std::filesystem::path media_dir;
    // When the import runs: the date of posts and pages the file leaves undated (reported).
    model::Instant import_time{};
    // Called after each item written with how many are done out of how many; may be empty.
    std::function<void(std::size_t done, std::size_t total)> progress;
};

struct WxrImportReport {
    int imported = 0;  // new posts
    int merged = 0;    // posts already present that got comments they lacked
    int skipped = 0;   // posts and pages already present with everything the file holds
    int pages = 0;     // new static pages
    int media = 0;     // attachments whose file was found and stored
    int accounts = 0;  // authors who got an account (without password)
    TextEncoding encoding = TextEncoding::utf8;
    std::vector<std::string> lines;  // "line N: ..." per post and per problem, for a person
};

// Imports a WordPress export (WXR 1.0, 1.1 or 1.2), read as a stream so that memory stays
// bounded whatever the file's size, in one transaction: a file refused half-way
// (Code::invalid_input, "line N: ...") leaves the blog as it was. Posts keep their status
// (private and password-protected posts become drafts, so that nothing hidden is shown),
// dates (the file's UTC dates; its local ones in the blog's time zone when it has none),
// categories and tags in order, excerpt, and their comments with threads, status, pings;
// pages become static pages; an author whose e-mail has no account gets one without
// password and the author role. Attachments keep their URLs; with `uploads_dir`, their image
// files are stored and posts point at carnet's copies. What carnet has no field for (post
// meta, other taxonomies, WordPress ids) goes to the post's meta for export_wordpress;
// unknown item types and elements are reported. Importing the same file twice adds nothing.
[[nodiscard]] Result<WxrImportReport> import_wordpress(store::Store& store, std::int64_t blog_id,
                                                       const std::filesystem::path& file,
                                                       const WxrImportOptions& options = {});

// The blog as a WXR 1.2 file that WordPress's importer accepts: its authors, categories,
// tags, posts (but those in the trash), pages, and comments with their threads. Each post
// also carries its carnet source (post meta _carnet_source_format and _carnet_source), so
// that importing the file into carnet again gives the same posts.
[[nodiscard]] Result<std::string> export_wordpress(store::Store& store, std::int64_t blog_id);
// The same, written to `out` as the posts are read in batches (twice: the authors and tags
// the channel lists first, then the items): memory holds one batch and the posts' image
// addresses, whatever the blog's size. Returns how many posts and pages were written.
[[nodiscard]] Result<std::size_t> export_wordpress(store::Store& store, std::int64_t blog_id,
                                                   std::ostream& out);

// What `build_static_site` renders and where it writes it.
struct StaticBuildOptions {
    std::int64_t blog_id = 0;  // 0: the only blog of the store
    std::filesystem::path out_dir;
    std::filesystem::path themes_dir;
    std::filesystem::path media_dir;  // uploaded images; empty: no media
    // Where readers will reach the copy, for the absolute links of feeds, sitemap and
    // canonical tags. Empty: the blog's own base URL. A blog with a base URL of its own only
    // accepts that one (the server shows it); one without takes an http:// URL of a host it
    // answers to, as if a reader had asked that host.
    std::string base_url;
    // Called after each URL rendered with how many are done out of how many; may be empty.
    std::function<void(std::size_t done, std::size_t total)> progress;
};

struct StaticBuildReport {
    int rendered = 0;  // files whose page was rendered (the others had not changed)
    int written = 0;   // files that were missing or whose bytes changed
    // Of those written, pages that changed only in the sidebar every page shows (a new post's
    // count and title): the new sidebar was put in place of the old one, without a render.
    int spliced = 0;
    int unchanged = 0;              // files already holding the same bytes, left untouched
    int removed = 0;                // files of an earlier build whose page no longer exists
    std::vector<std::string> urls;  // every URL path the copy holds, in the order rendered
};

// The file (relative to the output folder) that holds the page at `url_path`: a path ending
// in '/' becomes <path>/index.html, any other keeps its name.
std::filesystem::path static_file_path(std::string_view url_path);

// Writes the blog's public site as static files: every listing page (home, years, months,
// days, categories), every post, the feeds, sitemap, robots.txt, the theme's files, and the
// public media. Each answer is rendered through the site's own routes, so the bytes are the
// server's, except post pages, which carry no comment form (SiteOptions::comment_form).
// Files are replaced atomically and only when their bytes change; files an earlier build
// wrote (listed in the folder's .carnet-build manifest) that no longer belong are removed;
// nothing else in the folder is touched. The manifest also records what each page showed
// (a digest of its rows, the blog's settings, the theme and the program): a page whose
// inputs have not changed since is not rendered again, and when the blog's generation,
// the program, the options and the theme are all as last time, nothing is rendered at all.
// The shared parts of pages (layout, sidebar) are read from the not-found page, which is
// rendered on every build but that last one; a change there renders every page. Fails with
// invalid_input for a bad base URL or blog, io when a file cannot be written, internal when a page
// does not render.
[[nodiscard]] Result<StaticBuildReport> build_static_site(store::Store& store,
                                                          const StaticBuildOptions& options);

}  // namespace carnet::interop
