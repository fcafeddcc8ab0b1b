// `carnet migrate`: one backend's tables into the other's, verified before commit. The copy
// is driven by the schema the two databases report (copy::TableEndpoint), not by a list of
// tables kept here, so that a table a later migration adds is copied without anyone
// remembering to: only what the target makes for itself is named below.
#include <fmt/format.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>
#include <map>
#include <span>

#include "store/store.hpp"
#include "store/table_copy.hpp"
#include "store/try.hpp"

namespace carnet::store {

namespace {

using copy::Cell;
using copy::Row;
using copy::TableShape;
using model::Error;

// Kept by the target's triggers as the posts and their categories arrive: comparing them
// checks the triggers and the copy at once; copying them would count every post twice.
constexpr std::array k_derived_tables = {std::string_view("month_counts"),
                                         std::string_view("blog_counts")};
constexpr std::array<std::pair<std::string_view, std::string_view>, 2> k_derived_columns = {{
    {"categories", "published_posts"},
    {"post_categories", "listed_at"},
}};
// The page caches' clock: the target's blogs get generations of their own (see finish()).
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> k_clock_columns = {{
    {"blogs", "generation"},
    {"blogs", "contents_generation"},
    {"month_counts", "changed"},
}};

bool listed(std::span<const std::pair<std::string_view, std::string_view>> list,
            std::string_view table, std::string_view column) {
    return std::ranges::any_of(
        list, [&](const auto& entry) { return entry.first == table && entry.second == column; });
}

bool is_derived_table(std::string_view table) {
    return std::ranges::find(k_derived_tables, table) != k_derived_tables.end();
}

// A checksum of a table's rows that does not depend on their order, which the two backends'
// collations may not agree on: each row's digest, sorted, digested again.
class TableChecksum {
public:
    void add(const Row& row) {
        crypto_generichash_state state;
        crypto_generichash_init(&state, nullptr, 0, k_row_digest_bytes);
        for (const auto& cell : row) {
            const std::uint64_t length = cell ? cell->size() : 0;
            const unsigned char marker = cell ? 1 : 0;
            crypto_generichash_update(&state, &marker, 1);
            crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(&length),
                                      sizeof length);
            if (cell) {
                crypto_generichash_update(
                    &state, reinterpret_cast<const unsigned char*>(cell->data()), cell->size());
            }
        }
        auto& digest = digests_.emplace_back();
        crypto_generichash_final(&state, digest.data(), digest.size());
    }

    std::int64_t rows() const { return static_cast<std::int64_t>(digests_.size()); }

    std::string hex() {
        std::ranges::sort(digests_);
        std::array<unsigned char, 16> total{};
        crypto_generichash_state state;
        crypto_generichash_init(&state, nullptr, 0, total.size());
        for (const auto& digest : digests_) {
            crypto_generichash_update(&state, digest.data(), digest.size());
        }
        crypto_generichash_final(&state, total.data(), total.size());
        std::array<char, total.size() * 2 + 1> text{};
        sodium_bin2hex(text.data(), text.size(), total.data(), total.size());
        return std::string(text.data());
    }

private:
    static constexpr std::size_t k_row_digest_bytes = 16;
    std::vector<std::array<unsigned char, k_row_digest_bytes>> digests_;
};

// The tables in an order where each comes after those it refers to (references of a table
// to itself are set after its rows are in). Ties go by name, so that runs are alike.
Result<std::vector<const TableShape*>> in_reference_order(const std::vector<TableShape>& tables) {
    std::map<std::string, const TableShape*> pending;
    for (const auto& table : tables) pending.emplace(table.name, &table);
    std::vector<const TableShape*> ordered;
    while (!pending.empty()) {
        auto ready = std::ranges::find_if(pending, [&](const auto& entry) {
            return std::ranges::none_of(entry.second->foreign_keys, [&](const auto& key) {
                return key.referenced_table != entry.first &&
                       pending.contains(key.referenced_table);
            });
        });
        if (ready == pending.end()) {
            return model::fail(Error::Code::internal,
                               fmt::format("the tables' references go round in a circle (through "
                                           "{}): they cannot be copied in order",
                                           pending.begin()->first));
        }
        ordered.push_back(ready->second);
        pending.erase(ready);
    }
    return ordered;
}

std::vector<std::string> sorted_columns(const TableShape& table) {
    auto columns = table.columns;
    std::ranges::sort(columns);
    return columns;
}

// Both databases must be at the same schema: the same tables with the same columns.
Status check_same_schema(const std::vector<TableShape>& source,
                         const std::vector<TableShape>& target) {
    std::map<std::string, std::vector<std::string>> target_columns;
    for (const auto& table : target) target_columns.emplace(table.name, sorted_columns(table));
    for (const auto& table : source) {
        auto found = target_columns.find(table.name);
        if (found == target_columns.end()) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("the source has a table {} that the target lacks: "
                                           "are both carnet databases of this version?",
                                           table.name));
        }
        if (found->second != sorted_columns(table)) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("table {} has other columns in the source than in "
                                           "the target: are both carnet databases of this "
                                           "version?",
                                           table.name));
        }
        target_columns.erase(found);
    }
    if (!target_columns.empty()) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("the target has a table {} that the source lacks: are "
                                       "both carnet databases of this version?",
                                       target_columns.begin()->first));
    }
    return {};
}

