// ActivityPub's state: followers, blocks, the objects posts were published as, remote notes
// and the reactions to posts.
#include <fmt/format.h>

#include <cctype>
#include <map>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using namespace rows;

// The SQL of these concerns, which the classes below forward to.
namespace queries {

constexpr std::string_view k_follower_columns =
    "id, blog_id, actor, inbox, shared_inbox, follow_id, handle, state, created_at";

std::string_view state_name(FollowerState state) {
    return state == FollowerState::pending ? "pending" : "accepted";
}

template <typename Statement>
Follower follower_of(const Statement& row) {
    return Follower{
        .id = row.column_int(0),
        .blog_id = row.column_int(1),
        .actor = row.column_text(2),
        .inbox = row.column_text(3),
        .shared_inbox = row.column_text(4),
        .follow_id = row.column_text(5),
        .handle = row.column_text(6),
        .state = row.column_text(7) == "pending" ? FollowerState::pending : FollowerState::accepted,
        .created_at = instant_of(row.column_int(8))};
}

// The lower-case host of an actor's URI, for blocking by domain.
std::string host_of(std::string_view uri) {
    const auto scheme_end = uri.find("://");
    auto rest = scheme_end == std::string_view::npos ? uri : uri.substr(scheme_end + 3);
    rest = rest.substr(0, rest.find_first_of("/?#"));
    if (const auto at = rest.rfind('@'); at != std::string_view::npos) rest.remove_prefix(at + 1);
    if (!rest.starts_with('[')) rest = rest.substr(0, rest.find(':'));
    std::string host(rest);
    for (auto& c : host) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return host;
}

template <typename Connection>
Result<FollowerPage> followers(Connection& db, std::int64_t blog_id, FollowerState state,
                               int offset, int limit) {
    FollowerPage page;
    CARNET_TRY(count, db.prepare("SELECT count(*) FROM followers WHERE blog_id = ?1 AND "
                                 "state = ?2"));
    count->bind(1, blog_id).bind(2, state_name(state));
    CARNET_TRY(counted, count->step());
    page.total = counted ? count->column_int(0) : 0;
    count->reset();
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM followers WHERE blog_id = ?1 AND "
                                                 "state = ?2 ORDER BY created_at DESC, id DESC "
                                                 "LIMIT ?3 OFFSET ?4",
                                                 k_follower_columns)));
    statement->bind(1, blog_id)
        .bind(2, state_name(state))
        .bind(3, static_cast<std::int64_t>(limit))
        .bind(4, static_cast<std::int64_t>(offset));
    CARNET_CHECK(for_each_row(
        *statement, [&](const auto& row) { page.followers.push_back(follower_of(row)); }));
    return page;
}

template <typename Connection>
Result<std::optional<Follower>> find_follower(Connection& db, std::int64_t blog_id,
                                              std::string_view actor) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM followers WHERE blog_id = ?1 "
                                                 "AND actor = ?2",
                                                 k_follower_columns)));
    statement->bind(1, blog_id).bind(2, actor);
    std::optional<Follower> found;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) { found = follower_of(row); }));
    return found;
}

template <typename Connection>
Result<std::vector<std::string>> delivery_inboxes(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement,
               db.prepare("SELECT DISTINCT CASE WHEN shared_inbox = '' THEN inbox ELSE "
                          "shared_inbox END AS target FROM followers WHERE blog_id = ?1 AND "
                          "state = 'accepted' ORDER BY target"));
    statement->bind(1, blog_id);
    std::vector<std::string> inboxes;
    CARNET_CHECK(
        for_each_row(*statement, [&](const auto& row) { inboxes.push_back(row.column_text(0)); }));
    return inboxes;
}

template <typename Connection>
Result<bool> is_blocked(Connection& db, std::int64_t blog_id, std::string_view actor,
                        std::string_view host) {
    CARNET_TRY(statement, db.prepare("SELECT count(*) FROM federation_blocks WHERE blog_id = ?1 "
                                     "AND target IN (?2, ?3)"));
    statement->bind(1, blog_id).bind(2, actor).bind(3, host);
    CARNET_TRY(has_row, statement->step());
    const bool blocked = has_row && statement->column_int(0) > 0;
    statement->reset();
    return blocked;
}

