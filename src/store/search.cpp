#include "store/search.hpp"

#include <libstemmer.h>
#include <unicode/ubrk.h>
#include <unicode/uchar.h>
#include <unicode/utext.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/json.hpp>
#include <charconv>
#include <cmath>
#include <cstring>
#include <memory>
#include <new>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace carnet::store::search {
namespace {

constexpr UChar32 k_replacement = 0xFFFD;

bool is_ascii(std::string_view text) {
    for (unsigned char c : text) {
        if (c >= 0x80) return false;
    }
    return true;
}

// Valid UTF-8 with runs of white space and control characters folded into one space, no
// space at either end, and without the passage markers (so that no text can fake one).
std::string clean_text(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
    const auto length = static_cast<int32_t>(text.size());
    bool pending_space = false;
    for (int32_t i = 0; i < length;) {
        UChar32 c = 0;
        U8_NEXT(bytes, i, length, c);
        if (c < 0) c = k_replacement;
        if (c == 0xE000 || c == 0xE001) continue;
        if (u_isUWhiteSpace(c) || u_iscntrl(c)) {
            pending_space = !out.empty();
            continue;
        }
        if (pending_space) out += ' ';
        pending_space = false;
        text::append_utf8(out, static_cast<char32_t>(c));
    }
    return out;
}

// ---- Words ------------------------------------------------------------------------------

struct BreakIteratorCloser {
    void operator()(UBreakIterator* iterator) const { ubrk_close(iterator); }
};

// Letters, digits and the marks that belong to them. ICU keeps "l'Etat", "title:x" and
// "30.000" as one word; splitting them further lets "etat" find "l'Etat".
bool is_word_character(UChar32 c) {
    return c >= 0 && (U_GET_GC_MASK(c) & (U_GC_L_MASK | U_GC_N_MASK | U_GC_M_MASK)) != 0;
}

// Splits text into words on Unicode word boundaries (UAX #29, ICU), then on anything inside
// a word that is not a letter or a digit. Holds an ICU break iterator: one per thread.
class WordSplitter {
public:
    WordSplitter() {
        UErrorCode status = U_ZERO_ERROR;
        iterator_.reset(ubrk_open(UBRK_WORD, "", nullptr, 0, &status));
        if (U_FAILURE(status)) iterator_.reset();
    }

    bool ok() const { return iterator_ != nullptr; }

    // Calls on_word(start, end) with byte offsets into `text` for each word, in order.
    // Returns false if ICU failed.
    template <typename OnWord>
    bool split(std::string_view text, OnWord&& on_word) {
        if (is_plain_latin(text)) {
            split_plain_latin(text, on_word);
            return true;
        }
        if (!iterator_) return false;
        UErrorCode status = U_ZERO_ERROR;
        UText source = UTEXT_INITIALIZER;
        utext_openUTF8(&source, text.data(), static_cast<int64_t>(text.size()), &status);
        // The iterator keeps a pointer to `source`: give it a fresh one on every call, and
        // close this one when leaving whatever happens.
        std::unique_ptr<UText, decltype(&utext_close)> source_guard(&source, &utext_close);
        ubrk_setUText(iterator_.get(), &source, &status);
        if (U_FAILURE(status)) return false;
        const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
        int32_t start = ubrk_first(iterator_.get());
        for (int32_t end = ubrk_next(iterator_.get()); end != UBRK_DONE;
             start = end, end = ubrk_next(iterator_.get())) {
            if (ubrk_getRuleStatus(iterator_.get()) < UBRK_WORD_NONE_LIMIT) continue;
            int32_t word_start = -1;
            for (int32_t i = start; i < end;) {
                const int32_t here = i;
                UChar32 c = 0;
                U8_NEXT(bytes, i, end, c);
                if (is_word_character(c)) {
                    if (word_start < 0) word_start = here;
                } else if (word_start >= 0) {
                    if (!on_word(word_start, here)) return true;
                    word_start = -1;
                }
            }
            if (word_start >= 0 && !on_word(word_start, end)) return true;
        }
        return true;
    }

private:
    // Whether `text` holds only characters for which the words are simply the runs of letters
    // and digits: ASCII, the letters of Latin-1 and Latin Extended-A and B, and punctuation,
    // spaces and currency signs. UAX #29 never breaks inside such a run (rules WB5 to WB10),
    // so splitting it by hand gives the words ICU would, at a tenth of the cost: that is
    // nearly every post of a French or English blog, indexed and highlighted. Anything else
    // (combining marks, superscript digits, other scripts, format characters) goes to ICU.
    static bool is_plain_latin(std::string_view text) {
        const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
        const auto length = static_cast<int32_t>(text.size());
        for (int32_t i = 0; i < length;) {
            if (bytes[i] < 0x80) {
                ++i;
                continue;
            }
            UChar32 c = 0;
            U8_NEXT(bytes, i, length, c);
            const bool latin_letter = c >= 0xC0 && c <= 0x24F;
            const bool latin1_punctuation =
                c >= 0xA0 && c <= 0xBF && !is_word_character(c);  // not ª ² ³ µ ¹ º ¼ ½ ¾
            const bool punctuation = (c >= 0x2010 && c <= 0x2027) || (c >= 0x2030 && c <= 0x205E);
            const bool currency = c >= 0x20A0 && c <= 0x20CF;
            if (!(latin_letter || latin1_punctuation || punctuation || currency)) return false;
        }
        return true;
    }

