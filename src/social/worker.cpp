#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "social/social.hpp"

namespace carnet::social {

struct Worker::Impl {
    store::Store& store;
    const Clock& clock;
    WorkerOptions options;
    std::map<std::string, JobHandler, std::less<>> handlers;

    std::mutex mutex;
    std::condition_variable woken;
    bool stopping = false;
    bool wake_pending = false;
    std::vector<std::thread> threads;

    Impl(store::Store& the_store, const Clock& the_clock, WorkerOptions the_options)
        : store(the_store), clock(the_clock), options(std::move(the_options)) {}

    // Claims one due job and runs it; false when none was due.
    Result<bool> run_one(const Worker& worker) {
        std::optional<store::Job> job;
        auto claimed = store.write([&](store::Writer& writer) -> Status {
            auto taken = writer.jobs().claim_job(options.name, clock.now(), options.lease);
            if (!taken) return std::unexpected(taken.error());
            job = std::move(*taken);
            return {};
        });
        if (!claimed) return std::unexpected(claimed.error());
        if (!job) return false;
        JobOutcome outcome;
        auto handler = handlers.find(job->kind);
        if (handler == handlers.end()) {
            outcome = JobOutcome::drop(fmt::format("no handler for jobs of kind {}", job->kind));
        } else {
            outcome = handler->second(*job);
        }
        if (outcome.kind == JobOutcome::Kind::retry && job->attempts >= options.max_attempts) {
            outcome = JobOutcome::drop(
                fmt::format("gave up after {} attempts: {}", job->attempts, outcome.error));
        }
        if (outcome.kind == JobOutcome::Kind::drop) {
            spdlog::warn("job {} ({}) dropped: {}", job->id, job->kind, outcome.error);
        } else if (outcome.kind == JobOutcome::Kind::retry) {
            spdlog::info("job {} ({}) failed, attempt {}: {}", job->id, job->kind, job->attempts,
                         outcome.error);
        }
        auto recorded = store.write([&](store::Writer& writer) -> Status {
            if (outcome.kind == JobOutcome::Kind::retry) {
                return writer.jobs().retry_job(job->id, options.name,
                                               worker.retry_time(job->attempts, clock.now()),
                                               outcome.error);
            }
            return writer.jobs().complete_job(job->id, options.name);
        });
        if (!recorded) return std::unexpected(recorded.error());
        return true;
    }
};

Worker::Worker(store::Store& store, const Clock& clock, WorkerOptions options)
    : impl_(std::make_unique<Impl>(store, clock, std::move(options))) {}

Worker::~Worker() { stop(); }

void Worker::handle(std::string kind, JobHandler handler) {
    impl_->handlers.insert_or_assign(std::move(kind), std::move(handler));
}

Result<int> Worker::run_due_jobs() {
    int ran = 0;
    while (true) {
        auto one = impl_->run_one(*this);
        if (!one) return std::unexpected(one.error());
        if (!*one) return ran;
        ++ran;
    }
}

void Worker::start() {
    std::scoped_lock lock(impl_->mutex);
    if (!impl_->threads.empty()) return;
    impl_->stopping = false;
    for (int i = 0; i < std::max(1, impl_->options.threads); ++i) {
        impl_->threads.emplace_back([this] {
            while (true) {
                if (auto ran = run_due_jobs(); !ran) {
                    spdlog::warn("the work queue failed: {}", ran.error().message);
                }
                std::unique_lock wait(impl_->mutex);
                impl_->woken.wait_for(wait, impl_->options.poll_interval,
                                      [&] { return impl_->stopping || impl_->wake_pending; });
                impl_->wake_pending = false;
                if (impl_->stopping) return;
            }
        });
    }
}

void Worker::stop() {
    std::vector<std::thread> threads;
    {
        std::scoped_lock lock(impl_->mutex);
        impl_->stopping = true;
        threads = std::move(impl_->threads);
        impl_->threads.clear();
    }
    impl_->woken.notify_all();
    for (auto& thread : threads) thread.join();
}

void Worker::wake() {
    {
        std::scoped_lock lock(impl_->mutex);
        impl_->wake_pending = true;
    }
    impl_->woken.notify_all();
}

model::Instant Worker::retry_time(int attempts, model::Instant now) const {
    auto delay = impl_->options.first_retry;
    for (int i = 1; i < attempts && delay < impl_->options.max_retry_delay; ++i) delay *= 2;
    return now + std::min(delay, impl_->options.max_retry_delay);
}

}  // namespace carnet::social
