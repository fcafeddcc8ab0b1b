// The in-memory cache of complete responses, bounded in bytes, least recently used first out.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "http/http.hpp"
#include "http/negotiation.hpp"

namespace carnet::http {

// A response as the cache keeps it: immutable once made, shared by every request it answers,
// so a hit copies a pointer and never a body. Its gzip and brotli variants are made on the
// first request that asks for each (once, whichever thread asks first), so that a render is
// not followed by two compressions that the reader may not want: most hits are from clients
// taking one coding, and a cache that is off compresses only what is sent.
// A large body's bytes in an anonymous in-memory file, which the kernel can send to a socket
// from its own pages (sendfile) instead of copying them from ours on every hit. Owns the file.
class BodyFile {
public:
    // A file holding `body`, or null when the process keeps as many files as it allows
    // itself (a file descriptor each), or the system refused one.
    static std::shared_ptr<const BodyFile> make(std::string_view body);
    BodyFile(const BodyFile&) = delete;
    BodyFile& operator=(const BodyFile&) = delete;
    ~BodyFile();

    int descriptor() const { return descriptor_; }
    std::size_t size() const { return size_; }

private:
    BodyFile(int descriptor, std::size_t size) : descriptor_(descriptor), size_(size) {}
    int descriptor_;
    std::size_t size_;
};

struct CachedResponse {
    struct Variant {
        std::string body;  // empty for gzip or brotli when that variant was not worth making
        // The body again, for sendfile, when it is long enough for the copy to cost more than
        // the file (identity bodies of 32 KiB and more); null otherwise.
        std::shared_ptr<const BodyFile> file;
        std::string etag;  // strong, quoted; differs between the variants of one body
        // What a hit over HTTP/1.1 sends before the Date field: the status line and every other
        // header field, made once with the variant, so that a hit copies no header.
        std::string head;
        std::string not_modified_head;  // the same for a 304 answer; empty unless status is 200
    };

    int status = 200;
    std::string content_type;
    Headers headers;
    std::uint64_t generation = 0;
    Variant identity;
    std::string last_modified;  // the Last-Modified header's value, "" when there is none
    bool compressible = false;  // textual and at least 256 bytes long
    // What it counts for against the cache's bound: the body (twice when it is also in a
    // file), and as much again for its compressed variants when it is compressible (HTML
    // compresses to well under half).
    std::size_t bytes = 0;

    // Whether the coding may be sent: always identity; gzip and brotli for a compressible body.
    bool offers(Coding coding) const { return coding == Coding::identity || compressible; }
    // The variant for `coding`, compressed on first use; identity when the coding is not
    // offered or did not make the body smaller.
    const Variant& variant(Coding coding) const;
    // Whether variant(coding) would answer at once, without compressing.
    bool made(Coding coding) const {
        if (coding == Coding::identity || !compressible) return true;
        return (coding == Coding::gzip ? gzip_made_ : brotli_made_).load(std::memory_order_acquire);
    }

private:
    friend class PageCache;
    friend std::shared_ptr<const CachedResponse> make_cached_response(
        Response, std::uint64_t, std::shared_ptr<const Headers>, bool);

    // The server's default headers, which the heads of the variants made later carry too.
    std::shared_ptr<const Headers> default_headers_;
    // Set by hits that went nowhere near the cache's lock, cleared by the cache when it looks
    // for what to evict: an entry used since it was last looked at gets a second chance.
    mutable std::atomic<bool> used_{false};
    mutable std::atomic<bool> gzip_made_{false};
    mutable std::atomic<bool> brotli_made_{false};
    mutable std::once_flag gzip_once_;
    mutable std::once_flag brotli_once_;
    mutable Variant gzip_;
    mutable Variant brotli_;
};

// Makes the cache's copy of `response`: takes its body and hashes it for its entity tag, and
// writes the heads of its answers with the server's `default_headers`. With `file_for_hits`, a
// long body is also put in a BodyFile, for the hits to come.
std::shared_ptr<const CachedResponse> make_cached_response(
    Response response, std::uint64_t generation,
    std::shared_ptr<const Headers> default_headers = nullptr, bool file_for_hits = false);

// Thread-safe: the cache holds its own mutex, and holds it only to look up, link or unlink.
// The server's threads look up through a Reader each, which takes that lock only for what its
// thread has not found before.
class PageCache {
public:
    explicit PageCache(std::size_t capacity_bytes);
    PageCache(const PageCache&) = delete;
    PageCache& operator=(const PageCache&) = delete;

    // One thread's way into the cache: it remembers the entries its thread found, so that a
    // hit on one of them takes no lock and writes nothing that another thread reads. It
    // forgets them all whenever the cache drops an entry (evicted, stale or replaced), so that
    // it never keeps alive a response the cache let go. Not thread-safe: one thread uses it.
    class Reader {
    public:
        explicit Reader(PageCache& cache) : cache_(cache) {}
        // As PageCache::find.
        std::shared_ptr<const CachedResponse> find(std::string_view key, std::uint64_t generation);

    private:
        struct KeyHash {
            using is_transparent = void;
            std::size_t operator()(std::string_view key) const {
                return std::hash<std::string_view>{}(key);
            }
        };
        PageCache& cache_;
        std::uint64_t drops_seen_ = 0;
        std::unordered_map<std::string, std::shared_ptr<const CachedResponse>, KeyHash,
                           std::equal_to<>>
            found_;
    };

    // The response kept under `key` if it was made at `generation`, or null. An entry from an
    // older generation is dropped. Allocation-free.
    std::shared_ptr<const CachedResponse> find(std::string_view key, std::uint64_t generation);

    // Keeps `response` under `key`, replacing an entry of the same or an older generation (a
    // newer one stays), then evicts the least recently used entries until the cache fits its
    // bound. A response larger than the whole bound is not kept.
    void insert(std::string key, std::shared_ptr<const CachedResponse> response);

    std::size_t bytes() const;
    std::size_t size() const;
    std::size_t capacity_bytes() const { return capacity_bytes_; }

private:
    struct Node {
        std::string key;
        std::shared_ptr<const CachedResponse> response;
        std::size_t bytes = 0;
    };
    using Lru = std::list<Node>;  // most recently used first

    void erase_locked(Lru::iterator node);

    const std::size_t capacity_bytes_;
    // How many entries the cache has dropped: a Reader that saw another count forgets what it
    // found. Written under mutex_, read without it.
    std::atomic<std::uint64_t> drops_{0};
    mutable std::mutex mutex_;
    Lru lru_;
    // Keys view the strings inside lru_'s nodes, which never move.
    std::unordered_map<std::string_view, Lru::iterator> index_;
    std::size_t bytes_ = 0;
};

}  // namespace carnet::http
