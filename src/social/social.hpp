// carnet on the social web: Webmention (W3C Recommendation, 12 January 2017) sent and
// received, the durable work queue that carries it, and the one client that fetches anything
// remote. The client refuses every address that is not on the public Internet (loopback
// excepted when a test server asks for it) and connects to the very address it checked.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "comments/comments.hpp"
#include "http/http.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace carnet::social {

using model::Result;
using model::Status;

// --- The fetch client.

struct FetchOptions {
    // The most a response body may hold; past it the fetch fails (Code::invalid_input).
    std::size_t max_body_bytes = 1024 * 1024;
    std::size_t max_header_bytes = 16 * 1024;
    // For the whole fetch, redirects included: resolving, connecting, TLS, sending, reading.
    std::chrono::milliseconds timeout{10'000};
    int max_redirects = 5;
    // Let the client reach loopback addresses and speak plain http: for test servers on one
    // machine only (`carnet serve --allow-loopback-fetch` sets both). Without them only https
    // to public addresses is fetched.
    bool allow_loopback = false;
    bool allow_plain_http = false;
    // For the client's own tests: addresses, written as asio writes them ("127.0.0.1"), that
    // pass as public ones. Always empty in carnet.
    std::vector<std::string> treat_as_public;
    std::string user_agent = "carnet (+webmention)";
};

struct FetchRequest {
    std::string method = "GET";  // GET, HEAD or POST
    std::string url;
    std::string content_type;  // of `body`, when there is one
    std::string body;
    std::string accept = "text/html, */*;q=0.5";
    // Sent as given after the client's own (Host, User-Agent, Accept): Date, Digest,
    // Signature...
    http::Headers headers;
};

struct FetchResponse {
    int status = 0;
    std::string url;  // the final one, after redirects
    http::Headers headers;
    std::string body;

    // The first header of that name (case-insensitive), or "".
    std::string_view header(std::string_view name) const;
    // Every header of that name, in order.
    std::vector<std::string_view> all_headers(std::string_view name) const;
};

// Fetches http(s) resources under FetchOptions. Every hop (the first request and each
// redirect) resolves the host once, refuses the whole hop when any address it resolves to
// may not be reached (private, loopback, link-local, unique-local, multicast, unspecified,
// reserved; IPv4-mapped IPv6 judged as IPv4) and connects only to those checked addresses,
// so that a second DNS answer cannot slip another address in. TLS checks the certificate
// against the system's CAs and the host name. Thread-safe; each fetch blocks its caller.
//
// Fails with Code::invalid_input for what trying again will not change (a malformed or
// non-http(s) URL, plain http or a refused address, a body over the limit, too many
// redirects) and Code::io for what may pass (a name that does not resolve, a refused
// connection, a TLS failure, the time limit). The message says which.
class Fetcher {
public:
    explicit Fetcher(FetchOptions options);
    ~Fetcher();
    Fetcher(const Fetcher&) = delete;
    Fetcher& operator=(const Fetcher&) = delete;

    [[nodiscard]] Result<FetchResponse> fetch(const FetchRequest& request) const;

    const FetchOptions& options() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// --- The work queue's worker.

// What became of one attempt at a job.
struct JobOutcome {
    enum class Kind {
        done,   // finished (or nothing left to do): the job goes
        retry,  // failed for now (a site down, a time limit): again later, with backoff
        drop,   // failed for good (a refusal, a 410, a page that is not what it claims)
    };
    Kind kind = Kind::done;
    std::string error;  // why it failed; logged, and kept on the job when retried

    static JobOutcome done() { return {}; }
    static JobOutcome retry(std::string why) { return {Kind::retry, std::move(why)}; }
    static JobOutcome drop(std::string why) { return {Kind::drop, std::move(why)}; }
};

using JobHandler = std::function<JobOutcome(const store::Job& job)>;

struct WorkerOptions {
    // Unique to this process among every node sharing the database.
    std::string name;
    // How long a claimed job is this worker's; a node that dies frees its jobs after it.
    std::chrono::seconds lease{300};
    // The first retry waits this long; each next one twice as long, up to max_retry_delay.
    std::chrono::seconds first_retry{60};
    std::chrono::seconds max_retry_delay{6 * 60 * 60};
    // After this many attempts a job is dropped: with the defaults, about three days.
    int max_attempts = 20;
    // How often the worker threads look for due jobs when nobody wakes them.
    std::chrono::milliseconds poll_interval{1000};
    int threads = 2;
};

// Runs the store's queue: claims due jobs and hands each to the handler of its kind, then
// completes, retries or drops it. Times come from the clock. Its threads never touch the
// server's: request handlers only queue jobs (and may wake the worker).
class Worker {
public:
    // The store and the clock must outlive the worker.
    Worker(store::Store& store, const Clock& clock, WorkerOptions options);
    ~Worker();  // stops the threads, letting the jobs they run finish
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;

