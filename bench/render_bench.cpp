// Uncached renders of the public pages, without the network: the site's handlers called as
// the server calls them on a miss, on a blog made by generate_blog. What `bench/run` measures
// through the server with --page-cache-mb 0, less the HTTP around it; under
// `valgrind --tool=callgrind` it tells where a render's instructions go.
//
//   build/release/bench/render_bench DATABASE [google benchmark flags]
#include <benchmark/benchmark.h>

#include <algorithm>
#include <iostream>
#include <regex>
#include <string>

#include "cli/cli.hpp"
#include "http/http.hpp"
#include "site/site.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace {

using namespace carnet;

struct Blog {
    std::unique_ptr<store::Store> store;
    std::unique_ptr<site::Site> site;
    http::Router router;
    std::string post_path, category_path, month_path;
    // The last page of the home listing and of the category: the oldest posts, where a
    // listing that skipped every newer post cost in proportion to the blog.
    std::string last_home_page, last_category_page;
    std::int64_t blog_id = 0;
};

Blog* g_blog = nullptr;

http::Request get(const std::string& target) {
    http::Request request;
    request.method = "GET";
    request.target = target;
    request.path = target;
    request.host = "bench.example";
    request.remote_address = "127.0.0.1";
    return request;
}

http::Response answer(const std::string& target) { return g_blog->router.dispatch(get(target)); }

std::string first_match(const std::string& html, const std::regex& pattern) {
    std::smatch match;
    return std::regex_search(html, match, pattern) ? match[1].str() : std::string();
}

void render(benchmark::State& state, const std::string& target) {
    std::size_t bytes = 0;
    for (auto _ : state) {
        auto response = answer(target);
        if (response.status != 200) {
            state.SkipWithError(("status " + std::to_string(response.status)).c_str());
            return;
        }
        bytes = response.body.size();
        benchmark::DoNotOptimize(response.body.data());
    }
    state.counters["bytes"] = static_cast<double>(bytes);
}

void home(benchmark::State& state) { render(state, "/"); }
void post(benchmark::State& state) { render(state, g_blog->post_path); }
void category(benchmark::State& state) { render(state, g_blog->category_path); }
void month(benchmark::State& state) { render(state, g_blog->month_path); }
void home_last_page(benchmark::State& state) { render(state, g_blog->last_home_page); }
void category_last_page(benchmark::State& state) { render(state, g_blog->last_category_page); }

// The first render after a change of the blog's settings (the same ones again): the page
// cache empties and the sidebar's view is checked against the settings; what it lists is not
// queried again.
void home_after_write(benchmark::State& state) {
    auto blog = g_blog->store->blogs().find_blog(g_blog->blog_id);
    if (!blog || !*blog) {
        state.SkipWithError("no blog");
        return;
    }
    for (auto _ : state) {
        state.PauseTiming();
        auto written = g_blog->store->write(
            [&](store::Writer& writer) { return writer.blogs().update_blog(**blog); });
        if (!written) {
            state.SkipWithError(written.error().message.c_str());
            return;
        }
        state.ResumeTiming();
        auto response = answer("/");
        benchmark::DoNotOptimize(response.body.data());
    }
}

// The first render after a comment, the write a read blog sees most: the page cache empties,
// the sidebar (which lists no comment) stays. The comment is deleted after each render,
// outside the timing.
void home_after_comment(benchmark::State& state) {
    auto newest = g_blog->store->posts().published_posts(
        g_blog->blog_id, store::PostQuery{.limit = 1, .with_body = false});
    if (!newest || newest->posts.empty()) {
        state.SkipWithError("no post");
        return;
    }
    const model::Comment comment{.blog_id = g_blog->blog_id,
                                 .post_id = newest->posts.front().id,
                                 .author_name = "Lectrice",
                                 .source = "Merci pour ce billet.",
                                 .html = "<p>Merci pour ce billet.</p>",
                                 .status = model::CommentStatus::approved,
                                 .created_at = SystemClock().now()};
    for (auto _ : state) {
        state.PauseTiming();
        std::int64_t comment_id = 0;
        auto added = g_blog->store->write([&](store::Writer& writer) -> model::Status {
            auto id = writer.comments().add_comment(comment);
            if (!id) return std::unexpected(id.error());
            comment_id = *id;
            return {};
        });
        if (!added) {
            state.SkipWithError(added.error().message.c_str());
            return;
        }
        state.ResumeTiming();
        auto response = answer("/");
        benchmark::DoNotOptimize(response.body.data());
        state.PauseTiming();
        auto deleted = g_blog->store->write([&](store::Writer& writer) {
            return writer.comments().delete_comment(g_blog->blog_id, comment_id);
        });
        if (!deleted) {
            state.SkipWithError(deleted.error().message.c_str());
            return;
        }
        state.ResumeTiming();
    }
}

