// The durable job queue and Webmentions.
#include <fmt/format.h>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using namespace rows;

// The SQL of these concerns, which the classes below forward to.
namespace queries {

constexpr std::string_view k_job_columns =
    "id, blog_id, kind, payload, attempts, run_at, created_at, last_error";

template <typename Statement>
Job job_of(const Statement& row) {
    return Job{.id = row.column_int(0),
               .blog_id = row.column_int(1),
               .kind = row.column_text(2),
               .payload = row.column_text(3),
               .attempts = static_cast<int>(row.column_int(4)),
               .run_at = instant_of(row.column_int(5)),
               .created_at = instant_of(row.column_int(6)),
               .last_error = row.column_text(7)};
}

template <typename Connection>
Result<std::vector<Job>> pending_jobs(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM jobs WHERE blog_id = ?1 "
                                                 "ORDER BY run_at, id",
                                                 k_job_columns)));
    statement->bind(1, blog_id);
    std::vector<Job> jobs;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) { jobs.push_back(job_of(row)); }));
    return jobs;
}

template <typename Connection>
Result<std::int64_t> enqueue_job(Connection& db, const NewJob& job, model::Instant now) {
    // Queued again while a worker runs it, the job is freed too: that worker's completion no
    // longer removes it, so the newer request is not lost.
    CARNET_TRY(statement,
               db.prepare("INSERT INTO jobs (blog_id, kind, payload, job_key, run_at, created_at) "
                          "VALUES (?1, ?2, ?3, ?6, ?4, ?5) "
                          "ON CONFLICT (job_key) DO UPDATE SET "
                          "run_at = CASE WHEN excluded.run_at < jobs.run_at THEN excluded.run_at "
                          "ELSE jobs.run_at END, attempts = 0, "
                          "lease_owner = '', lease_until = 0 RETURNING id"));
    statement->bind(1, job.blog_id)
        .bind(2, job.kind)
        .bind(3, job.payload)
        .bind(4, seconds_of(job.run_at))
        .bind(5, seconds_of(now))
        .bind(6, job.kind + '\n' + job.payload);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return model::fail(Error::Code::database, "the job was not queued");
    const auto id = statement->column_int(0);
    statement->reset();
    return id;
}

template <typename Connection>
Result<std::optional<Job>> claim_job(Connection& db, std::string_view worker, model::Instant now,
                                     std::chrono::seconds lease) {
    CARNET_TRY(statement,
               db.prepare(fmt::format(
                   "UPDATE jobs SET lease_owner = ?1, "
                   "lease_until = CAST(?2 AS bigint) + CAST(?3 AS bigint), "
                   "attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE run_at <= ?2 "
                   "AND lease_until <= ?2 ORDER BY run_at, id LIMIT 1{}) RETURNING {}",
                   BackendOf<Connection>::skip_locked, k_job_columns)));
    statement->bind(1, worker).bind(2, seconds_of(now)).bind(3, std::int64_t{lease.count()});
    CARNET_TRY(has_row, statement->step());
    if (!has_row) {
        statement->reset();
        return std::optional<Job>();
    }
    auto job = job_of(*statement);
    statement->reset();
    return std::optional<Job>(std::move(job));
}

template <typename Connection>
Status complete_job(Connection& db, std::int64_t job_id, std::string_view worker) {
    CARNET_TRY(statement, db.prepare("DELETE FROM jobs WHERE id = ?1 AND lease_owner = ?2"));
    statement->bind(1, job_id).bind(2, worker);
    return statement->run();
}

template <typename Connection>
Status retry_job(Connection& db, std::int64_t job_id, std::string_view worker,
                 model::Instant run_at, std::string_view error) {
    CARNET_TRY(statement, db.prepare("UPDATE jobs SET run_at = ?3, lease_owner = '', "
                                     "lease_until = 0, last_error = ?4 "
                                     "WHERE id = ?1 AND lease_owner = ?2"));
    statement->bind(1, job_id).bind(2, worker).bind(3, seconds_of(run_at)).bind(4, error);
    return statement->run();
}