template <typename Connection>
Result<std::vector<std::string>> blocks(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare("SELECT target FROM federation_blocks WHERE blog_id = ?1 "
                                     "ORDER BY target"));
    statement->bind(1, blog_id);
    std::vector<std::string> targets;
    CARNET_CHECK(
        for_each_row(*statement, [&](const auto& row) { targets.push_back(row.column_text(0)); }));
    return targets;
}

template <typename Connection>
Status save_follower(Connection& db, const Follower& follower, model::Instant now) {
    if (follower.actor.empty() || follower.inbox.empty()) {
        return model::fail(Error::Code::invalid_input, "a follower needs an actor and an inbox");
    }
    CARNET_TRY(statement,
               db.prepare("INSERT INTO followers (blog_id, actor, domain, inbox, shared_inbox, "
                          "follow_id, handle, state, created_at) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) "
                          "ON CONFLICT (blog_id, actor) DO UPDATE SET inbox = excluded.inbox, "
                          "shared_inbox = excluded.shared_inbox, follow_id = excluded.follow_id, "
                          "handle = excluded.handle, state = excluded.state"));
    statement->bind(1, follower.blog_id)
        .bind(2, follower.actor)
        .bind(3, host_of(follower.actor))
        .bind(4, follower.inbox)
        .bind(5, follower.shared_inbox)
        .bind(6, follower.follow_id)
        .bind(7, follower.handle)
        .bind(8, state_name(follower.state))
        .bind(9, seconds_of(follower.created_at == model::Instant{} ? now : follower.created_at));
    return statement->run();
}

template <typename Connection>
Status set_follower_state(Connection& db, std::int64_t blog_id, std::string_view actor,
                          FollowerState state) {
    CARNET_TRY(statement, db.prepare("UPDATE followers SET state = ?3 WHERE blog_id = ?1 AND "
                                     "actor = ?2"));
    statement->bind(1, blog_id).bind(2, actor).bind(3, state_name(state));
    CARNET_CHECK(statement->run());
    if (changes(db) == 0) {
        return model::fail(Error::Code::not_found,
                           fmt::format("{} does not follow this blog", actor));
    }
    return {};
}

template <typename Connection>
Result<int> remove_where(Connection& db, std::string_view condition, std::int64_t blog_id,
                         std::string_view value) {
    CARNET_TRY(statement, db.prepare(fmt::format("DELETE FROM followers WHERE blog_id = ?1 AND "
                                                 "({})",
                                                 condition)));
    statement->bind(1, blog_id).bind(2, value);
    CARNET_CHECK(statement->run());
    return changes(db);
}

template <typename Connection>
Result<int> block(Connection& db, std::int64_t blog_id, std::string_view target,
                  model::Instant now) {
    if (target.empty()) return model::fail(Error::Code::invalid_input, "nothing to block");
    CARNET_TRY(statement, db.prepare("INSERT INTO federation_blocks (blog_id, target, created_at) "
                                     "VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING"));
    statement->bind(1, blog_id).bind(2, target).bind(3, seconds_of(now));
    CARNET_CHECK(statement->run());
    return remove_where(db, "actor = ?2 OR domain = ?2", blog_id, target);
}

template <typename Connection>
Status unblock(Connection& db, std::int64_t blog_id, std::string_view target) {
    CARNET_TRY(statement,
               db.prepare("DELETE FROM federation_blocks WHERE blog_id = ?1 AND target = ?2"));
    statement->bind(1, blog_id).bind(2, target);
    return statement->run();
}

template <typename Connection>
Result<std::string> federated_object(Connection& db, std::int64_t blog_id, std::int64_t post_id) {
    CARNET_TRY(statement, db.prepare("SELECT object_id FROM federated_posts WHERE blog_id = ?1 "
                                     "AND post_id = ?2"));
    statement->bind(1, blog_id).bind(2, post_id);
    std::string object_id;
    CARNET_CHECK(
        for_each_row(*statement, [&](const auto& row) { object_id = row.column_text(0); }));
    return object_id;
}