    template <typename OnWord>
    static void split_plain_latin(std::string_view text, OnWord& on_word) {
        const auto* bytes = reinterpret_cast<const uint8_t*>(text.data());
        const auto length = static_cast<int32_t>(text.size());
        int32_t word_start = -1;
        for (int32_t i = 0; i < length;) {
            const int32_t here = i;
            UChar32 c = bytes[i];
            if (c < 0x80) {
                ++i;
            } else {
                U8_NEXT(bytes, i, length, c);
            }
            const bool in_word = c < 0x80 ? (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
                                                (c >= 'A' && c <= 'Z')
                                          : is_word_character(c);
            if (in_word) {
                if (word_start < 0) word_start = here;
            } else if (word_start >= 0) {
                if (!on_word(word_start, here)) return;
                word_start = -1;
            }
        }
        if (word_start >= 0) on_word(word_start, length);
    }

    std::unique_ptr<UBreakIterator, BreakIteratorCloser> iterator_;
};

// ---- The FTS5 tokenizer -----------------------------------------------------------------

struct StemmerCloser {
    void operator()(sb_stemmer* stemmer) const { sb_stemmer_delete(stemmer); }
};

using TokenCallback = int (*)(void* context, int flags, const char* token, int token_bytes,
                              int start, int end);

// The words so common that a phrase holding one of them would have its every other word's
// posts checked position by position ("de la ville" walks nearly every post). As in
// Lucene's CommonGrams, each such word is also indexed joined to its neighbours, so that a
// phrase looks up the rare pair "la ville" instead. Changing a list changes the index:
// only with a migration that rebuilds the search tables.
constexpr std::string_view k_common_words_french =
    "de la le les et des à en du un une l d a que qui dans pour par sur au aux est ont été "
    "pas plus ne se ce il ils son sa ses avec sont mais ou leur leurs ces cette y qu n s";
constexpr std::string_view k_common_words_english =
    "the of and to a in is it that for on with as was by at an be this are from or his her "
    "s not have has had were which but its their they he she we you";

// In a query string, what follows this is one index token, looked up as it is, after the
// words before it if any: how a long prefix is searched once search_terms has listed its
// tokens ("l\x02offensive", for "l'offensiv*"). No reader's text holds it (clean_text drops
// control characters before a query is built).
constexpr char k_exact_token_marker = '\x02';

// The long tokens (see k_shortest_listed_term) a connection's tokenizers indexed since the
// store last collected them with carnet_search_new_terms(), per language. One per
// connection, owned by that SQL function; the tokenizers hold pointers into it.
struct NewTerms {
    std::unordered_set<std::string> tokens;
    // Bumped at each collection, so that words a tokenizer remembers having recorded are
    // recorded again for the next transaction.
    std::uint64_t collection = 1;
};

// The tokens of a row's texts, computed ahead of time on other threads (index_posts_in_bulk),
// that the connection's tokenizers give FTS5 instead of tokenizing those texts again: each
// text's tokens are replayed when FTS5 asks for exactly that text, in the order given; any other
// text is tokenized as usual.
struct ReplayedText {
    std::string_view text;
    std::string_view tokens;  // as record_token writes them
};
struct Replay {
    std::array<ReplayedText, 2> texts;  // title, body
    std::size_t next = 0;
    // The row's long tokens, for search_terms: added to the new terms with its first replayed
    // text.
    std::vector<std::string>* long_tokens = nullptr;
};

struct TokenizerSetup {
    const char* algorithm = nullptr;
    NewTerms* new_terms = nullptr;
    Replay* const* replay = nullptr;  // the connection's current replay, if any
};

struct SearchConnection {
    std::array<NewTerms, 2> new_terms;  // French, English
    std::array<TokenizerSetup, 2> setups;
    Replay* replay = nullptr;  // set by carnet_search_replay() for a bulk insert
};

// A pair's or a triple's token is a lead byte that no UTF-8 text holds (so no word's token
// starts with it, nor any prefix a reader types), then its words spelt in continuation bytes
// (0x80-0xBF) only. FTS5 counts a token's characters by their lead bytes and writes a token
// into a prefix index only when it has at least that index's length (2 to 5): pairs, which
// no prefix query targets, then make no prefix entries. With the control character that led
// them before, each pair made four: a quarter of the index's pages at 10,000 posts.
constexpr char k_pair_lead = '\xFF';

// Appends `words` (tokens and the spaces between them) spelt in continuation bytes: a letter,
// a digit or a space in one byte, any other byte (UTF-8 beyond ASCII) in two. One-to-one, so
// that two pairs share a token only when they join the same words.
void append_pair_token(std::string& out, std::string_view words) {
    for (const unsigned char c : words) {
        if (c >= 'a' && c <= 'z') {
            out += static_cast<char>(0x80 + (c - 'a'));  // 0x80-0x99
        } else if (c >= '0' && c <= '9') {
            out += static_cast<char>(0x9A + (c - '0'));  // 0x9A-0xA3
        } else if (c == ' ') {
            out += static_cast<char>(0xA4);
        } else {
            out += static_cast<char>(0xBC + (c >> 6));  // 0xBC-0xBF, then the low six bits
            out += static_cast<char>(0x80 + (c & 0x3F));
        }
    }
}

// A token as FTS5's callback gets it, appended to `context` (a std::string): flags, start, end
// and size as four int32, then the bytes.
int record_token(void* context, int flags, const char* token, int token_bytes, int start, int end) {
    auto& out = *static_cast<std::string*>(context);
    const std::array<std::int32_t, 4> head{flags, start, end, token_bytes};
    out.append(reinterpret_cast<const char*>(head.data()), sizeof head);
    out.append(token, static_cast<std::size_t>(token_bytes));
    return SQLITE_OK;
}

// One instance per FTS5 table per connection (FTS5 calls xCreate for each), so its
// stemmer, break iterator and buffers are only ever used by the thread that holds the
// connection: sb_stemmer is not thread-safe.
class Tokenizer {
public:
    static std::unique_ptr<Tokenizer> create(const TokenizerSetup& setup) {
        const char* algorithm = setup.algorithm;
        auto tokenizer = std::unique_ptr<Tokenizer>(new Tokenizer());
        tokenizer->new_terms_ = setup.new_terms;
        tokenizer->replay_ = setup.replay;
        tokenizer->stemmer_.reset(sb_stemmer_new(algorithm, "UTF_8"));
        if (!tokenizer->stemmer_ || !tokenizer->words_.ok()) return nullptr;
        const auto common = std::string_view(algorithm) == "french" ? k_common_words_french
                                                                    : k_common_words_english;
        for (std::size_t at = 0; at < common.size();) {
            auto space = common.find(' ', at);
            if (space == std::string_view::npos) space = common.size();
            const WordTokens* tokens = tokenizer->tokens_of(common.substr(at, space - at));
            if (tokens == nullptr) return nullptr;
            if (!tokens->primary.empty()) tokenizer->common_tokens_.insert(tokens->primary);
            at = space + 1;
        }
        // The words' tokens were cached before the common ones were known.
        tokenizer->cache_.clear();
        return tokenizer;
    }

    // Every word gives its stem, computed from the word as written (lower case, accents
    // kept, as Snowball expects) and then folded: that is the one token a query looks for.
    // A document also gets, at the same position, the stem of the folded word and the folded
    // word itself when they differ: a reader who types "attaquee" for "attaquée" still finds
    // it, and prefix queries (folded, never stemmed) match the beginning of the real word.
    // Highlighting (carnet_passage()) only needs where the words are, and colocated tokens
    // take no position: it gets each word alone, as written.
    //
    // Common words pair up: where a word or the next one is common, a document also gets,
    // at the first one's position, "x y" for each of the two words' tokens x and y; a
    // phrase query asks for "x y" instead of x there (its last word stays alone, so that the
    // phrase covers, and highlights, as many positions as it has words). A query pair is
    // common when its own token is, a document pair when any of its tokens is: whatever
    // pair a query asks for, a document holding those words in that order has. No word's
    // token holds a space, so "x y" matches only x then y.
    //
    // Two common words in a row ("de la") make a pair nearly every post holds, which a phrase
    // query would walk whole: where a word and the next are both common, a document also
    // gets "x y z" with the tokens of the word after them, and a query asks for
    // "de la justic" there, a triple as rare as its last word.
    int tokenize(void* context, int flags, std::string_view text, TokenCallback on_token) {
        const bool prefix = (flags & FTS5_TOKENIZE_PREFIX) != 0;
        const bool query = (flags & FTS5_TOKENIZE_QUERY) != 0;
        const bool aux = (flags & FTS5_TOKENIZE_AUX) != 0;
        const bool document = (flags & FTS5_TOKENIZE_DOCUMENT) != 0;
        if (document && replay_ != nullptr && *replay_ != nullptr) {
            if (const auto tokens = take_replayed(**replay_, text)) {
                return replay(context, *tokens, on_token);
            }
        }
        std::string_view exact;
        if (const auto marker = text.find(k_exact_token_marker);
            query && !prefix && marker != std::string_view::npos) {
            exact = text.substr(marker + 1);
            text = text.substr(0, marker);
        }
        int result = SQLITE_OK;
        // A word is given once the two after it are known (the pairs and triples it starts).
        // Copies: the cache may be emptied by the next lookup.
        std::array<Word, 3> waiting;
        std::size_t held = 0;
        const auto give_first = [&] {
            const Word* next = held > 1 ? &waiting[1] : nullptr;
            const Word* after = held > 2 ? &waiting[2] : nullptr;
            result = query ? emit_query_word(context, on_token, waiting[0], next, after)
                           : emit_word(context, on_token, waiting[0], next, after);
            std::rotate(waiting.begin(), waiting.begin() + 1,
                        waiting.begin() + static_cast<std::ptrdiff_t>(held));
            --held;
            return result == SQLITE_OK;
        };
        const bool split = words_.split(text, [&](int32_t start, int32_t end) {
            const auto word =
                text.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start));
            if (prefix) {
                if (!folder_.fold(word, text::Folding::case_and_accents, folded_))
                    return fail(SQLITE_ERROR, result);
                if (folded_.empty()) return true;
                result = emit(context, on_token, 0, folded_, start, end);
                return result == SQLITE_OK;
            }
            if (aux) {
                // Highlighting needs where the words are, not their tokens: an ASCII word
                // always has one, others are looked up in case folding leaves nothing.
                if (!is_ascii(word)) {
                    const WordTokens* tokens = tokens_of(word);
                    if (tokens == nullptr) return fail(SQLITE_ERROR, result);
                    if (tokens->primary.empty()) return true;
                }
                result =
                    on_token(context, 0, word.data(), static_cast<int>(word.size()), start, end);
                return result == SQLITE_OK;
            }
            WordTokens* tokens = tokens_of(word);
            if (tokens == nullptr) return fail(SQLITE_ERROR, result);
            if (tokens->primary.empty()) return true;
            if (document) record(*tokens);
            waiting[held++] = Word{*tokens, start, end};
            return held < waiting.size() || give_first();
        });
        if (!split) return SQLITE_ERROR;
        if (!exact.empty() && result == SQLITE_OK) {
            // The last word, as it is: the words before pair with it as with any word.
            const auto at = static_cast<int32_t>(text.size() + 1);
            Word token;
            token.primary = exact;
            token.start = at;
            token.end = at + static_cast<int32_t>(exact.size());
            // Fewer than three words wait: the split gives the first of any three.
            waiting[held++] = std::move(token);
        }
        while (result == SQLITE_OK && held > 0) give_first();
        return result;
    }

private:
    // The recorded tokens of `text` if it is the replay's next text (or the one after).
    std::optional<std::string_view> take_replayed(Replay& replay, std::string_view text) {
        for (std::size_t i = replay.next; i < replay.texts.size(); ++i) {
            const auto& replayed = replay.texts[i];
            if (replayed.text.size() != text.size() ||
                (replayed.text.data() != text.data() && replayed.text != text)) {
                continue;
            }
            replay.next = i + 1;
            if (replay.long_tokens != nullptr && new_terms_ != nullptr) {
                for (auto& token : *replay.long_tokens) new_terms_->tokens.insert(std::move(token));
                replay.long_tokens = nullptr;
            }
            return replayed.tokens;
        }
        return std::nullopt;
    }

