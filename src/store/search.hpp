// Full-text search helpers of the SQLite store, private to it: the FTS5 tokenizers
// `carnet_fr` and `carnet_en`, the SQL function that turns a post's HTML into the text the
// index holds, and the translation of a reader's query into a safe FTS5 expression.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "text/text.hpp"

namespace carnet::store::search {

// Registers on `db` the FTS5 tokenizers `carnet_fr` and `carnet_en` (Unicode words, case
// and diacritics folded, Snowball stems, common words also indexed paired with their
// neighbours so that phrases holding them stay fast), the ranking functions carnet_rank and
// carnet_passage, and the SQL functions carnet_search_text(html) and
// carnet_search_new_terms(locale): the JSON array of the tokens of at least
// k_shortest_listed_term characters that the connection's tokenizers indexed since the last
// call for that locale ('fr' or 'en'), which the store adds to search_terms before it commits.
// Must run on every connection before it touches a search table.
[[nodiscard]] model::Status register_search_functions(sqlite3* db);

// Indexes in `table` (the search table of `locale`: "fr" or "en") the published posts of that
// locale whose ids are in [first_id, last_id], as
//   INSERT INTO table (rowid, title, body, blog)
//   SELECT p.id, p.title, carnet_search_text(p.html), p.blog_id FROM posts p ... ORDER BY p.id
// would, but with each post's text and tokens made on std::thread::hardware_concurrency()
// threads ahead of the connection, which only writes them into the index: for a transaction
// that indexes thousands of posts (an import). Runs in `db`'s transaction, on its thread.
[[nodiscard]] model::Status index_posts_in_bulk(sqlite3* db, std::string_view table,
                                                std::string_view locale, std::int64_t first_id,
                                                std::int64_t last_id);

// The text of a post's HTML as the index stores it: text::html_to_text, then Unicode white
// space and control characters folded, invalid UTF-8 replaced, and the private-use
// characters used as passage markers removed.
std::string search_text_from_html(std::string_view html);

// The index token of a pair or triple of common words and their neighbours: `words` is their
// tokens with a space between each two ("de la vill"). FTS5 counts it as one character, so
// that no prefix index holds it.
std::string pair_token(std::string_view words);

// The search tables' prefix indexes serve prefixes of 2 to k_longest_prefix_index
// characters (migration 7). A longer prefix has none: FTS5 would merge, at every query, the
// whole doclist of every token that starts with it. Instead the store lists those tokens in
// its table search_terms, which holds every indexed token of at least k_shortest_listed_term
// characters, and searches for them by name (see PrefixExpander).
inline constexpr int k_longest_prefix_index = 5;
inline constexpr int k_shortest_listed_term = k_longest_prefix_index + 1;
inline constexpr std::size_t k_max_prefix_expansion = 32;

// The index tokens that begin with `folded_prefix` (folded as the tokenizer folds a prefix),
// at most k_max_prefix_expansion of them; std::nullopt leaves the prefix to FTS5.
using PrefixExpander =
    std::function<std::optional<std::vector<std::string>>(std::string_view folded_prefix)>;

// A term of a reader's query: a word or a quoted phrase, whose last word may be a prefix
// ("trib*", "\"contre le trib\"*"), or a term to exclude ("-tribunal").
struct ReaderTerm {
    std::vector<std::string> words;  // as the reader wrote them, words the index drops left out
    std::string last_folded;         // the last word folded as the tokenizer folds a prefix
    bool prefix = false;
    bool excluded = false;
};

// The terms of a reader's query, read as match_query_from_reader_text reads them (at most
// k_max_query_bytes of `text`, k_max_query_terms terms); std::nullopt for text that cannot
// be split into words. The query language of every backend.
std::optional<std::vector<ReaderTerm>> reader_terms(std::string_view text);

struct MatchQuery {
    std::string expression;  // FTS5 MATCH expression
    // For each phrase of the expression, in order, the reader's term it comes from (a prefix
    // looked up in search_terms gives one phrase per token), or -1 for excluded terms: what
    // carnet_rank takes as its groups.
    std::vector<int> phrase_terms;
};

// The FTS5 MATCH expression for a reader's query, built only from quoted words so that no
// FTS5 syntax typed by a reader survives; std::nullopt when nothing positive is left to
// search (no words, or only excluded ones). Reads at most k_max_query_bytes of `text` and
// keeps at most k_max_query_terms terms. A prefix longer than k_longest_prefix_index is
// given to `expand`, when there is one.
inline constexpr std::size_t k_max_query_bytes = 256;
inline constexpr std::size_t k_max_query_terms = 32;
std::optional<MatchQuery> match_query_from_reader_text(std::string_view text,
                                                       const PrefixExpander& expand = {});

// carnet_rank's `groups` argument for `phrase_terms`.
std::string rank_groups(const std::vector<int>& phrase_terms);

// What carnet_passage() marks matches with: private-use characters that the indexed text never
// holds (search_text_from_html removes them).
inline constexpr std::string_view k_match_start = "\xEE\x80\x80";  // U+E000
inline constexpr std::string_view k_match_end = "\xEE\x80\x81";    // U+E001

// Reads what carnet_passage() gives: the passage as plain text into `passage`, and where its
// marked matches are (byte ranges into `passage`, in order) into `matches`. One pass.
void read_marked_passage(std::string_view marked, std::string& passage,
                         std::vector<text::ByteRange>& matches);

}  // namespace carnet::store::search