// What one table's copy reads and writes.
struct TablePlan {
    const TableShape* shape = nullptr;
    std::vector<std::string> checked;  // compared on both sides, sorted by name
    std::vector<std::string> copied;   // written into the target
    // Where each copied column sits in `checked`.
    std::vector<std::size_t> copied_at;
    // Columns of `copied` that refer to the table itself: written NULL, then set.
    std::vector<std::size_t> self_references;
    // Where each primary key column sits in `checked`.
    std::vector<std::size_t> key_at;
    bool derived = false;
};

TablePlan plan_for(const TableShape& table) {
    TablePlan plan;
    plan.shape = &table;
    plan.derived = is_derived_table(table.name);
    for (const auto& column : sorted_columns(table)) {
        if (!listed(k_clock_columns, table.name, column)) plan.checked.push_back(column);
    }
    auto position_of = [&](std::string_view column) {
        return static_cast<std::size_t>(std::ranges::find(plan.checked, column) -
                                        plan.checked.begin());
    };
    for (const auto& key : table.primary_key) plan.key_at.push_back(position_of(key));
    if (plan.derived) return plan;
    for (const auto& column : plan.checked) {
        if (listed(k_derived_columns, table.name, column)) continue;
        plan.copied.push_back(column);
        plan.copied_at.push_back(position_of(column));
        const bool refers_to_itself = std::ranges::any_of(table.foreign_keys, [&](const auto& key) {
            return key.column == column && key.referenced_table == table.name;
        });
        if (refers_to_itself) plan.self_references.push_back(plan.copied.size() - 1);
    }
    return plan;
}

struct SelfReference {
    std::string column;
    Cell value;
    std::vector<Cell> key;
};

// Copies one table's rows, returning the source side's checksum.
Result<TableChecksum> copy_table(const TablePlan& plan, copy::TableReader& source,
                                 copy::TableWriter& target) {
    TableChecksum checksum;
    std::vector<SelfReference> later;
    Row copied(plan.copied.size());
    CARNET_CHECK(source.each_row(*plan.shape, plan.checked, [&](const Row& row) -> Status {
        checksum.add(row);
        if (plan.derived) return {};
        for (std::size_t i = 0; i < plan.copied.size(); ++i) copied[i] = row[plan.copied_at[i]];
        for (auto index : plan.self_references) {
            if (!copied[index]) continue;
            SelfReference reference{plan.copied[index], std::move(copied[index]), {}};
            for (auto at : plan.key_at) reference.key.push_back(row[at]);
            later.push_back(std::move(reference));
            copied[index].reset();
        }
        return target.insert(*plan.shape, plan.copied, copied);
    }));
    CARNET_CHECK(target.flush());
    for (const auto& reference : later) {
        CARNET_CHECK(target.update(*plan.shape, reference.column, reference.value, reference.key));
    }
    return checksum;
}

Status check_empty(copy::TableWriter& target, std::span<const TableShape> tables,
                   std::string_view to) {
    for (const auto& table : tables) {
        CARNET_TRY(rows, target.row_count(table.name));
        if (rows > 0) {
            return model::fail(Error::Code::conflict,
                               fmt::format("{} is not empty ({} rows in {}): carnet migrate "
                                           "copies into an empty database only",
                                           to, rows, table.name));
        }
    }
    return {};
}

