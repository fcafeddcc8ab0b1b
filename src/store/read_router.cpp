#include <mutex>
#include <unordered_map>

#include "store/store.hpp"

namespace carnet::store {

struct ReadRouter::Impl {
    explicit Impl(const Clock& clock) : clock(clock) {}

    struct Seen {
        std::uint64_t generation = 0;  // the replica's, when last asked
        model::Instant asked{};
    };

    const Clock& clock;
    std::mutex mutex;
    std::unordered_map<std::int64_t, Seen> seen;
    model::Instant resting_until{};
};

ReadRouter::ReadRouter(Store& primary, Store& replica, const Clock& clock)
    : primary_(primary), replica_(replica), impl_(std::make_unique<Impl>(clock)) {}

ReadRouter::~ReadRouter() = default;

Store& ReadRouter::reads_for(std::int64_t blog_id) {
    const auto wanted = primary_.generation(blog_id);
    const auto now = impl_->clock.now();
    {
        std::scoped_lock lock(impl_->mutex);
        if (now < impl_->resting_until) return primary_;
        auto found = impl_->seen.find(blog_id);
        // A replica only moves forward: once it showed this generation, it holds it.
        if (found != impl_->seen.end() && found->second.generation >= wanted &&
            now - found->second.asked < k_recheck_interval) {
            return replica_;
        }
    }
    // Asked outside the lock: a slow replica holds up only the requests that need it.
    auto stored = replica_.stored_generation(blog_id);
    std::scoped_lock lock(impl_->mutex);
    if (!stored) {
        impl_->resting_until = now + k_replica_rest;
        return primary_;
    }
    impl_->seen[blog_id] = {*stored, now};
    return *stored >= wanted ? replica_ : primary_;
}

void ReadRouter::replica_failed() {
    std::scoped_lock lock(impl_->mutex);
    impl_->resting_until = impl_->clock.now() + k_replica_rest;
}

}  // namespace carnet::store
