// Posts: the published stream and its pages, the admin's listing, revisions, scheduled
// publishing.
#include <fmt/format.h>

#include <algorithm>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using model::Error;
using namespace rows;

// The SQL of this concern, which the class below forwards to.
namespace queries {

template <typename Transaction>
Status update_post(Transaction& context, const model::Post& post) {
    auto& db = context.db;
    if (post.title.empty()) return model::fail(Error::Code::invalid_input, "a post needs a title");
    const auto slug = post.slug.empty() ? model::make_slug(post.title) : post.slug;
    CARNET_CHECK(check_slug(slug));
    CARNET_TRY(old, rows::find_post_by_id(db, post.blog_id, post.id));
    if (!old) return not_found("post", post.id);
    CARNET_TRY(blog, blog_of(db, post.blog_id));
    CARNET_TRY(local, model::to_local(post.published_at, blog.time_zone));

    CARNET_TRY(update, db.prepare("UPDATE posts SET status = ?3, title = ?4, slug = ?5, "
                                  "source_format = ?6, source = ?7, html = ?8, excerpt = ?9, "
                                  "published_at = ?10, published_local = ?11, updated_at = ?12, "
                                  "comments_open = ?13, comment_policy = ?14 "
                                  "WHERE blog_id = ?1 AND id = ?2"));
    update->bind(1, post.blog_id)
        .bind(2, post.id)
        .bind(3, model::to_string(post.status))
        .bind(4, post.title)
        .bind(5, slug)
        .bind(6, model::to_string(post.source_format))
        .bind(7, post.source)
        .bind(8, post.html)
        .bind(9, post.excerpt)
        .bind(10, seconds_of(post.published_at))
        .bind(11, rows::local_text(local))
        .bind(12, seconds_of(post.updated_at))
        .bind(13, post.comments_open ? 1 : 0)
        .bind(14,
              post.comment_policy.transform([](auto policy) { return model::to_string(policy); }));
    if (auto updated = update->run(); !updated) {
        if (updated.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a post with the slug {} exists already", slug));
        }
        return updated;
    }

    CARNET_TRY(unlink, db.prepare("DELETE FROM post_categories WHERE post_id = ?1"));
    unlink->bind(1, post.id);
    CARNET_CHECK(unlink->run());
    for (std::size_t position = 0; position < post.categories.size(); ++position) {
        CARNET_TRY(category_id, context.category_id_for(post.blog_id, post.categories[position]));
        CARNET_TRY(link, db.prepare("INSERT INTO post_categories "
                                    "(blog_id, post_id, category_id, position) "
                                    "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"));
        link->bind(1, post.blog_id)
            .bind(2, post.id)
            .bind(3, category_id)
            .bind(4, static_cast<int>(position));
        CARNET_CHECK(link->run());
    }

    // A published post's old address must keep leading to it: readers, feeds and search
    // engines hold it. Once the post is at its new path, a redirect from that path would
    // loop, so any is dropped.
    model::Post moved = *old;
    moved.slug = slug;
    moved.published_at = post.published_at;
    const auto old_path = model::post_path(blog, *old);
    const auto new_path = model::post_path(blog, moved);
    if (old->status == model::PostStatus::published && old_path != new_path) {
        CARNET_TRY(redirect, db.prepare("INSERT INTO post_redirects (blog_id, old_path, post_id) "
                                        "VALUES (?1, ?2, ?3) ON CONFLICT (blog_id, old_path) "
                                        "DO UPDATE SET post_id = excluded.post_id"));
        redirect->bind(1, post.blog_id).bind(2, old_path).bind(3, post.id);
        CARNET_CHECK(redirect->run());
    }
    CARNET_TRY(drop, db.prepare("DELETE FROM post_redirects WHERE blog_id = ?1 AND old_path = ?2"));
    drop->bind(1, post.blog_id).bind(2, new_path);
    CARNET_CHECK(drop->run());

    CARNET_CHECK(context.reindex_post(post.id));
    context.touched_blogs.insert(post.blog_id);
    return {};
}

template <typename Transaction>
Result<std::int64_t> save_revision(Transaction& context, std::int64_t blog_id, std::int64_t post_id,
                                   std::int64_t author_id, bool autosave) {
    auto& db = context.db;
    CARNET_TRY(post, rows::find_post_by_id(db, blog_id, post_id));
    if (!post) return not_found("post", post_id);
    if (autosave) {
        CARNET_TRY(drop, db.prepare("DELETE FROM post_revisions WHERE post_id = ?1 "
                                    "AND kind = 'autosave'"));
        drop->bind(1, post_id);
        CARNET_CHECK(drop->run());
    }
    std::vector<std::string> names;
    for (const auto& category : post->categories) names.push_back(category.name);
    CARNET_TRY(insert,
               db.prepare("INSERT INTO post_revisions (blog_id, post_id, author_id, kind, "
                          "created_at, status, title, slug, source, excerpt, "
                          "published_at, comments_open, categories) "
                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)"));
    insert->bind(1, blog_id).bind(2, post_id);
    insert->bind_id(3, author_id);
    insert->bind(4, autosave ? "autosave" : "save")
        .bind(5, context.now_seconds())
        .bind(6, model::to_string(post->status))
        .bind(7, post->title)
        .bind(8, post->slug)
        .bind(9, post->source)
        .bind(10, post->excerpt)
        .bind(11, seconds_of(post->published_at))
        .bind(12, post->comments_open ? 1 : 0)
        .bind(13, join_lines(names));
    CARNET_CHECK(insert->run());
    return sql::inserted_id(db);
}

template <typename Transaction>
Status delete_post(Transaction& context, std::int64_t blog_id, std::int64_t post_id) {
    CARNET_TRY(statement, context.db.prepare("DELETE FROM posts WHERE blog_id = ?1 AND id = ?2"));
    statement->bind(1, blog_id).bind(2, post_id);
    CARNET_CHECK(statement->run());
    if (changes(context.db) == 0) return not_found("post", post_id);
    CARNET_CHECK(context.reindex_post(post_id));
    context.touched_blogs.insert(blog_id);
    return {};
}

template <typename Transaction>
Result<std::vector<PostKey>> publish_due_posts(Transaction& context, model::Instant now) {
    auto& db = context.db;
    CARNET_TRY(due, db.prepare("SELECT id, blog_id FROM posts "
                               "WHERE status = 'scheduled' AND published_at <= ?1"));
    due->bind(1, seconds_of(now));
    std::vector<PostKey> posts;
    CARNET_CHECK(for_each_row(*due, [&](const auto& row) {
        posts.push_back(PostKey{.blog_id = row.column_int(1), .post_id = row.column_int(0)});
    }));
    for (const auto& [blog_id, post_id] : posts) {
        CARNET_TRY(publish, db.prepare("UPDATE posts SET status = 'published' WHERE id = ?1"));
        publish->bind(1, post_id);
        CARNET_CHECK(publish->run());
        CARNET_CHECK(context.reindex_post(post_id));
        context.touched_blogs.insert(blog_id);
    }
    return posts;
}

template <typename Connection>
Result<PostList> admin_posts(Connection& db, std::int64_t blog_id, const AdminPostQuery& query) {
    // Every filter is always in the SQL, switched off by a NULL parameter: one statement,
    // prepared once, serves every combination.
    const auto k_filter = fmt::format(
        "p.blog_id = ?1 AND (CASE WHEN CAST(?2 AS text) IS NULL THEN p.status <> 'trash' "
        "ELSE p.status = ?2 END) "
        "AND (CAST(?3 AS bigint) IS NULL OR p.id IN "
        "(SELECT post_id FROM post_categories WHERE category_id = ?3)) "
        "AND (CAST(?4 AS bigint) IS NULL OR p.author_id = ?4) "
        "AND (CAST(?5 AS text) IS NULL OR {}(lower(p.title), lower(?5)) > 0)",
        BackendOf<Connection>::position_of_text);
    auto bind = [&](auto& statement) {
        statement.bind(1, blog_id);
        statement.bind(
            2, query.status.transform([](auto status) { return model::to_string(status); }));
        statement.bind(3, query.category_id);
        statement.bind(4, query.author_id);
        statement.bind(5, query.text.empty() ? std::nullopt : std::optional(query.text));
    };
    PostList list;
    CARNET_TRY(count, db.prepare(fmt::format("SELECT count(*) FROM posts p WHERE {}", k_filter)));
    bind(*count);
    CARNET_TRY(has_count, count->step());
    list.total = has_count ? static_cast<int>(count->column_int(0)) : 0;
    count->reset();
    CARNET_TRY(select, db.prepare(fmt::format("SELECT {}, p.author_id FROM posts p WHERE {} "
                                              "ORDER BY p.published_at DESC, p.id DESC "
                                              "LIMIT ?6 OFFSET ?7",
                                              rows::k_post_columns_without_body, k_filter)));
    bind(*select);
    select->bind(6, std::max(0, query.limit)).bind(7, std::max(0, query.offset));
    CARNET_CHECK(for_each_row(*select, [&](const auto& row) {
        auto post = rows::read_post(row);
        post.author_id = row.column_is_null(13) ? 0 : row.column_int(13);
        list.posts.push_back(std::move(post));
    }));
    CARNET_CHECK(rows::load_categories(db, std::span(list.posts)));
    return list;
}

constexpr std::string_view k_revision_columns =
    "r.id, r.post_id, coalesce(r.author_id, 0), coalesce(u.name, ''), r.kind, r.created_at, "
    "r.status, r.title, r.slug, r.source, r.excerpt, r.published_at, r.comments_open, "
    "r.categories";

template <typename Statement>
Revision read_revision(const Statement& row) {
    Revision revision;
    revision.id = row.column_int(0);
    revision.post_id = row.column_int(1);
    revision.author_id = row.column_int(2);
    revision.author_name = row.column_text(3);
    revision.autosave = row.column_text(4) == "autosave";
    revision.created_at = instant_of(row.column_int(5));
    revision.status =
        model::parse_post_status(row.column_text(6)).value_or(model::PostStatus::draft);
    revision.title = row.column_text(7);
    revision.slug = row.column_text(8);
    revision.source = row.column_text(9);
    revision.excerpt = row.column_text(10);
    revision.published_at = instant_of(row.column_int(11));
    revision.comments_open = row.column_int(12) != 0;
    revision.categories = split_lines(row.column_text(13));
    return revision;
}

template <typename Connection>
Result<std::vector<Revision>> revisions(Connection& db, std::int64_t blog_id,
                                        std::int64_t post_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM post_revisions r "
                                                 "LEFT JOIN users u ON u.id = r.author_id "
                                                 "WHERE r.blog_id = ?1 AND r.post_id = ?2 "
                                                 "ORDER BY r.id DESC",
                                                 k_revision_columns)));
    statement->bind(1, blog_id).bind(2, post_id);
    std::vector<Revision> found;
    CARNET_CHECK(
        for_each_row(*statement, [&](const auto& row) { found.push_back(read_revision(row)); }));
    return found;
}

