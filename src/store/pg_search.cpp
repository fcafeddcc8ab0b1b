#include <fmt/format.h>
#include <fmt/ranges.h>
#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <set>

#include "store/pg_concerns.hpp"
#include "store/pg_rows.hpp"
#include "store/search.hpp"

namespace carnet::store::pg {
namespace {

using model::Error;
using namespace rows;

// How much a word in the title counts against one in the body (ts_rank's weights, D to A):
// ten times, as on SQLite.
constexpr std::string_view k_weights = "'{0.1, 0.1, 0.1, 1.0}'";

// How many words a passage shows, as SQLite's carnet_passage.
constexpr std::size_t k_passage_words = 24;

// A word of a query as a tsquery operand: quoted, so that nothing a reader types is tsquery
// syntax (the whole query is then a parameter, never SQL).
std::string operand(std::string_view word) {
    std::string out = "'";
    for (char c : word) {
        if (c == '\'' || c == '\\') out += '\\';
        out += c;
    }
    out += '\'';
    return out;
}

// The tsquery texts of a reader's terms: `stems` for whole words and phrases (stemmed by the
// blog's configuration), `words` for prefixes (matched against the words themselves, with
// the words before the prefix in a quoted term). Either may be empty.
struct TextQueries {
    std::string stems;
    std::string words;
    bool positive = false;
};

TextQueries text_queries(const std::vector<search::ReaderTerm>& terms) {
    TextQueries queries;
    for (const auto& term : terms) {
        std::string phrase;
        for (std::size_t i = 0; i < term.words.size(); ++i) {
            if (!phrase.empty()) phrase += " <-> ";
            phrase += operand(term.words[i]);
            if (term.prefix && i + 1 == term.words.size()) phrase += ":*";
        }
        auto& side = term.prefix ? queries.words : queries.stems;
        if (!side.empty()) side += " & ";
        side += term.excluded ? "!(" + phrase + ")" : "(" + phrase + ")";
        if (!term.excluded) queries.positive = true;
    }
    return queries;
}

bool has_letter_or_digit(std::string_view text) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(text.data());
    const auto length = static_cast<std::int32_t>(text.size());
    for (std::int32_t at = 0; at < length;) {
        UChar32 c = 0;
        U8_NEXT(bytes, at, length, c);
        if (c > 0 && u_isalnum(c)) return true;
    }
    return false;
}

// Cuts the passage of a post out of its text with every match marked (search::k_match_start
// and k_match_end, as ts_headline put them): the window of k_passage_words words holding the
// most distinct matched words, then the most matches, with the matches centred in it, and
// "…" where it cuts the text. Marks around neighbouring words of a phrase become one.
std::string passage_of(std::string marked) {
    // ts_headline marks each word of a phrase ("l'offensive", "conseil de sécurité"): the
    // marks of words apart only by spaces or apostrophes become one.
    for (auto at = marked.find(search::k_match_end); at != std::string::npos;
         at = marked.find(search::k_match_end, at + 1)) {
        auto gap = at + search::k_match_end.size();
        while (gap < marked.size() && (marked[gap] == ' ' || marked[gap] == '\'')) ++gap;
        if (gap == at + search::k_match_end.size()) continue;
        if (std::string_view(marked).substr(gap).starts_with(search::k_match_start)) {
            marked.erase(gap, search::k_match_start.size());
            marked.erase(at, search::k_match_end.size());
        }
    }
    struct Word {
        std::size_t begin;
        std::size_t end;
        bool matched;
        std::string text;
    };
    std::vector<Word> words;
    bool in_mark = false;
    for (std::size_t at = 0; at < marked.size();) {
        if (marked[at] == ' ') {
            ++at;
            continue;
        }
        const auto end = std::min(marked.find(' ', at), marked.size());
        const auto text = std::string_view(marked).substr(at, end - at);
        // Punctuation alone (« or –) is no word: the window counts words, as SQLite's
        // tokens.
        if (!has_letter_or_digit(text)) {
            at = end;
            continue;
        }
        const bool starts = text.find(search::k_match_start) != std::string_view::npos;
        const bool matched = in_mark || starts;
        if (starts) in_mark = true;
        if (text.find(search::k_match_end) != std::string_view::npos) in_mark = false;
        words.push_back({at, end, matched, std::string(text)});
        at = end;
    }
    if (words.empty()) return {};
    const auto count = std::min(words.size(), k_passage_words);
    std::size_t best = 0;
    std::pair<std::size_t, std::size_t> best_score{0, 0};
    for (std::size_t start = 0; start + count <= words.size(); ++start) {
        std::set<std::string> distinct;
        std::size_t matches = 0;
        for (std::size_t i = start; i < start + count; ++i) {
            if (!words[i].matched) continue;
            ++matches;
            distinct.insert(words[i].text);
        }
        const std::pair<std::size_t, std::size_t> score{distinct.size(), matches};
        if (score > best_score) {
            best_score = score;
            best = start;
        }
    }
    if (best_score.second > 0) {
        // Centre the matches of the best window in it.
        std::size_t first = best;
        std::size_t last = best;
        for (std::size_t i = best; i < best + count; ++i) {
            if (!words[i].matched) continue;
            if (first == best && !words[best].matched) first = i;
            last = i;
        }
        if (words[best].matched) first = best;
        const auto span = last - first + 1;
        const auto margin = (count - std::min(count, span)) / 2;
        best = first > margin ? first - margin : 0;
        best = std::min(best, words.size() - count);
    }
    // A window at either end of the text keeps what is before its first word or after its
    // last (an opening quote, a full stop).
    const auto from = best > 0 ? words[best].begin : 0;
    const auto to = best + count < words.size() ? words[best + count - 1].end : marked.size();
    std::string passage;
    if (best > 0) passage += "…";
    passage += marked.substr(from, to - from);
    if (best + count < words.size()) passage += "…";
    return passage;
}

struct Match {
    std::int64_t id;
    double score;  // higher is better, as ts_rank's
};

}  // namespace