    static int replay(void* context, std::string_view tokens, TokenCallback on_token) {
        std::array<std::int32_t, 4> head{};
        for (std::size_t at = 0; at + sizeof head <= tokens.size();) {
            std::memcpy(head.data(), tokens.data() + at, sizeof head);
            at += sizeof head;
            const int rc =
                on_token(context, head[0], tokens.data() + at, head[3], head[1], head[2]);
            if (rc != SQLITE_OK) return rc;
            at += static_cast<std::size_t>(head[3]);
        }
        return SQLITE_OK;
    }

    // The tokens of one word: `stemmed` and `folded` are empty when they add nothing.
    // `common` when any of them is a common word's token.
    struct WordTokens {
        std::string primary, stemmed, folded;
        bool common = false;
        std::uint64_t recorded_in = 0;  // the NewTerms collection its long tokens went to
    };

    struct Word : WordTokens {
        int32_t start = 0;
        int32_t end = 0;
        Word() = default;
        Word(const WordTokens& tokens, int32_t start_at, int32_t end_at)
            : WordTokens(tokens), start(start_at), end(end_at) {}
    };

    struct WordHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view word) const {
            return std::hash<std::string_view>{}(word);
        }
    };

    // Most words of a text are words already seen (Zipf's law): remembering their tokens
    // spares the folding and the two stemmings that cost most of the tokenizer's time.
    // Bounded, and simply emptied when full.
    static constexpr std::size_t k_max_cached_words = 16384;

    Tokenizer() = default;

    WordTokens* tokens_of(std::string_view word) {
        if (const auto found = cache_.find(word); found != cache_.end()) return &found->second;
        WordTokens tokens;
        if (!folder_.fold(word, text::Folding::case_only, lowered_) || !stem(lowered_, stemmed_) ||
            !folder_.fold(stemmed_, text::Folding::case_and_accents, tokens.primary)) {
            return nullptr;
        }
        if (!tokens.primary.empty()) {
            if (!folder_.fold(word, text::Folding::case_and_accents, folded_) ||
                !stem(folded_, stemmed_))
                return nullptr;
            if (!stemmed_.empty() && stemmed_ != tokens.primary) tokens.stemmed = stemmed_;
            if (!folded_.empty() && folded_ != tokens.primary && folded_ != stemmed_) {
                tokens.folded = folded_;
            }
        }
        tokens.common = common_tokens_.contains(tokens.primary) ||
                        common_tokens_.contains(tokens.stemmed) ||
                        common_tokens_.contains(tokens.folded);
        if (cache_.size() >= k_max_cached_words) cache_.clear();
        return &cache_.emplace(std::string(word), std::move(tokens)).first->second;
    }

    // Adds the word's long tokens to those the store will list in search_terms.
    void record(WordTokens& tokens) {
        if (new_terms_ == nullptr || tokens.recorded_in == new_terms_->collection) return;
        tokens.recorded_in = new_terms_->collection;
        for (const std::string* token : {&tokens.primary, &tokens.stemmed, &tokens.folded}) {
            if (static_cast<int>(text::count_chars(*token)) >= k_shortest_listed_term) {
                new_terms_->tokens.insert(*token);
            }
        }
    }

    // A pair or a triple is one index token (see append_pair_token): no prefix index holds it.
    const std::string& joined(const std::string& first, const std::string& second,
                              const std::string* third = nullptr) {
        pair_.clear();
        pair_ += k_pair_lead;
        append_pair_token(pair_, first);
        append_pair_token(pair_, " ");
        append_pair_token(pair_, second);
        if (third != nullptr) {
            append_pair_token(pair_, " ");
            append_pair_token(pair_, *third);
        }
        return pair_;
    }

    // A query's word: the triple it starts when it and the next are common words, else the
    // pair it starts when either is, else its token.
    int emit_query_word(void* context, TokenCallback on_token, const Word& word, const Word* next,
                        const Word* after) {
        const bool common = common_tokens_.contains(word.primary);
        const bool next_common = next != nullptr && common_tokens_.contains(next->primary);
        if (after != nullptr && common && next_common) {
            return emit(context, on_token, 0, joined(word.primary, next->primary, &after->primary),
                        word.start, word.end);
        }
        if (next != nullptr && (common || next_common)) {
            return emit(context, on_token, 0, joined(word.primary, next->primary), word.start,
                        word.end);
        }
        return emit(context, on_token, 0, word.primary, word.start, word.end);
    }

    // A document's word: its tokens, then the pairs it makes with the next word and the
    // triples with the two after it, if any.
    int emit_word(void* context, TokenCallback on_token, const Word& word, const Word* next,
                  const Word* after) {
        int rc = emit(context, on_token, 0, word.primary, word.start, word.end);
        if (rc == SQLITE_OK && !word.stemmed.empty()) {
            rc = emit(context, on_token, FTS5_TOKEN_COLOCATED, word.stemmed, word.start, word.end);
        }
        if (rc == SQLITE_OK && !word.folded.empty()) {
            rc = emit(context, on_token, FTS5_TOKEN_COLOCATED, word.folded, word.start, word.end);
        }
        if (rc != SQLITE_OK || next == nullptr || !(word.common || next->common)) return rc;
        const bool triples = after != nullptr && word.common && next->common;
        for (const std::string* first : {&word.primary, &word.stemmed, &word.folded}) {
            if (first->empty()) continue;
            for (const std::string* second : {&next->primary, &next->stemmed, &next->folded}) {
                if (second->empty()) continue;
                rc = emit(context, on_token, FTS5_TOKEN_COLOCATED, joined(*first, *second),
                          word.start, word.end);
                if (rc != SQLITE_OK) return rc;
                if (!triples) continue;
                for (const std::string* third :
                     {&after->primary, &after->stemmed, &after->folded}) {
                    if (third->empty()) continue;
                    rc = emit(context, on_token, FTS5_TOKEN_COLOCATED,
                              joined(*first, *second, third), word.start, word.end);
                    if (rc != SQLITE_OK) return rc;
                }
            }
        }
        return SQLITE_OK;
    }

    static bool fail(int code, int& result) {
        result = code;
        return false;
    }

    static int emit(void* context, TokenCallback on_token, int flags, const std::string& token,
                    int32_t start, int32_t end) {
        return on_token(context, flags, token.data(), static_cast<int>(token.size()), start, end);
    }

    bool stem(const std::string& word, std::string& out) {
        const sb_symbol* stemmed =
            sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                            static_cast<int>(word.size()));
        if (stemmed == nullptr) return false;
        out.assign(reinterpret_cast<const char*>(stemmed),
                   static_cast<std::size_t>(sb_stemmer_length(stemmer_.get())));
        return true;
    }

    std::unique_ptr<sb_stemmer, StemmerCloser> stemmer_;
    WordSplitter words_;
    text::Folder folder_;
    std::string lowered_, stemmed_, folded_, pair_;
    std::unordered_map<std::string, WordTokens, WordHash, std::equal_to<>> cache_;
    std::unordered_set<std::string> common_tokens_;
    NewTerms* new_terms_ = nullptr;
    Replay* const* replay_ = nullptr;
};