template <typename Connection>
Result<std::optional<Revision>> find_revision(Connection& db, std::int64_t blog_id,
                                              std::int64_t revision_id) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM post_revisions r "
                                                 "LEFT JOIN users u ON u.id = r.author_id "
                                                 "WHERE r.blog_id = ?1 AND r.id = ?2",
                                                 k_revision_columns)));
    statement->bind(1, blog_id).bind(2, revision_id);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<Revision>();
    auto revision = read_revision(*statement);
    statement->reset();
    return std::optional<Revision>(std::move(revision));
}

}  // namespace queries

template <typename Statement>
void bind_filter(Statement& statement, std::int64_t blog_id, const PostQuery& query,
                 const std::string& local_from, const std::string& local_to) {
    statement.bind(1, blog_id);
    if (query.year) statement.bind(2, local_from).bind(3, local_to);
    if (query.category_id) statement.bind(4, *query.category_id);
}

// How many published posts the query matches. The whole blog, a year, a month or a category
// read the counts the triggers keep (migrations 11 and 22 on SQLite, 4 and 14 on PostgreSQL), so
// that a listing's cost does not grow with the blog; a day, or a category within a period, counts
// its few posts.
template <typename Connection>
Result<int> published_count(Connection& db, std::int64_t blog_id, const PostQuery& query,
                            const std::string& filter, const std::string& local_from,
                            const std::string& local_to) {
    const bool by_period = query.year && !(query.month && query.day);
    const bool kept = query.category_id ? !query.year : (!query.year || by_period);
    std::string sql;
    if (!kept) {
        sql = fmt::format("SELECT count(*) FROM posts p WHERE {}", filter);
    } else if (query.category_id) {
        sql = "SELECT published_posts FROM categories WHERE blog_id = ?1 AND id = ?2";
    } else if (!query.year) {
        sql = "SELECT posts FROM blog_counts WHERE blog_id = ?1";
    } else {
        sql = fmt::format("SELECT coalesce(sum(posts), 0) FROM month_counts WHERE blog_id = ?1{}{}",
                          query.year ? " AND year = ?2" : "", query.month ? " AND month = ?3" : "");
    }
    CARNET_TRY(count, db.prepare(sql));
    if (!kept) {
        bind_filter(*count, blog_id, query, local_from, local_to);
    } else if (query.category_id) {
        count->bind(1, blog_id).bind(2, *query.category_id);
    } else {
        count->bind(1, blog_id);
        if (query.year) count->bind(2, *query.year);
        if (query.month) count->bind(3, *query.month);
    }
    CARNET_TRY(has_row, count->step());
    const int total = has_row ? static_cast<int>(count->column_int(0)) : 0;
    count->reset();
    return total;
}

}  // namespace

