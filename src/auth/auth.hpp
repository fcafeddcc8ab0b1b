// Secrets: password hashes (Argon2id through libsodium) and random tokens.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "text/error.hpp"

namespace carnet::auth {

// An Argon2id hash in libsodium's encoded form (it carries its own salt and costs). Fails
// for an empty password or one over 4096 bytes, or when the system is out of memory.
[[nodiscard]] Result<std::string> hash_password(std::string_view password);

// True when `password` matches `encoded_hash`. Takes the time the hash's costs say.
bool verify_password(std::string_view encoded_hash, std::string_view password);

// `bytes` random bytes from the system's CSPRNG, as lower-case hex.
std::string random_token(std::size_t bytes = 32);

// A hash of a token, as lower-case hex (BLAKE2b through libsodium): what the database keeps
// of session tokens, so that a copy of the database does not hand out live sessions.
std::string hash_token(std::string_view token);

// Compares two secrets in time that does not depend on where they differ.
bool secrets_equal(std::string_view a, std::string_view b);

// Growing delays after failed logins, counted per account and per client address, so that
// guessing passwords gets slow whichever of the two an attacker varies. The first few
// failures cost nothing (people mistype); after that each failure doubles the wait, up to
// `max_delay`. Thread-safe; memory stays bounded by forgetting quiet entries.
// Where a LoginThrottle also keeps its counts, so that every process serving one database
// counts the same guesses (the server hands it one on the store). Keys are opaque. While the
// ledger answers, its counts are the throttle's; a ledger that cannot answer (an error, false)
// leaves the throttle its own memory, which it keeps all along: a database hiccup never opens
// the door wider than one process's count.
class ThrottleLedger {
public:
    struct Entry {
        int count = 0;
        std::chrono::sys_seconds last{};
    };
    virtual ~ThrottleLedger() = default;
    // The key's entry (nullopt: none); an error when the ledger cannot tell.
    virtual Result<std::optional<Entry>> find(std::string_view key) = 0;
    // One more failure at `now`; keys quiet since `forget_before` may be forgotten meanwhile.
    virtual bool add_failure(std::string_view key, std::chrono::sys_seconds now,
                             std::chrono::sys_seconds forget_before) = 0;
    virtual bool clear(std::string_view key) = 0;
};

class LoginThrottle {
public:
    // The injected clock's time (carnet::Clock::now()), so that tests set it.
    using TimePoint = std::chrono::sys_seconds;
    using Duration = std::chrono::seconds;

    struct Limits {
        int free_failures = 3;
        std::chrono::seconds first_delay{1};
        std::chrono::seconds max_delay{15 * 60};
        std::chrono::seconds forget_after{60 * 60};  // of quiet
        std::size_t max_entries = 100'000;
    };

    LoginThrottle() = default;
    explicit LoginThrottle(Limits limits, std::shared_ptr<ThrottleLedger> ledger = nullptr)
        : limits_(limits), ledger_(std::move(ledger)) {}

    // How long the client must wait before its next try is even checked; zero when it may
    // try now. The same answer whether or not the account exists.
    Duration retry_after(std::string_view account, std::string_view address, TimePoint now) const;

    void record_failure(std::string_view account, std::string_view address, TimePoint now);

    // A successful login clears the account's count, not the address's: one good password
    // must not reset the count of an address that tries many accounts.
    void record_success(std::string_view account);

private:
    struct Failures {
        int count = 0;
        TimePoint last;
    };
    Duration wait_for(const Failures& failures, TimePoint now) const;
    void forget_quiet(TimePoint now);

    Limits limits_;
    std::shared_ptr<ThrottleLedger> ledger_;
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Failures> by_account_;
    std::unordered_map<std::string, Failures> by_address_;
};

}  // namespace carnet::auth
