#include "auth/auth.hpp"

#include <sodium.h>

#include <algorithm>
#include <string>
#include <vector>

namespace carnet::auth {
namespace {

constexpr std::size_t k_max_password_bytes = 4096;

// sodium_init is idempotent and thread-safe; calling it before every use saves callers
// from remembering a global initialisation step.
bool sodium_ready() { return sodium_init() >= 0; }

}  // namespace

Result<std::string> hash_password(std::string_view password) {
    if (password.empty() || password.size() > k_max_password_bytes) {
        return fail(Error::Code::invalid_input, "a password must hold between 1 and 4096 bytes");
    }
    if (!sodium_ready()) return fail(Error::Code::internal, "libsodium failed to start");
    std::string encoded(crypto_pwhash_STRBYTES, '\0');
    // The interactive limits are libsodium's recommendation for online logins.
    if (crypto_pwhash_str_alg(
            encoded.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return fail(Error::Code::internal, "out of memory while hashing a password");
    }
    encoded.resize(encoded.find('\0'));
    return encoded;
}

bool verify_password(std::string_view encoded_hash, std::string_view password) {
    if (!sodium_ready() || encoded_hash.size() >= crypto_pwhash_STRBYTES) return false;
    std::string terminated(encoded_hash);  // libsodium wants a NUL-terminated string
    return crypto_pwhash_str_verify(terminated.c_str(), password.data(), password.size()) == 0;
}

std::string random_token(std::size_t bytes) {
    if (!sodium_ready()) std::abort();  // no randomness: nothing safe can be done
    std::vector<unsigned char> random(bytes);
    randombytes_buf(random.data(), random.size());
    std::string hex(bytes * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), random.data(), random.size());
    hex.pop_back();
    return hex;
}

std::string hash_token(std::string_view token) {
    if (!sodium_ready()) std::abort();
    unsigned char digest[crypto_generichash_BYTES];
    crypto_generichash(digest, sizeof digest, reinterpret_cast<const unsigned char*>(token.data()),
                       token.size(), nullptr, 0);
    std::string hex(sizeof digest * 2 + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), digest, sizeof digest);
    hex.pop_back();
    return hex;
}

bool secrets_equal(std::string_view a, std::string_view b) {
    // Comparing fixed-size digests keeps the time independent of the secrets' lengths too.
    const auto digest_a = hash_token(a);
    const auto digest_b = hash_token(b);
    return sodium_memcmp(digest_a.data(), digest_b.data(), digest_a.size()) == 0;
}

LoginThrottle::Duration LoginThrottle::wait_for(const Failures& failures, TimePoint now) const {
    if (failures.count <= limits_.free_failures) return Duration::zero();
    const int doublings = std::min(failures.count - limits_.free_failures - 1, 20);
    const auto delay =
        std::min<Duration>(limits_.first_delay * (1LL << doublings), limits_.max_delay);
    const auto allowed_at = failures.last + delay;
    return allowed_at > now ? allowed_at - now : Duration::zero();
}

namespace {

std::string account_key(std::string_view account) { return "account " + std::string(account); }
std::string address_key(std::string_view address) { return "address " + std::string(address); }

}  // namespace

LoginThrottle::Duration LoginThrottle::retry_after(std::string_view account,
                                                   std::string_view address, TimePoint now) const {
    Duration wait = Duration::zero();
    if (ledger_) {
        auto by_account = ledger_->find(account_key(account));
        auto by_address = ledger_->find(address_key(address));
        if (by_account && by_address) {
            for (const auto& entry : {*by_account, *by_address}) {
                if (entry)
                    wait = std::max(wait, wait_for(Failures{entry->count, entry->last}, now));
            }
            return wait;
        }
    }
    std::scoped_lock lock(mutex_);
    if (auto found = by_account_.find(std::string(account)); found != by_account_.end()) {
        wait = std::max(wait, wait_for(found->second, now));
    }
    if (auto found = by_address_.find(std::string(address)); found != by_address_.end()) {
        wait = std::max(wait, wait_for(found->second, now));
    }
    return wait;
}

void LoginThrottle::record_failure(std::string_view account, std::string_view address,
                                   TimePoint now) {
    if (ledger_) {
        const auto forget_before = now - limits_.forget_after;
        (void)ledger_->add_failure(account_key(account), now, forget_before);
        (void)ledger_->add_failure(address_key(address), now, forget_before);
    }
    std::scoped_lock lock(mutex_);
    if (by_account_.size() + by_address_.size() >= limits_.max_entries) forget_quiet(now);
    for (auto* table : {&by_account_, &by_address_}) {
        auto& failures = (*table)[std::string(table == &by_account_ ? account : address)];
        ++failures.count;
        failures.last = now;
    }
}

void LoginThrottle::record_success(std::string_view account) {
    if (ledger_) (void)ledger_->clear(account_key(account));
    std::scoped_lock lock(mutex_);
    by_account_.erase(std::string(account));
}

void LoginThrottle::forget_quiet(TimePoint now) {
    for (auto* table : {&by_account_, &by_address_}) {
        std::erase_if(*table, [&](const auto& entry) {
            return now - entry.second.last > limits_.forget_after;
        });
    }
}

}  // namespace carnet::auth
