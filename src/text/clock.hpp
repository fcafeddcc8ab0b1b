// Where carnet reads the time of day. Code that needs "now" (scheduled posts, session
// expiry, the Date header, Last-Modified) takes a Clock, so that tests set the time instead
// of sleeping.
#pragma once

#include <atomic>
#include <chrono>

namespace carnet {

class Clock {
public:
    virtual ~Clock() = default;
    // The current instant in UTC, to the second.
    virtual std::chrono::sys_seconds now() const = 0;
};

// The machine's clock.
class SystemClock final : public Clock {
public:
    std::chrono::sys_seconds now() const override {
        return std::chrono::floor<std::chrono::seconds>(std::chrono::system_clock::now());
    }
};

// A clock that shows what it was set to, for tests. Safe to read from any thread while a
// test moves it.
class ManualClock final : public Clock {
public:
    explicit ManualClock(std::chrono::sys_seconds start) : now_(start.time_since_epoch().count()) {}
    std::chrono::sys_seconds now() const override {
        return std::chrono::sys_seconds{std::chrono::seconds{now_.load()}};
    }
    void set(std::chrono::sys_seconds instant) { now_ = instant.time_since_epoch().count(); }
    void advance(std::chrono::seconds by) { now_ += by.count(); }

private:
    std::atomic<std::chrono::seconds::rep> now_;
};

}  // namespace carnet
