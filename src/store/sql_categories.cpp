// Categories: found, counted, renamed, merged, deleted; tags, as imports keep them.
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
Status rename_category(Transaction& context, std::int64_t blog_id, std::int64_t category_id,
                       std::string_view name, std::string_view slug_asked) {
    auto& db = context.db;
    if (name.empty()) return model::fail(Error::Code::invalid_input, "a category needs a name");
    const auto slug = slug_asked.empty() ? model::make_slug(name) : std::string(slug_asked);
    CARNET_CHECK(check_slug(slug));
    CARNET_TRY(old, db.prepare("SELECT slug FROM categories WHERE blog_id = ?1 AND id = ?2"));
    old->bind(1, blog_id).bind(2, category_id);
    CARNET_TRY(found, old->step());
    if (!found) return not_found("category", category_id);
    const auto old_slug = old->column_text(0);
    old->reset();
    CARNET_TRY(
        update,
        db.prepare("UPDATE categories SET name = ?3, slug = ?4 WHERE blog_id = ?1 AND id = ?2"));
    update->bind(1, blog_id).bind(2, category_id).bind(3, name).bind(4, slug);
    if (auto updated = update->run(); !updated) {
        if (updated.error().code == Error::Code::conflict) {
            return model::fail(Error::Code::conflict,
                               fmt::format("a category with the slug {} exists already", slug));
        }
        return updated;
    }
    if (old_slug != slug) {
        CARNET_TRY(redirect, db.prepare("INSERT INTO category_redirects (blog_id, old_slug, "
                                        "category_id) VALUES (?1, ?2, ?3) "
                                        "ON CONFLICT (blog_id, old_slug) "
                                        "DO UPDATE SET category_id = excluded.category_id"));
        redirect->bind(1, blog_id).bind(2, old_slug).bind(3, category_id);
        CARNET_CHECK(redirect->run());
        CARNET_TRY(
            drop,
            db.prepare("DELETE FROM category_redirects WHERE blog_id = ?1 AND old_slug = ?2"));
        drop->bind(1, blog_id).bind(2, slug);
        CARNET_CHECK(drop->run());
    }
    context.touched_blogs.insert(blog_id);
    return {};
}

template <typename Transaction>
Status merge_categories(Transaction& context, std::int64_t blog_id, std::int64_t from,
                        std::int64_t into) {
    auto& db = context.db;
    constexpr std::string_view k_exists = "SELECT 1 FROM categories WHERE blog_id = ?1 AND id = ?2";
    for (auto id : {from, into}) {
        CARNET_TRY(found, exists(db, k_exists, blog_id, id));
        if (!found) return not_found("category", id);
    }
    if (from == into) {
        return model::fail(Error::Code::invalid_input, "a category cannot be merged into itself");
    }
    // A post in both keeps its place in `into`; a post only in `from` takes `from`'s place.
    CARNET_TRY(move, db.prepare("UPDATE post_categories AS pc SET category_id = ?3 "
                                "WHERE pc.blog_id = ?1 AND pc.category_id = ?2 AND NOT EXISTS "
                                "(SELECT 1 FROM post_categories o "
                                "WHERE o.post_id = pc.post_id AND o.category_id = ?3)"));
    move->bind(1, blog_id).bind(2, from).bind(3, into);
    CARNET_CHECK(move->run());
    CARNET_TRY(slug, db.prepare("SELECT slug FROM categories WHERE id = ?1"));
    slug->bind(1, from);
    CARNET_TRY(has_slug, slug->step());
    const auto from_slug = has_slug ? slug->column_text(0) : std::string();
    slug->reset();
    CARNET_TRY(redirects, db.prepare("UPDATE category_redirects SET category_id = ?3 "
                                     "WHERE blog_id = ?1 AND category_id = ?2"));
    redirects->bind(1, blog_id).bind(2, from).bind(3, into);
    CARNET_CHECK(redirects->run());
    CARNET_TRY(remove, db.prepare("DELETE FROM categories WHERE blog_id = ?1 AND id = ?2"));
    remove->bind(1, blog_id).bind(2, from);
    CARNET_CHECK(remove->run());
    CARNET_TRY(redirect, db.prepare("INSERT INTO category_redirects (blog_id, old_slug, "
                                    "category_id) VALUES (?1, ?2, ?3) "
                                    "ON CONFLICT (blog_id, old_slug) "
                                    "DO UPDATE SET category_id = excluded.category_id"));
    redirect->bind(1, blog_id).bind(2, from_slug).bind(3, into);
    CARNET_CHECK(redirect->run());
    context.touched_blogs.insert(blog_id);
    return {};
}

template <typename Transaction>
Status delete_category(Transaction& context, std::int64_t blog_id, std::int64_t category_id) {
    CARNET_TRY(remove, context.db.prepare("DELETE FROM categories WHERE blog_id = ?1 AND id = ?2"));
    remove->bind(1, blog_id).bind(2, category_id);
    CARNET_CHECK(remove->run());
    if (changes(context.db) == 0) return not_found("category", category_id);
    context.touched_blogs.insert(blog_id);
    return {};
}