template <typename Backend>
Result<PostList> PostStoreFor<Backend>::published_posts(std::int64_t blog_id,
                                                        const PostQuery& query) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    typename Backend::Connection& db = **reader;

    std::string filter = "p.blog_id = ?1 AND p.status = 'published'";
    std::string local_from;
    std::string local_to;
    if (query.year) {
        // published_local is 'YYYY-MM-DD HH:MM:SS': a date prefix selects a period, and
        // '~' sorts after every character that can follow the prefix.
        local_from = fmt::format("{:04}", *query.year);
        if (query.month) local_from += fmt::format("-{:02}", *query.month);
        if (query.month && query.day) local_from += fmt::format("-{:02}", *query.day);
        local_to = local_from + "~";
        filter += " AND p.published_local >= ?2 AND p.published_local < ?3";
    }
    if (query.category_id) {
        filter += " AND p.id IN (SELECT post_id FROM post_categories WHERE category_id = ?4)";
    }

    PostList list;
    CARNET_TRY(total, published_count(db, blog_id, query, filter, local_from, local_to));
    list.total = total;
    // A deep page of the whole blog or of a category starts from the anchor before it.
    const bool whole_category = query.category_id && !query.year;
    int offset = std::max(0, query.offset);
    std::optional<ListingAnchor> anchor;
    if ((whole_category || (!query.year && !query.category_id)) &&
        offset >= 2 * k_listing_anchor_step && offset < total) {
        CARNET_TRY(anchors, listing_anchors(db, blog_id, query.category_id));
        const auto index = static_cast<std::size_t>(offset / k_listing_anchor_step) - 1;
        if (index < anchors->every_step.size()) {
            anchor = anchors->every_step[index];
            offset -= static_cast<int>(index + 1) * k_listing_anchor_step;
        }
    }
    const std::string_view from_anchor = !anchor ? ""
                                         : whole_category
                                             ? " AND (pc.listed_at, pc.post_id) <= (?7, ?8)"
                                             : " AND (p.published_at, p.id) <= (?7, ?8)";
    // On SQLite, the page's ids first, then their rows: a period's posts are found by their
    // local date and must be sorted, and sorting ids alone keeps the bodies of the posts not
    // shown out of the sorter (a month of posts, copied whole, was most of a month page's
    // render).
    constexpr std::string_view k_page =
        Backend::postgres
            ? "SELECT {} FROM posts p WHERE {} "
              "ORDER BY p.published_at DESC, p.id DESC LIMIT ?5 OFFSET ?6"
            : "SELECT {} FROM posts p WHERE p.id IN (SELECT p.id FROM posts p WHERE {} "
              "ORDER BY p.published_at DESC, p.id DESC LIMIT ?5 OFFSET ?6) "
              "ORDER BY p.published_at DESC, p.id DESC";
    // A category's page walks its posts in the order post_categories keeps them in (migration
    // 21 on SQLite, 13 on PostgreSQL): no sort of the whole category for each page.
    constexpr std::string_view k_category_page =
        "SELECT {} FROM posts p WHERE p.id IN (SELECT pc.post_id FROM post_categories pc "
        "WHERE pc.category_id = ?4 AND pc.listed_at IS NOT NULL AND pc.blog_id = ?1{} "
        "ORDER BY pc.listed_at DESC, pc.post_id DESC LIMIT ?5 OFFSET ?6) "
        "ORDER BY p.published_at DESC, p.id DESC";
    const auto columns = query.with_body ? k_post_columns_with_body : k_post_columns_without_body;
    CARNET_TRY(select, db.prepare(whole_category ? fmt::format(fmt::runtime(k_category_page),
                                                               columns, from_anchor)
                                                 : fmt::format(fmt::runtime(k_page), columns,
                                                               filter + std::string(from_anchor))));
    bind_filter(*select, blog_id, query, local_from, local_to);
    select->bind(5, std::max(0, query.limit)).bind(6, offset);
    if (anchor) select->bind(7, anchor->at).bind(8, anchor->id);
    while (true) {
        CARNET_TRY(has_row, select->step());
        if (!has_row) break;
        list.posts.push_back(read_post(*select));
    }
    select->reset();
    if (query.with_categories) {
        CARNET_CHECK(load_categories(db, std::span(list.posts)));
    }
    return list;
}

