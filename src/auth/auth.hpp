// Secrets: password hashes (Argon2id through libsodium) and random tokens.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "model/model.hpp"

namespace carnet::auth {

// An Argon2id hash in libsodium's encoded form (it carries its own salt and costs). Fails
// for an empty password or one over 4096 bytes, or when the system is out of memory.
model::Result<std::string> hash_password(std::string_view password);

// True when `password` matches `encoded_hash`. Takes the time the hash's costs say.
bool verify_password(std::string_view encoded_hash, std::string_view password);

// `bytes` random bytes from the system's CSPRNG, as lower-case hex.
std::string random_token(std::size_t bytes = 32);

}  // namespace carnet::auth