// The C entry points FTS5 calls. No exception may cross them.
int create_tokenizer(void* setup, const char** /*arguments*/, int /*argument_count*/,
                     Fts5Tokenizer** out) {
    try {
        auto tokenizer = Tokenizer::create(*static_cast<const TokenizerSetup*>(setup));
        if (!tokenizer) return SQLITE_ERROR;
        *out = reinterpret_cast<Fts5Tokenizer*>(tokenizer.release());
        return SQLITE_OK;
    } catch (const std::bad_alloc&) {
        return SQLITE_NOMEM;
    } catch (...) {
        return SQLITE_ERROR;
    }
}

void delete_tokenizer(Fts5Tokenizer* tokenizer) {
    std::unique_ptr<Tokenizer> owned(reinterpret_cast<Tokenizer*>(tokenizer));
}

int run_tokenizer(Fts5Tokenizer* tokenizer, void* context, int flags, const char* text,
                  int text_bytes, TokenCallback on_token) {
    if (text_bytes <= 0) return SQLITE_OK;
    try {
        return reinterpret_cast<Tokenizer*>(tokenizer)->tokenize(
            context, flags, std::string_view(text, static_cast<std::size_t>(text_bytes)), on_token);
    } catch (const std::bad_alloc&) {
        return SQLITE_NOMEM;
    } catch (...) {
        return SQLITE_ERROR;
    }
}

// Snowball's algorithm names, handed to xCreate as the tokenizer's context: constants.
constexpr char k_french[] = "french";
constexpr char k_english[] = "english";

void search_text_function(sqlite3_context* context, int /*argument_count*/,
                          sqlite3_value** arguments) {
    const auto* html = reinterpret_cast<const char*>(sqlite3_value_text(arguments[0]));
    const int bytes = sqlite3_value_bytes(arguments[0]);
    try {
        const auto text = search_text_from_html(
            html == nullptr ? std::string_view()
                            : std::string_view(html, static_cast<std::size_t>(bytes)));
        sqlite3_result_text64(context, text.data(), text.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(context);
    }
}

// ---- Ranking ----------------------------------------------------------------------------

// carnet_rank(title_weight, body_weight, groups, first_rowid, last_rowid): BM25 as FTS5's
// bm25() computes it (k1 = 1.2, b = 0.75, the same inverse document frequencies, other
// columns weighing nothing), with differences that keep a query's cost bounded:
// - `groups` gives, for each phrase in order, the reader's term it belongs to (rank_groups);
//   a term that stands for several phrases (the tokens of a long prefix) is one term, with
//   the sum of their frequencies. Phrases it gives -1, and those past its end (the blog
//   filter), do not count: they only exclude or filter, and bm25() would count every row
//   of the blog to weigh them;
// - how many posts hold a phrase is counted exactly up to k_exact_phrase_count, and beyond
//   that estimated from how far into the table's rowids [first_rowid, last_rowid] that many
//   were found: bm25() counts them all, which for a word in most posts costs more than the
//   rest of the query. Above a few thousand posts the estimate is within a few percent, and
//   the weight of a word in more than half the posts is the same tiny constant anyway.
// The scores are only ever compared with each other: a query of one ranked term gets
// scores that are bm25's divided by that term's weight, in the same order.
constexpr int k_exact_phrase_count = 2000;
// More groups than a query has terms is a broken argument: no bigger allocation than this.
constexpr int k_max_groups = 64;
constexpr double k_bm25_k1 = 1.2;
constexpr double k_bm25_b = 0.75;

struct RankData {
    std::vector<int> group_of_phrase;  // -1: not ranked
    std::vector<double> idf;           // per group
    double average_length = 1;
    std::vector<double> frequency;  // per group, scratch for each row
};

struct PhraseCounter {
    int count = 0;
    int limit = k_exact_phrase_count;
    sqlite3_int64 last_rowid = 0;
};

int count_phrase_row(const Fts5ExtensionApi* api, Fts5Context* fts, void* user) {
    auto* counter = static_cast<PhraseCounter*>(user);
    counter->last_rowid = api->xRowid(fts);
    return ++counter->count >= counter->limit ? SQLITE_DONE : SQLITE_OK;
}

std::vector<int> parse_groups(std::string_view text) {
    std::vector<int> groups;
    for (std::size_t at = 0; at < text.size();) {
        const auto space = std::min(text.find(' ', at), text.size());
        int group = -1;
        std::from_chars(text.data() + at, text.data() + space, group);
        groups.push_back(group);
        at = space + 1;
    }
    return groups;
}

int compute_rank_data(const Fts5ExtensionApi* api, Fts5Context* fts, std::string_view groups,
                      sqlite3_int64 first_rowid, sqlite3_int64 last_rowid, RankData& data) {
    sqlite3_int64 rows = 0;
    sqlite3_int64 tokens = 0;
    int rc = api->xRowCount(fts, &rows);
    if (rc == SQLITE_OK) rc = api->xColumnTotalSize(fts, -1, &tokens);
    if (rc != SQLITE_OK) return rc;
    data.group_of_phrase = parse_groups(groups);
    data.group_of_phrase.resize(static_cast<std::size_t>(std::max(0, api->xPhraseCount(fts))), -1);
    int group_count = 0;
    for (int& group : data.group_of_phrase) {
        if (group < 0 || group >= k_max_groups) group = -1;
        group_count = std::max(group_count, group + 1);
    }
    data.average_length = rows > 0 ? static_cast<double>(tokens) / static_cast<double>(rows) : 1;
    if (data.average_length <= 0) data.average_length = 1;
    data.idf.assign(static_cast<std::size_t>(group_count), 0.0);
    data.frequency.assign(data.idf.size(), 0.0);
    if (group_count == 1) {
        // One term's weight scales every score alike and leaves the order as it is: counting
        // its posts (a walk of the whole match) would buy nothing.
        data.idf[0] = 1;
        return SQLITE_OK;
    }
    std::vector<int> members(data.idf.size(), 0);
    for (const int group : data.group_of_phrase) {
        if (group >= 0) ++members[static_cast<std::size_t>(group)];
    }
    std::vector<double> holding(data.idf.size(), 0.0);
    const auto phrase_count = static_cast<int>(data.group_of_phrase.size());
    for (int phrase = 0; phrase < phrase_count; ++phrase) {
        const int group = data.group_of_phrase[static_cast<std::size_t>(phrase)];
        if (group < 0) continue;
        // The tokens of one prefix share the count, so that a term costs the same walk
        // whatever it stands for; their posts overlap little, so their sum stands for
        // the posts that hold any of them.
        PhraseCounter counter;
        counter.limit =
            std::max(100, k_exact_phrase_count / members[static_cast<std::size_t>(group)]);
        rc = api->xQueryPhrase(fts, phrase, &counter, count_phrase_row);
        if (rc != SQLITE_OK) return rc;
        double held = counter.count;
        if (counter.count >= counter.limit && counter.last_rowid > first_rowid) {
            const double span = static_cast<double>(last_rowid - first_rowid) + 1;
            const double walked = static_cast<double>(counter.last_rowid - first_rowid) + 1;
            held = held * span / walked;
        }
        holding[static_cast<std::size_t>(group)] += held;
    }
    const double total = static_cast<double>(rows);
    for (std::size_t group = 0; group < holding.size(); ++group) {
        const double held = std::min(total, holding[group]);
        const double idf = std::log((total - held + 0.5) / (held + 0.5));
        // As bm25(): a word in more than half the rows still counts a little.
        data.idf[group] = idf <= 0 ? 1e-6 : idf;
    }
    return SQLITE_OK;
}

void delete_rank_data(void* data) { delete static_cast<RankData*>(data); }

void rank_function(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context,
                   int argument_count, sqlite3_value** arguments) {
    if (argument_count != 5) {
        sqlite3_result_error(context, "carnet_rank takes 5 arguments", -1);
        return;
    }
    const double weights[2] = {sqlite3_value_double(arguments[0]),
                               sqlite3_value_double(arguments[1])};
    try {
        auto* data = static_cast<RankData*>(api->xGetAuxdata(fts, 0));
        if (data == nullptr) {
            auto fresh = std::make_unique<RankData>();
            const auto* groups = reinterpret_cast<const char*>(sqlite3_value_text(arguments[2]));
            int rc = compute_rank_data(api, fts, groups == nullptr ? "" : groups,
                                       sqlite3_value_int64(arguments[3]),
                                       sqlite3_value_int64(arguments[4]), *fresh);
            if (rc == SQLITE_OK) rc = api->xSetAuxdata(fts, fresh.get(), delete_rank_data);
            if (rc != SQLITE_OK) {
                sqlite3_result_error_code(context, rc);
                return;
            }
            data = fresh.release();
        }
        std::fill(data->frequency.begin(), data->frequency.end(), 0.0);
        // Each phrase's positions read where they lie: xInstCount would first merge every
        // phrase's into one sorted array, for each of up to a thousand rows.
        int rc = SQLITE_OK;
        const auto phrase_count = static_cast<int>(data->group_of_phrase.size());
        for (int phrase = 0; rc == SQLITE_OK && phrase < phrase_count; ++phrase) {
            const int group = data->group_of_phrase[static_cast<std::size_t>(phrase)];
            if (group < 0) continue;
            Fts5PhraseIter iterator;
            int column = 0;
            int offset = 0;
            rc = api->xPhraseFirst(fts, phrase, &iterator, &column, &offset);
            for (; rc == SQLITE_OK && column >= 0;
                 api->xPhraseNext(fts, &iterator, &column, &offset)) {
                if (column < 2) data->frequency[static_cast<std::size_t>(group)] += weights[column];
            }
        }
        int length = 0;
        if (rc == SQLITE_OK) rc = api->xColumnSize(fts, -1, &length);
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(context, rc);
            return;
        }
        const double norm =
            k_bm25_k1 *
            (1 - k_bm25_b + k_bm25_b * static_cast<double>(length) / data->average_length);
        double score = 0;
        for (std::size_t group = 0; group < data->frequency.size(); ++group) {
            const double f = data->frequency[group];
            score += data->idf[group] * (f * (k_bm25_k1 + 1)) / (f + norm);
        }
        // Negated so that ORDER BY rank, ascending, puts the best first, like bm25().
        sqlite3_result_double(context, -score);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(context);
    }
}

