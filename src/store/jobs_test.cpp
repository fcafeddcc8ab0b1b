// The work queue and the received mentions, on every backend (store_test_backends.hpp).
#include <gtest/gtest.h>

#include <atomic>
#include <set>
#include <thread>

#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;

class JobTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        auto written = store_->write([&](Writer& writer) -> Status {
            model::Blog blog;
            blog.title = "Carnet";
            auto created = writer.blogs().create_blog(blog);
            if (!created) return std::unexpected(created.error());
            blog_id_ = *created;
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
    }

    std::int64_t enqueue(const std::string& payload, model::Instant run_at) {
        std::int64_t id = 0;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto queued = writer.jobs().enqueue_job(NewJob{
                .blog_id = blog_id_, .kind = "test.job", .payload = payload, .run_at = run_at});
            if (!queued) return std::unexpected(queued.error());
            id = *queued;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return id;
    }

    std::optional<Job> claim(const std::string& worker, seconds lease = seconds(60)) {
        std::optional<Job> claimed;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto job = writer.jobs().claim_job(worker, clock_.now(), lease);
            if (!job) return std::unexpected(job.error());
            claimed = *job;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return claimed;
    }

    Status complete(std::int64_t id, const std::string& worker) {
        return store_->write(
            [&](Writer& writer) -> Status { return writer.jobs().complete_job(id, worker); });
    }

    std::vector<Job> pending() {
        auto jobs = store_->jobs().pending_jobs(blog_id_);
        EXPECT_TRUE(jobs.has_value()) << jobs.error().message;
        return jobs.value_or(std::vector<Job>{});
    }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{year{2026} / 12 / 2} + hours{8}};
    std::unique_ptr<Store> store_;
    std::int64_t blog_id_ = 0;
};

TEST_P(JobTest, AQueuedJobIsHeldByOneWorkerAndGoesWhenComplete) {
    const auto id = enqueue("{\"post\":1}", clock_.now());
    auto first = claim("node-a");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(first->id, id);
    EXPECT_EQ(first->kind, "test.job");
    EXPECT_EQ(first->payload, "{\"post\":1}");
    EXPECT_EQ(first->attempts, 1);
    EXPECT_FALSE(claim("node-b").has_value());
    ASSERT_TRUE(complete(id, "node-a").has_value());
    EXPECT_TRUE(pending().empty());
    EXPECT_FALSE(claim("node-b").has_value());
}

TEST_P(JobTest, AJobForLaterWaitsForItsTime) {
    enqueue("later", clock_.now() + hours(1));
    EXPECT_FALSE(claim("node-a").has_value());
    clock_.advance(minutes(59));
    EXPECT_FALSE(claim("node-a").has_value());
    clock_.advance(minutes(1));
    EXPECT_TRUE(claim("node-a").has_value());
}

TEST_P(JobTest, ALeaseThatRanOutLetsAnotherWorkerTakeTheJobAndTheFirstCannotRemoveIt) {
    const auto id = enqueue("lease", clock_.now());
    ASSERT_TRUE(claim("node-a", seconds(60)).has_value());
    clock_.advance(seconds(59));
    EXPECT_FALSE(claim("node-b").has_value());
    clock_.advance(seconds(1));
    auto second = claim("node-b");
    ASSERT_TRUE(second.has_value());
    EXPECT_EQ(second->attempts, 2);
    ASSERT_TRUE(complete(id, "node-a").has_value());
    EXPECT_EQ(pending().size(), 1u);
    ASSERT_TRUE(complete(id, "node-b").has_value());
    EXPECT_TRUE(pending().empty());
}

TEST_P(JobTest, ARetriedJobWaitsWithItsErrorAndIsFreeForAnyWorker) {
    const auto id = enqueue("retry", clock_.now());
    ASSERT_TRUE(claim("node-a").has_value());
    auto retried = store_->write([&](Writer& writer) -> Status {
        return writer.jobs().retry_job(id, "node-a", clock_.now() + minutes(2),
                                       "connection refused");
    });
    ASSERT_TRUE(retried.has_value()) << retried.error().message;
    auto jobs = pending();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].last_error, "connection refused");
    EXPECT_EQ(jobs[0].run_at, clock_.now() + minutes(2));
    EXPECT_FALSE(claim("node-b").has_value());
    clock_.advance(minutes(2));
    auto again = claim("node-b");
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(again->attempts, 2);
}

TEST_P(JobTest, TheSameWorkQueuedTwiceIsOneJobDueAtTheSoonerTime) {
    const auto first = enqueue("same", clock_.now() + hours(2));
    const auto second = enqueue("same", clock_.now() + minutes(5));
    EXPECT_EQ(first, second);
    const auto other = enqueue("other", clock_.now() + hours(3));
    EXPECT_NE(other, first);
    auto jobs = pending();
    ASSERT_EQ(jobs.size(), 2u);
    EXPECT_EQ(jobs[0].payload, "same");
    EXPECT_EQ(jobs[0].run_at, clock_.now() + minutes(5));
}

