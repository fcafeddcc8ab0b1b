// Anti-spam rules for public comments, all local (no third-party service): a signed stamp
// proving that the form was served by us a sensible time before it came back, a limit on
// comments per client address, the validation of what a commenter typed, and content rules
// that say whether a comment looks like spam and why.
//
// A form handler is expected to run them in this order: check_stamp, RateLimit::allow,
// validate (refuse and show the form again), classify (store as spam, not refuse, so that a
// moderator can rescue a false positive).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "model/model.hpp"

namespace carnet::comments {

// ---- Form stamps ------------------------------------------------------------------------

enum class StampCheck {
    valid,
    too_fast,   // authentic, but back less than `min_age` after the page was served: a robot
    too_old,    // authentic, but older than `max_age`: the page stayed open; serve a fresh one
    forged,     // not made by us for this post: bad MAC, other post, other key, or dated ahead
    malformed,  // not a stamp at all
};
std::string_view to_string(StampCheck check);  // "valid", "too_fast", ...

struct StampLimits {
    std::chrono::seconds min_age{3};
    std::chrono::seconds max_age{24 * 60 * 60};
};

// Makes and checks the hidden stamp of a comment form: the time the page was served and a
// MAC (HMAC-SHA-512-256, libsodium's crypto_auth) over that time and the post's id, written
// "<unix seconds>.<64 hex digits>", safe in a form field without escaping. A stamp proves
// when and for which post we served the form; it is not single-use (RateLimit bounds replays).
// Immutable once built: one object can be shared by every thread. Nodes that check each
// other's stamps need the same key.
class FormStamps {
public:
    static constexpr std::size_t key_bytes = 32;
    using Key = std::array<unsigned char, key_bytes>;

    explicit FormStamps(const Key& key, StampLimits limits = StampLimits{});

    // A key from the system's CSPRNG: stamps stop checking when the process restarts, so a
    // reader who opened a form before a restart must send it again.
    static FormStamps with_random_key(StampLimits limits = StampLimits{});

    // Stamps signed with a key written as 64 hex digits, as the store keeps the key that every
    // node serving the blogs shares; nothing when `hex` is not such a key.
    static std::optional<FormStamps> with_hex_key(std::string_view hex,
                                                  StampLimits limits = StampLimits{});
    // A new key from the system's CSPRNG, as 64 hex digits.
    static std::string random_hex_key();

    std::string make_stamp(std::int64_t post_id, model::Instant now) const;

    // The MAC is checked first and in constant time (crypto_auth_verify); only an authentic
    // stamp is judged on its age, so a forged one never reads as merely too fast or too old.
    StampCheck check_stamp(std::string_view stamp, std::int64_t post_id, model::Instant now) const;

private:
    Key key_;
    StampLimits limits_;
};

// ---- Rate limit -------------------------------------------------------------------------

struct RateLimits {
    std::size_t max_comments = 5;          // per address and window
    std::chrono::seconds window{10 * 60};  // sliding
    std::size_t max_addresses = 100'000;   // remembered at once
};

// Where a RateLimit also counts, so that every process serving one database counts the same
// attempts (the server hands it one on the store): a reader balanced from node to node gets
// one allowance, not one per node. Keys are opaque. While the ledger answers, its answer is
// the limit's; one that cannot answer leaves the limit its own count, which it keeps all along:
// a database hiccup never opens the door wider than one process's count.
class RateLedger {
public:
    virtual ~RateLedger() = default;
    // Records an attempt under `key` at `now` and says whether it is within `limits` (counted
    // as RateLimit counts); nothing when the ledger cannot tell.
    virtual std::optional<bool> record_attempt(std::string_view key, model::Instant now,
                                               const RateLimits& limits) = 0;
};

// Counts comments per client address in a sliding window. Every attempt counts, refused ones
// included, so an address that keeps sending stays refused until it has been quiet long
// enough. IPv6 addresses are counted per /64 (what one subscriber usually gets); an
// IPv4-mapped IPv6 address counts as the IPv4 address. Thread-safe. Memory stays bounded:
// at most `max_addresses` addresses of `max_comments` times each; when that many are active
// at once, the least recently seen is forgotten (a flood from many addresses can thus wash
// out one address's count; it cannot exhaust memory). With a ledger, the ledger's count
// decides (see RateLedger), to the second.
class RateLimit {
public:
    // Times are the injected clock's (carnet::Clock::now()), so that tests set them.
    using Clock = std::chrono::system_clock;

    explicit RateLimit(RateLimits limits = RateLimits{},
                       std::shared_ptr<RateLedger> ledger = nullptr)
        : limits_(limits), ledger_(std::move(ledger)) {}