// The first render after a new post: unlike most writes, it changes what the sidebar shows
// (the month's count, the recent posts), so the sidebar is made again. The post is deleted
// after each render, outside the timing, leaving the blog as it was. Each post has a title
// of its own: the next one takes the same id, and within a second the same time, so with one
// title the sidebar would list the same as before and its view be kept.
void home_after_post(benchmark::State& state) {
    int made = 0;
    for (auto _ : state) {
        state.PauseTiming();
        model::Post post{.blog_id = g_blog->blog_id,
                         .status = model::PostStatus::published,
                         .title = "Après la réunion " + std::to_string(++made),
                         .slug = "apres-la-reunion-bench",
                         .source_format = model::SourceFormat::html,
                         .source = "<p>Une nouvelle.</p>",
                         .html = "<p>Une nouvelle.</p>",
                         .published_at = SystemClock().now()};
        post.updated_at = post.published_at;
        auto created = g_blog->store->write([&](store::Writer& writer) -> model::Status {
            auto id = writer.posts().create_post(post);
            if (!id) return std::unexpected(id.error());
            post.id = *id;
            return {};
        });
        if (!created) {
            state.SkipWithError(created.error().message.c_str());
            return;
        }
        state.ResumeTiming();
        auto response = answer("/");
        benchmark::DoNotOptimize(response.body.data());
        state.PauseTiming();
        auto deleted = g_blog->store->write([&](store::Writer& writer) {
            return writer.posts().delete_post(g_blog->blog_id, post.id);
        });
        if (!deleted) {
            state.SkipWithError(deleted.error().message.c_str());
            return;
        }
        state.ResumeTiming();
    }
}

}  // namespace

int main(int argc, char** argv) {
    cli::keep_freed_memory();  // as `carnet serve` does
    benchmark::Initialize(&argc, argv);
    if (argc != 2) {
        std::cerr << "usage: render_bench DATABASE [benchmark flags]\n";
        return 1;
    }
    static const SystemClock clock;
    auto store = store::open_sqlite_store(argv[1], store::OpenMode::must_exist, clock);
    if (!store) {
        std::cerr << store.error().message << "\n";
        return 2;
    }
    static Blog blog;
    blog.store = std::move(*store);
    auto site = site::Site::create(*blog.store, site::SiteOptions{.themes_dir = CARNET_THEMES_DIR});
    if (!site) {
        std::cerr << site.error().message << "\n";
        return 2;
    }
    blog.site = std::move(*site);
    blog.site->register_routes(blog.router);
    g_blog = &blog;
    auto blogs = blog.store->blogs().list_blogs();
    if (!blogs || blogs->empty()) {
        std::cerr << "no blog in " << argv[1] << "\n";
        return 2;
    }
    blog.blog_id = blogs->front().id;
    const auto home_page = answer("/").body;
    blog.post_path =
        first_match(home_page, std::regex(R"re(href="(/archive/\d+/\d+/\d+/[^"]+\.html)")re"));
    blog.category_path = first_match(home_page, std::regex(R"re(href="(/list/[^"/]+/)")re"));
    blog.month_path = first_match(home_page, std::regex(R"re(href="(/archive/\d+/\d+/)")re"));
    if (blog.post_path.empty() || blog.category_path.empty() || blog.month_path.empty()) {
        std::cerr << "the home page links to no post, category or month\n";
        return 2;
    }
    const auto last_page = [&](const std::string& base, int posts) {
        const int per_page = std::max(1, blogs->front().posts_per_page);
        const int pages = (posts + per_page - 1) / per_page;
        return pages <= 1 ? base : base + "page/" + std::to_string(pages) + "/";
    };
    auto listed = blog.store->posts().published_posts(blog.blog_id, store::PostQuery{.limit = 0});
    auto categories = blog.store->categories().categories_with_counts(blog.blog_id);
    if (!listed || !categories) {
        std::cerr << "cannot count the blog's posts\n";
        return 2;
    }
    blog.last_home_page = last_page("/", listed->total);
    for (const auto& category : *categories) {
        if ("/list/" + category.slug + "/" == blog.category_path) {
            blog.last_category_page = last_page(blog.category_path, category.post_count);
        }
    }
    if (blog.last_category_page.empty()) blog.last_category_page = blog.category_path;
    std::cout << "post " << blog.post_path << ", category " << blog.category_path << ", month "
              << blog.month_path << ", last pages " << blog.last_home_page << " and "
              << blog.last_category_page << "\n";
    benchmark::RegisterBenchmark("home", home)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("post", post)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("category", category)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("month", month)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("home_last_page", home_last_page)->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("category_last_page", category_last_page)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("home_after_write", home_after_write)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("home_after_comment", home_after_comment)
        ->Unit(benchmark::kMicrosecond);
    benchmark::RegisterBenchmark("home_after_post", home_after_post)->Unit(benchmark::kMicrosecond);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
