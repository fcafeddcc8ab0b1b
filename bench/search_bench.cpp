// Search benchmark: writes a generated blog (bench/corpus.hpp) of N posts, then measures the
// latency of Store::search (first page of 10 hits, with its total and passages) for a few
// hundred queries of each kind, the time of a full rebuild of the index, and the size of the
// index on disk. The reference, in the same run on the same text: stock FTS5 (the unicode61
// tokenizer folding diacritics, the same prefix indexes, bm25 with the title weighted the
// same), answering the same queries the way an application would without carnet's work:
// the first 10 by rank, with snippet(), no total. Prints figures; passes or fails nothing.
// Run through bench/search.
//
//   search_bench DATABASE POSTS [QUERIES_PER_KIND] [--only=WORDS] [--no-rebuild]
//
// --only measures the kinds whose name holds WORDS (to profile one kind); --no-rebuild skips
// the rebuild of the index and its figures, which take minutes at 100,000 posts;
// --no-reference skips the stock FTS5 reference (its table is built once per database).
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
#include <optional>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "corpus.hpp"
#include "store/search.hpp"
#include "store/store.hpp"

namespace {

using namespace carnet;
using SteadyClock = std::chrono::steady_clock;

double milliseconds_since(SteadyClock::time_point start) {
    return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
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

int character_count(std::string_view word) {
    return static_cast<int>(std::count_if(word.begin(), word.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

// The first `letters` characters of a UTF-8 word, then '*'.
std::string prefix_query(const std::string& word, int letters) {
    std::size_t end = 0;
    for (int seen = 0; end < word.size(); ++end) {
        if ((static_cast<unsigned char>(word[end]) & 0xC0) != 0x80 && seen++ == letters) break;
    }
    return word.substr(0, end) + "*";
}

// The reader's query as stock FTS5 syntax: words and phrases quoted, a prefix's star kept,
// "-word" excluded. The bench's queries hold no quote inside a phrase.
std::string stock_expression(const std::string& text) {
    std::vector<std::string> wanted;
    std::vector<std::string> excluded;
    for (std::size_t at = 0; at < text.size();) {
        if (text[at] == ' ') {
            ++at;
            continue;
        }
        const bool exclude = text[at] == '-';
        if (exclude) ++at;
        std::string term;
        if (text[at] == '"') {
            const auto close = text.find('"', at + 1);
            term = text.substr(at, close - at + 1);
            at = close + 1;
        } else {
            const auto end = std::min(text.find(' ', at), text.size());
            auto word = text.substr(at, end - at);
            const bool prefix = word.ends_with('*');
            if (prefix) word.pop_back();
            term = "\"" + word + "\"" + (prefix ? "*" : "");
            at = end;
        }
        (exclude ? excluded : wanted).push_back(term);
    }
    const auto joined = [](const std::vector<std::string>& terms, std::string_view operation) {
        std::string out;
        for (const auto& term : terms) out += (out.empty() ? "" : std::string(operation)) + term;
        return out;
    };
    const auto positive = joined(wanted, " AND ");
    return excluded.empty() ? positive
                            : "(" + positive + ") NOT (" + joined(excluded, " OR ") + ")";
}

// The stock FTS5 table the figures are compared with, built from the same posts.
class Reference {
public:
    static std::optional<Reference> open(const std::string& path) {
        Reference reference;
        sqlite3* raw = nullptr;
        if (sqlite3_open(path.c_str(), &raw) != SQLITE_OK) return std::nullopt;
        reference.db_.reset(raw);
        // carnet_search_text gives it the same text carnet indexes.
        if (!store::search::register_search_functions(raw)) return std::nullopt;
        if (!reference.execute("CREATE VIRTUAL TABLE IF NOT EXISTS bench_stock_fts5 USING "
                               "fts5(title, body, tokenize = 'unicode61 remove_diacritics 2', "
                               "prefix = '2 3 4 5')")) {
            return std::nullopt;
        }
        return reference;
    }

    // Fills the table unless it holds posts already; the seconds it took, 0 if it did not.
    std::optional<double> fill() {
        if (count("SELECT count(*) FROM bench_stock_fts5") > 0) return 0.0;
        const auto start = SteadyClock::now();
        if (!execute("BEGIN; INSERT INTO bench_stock_fts5 (rowid, title, body) "
                     "SELECT id, title, carnet_search_text(html) FROM posts "
                     "WHERE status = 'published'; "
                     "INSERT INTO bench_stock_fts5 (bench_stock_fts5) VALUES ('optimize'); "
                     "COMMIT")) {
            return std::nullopt;
        }
        return milliseconds_since(start) / 1000;
    }

    bool search(const std::string& expression) {
        if (!statement_) {
            sqlite3_stmt* raw = nullptr;
            if (sqlite3_prepare_v3(db_.get(),
                                   "SELECT rowid, snippet(bench_stock_fts5, 1, '[', ']', '…', 24) "
                                   "FROM bench_stock_fts5 WHERE bench_stock_fts5 MATCH ?1 "
                                   "AND rank MATCH 'bm25(10.0, 1.0)' ORDER BY rank LIMIT 10",
                                   -1, SQLITE_PREPARE_PERSISTENT, &raw, nullptr) != SQLITE_OK) {
                return false;
            }
            statement_.reset(raw);
        }
        sqlite3_reset(statement_.get());
        sqlite3_bind_text(statement_.get(), 1, expression.c_str(), -1, SQLITE_TRANSIENT);
        int rc = SQLITE_ROW;
        while ((rc = sqlite3_step(statement_.get())) == SQLITE_ROW) {
        }
        return rc == SQLITE_DONE;
    }

    const char* error() const { return sqlite3_errmsg(db_.get()); }

private:
    bool execute(const char* sql) {
        return sqlite3_exec(db_.get(), sql, nullptr, nullptr, nullptr) == SQLITE_OK;
    }
    std::int64_t count(const char* sql) {
        sqlite3_stmt* raw = nullptr;
        if (sqlite3_prepare_v2(db_.get(), sql, -1, &raw, nullptr) != SQLITE_OK) return -1;
        std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw,
                                                                             &sqlite3_finalize);
        return sqlite3_step(raw) == SQLITE_ROW ? sqlite3_column_int64(raw, 0) : -1;
    }

    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db_{nullptr, &sqlite3_close};
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement_{nullptr,
                                                                          &sqlite3_finalize};
};

double quantile(const std::vector<double>& sorted, double q) {
    return sorted[static_cast<std::size_t>(q * static_cast<double>(sorted.size() - 1))];
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
    bool reference = true;
    for (int i = 1; i < argc; ++i) {
        const std::string_view argument = argv[i];
        if (argument.starts_with("--only=")) {
            only = argument.substr(7);
        } else if (argument == "--no-rebuild") {
            rebuild = false;
        } else if (argument == "--no-reference") {
            reference = false;
        } else {
            positional.emplace_back(argument);
        }
    }
    if (positional.size() < 2) {
        std::cerr << "usage: search_bench DATABASE POSTS [QUERIES_PER_KIND] [--only=WORDS] "
                     "[--no-rebuild] [--no-reference]\n";
        return 1;
    }
    const std::string path = positional[0];
    const int post_count = std::stoi(positional[1]);
    const int queries_per_kind = positional.size() > 2 ? std::stoi(positional[2]) : 300;

    const bool reuse = std::filesystem::exists(path);
    const auto open_start = SteadyClock::now();
    const carnet::SystemClock wall_clock;
    auto opened = store::open_sqlite_store(path, store::OpenMode::create_if_missing, wall_clock);
    if (!opened) {
        std::cerr << opened.error().message << "\n";
        return 2;
    }
    auto& store = **opened;
    std::int64_t blog_id = 0;
    if (reuse) {
        auto blogs = store.blogs().list_blogs();
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
        const auto write_start = SteadyClock::now();
        auto written = store.write([&](store::Writer& writer) -> model::Status {
            auto created = writer.blogs().create_blog(model::Blog{.title = "Banc d'essai"});
            if (!created) return std::unexpected(created.error());
            blog_id = *created;
            std::mt19937 random(42);
            for (int i = 0; i < post_count; ++i) {
                auto added = writer.posts().create_post(bench::generated_post(blog_id, i, random));
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
        // than any prefix index: carnet looks its words up in search_terms.
        {"prefix, 7 letters", [&](auto& r) { return prefix_query(pick(r, content, 0, 999), 7); }},
        // French elides articles: "l'offensiv*" is the phrase "l" then a long prefix (of a
        // word of 8 letters or more, so that it is one).
        {"prefix, 7 letters after l'",
         [&](auto& r) {
             std::string word;
             while (character_count(word) < 8) word = pick(r, content, 0, 999);
             return "l'" + prefix_query(word, 7);
         }},
    };

    // One search first, so that the figures are those of a warm process.
    auto warm_up =
        store.search().search(blog_id, store::SearchQuery{.text = content[0], .limit = 10});
    if (!warm_up) {
        std::cerr << warm_up.error().message << "\n";
        return 3;
    }
    const double documents = post_count;
    // Queries are drawn for every kind, so that --only measures the same queries.
    std::mt19937 random(7);
    std::vector<std::vector<std::string>> queries(kinds.size());
    for (std::size_t k = 0; k < kinds.size(); ++k) {
        for (int i = 0; i < queries_per_kind; ++i)
            queries[k].push_back(kinds[k].make_query(random));
    }
    std::optional<Reference> stock;
    if (reference) {
        stock = Reference::open(path);
        const auto filled = stock ? stock->fill() : std::nullopt;
        if (!filled) {
            std::cerr << "the stock FTS5 reference: " << (stock ? stock->error() : path) << "\n";
            return 2;
        }
        if (*filled > 0) fmt::print("stock FTS5 reference table written in {:.1f} s\n", *filled);
        stock->search(stock_expression(content[0]));  // warm, as carnet's
    }
    fmt::print(
        "\nStore::search, first page of 10 hits with total and passages, {} queries each, on\n"
        "{} posts (listed: posts the search lists, at most {}; more: share of the queries\n"
        "that matched more posts than that); stock FTS5, first 10 by bm25 with snippet():\n",
        queries_per_kind, post_count, store::k_search_result_limit);
    fmt::print("{:<28} {:>8} {:>8} {:>8} {:>22} {:>7} {:>9} {:>9} {:>7}\n", "query", "p50 ms",
               "p99 ms", "max ms", "listed min/median/max", "more %", "stock p50", "stock p99",
               "p99 x");
    std::map<std::string, int> examples;
    for (std::size_t k = 0; k < kinds.size(); ++k) {
        const auto& kind = kinds[k];
        if (kind.name.find(only) == std::string::npos) continue;
        std::vector<double> latencies;
        std::vector<int> totals;
        int more = 0;
        for (std::size_t i = 0; i < queries[k].size(); ++i) {
            const auto& text = queries[k][i];
            const auto start = SteadyClock::now();
            auto found =
                store.search().search(blog_id, store::SearchQuery{.text = text, .limit = 10});
            latencies.push_back(milliseconds_since(start));
            if (!found) {
                std::cerr << text << ": " << found.error().message << "\n";
                return 3;
            }
            totals.push_back(found->total);
            if (found->more) ++more;
            if (i < 3) examples[fmt::format("{}: {}", kind.name, text)] = found->total;
        }
        std::vector<double> stock_latencies;
        for (const auto& text : queries[k]) {
            if (!stock) break;
            const auto start = SteadyClock::now();
            if (!stock->search(stock_expression(text))) {
                std::cerr << "stock FTS5, " << text << ": " << stock->error() << "\n";
                return 3;
            }
            stock_latencies.push_back(milliseconds_since(start));
        }
        std::sort(latencies.begin(), latencies.end());
        std::sort(totals.begin(), totals.end());
        std::sort(stock_latencies.begin(), stock_latencies.end());
        fmt::print("{:<28} {:>8.2f} {:>8.2f} {:>8.2f} {:>8}/{:>6}/{:>6} {:>7.1f}", kind.name,
                   quantile(latencies, 0.50), quantile(latencies, 0.99), latencies.back(),
                   totals.front(), totals[totals.size() / 2], totals.back(),
                   100.0 * more / queries_per_kind);
        if (stock) {
            fmt::print(" {:>9.2f} {:>9.2f} {:>7.2f}", quantile(stock_latencies, 0.50),
                       quantile(stock_latencies, 0.99),
                       quantile(latencies, 0.99) / quantile(stock_latencies, 0.99));
        }
        fmt::print("\n");
        std::fflush(stdout);
    }
    fmt::print("\nexamples (posts listed):\n");
    for (const auto& [query, total] : examples) {
        fmt::print("  {:<60} {:>7} ({:.2f}%)\n", query, total, 100.0 * total / documents);
    }
    std::fflush(stdout);
    if (!rebuild) return 0;
    const auto rebuild_start = SteadyClock::now();
    if (auto rebuilt = store.search().rebuild_search_index(); !rebuilt) {
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
    fmt::print("  search_terms             {:>8.1f} MiB\n", mib(db.bytes("search_terms")));
    if (reference) {
        fmt::print("stock FTS5 reference, same text: index data {:.1f} MiB, {:.1f} MiB in all\n",
                   mib(db.bytes("bench_stock_fts5_data")), mib(db.bytes("bench_stock_fts5%")));
    }
    return 0;
}
