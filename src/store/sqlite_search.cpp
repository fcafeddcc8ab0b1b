#include <fmt/format.h>

#include "store/search.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

// How much more a word in a post's title counts than one in its body.
constexpr double k_title_weight = 10.0;
constexpr double k_body_weight = 1.0;

// The tokens search_terms lists that begin with `prefix`; std::nullopt when more than
// k_max_prefix_expansion do, or when the lookup fails: FTS5 then searches the prefix
// itself, slower but with the same result.
std::optional<std::vector<std::string>> tokens_beginning_with(Connection& db,
                                                              std::string_view locale,
                                                              std::string_view prefix) {
    auto lookup = db.prepare(
        "SELECT term FROM search_terms WHERE locale = ?1 AND term >= ?2 AND term < ?2 || ?3 "
        "ORDER BY term LIMIT ?4");
    if (!lookup) return std::nullopt;
    // ?3 sorts after every character a token may hold after the prefix.
    (*lookup)
        ->bind(1, locale)
        .bind(2, prefix)
        .bind(3, "\xF4\x8F\xBF\xBF")
        .bind(4, static_cast<std::int64_t>(search::k_max_prefix_expansion) + 1);
    std::vector<std::string> tokens;
    while (true) {
        auto has_row = (*lookup)->step();
        if (!has_row) return std::nullopt;
        if (!*has_row) break;
        tokens.push_back((*lookup)->column_text(0));
    }
    (*lookup)->reset();
    if (tokens.size() > search::k_max_prefix_expansion) return std::nullopt;
    return tokens;
}

struct MatchPage {
    int total = 0;      // how many posts the search lists, on every page
    bool more = false;  // more match than that
    std::vector<std::int64_t> ids;
};

// The posts on one page of a search's results, and how many it lists.
//
// Ranking costs a few microseconds per match (its bm25 score reads the match's positions
// and the length of its post), and merely counting a word that most posts hold walks
// tens of thousands of rows at 100,000 posts. The search lists the newest
// k_search_result_limit matches, ranked by relevance: the match is walked once, newest
// first, ranking as it goes, and stops one row past the limit. For a word that common,
// relevance barely tells posts apart (bm25 weighs a word in more than half the posts as
// nearly nothing) and, on a blog of news, the newest are what the reader is after.
Result<MatchPage> page_of_matches(Connection& db, std::string_view table, const std::string& match,
                                  const std::string& groups, int offset, int limit) {
    MatchPage page;
    // The rowid range lets carnet_rank estimate how many posts hold a very common word
    // without counting them all.
    CARNET_TRY(range,
               db.prepare(fmt::format("SELECT (SELECT rowid FROM {0} ORDER BY rowid LIMIT 1), "
                                      "(SELECT rowid FROM {0} ORDER BY rowid DESC LIMIT 1)",
                                      table)));
    CARNET_TRY(has_range, range->step());
    const auto first_rowid = has_range ? range->column_int(0) : 0;
    const auto last_rowid = has_range ? range->column_int(1) : 0;
    range->reset();
    const auto rank = fmt::format("carnet_rank({}, {}, '{}', {}, {})", k_title_weight,
                                  k_body_weight, groups, first_rowid, last_rowid);

    struct Candidate {
        std::int64_t id;
        double score;  // lower is better, as FTS5's rank
    };
    std::vector<Candidate> newest;
    CARNET_TRY(ranked, db.prepare(fmt::format("SELECT rowid, rank FROM {0} WHERE {0} MATCH ?1 "
                                              "AND rank MATCH ?2 ORDER BY rowid DESC",
                                              table)));
    ranked->bind(1, match).bind(2, rank);
    // One past the limit tells whether there are more; the walk stops there, so even a
    // word in every post costs a thousand rows.
    while (newest.size() <= static_cast<std::size_t>(k_search_result_limit)) {
        CARNET_TRY(has_row, ranked->step());
        if (!has_row) break;
        newest.push_back({ranked->column_int(0), sqlite3_column_double(ranked->get(), 1)});
    }
    ranked->reset();
    page.more = newest.size() > static_cast<std::size_t>(k_search_result_limit);
    if (page.more) newest.pop_back();
    page.total = static_cast<int>(newest.size());
    if (limit <= 0 || offset >= page.total) return page;

    // As ORDER BY rank, rowid DESC would.
    std::sort(newest.begin(), newest.end(), [](const Candidate& a, const Candidate& b) {
        return a.score < b.score || (a.score == b.score && a.id > b.id);
    });
    const auto end = std::min<std::int64_t>(std::int64_t{offset} + limit,
                                            static_cast<std::int64_t>(newest.size()));
    for (std::int64_t i = offset; i < end; ++i) {
        page.ids.push_back(newest[static_cast<std::size_t>(i)].id);
    }
    return page;
}

}  // namespace