template <typename Connection>
Status set_federated_object(Connection& db, std::int64_t blog_id, std::int64_t post_id,
                            std::string_view object_id) {
    if (object_id.empty()) {
        CARNET_TRY(statement, db.prepare("DELETE FROM federated_posts WHERE blog_id = ?1 AND "
                                         "post_id = ?2"));
        statement->bind(1, blog_id).bind(2, post_id);
        return statement->run();
    }
    CARNET_TRY(statement, db.prepare("INSERT INTO federated_posts (blog_id, post_id, object_id) "
                                     "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, post_id) DO "
                                     "UPDATE SET object_id = excluded.object_id"));
    statement->bind(1, blog_id).bind(2, post_id).bind(3, object_id);
    return statement->run();
}

template <typename Connection>
Result<bool> has_approved_reply_from(Connection& db, std::int64_t blog_id, std::string_view actor) {
    CARNET_TRY(statement, db.prepare("SELECT 1 FROM remote_notes n JOIN comments c "
                                     "ON c.id = n.comment_id WHERE n.blog_id = ?1 AND n.actor = ?2 "
                                     "AND c.status = 'approved' LIMIT 1"));
    statement->bind(1, blog_id).bind(2, actor);
    bool found = false;
    CARNET_CHECK(for_each_row(*statement, [&](const auto&) { found = true; }));
    return found;
}

std::string_view reaction_name(ReactionKind kind) {
    return kind == ReactionKind::announce ? "announce" : "like";
}

template <typename Connection>
Result<std::optional<RemoteNote>> find_note(Connection& db, std::int64_t blog_id,
                                            std::string_view note_id) {
    CARNET_TRY(statement, db.prepare("SELECT blog_id, post_id, note_id, actor, comment_id FROM "
                                     "remote_notes WHERE blog_id = ?1 AND note_id = ?2"));
    statement->bind(1, blog_id).bind(2, note_id);
    std::optional<RemoteNote> found;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) {
        found = RemoteNote{.blog_id = row.column_int(0),
                           .post_id = row.column_int(1),
                           .note_id = row.column_text(2),
                           .actor = row.column_text(3),
                           .comment_id = row.column_int(4)};
    }));
    return found;
}

template <typename Connection>
Status save_note(Connection& db, const RemoteNote& note) {
    if (note.note_id.empty() || note.actor.empty() || note.comment_id == 0) {
        return model::fail(Error::Code::invalid_input,
                           "a reply needs its note's id, its actor and its comment");
    }
    CARNET_TRY(statement,
               db.prepare("INSERT INTO remote_notes (blog_id, note_id, actor, post_id, comment_id) "
                          "VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (blog_id, note_id) DO UPDATE "
                          "SET actor = excluded.actor, post_id = excluded.post_id, "
                          "comment_id = excluded.comment_id"));
    statement->bind(1, note.blog_id)
        .bind(2, note.note_id)
        .bind(3, note.actor)
        .bind(4, note.post_id)
        .bind(5, note.comment_id);
    return statement->run();
}

// A reactions row's count, as a like or a share.
void count_reaction(std::string_view kind, int count, ReactionCounts& counts) {
    if (kind == "announce") {
        counts.shares = count;
    } else {
        counts.likes = count;
    }
}

template <typename Connection>
Result<ReactionCounts> reaction_counts(Connection& db, std::int64_t blog_id, std::int64_t post_id) {
    CARNET_TRY(statement, db.prepare("SELECT kind, count(*) FROM reactions WHERE blog_id = ?1 AND "
                                     "post_id = ?2 GROUP BY kind"));
    statement->bind(1, blog_id).bind(2, post_id);
    ReactionCounts counts;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) {
        count_reaction(row.column_text(0), static_cast<int>(row.column_int(1)), counts);
    }));
    return counts;
}

// Every post's counts in one query: what a static build needs to know which post pages
// changed, without one query per post.
template <typename Connection>
Result<std::map<std::int64_t, ReactionCounts>> reaction_counts_by_post(Connection& db,
                                                                       std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare("SELECT post_id, kind, count(*) FROM reactions "
                                     "WHERE blog_id = ?1 GROUP BY post_id, kind"));
    statement->bind(1, blog_id);
    std::map<std::int64_t, ReactionCounts> counts;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) {
        count_reaction(row.column_text(1), static_cast<int>(row.column_int(2)),
                       counts[row.column_int(0)]);
    }));
    return counts;
}

