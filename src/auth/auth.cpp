#include "auth/auth.hpp"

#include <sodium.h>

#include <string>
#include <vector>

namespace carnet::auth {
namespace {

constexpr std::size_t k_max_password_bytes = 4096;

// sodium_init is idempotent and thread-safe; calling it before every use saves callers
// from remembering a global initialisation step.
bool sodium_ready() { return sodium_init() >= 0; }

}  // namespace

model::Result<std::string> hash_password(std::string_view password) {
    if (password.empty() || password.size() > k_max_password_bytes) {
        return model::fail(model::Error::Code::invalid_input,
                           "a password must hold between 1 and 4096 bytes");
    }
    if (!sodium_ready())
        return model::fail(model::Error::Code::internal, "libsodium failed to start");
    std::string encoded(crypto_pwhash_STRBYTES, '\0');
    // The interactive limits are libsodium's recommendation for online logins.
    if (crypto_pwhash_str_alg(
            encoded.data(), password.data(), password.size(), crypto_pwhash_OPSLIMIT_INTERACTIVE,
            crypto_pwhash_MEMLIMIT_INTERACTIVE, crypto_pwhash_ALG_ARGON2ID13) != 0) {
        return model::fail(model::Error::Code::internal, "out of memory while hashing a password");
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

}  // namespace carnet::auth
