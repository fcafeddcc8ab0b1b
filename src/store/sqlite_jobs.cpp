#include <fmt/format.h>

#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using namespace rows;

// The SQL of these concerns, which the classes below forward to.
namespace sql {

constexpr std::string_view k_job_columns =
    "id, blog_id, kind, payload, attempts, run_at, created_at, last_error";

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

Result<std::vector<Job>> pending_jobs(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM jobs WHERE blog_id = ?1 "
                                                 "ORDER BY run_at, id",
                                                 k_job_columns)));
    statement->bind(1, blog_id);
    std::vector<Job> jobs;
    CARNET_CHECK(
        for_each_row(*statement, [&](const Statement& row) { jobs.push_back(job_of(row)); }));
    return jobs;
}

Result<std::int64_t> enqueue_job(Connection& db, const NewJob& job, model::Instant now) {
    // Queued again while a worker runs it, the job is freed too: that worker's completion no
    // longer removes it, so the newer request is not lost.
    CARNET_TRY(statement,
               db.prepare("INSERT INTO jobs (blog_id, kind, payload, job_key, run_at, created_at) "
                          "VALUES (?1, ?2, ?3, ?6, ?4, ?5) "
                          "ON CONFLICT (job_key) DO UPDATE SET "
                          "run_at = min(run_at, excluded.run_at), attempts = 0, "
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

Result<std::optional<Job>> claim_job(Connection& db, std::string_view worker, model::Instant now,
                                     std::chrono::seconds lease) {
    CARNET_TRY(statement,
               db.prepare(fmt::format(
                   "UPDATE jobs SET lease_owner = ?1, lease_until = ?2 + ?3, "
                   "attempts = attempts + 1 WHERE id = (SELECT id FROM jobs WHERE run_at <= ?2 "
                   "AND lease_until <= ?2 ORDER BY run_at, id LIMIT 1) RETURNING {}",
                   k_job_columns)));
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

Status complete_job(Connection& db, std::int64_t job_id, std::string_view worker) {
    CARNET_TRY(statement, db.prepare("DELETE FROM jobs WHERE id = ?1 AND lease_owner = ?2"));
    statement->bind(1, job_id).bind(2, worker);
    return statement->run();
}

Status retry_job(Connection& db, std::int64_t job_id, std::string_view worker,
                 model::Instant run_at, std::string_view error) {
    CARNET_TRY(statement, db.prepare("UPDATE jobs SET run_at = ?3, lease_owner = '', "
                                     "lease_until = 0, last_error = ?4 "
                                     "WHERE id = ?1 AND lease_owner = ?2"));
    statement->bind(1, job_id).bind(2, worker).bind(3, seconds_of(run_at)).bind(4, error);
    return statement->run();
}

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

}  // namespace sql

}  // namespace

Result<std::vector<Job>> SqliteJobStore::pending_jobs(std::int64_t blog_id) {
    return database_.read([&](Connection& db) { return sql::pending_jobs(db, blog_id); });
}

Result<std::int64_t> SqliteJobWriter::enqueue_job(const NewJob& job) {
    return sql::enqueue_job(transaction_.db, job, transaction_.clock.now());
}

Result<std::optional<Job>> SqliteJobWriter::claim_job(std::string_view worker, model::Instant now,
                                                      std::chrono::seconds lease) {
    return sql::claim_job(transaction_.db, worker, now, lease);
}

Status SqliteJobWriter::complete_job(std::int64_t job_id, std::string_view worker) {
    return sql::complete_job(transaction_.db, job_id, worker);
}

Status SqliteJobWriter::retry_job(std::int64_t job_id, std::string_view worker,
                                  model::Instant run_at, std::string_view error) {
    return sql::retry_job(transaction_.db, job_id, worker, run_at, error);
}

Result<std::optional<Mention>> SqliteMentionStore::find_mention(std::int64_t blog_id,
                                                                std::string_view source,
                                                                std::string_view target) {
    return database_.read(
        [&](Connection& db) { return sql::find_mention(db, blog_id, source, target); });
}

Status SqliteMentionWriter::save_mention(const Mention& mention) {
    return sql::save_mention(transaction_.db, mention);
}

Result<std::optional<Mention>> SqliteMentionWriter::find_mention(std::int64_t blog_id,
                                                                 std::string_view source,
                                                                 std::string_view target) {
    return sql::find_mention(transaction_.db, blog_id, source, target);
}

}  // namespace carnet::store::sqlite
