#include "cli/cli.hpp"

#include <fmt/format.h>
#include <malloc.h>
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>
#include <toml++/toml.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <charconv>
#include <fstream>
#include <iostream>
#include <sstream>

#include "admin/admin.hpp"
#include "api/api.hpp"
#include "auth/auth.hpp"
#include "cli/commands.hpp"
#include "comments/comments.hpp"
#include "http/http.hpp"
#include "interop/interop.hpp"
#include "site/site.hpp"
#include "social/social.hpp"
#include "store/store.hpp"

#ifndef CARNET_THEMES_DIR
#define CARNET_THEMES_DIR "themes"
#endif

namespace carnet::cli {
namespace {

using model::Error;
using model::Result;
using model::Status;

// Settings that carnet.toml may hold; flags given on the command line win over them.
struct Settings {
    std::string db = "carnet.db";
    std::string listen = "127.0.0.1:8080";
    int threads = 0;
    std::string themes_dir = CARNET_THEMES_DIR;
    std::size_t max_header_bytes = 16 * 1024;
    std::size_t max_body_bytes = 1024 * 1024;
    int idle_timeout_ms = 30'000;
    int request_timeout_ms = 30'000;
    std::size_t page_cache_mb = 128;
    int comment_delay_seconds = 3;
    // The login throttle's first wait, after the free failures; each further failure doubles
    // it (auth::LoginThrottle).
    int login_delay_seconds = 1;
    bool access_log = true;
    // Uploaded images; empty: a folder named after the database, "<db>.media".
    std::string media_dir;
    // A hot standby of the PostgreSQL database `db`, for the public pages' reads; empty: none.
    std::string read_db;
    std::size_t max_upload_mb = 20;
    std::vector<std::string> trusted_proxies;
    // Let the fetch client reach loopback addresses over plain http: for tests that run
    // several servers on one machine, never for a public server. Command line only.
    bool allow_loopback_fetch = false;
    // The first retry of a webmention that failed waits this long, each next one twice as long.
    int delivery_retry_seconds = 60;
};

// Reads carnet.toml: flat keys named like the long flags with '_' for '-'.
Status read_settings(const std::string& path, bool must_exist, Settings& settings) {
    std::ifstream file(path);
    if (!file) {
        if (!must_exist) return {};
        return model::fail(Error::Code::not_found, fmt::format("cannot read {}", path));
    }
    toml::table table;
    try {
        table = toml::parse(file, path);
    } catch (const toml::parse_error& error) {
        return model::fail(
            Error::Code::invalid_input,
            fmt::format("{} line {}: {}", path, error.source().begin.line, error.description()));
    }
    for (const auto& [key, value] : table) {
        const std::string_view name = key.str();
        bool understood = true;
        if (name == "db" && value.is_string()) {
            settings.db = value.as_string()->get();
        } else if (name == "listen" && value.is_string()) {
            settings.listen = value.as_string()->get();
        } else if (name == "themes" && value.is_string()) {
            settings.themes_dir = value.as_string()->get();
        } else if (name == "media_dir" && value.is_string()) {
            settings.media_dir = value.as_string()->get();
        } else if (name == "read_db" && value.is_string()) {
            settings.read_db = value.as_string()->get();
        } else if (name == "trusted_proxies" && value.is_array()) {
            settings.trusted_proxies.clear();
            for (const auto& proxy : *value.as_array()) {
                if (!proxy.is_string()) {
                    return model::fail(Error::Code::invalid_input,
                                       fmt::format("{}: trusted_proxies holds strings", path));
                }
                settings.trusted_proxies.push_back(proxy.as_string()->get());
            }
        } else if (name == "access_log" && value.is_boolean()) {
            settings.access_log = value.as_boolean()->get();
        } else if (value.is_integer() && value.as_integer()->get() >= 0) {
            const auto number = value.as_integer()->get();
            if (name == "threads") {
                settings.threads = static_cast<int>(number);
            } else if (name == "max_header_bytes") {
                settings.max_header_bytes = static_cast<std::size_t>(number);
            } else if (name == "max_body_bytes") {
                settings.max_body_bytes = static_cast<std::size_t>(number);
            } else if (name == "idle_timeout_ms") {
                settings.idle_timeout_ms = static_cast<int>(number);
            } else if (name == "request_timeout_ms") {
                settings.request_timeout_ms = static_cast<int>(number);
            } else if (name == "max_upload_mb") {
                settings.max_upload_mb = static_cast<std::size_t>(number);
            } else if (name == "page_cache_mb") {
                settings.page_cache_mb = static_cast<std::size_t>(number);
            } else if (name == "comment_delay_seconds") {
                settings.comment_delay_seconds = static_cast<int>(number);
            } else if (name == "login_delay_seconds") {
                settings.login_delay_seconds = static_cast<int>(number);
            } else if (name == "delivery_retry_seconds") {
                settings.delivery_retry_seconds = static_cast<int>(number);
            } else {
                understood = false;
            }
        } else {
            understood = false;
        }
        if (!understood) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("{}: unknown setting or wrong type: {}", path, name));
        }
    }
    return {};
}

struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
};

Result<ListenAddress> parse_listen(std::string_view text) {
    const auto colon = text.rfind(':');
    if (colon == std::string_view::npos) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("--listen {}: expected ADDRESS:PORT", text));
    }
    std::string host(text.substr(0, colon));
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']') {
        host = host.substr(1, host.size() - 2);
    }
    if (host.empty()) host = "0.0.0.0";
    const auto port_text = text.substr(colon + 1);
    unsigned port = 0;
    const auto [end, error] =
        std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size() || port > 65535) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("--listen {}: the port must be 0 to 65535", text));
    }
    return ListenAddress{host, static_cast<std::uint16_t>(port)};
}

int run_init(const Settings& settings, model::Blog blog) {
    // Opening creates the file; a failure below must not leave a half-made database behind.
    const bool is_file = !store::is_postgres_uri(settings.db);
    const bool existed = is_file && std::filesystem::exists(settings.db);
    static const SystemClock clock;
    auto store = store::open_store(settings.db, store::OpenMode::create_if_missing, clock);
    if (!store) return report_failure(store.error());
    std::int64_t blog_id = 0;
    auto blogs = (*store)->blogs().list_blogs();
    if (!blogs) return report_failure(blogs.error());
    if (!blogs->empty()) {
        return report_failure(Error{
            Error::Code::conflict,
            fmt::format("{} already holds a blog; init does nothing", displayed_db(settings.db))});
    }
    while (blog.base_url.ends_with('/')) blog.base_url.pop_back();
    auto written = (*store)->write([&](store::Writer& writer) -> Status {
        auto created = writer.blogs().create_blog(blog);
        if (!created) return std::unexpected(created.error());
        blog_id = *created;
        return {};
    });
    if (!written) {
        store->reset();
        if (is_file && !existed) {
            for (const char* suffix : {"", "-wal", "-shm"}) {
                std::filesystem::remove(settings.db + suffix);
            }
        }
        return report_failure(written.error());
    }
    std::cout << fmt::format("created blog {} \"{}\" in {}\n", blog_id, blog.title,
                             displayed_db(settings.db));
    return 0;
}

int run_user_add(const Settings& settings, const model::User& user, std::string_view role_name,
                 std::int64_t blog_id) {
    auto role = model::parse_role(role_name);
    if (!role) {
        return report_failure(
            Error{Error::Code::invalid_input,
                  fmt::format("unknown role {} (owner, editor, author, moderator)", role_name)});
    }
    auto hash = auth::hash_password(read_secret_line());
    if (!hash) return report_failure(hash.error());

    auto store = open_existing(settings.db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, blog_id);
    if (!blog) return report_failure(blog.error());
    auto written = (*store)->write([&](store::Writer& writer) -> Status {
        auto created = writer.accounts().create_user(user, *hash);
        if (!created) return std::unexpected(created.error());
        return writer.accounts().add_membership(blog->id, *created, *role);
    });
    if (!written) return report_failure(written.error());
    std::cout << fmt::format("added {} <{}> as {} of \"{}\"\n", user.name, user.email,
                             model::to_string(*role), blog->title);
    return 0;
}

// Rebuilds the search index of every blog, then counts what it holds: the published posts.
int run_search_reindex(const Settings& settings) {
    auto store = open_existing(settings.db);
    if (!store) return report_failure(store.error());
    if (auto rebuilt = (*store)->search().rebuild_search_index(); !rebuilt) {
        return report_failure(rebuilt.error());
    }
    auto blogs = (*store)->blogs().list_blogs();
    if (!blogs) return report_failure(blogs.error());
    int indexed = 0;
    for (const auto& blog : *blogs) {
        auto posts = (*store)->posts().published_posts(blog.id, store::PostQuery{.limit = 0});
        if (!posts) return report_failure(posts.error());
        indexed += posts->total;
    }
    std::cout << fmt::format("{} posts indexed\n", indexed);
    return 0;
}

