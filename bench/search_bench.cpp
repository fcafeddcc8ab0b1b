// Search benchmark: writes a generated blog (bench/corpus.hpp) of N posts, then measures the
// latency of Store::search (first page of 10 hits, with its total and passages) for a few
// hundred queries of each kind, the time of a full rebuild of the index, and the size of the
// index on disk. Prints figures; passes or fails nothing. Run through bench/search.
//
//   search_bench DATABASE POSTS [QUERIES_PER_KIND] [--only=WORDS] [--no-rebuild]
//
// --only measures the kinds whose name holds WORDS (to profile one kind); --no-rebuild skips
// the rebuild of the index and its figures, which take minutes at 100,000 posts.
// A DATABASE that already holds posts is searched as it is (opening it applies any pending
// migration): measuring again after a change to the search code does not need the minutes
// that writing 100,000 posts takes.
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"
#include "store/store.hpp"

namespace {

using namespace carnet;
using Clock = std::chrono::steady_clock;

double milliseconds_since(Clock::time_point start) {
    return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

struct Kind {
    std::string name;
    std::function<std::string(std::mt19937&)> make_query;
};

struct Database {
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db{nullptr, &sqlite3_close};

    static Database open(const std::string& path) {
        Database opened;
        sqlite3* raw = nullptr;
        sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
        opened.db.reset(raw);
        return opened;
    }

    std::int64_t integer(const std::string& sql, const std::string& parameter = {}) const {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &raw, nullptr) != SQLITE_OK) return -1;
        std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw,
                                                                             &sqlite3_finalize);
        if (!parameter.empty()) sqlite3_bind_text(raw, 1, parameter.c_str(), -1, SQLITE_TRANSIENT);
        return sqlite3_step(raw) == SQLITE_ROW ? sqlite3_column_int64(raw, 0) : -1;
    }

    // Bytes of the pages of the tables and indexes whose name matches the LIKE `pattern`.
    std::int64_t bytes(const std::string& pattern) const {
        return integer("SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE ?1", pattern);
    }
};

std::string pick(std::mt19937& random, const std::vector<std::string>& from, std::size_t first,
                 std::size_t last) {
    return from[std::uniform_int_distribution<std::size_t>(first, last)(random)];
}

// The word as a reader may type it in another inflection: singular for plural and back.
std::string inflected(std::string word) {
    if (word.ends_with('s')) {
        word.pop_back();
    } else {
        word += 's';
    }
    return word;
}

// The first `letters` characters of a UTF-8 word, then '*'.
std::string prefix_query(const std::string& word, int letters) {
    std::size_t end = 0;
    for (int seen = 0; end < word.size(); ++end) {
        if ((static_cast<unsigned char>(word[end]) & 0xC0) != 0x80 && seen++ == letters) break;
    }
    return word.substr(0, end) + "*";
}