// ---- Passages ---------------------------------------------------------------------------

// carnet_passage(column, start_mark, end_mark, ellipsis, tokens): the passage of `tokens`
// words of the column that holds the most of the query's phrases, their instances between
// the marks, as snippet() gives, at a fraction of its cost: snippet() tokenizes the whole
// column twice (once to find sentences, once to highlight), while this reads the instances
// FTS5 already has, picks the window from them, and tokenizes the column only up to the
// window's end.

struct PassageInstance {
    int phrase = 0;
    int first = 0;  // token position of the phrase's first token
    int last = 0;   // and of its last
};

// The window of `tokens` positions that holds the most distinct phrases, then the most
// instances, the first such one; its hits centred. Instances sorted by position.
int passage_start(const std::vector<PassageInstance>& instances, int phrases, int tokens) {
    if (instances.empty()) return 0;
    std::vector<int> in_window(static_cast<std::size_t>(phrases), 0);
    int distinct = 0;
    int best_score = -1;
    std::size_t best_first = 0;
    std::size_t best_last = 0;
    std::size_t end = 0;  // one past the last instance in the window of instances[begin]
    for (std::size_t begin = 0; begin < instances.size(); ++begin) {
        while (end < instances.size() && instances[end].last < instances[begin].first + tokens) {
            if (in_window[static_cast<std::size_t>(instances[end].phrase)]++ == 0) ++distinct;
            ++end;
        }
        const int count = static_cast<int>(end - begin);
        const int score = distinct * 10000 + count;
        if (count > 0 && score > best_score) {
            best_score = score;
            best_first = begin;
            best_last = end - 1;
        }
        if (end > begin && --in_window[static_cast<std::size_t>(instances[begin].phrase)] == 0) {
            --distinct;
        }
        end = std::max(end, begin + 1);
    }
    const int first = instances[best_first].first;
    const int span = instances[best_last].last - first + 1;
    return std::max(0, first - std::max(0, tokens - span) / 2);
}

// Byte offsets of the column's tokens from position `kept_from` on, collected by
// xTokenize, which it stops one token past the window.
struct PassageTokens {
    int kept_from = 0;
    int stop_at = 0;  // position past the window
    int position = 0;
    bool more = false;  // a token follows the window
    std::vector<std::pair<int, int>> offsets;
};

constexpr int k_passage_complete = SQLITE_DONE;

int collect_passage_token(void* context, int flags, const char* /*token*/, int /*bytes*/, int start,
                          int end) {
    auto* tokens = static_cast<PassageTokens*>(context);
    if ((flags & FTS5_TOKEN_COLOCATED) != 0) return SQLITE_OK;
    const int position = tokens->position++;
    if (position >= tokens->stop_at) {
        tokens->more = true;
        return k_passage_complete;
    }
    if (position >= tokens->kept_from) tokens->offsets.emplace_back(start, end);
    return SQLITE_OK;
}

// Text between tokens at either end of the column is kept when it is this short (an opening
// quote, a closing full stop), dropped otherwise.
constexpr int k_passage_edge_bytes = 16;

int make_passage(const Fts5ExtensionApi* api, Fts5Context* fts, int column,
                 std::string_view start_mark, std::string_view end_mark, std::string_view ellipsis,
                 int tokens, std::string& out) {
    const char* text = nullptr;
    int text_bytes = 0;
    int rc = api->xColumnText(fts, column, &text, &text_bytes);
    if (rc != SQLITE_OK || text == nullptr || text_bytes <= 0) return rc;
    const int phrases = api->xPhraseCount(fts);
    int instance_count = 0;
    rc = api->xInstCount(fts, &instance_count);
    std::vector<PassageInstance> instances;
    for (int i = 0; rc == SQLITE_OK && i < instance_count; ++i) {
        int phrase = 0;
        int instance_column = 0;
        int offset = 0;
        rc = api->xInst(fts, i, &phrase, &instance_column, &offset);
        if (rc == SQLITE_OK && instance_column == column) {
            instances.push_back(
                {phrase, offset, offset + std::max(1, api->xPhraseSize(fts, phrase)) - 1});
        }
    }
    if (rc != SQLITE_OK) return rc;
    // xInst orders instances by column, then position.
    int first = passage_start(instances, phrases, tokens);

    PassageTokens collected;
    collected.kept_from = std::max(0, first - tokens);
    collected.stop_at = first + tokens;
    rc = api->xTokenize(fts, text, text_bytes, &collected, collect_passage_token);
    if (rc != SQLITE_OK && rc != k_passage_complete) return rc;
    const int seen = static_cast<int>(collected.offsets.size());
    // Near the end of the text the window moves back to show as many words as it can.
    if (!collected.more) first = std::max(collected.kept_from, collected.kept_from + seen - tokens);
    const int shown_from = first - collected.kept_from;
    if (shown_from >= seen) return SQLITE_OK;
    const int shown_to = std::min(seen, shown_from + tokens);  // exclusive

    // The instances' spans in the window; overlapping ones merged.
    std::vector<std::pair<int, int>> spans;
    for (const auto& instance : instances) {
        const int from = std::max(instance.first, first);
        const int to = std::min(instance.last, first + (shown_to - shown_from) - 1);
        if (from > to) continue;
        if (!spans.empty() && from <= spans.back().second) {
            spans.back().second = std::max(spans.back().second, to);
        } else {
            spans.emplace_back(from, to);
        }
    }

    const auto& offsets = collected.offsets;
    const auto bytes = [&](int from, int to) {
        return std::string_view(text + from, static_cast<std::size_t>(to - from));
    };
    const int first_start = offsets[static_cast<std::size_t>(shown_from)].first;
    if (first > 0) {
        out += ellipsis;
    } else if (first_start <= k_passage_edge_bytes) {
        out += bytes(0, first_start);
    }
    std::size_t span = 0;
    for (int i = shown_from; i < shown_to; ++i) {
        const int position = collected.kept_from + i;
        const auto [start, end] = offsets[static_cast<std::size_t>(i)];
        if (i > shown_from) out += bytes(offsets[static_cast<std::size_t>(i - 1)].second, start);
        const bool marked = span < spans.size() && spans[span].first <= position;
        if (marked && spans[span].first == position) out += start_mark;
        out += bytes(start, end);
        if (marked && spans[span].second == position) {
            out += end_mark;
            ++span;
        }
    }
    const int last_end = offsets[static_cast<std::size_t>(shown_to - 1)].second;
    if (collected.more) {
        out += ellipsis;
    } else if (text_bytes - last_end <= k_passage_edge_bytes) {
        out += bytes(last_end, text_bytes);
    }
    return SQLITE_OK;
}