int run_import_page_text(const Settings& settings, const std::string& file, std::int64_t blog_id) {
    std::ifstream input(file, std::ios::binary);
    if (!input) {
        return report_failure(Error{Error::Code::not_found, fmt::format("cannot read {}", file)});
    }
    std::ostringstream text;
    text << input.rdbuf();
    auto store = open_existing(settings.db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, blog_id);
    if (!blog) return report_failure(blog.error());
    auto report = interop::import_page_text(**store, blog->id, text.str());
    if (!report) {
        return report_failure(
            Error{report.error().code,
                  fmt::format("{}: {} (nothing was imported)", file, report.error().message)});
    }
    for (const auto& line : report->lines) std::cout << line << "\n";
    std::cout << fmt::format("{} imported, {} skipped\n", report->imported, report->skipped);
    return 0;
}

// The login throttle's counts in the database: a guess made on one node counts on every other
// (and across restarts). A read or write that fails leaves the throttle its own memory.
class StoreThrottleLedger final : public auth::ThrottleLedger {
public:
    explicit StoreThrottleLedger(store::Store& store) : store_(store) {}

    Result<std::optional<Entry>> find(std::string_view key) override {
        auto found = store_.login_failures().find_login_failures(key);
        if (!found) {
            spdlog::warn("cannot read the login throttle's counts: {}", found.error().message);
            return std::unexpected(found.error());
        }
        if (!found->has_value()) return std::optional<Entry>{};
        return std::optional<Entry>{Entry{(*found)->count, (*found)->last}};
    }

    bool add_failure(std::string_view key, std::chrono::sys_seconds now,
                     std::chrono::sys_seconds forget_before) override {
        return written(store_.write([&](store::Writer& writer) {
            return writer.login_failures().add_login_failure(key, now, forget_before);
        }));
    }

    bool clear(std::string_view key) override {
        return written(store_.write([&](store::Writer& writer) {
            return writer.login_failures().clear_login_failures(key);
        }));
    }

private:
    static bool written(const model::Status& status) {
        if (!status)
            spdlog::warn("cannot keep the login throttle's counts: {}", status.error().message);
        return status.has_value();
    }

    store::Store& store_;
};

// The comment rate limits' counts in the database, under `kind` (comments through the form and
// webmentions are counted apart): a reader sent from node to node by the balancer gets one
// allowance, not one per node. A write that fails leaves the limit its own count.
class StoreRateLedger final : public comments::RateLedger {
public:
    StoreRateLedger(store::Store& store, std::string_view kind) : store_(store), kind_(kind) {}

