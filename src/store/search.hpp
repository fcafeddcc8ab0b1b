// Full-text search helpers of the SQLite store, private to it: the FTS5 tokenizers
// `carnet_fr` and `carnet_en`, the SQL function that turns a post's HTML into the text the
// index holds, and the translation of a reader's query into a safe FTS5 expression.
#pragma once

#include <sqlite3.h>

#include <optional>
#include <string>
#include <string_view>

#include "model/model.hpp"

namespace carnet::store::search {

// Registers on `db` the FTS5 tokenizers `carnet_fr` and `carnet_en` (Unicode words, case
// and diacritics folded, Snowball stems, common words also indexed paired with their
// neighbours so that phrases holding them stay fast) and the SQL function
// carnet_search_text(html).
// Must run on every connection before it touches a search table.
model::Status register_search_functions(sqlite3* db);

// The text of a post's HTML as the index stores it: tags, comments, scripts and styles
// dropped, common entities decoded, white space folded, invalid UTF-8 replaced, and the
// private-use characters used as passage markers removed.
std::string search_text_from_html(std::string_view html);

// The FTS5 MATCH expression for a reader's query, built only from quoted words so that no
// FTS5 syntax typed by a reader survives; std::nullopt when nothing positive is left to
// search (no words, or only excluded ones). Reads at most k_max_query_bytes of `text` and
// keeps at most k_max_query_terms terms.
inline constexpr std::size_t k_max_query_bytes = 256;
inline constexpr std::size_t k_max_query_terms = 32;
std::optional<std::string> fts_query_from_reader_text(std::string_view text);

// What carnet_passage() marks matches with: private-use characters that the indexed text never
// holds (search_text_from_html removes them).
inline constexpr std::string_view k_match_start = "\xEE\x80\x80";  // U+E000
inline constexpr std::string_view k_match_end = "\xEE\x80\x81";    // U+E001

// Escapes a passage for HTML, then turns its markers into <mark> and </mark>.
std::string passage_html_from_marked_text(std::string_view passage);

}  // namespace carnet::store::search