Result<SearchResults> PgSearchStore::search(std::int64_t blog_id, const SearchQuery& query) {
    SearchResults results;
    const auto terms = search::reader_terms(query.text);
    if (!terms) return results;
    const auto queries = text_queries(*terms);
    if (!queries.positive) return results;

    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    Connection& db = **reader;

    // The blog's configuration goes into the SQL as a name, not a subquery: with the query's
    // texts known, to_tsquery is folded when the search is planned and the planner weighs
    // the words by the index's statistics.
    CARNET_TRY(blog_query, db.prepare("SELECT locale FROM blogs WHERE id = $1"));
    blog_query->bind(1, blog_id);
    CARNET_TRY(has_blog, blog_query->step());
    if (!has_blog) return results;
    const std::string_view config =
        blog_query->column_text(0) == "en" ? "'carnet_en'" : "'carnet_fr'";
    blog_query->reset();

    // Only the conditions the query has, each against its GIN index. A word in most posts
    // reads the newest posts in order until the cap is reached; a rare one reads its
    // posts from the index: which is cheaper depends on the word, so the search is planned
    // on each run with its own texts rather than prepared once with a generic plan.
    std::vector<std::string> conditions;
    std::vector<std::string> ranks;
    std::vector<std::string_view> texts;
    const auto add_side = [&](std::string_view column, std::string_view side_config,
                              const std::string& text) {
        if (text.empty()) return;
        texts.push_back(text);
        const auto tsquery = fmt::format("to_tsquery({}, ${})", side_config, texts.size() + 2);
        conditions.push_back(fmt::format("s.{} @@ {}", column, tsquery));
        ranks.push_back(fmt::format("ts_rank({}, m.{}, {})", k_weights, column, tsquery));
    };
    add_side("document", config, queries.stems);
    add_side("words", "'carnet_words'", queries.words);
    // One past the cap tells whether there are more: the newest k_search_result_limit
    // matches, ranked once chosen (ranking every match of a frequent word cost most of
    // the search), as on SQLite.
    auto matches = db.planned_each_run(fmt::format(
        "SELECT m.post_id, {} FROM (SELECT s.post_id, s.document, s.words FROM post_search s "
        "WHERE s.blog_id = $1 AND {} ORDER BY s.post_id DESC LIMIT $2) m",
        fmt::join(ranks, " + "), fmt::join(conditions, " AND ")));
    matches.bind(1, blog_id).bind(2, k_search_result_limit + 1);
    for (std::size_t i = 0; i < texts.size(); ++i) {
        matches.bind(static_cast<int>(i + 3), texts[i]);
    }
    std::vector<Match> found;
    CARNET_CHECK(for_each_row(matches, [&](const Statement& row) {
        found.push_back({row.column_int(0), row.column_double(1)});
    }));
    results.more = found.size() > static_cast<std::size_t>(k_search_result_limit);
    if (results.more) found.pop_back();
    results.total = static_cast<int>(found.size());
    const int offset = std::max(0, query.offset);
    if (query.limit <= 0 || offset >= results.total) return results;
    std::sort(found.begin(), found.end(), [](const Match& a, const Match& b) {
        return a.score > b.score || (a.score == b.score && a.id > b.id);
    });
    const auto end =
        std::min<std::size_t>(static_cast<std::size_t>(offset) + query.limit, found.size());

    CARNET_TRY(post_query, db.prepare(fmt::format("SELECT {} FROM posts p WHERE p.id = $1 AND "
                                                  "p.blog_id = $2 AND p.status = 'published'",
                                                  k_post_columns_without_body)));
    // Every match of the body marked, the stems' then the words'; passage_of cuts the window.
    CARNET_TRY(
        marked_query,
        db.prepare("WITH c AS (SELECT CASE b.locale WHEN 'en' THEN 'carnet_en'::regconfig "
                   "ELSE 'carnet_fr'::regconfig END AS config FROM blogs b "
                   "WHERE b.id = $2), "
                   "o AS (SELECT format('HighlightAll=true, StartSel=%s, StopSel=%s', "
                   "$5::text, $6::text) AS options), "
                   "m AS (SELECT CASE WHEN $3 = '' THEN s.body "
                   "ELSE ts_headline(c.config, s.body, to_tsquery(c.config, $3), o.options) "
                   "END AS body FROM post_search s, c, o WHERE s.post_id = $1) "
                   "SELECT CASE WHEN $4 = '' THEN m.body "
                   "ELSE ts_headline('carnet_words', m.body, to_tsquery('carnet_words', $4), "
                   "o.options) END FROM m, o"));
    for (std::size_t i = static_cast<std::size_t>(offset); i < end; ++i) {
        const auto post_id = found[i].id;
        post_query->reset();
        post_query->bind(1, post_id).bind(2, blog_id);
        CARNET_TRY(has_post, post_query->step());
        if (!has_post) continue;  // the index is current in every transaction: defensive
        SearchHit hit{read_post(*post_query), {}, {}};
        post_query->reset();
        marked_query->reset();
        marked_query->bind(1, post_id)
            .bind(2, blog_id)
            .bind(3, queries.stems)
            .bind(4, queries.words)
            .bind(5, search::k_match_start)
            .bind(6, search::k_match_end);
        CARNET_TRY(has_passage, marked_query->step());
        if (has_passage) {
            search::read_marked_passage(passage_of(marked_query->column_text(0)), hit.passage,
                                        hit.matches);
        }
        marked_query->reset();
        CARNET_CHECK(load_categories(db, hit.post));
        results.hits.push_back(std::move(hit));
    }
    return results;
}

Status PgSearchStore::rebuild_search_index() {
    return database_.write([](Transaction& transaction) -> Status {
        auto indexed = transaction.rebuild_search_index();
        if (!indexed) return std::unexpected(indexed.error());
        return {};
    });
}

}  // namespace carnet::store::pg