    std::optional<bool> record_attempt(std::string_view key, model::Instant now,
                                       const comments::RateLimits& limits) override {
        const store::AttemptLimits attempt_limits{
            .max_attempts = static_cast<int>(std::min<std::size_t>(limits.max_comments, 1'000)),
            .window = limits.window};
        const auto scoped_key = fmt::format("{} {}", kind_, key);
        bool allowed = false;
        auto written = store_.write([&](store::Writer& writer) -> Status {
            auto recorded =
                writer.comment_attempts().record_comment_attempt(scoped_key, now, attempt_limits);
            if (!recorded) return std::unexpected(recorded.error());
            allowed = *recorded;
            return {};
        });
        if (!written) {
            spdlog::warn("cannot count a {} in the database: {}", kind_, written.error().message);
            return std::nullopt;
        }
        return allowed;
    }

private:
    store::Store& store_;
    std::string kind_;
};

int run_serve(const Settings& settings) {
    auto listen = parse_listen(settings.listen);
    if (!listen) return report_failure(listen.error());
    auto store = open_existing(settings.db);
    if (!store) return report_failure(store.error());
    const auto media_dir =
        settings.media_dir.empty() ? default_media_dir(settings.db) : settings.media_dir;
    // The one place the server learns the time of day; everything else is handed this clock.
    const std::shared_ptr<const Clock> clock = std::make_shared<SystemClock>();
    std::unique_ptr<store::Store> replica;
    std::shared_ptr<store::ReadRouter> read_router;
    if (!settings.read_db.empty()) {
        if (!store::is_postgres_uri(settings.db) || !store::is_postgres_uri(settings.read_db)) {
            return report_failure(model::Error{
                Error::Code::invalid_input,
                "--read-db names a PostgreSQL replica of a PostgreSQL --db (two libpq URIs)"});
        }
        auto opened = store::open_postgres_replica(settings.read_db, *clock);
        if (!opened) return report_failure(opened.error());
        replica = std::move(*opened);
        read_router = std::make_shared<store::ReadRouter>(**store, *replica, *clock);
    }
    auto site = site::Site::create(
        **store,
        site::SiteOptions{.themes_dir = settings.themes_dir,
                          .media_dir = media_dir,
                          .comment_min_age = std::chrono::seconds(settings.comment_delay_seconds),
                          .comment_ledger = std::make_shared<StoreRateLedger>(**store, "comment"),
                          .read_router = read_router,
                          .clock = clock,
                          .post_object = [](const model::Blog& blog, const model::Post& post,
                                            const http::Request& request) {
                              return social::Federation::article_json(blog, post, request);
                          }});
    if (!site) return report_failure(site.error());

    // One login throttle for the login form and the APIs: a guess counts wherever it is made.
    auth::LoginThrottle::Limits throttle_limits;
    throttle_limits.first_delay = std::chrono::seconds(std::max(1, settings.login_delay_seconds));
    auto throttle = std::make_shared<auth::LoginThrottle>(
        throttle_limits, std::make_shared<StoreThrottleLedger>(**store));
    // The work queue runs on threads of its own: a slow remote site never holds a request.
    social::Worker worker(
        **store, *clock,
        social::WorkerOptions{
            .name = fmt::format("{}:{}", getpid(), auth::random_token(8)),
            .first_retry = std::chrono::seconds(std::max(1, settings.delivery_retry_seconds))});
    social::FetchOptions fetch_options;
    fetch_options.allow_loopback = settings.allow_loopback_fetch;
    fetch_options.allow_plain_http = settings.allow_loopback_fetch;
    if (settings.allow_loopback_fetch) {
        spdlog::warn(
            "--allow-loopback-fetch: this server fetches from loopback over plain http "
            "(for tests only)");
    }
    social::Webmentions webmentions(
        **store, worker, *clock,
        social::WebmentionOptions{
            .fetch = fetch_options,
            .ledger = std::make_shared<StoreRateLedger>(**store, "webmention")});

    // A post published, edited or withdrawn anywhere (the admin, an app, the scheduler) tells
    // the sites it links and the blog's followers.
    const store::PostHooks post_hooks{
        .published = [&worker, clock](store::Writer& writer, std::int64_t blog_id,
                                      std::int64_t post_id) -> Status {
            worker.wake();
            if (auto queued = social::Webmentions::queue_post_mentions(writer, blog_id, post_id,
                                                                       clock->now());
                !queued) {
                return queued;
            }
            return social::Federation::queue_post_activity(writer, blog_id, post_id, clock->now());
        },
        .withdrawn = [&worker, clock](store::Writer& writer, std::int64_t blog_id,
                                      std::int64_t post_id) -> Status {
            worker.wake();
            return social::Federation::queue_post_activity(writer, blog_id, post_id, clock->now());
        }};
    social::Actors actors(**store);
    social::Federation federation(**store, worker, actors, *clock,
                                  social::FederationOptions{.fetch = fetch_options});
    // The admin follows, reads and answers the fediverse through the blog's actor.
    admin::AdminOptions::Fediverse fediverse{
        .follow = [&federation](
                      const model::Blog& blog,
                      std::string_view account) { return federation.follow(blog, account); },
        .unfollow =
            [&federation](store::Writer& writer, const model::Blog& blog, std::string_view actor) {
                return federation.unfollow(writer, blog, actor);
            },
        .reply =
            [&federation](store::Writer& writer, const model::Blog& blog,
                          const store::ReaderItem& item, std::string_view text) {
                return federation.reply_to_item(writer, blog, item, text);
            },
        .comment_answered =
            [&federation](store::Writer& writer, const model::Blog& blog,
                          const model::Comment& parent, const model::Comment& answer) {
                return federation.answer_comment(writer, blog, parent, answer);
            }};
    auto admin = admin::Admin::create(
        **store, *clock,
        admin::AdminOptions{
            .media_dir = media_dir,
            .themes_dir = settings.themes_dir,
            .max_upload_bytes = settings.max_upload_mb * 1024 * 1024,
            .throttle = throttle,
            .post_hooks = post_hooks,
            .follower_answered = [&worker, clock](store::Writer& writer, const model::Blog& blog,
                                                  const store::Follower& follower,
                                                  bool accepted) -> Status {
                worker.wake();
                return social::Federation::queue_follow_answer(writer, blog, follower, accepted,
                                                               clock->now());
            },
            .fediverse = std::move(fediverse)});
    if (!admin) return report_failure(admin.error());

    // XML-RPC carries images in base64, a third larger than the image, in some XML.
    const std::size_t xmlrpc_limit =
        std::max<std::size_t>(api::ApiOptions{}.max_request_bytes,
                              settings.max_upload_mb * 1024 * 1024 / 3 * 4 + 1024 * 1024);
    auto api =
        api::Api::create(**store, *clock,
                         api::ApiOptions{.media_dir = media_dir,
                                         .max_upload_bytes = settings.max_upload_mb * 1024 * 1024,
                                         .max_request_bytes = xmlrpc_limit,
                                         .throttle = throttle,
                                         .post_hooks = post_hooks});
    if (!api) return report_failure(api.error());

    http::Router router;
    // The admin's and the API's routes first: the site's end with its catch-all 404 page.
    (*admin)->register_routes(router);
    (*api)->register_routes(router);
    webmentions.register_routes(router);
    actors.register_routes(router);
    federation.register_routes(router);
    (*site)->register_routes(router);
    http::ServerOptions options;
    options.address = listen->host;
    options.port = listen->port;
    options.threads = settings.threads;
    options.max_header_bytes = settings.max_header_bytes;
    options.max_body_bytes = settings.max_body_bytes;
    options.idle_timeout = std::chrono::milliseconds(settings.idle_timeout_ms);
    options.request_timeout = std::chrono::milliseconds(settings.request_timeout_ms);
    options.page_cache_bytes = settings.page_cache_mb * 1024 * 1024;
    options.access_log = settings.access_log;
    options.trusted_proxies = settings.trusted_proxies;
    options.clock = clock;
    // Whatever a commenter manages to slip into a page, the browser runs no script but the
    // site's own files, loads nothing from elsewhere but the three video players' frames,
    // and sends no form elsewhere. The admin's pages carry a stricter policy of their own.
    options.default_headers = {
        {"Content-Security-Policy",
         "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
         "frame-src https://www.youtube-nocookie.com https://player.vimeo.com "
         "https://www.dailymotion.com; object-src 'none'; base-uri 'self'; form-action 'self'; "
         "frame-ancestors 'self'"},
        {"X-Content-Type-Options", "nosniff"},
        {"Referrer-Policy", "strict-origin-when-cross-origin"},
    };
    for (auto& header : social::Webmentions::advertising_headers()) {
        options.default_headers.push_back(std::move(header));
    }
    // Uploads carry images: the multipart envelope needs a little more than the image.
    options.body_limits.push_back(
        http::BodyLimit{std::string(admin::k_upload_path_prefix),
                        settings.max_upload_mb * 1024 * 1024 + 64 * 1024});
    options.body_limits.push_back(http::BodyLimit{std::string(api::k_xmlrpc_path), xmlrpc_limit});
    // Micropub's requests and its media endpoint carry images too, as XML-RPC's.
    options.body_limits.push_back(http::BodyLimit{std::string(api::k_micropub_path), xmlrpc_limit});
    http::Server server(options, std::move(router), (*site)->cache_policy());
    auto port = server.listen();
    if (!port) return report_failure(port.error());
    auto* shared_store = store->get();
    auto* shared_site = site->get();
    server.every(std::chrono::seconds(1), [shared_store, shared_site] {
        if (auto polled = shared_store->poll_external_changes(); !polled) {
            spdlog::warn("cannot poll the database: {}", polled.error().message);
        }
        if (auto loaded = shared_site->load(); !loaded) {
            spdlog::warn("cannot reload the blogs: {}", loaded.error().message);
        }
    });
    // Scheduled posts go out on time, whether or not anyone visits.
    auto* shared_admin = admin->get();
    server.every(std::chrono::seconds(5), [shared_admin, clock] {
        if (auto done = shared_admin->run_due_work(clock->now()); !done) {
            spdlog::warn("cannot publish scheduled posts: {}", done.error().message);
        }
    });
    const bool ipv6 = listen->host.find(':') != std::string::npos;
    spdlog::info("carnet serves {} on http://{}{}{}:{}/", displayed_db(settings.db),
                 ipv6 ? "[" : "", listen->host, ipv6 ? "]" : "", *port);
    if (replica) {
        spdlog::info("public pages read from the replica {} once it has caught up",
                     displayed_db(settings.read_db));
    }
    worker.start();
    server.run();
    worker.stop();
    spdlog::info("carnet stopped");
    return 0;
}

}  // namespace

void keep_freed_memory() {
    // The main thread's heap grows by this much more than asked, and keeps it when freed.
    mallopt(M_TOP_PAD, 8 << 20);
    // Other threads' heaps (and the main one) give back only free space past this.
    mallopt(M_TRIM_THRESHOLD, 32 << 20);
}

int run(int argc, char** argv) {
    keep_freed_memory();
    // Logs go to stderr, so that a command's own output on stdout stays clean to pipe.
    spdlog::set_default_logger(spdlog::stderr_color_mt("carnet"));
    Settings settings;
    // carnet.toml is read before the flags so that flags given on the command line win.
    std::string config_path = "carnet.toml";
    bool config_given = false;
    for (int i = 1; i + 1 < argc; ++i) {
        if (std::string_view(argv[i]) == "--config") {
            config_path = argv[i + 1];
            config_given = true;
        }
    }
    if (auto read = read_settings(config_path, config_given, settings); !read) {
        return report_failure(read.error());
    }

    CLI::App app{"carnet: a blog publishing platform"};
    app.require_subcommand(1);
    // --config may come after the subcommand, like every other flag.
    app.fallthrough();
    app.set_version_flag("--version", std::string("carnet 0.1"));
    app.add_option("--config", config_path, "Settings file (default: carnet.toml if present)");
    const auto add_db = [&](CLI::App* command) {
        command
            ->add_option("--db", settings.db,
                         "SQLite database file, or PostgreSQL URI (postgres://...)")
            ->capture_default_str();
    };

    model::Blog blog;
    auto* init = app.add_subcommand("init", "Create a database holding one blog");
    add_db(init);
    init->add_option("--title", blog.title, "The blog's title")->default_val("Mon carnet");
    init->add_option("--subtitle", blog.subtitle, "A line under the title");
    init->add_option("--host", blog.hosts,
                     "Host name the blog answers to (repeatable); without it, every host that "
                     "no blog added later names");
    init->add_option("--base-url", blog.base_url,
                     "Where readers reach the blog, e.g. https://blog.example.org");
    init->add_option("--locale", blog.locale, "Language of the pages")
        ->check(CLI::IsMember({"fr", "en"}))
        ->capture_default_str();
    init->add_option("--timezone", blog.time_zone, "Time zone posts are shown in")
        ->capture_default_str();
    init->add_option("--posts-per-page", blog.posts_per_page, "Posts on each listing page")
        ->check(CLI::Range(1, 100))
        ->capture_default_str();

    auto* user = app.add_subcommand("user", "Manage the people who write and moderate");
    user->require_subcommand(1);
    auto* user_add = user->add_subcommand("add", "Add a user, reading the password from stdin");
    add_db(user_add);
    model::User new_user;
    std::string role = "owner";
    bool password_stdin = false;
    std::int64_t blog_id = 0;
    user_add->add_option("--email", new_user.email, "E-mail address, used to log in")->required();
    user_add->add_option("--name", new_user.name, "Name shown on posts")->required();
    user_add->add_flag("--password-stdin", password_stdin, "Read the password from stdin")
        ->required();
    user_add->add_option("--role", role, "owner, editor, author or moderator")
        ->capture_default_str();
    user_add->add_option("--blog", blog_id, "Blog id, when the database holds several");

    std::string account_email;
    auto* user_list = user->add_subcommand("list", "List the users and their roles");
    add_db(user_list);
    auto* user_passwd =
        user->add_subcommand("passwd", "Set a user's password from stdin; ends their sessions");
    add_db(user_passwd);
    user_passwd->add_option("--email", account_email, "The user's e-mail address")->required();
    user_passwd->add_flag("--password-stdin", password_stdin, "Read the password from stdin")
        ->required();
    auto* user_remove =
        user->add_subcommand("remove", "Remove a user, or only their role in one blog (--blog)");
    add_db(user_remove);
    user_remove->add_option("--email", account_email, "The user's e-mail address")->required();
    user_remove->add_option("--blog", blog_id, "Only take away the role in this blog");
    auto* user_sessions = user->add_subcommand("sessions", "Count or end a user's sessions");
    add_db(user_sessions);
    user_sessions->add_option("--email", account_email, "The user's e-mail address")->required();
    bool revoke = false;
    user_sessions->add_flag("--revoke", revoke, "End every session of the user");
    auto* user_app_password = user->add_subcommand(
        "app-password",
        "Make an application password for a writer's app (printed once), list or revoke them");
    add_db(user_app_password);
    user_app_password->add_option("--email", account_email, "The user's e-mail address")
        ->required();
    std::string app_password_name;
    std::string app_password_revoke;
    auto* app_password_new = user_app_password->add_option(
        "--name", app_password_name, "Label of the new password (the app it is for)");
    user_app_password
        ->add_option("--revoke", app_password_revoke, "Revoke the password of this label")
        ->excludes(app_password_new);
    auto* user_grant = user->add_subcommand("grant", "Give an existing user a role in a blog");
    add_db(user_grant);
    user_grant->add_option("--email", account_email, "The user's e-mail address")->required();
    user_grant->add_option("--role", role, "owner, editor, author or moderator")->required();
    user_grant->add_option("--blog", blog_id, "Blog id, when the database holds several");

    auto* blog_command = app.add_subcommand("blog", "Manage the blogs one server hosts");
    blog_command->require_subcommand(1);
    auto* blog_add = blog_command->add_subcommand(
        "add", "Add a blog, answering its own host names (without any: the default blog)");
    add_db(blog_add);
    model::Blog added_blog;
    std::string owner_email;
    blog_add->add_option("--host", added_blog.hosts,
                         "Host name the blog answers to (repeatable); without it the blog "
                         "answers every host no other blog names, if no blog does already");
    blog_add->add_option("--title", added_blog.title, "The blog's title")->required();
    blog_add->add_option("--subtitle", added_blog.subtitle, "A line under the title");
    blog_add->add_option("--base-url", added_blog.base_url, "Where readers reach the blog");
    blog_add->add_option("--locale", added_blog.locale, "Language of the pages")
        ->check(CLI::IsMember({"fr", "en"}))
        ->capture_default_str();
    blog_add->add_option("--timezone", added_blog.time_zone, "Time zone posts are shown in")
        ->capture_default_str();
    blog_add->add_option("--owner", owner_email, "E-mail of an existing user who will own it");
    auto* blog_list = blog_command->add_subcommand("list", "List the blogs");
    add_db(blog_list);

    auto* import = app.add_subcommand("import", "Bring posts in from another blog host");
    import->require_subcommand(1);
    auto* page_text =
        import->add_subcommand("page-text", "Import a front page of the old service saved as text");
    add_db(page_text);
    std::string import_file;
    page_text->add_option("FILE", import_file, "The saved page")->required();
    page_text->add_option("--blog", blog_id, "Blog id, when the database holds several");
    MtImportCommand mt_import_command;
    auto* mt_import = add_mt_import_command(*import, mt_import_command);
    add_db(mt_import);
    WxrImportCommand wxr_import_command;
    auto* wxr_import = add_wxr_import_command(*import, wxr_import_command);
    add_db(wxr_import);
    auto* export_command = app.add_subcommand("export", "Write a blog out for another blog host");
    export_command->require_subcommand(1);
    MtExportCommand mt_export_command;
    auto* mt_export = add_mt_export_command(*export_command, mt_export_command);
    add_db(mt_export);
    WxrExportCommand wxr_export_command;
    auto* wxr_export = add_wxr_export_command(*export_command, wxr_export_command);
    add_db(wxr_export);

    auto* search = app.add_subcommand("search", "Maintain the full-text search index");
    add_db(search);
    bool reindex = false;
    search
        ->add_flag("--reindex", reindex,
                   "Rebuild the search index of every blog from its published posts")
        ->required();

    std::string backup_file;
    auto* backup = app.add_subcommand(
        "backup",
        "Copy the database to FILE while the server runs (a consistent snapshot, as a SQLite "
        "file on either backend)");
    add_db(backup);
    backup->add_option("FILE", backup_file, "Where to write the backup")->required();
    auto* restore =
        app.add_subcommand("restore", "Check the backup FILE and put it in place of the database");
    add_db(restore);
    restore->add_option("FILE", backup_file, "A file made by carnet backup")->required();
    bool force_restore = false;
    restore->add_flag("--force", force_restore,
                      "Replace the database even while a server has it open (on SQLite, restart "
                      "it after; on PostgreSQL, replace what the database holds)");

    std::string migrate_from;
    std::string migrate_to;
    auto* migrate = app.add_subcommand(
        "migrate",
        "Copy every blog, user, post and setting from one database into an empty other "
        "(SQLite to PostgreSQL or back), in one transaction, and check the copy");
    migrate->add_option("--from", migrate_from, "The database to copy: a path or a postgres:// URI")
        ->required();
    migrate->add_option("--to", migrate_to, "The empty database to fill: a path or a URI")
        ->required();

    auto* serve = app.add_subcommand("serve", "Serve the blogs over HTTP until SIGINT or SIGTERM");
    add_db(serve);
    serve->add_option("--listen", settings.listen, "ADDRESS:PORT to listen on")
        ->capture_default_str();
    serve->add_option("--threads", settings.threads, "Server threads (0: one per core)")
        ->check(CLI::Range(0, 256))
        ->capture_default_str();
    serve->add_option("--themes", settings.themes_dir, "Folder holding the themes")
        ->capture_default_str();
    serve->add_option("--max-header-bytes", settings.max_header_bytes, "Largest request header")
        ->capture_default_str();
    serve->add_option("--max-body-bytes", settings.max_body_bytes, "Largest request body")
        ->capture_default_str();
    serve
        ->add_option("--idle-timeout-ms", settings.idle_timeout_ms,
                     "Time a kept-alive connection may stay idle")
        ->capture_default_str();
    serve
        ->add_option("--request-timeout-ms", settings.request_timeout_ms,
                     "Time a client has to send one request")
        ->capture_default_str();
    serve->add_option("--page-cache-mb", settings.page_cache_mb, "Memory for cached pages")
        ->capture_default_str();
    serve
        ->add_option("--comment-delay", settings.comment_delay_seconds,
                     "Seconds a reader spends on a post before a comment is accepted (robots "
                     "are quicker)")
        ->check(CLI::Range(0, 3600))
        ->capture_default_str();
    serve
        ->add_option("--login-delay", settings.login_delay_seconds,
                     "Seconds a client waits after its third wrong password in a row, doubled "
                     "at each further one (login form and writers' apps alike)")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    bool quiet = false;
    serve->add_flag("--no-access-log", quiet, "Do not log each request");
    serve->add_option("--media-dir", settings.media_dir,
                      "Folder for uploaded images (default: the database's name + .media)");
    serve->add_option("--read-db", settings.read_db,
                      "A streaming replica of the PostgreSQL database, for the public pages' "
                      "reads (a libpq URI)");
    serve->add_option("--max-upload-mb", settings.max_upload_mb, "Largest image upload")
        ->capture_default_str();
    serve->add_option("--trusted-proxy", settings.trusted_proxies,
                      "Address of a reverse proxy whose X-Forwarded-* headers are believed");
    serve->add_flag("--allow-loopback-fetch", settings.allow_loopback_fetch,
                    "Let webmentions reach loopback addresses over plain http (tests only)");
    serve
        ->add_option("--delivery-retry-seconds", settings.delivery_retry_seconds,
                     "First delay before a failed webmention is tried again (doubling after)")
        ->check(CLI::Range(1, 86400))
        ->capture_default_str();

    BuildCommand build_command;
    auto* build = add_build_command(app, build_command);
    add_db(build);

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& error) {
        return app.exit(error);
    }
    if (quiet) settings.access_log = false;