void passage_function(const Fts5ExtensionApi* api, Fts5Context* fts, sqlite3_context* context,
                      int argument_count, sqlite3_value** arguments) {
    if (argument_count != 5) {
        sqlite3_result_error(context, "carnet_passage takes 5 arguments", -1);
        return;
    }
    const auto text_of = [&](int i) {
        const auto* value = reinterpret_cast<const char*>(sqlite3_value_text(arguments[i]));
        return value == nullptr
                   ? std::string_view()
                   : std::string_view(value,
                                      static_cast<std::size_t>(sqlite3_value_bytes(arguments[i])));
    };
    const int column = sqlite3_value_int(arguments[0]);
    const int tokens = std::clamp(sqlite3_value_int(arguments[4]), 1, 64);
    if (column < 0 || column >= api->xColumnCount(fts)) {
        sqlite3_result_error(context, "carnet_passage: no such column", -1);
        return;
    }
    try {
        std::string passage;
        const int rc =
            make_passage(api, fts, column, text_of(1), text_of(2), text_of(3), tokens, passage);
        if (rc != SQLITE_OK) {
            sqlite3_result_error_code(context, rc);
            return;
        }
        sqlite3_result_text64(context, passage.data(), passage.size(), SQLITE_TRANSIENT,
                              SQLITE_UTF8);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(context);
    }
}

// ---- Long tokens ------------------------------------------------------------------------

int language_of(std::string_view locale) {
    if (locale == "fr") return 0;
    if (locale == "en") return 1;
    return -1;
}

// carnet_search_new_terms(locale): see search.hpp. Collecting empties the list.
void new_terms_function(sqlite3_context* context, int /*argument_count*/,
                        sqlite3_value** arguments) {
    auto* connection = static_cast<SearchConnection*>(sqlite3_user_data(context));
    const auto* locale = reinterpret_cast<const char*>(sqlite3_value_text(arguments[0]));
    const int language = language_of(locale == nullptr ? "" : locale);
    if (language < 0) {
        sqlite3_result_error(context, "carnet_search_new_terms: no such language", -1);
        return;
    }
    auto& terms = connection->new_terms[static_cast<std::size_t>(language)];
    try {
        boost::json::array tokens;
        tokens.reserve(terms.tokens.size());
        for (const auto& token : terms.tokens) tokens.emplace_back(token);
        const auto json = boost::json::serialize(tokens);
        sqlite3_result_text64(context, json.data(), json.size(), SQLITE_TRANSIENT, SQLITE_UTF8);
    } catch (const std::bad_alloc&) {
        sqlite3_result_error_nomem(context);
        return;
    }
    terms.tokens.clear();
    ++terms.collection;
}

// carnet_search_replay(pointer): the Replay the connection's tokenizers follow from now on
// (NULL: none). Only C++ can make such a pointer (sqlite3_bind_pointer): SQL text cannot.
constexpr char k_replay_pointer_type[] = "carnet_search_replay";

void replay_function(sqlite3_context* context, int /*argument_count*/, sqlite3_value** arguments) {
    auto* connection = static_cast<SearchConnection*>(sqlite3_user_data(context));
    connection->replay =
        static_cast<Replay*>(sqlite3_value_pointer(arguments[0], k_replay_pointer_type));
    sqlite3_result_null(context);
}

void delete_search_connection(void* connection) {
    delete static_cast<SearchConnection*>(connection);
}

// ---- Query translation ------------------------------------------------------------------

using Term = ReaderTerm;

std::string quoted(std::string_view word) {
    std::string out = "\"";
    for (char c : word) {
        if (c == '"') out += '"';  // never happens (words are letters and digits): belt and braces
        out += c;
    }
    out += '"';
    return out;
}

std::string term_expression(const Term& term) {
    std::string out;
    // One string for the words of a phrase: the tokenizer sees them together and can look
    // up the pairs a common word makes.
    std::string phrase;
    const auto whole = term.prefix ? term.words.size() - 1 : term.words.size();
    for (std::size_t i = 0; i < whole; ++i) {
        if (!phrase.empty()) phrase += ' ';
        phrase += term.words[i];
    }
    if (!term.prefix) return quoted(phrase);
    // "a b" + "c"* rather than "a b c"*: FTS5 flags the whole string as a prefix, and only the
    // last word is one.
    if (!phrase.empty()) out = quoted(phrase) + " + ";
    return out + quoted(term.words.back()) + "*";
}

}  // namespace

model::Status register_search_functions(sqlite3* db) {
    fts5_api* api = nullptr;
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, "SELECT fts5(?1)", -1, &raw, nullptr) != SQLITE_OK) {
        return model::fail(model::Error::Code::database,
                           "this SQLite has no FTS5, which search needs");
    }
    std::unique_ptr<sqlite3_stmt, decltype(&sqlite3_finalize)> statement(raw, &sqlite3_finalize);
    sqlite3_bind_pointer(raw, 1, static_cast<void*>(&api), "fts5_api_ptr", nullptr);
    sqlite3_step(raw);
    if (api == nullptr || api->iVersion < 2) {
        return model::fail(model::Error::Code::database, "cannot reach the FTS5 API");
    }
    // The connection's tokenizers and carnet_search_new_terms share one SearchConnection,
    // which SQLite deletes with the function when the connection closes (or at once, if
    // registering the function fails).
    auto* connection = new SearchConnection();
    connection->setups = {
        TokenizerSetup{k_french, &connection->new_terms[0], &connection->replay},
        TokenizerSetup{k_english, &connection->new_terms[1], &connection->replay}};
    if (sqlite3_create_function_v2(db, "carnet_search_new_terms", 1,
                                   SQLITE_UTF8 | SQLITE_DIRECTONLY, connection, new_terms_function,
                                   nullptr, nullptr, delete_search_connection) != SQLITE_OK) {
        return model::fail(model::Error::Code::database,
                           "cannot register the function carnet_search_new_terms");
    }
    if (sqlite3_create_function_v2(db, "carnet_search_replay", 1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                   connection, replay_function, nullptr, nullptr,
                                   nullptr) != SQLITE_OK) {
        return model::fail(model::Error::Code::database,
                           "cannot register the function carnet_search_replay");
    }
    fts5_tokenizer tokenizer{create_tokenizer, delete_tokenizer, run_tokenizer};
    for (const auto& [name, setup] : {std::pair{"carnet_fr", &connection->setups[0]},
                                      std::pair{"carnet_en", &connection->setups[1]}}) {
        if (api->xCreateTokenizer(api, name, setup, &tokenizer, nullptr) != SQLITE_OK) {
            return model::fail(model::Error::Code::database,
                               std::string("cannot register the tokenizer ") + name);
        }
    }
    if (api->xCreateFunction(api, "carnet_rank", nullptr, rank_function, nullptr) != SQLITE_OK ||
        api->xCreateFunction(api, "carnet_passage", nullptr, passage_function, nullptr) !=
            SQLITE_OK) {
        return model::fail(model::Error::Code::database, "cannot register the ranking functions");
    }
    // DIRECTONLY: a database file cannot smuggle a call to it into a trigger or a view.
    if (sqlite3_create_function_v2(db, "carnet_search_text", 1,
                                   SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_DIRECTONLY, nullptr,
                                   search_text_function, nullptr, nullptr, nullptr) != SQLITE_OK) {
        return model::fail(model::Error::Code::database,
                           "cannot register the function carnet_search_text");
    }
    return {};
}

