// A blog's pages, outside the stream of posts.
#include <fmt/format.h>

#include "store/sql_concerns.hpp"
#include "store/sql_rows.hpp"

namespace carnet::store::sql {
namespace {

using model::Error;
using namespace rows;

// The SQL of this concern, which the class below forwards to.
namespace queries {

template <typename Transaction>
Result<std::int64_t> create_page(Transaction& context, const model::Page& page_asked) {
    auto page = page_asked;
    if (page.slug.empty()) page.slug = model::make_slug(page.title);
    CARNET_CHECK(check_page(page));
    CARNET_CHECK(check_slug(page.slug));
    CARNET_TRY(insert, context.db.prepare("INSERT INTO pages (blog_id, published, title, slug, "
                                          "source, html, position, updated_at) "
                                          "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"));
    insert->bind(1, page.blog_id)
        .bind(2, page.published ? 1 : 0)
        .bind(3, page.title)
        .bind(4, page.slug)
        .bind(5, page.source)
        .bind(6, page.html)
        .bind(7, page.position)
        .bind(8, seconds_of(page.updated_at));
    if (auto inserted = insert->run(); !inserted) {
        if (inserted.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a page with the slug {} exists already", page.slug));
        }
        return std::unexpected(inserted.error());
    }
    context.touched_blogs.insert(page.blog_id);
    return inserted_id(context.db);
}

template <typename Transaction>
Status update_page(Transaction& context, const model::Page& page_asked) {
    auto page = page_asked;
    if (page.slug.empty()) page.slug = model::make_slug(page.title);
    CARNET_CHECK(check_page(page));
    CARNET_CHECK(check_slug(page.slug));
    CARNET_TRY(update, context.db.prepare("UPDATE pages SET published = ?3, title = ?4, slug = ?5, "
                                          "source = ?6, html = ?7, position = ?8, updated_at = ?9 "
                                          "WHERE blog_id = ?1 AND id = ?2"));
    update->bind(1, page.blog_id)
        .bind(2, page.id)
        .bind(3, page.published ? 1 : 0)
        .bind(4, page.title)
        .bind(5, page.slug)
        .bind(6, page.source)
        .bind(7, page.html)
        .bind(8, page.position)
        .bind(9, seconds_of(page.updated_at));
    if (auto updated = update->run(); !updated) {
        if (updated.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a page with the slug {} exists already", page.slug));
        }
        return updated;
    }
    if (changes(context.db) == 0) return not_found("page", page.id);
    context.touched_blogs.insert(page.blog_id);
    return {};
}

template <typename Transaction>
Status delete_page(Transaction& context, std::int64_t blog_id, std::int64_t page_id) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM pages WHERE blog_id = ?1 AND id = ?2"));
    remove->bind(1, blog_id).bind(2, page_id);
    CARNET_CHECK(remove->run());
    if (changes(context.db) == 0) return not_found("page", page_id);
    context.touched_blogs.insert(blog_id);
    return {};
}

constexpr std::string_view k_page_columns =
    "id, blog_id, published, title, slug, source, html, position, updated_at";

model::Page read_page(const auto& row) {
    return model::Page{row.column_int(0),
                       row.column_int(1),
                       row.column_int(2) != 0,
                       row.column_text(3),
                       row.column_text(4),
                       row.column_text(5),
                       row.column_text(6),
                       static_cast<int>(row.column_int(7)),
                       instant_of(row.column_int(8))};
}

template <typename Connection>
Result<std::optional<model::Page>> find_page_where(Connection& db, std::string_view condition,
                                                   std::int64_t blog_id, auto key) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM pages WHERE blog_id = ?1 AND {}",
                                                 k_page_columns, condition)));
    statement->bind(1, blog_id).bind(2, key);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Page>();
    auto page = read_page(*statement);
    statement->reset();
    return std::optional<model::Page>(std::move(page));
}

template <typename Connection>
Result<std::vector<model::Page>> pages(Connection& db, std::int64_t blog_id, bool published_only) {
    CARNET_TRY(statement, db.prepare(fmt::format("SELECT {} FROM pages WHERE blog_id = ?1 "
                                                 "AND (?2 = 0 OR published = 1) "
                                                 "ORDER BY position, title",
                                                 k_page_columns)));
    statement->bind(1, blog_id).bind(2, published_only ? 1 : 0);
    std::vector<model::Page> found;
    CARNET_CHECK(
        for_each_row(*statement, [&](const auto& row) { found.push_back(read_page(row)); }));
    return found;
}

template <typename Connection>
Result<std::optional<model::Page>> find_page_by_id(Connection& db, std::int64_t blog_id,
                                                   std::int64_t page_id) {
    return find_page_where(db, "id = ?2", blog_id, page_id);
}

template <typename Connection>
Result<std::optional<model::Page>> find_published_page(Connection& db, std::int64_t blog_id,
                                                       std::string_view slug) {
    return find_page_where(db, "slug = ?2 AND published = 1", blog_id, slug);
}

}  // namespace queries

}  // namespace

template <typename Backend>
Result<std::vector<model::Page>> PageStoreFor<Backend>::pages(std::int64_t blog_id,
                                                              bool published_only) {
    return database_.read([&](auto& db) { return queries::pages(db, blog_id, published_only); });
}

template <typename Backend>
Result<std::optional<model::Page>> PageStoreFor<Backend>::find_page_by_id(std::int64_t blog_id,
                                                                          std::int64_t page_id) {
    return database_.read([&](auto& db) { return queries::find_page_by_id(db, blog_id, page_id); });
}

template <typename Backend>
Result<std::optional<model::Page>> PageStoreFor<Backend>::find_published_page(
    std::int64_t blog_id, std::string_view slug) {
    return database_.read(
        [&](auto& db) { return queries::find_published_page(db, blog_id, slug); });
}

template <typename Backend>
Result<std::int64_t> PageWriterFor<Backend>::create_page(const model::Page& page) {
    return queries::create_page(transaction_, page);
}

template <typename Backend>
Status PageWriterFor<Backend>::update_page(const model::Page& page) {
    return queries::update_page(transaction_, page);
}

template <typename Backend>
Status PageWriterFor<Backend>::delete_page(std::int64_t blog_id, std::int64_t page_id) {
    return queries::delete_page(transaction_, blog_id, page_id);
}

template class PageStoreFor<SqliteBackend>;
template class PageStoreFor<PgBackend>;
template class PageWriterFor<SqliteBackend>;
template class PageWriterFor<PgBackend>;

}  // namespace carnet::store::sql