TEST_P(JobTest, QueuedAgainWhileRunningTheJobOutlivesTheRunningAttempt) {
    const auto id = enqueue("busy", clock_.now());
    ASSERT_TRUE(claim("node-a").has_value());
    enqueue("busy", clock_.now());
    ASSERT_TRUE(complete(id, "node-a").has_value());
    EXPECT_EQ(pending().size(), 1u);
    EXPECT_TRUE(claim("node-b").has_value());
}

TEST_P(JobTest, WorkersClaimingAtOnceNeverShareAJob) {
    constexpr int k_jobs = 40;
    for (int i = 0; i < k_jobs; ++i) enqueue("job " + std::to_string(i), clock_.now());
    std::mutex mutex;
    std::multiset<std::int64_t> claimed;
    std::vector<std::thread> workers;
    for (int w = 0; w < 4; ++w) {
        workers.emplace_back([&, w] {
            while (true) {
                std::optional<Job> job;
                auto written = store_->write([&](Writer& writer) -> Status {
                    auto taken = writer.jobs().claim_job("node-" + std::to_string(w), clock_.now(),
                                                         seconds(60));
                    if (!taken) return std::unexpected(taken.error());
                    job = *taken;
                    return {};
                });
                if (!written || !job) return;
                std::scoped_lock lock(mutex);
                claimed.insert(job->id);
            }
        });
    }
    for (auto& worker : workers) worker.join();
    EXPECT_EQ(claimed.size(), static_cast<std::size_t>(k_jobs));
    EXPECT_EQ(std::set<std::int64_t>(claimed.begin(), claimed.end()).size(), claimed.size());
}

TEST_P(JobTest, AMentionIsSavedReplacedAndForgottenWithItsComment) {
    std::int64_t post_id = 0;
    std::int64_t comment_id = 0;
    auto written = store_->write([&](Writer& writer) -> Status {
        model::Post post;
        post.blog_id = blog_id_;
        post.status = model::PostStatus::published;
        post.title = "Billet";
        post.slug = "billet";
        post.published_at = clock_.now();
        auto created = writer.posts().create_post(post);
        if (!created) return std::unexpected(created.error());
        post_id = *created;
        model::Comment comment;
        comment.blog_id = blog_id_;
        comment.post_id = post_id;
        comment.author_name = "Ailleurs";
        comment.source = "Vu ailleurs";
        comment.html = "<p>Vu ailleurs</p>";
        comment.created_at = clock_.now();
        auto added = writer.comments().add_comment(comment);
        if (!added) return std::unexpected(added.error());
        comment_id = *added;
        return writer.mentions().save_mention(Mention{.blog_id = blog_id_,
                                                      .post_id = post_id,
                                                      .source = "https://a.example/p",
                                                      .target = "https://b.example/t",
                                                      .comment_id = comment_id,
                                                      .author_photo = "https://a.example/me.jpg",
                                                      .updated_at = clock_.now()});
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    auto found =
        store_->mentions().find_mention(blog_id_, "https://a.example/p", "https://b.example/t");
    ASSERT_TRUE(found.has_value()) << found.error().message;
    ASSERT_TRUE(found->has_value());
    EXPECT_EQ((*found)->comment_id, comment_id);
    EXPECT_EQ((*found)->post_id, post_id);
    EXPECT_EQ((*found)->author_photo, "https://a.example/me.jpg");
    auto other =
        store_->mentions().find_mention(blog_id_, "https://a.example/p", "https://b.example/other");
    ASSERT_TRUE(other.has_value());
    EXPECT_FALSE(other->has_value());

    clock_.advance(hours(1));
    written = store_->write([&](Writer& writer) -> Status {
        auto mention =
            writer.mentions().find_mention(blog_id_, "https://a.example/p", "https://b.example/t");
        if (!mention) return std::unexpected(mention.error());
        auto changed = **mention;
        changed.author_photo = "";
        changed.updated_at = clock_.now();
        return writer.mentions().save_mention(changed);
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    found = store_->mentions().find_mention(blog_id_, "https://a.example/p", "https://b.example/t");
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->author_photo, "");
    EXPECT_EQ((*found)->updated_at, clock_.now());

    written = store_->write([&](Writer& writer) -> Status {
        return writer.comments().delete_comment(blog_id_, comment_id);
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    found = store_->mentions().find_mention(blog_id_, "https://a.example/p", "https://b.example/t");
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, JobTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

}  // namespace
}  // namespace carnet::store