    // Before start: the handler of jobs of that kind. A job of an unknown kind is dropped.
    void handle(std::string kind, JobHandler handler);

    // Runs every job due now, one after the other, on the calling thread; how many ran.
    [[nodiscard]] Result<int> run_due_jobs();

    // Runs the queue on threads of its own until stop().
    void start();
    void stop();
    // Makes the threads look for due jobs now (a job was just queued).
    void wake();

    // The time a job that failed its `attempts`-th attempt at `now` is tried again.
    model::Instant retry_time(int attempts, model::Instant now) const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// --- Webmention.

struct WebmentionOptions {
    FetchOptions fetch;
    // A webmention's text is cut to this many characters.
    std::size_t max_text_chars = 2000;
    // Where the limit on webmentions per address counts besides the process's memory (see
    // SiteOptions::comment_ledger). Unset: each process counts on its own.
    std::shared_ptr<comments::RateLedger> ledger;
};

// Sends and receives webmentions through the worker's queue.
//
// Receiving: POST /webmention on every blog's host takes `source` and `target`; the target
// must be a published post of the blog (optionally with #comment-N) and the source another
// http(s) URL. It answers 202 at once and queues the verification: the source is fetched, must
// link to the target, and its microformats2 (h-entry, its p-author h-card, e-content or
// p-summary; else the page's title) become a comment under the blog's policy and spam rules,
// threaded under the comment its u-in-reply-to (or the target's #comment-N) names. A later
// webmention of the same source updates that comment; a source gone (404, 410) or no longer
// linking removes it.
//
// Sending: queue_post_mentions, called in the transaction that publishes or edits a post,
// queues a job that finds the post's links and, for each, the target's endpoint (HTTP Link
// header, else <link> or <a rel="webmention">) and notifies it.
class Webmentions {
public:
    // The store, the worker and the clock must outlive it. Registers its jobs' handlers: the
    // worker must be stopped before this goes.
    Webmentions(store::Store& store, Worker& worker, const Clock& clock, WebmentionOptions options);
    ~Webmentions();
    Webmentions(const Webmentions&) = delete;
    Webmentions& operator=(const Webmentions&) = delete;

    // POST /webmention.
    void register_routes(http::Router& router);

    // The Link header every public page carries to advertise the endpoint.
    static http::Headers advertising_headers();

    // Queues the webmentions the post's links get, in the caller's transaction.
    [[nodiscard]] static Status queue_post_mentions(store::Writer& writer, std::int64_t blog_id,
                                                    std::int64_t post_id, model::Instant now);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// --- HTTP Signatures, as the fediverse signs server-to-server requests.

// What signs a request: the actor's key and the address that names it (actor#main-key).
struct SigningKey {
    std::string key_id;
    std::string private_pem;
};

// The headers that sign a POST of `body` to `url` at `now` as Mastodon does
// (draft-cavage-http-signatures-12): Date, Digest (SHA-256 of the body) and a Signature with
// algorithm rsa-sha256 over "(request-target) host date digest". The Host they sign is the
// one the Fetcher sends for `url`. Code::invalid_input for a malformed URL or key.
[[nodiscard]] Result<http::Headers> sign_cavage(const SigningKey& key, std::string_view url,
                                                std::string_view body, model::Instant now);

enum class Rfc9421Algorithm { rsa_v1_5_sha256, rsa_pss_sha512 };

// The same signed the way of RFC 9421: Date, Content-Digest (sha-256), Signature-Input and
// Signature (label "sig1") over "@method" "@target-uri" "@authority" "content-digest" "date",
// with created, keyid and alg.
[[nodiscard]] Result<http::Headers> sign_rfc9421(const SigningKey& key, std::string_view url,
                                                 std::string_view body, model::Instant now,
                                                 Rfc9421Algorithm algorithm);

struct SignatureOptions {
    // How far a request's Date (or its signature's created) may lie behind and ahead of now.
    std::chrono::seconds max_age{12 * 60 * 60};
    std::chrono::seconds max_ahead{60 * 60};
    // Public keys kept in memory; past it the cache starts again.
    std::size_t max_cached_keys = 10'000;
};

// Who signed a request: the key and the actor that owns it, with what the actor's document
// said of its inboxes, names and page when the key came with it ("" otherwise).
struct Signer {
    std::string key_id;
    std::string actor;
    std::string inbox;
    std::string shared_inbox;
    std::string preferred_username;
    std::string name;         // as the actor wants to be called, plain text
    std::string profile_url;  // the actor's page for people (its `url`)
};

// Checks the signature of incoming requests: draft-cavage (Signature, rsa-sha256 or hs2019
// with an RSA key) or RFC 9421 (Signature-Input and Signature, rsa-v1_5-sha256 or
// rsa-pss-sha512). The signature must cover the method and target, the host, the date
// (Date, or RFC 9421's created) and, for a request with a body, its digest (Digest or
// Content-Digest, which must match the body); the date must lie within the options' window
// of the clock. The key is fetched from its keyId (an actor document with that publicKey,
// or the key's own document, on the same site as its owner) through the fetcher, then kept;
// a kept key that no longer verifies is fetched once more, for actors that changed keys.
// Thread-safe. Fails with Code::invalid_input saying why; Code::io when the key cannot be
// fetched now.
class SignatureVerifier {
public:
    // The fetcher and the clock must outlive it.
    SignatureVerifier(const Fetcher& fetcher, const Clock& clock, SignatureOptions options = {});
    ~SignatureVerifier();
    SignatureVerifier(const SignatureVerifier&) = delete;
    SignatureVerifier& operator=(const SignatureVerifier&) = delete;