std::string multi_word_expression(std::mt19937& random) {
    while (true) {
        const auto& expressions = bench::Vocabulary::get().expressions();
        const auto expression = expressions[random() % expressions.size()];
        const auto spaces = std::count(expression.begin(), expression.end(), ' ');
        if (spaces >= 1 && spaces <= 2) return std::string(expression);
    }
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> positional;
    std::string only;
    bool rebuild = true;
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument = argv[i];
        if (argument.starts_with("--only=")) {
            only = argument.substr(7);
        } else if (argument == "--no-rebuild") {
            rebuild = false;
        } else {
            positional.emplace_back(argument);
        }
    }
    if (positional.size() < 2) {
        std::cerr << "usage: search_bench DATABASE POSTS [QUERIES_PER_KIND] [--only=WORDS] "
                     "[--no-rebuild]\n";
        return 1;
    }
    const std::string path = positional[0];
    const int post_count = std::stoi(positional[1]);
    const int queries_per_kind = positional.size() > 2 ? std::stoi(positional[2]) : 300;

    const bool reuse = std::filesystem::exists(path);
    const auto open_start = Clock::now();
    auto opened = store::open_sqlite_store(path, store::OpenMode::create_if_missing);
    if (!opened) {
        std::cerr << opened.error().message << "\n";
        return 2;
    }
    auto& store = **opened;
    std::int64_t blog_id = 0;
    if (reuse) {
        auto blogs = store.list_blogs();
        if (!blogs) {
            std::cerr << path << ": " << blogs.error().message << "\n";
            return 2;
        }
        if (blogs->empty()) {
            std::cerr << path << " holds no blog: remove it to generate one\n";
            return 2;
        }
        blog_id = blogs->front().id;
        fmt::print("reusing {} (opened, and migrated if it had to be, in {:.1f} s)\n", path,
                   milliseconds_since(open_start) / 1000);
    } else {
        const auto write_start = Clock::now();
        auto written = store.write([&](store::Writer& writer) -> model::Status {
            auto created = writer.create_blog(model::Blog{.title = "Banc d'essai"});
            if (!created) return std::unexpected(created.error());
            blog_id = *created;
            std::mt19937 random(42);
            for (int i = 0; i < post_count; ++i) {
                auto added = writer.create_post(bench::generated_post(blog_id, i, random));
                if (!added) return std::unexpected(added.error());
            }
            return {};
        });
        if (!written) {
            std::cerr << written.error().message << "\n";
            return 2;
        }
        fmt::print("{} posts written and indexed in {:.1f} s (one transaction)\n", post_count,
                   milliseconds_since(write_start) / 1000);
    }

    const auto& content = bench::Vocabulary::get().content();
    const std::vector<Kind> kinds = {
        {"word, frequent (rank 1-20)", [&](auto& r) { return pick(r, content, 0, 19); }},
        {"word, mid (rank 150-400)", [&](auto& r) { return pick(r, content, 150, 399); }},
        {"word, rare (a name)",
         [&](auto& r) { return bench::rare_name(r() % bench::k_rare_name_count); }},
        {"word, other inflection", [&](auto& r) { return inflected(pick(r, content, 20, 300)); }},
        {"two words (AND)",
         [&](auto& r) { return pick(r, content, 0, 99) + " " + pick(r, content, 100, 999); }},
        {"phrase, 2-3 words", [&](auto& r) { return "\"" + multi_word_expression(r) + "\""; }},
        {"phrase, de la + word",
         [&](auto& r) { return "\"de la " + pick(r, content, 0, 199) + "\""; }},
        {"prefix, 3 letters", [&](auto& r) { return prefix_query(pick(r, content, 0, 399), 3); }},
        {"prefix, 5 letters", [&](auto& r) { return prefix_query(pick(r, content, 0, 999), 5); }},
        {"word -exclusion",
         [&](auto& r) { return pick(r, content, 20, 199) + " -" + pick(r, content, 0, 19); }},
        // Last, so that the kinds above draw the same queries as before it was added. Longer
        // than any prefix index: its tokens are merged at each query.
        {"prefix, 7 letters", [&](auto& r) { return prefix_query(pick(r, content, 0, 999), 7); }},
    };

    // One search first, so that the figures are those of a warm process.
    auto warm_up = store.search(blog_id, store::SearchQuery{.text = content[0], .limit = 10});
    if (!warm_up) {
        std::cerr << warm_up.error().message << "\n";
        return 3;
    }
    const double documents = post_count;
    fmt::print(
        "\nStore::search, first page of 10 hits with total and passages, {} queries each, on\n"
        "{} posts (listed: posts the search lists, at most {}; more: share of the queries\n"
        "that matched more posts than that):\n",
        queries_per_kind, post_count, store::k_search_result_limit);
    fmt::print("{:<28} {:>8} {:>8} {:>8} {:>22} {:>7}\n", "query", "p50 ms", "p99 ms", "max ms",
               "listed min/median/max", "more %");
    std::mt19937 random(7);
    std::map<std::string, int> examples;
    for (const auto& kind : kinds) {
        std::vector<double> latencies;
        std::vector<int> totals;
        int more = 0;
        const bool measured = kind.name.find(only) != std::string::npos;
        for (int i = 0; i < queries_per_kind; ++i) {
            // Queries are drawn for every kind so that --only measures the same queries.
            const auto text = kind.make_query(random);
            if (!measured) continue;
            const auto start = Clock::now();
            auto found = store.search(blog_id, store::SearchQuery{.text = text, .limit = 10});
            latencies.push_back(milliseconds_since(start));
            if (!found) {
                std::cerr << text << ": " << found.error().message << "\n";
                return 3;
            }
            totals.push_back(found->total);
            if (found->more) ++more;
            if (i < 3) examples[fmt::format("{}: {}", kind.name, text)] = found->total;
        }
        if (!measured) continue;
        std::sort(latencies.begin(), latencies.end());
        std::sort(totals.begin(), totals.end());
        const auto at = [](const auto& sorted, double q) {
            return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
        };
        fmt::print("{:<28} {:>8.2f} {:>8.2f} {:>8.2f} {:>8}/{:>6}/{:>6} {:>7.1f}\n", kind.name,
                   at(latencies, 0.50), at(latencies, 0.99), latencies.back(), totals.front(),
                   at(totals, 0.5), totals.back(), 100.0 * more / queries_per_kind);
    }
    fmt::print("\nexamples (posts listed):\n");
    for (const auto& [query, total] : examples) {
        fmt::print("  {:<60} {:>7} ({:.2f}%)\n", query, total, 100.0 * total / documents);
    }
    std::fflush(stdout);
    if (!rebuild) return 0;
    const auto rebuild_start = Clock::now();
    if (auto rebuilt = store.rebuild_search_index(); !rebuilt) {
        std::cerr << rebuilt.error().message << "\n";
        return 2;
    }
    fmt::print("\nrebuild_search_index: {:.1f} s\n", milliseconds_since(rebuild_start) / 1000);

    const auto db = Database::open(path);
    const auto file = static_cast<std::int64_t>(std::filesystem::file_size(path));
    const auto mib = [](std::int64_t bytes) { return static_cast<double>(bytes) / 1048576.0; };
    fmt::print("database file: {:.1f} MiB (page size {}), posts table {:.1f} MiB\n", mib(file),
               db.integer("PRAGMA page_size"), mib(db.bytes("posts")));
    fmt::print("search tables, after the rebuild's optimize: {:.1f} MiB in all\n",
               mib(db.bytes("post_search_%")));
    for (const auto* part : {"data", "idx", "content", "docsize", "config"}) {
        fmt::print("  post_search_*_{:<8} {:>8.1f} MiB\n", part,
                   mib(db.bytes(fmt::format("post_search_%_{}", part))));
    }
    return 0;
}
