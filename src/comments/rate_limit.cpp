#include <arpa/inet.h>
#include <fmt/format.h>
#include <netinet/in.h>

#include <algorithm>

#include "comments/comments.hpp"

namespace carnet::comments {
namespace {

// The key an address is counted under. One IPv6 subscriber usually holds a whole /64 and
// could otherwise send each comment from a fresh address.
std::string address_key(std::string_view address) {
    std::string text(address);  // inet_pton wants a NUL-terminated string
    in6_addr v6{};
    if (text.find(':') == std::string::npos || inet_pton(AF_INET6, text.c_str(), &v6) != 1) {
        return text;
    }
    const unsigned char* bytes = v6.s6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&v6)) {
        return fmt::format("{}.{}.{}.{}", bytes[12], bytes[13], bytes[14], bytes[15]);
    }
    return fmt::format("{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}:{:02x}{:02x}::/64", bytes[0],
                       bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]);
}

}  // namespace

bool RateLimit::allow(std::string_view address, Clock::time_point now) {
    std::string key = address_key(address);
    std::optional<bool> counted;
    if (ledger_) {
        counted =
            ledger_->record_attempt(key, std::chrono::floor<std::chrono::seconds>(now), limits_);
    }
    const bool allowed_here = allow_here(std::move(key), now);
    return counted.value_or(allowed_here);
}

bool RateLimit::allow_here(std::string key, Clock::time_point now) {
    std::scoped_lock lock(mutex_);
    forget_quiet(now);

    std::list<Attempts>::iterator entry;
    if (auto found = by_key_.find(key); found != by_key_.end()) {
        entry = found->second;
        recent_.splice(recent_.begin(), recent_, entry);  // keeps iterators and key views valid
    } else {
        while (!recent_.empty() &&
               by_key_.size() >= std::max<std::size_t>(limits_.max_addresses, 1)) {
            by_key_.erase(recent_.back().key);
            recent_.pop_back();
        }
        recent_.push_front(Attempts{std::move(key), now, {}});
        entry = recent_.begin();
        by_key_.emplace(entry->key, entry);
    }

    auto& times = entry->times;
    // Threads may hand in times slightly out of order, so prune by value, not by position.
    std::erase_if(times, [&](Clock::time_point time) { return now - time >= limits_.window; });
    const bool allowed = times.size() < limits_.max_comments;
    if (!allowed && !times.empty()) {
        // A refused attempt counts too, in place of the oldest one: the memory per address
        // stays at max_comments and a sender that keeps trying stays refused.
        times.erase(std::min_element(times.begin(), times.end()));
    }
    if (limits_.max_comments > 0) times.push_back(now);
    entry->last = std::max(entry->last, now);
    return allowed;
}

std::size_t RateLimit::tracked_addresses() const {
    std::scoped_lock lock(mutex_);
    return by_key_.size();
}

void RateLimit::forget_quiet(Clock::time_point now) {
    // The list is ordered by last attempt (up to small races between threads), so the quiet
    // addresses sit at its end.
    while (!recent_.empty() && now - recent_.back().last >= limits_.window) {
        by_key_.erase(recent_.back().key);
        recent_.pop_back();
    }
}

}  // namespace carnet::comments
