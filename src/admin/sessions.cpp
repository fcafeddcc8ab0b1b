// The admin's sessions: http's Sessions, kept in the store (so that every node serving the
// blog knows every session), and the lookup of the user a request's session belongs to.
#include "admin/admin_impl.hpp"

namespace carnet::admin {

Result<std::optional<http::SessionRecord>> StoreSessionKeeper::find_session(
    std::string_view token_hash, std::chrono::sys_seconds now) {
    auto found = store_.sessions().find_session(token_hash, now);
    if (!found) return std::unexpected(found.error());
    if (!*found) return std::nullopt;
    auto& session = **found;
    return http::SessionRecord{session.user_id, std::move(session.csrf_secret), session.expires_at};
}

Status StoreSessionKeeper::create_session(std::string_view token_hash,
                                          const http::SessionRecord& record) {
    const store::Session session{record.user_id, record.csrf_secret, record.expires_at};
    return store_.write([&](store::Writer& writer) {
        return writer.sessions().create_session(token_hash, session);
    });
}

Status StoreSessionKeeper::delete_session(std::string_view token_hash) {
    return store_.write(
        [&](store::Writer& writer) { return writer.sessions().delete_session(token_hash); });
}

std::optional<Visitor> AdminImpl::current_visitor(const Request& request) {
    auto session = sessions_.current(request);
    if (!session) return std::nullopt;
    auto user = store_.accounts().find_user(session->record.user_id);
    if (!user || !*user) return std::nullopt;
    return Visitor{std::move(**user), std::move(*session)};
}

}  // namespace carnet::admin