template <typename Connection>
Result<std::optional<Mention>> find_mention(Connection& db, std::int64_t blog_id,
                                            std::string_view source, std::string_view target) {
    CARNET_TRY(statement,
               db.prepare("SELECT post_id, comment_id, author_photo, updated_at FROM mentions "
                          "WHERE blog_id = ?1 AND source = ?2 AND target = ?3"));
    statement->bind(1, blog_id).bind(2, source).bind(3, target);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) {
        statement->reset();
        return std::optional<Mention>();
    }
    Mention mention{.blog_id = blog_id,
                    .post_id = statement->column_int(0),
                    .source = std::string(source),
                    .target = std::string(target),
                    .comment_id = statement->column_int(1),
                    .author_photo = statement->column_text(2),
                    .updated_at = instant_of(statement->column_int(3))};
    statement->reset();
    return std::optional<Mention>(std::move(mention));
}

template <typename Connection>
Status save_mention(Connection& db, const Mention& mention) {
    CARNET_TRY(
        statement,
        db.prepare("INSERT INTO mentions (blog_id, post_id, source, target, comment_id, "
                   "author_photo, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7) "
                   "ON CONFLICT (blog_id, source, target) DO UPDATE SET "
                   "post_id = excluded.post_id, comment_id = excluded.comment_id, "
                   "author_photo = excluded.author_photo, updated_at = excluded.updated_at"));
    statement->bind(1, mention.blog_id)
        .bind(2, mention.post_id)
        .bind(3, mention.source)
        .bind(4, mention.target)
        .bind(5, mention.comment_id)
        .bind(6, mention.author_photo)
        .bind(7, seconds_of(mention.updated_at));
    return statement->run();
}

}  // namespace queries

}  // namespace

template <typename Backend>
Result<std::vector<Job>> JobStoreFor<Backend>::pending_jobs(std::int64_t blog_id) {
    return database_.read([&](auto& db) { return queries::pending_jobs(db, blog_id); });
}

template <typename Backend>
Result<std::int64_t> JobWriterFor<Backend>::enqueue_job(const NewJob& job) {
    return queries::enqueue_job(transaction_.db, job, transaction_.clock.now());
}

template <typename Backend>
Result<std::optional<Job>> JobWriterFor<Backend>::claim_job(std::string_view worker,
                                                            model::Instant now,
                                                            std::chrono::seconds lease) {
    return queries::claim_job(transaction_.db, worker, now, lease);
}

template <typename Backend>
Status JobWriterFor<Backend>::complete_job(std::int64_t job_id, std::string_view worker) {
    return queries::complete_job(transaction_.db, job_id, worker);
}

template <typename Backend>
Status JobWriterFor<Backend>::retry_job(std::int64_t job_id, std::string_view worker,
                                        model::Instant run_at, std::string_view error) {
    return queries::retry_job(transaction_.db, job_id, worker, run_at, error);
}

template <typename Backend>
Result<std::optional<Mention>> MentionStoreFor<Backend>::find_mention(std::int64_t blog_id,
                                                                      std::string_view source,
                                                                      std::string_view target) {
    return database_.read(
        [&](auto& db) { return queries::find_mention(db, blog_id, source, target); });
}

template <typename Backend>
Status MentionWriterFor<Backend>::save_mention(const Mention& mention) {
    return queries::save_mention(transaction_.db, mention);
}

template <typename Backend>
Result<std::optional<Mention>> MentionWriterFor<Backend>::find_mention(std::int64_t blog_id,
                                                                       std::string_view source,
                                                                       std::string_view target) {
    return queries::find_mention(transaction_.db, blog_id, source, target);
}

template class JobStoreFor<SqliteBackend>;
template class JobStoreFor<PgBackend>;
template class JobWriterFor<SqliteBackend>;
template class JobWriterFor<PgBackend>;
template class MentionStoreFor<SqliteBackend>;
template class MentionStoreFor<PgBackend>;
template class MentionWriterFor<SqliteBackend>;
template class MentionWriterFor<PgBackend>;

}  // namespace carnet::store::sql
