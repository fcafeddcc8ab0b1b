// The Following concern, one implementation for both backends: its SQL is the same on SQLite
// and PostgreSQL (written with ?N placeholders, which PostgreSQL's prepare numbers $N), so that one
// file holds it (following.cpp, which instantiates these for sqlite::Database and
// pg::Database). Private to the store.
#pragma once

#include "store/store.hpp"

namespace carnet::store {

// The read side over a backend's Database (sqlite::Database, pg::Database).
template <typename Database>
class FollowingStoreOn final : public FollowingStore {
public:
    explicit FollowingStoreOn(Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<Following>> followings(std::int64_t blog_id) override;
    [[nodiscard]] Result<std::optional<Following>> find_following(std::int64_t blog_id,
                                                                  std::string_view actor) override;
    [[nodiscard]] Result<ReaderPage> reader_items(std::int64_t blog_id, int offset,
                                                  int limit) override;
    [[nodiscard]] Result<std::optional<ReaderItem>> find_reader_item(std::int64_t blog_id,
                                                                     std::int64_t item_id) override;
    [[nodiscard]] Result<std::optional<RemoteNote>> note_of_comment(
        std::int64_t blog_id, std::int64_t comment_id) override;

private:
    Database& database_;
};

// The write side over a backend's Transaction (sqlite::Transaction, pg::Transaction).
template <typename Transaction>
class FollowingWriterOn final : public FollowingWriter {
public:
    explicit FollowingWriterOn(Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Status save_following(const Following& following) override;
    [[nodiscard]] Result<std::optional<Following>> find_following(std::int64_t blog_id,
                                                                  std::string_view actor) override;
    [[nodiscard]] Status set_following_state(std::int64_t blog_id, std::string_view actor,
                                             FollowingState state) override;
    [[nodiscard]] Result<bool> remove_following(std::int64_t blog_id,
                                                std::string_view actor) override;
    [[nodiscard]] Result<std::int64_t> save_reader_item(const ReaderItem& item) override;
    [[nodiscard]] Result<std::optional<ReaderItem>> find_reader_item_by_object(
        std::int64_t blog_id, std::string_view object_id) override;
    [[nodiscard]] Result<bool> remove_reader_item(std::int64_t blog_id,
                                                  std::string_view object_id) override;

private:
    Transaction& transaction_;
};

}  // namespace carnet::store