namespace {

// A blog's months, newest first, from rows of month_counts (year, month, posts).
template <typename Statement>
[[nodiscard]] Status read_months(Statement& statement, std::vector<model::MonthCount>& months) {
    while (true) {
        CARNET_TRY(has_row, statement.step());
        if (!has_row) break;
        months.push_back(model::MonthCount{static_cast<int>(statement.column_int(0)),
                                           static_cast<int>(statement.column_int(1)),
                                           static_cast<int>(statement.column_int(2))});
    }
    statement.reset();
    return {};
}

}  // namespace

template <typename Backend>
Result<std::shared_ptr<const typename PostStoreFor<Backend>::ListingAnchors>>
PostStoreFor<Backend>::listing_anchors(typename Backend::Connection& db, std::int64_t blog_id,
                                       std::optional<std::int64_t> category_id) {
    // Read before the listing: a write racing with it leaves anchors already stale, never
    // ones that look fresh.
    CARNET_TRY(contents, rows::blog_generation(db, blog_id, rows::BlogClock::contents));
    const std::pair key(blog_id, category_id.value_or(0));
    {
        std::scoped_lock lock(anchors_mutex_);
        const auto found = anchors_.find(key);
        if (found != anchors_.end() && found->second->contents_generation == contents) {
            return found->second;
        }
    }
    // Every post's place from the listing's index alone: a scan of it once per change of
    // the blog's contents, where each deep page skipped up to all of it.
    CARNET_TRY(
        listed,
        db.prepare(category_id ? "SELECT pc.listed_at, pc.post_id FROM post_categories pc "
                                 "WHERE pc.category_id = ?2 AND pc.listed_at IS NOT NULL "
                                 "AND pc.blog_id = ?1 ORDER BY pc.listed_at DESC, pc.post_id DESC"
                               : "SELECT p.published_at, p.id FROM posts p "
                                 "WHERE p.blog_id = ?1 AND p.status = 'published' "
                                 "ORDER BY p.published_at DESC, p.id DESC"));
    listed->bind(1, blog_id);
    if (category_id) listed->bind(2, *category_id);
    auto anchors = std::make_shared<ListingAnchors>();
    anchors->contents_generation = contents;
    for (std::int64_t position = 0;; ++position) {
        CARNET_TRY(has_row, listed->step());
        if (!has_row) break;
        if (position > 0 && position % k_listing_anchor_step == 0) {
            anchors->every_step.push_back({listed->column_int(0), listed->column_int(1)});
        }
    }
    listed->reset();
    std::scoped_lock lock(anchors_mutex_);
    anchors_[key] = anchors;
    return std::shared_ptr<const ListingAnchors>(std::move(anchors));
}