Result<std::unique_ptr<Store>> open_target(std::string_view to, const Clock& clock,
                                           const MigrateOptions& options, bool& created_file) {
    created_file = false;
    if (!is_postgres_uri(to)) {
        std::error_code error;
        const bool exists = std::filesystem::exists(std::filesystem::path(to), error);
        if (exists && options.create_target) {
            return model::fail(Error::Code::conflict, fmt::format("{} exists already", to));
        }
        created_file = !exists;
    }
    return open_store(to, OpenMode::create_if_missing, clock);
}

void remove_sqlite_file(const std::filesystem::path& path) {
    std::error_code ignored;
    for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(path.string() + suffix, ignored);
    }
}

Result<copy::TableEndpoint*> endpoint_of(Store& store) {
    auto* endpoint = dynamic_cast<copy::TableEndpoint*>(&store);
    if (endpoint == nullptr) {
        return model::fail(Error::Code::internal, "this store cannot copy its tables");
    }
    return endpoint;
}

Result<MigrateReport> copy_everything(copy::TableEndpoint& source, copy::TableEndpoint& target,
                                      std::string_view to, const MigrateOptions& options) {
    MigrateReport report;
    CARNET_CHECK(source.read_snapshot([&](copy::TableReader& reader) -> Status {
        return target.write_all([&](copy::TableWriter& writer) -> Status {
            report.tables.clear();
            CARNET_TRY(source_tables, reader.tables());
            CARNET_TRY(target_tables, writer.tables());
            CARNET_CHECK(check_same_schema(source_tables, target_tables));
            CARNET_TRY(order, in_reference_order(target_tables));
            if (options.replace_existing) {
                for (const auto& table : target_tables) {
                    CARNET_TRY(rows, writer.row_count(table.name));
                    report.replaced_existing = report.replaced_existing || rows > 0;
                }
                std::vector<TableShape> ordered;
                for (const auto* table : order) ordered.push_back(*table);
                CARNET_CHECK(writer.clear_all(ordered));
            } else {
                CARNET_CHECK(check_empty(writer, target_tables, to));
            }

            std::vector<TablePlan> plans;
            std::vector<TableChecksum> source_sums;
            for (const auto* table : order) {
                plans.push_back(plan_for(*table));
                CARNET_TRY(sum, copy_table(plans.back(), reader, writer));
                source_sums.push_back(std::move(sum));
            }
            CARNET_TRY(indexed, writer.finish());
            report.indexed_posts = indexed;

            for (std::size_t i = 0; i < plans.size(); ++i) {
                TableChecksum target_sum;
                CARNET_CHECK(writer.each_row(*plans[i].shape, plans[i].checked,
                                             [&](const Row& row) -> Status {
                                                 target_sum.add(row);
                                                 return {};
                                             }));
                auto source_hex = source_sums[i].hex();
                auto target_hex = target_sum.hex();
                const auto& name = plans[i].shape->name;
                if (target_sum.rows() != source_sums[i].rows() || target_hex != source_hex) {
                    return model::fail(
                        Error::Code::database,
                        fmt::format("the copy of {} is not the original ({} rows, checksum {}; "
                                    "the source has {} rows, checksum {}): nothing was written",
                                    name, target_sum.rows(), target_hex, source_sums[i].rows(),
                                    source_hex));
                }
                report.tables.push_back(
                    {name, target_sum.rows(), std::move(target_hex), plans[i].derived});
            }
            return {};
        });
    }));
    return report;
}

}  // namespace

Result<MigrateReport> migrate_database(std::string_view from, std::string_view to,
                                       const Clock& clock, const MigrateOptions& options) {
    const auto started = std::chrono::steady_clock::now();
    if (from == to) {
        return model::fail(Error::Code::invalid_input,
                           "the source and the target are the same database");
    }
    if (sodium_init() < 0) return model::fail(Error::Code::internal, "libsodium did not start");
    CARNET_TRY(source_store, open_store(from, OpenMode::must_exist, clock));
    bool created_file = false;
    auto target_store = open_target(to, clock, options, created_file);
    if (!target_store) {
        if (created_file) remove_sqlite_file(std::filesystem::path(to));
        return std::unexpected(target_store.error());
    }
    auto report = [&]() -> Result<MigrateReport> {
        CARNET_TRY(source, endpoint_of(*source_store));
        CARNET_TRY(target, endpoint_of(**target_store));
        return copy_everything(*source, *target, to, options);
    }();
    target_store->reset();
    if (!report) {
        if (created_file) remove_sqlite_file(std::filesystem::path(to));
        return report;
    }
    report->elapsed_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - started)
                             .count();
    return report;
}

}  // namespace carnet::store
