#include <fmt/format.h>

#include "store/sqlite_admin.hpp"
#include "store/sqlite_concerns.hpp"
#include "store/sqlite_rows.hpp"

namespace carnet::store::sqlite {
namespace {

using model::Error;
using namespace rows;

}  // namespace

Result<std::optional<model::Category>> SqliteCategoryStore::find_category(std::int64_t blog_id,
                                                                          std::string_view slug) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    CARNET_TRY(
        statement,
        (*reader)->prepare("SELECT c.id, c.name, c.slug, (SELECT count(*) FROM post_categories pc "
                           "JOIN posts p ON p.id = pc.post_id AND p.status = 'published' "
                           "WHERE pc.category_id = c.id) FROM categories c "
                           "WHERE c.blog_id = ?1 AND c.slug = ?2"));
    statement->bind(1, blog_id).bind(2, slug);
    CARNET_TRY(has_row, statement->step());
    if (!has_row) return std::optional<model::Category>();
    model::Category category{statement->column_int(0), blog_id, statement->column_text(1),
                             statement->column_text(2), static_cast<int>(statement->column_int(3))};
    statement->reset();
    return std::optional<model::Category>(std::move(category));
}

Result<std::vector<model::Category>> SqliteCategoryStore::categories_with_counts(
    std::int64_t blog_id) {
    auto reader = database_.acquire_reader();
    if (!reader) return std::unexpected(reader.error());
    CARNET_TRY(statement, (*reader)->prepare(
                              // Counting from the posts side reads only covering indexes, never
                              // the rows that hold the post bodies.
                              "SELECT c.id, c.name, c.slug, counts.n FROM "
                              "(SELECT pc.category_id AS id, count(*) AS n FROM posts p "
                              "JOIN post_categories pc ON pc.post_id = p.id "
                              "WHERE p.blog_id = ?1 AND p.status = 'published' "
                              "GROUP BY pc.category_id) counts "
                              "JOIN categories c ON c.id = counts.id ORDER BY c.slug"));
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

Result<std::vector<model::Category>> SqliteCategoryStore::all_categories(std::int64_t blog_id) {
    return database_.read([&](Connection& db) { return admin_sql::all_categories(db, blog_id); });
}

Status SqliteCategoryWriter::rename_category(std::int64_t blog_id, std::int64_t category_id,
                                             std::string_view name, std::string_view slug) {
    return admin_sql::rename_category(transaction_, blog_id, category_id, name, slug);
}

Status SqliteCategoryWriter::merge_categories(std::int64_t blog_id, std::int64_t from,
                                              std::int64_t into) {
    return admin_sql::merge_categories(transaction_, blog_id, from, into);
}

Status SqliteCategoryWriter::delete_category(std::int64_t blog_id, std::int64_t category_id) {
    return admin_sql::delete_category(transaction_, blog_id, category_id);
}

Result<std::int64_t> SqliteCategoryWriter::ensure_category(const model::Category& category) {
    return transaction_.category_id_for(category.blog_id, category);
}

}  // namespace carnet::store::sqlite
