#include <gtest/gtest.h>

#include "social/social.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::social {
namespace {

using namespace std::chrono;

class WorkerTest : public ::testing::Test {
protected:
    void SetUp() override { open(); }

    void open() {
        store_.reset();
        auto opened = store::open_sqlite_store(dir_.path() / "carnet.db",
                                               store::OpenMode::create_if_missing, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        auto blogs = store_->blogs().list_blogs();
        ASSERT_TRUE(blogs.has_value());
        if (!blogs->empty()) return;
        auto written = store_->write([&](store::Writer& writer) -> Status {
            model::Blog blog;
            blog.title = "Carnet";
            auto created = writer.blogs().create_blog(blog);
            if (!created) return std::unexpected(created.error());
            blog_id_ = *created;
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
    }

    void enqueue(const std::string& kind, const std::string& payload) {
        auto written = store_->write([&](store::Writer& writer) -> Status {
            auto queued = writer.jobs().enqueue_job(
                {.blog_id = blog_id_, .kind = kind, .payload = payload, .run_at = clock_.now()});
            if (!queued) return std::unexpected(queued.error());
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
    }

    std::size_t pending() { return store_->jobs().pending_jobs(blog_id_).value().size(); }

    WorkerOptions options() {
        return WorkerOptions{.name = "test-node",
                             .first_retry = seconds(60),
                             .max_retry_delay = hours(6),
                             .max_attempts = 4};
    }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{year{2026} / 12 / 2} + hours{8}};
    std::unique_ptr<store::Store> store_;
    std::int64_t blog_id_ = 1;
};

TEST_F(WorkerTest, ADueJobRunsOnceAndGoesWhenDone) {
    Worker worker(*store_, clock_, options());
    std::vector<std::string> seen;
    worker.handle("test.echo", [&](const store::Job& job) {
        seen.push_back(job.payload);
        return JobOutcome::done();
    });
    enqueue("test.echo", "un");
    enqueue("test.echo", "deux");
    auto ran = worker.run_due_jobs();
    ASSERT_TRUE(ran.has_value()) << ran.error().message;
    EXPECT_EQ(*ran, 2);
    EXPECT_EQ(seen, (std::vector<std::string>{"un", "deux"}));
    EXPECT_EQ(pending(), 0u);
    EXPECT_EQ(worker.run_due_jobs().value(), 0);
}

TEST_F(WorkerTest, AFailedJobIsRetriedLaterAndLaterThenDropped) {
    Worker worker(*store_, clock_, options());
    int attempts = 0;
    worker.handle("test.flaky", [&](const store::Job&) {
        ++attempts;
        return JobOutcome::retry("the site is down");
    });
    enqueue("test.flaky", "x");
    EXPECT_EQ(worker.run_due_jobs().value(), 1);
    auto jobs = store_->jobs().pending_jobs(blog_id_).value();
    ASSERT_EQ(jobs.size(), 1u);
    EXPECT_EQ(jobs[0].run_at, clock_.now() + seconds(60));
    EXPECT_EQ(jobs[0].last_error, "the site is down");
    EXPECT_EQ(worker.run_due_jobs().value(), 0);
    clock_.advance(seconds(60));
    EXPECT_EQ(worker.run_due_jobs().value(), 1);
    EXPECT_EQ(store_->jobs().pending_jobs(blog_id_).value()[0].run_at, clock_.now() + seconds(120));
    clock_.advance(seconds(120));
    EXPECT_EQ(worker.run_due_jobs().value(), 1);
    clock_.advance(seconds(240));
    EXPECT_EQ(worker.run_due_jobs().value(), 1);
    EXPECT_EQ(attempts, 4);
    EXPECT_EQ(pending(), 0u);  // max_attempts reached: dropped
}

TEST_F(WorkerTest, RetriesDoubleUpToTheLongestDelay) {
    Worker worker(*store_, clock_, options());
    const auto now = clock_.now();
    EXPECT_EQ(worker.retry_time(1, now), now + seconds(60));
    EXPECT_EQ(worker.retry_time(2, now), now + seconds(120));
    EXPECT_EQ(worker.retry_time(5, now), now + seconds(960));
    EXPECT_EQ(worker.retry_time(30, now), now + hours(6));
}

TEST_F(WorkerTest, ADroppedOrUnknownJobGoesAtOnce) {
    Worker worker(*store_, clock_, options());
    worker.handle("test.gone", [](const store::Job&) { return JobOutcome::drop("410 Gone"); });
    enqueue("test.gone", "x");
    enqueue("test.nobody", "y");
    EXPECT_EQ(worker.run_due_jobs().value(), 2);
    EXPECT_EQ(pending(), 0u);
}

TEST_F(WorkerTest, AJobWaitingForItsRetryOutlivesARestart) {
    {
        Worker worker(*store_, clock_, options());
        worker.handle("test.later", [](const store::Job&) { return JobOutcome::retry("down"); });
        enqueue("test.later", "x");
        EXPECT_EQ(worker.run_due_jobs().value(), 1);
    }
    open();
    Worker worker(*store_, clock_, options());
    int delivered = 0;
    worker.handle("test.later", [&](const store::Job& job) {
        ++delivered;
        EXPECT_EQ(job.attempts, 2);
        return JobOutcome::done();
    });
    clock_.advance(seconds(60));
    EXPECT_EQ(worker.run_due_jobs().value(), 1);
    EXPECT_EQ(worker.run_due_jobs().value(), 0);
    EXPECT_EQ(delivered, 1);
}

TEST_F(WorkerTest, ThreadsRunTheQueueWhenWoken) {
    Worker worker(*store_, clock_, options());
    std::atomic<int> runs = 0;
    worker.handle("test.echo", [&](const store::Job&) {
        ++runs;
        return JobOutcome::done();
    });
    worker.start();
    enqueue("test.echo", "x");
    worker.wake();
    const auto deadline = steady_clock::now() + seconds(10);
    while (runs == 0 && steady_clock::now() < deadline) std::this_thread::yield();
    worker.stop();
    EXPECT_EQ(runs, 1);
    EXPECT_EQ(pending(), 0u);
}

}  // namespace
}  // namespace carnet::social
