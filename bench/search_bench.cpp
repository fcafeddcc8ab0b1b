// Search benchmark: writes a generated blog (bench/corpus.hpp) of N posts, then measures the
// latency of Store::search (first page of 10 hits, with its total and passages) for a few
// hundred queries of each kind, the size of the search index on disk, and the time of a full
// rebuild. Prints figures; passes or fails nothing. Run through bench/search.
//
//   search_bench DATABASE POSTS [QUERIES_PER_KIND]
#include <fmt/format.h>
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <iostream>
#include <memory>
#include <random>
#include <string>
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

// Bytes used by the tables whose name starts with `prefix` (their shadow tables included).
std::int64_t table_bytes(sqlite3* db, const std::string& prefix) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT coalesce(sum(pgsize), 0) FROM dbstat WHERE name LIKE ?1", -1,
                           &raw, nullptr) != SQLITE_OK) {
        return -1;
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
    const auto pattern = prefix + "%";
    sqlite3_bind_text(raw, 1, pattern.c_str(), -1, SQLITE_TRANSIENT);
    return sqlite3_step(raw) == SQLITE_ROW ? sqlite3_column_int64(raw, 0) : -1;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 3) {
        std::cerr << "usage: search_bench DATABASE POSTS [QUERIES_PER_KIND]\n";
        return 1;
    }
    const std::string path = argv[1];
    const int post_count = std::stoi(argv[2]);
    const int queries_per_kind = argc > 3 ? std::stoi(argv[3]) : 300;

    auto opened = store::open_sqlite_store(path, store::OpenMode::create_if_missing);
    if (!opened) {
        std::cerr << opened.error().message << "\n";
        return 2;
    }
    auto& store = **opened;
    std::int64_t blog_id = 0;
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

    const auto pick = [](std::mt19937& random, const std::vector<std::string>& from) {
        return from[std::uniform_int_distribution<std::size_t>(0, from.size() - 1)(random)];
    };
    const std::vector<Kind> kinds = {
        {"word, in most posts", [&](std::mt19937& r) { return pick(r, bench::k_words); }},
        {"word, inflected", [&](std::mt19937& r) { return pick(r, bench::k_words) + "s"; }},
        {"word, in 1/12 of titles", [&](std::mt19937& r) { return pick(r, bench::k_places); }},
        {"number, in one title",
         [&](std::mt19937& r) {
             return std::to_string(std::uniform_int_distribution<int>(0, post_count - 1)(r));
         }},
        {"two words (AND)",
         [&](std::mt19937& r) { return pick(r, bench::k_words) + " " + pick(r, bench::k_words); }},
        {"phrase of two words",
         [&](std::mt19937& r) {
             return fmt::format("\"{} {}\"", pick(r, bench::k_words), pick(r, bench::k_words));
         }},
        {"phrase of three words",
         [&](std::mt19937& r) {
             return fmt::format("\"{} {} {}\"", pick(r, bench::k_words), pick(r, bench::k_words),
                                pick(r, bench::k_words));
         }},
        {"prefix, 3 letters",
         [&](std::mt19937& r) { return pick(r, bench::k_words).substr(0, 3) + "*"; }},
        {"prefix, 5 letters",
         [&](std::mt19937& r) { return pick(r, bench::k_words).substr(0, 5) + "*"; }},
        {"word with exclusion",
         [&](std::mt19937& r) {
             return pick(r, bench::k_places) + " -" + pick(r, bench::k_words);
         }},
    };

    fmt::print("\nStore::search, first page of 10 hits with total and passages, {} queries each:\n",
               queries_per_kind);
    fmt::print("{:<26} {:>10} {:>10} {:>10} {:>14}\n", "query", "p50 ms", "p99 ms", "max ms",
               "mean total");
    std::mt19937 random(7);
    for (const auto& kind : kinds) {
        std::vector<double> latencies;
        double total_hits = 0;
        for (int i = 0; i < queries_per_kind; ++i) {
            const auto text = kind.make_query(random);
            const auto start = Clock::now();
            auto found = store.search(blog_id, store::SearchQuery{.text = text, .limit = 10});
            latencies.push_back(milliseconds_since(start));
            if (!found) {
                std::cerr << text << ": " << found.error().message << "\n";
                return 3;
            }
            total_hits += found->total;
        }
        std::sort(latencies.begin(), latencies.end());
        const auto at = [&](double q) {
            return latencies[static_cast<std::size_t>(q *
                                                      static_cast<double>(latencies.size() - 1))];
        };
        fmt::print("{:<26} {:>10.2f} {:>10.2f} {:>10.2f} {:>14.0f}\n", kind.name, at(0.50),
                   at(0.99), latencies.back(), total_hits / queries_per_kind);
    }

    const auto rebuild_start = Clock::now();
    if (auto rebuilt = store.rebuild_search_index(); !rebuilt) {
        std::cerr << rebuilt.error().message << "\n";
        return 2;
    }
    fmt::print("\nrebuild_search_index: {:.1f} s\n", milliseconds_since(rebuild_start) / 1000);

    sqlite3* raw = nullptr;
    if (sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
        std::cerr << "cannot reopen " << path << "\n";
        sqlite3_close(raw);
        return 2;
    }
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    const auto index = table_bytes(raw, "post_search_");
    const auto posts = table_bytes(raw, "posts");
    const auto file = static_cast<std::int64_t>(std::filesystem::file_size(path));
    const auto mib = [](std::int64_t bytes) { return static_cast<double>(bytes) / 1048576.0; };
    fmt::print(
        "database file: {:.1f} MiB; posts table: {:.1f} MiB; search tables (after the "
        "rebuild's optimize): {:.1f} MiB\n",
        mib(file), mib(posts), mib(index));
    return 0;
}