template <typename Backend>
Result<std::optional<model::Post>> PostStoreFor<Backend>::find_published_post(
    std::int64_t blog_id, std::string_view slug) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    return find_post(**reader, blog_id, slug, true);
}

template <typename Backend>
Result<std::vector<model::MonthCount>> PostStoreFor<Backend>::months_with_counts(
    std::int64_t blog_id) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    auto& db = **reader;
    std::shared_ptr<const KeptMonths> kept;
    std::uint64_t contents = 0;
    if constexpr (!Backend::postgres) {
        // Read before the months: a write racing with them leaves the kept months already
        // stale, never ones that look fresh.
        CARNET_TRY(generation, rows::blog_generation(db, blog_id, rows::BlogClock::contents));
        contents = generation;
        std::scoped_lock lock(months_mutex_);
        if (const auto found = months_.find(blog_id); found != months_.end()) kept = found->second;
        if (kept && kept->contents_generation == contents) return kept->months;
    }
    auto fresh = std::make_shared<KeptMonths>();
    fresh->contents_generation = contents;
    if (kept) {
        CARNET_TRY(months, changed_months(db, blog_id, *kept));
        fresh->months = std::move(months);
    } else {
        // Kept by triggers as posts change (migration 11 on SQLite, 4 on PostgreSQL): no
        // post is read.
        CARNET_TRY(statement,
                   db.prepare("SELECT year, month, posts FROM month_counts WHERE blog_id = ?1 "
                              "ORDER BY year DESC, month DESC"));
        statement->bind(1, blog_id);
        CARNET_CHECK(read_months(*statement, fresh->months));
    }
    if constexpr (!Backend::postgres) {
        std::scoped_lock lock(months_mutex_);
        months_[blog_id] = fresh;
    }
    return fresh->months;
}