template <typename Connection>
Result<std::vector<model::Category>> all_categories(Connection& db, std::int64_t blog_id) {
    CARNET_TRY(statement, db.prepare("SELECT c.id, c.name, c.slug, "
                                     "(SELECT count(*) FROM post_categories pc "
                                     "JOIN posts p ON p.id = pc.post_id "
                                     "WHERE pc.category_id = c.id AND p.status <> 'trash') "
                                     "FROM categories c WHERE c.blog_id = ?1 ORDER BY c.name"));
    statement->bind(1, blog_id);
    std::vector<model::Category> categories;
    CARNET_CHECK(for_each_row(*statement, [&](const auto& row) {
        categories.push_back(model::Category{row.column_int(0), blog_id, row.column_text(1),
                                             row.column_text(2),
                                             static_cast<int>(row.column_int(3))});
    }));
    return categories;
}

}  // namespace queries

}  // namespace

template <typename Backend>
Result<std::optional<model::Category>> CategoryStoreFor<Backend>::find_category(
    std::int64_t blog_id, std::string_view slug) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    // The count is kept by triggers as posts change: no post is read.
    CARNET_TRY(statement, (*reader)->prepare(
                              "SELECT c.id, c.name, c.slug, c.published_posts FROM categories c "
                              "WHERE c.blog_id = ?1 AND c.slug = ?2"));
    statement->bind(1, blog_id).bind(2, slug);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Category>();
    model::Category category{statement->column_int(0), blog_id, statement->column_text(1),
                             statement->column_text(2), static_cast<int>(statement->column_int(3))};
    statement->reset();
    return std::optional<model::Category>(std::move(category));
}

template <typename Backend>
Result<std::vector<model::Category>> CategoryStoreFor<Backend>::categories_with_counts(
    std::int64_t blog_id) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    // The counts are kept by triggers as posts change (migration 11 on SQLite, 4 on PostgreSQL): no
    // post is read.
    CARNET_TRY(statement,
               (*reader)->prepare("SELECT id, name, slug, published_posts FROM categories "
                                  "WHERE blog_id = ?1 AND published_posts > 0 "
                                  "ORDER BY slug"));
    statement->bind(1, blog_id);
    std::vector<model::Category> categories;
    while (true) {
        CARNET_TRY(has_row, statement->step());
        if (!has_row) break;
        categories.push_back(model::Category{statement->column_int(0), blog_id,
                                             statement->column_text(1), statement->column_text(2),
                                             static_cast<int>(statement->column_int(3))});
    }
    statement->reset();
    return categories;
}

template <typename Backend>
Result<std::vector<model::Category>> CategoryStoreFor<Backend>::all_tags(std::int64_t blog_id) {
    return database_.read([&](auto& db) -> Result<std::vector<model::Category>> {
        CARNET_TRY(statement,
                   db.prepare("SELECT t.id, t.name, count(p.id) FROM tags t "
                              "LEFT JOIN post_tags pt ON pt.tag_id = t.id "
                              "LEFT JOIN posts p ON p.id = pt.post_id AND p.status <> 'trash' "
                              "WHERE t.blog_id = ?1 GROUP BY t.id, t.name ORDER BY t.name"));
        statement->bind(1, blog_id);
        std::vector<model::Category> tags;
        while (true) {
            CARNET_TRY(has_row, statement->step());
            if (!has_row) break;
            auto name = statement->column_text(1);
            auto slug = model::make_slug(name);
            tags.push_back(model::Category{statement->column_int(0), blog_id, std::move(name),
                                           std::move(slug),
                                           static_cast<int>(statement->column_int(2))});
        }
        statement->reset();
        return tags;
    });
}

template <typename Backend>
Result<std::vector<model::Category>> CategoryStoreFor<Backend>::all_categories(
    std::int64_t blog_id) {
    return database_.read([&](auto& db) { return queries::all_categories(db, blog_id); });
}

template <typename Backend>
Status CategoryWriterFor<Backend>::rename_category(std::int64_t blog_id, std::int64_t category_id,
                                                   std::string_view name, std::string_view slug) {
    return queries::rename_category(transaction_, blog_id, category_id, name, slug);
}

template <typename Backend>
Status CategoryWriterFor<Backend>::merge_categories(std::int64_t blog_id, std::int64_t from,
                                                    std::int64_t into) {
    return queries::merge_categories(transaction_, blog_id, from, into);
}

template <typename Backend>
Status CategoryWriterFor<Backend>::delete_category(std::int64_t blog_id, std::int64_t category_id) {
    return queries::delete_category(transaction_, blog_id, category_id);
}

template <typename Backend>
Result<std::int64_t> CategoryWriterFor<Backend>::ensure_category(const model::Category& category) {
    // A category no post uses yet is still one the blog's pages may list.
    transaction_.touched_blogs.insert(category.blog_id);
    return transaction_.category_id_for(category.blog_id, category);
}

template class CategoryStoreFor<SqliteBackend>;
template class CategoryStoreFor<PgBackend>;
template class CategoryWriterFor<SqliteBackend>;
template class CategoryWriterFor<PgBackend>;

}  // namespace carnet::store::sql