template <typename Connection>
Result<bool> add_reaction(Connection& db, const Reaction& reaction, model::Instant now) {
    if (reaction.actor.empty()) {
        return model::fail(Error::Code::invalid_input, "a reaction needs an actor");
    }
    CARNET_TRY(post, find_post_by_id(db, reaction.blog_id, reaction.post_id));
    if (!post) {
        return model::fail(Error::Code::not_found,
                           fmt::format("no post {} in this blog", reaction.post_id));
    }
    CARNET_TRY(known, db.prepare("SELECT count(*) FROM reactions WHERE blog_id = ?1 AND "
                                 "post_id = ?2 AND actor = ?3 AND kind = ?4"));
    known->bind(1, reaction.blog_id)
        .bind(2, reaction.post_id)
        .bind(3, reaction.actor)
        .bind(4, reaction_name(reaction.kind));
    CARNET_TRY(has_row, known->step());
    const bool is_new = !has_row || known->column_int(0) == 0;
    known->reset();
    CARNET_TRY(
        statement,
        db.prepare("INSERT INTO reactions (blog_id, post_id, actor, kind, activity_id, "
                   "created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (blog_id, "
                   "post_id, actor, kind) DO UPDATE SET activity_id = excluded.activity_id"));
    statement->bind(1, reaction.blog_id)
        .bind(2, reaction.post_id)
        .bind(3, reaction.actor)
        .bind(4, reaction_name(reaction.kind))
        .bind(5, reaction.activity_id)
        .bind(6, seconds_of(now));
    CARNET_CHECK(statement->run());
    return is_new;
}

template <typename Connection>
Result<bool> remove_reaction(Connection& db, std::int64_t blog_id, std::string_view actor,
                             std::string_view activity_id) {
    if (activity_id.empty()) return false;
    CARNET_TRY(statement, db.prepare("DELETE FROM reactions WHERE blog_id = ?1 AND actor = ?2 "
                                     "AND activity_id = ?3"));
    statement->bind(1, blog_id).bind(2, actor).bind(3, activity_id);
    CARNET_CHECK(statement->run());
    return changes(db) > 0;
}

}  // namespace queries

}  // namespace

template <typename Backend>
Result<FollowerPage> FederationStoreFor<Backend>::followers(std::int64_t blog_id,
                                                            FollowerState state, int offset,
                                                            int limit) {
    return database_.read(
        [&](auto& db) { return queries::followers(db, blog_id, state, offset, limit); });
}

template <typename Backend>
Result<std::optional<Follower>> FederationStoreFor<Backend>::find_follower(std::int64_t blog_id,
                                                                           std::string_view actor) {
    return database_.read([&](auto& db) { return queries::find_follower(db, blog_id, actor); });
}

template <typename Backend>
Result<std::vector<std::string>> FederationStoreFor<Backend>::delivery_inboxes(
    std::int64_t blog_id) {
    return database_.read([&](auto& db) { return queries::delivery_inboxes(db, blog_id); });
}

template <typename Backend>
Result<bool> FederationStoreFor<Backend>::is_blocked(std::int64_t blog_id, std::string_view actor,
                                                     std::string_view host) {
    return database_.read([&](auto& db) { return queries::is_blocked(db, blog_id, actor, host); });
}

template <typename Backend>
Result<std::vector<std::string>> FederationStoreFor<Backend>::blocks(std::int64_t blog_id) {
    return database_.read([&](auto& db) { return queries::blocks(db, blog_id); });
}

template <typename Backend>
Result<std::optional<RemoteNote>> FederationStoreFor<Backend>::find_note(std::int64_t blog_id,
                                                                         std::string_view note_id) {
    return database_.read([&](auto& db) { return queries::find_note(db, blog_id, note_id); });
}

template <typename Backend>
Result<ReactionCounts> FederationStoreFor<Backend>::reaction_counts(std::int64_t blog_id,
                                                                    std::int64_t post_id) {
    return database_.read([&](auto& db) { return queries::reaction_counts(db, blog_id, post_id); });
}

template <typename Backend>
Result<bool> FederationStoreFor<Backend>::has_approved_reply_from(std::int64_t blog_id,
                                                                  std::string_view actor) {
    return database_.read(
        [&](auto& db) { return queries::has_approved_reply_from(db, blog_id, actor); });
}