    // RFC 9421's @target-uri and @scheme are https when the request came over HTTPS through
    // the trusted proxy (request.secure), else http.
    [[nodiscard]] Result<Signer> verify(const http::Request& request);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// --- ActivityPub: each blog as an actor. First step: WebFinger and the actor document.

// An actor's RSA key pair, as PEM text.
struct ActorKey {
    std::string private_pem;  // PKCS #8
    std::string public_pem;   // SubjectPublicKeyInfo, as actor documents publish it
};

// A new 2048-bit RSA key pair (what Mastodon and its kin verify HTTP Signatures with).
[[nodiscard]] Result<ActorKey> make_actor_key();
// The pair of a PEM private key; Code::database when it is not one.
[[nodiscard]] Result<ActorKey> read_actor_key(std::string_view private_pem);

// The blog's handle, as in @handle@host: the first label of its host name (its first host,
// else its base URL's, else `request_host`), letters, digits and '_' only; "blog" when
// nothing is left.
std::string actor_handle(const model::Blog& blog, std::string_view request_host);

// GET /.well-known/webfinger?resource=acct:handle@host (RFC 7033) and GET /actor, the blog's
// actor document with its public key, on every blog's host. The key is made on first use and
// kept in the database, so that every node serving the blog publishes the same one.
class Actors {
public:
    explicit Actors(store::Store& store);  // the store must outlive it
    ~Actors();
    Actors(const Actors&) = delete;
    Actors& operator=(const Actors&) = delete;

    void register_routes(http::Router& router);

    // The blog's key pair, made and kept on first use, then read from memory.
    [[nodiscard]] Result<ActorKey> key_of(std::int64_t blog_id);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// --- ActivityPub: following a blog from the fediverse.

struct FederationOptions {
    FetchOptions fetch;
    SignatureOptions signatures;
    int followers_page_size = 50;
    // A reply's text is cut to this many characters (what the comment form takes).
    std::size_t max_reply_chars = 10'000;
};

// The blog's actor taking part: POST /actor/inbox (the actor's inbox) and POST /inbox (the
// shared inbox of every blog on the host) take activities signed with HTTP Signatures
// (SignatureVerifier) by the actor they name; unsigned or badly signed ones get 401, those of
// an actor or a domain the blog blocks 403, and neither changes anything. A Follow of the
// blog's actor records the follower (its inbox, shared inbox and handle, from its actor
// document) and queues a signed Accept to its inbox (or, for a blog that approves its
// followers, keeps it pending for the owner: queue_follow_answer); an Undo removes it.
// A public Create(Note) replying to a post of the blog (its permalink, or #comment-N on it) or
// to a reply the blog keeps becomes a comment of the post, threaded under the one it answers,
// under the blog's policy and spam rules, its HTML read as text and shown as commenters' text
// is, with its author's name, handle and page; Update and Delete of the Note change or remove
// it, from its own actor only (403 otherwise). Like and Announce of a post are counted once
// per actor, and their Undo takes them back. The blog follows accounts too (follow): their
// Accept or Reject of its Follow is recorded, and the Notes and Articles they post (Create,
// Update, Delete, from their own actor only) are kept for the admin's reader, their HTML read
// as text a paragraph per block and rendered as comments are; nothing is kept from accounts the
// blog does not follow.
// GET /actor/followers is the OrderedCollection of the blog's followers: totalItems, and their
// actors newest first in pages (?page=1...) of followers_page_size; GET /actor/outbox the
// blog's published posts, newest first, each as the Create(Article) that sends it, in pages
// of the same size.
//
// Deliveries are jobs of the worker's queue: signed as Mastodon signs (sign_cavage) with the
// blog's key, retried with the worker's backoff while the inbox fails for now, dropped when it
// refuses for good; an inbox that answers 410 Gone takes the followers it serves along.
class Federation {
public:
    // The store, the worker, the actors and the clock must outlive it. Registers its jobs'
    // handlers: the worker must be stopped before this goes.
    Federation(store::Store& store, Worker& worker, Actors& actors, const Clock& clock,
               FederationOptions options);
    ~Federation();
    Federation(const Federation&) = delete;
    Federation& operator=(const Federation&) = delete;

