#include "http/page_cache.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "http/test_support.hpp"

namespace carnet::http {
namespace {

// A text page long and repetitive enough to be worth compressing.
std::string long_page(std::string_view word = "Misrata") {
    std::string body = "<!doctype html><html><body>\n";
    for (int i = 0; i < 200; ++i) {
        body += "<p>";
        body += word;
        body += " ";
        body += std::to_string(i);
        body += "</p>\n";
    }
    return body + "</body></html>\n";
}

Response page(std::string body, std::string content_type = "text/html; charset=utf-8") {
    Response response;
    response.content_type = std::move(content_type);
    response.body = std::move(body);
    response.cacheable = true;
    return response;
}

TEST(PageCache, FindsWhatWasInsertedAtSameGeneration) {
    PageCache cache(1024 * 1024);
    auto inserted = make_cached_response(page("hello"), 7);
    cache.insert("blog1 /", inserted);
    auto found = cache.find("blog1 /", 7);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->identity.body, "hello");
    EXPECT_EQ(found->generation, 7u);
    EXPECT_EQ(cache.find("blog1 /other", 7), nullptr);
    EXPECT_EQ(cache.size(), 1u);
}

TEST(PageCache, HitSharesTheStoredBodyWithoutCopying) {
    PageCache cache(1024 * 1024);
    cache.insert("k", make_cached_response(page(long_page()), 1));
    auto first = cache.find("k", 1);
    auto second = cache.find("k", 1);
    ASSERT_NE(first, nullptr);
    ASSERT_NE(second, nullptr);
    EXPECT_EQ(first.get(), second.get());
    EXPECT_EQ(first->identity.body.data(), second->identity.body.data());
}

TEST(PageCache, MissesOnNewerGenerationAndDropsOlderEntry) {
    PageCache cache(1024 * 1024);
    cache.insert("k", make_cached_response(page("old"), 1));
    EXPECT_EQ(cache.find("k", 2), nullptr);
    EXPECT_EQ(cache.size(), 0u);
    EXPECT_EQ(cache.bytes(), 0u);
    EXPECT_EQ(cache.find("k", 1), nullptr);
}

TEST(PageCache, ReplacesOlderGenerationOnInsert) {
    PageCache cache(1024 * 1024);
    cache.insert("k", make_cached_response(page("old"), 1));
    cache.insert("k", make_cached_response(page("new"), 2));
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(cache.find("k", 1), nullptr);
    auto found = cache.find("k", 2);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->identity.body, "new");
}

TEST(PageCache, KeepsNewerGenerationWhenOlderArrivesLate) {
    // A slow request rendered at generation 1 must not replace what a later one stored at 2.
    PageCache cache(1024 * 1024);
    cache.insert("k", make_cached_response(page("new"), 2));
    cache.insert("k", make_cached_response(page("late"), 1));
    auto found = cache.find("k", 2);
    ASSERT_NE(found, nullptr);
    EXPECT_EQ(found->identity.body, "new");
    // Asking at the older generation is a miss, and does not drop the newer entry.
    EXPECT_EQ(cache.find("k", 1), nullptr);
    EXPECT_NE(cache.find("k", 2), nullptr);
}

TEST(PageCache, EvictsLeastRecentlyUsedWhenBytesExceedBound) {
    auto a = make_cached_response(page(std::string(1000, 'a'), "image/png"), 1);
    auto b = make_cached_response(page(std::string(1000, 'b'), "image/png"), 1);
    auto c = make_cached_response(page(std::string(1000, 'c'), "image/png"), 1);
    // Room for two entries, not three.
    std::size_t bound = a->bytes + b->bytes + c->bytes + 6 - 1;
    PageCache cache(bound);
    cache.insert("a", a);
    cache.insert("b", b);
    ASSERT_NE(cache.find("a", 1), nullptr);  // "a" is now the most recently used
    cache.insert("c", c);
    EXPECT_EQ(cache.size(), 2u);
    EXPECT_NE(cache.find("a", 1), nullptr);
    EXPECT_EQ(cache.find("b", 1), nullptr);
    EXPECT_NE(cache.find("c", 1), nullptr);
    EXPECT_LE(cache.bytes(), bound);
}

TEST(PageCache, CountsBytesOfEntries) {
    PageCache cache(1024 * 1024);
    EXPECT_EQ(cache.bytes(), 0u);
    auto response = make_cached_response(page(long_page()), 1);
    cache.insert("k", response);
    EXPECT_GE(cache.bytes(), response->identity.body.size() +
                                 response->variant(Coding::gzip).body.size() +
                                 response->variant(Coding::brotli).body.size());
    cache.insert("k", make_cached_response(page("small"), 2));
    EXPECT_LT(cache.bytes(), response->identity.body.size());
}