// The kept months with those that changed since they were read (migration 27). A month gone
// since (its last post deleted or moved) is no row to read: then the kept counts add up to
// more than the blog's posts, every month whose count is right being read or unchanged, and
// the months are read whole.
template <typename Backend>
Result<std::vector<model::MonthCount>> PostStoreFor<Backend>::changed_months(
    typename Backend::Connection& db, std::int64_t blog_id, const KeptMonths& kept) {
    CARNET_TRY(statement, db.prepare("SELECT year, month, posts FROM month_counts "
                                     "WHERE blog_id = ?1 AND changed >= ?2"));
    statement->bind(1, blog_id).bind(2, static_cast<std::int64_t>(kept.contents_generation));
    std::vector<model::MonthCount> changed;
    CARNET_CHECK(read_months(*statement, changed));
    // Newest first, as kept: each changed month goes in its place (a few, after one write).
    auto months = kept.months;
    const auto newer = [](const model::MonthCount& a, const model::MonthCount& b) {
        return std::pair(a.year, a.month) > std::pair(b.year, b.month);
    };
    for (const auto& month : changed) {
        const auto at = std::ranges::lower_bound(months, month, newer);
        if (at != months.end() && at->year == month.year && at->month == month.month) {
            at->post_count = month.post_count;
        } else {
            months.insert(at, month);
        }
    }
    std::int64_t sum = 0;
    for (const auto& month : months) sum += month.post_count;
    CARNET_TRY(total, db.prepare("SELECT posts FROM blog_counts WHERE blog_id = ?1"));
    total->bind(1, blog_id);
    CARNET_TRY(has_total, total->step());
    const std::int64_t blog_posts = has_total ? total->column_int(0) : 0;
    total->reset();
    if (sum == blog_posts) return months;
    CARNET_TRY(whole, db.prepare("SELECT year, month, posts FROM month_counts WHERE blog_id = ?1 "
                                 "ORDER BY year DESC, month DESC"));
    whole->bind(1, blog_id);
    months.clear();
    CARNET_CHECK(read_months(*whole, months));
    return months;
}

template <typename Backend>
Result<PostList> PostStoreFor<Backend>::admin_posts(std::int64_t blog_id,
                                                    const AdminPostQuery& query) {
    return database_.read([&](auto& db) { return queries::admin_posts(db, blog_id, query); });
}

template <typename Backend>
Result<std::optional<model::Post>> PostStoreFor<Backend>::find_post_by_id(std::int64_t blog_id,
                                                                          std::int64_t post_id) {
    return database_.read([&](auto& db) { return rows::find_post_by_id(db, blog_id, post_id); });
}

template <typename Backend>
Result<std::vector<Revision>> PostStoreFor<Backend>::revisions(std::int64_t blog_id,
                                                               std::int64_t post_id) {
    return database_.read([&](auto& db) { return queries::revisions(db, blog_id, post_id); });
}

template <typename Backend>
Result<std::optional<Revision>> PostStoreFor<Backend>::find_revision(std::int64_t blog_id,
                                                                     std::int64_t revision_id) {
    return database_.read(
        [&](auto& db) { return queries::find_revision(db, blog_id, revision_id); });
}