template <typename Backend>
Result<std::map<std::int64_t, ReactionCounts>> FederationStoreFor<Backend>::reaction_counts_by_post(
    std::int64_t blog_id) {
    return database_.read([&](auto& db) { return queries::reaction_counts_by_post(db, blog_id); });
}

template <typename Backend>
Status FederationWriterFor<Backend>::save_follower(const Follower& follower) {
    transaction_.touched_blogs_around_contents.insert(follower.blog_id);
    return queries::save_follower(transaction_.db, follower, transaction_.clock.now());
}

template <typename Backend>
Result<std::optional<Follower>> FederationWriterFor<Backend>::find_follower(
    std::int64_t blog_id, std::string_view actor) {
    return queries::find_follower(transaction_.db, blog_id, actor);
}

template <typename Backend>
Status FederationWriterFor<Backend>::set_follower_state(std::int64_t blog_id,
                                                        std::string_view actor,
                                                        FollowerState state) {
    transaction_.touched_blogs_around_contents.insert(blog_id);
    return queries::set_follower_state(transaction_.db, blog_id, actor, state);
}

template <typename Backend>
Result<bool> FederationWriterFor<Backend>::remove_follower(std::int64_t blog_id,
                                                           std::string_view actor) {
    transaction_.touched_blogs_around_contents.insert(blog_id);
    CARNET_TRY(removed, queries::remove_where(transaction_.db, "actor = ?2", blog_id, actor));
    return removed > 0;
}

template <typename Backend>
Result<int> FederationWriterFor<Backend>::remove_followers_at(std::int64_t blog_id,
                                                              std::string_view inbox) {
    transaction_.touched_blogs_around_contents.insert(blog_id);
    return queries::remove_where(transaction_.db, "inbox = ?2 OR shared_inbox = ?2", blog_id,
                                 inbox);
}

template <typename Backend>
Result<int> FederationWriterFor<Backend>::block(std::int64_t blog_id, std::string_view target) {
    transaction_.touched_blogs_around_contents.insert(blog_id);
    return queries::block(transaction_.db, blog_id, target, transaction_.clock.now());
}

template <typename Backend>
Status FederationWriterFor<Backend>::unblock(std::int64_t blog_id, std::string_view target) {
    transaction_.touched_blogs_around_contents.insert(blog_id);
    return queries::unblock(transaction_.db, blog_id, target);
}

template <typename Backend>
Result<std::string> FederationWriterFor<Backend>::federated_object(std::int64_t blog_id,
                                                                   std::int64_t post_id) {
    return queries::federated_object(transaction_.db, blog_id, post_id);
}

template <typename Backend>
Status FederationWriterFor<Backend>::set_federated_object(std::int64_t blog_id,
                                                          std::int64_t post_id,
                                                          std::string_view object_id) {
    return queries::set_federated_object(transaction_.db, blog_id, post_id, object_id);
}

template <typename Backend>
Status FederationWriterFor<Backend>::save_note(const RemoteNote& note) {
    return queries::save_note(transaction_.db, note);
}

template <typename Backend>
Result<std::optional<RemoteNote>> FederationWriterFor<Backend>::find_note(
    std::int64_t blog_id, std::string_view note_id) {
    return queries::find_note(transaction_.db, blog_id, note_id);
}

template <typename Backend>
Result<bool> FederationWriterFor<Backend>::add_reaction(const Reaction& reaction) {
    transaction_.touched_blogs_around_contents.insert(reaction.blog_id);
    return queries::add_reaction(transaction_.db, reaction, transaction_.clock.now());
}

template <typename Backend>
Result<bool> FederationWriterFor<Backend>::remove_reaction(std::int64_t blog_id,
                                                           std::string_view actor,
                                                           std::string_view activity_id) {
    CARNET_TRY(removed, queries::remove_reaction(transaction_.db, blog_id, actor, activity_id));
    if (removed) transaction_.touched_blogs_around_contents.insert(blog_id);
    return removed;
}

template class FederationStoreFor<SqliteBackend>;
template class FederationStoreFor<PgBackend>;
template class FederationWriterFor<SqliteBackend>;
template class FederationWriterFor<PgBackend>;

}  // namespace carnet::store::sql