Result<SearchResults> SqliteSearchStore::search(std::int64_t blog_id, const SearchQuery& query) {
    SearchResults results;
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    Connection& db = **reader;

    // The blog's language names its table. Most databases hold one blog per language:
    // only when another blog shares the table does the match need the blog filter.
    CARNET_TRY(blog_query, db.prepare("SELECT b.locale, EXISTS (SELECT 1 FROM blogs o "
                                      "WHERE o.locale = b.locale AND o.id <> b.id) "
                                      "FROM blogs b WHERE b.id = ?1"));
    blog_query->bind(1, blog_id);
    CARNET_TRY(has_blog, blog_query->step());
    const auto locale = has_blog ? blog_query->column_text(0) : std::string();
    const bool shared_table = has_blog && blog_query->column_int(1) != 0;
    blog_query->reset();
    const SearchTable* found_table = nullptr;
    for (const auto& candidate : k_search_tables) {
        if (candidate.locale == locale) found_table = &candidate;
    }
    if (found_table == nullptr) return results;
    const auto table = found_table->table;

    // Only quoted words reach MATCH: a reader's text is never FTS5 syntax.
    const auto expand = [&](std::string_view prefix) {
        return tokens_beginning_with(db, found_table->locale, prefix);
    };
    const auto words = search::match_query_from_reader_text(query.text, expand);
    if (!words) return results;

    // The reader's words search the title and the body, never the blog column.
    const auto words_match = fmt::format("{{title body}} : ({})", words->expression);
    const auto match =
        shared_table ? fmt::format("{} AND blog : \"{}\"", words_match, blog_id) : words_match;
    const int offset = std::max(0, query.offset);
    CARNET_TRY(page, page_of_matches(db, table, match, search::rank_groups(words->phrase_terms),
                                     offset, query.limit));
    results.total = page.total;
    results.more = page.more;

    // Only the page's posts are read, and only their passages highlighted.
    CARNET_TRY(post_query, db.prepare(fmt::format("SELECT {} FROM posts p WHERE p.id = ?1 AND "
                                                  "p.blog_id = ?2 AND p.status = 'published'",
                                                  k_post_columns_without_body)));
    CARNET_TRY(passage_query,
               db.prepare(fmt::format("SELECT carnet_passage({0}, 1, ?2, ?3, '…', 24) FROM {0} "
                                      "WHERE {0} MATCH ?1 AND rowid = ?4",
                                      table)));
    for (const auto post_id : page.ids) {
        post_query->reset();
        post_query->bind(1, post_id).bind(2, blog_id);
        CARNET_TRY(has_post, post_query->step());
        if (!has_post) continue;  // the index is current in every transaction: defensive
        SearchHit hit{read_post(*post_query), {}, {}};
        post_query->reset();
        passage_query->reset();
        passage_query->bind(1, words_match)
            .bind(2, search::k_match_start)
            .bind(3, search::k_match_end)
            .bind(4, post_id);
        CARNET_TRY(has_passage, passage_query->step());
        if (has_passage) {
            search::read_marked_passage(passage_query->column_text(0), hit.passage, hit.matches);
        }
        passage_query->reset();
        CARNET_CHECK(load_categories(db, hit.post));
        results.hits.push_back(std::move(hit));
    }
    return results;
}

Status SqliteSearchStore::rebuild_search_index() {
    return database_.write([](Transaction& transaction) -> Status {
        auto indexed = transaction.rebuild_search_index();
        if (!indexed) return std::unexpected(indexed.error());
        return {};
    });
}

}  // namespace carnet::store::sqlite
