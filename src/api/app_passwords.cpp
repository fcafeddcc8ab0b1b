// Application passwords: made here, shown once, kept as a hash by the store.
#include "api/api.hpp"
#include "auth/auth.hpp"

namespace carnet::api {

model::Result<std::string> create_app_password(store::Store& store, std::int64_t user_id,
                                               std::string_view name) {
    // 192 bits, in hex: nothing to guess, and nothing a client's form could mangle.
    auto password = auth::random_token(24);
    const auto hash = auth::hash_token(password);
    auto written = store.write([&](store::Writer& writer) -> model::Status {
        auto created = writer.app_passwords().create_app_password(user_id, name, hash);
        if (!created) return std::unexpected(created.error());
        return {};
    });
    if (!written) return std::unexpected(written.error());
    return password;
}

}  // namespace carnet::api