template <typename Backend>
Result<std::int64_t> PostWriterFor<Backend>::create_post(const model::Post& post) {
    if (post.title.empty()) return model::fail(Error::Code::invalid_input, "a post needs a title");
    CARNET_TRY(blogs, rows::load_blogs(transaction_.db, post.blog_id));
    if (blogs.empty()) {
        return model::fail(Error::Code::not_found, fmt::format("no blog {}", post.blog_id));
    }
    const auto slug = post.slug.empty() ? model::make_slug(post.title) : post.slug;
    CARNET_TRY(local, model::to_local(post.published_at, blogs.front().time_zone));

    CARNET_TRY(insert, transaction_.db.prepare(
                           "INSERT INTO posts (blog_id, status, title, slug, source_format, "
                           "source, html, excerpt, published_at, published_local, "
                           "updated_at, comments_open, author_id, comment_policy) "
                           "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                           "?14)"));
    insert->bind(1, post.blog_id)
        .bind(2, model::to_string(post.status))
        .bind(3, post.title)
        .bind(4, slug)
        .bind(5, model::to_string(post.source_format))
        .bind(6, post.source)
        .bind(7, post.html)
        .bind(8, post.excerpt)
        .bind(9, static_cast<std::int64_t>(post.published_at.time_since_epoch().count()))
        .bind(10, local_text(local))
        .bind(11, static_cast<std::int64_t>(post.updated_at.time_since_epoch().count()))
        .bind(12, post.comments_open ? 1 : 0);
    insert->bind_id(13, post.author_id);
    insert->bind(
        14, post.comment_policy.transform([](auto policy) { return model::to_string(policy); }));
    auto inserted = insert->run();
    if (!inserted) {
        if (inserted.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a post with the slug {} exists already", slug));
        }
        return std::unexpected(inserted.error());
    }
    CARNET_TRY(post_id, sql::inserted_id(transaction_.db));

    for (std::size_t position = 0; position < post.categories.size(); ++position) {
        const auto& category = post.categories[position];
        CARNET_TRY(category_id, transaction_.category_id_for(post.blog_id, category));
        CARNET_TRY(link, transaction_.db.prepare("INSERT INTO post_categories "
                                                 "(blog_id, post_id, category_id, position) "
                                                 "VALUES (?1, ?2, ?3, ?4) ON CONFLICT DO NOTHING"));
        link->bind(1, post.blog_id)
            .bind(2, post_id)
            .bind(3, category_id)
            .bind(4, static_cast<int>(position));
        CARNET_CHECK(link->run());
    }
    CARNET_CHECK(transaction_.reindex_post(post_id));
    transaction_.touched_blogs.insert(post.blog_id);
    return post_id;
}

template <typename Backend>
Result<std::optional<model::Post>> PostWriterFor<Backend>::find_post_by_slug(
    std::int64_t blog_id, std::string_view slug) {
    return find_post(transaction_.db, blog_id, slug, false);
}

template <typename Backend>
Result<std::optional<model::Post>> PostWriterFor<Backend>::find_post_by_id(std::int64_t blog_id,
                                                                           std::int64_t post_id) {
    return rows::find_post_by_id(transaction_.db, blog_id, post_id);
}

template <typename Backend>
Status PostWriterFor<Backend>::update_post(const model::Post& post) {
    return queries::update_post(transaction_, post);
}

template <typename Backend>
Result<std::int64_t> PostWriterFor<Backend>::save_revision(std::int64_t blog_id,
                                                           std::int64_t post_id,
                                                           std::int64_t author_id, bool autosave) {
    return queries::save_revision(transaction_, blog_id, post_id, author_id, autosave);
}

template <typename Backend>
Status PostWriterFor<Backend>::delete_post(std::int64_t blog_id, std::int64_t post_id) {
    return queries::delete_post(transaction_, blog_id, post_id);
}

template <typename Backend>
Result<std::vector<PostKey>> PostWriterFor<Backend>::publish_due_posts(model::Instant now) {
    return queries::publish_due_posts(transaction_, now);
}

template class PostStoreFor<SqliteBackend>;
template class PostStoreFor<PgBackend>;
template class PostWriterFor<SqliteBackend>;
template class PostWriterFor<PgBackend>;

}  // namespace carnet::store::sql
