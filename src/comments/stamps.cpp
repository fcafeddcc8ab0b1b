#include <fmt/format.h>
#include <sodium.h>

#include <charconv>
#include <cstdlib>

#include "comments/comments.hpp"

namespace carnet::comments {
namespace {

static_assert(FormStamps::key_bytes == crypto_auth_KEYBYTES);

constexpr std::size_t k_mac_hex_chars = crypto_auth_BYTES * 2;
// Decimal digits of the largest int64_t; longer time fields are not ours.
constexpr std::size_t k_max_time_digits = 19;

// sodium_init is idempotent and thread-safe. Without it libsodium has no safe randomness,
// and nothing sensible can be done about that at run time.
void require_sodium() {
    if (sodium_init() < 0) std::abort();
}

// What the MAC covers. The label keeps a MAC made with this key for another purpose from
// passing as a stamp; the separators keep (time, post) pairs from running into each other.
std::string mac_message(std::int64_t issued, std::int64_t post_id) {
    return fmt::format("carnet comment stamp 1|{}|{}", issued, post_id);
}

const unsigned char* as_bytes(const std::string& text) {
    return reinterpret_cast<const unsigned char*>(text.data());
}

}  // namespace

std::string_view to_string(StampCheck check) {
    switch (check) {
        case StampCheck::valid:
            return "valid";
        case StampCheck::too_fast:
            return "too_fast";
        case StampCheck::too_old:
            return "too_old";
        case StampCheck::forged:
            return "forged";
        case StampCheck::malformed:
            return "malformed";
    }
    return "malformed";
}

FormStamps::FormStamps(const Key& key, StampLimits limits) : key_(key), limits_(limits) {
    require_sodium();
}

FormStamps FormStamps::with_random_key(StampLimits limits) {
    require_sodium();
    Key key;
    crypto_auth_keygen(key.data());
    FormStamps stamps(key, limits);
    sodium_memzero(key.data(), key.size());
    return stamps;
}

std::optional<FormStamps> FormStamps::with_hex_key(std::string_view hex, StampLimits limits) {
    require_sodium();
    Key key;
    std::size_t length = 0;
    if (hex.size() != 2 * key_bytes ||
        sodium_hex2bin(key.data(), key.size(), hex.data(), hex.size(), nullptr, &length, nullptr) !=
            0 ||
        length != key_bytes) {
        return std::nullopt;
    }
    FormStamps stamps(key, limits);
    sodium_memzero(key.data(), key.size());
    return stamps;
}

std::string FormStamps::random_hex_key() {
    require_sodium();
    Key key;
    crypto_auth_keygen(key.data());
    std::string hex(2 * key_bytes + 1, '\0');
    sodium_bin2hex(hex.data(), hex.size(), key.data(), key.size());
    sodium_memzero(key.data(), key.size());
    hex.pop_back();
    return hex;
}

std::string FormStamps::make_stamp(std::int64_t post_id, model::Instant now) const {
    const std::int64_t issued = now.time_since_epoch().count();
    const auto message = mac_message(issued, post_id);
    unsigned char mac[crypto_auth_BYTES];
    crypto_auth(mac, as_bytes(message), message.size(), key_.data());
    char hex[k_mac_hex_chars + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    return fmt::format("{}.{}", issued, std::string_view(hex, k_mac_hex_chars));
}

StampCheck FormStamps::check_stamp(std::string_view stamp, std::int64_t post_id,
                                   model::Instant now) const {
    const auto dot = stamp.find('.');
    if (dot == std::string_view::npos) return StampCheck::malformed;
    const auto time_text = stamp.substr(0, dot);
    const auto mac_text = stamp.substr(dot + 1);

    // Digits only, no sign, no leading zero: one time has one spelling.
    if (time_text.empty() || time_text.size() > k_max_time_digits ||
        (time_text.size() > 1 && time_text.front() == '0')) {
        return StampCheck::malformed;
    }
    std::int64_t issued = 0;
    const auto [time_end, time_error] =
        std::from_chars(time_text.data(), time_text.data() + time_text.size(), issued);
    if (time_error != std::errc{} || time_end != time_text.data() + time_text.size() ||
        issued < 0) {
        return StampCheck::malformed;
    }

    if (mac_text.size() != k_mac_hex_chars) return StampCheck::malformed;
    unsigned char mac[crypto_auth_BYTES];
    std::size_t mac_length = 0;
    const char* mac_end = nullptr;
    if (sodium_hex2bin(mac, sizeof mac, mac_text.data(), mac_text.size(), nullptr, &mac_length,
                       &mac_end) != 0 ||
        mac_length != sizeof mac || mac_end != mac_text.data() + mac_text.size()) {
        return StampCheck::malformed;
    }

    const auto message = mac_message(issued, post_id);
    if (crypto_auth_verify(mac, as_bytes(message), message.size(), key_.data()) != 0) {
        return StampCheck::forged;
    }

    const std::int64_t now_seconds = now.time_since_epoch().count();
    // An authentic stamp from the future means a stolen key or nodes whose clocks disagree
    // by more than a reader takes to write; neither deserves the benefit of the doubt.
    if (issued > now_seconds) return StampCheck::forged;
    const std::int64_t age = now_seconds - issued;
    if (age < limits_.min_age.count()) return StampCheck::too_fast;
    if (age > limits_.max_age.count()) return StampCheck::too_old;
    return StampCheck::valid;
}

}  // namespace carnet::comments