    if (init->parsed()) return run_init(settings, blog);
    if (user_add->parsed()) return run_user_add(settings, new_user, role, blog_id);
    if (user_list->parsed()) return run_user_list(settings.db);
    if (user_passwd->parsed()) return run_user_passwd(settings.db, account_email);
    if (user_remove->parsed()) return run_user_remove(settings.db, account_email, blog_id);
    if (user_sessions->parsed()) return run_user_sessions(settings.db, account_email, revoke);
    if (user_app_password->parsed()) {
        return run_user_app_password(settings.db, account_email, app_password_name,
                                     app_password_revoke);
    }
    if (user_grant->parsed()) return run_user_grant(settings.db, account_email, role, blog_id);
    if (blog_add->parsed()) return run_blog_add(settings.db, added_blog, owner_email);
    if (blog_list->parsed()) return run_blog_list(settings.db);
    if (page_text->parsed()) return run_import_page_text(settings, import_file, blog_id);
    if (mt_import->parsed()) return run_mt_import(settings.db, mt_import_command);
    if (mt_export->parsed()) return run_mt_export(settings.db, mt_export_command);
    if (wxr_import->parsed()) {
        return run_wxr_import(settings.db, settings.media_dir, wxr_import_command);
    }
    if (wxr_export->parsed()) return run_wxr_export(settings.db, wxr_export_command);
    if (search->parsed()) return run_search_reindex(settings);
    if (backup->parsed()) return run_backup(settings.db, backup_file);
    if (restore->parsed()) return run_restore(settings.db, backup_file, force_restore);
    if (migrate->parsed()) return run_migrate(migrate_from, migrate_to);
    if (serve->parsed()) return run_serve(settings);
    if (build->parsed()) {
        return run_build(settings.db, settings.themes_dir, settings.media_dir, build_command);
    }
    return 1;
}

}  // namespace carnet::cli