std::string pair_token(std::string_view words) {
    std::string token(1, k_pair_lead);
    append_pair_token(token, words);
    return token;
}

std::string search_text_from_html(std::string_view html) {
    return clean_text(text::html_to_text(html));
}

namespace {

struct StatementCloser {
    void operator()(sqlite3_stmt* statement) const { sqlite3_finalize(statement); }
};
using OwnedStatement = std::unique_ptr<sqlite3_stmt, StatementCloser>;

model::Status sqlite_failure(sqlite3* db, std::string_view doing) {
    return model::fail(model::Error::Code::database,
                       std::string(doing) + ": " + sqlite3_errmsg(db));
}

model::Result<OwnedStatement> prepare(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* raw = nullptr;
    if (sqlite3_prepare_v2(db, sql.c_str(), static_cast<int>(sql.size()), &raw, nullptr) !=
        SQLITE_OK) {
        sqlite3_finalize(raw);
        return std::unexpected(sqlite_failure(db, "cannot prepare the bulk index").error());
    }
    return OwnedStatement(raw);
}

// A post on its way into the index: read by the writer, made ready by a worker.
struct BulkPost {
    std::int64_t id = 0;
    std::int64_t blog_id = 0;
    std::string title;
    std::string html;  // emptied once `body` is made from it
    std::string body;  // as carnet_search_text(html) gives it
    std::string title_tokens, body_tokens;
    std::vector<std::string> long_tokens;
    bool tokenized = false;  // else the connection's tokenizer tokenizes it
};

struct BulkWorker {
    NewTerms new_terms;
    std::unique_ptr<Tokenizer> tokenizer;
};

// Posts read, made ready and inserted at once: enough that a worker's share outlasts its
// start, few enough that two batches of text and tokens stay small. A post's tokens take
// about thirty times its text (each with its offsets and flags): at 256 posts the import's
// peak memory rose by 45 MiB.
constexpr std::size_t k_bulk_batch_posts = 64;

void make_ready(BulkWorker& worker, BulkPost& post) {
    post.body = search_text_from_html(post.html);
    post.html = std::string();
    if (!worker.tokenizer) return;
    post.tokenized = worker.tokenizer->tokenize(&post.title_tokens, FTS5_TOKENIZE_DOCUMENT,
                                                post.title, record_token) == SQLITE_OK &&
                     worker.tokenizer->tokenize(&post.body_tokens, FTS5_TOKENIZE_DOCUMENT,
                                                post.body, record_token) == SQLITE_OK;
    auto& tokens = worker.new_terms.tokens;
    post.long_tokens.assign(std::make_move_iterator(tokens.begin()),
                            std::make_move_iterator(tokens.end()));
    tokens.clear();
}

// Makes every post of the batch ready, on one thread per worker. A post a worker could not
// tokenize goes to the connection's tokenizer as it is; only a failure to make its text (memory)
// fails the batch.
bool make_ready(std::vector<BulkWorker>& workers, std::vector<BulkPost>& batch) {
    std::atomic<std::size_t> next{0};
    std::atomic<bool> failed{false};
    const auto work = [&](BulkWorker& worker) {
        try {
            for (auto at = next++; at < batch.size() && !failed; at = next++) {
                make_ready(worker, batch[at]);
            }
        } catch (...) {
            failed = true;
        }
    };
    {
        std::vector<std::jthread> helpers;
        for (std::size_t i = 1; i < workers.size(); ++i) {
            helpers.emplace_back(work, std::ref(workers[i]));
        }
        work(workers[0]);
    }
    return !failed;
}

model::Status index_posts_in_bulk_or_throw(sqlite3* db, std::string_view table,
                                           std::string_view locale, std::int64_t first_id,
                                           std::int64_t last_id) {
    const int language = language_of(locale);
    if (language < 0) return model::fail(model::Error::Code::invalid_input, "no such language");
    const char* algorithm = language == 0 ? k_french : k_english;
    std::vector<BulkWorker> workers(std::max(1u, std::thread::hardware_concurrency()));
    for (auto& worker : workers) {
        // A worker without its tokenizer leaves its posts to the connection's.
        worker.tokenizer = Tokenizer::create(TokenizerSetup{algorithm, &worker.new_terms, nullptr});
    }
    auto select = prepare(db,
                          "SELECT p.id, p.title, p.html, p.blog_id FROM posts p "
                          "JOIN blogs b ON b.id = p.blog_id WHERE p.id BETWEEN ?1 AND ?2 "
                          "AND p.status = 'published' AND b.locale = ?3 ORDER BY p.id");
    auto insert = prepare(db, "INSERT INTO " + std::string(table) +
                                  " (rowid, title, body, blog) VALUES (?1, ?2, ?3, ?4)");
    auto follow = prepare(db, "SELECT carnet_search_replay(?1)");
    if (!select) return std::unexpected(select.error());
    if (!insert) return std::unexpected(insert.error());
    if (!follow) return std::unexpected(follow.error());
    sqlite3_bind_int64(select->get(), 1, first_id);
    sqlite3_bind_int64(select->get(), 2, last_id);
    sqlite3_bind_text(select->get(), 3, locale.data(), static_cast<int>(locale.size()),
                      SQLITE_STATIC);

    // A statement stepped again after its last row starts over: read no further then.
    bool read_all = false;
    const auto read_batch = [&](std::vector<BulkPost>& batch) -> model::Status {
        batch.clear();
        while (!read_all && batch.size() < k_bulk_batch_posts) {
            const int rc = sqlite3_step(select->get());
            if (rc == SQLITE_DONE) {
                read_all = true;
                break;
            }
            if (rc != SQLITE_ROW) return sqlite_failure(db, "cannot read the posts to index");
            auto& post = batch.emplace_back();
            const auto text = [&](int column) {
                const auto* bytes =
                    reinterpret_cast<const char*>(sqlite3_column_text(select->get(), column));
                return bytes == nullptr
                           ? std::string()
                           : std::string(bytes, static_cast<std::size_t>(
                                                    sqlite3_column_bytes(select->get(), column)));
            };
            post.id = sqlite3_column_int64(select->get(), 0);
            post.title = text(1);
            post.html = text(2);
            post.blog_id = sqlite3_column_int64(select->get(), 3);
        }
        return {};
    };

    Replay replay;
    const auto set_replay = [&](Replay* current) {
        sqlite3_reset(follow->get());
        sqlite3_bind_pointer(follow->get(), 1, current, k_replay_pointer_type, nullptr);
        const int rc = sqlite3_step(follow->get());
        sqlite3_reset(follow->get());
        return rc == SQLITE_ROW || rc == SQLITE_DONE;
    };
    const auto insert_batch = [&](std::vector<BulkPost>& batch) -> model::Status {
        for (auto& post : batch) {
            replay = Replay{};
            if (post.tokenized) {
                replay.texts = {ReplayedText{post.title, post.title_tokens},
                                ReplayedText{post.body, post.body_tokens}};
                replay.long_tokens = &post.long_tokens;
            }
            auto* statement = insert->get();
            sqlite3_reset(statement);
            sqlite3_bind_int64(statement, 1, post.id);
            sqlite3_bind_text64(statement, 2, post.title.data(), post.title.size(), SQLITE_STATIC,
                                SQLITE_UTF8);
            sqlite3_bind_text64(statement, 3, post.body.data(), post.body.size(), SQLITE_STATIC,
                                SQLITE_UTF8);
            sqlite3_bind_int64(statement, 4, post.blog_id);
            if (sqlite3_step(statement) != SQLITE_DONE) {
                auto failed = sqlite_failure(db, "cannot index a post");
                sqlite3_reset(statement);
                return failed;
            }
            sqlite3_reset(statement);
        }
        return {};
    };

    if (!set_replay(&replay)) return sqlite_failure(db, "cannot replay tokens");
    // The connection's tokenizers stop following the replay however this ends.
    struct Following {
        decltype(set_replay)& set;
        ~Following() { (void)set(nullptr); }
    } following{set_replay};
    std::vector<BulkPost> ready;
    std::vector<BulkPost> next;
    if (auto read = read_batch(ready); !read) return read;
    if (!make_ready(workers, ready))
        return model::fail(model::Error::Code::internal, "out of memory");
    while (!ready.empty()) {
        // The next batch is made ready by the workers while the writer indexes this one.
        if (auto read = read_batch(next); !read) return read;
        bool next_ready = true;
        std::jthread helper([&] { next_ready = make_ready(workers, next); });
        auto inserted = insert_batch(ready);
        helper.join();
        if (!inserted) return inserted;
        if (!next_ready) return model::fail(model::Error::Code::internal, "out of memory");
        std::swap(ready, next);
    }
    return {};
}

}  // namespace