    void register_routes(http::Router& router);

    // Queues, in the caller's transaction (the one that publishes, edits, unpublishes or
    // trashes the post), the job that tells the blog's followers: Create(Article) the first
    // time they hear of a published post, Update after, Delete (a Tombstone) once it is no
    // longer published. The job queues one signed delivery per distinct inbox (shared inboxes
    // first). A blog with neither base URL nor host name is not federated.
    [[nodiscard]] static Status queue_post_activity(store::Writer& writer, std::int64_t blog_id,
                                                    std::int64_t post_id, model::Instant now);

    // Queues, in the caller's transaction (the one that approves, refuses or removes the
    // follower), the signed Accept (accepted) or Reject of its Follow to its inbox. Nothing for
    // a blog with neither base URL nor host name.
    [[nodiscard]] static Status queue_follow_answer(store::Writer& writer, const model::Blog& blog,
                                                    const store::Follower& follower, bool accepted,
                                                    model::Instant now);

    // --- Following from the blog, and answering from its admin.

    // Follows `account` (@name@host, name@host, or an actor's http(s) address) from the blog:
    // resolves it through the fetch client (WebFinger, then the actor document), records it
    // pending and queues a signed Follow to its inbox; its Accept makes it accepted, its Reject
    // forgets it. Code::invalid_input, saying why, for what is not an account or cannot be
    // resolved (nothing is recorded); Code::io when its server cannot be reached now. Blocks
    // the caller for the fetches (each within the fetch options' time limit).
    [[nodiscard]] Result<store::Following> follow(const model::Blog& blog,
                                                  std::string_view account);
    // Queues the signed Undo of the blog's Follow of `actor` and forgets it, in the caller's
    // transaction. Code::not_found when the blog does not follow the actor.
    [[nodiscard]] Status unfollow(store::Writer& writer, const model::Blog& blog,
                                  std::string_view actor);
    // Queues, in the caller's transaction, a public Create(Note) of the blog answering the
    // reader's item: `text` (as commenters write it) rendered as a comment is, inReplyTo the
    // item, addressed to its author (to, and a Mention tag) and the blog's followers (cc).
    // Code::invalid_input for an empty text or a blog that is not federated.
    [[nodiscard]] Status reply_to_item(store::Writer& writer, const model::Blog& blog,
                                       const store::ReaderItem& item, std::string_view text);
    // When `parent` came from the fediverse (a reply kept as a comment), queues in the caller's
    // transaction the writer's `answer` (a comment of the blog under it, already added) as a
    // Create(Note) inReplyTo the remote Note, to its author; its id and url the answer's address
    // on the post. Nothing for any other comment.
    [[nodiscard]] Status answer_comment(store::Writer& writer, const model::Blog& blog,
                                        const model::Comment& parent, const model::Comment& answer);

    // The post as an ActivityStreams Article (id and url its permalink under `base`): its
    // whole HTML, summary, categories as hashtags, images as Image attachments with their
    // alternative text as name. What the outbox and the deliveries carry.
    static std::string article_json(const model::Blog& blog, const model::Post& post,
                                    std::string_view base);
    // The same under the base of the blog's actor for this request (its public address, else
    // the request's host), for the post's permalink asked for as activity+json.
    static std::string article_json(const model::Blog& blog, const model::Post& post,
                                    const http::Request& request);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace carnet::social
