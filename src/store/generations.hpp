// The blogs' generations as a database keeps them in memory: changed by commits and by what
// the poller hears, read by the page cache's policy on every request. Both backends use it.
#pragma once

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>

namespace carnet::store {

// Reads take no lock and write nothing another thread reads: each thread keeps its own copy
// of the table, copied again only after a change, which a counter announces. Changes are
// rare (one per write transaction), reads are not.
class Generations {
public:
    using Table = std::unordered_map<std::int64_t, std::uint64_t>;

    // The generation of the blog, 0 when the table has none.
    std::uint64_t get(std::int64_t blog_id) const {
        const auto version = version_.load(std::memory_order_acquire);
        Copy& copy = copy_for_this_thread();
        if (copy.version != version) {
            std::shared_lock lock(mutex_);
            copy.table = table_;
            copy.version = version_.load(std::memory_order_relaxed);
        }
        auto found = copy.table.find(blog_id);
        return found == copy.table.end() ? 0 : found->second;
    }

    // Runs `change` on the table, with readers kept out while it runs.
    template <typename Change>
    void change(Change&& change) {
        std::unique_lock lock(mutex_);
        change(table_);
        version_.fetch_add(1, std::memory_order_release);
    }

private:
    struct Copy {
        std::uint64_t owner = 0;    // the Generations it copies, by instance_
        std::uint64_t version = 0;  // of the table copied; 0 is never a version
        Table table;
    };

    // A thread may read two databases in turn (a replica and its primary): two copies each.
    Copy& copy_for_this_thread() const {
        thread_local std::array<Copy, 2> copies;
        thread_local std::size_t next = 0;
        for (auto& copy : copies) {
            if (copy.owner == instance_) return copy;
        }
        Copy& copy = copies[next++ % copies.size()];
        copy.owner = instance_;
        copy.version = 0;
        return copy;
    }

    static std::uint64_t next_instance() {
        static std::atomic<std::uint64_t> count{0};
        return ++count;
    }

    const std::uint64_t instance_ = next_instance();
    mutable std::shared_mutex mutex_;
    Table table_;
    std::atomic<std::uint64_t> version_{1};
};

}  // namespace carnet::store