model::Status index_posts_in_bulk(sqlite3* db, std::string_view table, std::string_view locale,
                                  std::int64_t first_id, std::int64_t last_id) {
    try {
        return index_posts_in_bulk_or_throw(db, table, locale, first_id, last_id);
    } catch (const std::exception& error) {
        return model::fail(model::Error::Code::internal,
                           std::string("cannot index the posts: ") + error.what());
    }
}

std::optional<std::vector<ReaderTerm>> reader_terms(std::string_view text) {
    const auto clean = clean_text(text::utf8_prefix(text, k_max_query_bytes));
    WordSplitter splitter;
    text::Folder folder;
    std::string folded;
    std::vector<Term> terms;
    std::size_t i = 0;
    while (i < clean.size() && terms.size() < k_max_query_terms) {
        if (clean[i] == ' ') {
            ++i;
            continue;
        }
        Term term;
        if (clean[i] == '-') {
            term.excluded = true;
            ++i;
        }
        std::string_view content;
        if (i < clean.size() && clean[i] == '"') {
            const auto close = clean.find('"', i + 1);
            if (close == std::string::npos) {
                // An unbalanced quote: what follows it is read as plain words.
                ++i;
                continue;
            }
            content = std::string_view(clean).substr(i + 1, close - i - 1);
            i = close + 1;
            if (i < clean.size() && clean[i] == '*') {
                term.prefix = true;
                ++i;
            }
        } else {
            const auto end = clean.find_first_of(" \"", i);
            const auto stop = end == std::string::npos ? clean.size() : end;
            content = std::string_view(clean).substr(i, stop - i);
            i = stop;
            term.prefix = content.ends_with('*');
        }
        const bool split = splitter.split(content, [&](int32_t start, int32_t end) {
            const auto word = content.substr(static_cast<std::size_t>(start),
                                             static_cast<std::size_t>(end - start));
            // Words the tokenizer would drop would make an empty phrase: leave them out.
            if (folder.fold(word, text::Folding::case_and_accents, folded) && !folded.empty()) {
                term.words.emplace_back(word);
            }
            return true;
        });
        if (!split) return std::nullopt;
        if (term.words.empty()) continue;
        if (!folder.fold(term.words.back(), text::Folding::case_and_accents, term.last_folded))
            return std::nullopt;
        // A prefix of one letter stands for most of the index (no prefix index serves it: a
        // search for "a*" merged every token that starts with "a", over a second at 100,000
        // posts): it is searched as the word it is.
        if (static_cast<int>(text::count_chars(term.last_folded)) < 2) term.prefix = false;
        terms.push_back(std::move(term));
    }
    return terms;
}

std::optional<MatchQuery> match_query_from_reader_text(std::string_view text,
                                                       const PrefixExpander& expand) {
    auto parsed = reader_terms(text);
    if (!parsed) return std::nullopt;
    const auto& terms = *parsed;
    std::string positive;
    std::string negative;
    std::vector<int> positive_phrases;
    std::vector<int> negative_phrases;
    int positive_terms = 0;
    for (const auto& term : terms) {
        auto& side = term.excluded ? negative : positive;
        if (!side.empty()) side += term.excluded ? " OR " : " AND ";
        // A long prefix becomes the tokens it stands for, when search_terms lists them: one
        // phrase for each, with the words before it ("l'offensiv*": "l" then "offensive").
        std::optional<std::vector<std::string>> tokens;
        if (term.prefix && expand &&
            static_cast<int>(text::count_chars(term.last_folded)) > k_longest_prefix_index) {
            tokens = expand(term.last_folded);
        }
        // None listed: no post holds a word that begins so. The prefix itself, looked up as a
        // token, is not in the index either (it would be listed), and finds nothing at once.
        if (tokens && tokens->empty()) tokens->push_back(term.last_folded);
        const int phrases = tokens ? static_cast<int>(tokens->size()) : 1;
        if (tokens) {
            std::string leading;
            for (std::size_t w = 0; w + 1 < term.words.size(); ++w) {
                leading += term.words[w];
                leading += ' ';
            }
            side += '(';
            for (std::size_t t = 0; t < tokens->size(); ++t) {
                if (t > 0) side += " OR ";
                side += quoted(leading + k_exact_token_marker + (*tokens)[t]);
            }
            side += ')';
        } else {
            side += term_expression(term);
        }
        auto& groups = term.excluded ? negative_phrases : positive_phrases;
        groups.insert(groups.end(), static_cast<std::size_t>(phrases),
                      term.excluded ? -1 : positive_terms);
        if (!term.excluded) ++positive_terms;
    }
    if (positive.empty()) return std::nullopt;
    MatchQuery query;
    query.phrase_terms = std::move(positive_phrases);
    query.phrase_terms.insert(query.phrase_terms.end(), negative_phrases.begin(),
                              negative_phrases.end());
    query.expression = negative.empty() ? positive : "(" + positive + ") NOT (" + negative + ")";
    return query;
}

std::string rank_groups(const std::vector<int>& phrase_terms) {
    std::string groups;
    for (const int term : phrase_terms) {
        if (!groups.empty()) groups += ' ';
        groups += std::to_string(term);
    }
    return groups;
}

void read_marked_passage(std::string_view marked, std::string& passage,
                         std::vector<text::ByteRange>& matches) {
    passage.clear();
    matches.clear();
    passage.reserve(marked.size());
    std::size_t done = 0;
    // Both markers begin with the byte 0xEE, rare in French or English text.
    for (auto at = marked.find('\xEE'); at != std::string_view::npos;
         at = marked.find('\xEE', at)) {
        const bool start = marked.compare(at, k_match_start.size(), k_match_start) == 0;
        if (!start && marked.compare(at, k_match_end.size(), k_match_end) != 0) {
            ++at;
            continue;
        }
        passage.append(marked, done, at - done);
        if (start) {
            matches.push_back({passage.size(), passage.size()});
        } else if (!matches.empty()) {
            matches.back().end = passage.size();
        }
        at += start ? k_match_start.size() : k_match_end.size();
        done = at;
    }
    passage.append(marked, done);
}

}  // namespace carnet::store::search
