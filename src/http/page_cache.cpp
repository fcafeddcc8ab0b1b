#include "http/page_cache.hpp"

#include <sodium.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <mutex>
#include <vector>

#include "http/answer.hpp"
#include "http/compression.hpp"

namespace carnet::http {

namespace {

constexpr std::size_t k_min_compressible_bytes = 256;
constexpr int k_gzip_level = 6;
constexpr int k_brotli_quality = 5;
// Rough cost of the bookkeeping around an entry: node, index slot, shared control block.
constexpr std::size_t k_entry_overhead_bytes = 256;
// A head is a few hundred bytes; a compressible response has three variants of two heads.
constexpr std::size_t k_heads_bytes = 2 * 1024;
// Entries a Reader remembers before it starts afresh: its thread's working set of pages.
constexpr std::size_t k_reader_entries = 4096;
// Below this, copying the body into the socket costs less than the file it would take: a
// 28 KiB post page sent from its file took 8% more CPU per hit (bench/ab, 16 KiB against this).
constexpr std::size_t k_min_file_bytes = 32 * 1024;

// How many body files the process keeps at most: a quarter of its file descriptors, so that
// a full cache never stops the server from accepting connections or opening its database.
std::size_t body_file_allowance() {
    static const std::size_t allowance = [] {
        rlimit limit{};
        if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) {
            return std::size_t{256};
        }
        return static_cast<std::size_t>(limit.rlim_cur / 4);
    }();
    return allowance;
}

std::atomic<std::size_t> g_body_files{0};

std::string body_hash(std::string_view body) {
    // libsodium wants sodium_init() before any other call; it is thread-safe and idempotent,
    // and calling it here keeps the cache usable without the server around it.
    [[maybe_unused]] static const bool initialised = sodium_init() >= 0;
    std::array<unsigned char, 16> hash{};
    crypto_generichash(hash.data(), hash.size(),
                       reinterpret_cast<const unsigned char*>(body.data()), body.size(), nullptr,
                       0);
    std::array<char, 2 * 16 + 1> hex{};
    sodium_bin2hex(hex.data(), hex.size(), hash.data(), hash.size());
    return std::string(hex.data(), 2 * 16);
}

std::size_t accounted_bytes(const CachedResponse& response) {
    std::size_t bytes =
        sizeof(CachedResponse) + k_entry_overhead_bytes + response.content_type.size();
    for (const auto& [name, value] : response.headers) bytes += name.size() + value.size() + 64;
    bytes += response.identity.body.size() + response.identity.etag.size() + k_heads_bytes;
    if (response.identity.file) bytes += response.identity.file->size();
    if (response.compressible) {
        bytes += response.identity.body.size() + 2 * response.identity.etag.size();
    }
    return bytes;
}

// The variant `coding` of `identity`, or an empty one when it is no smaller.
CachedResponse::Variant compressed(const CachedResponse::Variant& identity, Coding coding) {
    auto body = coding == Coding::gzip ? gzip_compress(identity.body, k_gzip_level)
                                       : brotli_compress(identity.body, k_brotli_quality);
    if (!body || body->size() >= identity.body.size()) return {};
    // "<hash>" becomes "<hash>-gz" or "<hash>-br".
    std::string etag = identity.etag;
    etag.insert(etag.size() - 1, coding == Coding::gzip ? "-gz" : "-br");
    return {.body = std::move(*body), .etag = std::move(etag)};
}

// Writes the heads a hit on `variant` sends: what the server would write for the same answer.
void write_heads(CachedResponse::Variant& variant, const CachedResponse& response,
                 std::string_view content_encoding, const Headers& default_headers) {
    Answer answer{.status = response.status,
                  .content_type = response.content_type,
                  .headers = &response.headers,
                  .body = variant.body,
                  .content_encoding = content_encoding,
                  .etag = variant.etag,
                  .vary_on_encoding = true,
                  .cache = CacheState::hit};
    variant.head.clear();
    append_head(variant.head, 11, answer, default_headers);
    variant.not_modified_head.clear();
    if (response.status == 200) {
        answer.status = 304;
        append_head(variant.not_modified_head, 11, answer, default_headers);
    }
}

const Headers& no_headers() {
    static const Headers none;
    return none;
}

}  // namespace

std::shared_ptr<const BodyFile> BodyFile::make(std::string_view body) {
    if (g_body_files.fetch_add(1, std::memory_order_relaxed) >= body_file_allowance()) {
        g_body_files.fetch_sub(1, std::memory_order_relaxed);
        return nullptr;
    }
    const int descriptor = memfd_create("carnet-page", MFD_CLOEXEC);
    if (descriptor < 0) {
        g_body_files.fetch_sub(1, std::memory_order_relaxed);
        return nullptr;
    }
    std::shared_ptr<const BodyFile> file(new BodyFile(descriptor, body.size()));
    while (!body.empty()) {
        const ssize_t written = ::write(descriptor, body.data(), body.size());
        if (written < 0 && errno == EINTR) continue;
        if (written <= 0) return nullptr;  // out of memory: the body goes by copy
        body.remove_prefix(static_cast<std::size_t>(written));
    }
    return file;
}

BodyFile::~BodyFile() {
    ::close(descriptor_);
    g_body_files.fetch_sub(1, std::memory_order_relaxed);
}