    // Records an attempt from `address` (as the server saw it, without port or brackets) and
    // says whether it is within the limit. Amortized O(1), plus O(max_comments); plus the
    // ledger's cost when there is one.
    bool allow(std::string_view address, Clock::time_point now);

    // How many addresses this process remembers, for tests and metrics.
    std::size_t tracked_addresses() const;

private:
    struct Attempts {
        std::string key;
        Clock::time_point last;
        std::vector<Clock::time_point> times;  // within the window, at most max_comments
    };
    bool allow_here(std::string key, Clock::time_point now);
    void forget_quiet(Clock::time_point now);

    RateLimits limits_;
    std::shared_ptr<RateLedger> ledger_;
    mutable std::mutex mutex_;
    std::list<Attempts> recent_;  // most recently seen first
    std::unordered_map<std::string_view, std::list<Attempts>::iterator>
        by_key_;  // views of Attempts::key
};

// ---- What a commenter typed -------------------------------------------------------------

struct CommentDraft {
    std::string author_name;
    std::string author_email;  // optional
    std::string author_url;    // optional
    std::string body;          // Markdown, as markup::render_comment reads it
    std::string honeypot;      // the hidden field people leave empty
};

struct DraftLimits {
    std::size_t max_name_chars = 100;     // code points, after trimming
    std::size_t max_body_chars = 10'000;  // code points, after trimming
};

enum class Field { author_name, author_email, author_url, body };
enum class Problem {
    missing,    // empty after trimming white space
    too_long,   // over DraftLimits
    malformed,  // not UTF-8, a control character in the name, an implausible e-mail address,
                // a web site that is not an absolute http(s) URL
};
std::string_view to_string(Field field);      // "author_name", ...
std::string_view to_string(Problem problem);  // "missing", ...

struct Invalid {
    Field field;
    Problem problem;
    std::string message;  // English, for logs and the API; the form shows its own texts
};

// Every problem with the draft, in field order; empty when it may be stored. Problems are the
// commenter's to fix (the form shows them again), not signs of spam. The honeypot is not
// looked at here.
std::vector<Invalid> validate(const CommentDraft& draft, const DraftLimits& limits = DraftLimits{});

// ---- Spam -------------------------------------------------------------------------------

// A short list of words and phrases of English and French comment spam, each of which
// rarely appears in a real comment on a news blog.
std::vector<std::string> default_blocked_words();

struct SpamRules {
    // Links in the body: http://, https://, ftp:// (any scheme followed by "://"), www. and
    // mailto:, however written (bare, <autolink>, [text](target), reference definition).
    // Each URL written counts once, so [https://x.fr](https://x.fr) counts two. The
    // commenter's own web site does not count.
    int max_links = 2;
    // Matched against the name, the web site and the body, ignoring case, accents and
    // compatibility forms (fullwidth letters, ligatures) and invisible format characters, on
    // whole words: "casino" matches "CASINO", "Casino!" and "best-casino.example", not
    // "Casinoville" nor "casinos" (list plurals you want). A phrase matches the same words in
    // a row, whatever separates them: "prêt rapide" matches "Pret-Rapide".
    std::vector<std::string> blocked_words = default_blocked_words();
};

enum class SpamRule {
    honeypot,        // the hidden field was filled
    link_in_name,    // the name holds a URL
    too_many_links,  // more than max_links in the body
    blocked_word,    // one of blocked_words appears
};
std::string_view to_string(SpamRule rule);  // "honeypot", ...

struct Reason {
    SpamRule rule;
    std::string text;  // for moderators: "too_many_links (4 > 2)", "blocked_word (casino)"
};

struct Verdict {
    std::vector<Reason> reasons;  // one per rule broken, one per blocked word found
    bool is_spam() const { return !reasons.empty(); }
};

// Applies every rule of `rules` to the draft and lists each one it breaks. Pure and cheap
// (linear in the draft's size times the number of blocked words); works on any bytes, though
// it is meant for drafts that passed validate.
Verdict classify(const CommentDraft& draft, const SpamRules& rules = SpamRules{});

// ---- Moderation policy -------------------------------------------------------------------

// The post's own comment policy, or its blog's.
model::CommentPolicy policy_of(const model::Blog& blog, const model::Post& post);

// Whether replies may be added to the post now (a comment through the form, a webmention):
// its own switch, the blog's policy, and the blog's delay after publication.
bool comments_open(const model::Blog& blog, const model::Post& post, model::Instant now);

// The status a new reply gets under `policy`: spam when a rule caught it, approved at once
// under the open policy or, under first_held, when its author already has an approved
// comment (`known_author`), pending otherwise.
model::CommentStatus initial_status(model::CommentPolicy policy, bool is_spam, bool known_author);

}  // namespace carnet::comments