TEST(PageCache, DoesNotKeepResponseLargerThanBound) {
    PageCache cache(4096);
    cache.insert("small", make_cached_response(page("small"), 1));
    cache.insert("big", make_cached_response(page(std::string(10000, 'x'), "image/png"), 1));
    EXPECT_EQ(cache.find("big", 1), nullptr);
    EXPECT_NE(cache.find("small", 1), nullptr);
}

TEST(PageCache, StaysConsistentUnderConcurrentUse) {
    PageCache cache(64 * 1024);
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&cache, t] {
            for (int i = 0; i < 500; ++i) {
                std::string key = "k";
                key += std::to_string((i * 7 + t) % 50);
                auto generation = static_cast<std::uint64_t>(i / 100);
                if (auto found = cache.find(key, generation)) {
                    ASSERT_EQ(found->generation, generation);
                } else {
                    cache.insert(key,
                                 make_cached_response(page(std::string(900, 'p')), generation));
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    EXPECT_LE(cache.bytes(), 64u * 1024u);
}

TEST(PageCacheReader, FindsAgainWhatItFoundAndForgetsWhatTheCacheDropped) {
    auto a = make_cached_response(page(std::string(1000, 'a'), "image/png"), 1);
    auto b = make_cached_response(page(std::string(1000, 'b'), "image/png"), 1);
    PageCache cache(a->bytes + b->bytes + 4 - 1);  // room for one of them
    PageCache::Reader reader(cache);
    cache.insert("a", a);
    EXPECT_EQ(reader.find("a", 1), a);
    EXPECT_EQ(reader.find("a", 1), a);
    EXPECT_EQ(reader.find("a", 2), nullptr);  // a newer generation: the cache drops "a"
    EXPECT_EQ(cache.size(), 0u);
    auto again = make_cached_response(page(std::string(1000, 'a'), "image/png"), 1);
    cache.insert("a", again);
    EXPECT_EQ(reader.find("a", 1), again);
    cache.insert("b", b);  // evicts "a"
    EXPECT_EQ(cache.size(), 1u);
    EXPECT_EQ(reader.find("a", 1), nullptr);
    EXPECT_EQ(reader.find("b", 1), b);
}

TEST(PageCacheReader, HitsThroughAReaderKeepAnEntryFromEviction) {
    auto a = make_cached_response(page(std::string(1000, 'a'), "image/png"), 1);
    auto b = make_cached_response(page(std::string(1000, 'b'), "image/png"), 1);
    auto c = make_cached_response(page(std::string(1000, 'c'), "image/png"), 1);
    PageCache cache(a->bytes + b->bytes + c->bytes + 6 - 1);  // room for two
    PageCache::Reader reader(cache);
    cache.insert("a", a);
    ASSERT_EQ(reader.find("a", 1), a);  // through the lock: "a" moves up
    cache.insert("b", b);
    ASSERT_EQ(reader.find("a", 1), a);  // remembered: "a" only gets its mark
    cache.insert("c", c);
    EXPECT_NE(cache.find("a", 1), nullptr);
    EXPECT_EQ(cache.find("b", 1), nullptr);
    EXPECT_NE(cache.find("c", 1), nullptr);
}

TEST(CachedResponse, HoldsTheHeadsAHitSends) {
    Response response = page(long_page());
    response.headers = {{"Last-Modified", "Wed, 04 Oct 2017 18:19:00 GMT"}};
    auto defaults = std::make_shared<const Headers>(Headers{{"Referrer-Policy", "no-referrer"}});
    auto cached = make_cached_response(std::move(response), 1, defaults);
    const std::string& head = cached->identity.head;
    EXPECT_TRUE(head.starts_with("HTTP/1.1 200 OK\r\n")) << head;
    EXPECT_TRUE(head.ends_with("Content-Length: " + std::to_string(long_page().size()) + "\r\n"))
        << head;
    for (std::string_view field :
         {"ETag: " + cached->identity.etag, std::string("X-Cache: hit"),
          std::string("Referrer-Policy: no-referrer"), std::string("Vary: Accept-Encoding"),
          std::string("Last-Modified: Wed, 04 Oct 2017 18:19:00 GMT")}) {
        EXPECT_NE(head.find(std::string(field) + "\r\n"), std::string::npos) << field;
    }
    EXPECT_EQ(head.find("Date:"), std::string::npos);
    EXPECT_EQ(cached->last_modified, "Wed, 04 Oct 2017 18:19:00 GMT");
    EXPECT_TRUE(cached->identity.not_modified_head.starts_with("HTTP/1.1 304 Not Modified\r\n"));
    EXPECT_EQ(cached->identity.not_modified_head.find("Content-Type:"), std::string::npos);
    const auto& gzip = cached->variant(Coding::gzip);
    EXPECT_NE(gzip.head.find("Content-Encoding: gzip\r\n"), std::string::npos);
    EXPECT_NE(gzip.head.find("Content-Length: " + std::to_string(gzip.body.size()) + "\r\n"),
              std::string::npos);
    EXPECT_NE(gzip.head.find("Referrer-Policy: no-referrer\r\n"), std::string::npos);
}

TEST(CachedResponse, KeepsStatusTypeAndHeaders) {
    Response response = page("moved");
    response.status = 301;
    response.headers = {{"Location", "/new/"}};
    auto cached = make_cached_response(std::move(response), 3);
    EXPECT_EQ(cached->status, 301);
    EXPECT_EQ(cached->content_type, "text/html; charset=utf-8");
    ASSERT_EQ(cached->headers.size(), 1u);
    EXPECT_EQ(cached->headers[0].second, "/new/");
}

TEST(CachedResponse, VariantsDecompressToIdentityBody) {
    std::string body = long_page();
    auto cached = make_cached_response(page(body), 1);
    ASSERT_TRUE(cached->offers(Coding::gzip));
    ASSERT_TRUE(cached->offers(Coding::brotli));
    const auto& gzip = cached->variant(Coding::gzip);
    const auto& brotli = cached->variant(Coding::brotli);
    ASSERT_NE(&gzip, &cached->identity);
    ASSERT_NE(&brotli, &cached->identity);
    EXPECT_LT(gzip.body.size(), body.size());
    EXPECT_LT(brotli.body.size(), body.size());
    EXPECT_EQ(testing::gunzip(gzip.body), body);
    EXPECT_EQ(testing::unbrotli(brotli.body), body);
    EXPECT_EQ(cached->identity.body, body);
    // Made once: a second request gets the same bytes, not a second compression.
    EXPECT_EQ(&cached->variant(Coding::gzip), &gzip);
}

TEST(CachedResponse, CompressesOnceWhenManyThreadsAskAtOnce) {
    std::string body = long_page();
    auto cached = make_cached_response(page(body), 1);
    std::vector<const CachedResponse::Variant*> seen(8);
    std::vector<std::thread> threads;
    for (std::size_t i = 0; i < seen.size(); ++i) {
        threads.emplace_back([&, i] { seen[i] = &cached->variant(Coding::brotli); });
    }
    for (auto& thread : threads) thread.join();
    for (const auto* variant : seen) EXPECT_EQ(variant, seen.front());
    EXPECT_EQ(testing::unbrotli(seen.front()->body), body);
}

TEST(CachedResponse, CompressesFeedsAndJson) {
    for (const char* type :
         {"application/atom+xml", "application/rss+xml; charset=utf-8", "application/xml",
          "application/json", "application/feed+json", "text/plain", "TEXT/CSS"}) {
        auto cached = make_cached_response(page(long_page(), type), 1);
        EXPECT_NE(&cached->variant(Coding::gzip), &cached->identity) << type;
        EXPECT_NE(&cached->variant(Coding::brotli), &cached->identity) << type;
    }
}

TEST(CachedResponse, LeavesSmallOrBinaryBodiesUncompressed) {
    auto small = make_cached_response(page(std::string(255, 'a')), 1);
    EXPECT_FALSE(small->offers(Coding::gzip));
    EXPECT_FALSE(small->offers(Coding::brotli));
    EXPECT_TRUE(small->offers(Coding::identity));
    EXPECT_EQ(&small->variant(Coding::gzip), &small->identity);
    auto image = make_cached_response(page(long_page(), "image/png"), 1);
    EXPECT_FALSE(image->offers(Coding::gzip));
    EXPECT_FALSE(image->offers(Coding::brotli));
    EXPECT_TRUE(make_cached_response(page(std::string(256, 'a')), 1)->offers(Coding::gzip));
}

TEST(CachedResponse, GivesEachVariantItsOwnStrongEtagFromTheBody) {
    auto first = make_cached_response(page(long_page("Syrte")), 1);
    auto same = make_cached_response(page(long_page("Syrte")), 2);
    auto other = make_cached_response(page(long_page("Libye")), 1);
    EXPECT_EQ(first->identity.etag, same->identity.etag);
    EXPECT_NE(first->identity.etag, other->identity.etag);
    EXPECT_NE(first->identity.etag, first->variant(Coding::gzip).etag);
    EXPECT_NE(first->identity.etag, first->variant(Coding::brotli).etag);
    EXPECT_NE(first->variant(Coding::gzip).etag, first->variant(Coding::brotli).etag);
    for (const auto* etag : {&first->identity.etag, &first->variant(Coding::gzip).etag,
                             &first->variant(Coding::brotli).etag}) {
        ASSERT_GE(etag->size(), 2u);
        EXPECT_EQ(etag->front(), '"');
        EXPECT_EQ(etag->back(), '"');
        EXPECT_FALSE(etag->starts_with("W/"));
    }
}

}  // namespace
}  // namespace carnet::http