const CachedResponse::Variant& CachedResponse::variant(Coding coding) const {
    if (coding == Coding::identity || !compressible) return identity;
    std::once_flag& once = coding == Coding::gzip ? gzip_once_ : brotli_once_;
    Variant& made = coding == Coding::gzip ? gzip_ : brotli_;
    std::call_once(once, [&] {
        made = compressed(identity, coding);
        if (!made.body.empty()) {
            write_heads(made, *this, coding == Coding::gzip ? "gzip" : "br",
                        default_headers_ ? *default_headers_ : no_headers());
        }
        (coding == Coding::gzip ? gzip_made_ : brotli_made_).store(true, std::memory_order_release);
    });
    return made.body.empty() ? identity : made;
}

std::shared_ptr<const CachedResponse> make_cached_response(
    Response response, std::uint64_t generation, std::shared_ptr<const Headers> default_headers,
    bool file_for_hits) {
    auto cached = std::make_shared<CachedResponse>();
    cached->status = response.status;
    cached->content_type = std::move(response.content_type);
    cached->headers = std::move(response.headers);
    cached->generation = generation;
    cached->identity.body = std::move(response.body);
    cached->identity.etag = '"' + body_hash(cached->identity.body) + '"';
    for (const auto& [name, value] : cached->headers) {
        if (name == "Last-Modified") {
            cached->last_modified = value;
            break;
        }
    }
    cached->compressible = cached->identity.body.size() >= k_min_compressible_bytes &&
                           is_compressible_type(cached->content_type);
    if (file_for_hits && cached->identity.body.size() >= k_min_file_bytes) {
        cached->identity.file = BodyFile::make(cached->identity.body);
    }
    cached->default_headers_ = std::move(default_headers);
    write_heads(cached->identity, *cached, "",
                cached->default_headers_ ? *cached->default_headers_ : no_headers());
    cached->bytes = accounted_bytes(*cached);
    return cached;
}

std::shared_ptr<const CachedResponse> PageCache::Reader::find(std::string_view key,
                                                              std::uint64_t generation) {
    if (const auto drops = cache_.drops_.load(std::memory_order_acquire); drops != drops_seen_) {
        found_.clear();
        drops_seen_ = drops;
    }
    if (auto found = found_.find(key); found != found_.end()) {
        const auto& response = found->second;
        if (response->generation == generation) {
            // Read before written: once set, the flag's line stays shared between the threads.
            if (!response->used_.load(std::memory_order_relaxed)) {
                response->used_.store(true, std::memory_order_relaxed);
            }
            return response;
        }
        found_.erase(found);
    }
    auto response = cache_.find(key, generation);
    if (response) {
        if (found_.size() >= k_reader_entries) found_.clear();
        found_.emplace(std::string(key), response);
    }
    return response;
}

PageCache::PageCache(std::size_t capacity_bytes) : capacity_bytes_(capacity_bytes) {}

std::shared_ptr<const CachedResponse> PageCache::find(std::string_view key,
                                                      std::uint64_t generation) {
    std::shared_ptr<const CachedResponse> stale;  // released after the lock
    std::lock_guard lock(mutex_);
    auto found = index_.find(key);
    if (found == index_.end()) return nullptr;
    Lru::iterator node = found->second;
    if (node->response->generation == generation) {
        lru_.splice(lru_.begin(), lru_, node);
        return node->response;
    }
    if (node->response->generation < generation) {
        stale = std::move(node->response);
        erase_locked(node);
    }
    return nullptr;
}

void PageCache::insert(std::string key, std::shared_ptr<const CachedResponse> response) {
    if (!response) return;
    std::size_t bytes = response->bytes + 2 * key.size();
    // Evicted responses are freed after the lock is released: freeing large bodies is not
    // work the other threads should wait for.
    std::vector<std::shared_ptr<const CachedResponse>> released;
    std::lock_guard lock(mutex_);
    auto found = index_.find(key);
    if (found != index_.end()) {
        Lru::iterator node = found->second;
        if (node->response->generation > response->generation) return;
        released.push_back(std::move(node->response));
        erase_locked(node);
    }
    if (bytes > capacity_bytes_) return;
    lru_.push_front(Node{std::move(key), std::move(response), bytes});
    index_.emplace(std::string_view(lru_.front().key), lru_.begin());
    bytes_ += bytes;
    while (bytes_ > capacity_bytes_ && !lru_.empty()) {
        Lru::iterator oldest = std::prev(lru_.end());
        // Hits through a Reader do not move their entry up the list: they leave a mark, which
        // buys the entry one more round. Each pass clears marks, so the loop ends.
        if (oldest != lru_.begin() && oldest->response->used_.exchange(false)) {
            lru_.splice(lru_.begin(), lru_, oldest);
            continue;
        }
        released.push_back(std::move(oldest->response));
        erase_locked(oldest);
    }
}

void PageCache::erase_locked(Lru::iterator node) {
    drops_.fetch_add(1, std::memory_order_release);
    bytes_ -= node->bytes;
    index_.erase(std::string_view(node->key));
    lru_.erase(node);
}

std::size_t PageCache::bytes() const {
    std::lock_guard lock(mutex_);
    return bytes_;
}

std::size_t PageCache::size() const {
    std::lock_guard lock(mutex_);
    return lru_.size();
}

}  // namespace carnet::http
