// The store's concern classes, written once for both backends: each is a class template over a
// backend of sql_backend.hpp (SqliteBackend, PgBackend), and its sql_<concern>.cpp instantiates
// it for both. The read side of each borrows connections from the shared Database, the write side
// works in the Transaction that Store::write opened. sqlite_concerns.hpp and pg_concerns.hpp name
// the instances as each store knows them. Private to the store.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <utility>
#include <vector>

#include "store/sql_backend.hpp"
#include "store/store.hpp"

namespace carnet::store::sql {

template <typename Backend>
class LoginFailureStoreFor final : public LoginFailureStore {
public:
    explicit LoginFailureStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<LoginFailures>> find_login_failures(
        std::string_view key) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class LoginFailureWriterFor final : public LoginFailureWriter {
public:
    explicit LoginFailureWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status add_login_failure(std::string_view key, model::Instant now,
                                           model::Instant forget_before) override;
    [[nodiscard]] Status clear_login_failures(std::string_view key) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class CommentAttemptStoreFor final : public CommentAttemptStore {
public:
    explicit CommentAttemptStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::int64_t> count_attempt_keys() override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class CommentAttemptWriterFor final : public CommentAttemptWriter {
public:
    explicit CommentAttemptWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<bool> record_comment_attempt(std::string_view key, model::Instant now,
                                                      const AttemptLimits& limits) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class RedirectStoreFor final : public RedirectStore {
public:
    explicit RedirectStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<model::Post>> find_post_redirect(
        std::int64_t blog_id, std::string_view old_path) override;
    [[nodiscard]] Result<std::vector<std::string>> post_redirect_paths(
        std::int64_t blog_id) override;
    Result<std::optional<model::Category>> find_category_redirect(
        std::int64_t blog_id, std::string_view old_slug) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class RedirectWriterFor final : public RedirectWriter {
public:
    explicit RedirectWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status add_post_redirect(std::int64_t blog_id, std::string_view old_path,
                                           std::int64_t post_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class CommentStoreFor final : public CommentStore {
public:
    explicit CommentStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<model::Comment>> approved_comments(
        std::int64_t blog_id, std::int64_t post_id) override;
    [[nodiscard]] Result<CommentList> comments(std::int64_t blog_id,
                                               const CommentQuery& query) override;
    Result<std::optional<model::Comment>> find_comment(std::int64_t blog_id,
                                                       std::int64_t comment_id) override;
    [[nodiscard]] Result<bool> has_approved_comment_from(std::int64_t blog_id,
                                                         std::string_view name,
                                                         std::string_view email) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class CommentWriterFor final : public CommentWriter {
public:
    explicit CommentWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> add_comment(const model::Comment& comment) override;
    Status set_comment_status(std::int64_t blog_id, std::int64_t comment_id,
                              model::CommentStatus status) override;
    [[nodiscard]] Status update_comment(std::int64_t blog_id, std::int64_t comment_id,
                                        std::string_view source, std::string_view html) override;
    [[nodiscard]] Status delete_comment(std::int64_t blog_id, std::int64_t comment_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class ArchiveStoreFor final : public ArchiveStore {
public:
    explicit ArchiveStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<ArchivedPost>> archived_posts(std::int64_t blog_id) override;
    [[nodiscard]] Status each_archived_post(
        std::int64_t blog_id, const std::function<Status(const ArchivedPost&)>& each) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class ArchiveWriterFor final : public ArchiveWriter {
public:
    explicit ArchiveWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::optional<std::int64_t>> find_post_at(
        std::int64_t blog_id, model::Instant published_at, std::string_view slug,
        std::string_view meta_key, std::string_view meta_value) override;
    [[nodiscard]] Status set_post_extras(std::int64_t blog_id, std::int64_t post_id,
                                         const std::vector<std::string>& tags,
                                         const std::map<std::string, std::string>& meta) override;
    [[nodiscard]] Result<std::int64_t> add_archived_comment(
        const ArchivedComment& comment) override;
    Result<std::optional<ArchivedPost>> archived_post(std::int64_t blog_id,
                                                      std::int64_t post_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class AppPasswordStoreFor final : public AppPasswordStore {
public:
    explicit AppPasswordStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<AppPassword>> app_passwords_of(std::int64_t user_id) override;
    [[nodiscard]] Result<std::optional<AppPassword>> find_app_password(
        std::string_view token_hash) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class AppPasswordWriterFor final : public AppPasswordWriter {
public:
    explicit AppPasswordWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> create_app_password(std::int64_t user_id,
                                                           std::string_view name,
                                                           std::string_view token_hash) override;
    [[nodiscard]] Status revoke_app_password(std::int64_t user_id, std::string_view name) override;
    [[nodiscard]] Status record_app_password_use(std::int64_t app_password_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class MediaStoreFor final : public MediaStore {
public:
    explicit MediaStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<MediaRecord>> media(std::int64_t blog_id, int offset,
                                                         int limit) override;
    Result<std::optional<MediaRecord>> find_media(std::int64_t blog_id,
                                                  std::string_view file_name) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class MediaWriterFor final : public MediaWriter {
public:
    explicit MediaWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> add_media(const MediaRecord& media,
                                                 std::int64_t uploaded_by) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class PageStoreFor final : public PageStore {
public:
    explicit PageStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<model::Page>> pages(std::int64_t blog_id,
                                                         bool published_only) override;
    Result<std::optional<model::Page>> find_page_by_id(std::int64_t blog_id,
                                                       std::int64_t page_id) override;
    [[nodiscard]] Result<std::optional<model::Page>> find_published_page(
        std::int64_t blog_id, std::string_view slug) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class PageWriterFor final : public PageWriter {
public:
    explicit PageWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> create_page(const model::Page& page) override;
    [[nodiscard]] Status update_page(const model::Page& page) override;
    [[nodiscard]] Status delete_page(std::int64_t blog_id, std::int64_t page_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class AccessTokenStoreFor final : public AccessTokenStore {
public:
    explicit AccessTokenStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<AccessToken>> access_tokens_of(std::int64_t user_id) override;
    [[nodiscard]] Result<std::optional<AccessToken>> find_access_token(
        std::string_view token_hash) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class AccessTokenWriterFor final : public AccessTokenWriter {
public:
    explicit AccessTokenWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status create_auth_code(std::string_view code_hash,
                                          const AuthCode& code) override;
    [[nodiscard]] Result<std::optional<AuthCode>> take_auth_code(
        std::string_view code_hash) override;
    [[nodiscard]] Result<std::int64_t> create_access_token(std::string_view token_hash,
                                                           const AccessToken& token) override;
    [[nodiscard]] Status revoke_access_token(std::int64_t user_id, std::int64_t token_id) override;
    [[nodiscard]] Result<bool> revoke_access_token_by_hash(std::string_view token_hash) override;
    [[nodiscard]] Status record_access_token_use(std::int64_t token_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class AccountStoreFor final : public AccountStore {
public:
    explicit AccountStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<model::User>> find_user_by_email(
        std::string_view email) override;
    [[nodiscard]] Result<std::optional<model::Role>> role_of(std::int64_t blog_id,
                                                             std::int64_t user_id) override;
    [[nodiscard]] Result<std::optional<Login>> find_login(std::string_view email) override;
    [[nodiscard]] Result<std::optional<model::User>> find_user(std::int64_t user_id) override;
    [[nodiscard]] Result<std::vector<UserSummary>> list_users() override;
    [[nodiscard]] Result<std::vector<Membership>> memberships_of(std::int64_t user_id) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class AccountWriterFor final : public AccountWriter {
public:
    explicit AccountWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> create_user(const model::User& user,
                                                   std::string_view password_hash) override;
    [[nodiscard]] Status add_membership(std::int64_t blog_id, std::int64_t user_id,
                                        model::Role role) override;
    [[nodiscard]] Result<std::optional<model::User>> find_user_by_email(
        std::string_view email) override;
    [[nodiscard]] Status set_password(std::int64_t user_id,
                                      std::string_view password_hash) override;
    [[nodiscard]] Status remove_user(std::int64_t user_id) override;
    [[nodiscard]] Status remove_membership(std::int64_t blog_id, std::int64_t user_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class SessionStoreFor final : public SessionStore {
public:
    explicit SessionStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<Session>> find_session(std::string_view token_hash,
                                                              model::Instant now) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class SessionWriterFor final : public SessionWriter {
public:
    explicit SessionWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status create_session(std::string_view token_hash,
                                        const Session& session) override;
    [[nodiscard]] Status delete_session(std::string_view token_hash) override;
    [[nodiscard]] Result<int> delete_sessions_of(std::int64_t user_id) override;
    [[nodiscard]] Result<int> delete_expired_sessions(model::Instant now) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class FederationStoreFor final : public FederationStore {
public:
    explicit FederationStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<FollowerPage> followers(std::int64_t blog_id, FollowerState state,
                                                 int offset, int limit) override;
    [[nodiscard]] Result<std::optional<Follower>> find_follower(std::int64_t blog_id,
                                                                std::string_view actor) override;
    [[nodiscard]] Result<std::vector<std::string>> delivery_inboxes(std::int64_t blog_id) override;
    [[nodiscard]] Result<bool> is_blocked(std::int64_t blog_id, std::string_view actor,
                                          std::string_view host) override;
    [[nodiscard]] Result<std::vector<std::string>> blocks(std::int64_t blog_id) override;

    [[nodiscard]] Result<std::optional<RemoteNote>> find_note(std::int64_t blog_id,
                                                              std::string_view note_id) override;
    [[nodiscard]] Result<bool> has_approved_reply_from(std::int64_t blog_id,
                                                       std::string_view actor) override;
    [[nodiscard]] Result<ReactionCounts> reaction_counts(std::int64_t blog_id,
                                                         std::int64_t post_id) override;
    [[nodiscard]] Result<std::map<std::int64_t, ReactionCounts>> reaction_counts_by_post(
        std::int64_t blog_id) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class FederationWriterFor final : public FederationWriter {
public:
    explicit FederationWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status save_follower(const Follower& follower) override;
    [[nodiscard]] Result<std::optional<Follower>> find_follower(std::int64_t blog_id,
                                                                std::string_view actor) override;
    [[nodiscard]] Status set_follower_state(std::int64_t blog_id, std::string_view actor,
                                            FollowerState state) override;
    [[nodiscard]] Result<bool> remove_follower(std::int64_t blog_id,
                                               std::string_view actor) override;
    [[nodiscard]] Result<int> remove_followers_at(std::int64_t blog_id,
                                                  std::string_view inbox) override;
    [[nodiscard]] Result<int> block(std::int64_t blog_id, std::string_view target) override;
    [[nodiscard]] Status unblock(std::int64_t blog_id, std::string_view target) override;
    [[nodiscard]] Result<std::string> federated_object(std::int64_t blog_id,
                                                       std::int64_t post_id) override;
    [[nodiscard]] Status set_federated_object(std::int64_t blog_id, std::int64_t post_id,
                                              std::string_view object_id) override;

    [[nodiscard]] Status save_note(const RemoteNote& note) override;
    [[nodiscard]] Result<std::optional<RemoteNote>> find_note(std::int64_t blog_id,
                                                              std::string_view note_id) override;
    [[nodiscard]] Result<bool> add_reaction(const Reaction& reaction) override;
    [[nodiscard]] Result<bool> remove_reaction(std::int64_t blog_id, std::string_view actor,
                                               std::string_view activity_id) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class BlogStoreFor final : public BlogStore {
public:
    explicit BlogStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<model::Blog>> list_blogs() override;
    [[nodiscard]] Result<std::optional<model::Blog>> find_blog(std::int64_t blog_id) override;
    [[nodiscard]] Result<BlogCounts> counts(std::int64_t blog_id) override;
    [[nodiscard]] Result<std::uint64_t> contents_generation(std::int64_t blog_id) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class BlogWriterFor final : public BlogWriter {
public:
    explicit BlogWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> create_blog(const model::Blog& blog) override;
    [[nodiscard]] Status update_blog(const model::Blog& blog) override;
    [[nodiscard]] Result<std::string> shared_secret(std::string_view name,
                                                    std::string_view fresh) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class CategoryStoreFor final : public CategoryStore {
public:
    explicit CategoryStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<model::Category>> find_category(
        std::int64_t blog_id, std::string_view slug) override;
    [[nodiscard]] Result<std::vector<model::Category>> categories_with_counts(
        std::int64_t blog_id) override;
    [[nodiscard]] Result<std::vector<model::Category>> all_categories(
        std::int64_t blog_id) override;
    [[nodiscard]] Result<std::vector<model::Category>> all_tags(std::int64_t blog_id) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class CategoryWriterFor final : public CategoryWriter {
public:
    explicit CategoryWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status rename_category(std::int64_t blog_id, std::int64_t category_id,
                                         std::string_view name, std::string_view slug) override;
    [[nodiscard]] Status merge_categories(std::int64_t blog_id, std::int64_t from,
                                          std::int64_t into) override;
    [[nodiscard]] Status delete_category(std::int64_t blog_id, std::int64_t category_id) override;
    [[nodiscard]] Result<std::int64_t> ensure_category(const model::Category& category) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class JobStoreFor final : public JobStore {
public:
    explicit JobStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::vector<Job>> pending_jobs(std::int64_t blog_id) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class JobWriterFor final : public JobWriter {
public:
    explicit JobWriterFor(typename Backend::Transaction& transaction) : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> enqueue_job(const NewJob& job) override;
    [[nodiscard]] Result<std::optional<Job>> claim_job(std::string_view worker, model::Instant now,
                                                       std::chrono::seconds lease) override;
    [[nodiscard]] Status complete_job(std::int64_t job_id, std::string_view worker) override;
    [[nodiscard]] Status retry_job(std::int64_t job_id, std::string_view worker,
                                   model::Instant run_at, std::string_view error) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class MentionStoreFor final : public MentionStore {
public:
    explicit MentionStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<std::optional<Mention>> find_mention(std::int64_t blog_id,
                                                              std::string_view source,
                                                              std::string_view target) override;

private:
    typename Backend::Database& database_;
};

template <typename Backend>
class MentionWriterFor final : public MentionWriter {
public:
    explicit MentionWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Status save_mention(const Mention& mention) override;
    [[nodiscard]] Result<std::optional<Mention>> find_mention(std::int64_t blog_id,
                                                              std::string_view source,
                                                              std::string_view target) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class PostStoreFor final : public PostStore {
public:
    explicit PostStoreFor(typename Backend::Database& database) : database_(database) {}

    [[nodiscard]] Result<PostList> published_posts(std::int64_t blog_id,
                                                   const PostQuery& query) override;
    Result<std::optional<model::Post>> find_published_post(std::int64_t blog_id,
                                                           std::string_view slug) override;
    [[nodiscard]] Result<std::vector<model::MonthCount>> months_with_counts(
        std::int64_t blog_id) override;
    [[nodiscard]] Result<PostList> admin_posts(std::int64_t blog_id,
                                               const AdminPostQuery& query) override;
    Result<std::optional<model::Post>> find_post_by_id(std::int64_t blog_id,
                                                       std::int64_t post_id) override;
    [[nodiscard]] Result<std::vector<Revision>> revisions(std::int64_t blog_id,
                                                          std::int64_t post_id) override;
    Result<std::optional<Revision>> find_revision(std::int64_t blog_id,
                                                  std::int64_t revision_id) override;

private:
    // Where every k_listing_anchor_step-th post of a listing (the whole blog's, or a
    // category's) sorts, as the listing stood at a contents generation: a deep page starts
    // from the anchor before it, where OFFSET would walk every post in front of it (3 ms for
    // page 10,000 of a blog of 100,000 posts, and a static build renders every page).
    static constexpr int k_listing_anchor_step = 256;
    struct ListingAnchor {
        std::int64_t at = 0;  // published_at, or listed_at in a category
        std::int64_t id = 0;
    };
    struct ListingAnchors {
        std::uint64_t contents_generation = 0;
        std::vector<ListingAnchor> every_step;
    };
    [[nodiscard]] Result<std::shared_ptr<const ListingAnchors>> listing_anchors(
        typename Backend::Connection& db, std::int64_t blog_id,
        std::optional<std::int64_t> category_id);

    // A blog's months as last read, and the contents generation read before them.
    struct KeptMonths {
        std::uint64_t contents_generation = 0;
        std::vector<model::MonthCount> months;
    };
    [[nodiscard]] Result<std::vector<model::MonthCount>> changed_months(
        typename Backend::Connection& db, std::int64_t blog_id, const KeptMonths& kept);

    typename Backend::Database& database_;
    std::mutex months_mutex_;
    std::map<std::int64_t, std::shared_ptr<const KeptMonths>> months_;
    std::mutex anchors_mutex_;
    // By blog and category (0: the whole blog).
    std::map<std::pair<std::int64_t, std::int64_t>, std::shared_ptr<const ListingAnchors>> anchors_;
};

template <typename Backend>
class PostWriterFor final : public PostWriter {
public:
    explicit PostWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

    [[nodiscard]] Result<std::int64_t> create_post(const model::Post& post) override;
    Result<std::optional<model::Post>> find_post_by_slug(std::int64_t blog_id,
                                                         std::string_view slug) override;
    [[nodiscard]] Result<std::optional<model::Post>> find_post_by_id(std::int64_t blog_id,
                                                                     std::int64_t post_id) override;
    [[nodiscard]] Status update_post(const model::Post& post) override;
    Result<std::int64_t> save_revision(std::int64_t blog_id, std::int64_t post_id,
                                       std::int64_t author_id, bool autosave) override;
    [[nodiscard]] Status delete_post(std::int64_t blog_id, std::int64_t post_id) override;
    [[nodiscard]] Result<std::vector<PostKey>> publish_due_posts(model::Instant now) override;

private:
    typename Backend::Transaction& transaction_;
};

template <typename Backend>
class FollowingStoreFor final : public FollowingStore {
public:
    explicit FollowingStoreFor(typename Backend::Database& database) : database_(database) {}

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
    typename Backend::Database& database_;
};

template <typename Backend>
class FollowingWriterFor final : public FollowingWriter {
public:
    explicit FollowingWriterFor(typename Backend::Transaction& transaction)
        : transaction_(transaction) {}

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
    typename Backend::Transaction& transaction_;
};

// Each class above is instantiated once per backend, in its own file.
#define CARNET_SQL_CONCERN(Class)                    \
    extern template class Class<sql::SqliteBackend>; \
    extern template class Class<sql::PgBackend>

CARNET_SQL_CONCERN(LoginFailureStoreFor);
CARNET_SQL_CONCERN(LoginFailureWriterFor);
CARNET_SQL_CONCERN(CommentAttemptStoreFor);
CARNET_SQL_CONCERN(CommentAttemptWriterFor);
CARNET_SQL_CONCERN(RedirectStoreFor);
CARNET_SQL_CONCERN(RedirectWriterFor);
CARNET_SQL_CONCERN(CommentStoreFor);
CARNET_SQL_CONCERN(CommentWriterFor);
CARNET_SQL_CONCERN(ArchiveStoreFor);
CARNET_SQL_CONCERN(ArchiveWriterFor);
CARNET_SQL_CONCERN(AppPasswordStoreFor);
CARNET_SQL_CONCERN(AppPasswordWriterFor);
CARNET_SQL_CONCERN(MediaStoreFor);
CARNET_SQL_CONCERN(MediaWriterFor);
CARNET_SQL_CONCERN(PageStoreFor);
CARNET_SQL_CONCERN(PageWriterFor);
CARNET_SQL_CONCERN(AccessTokenStoreFor);
CARNET_SQL_CONCERN(AccessTokenWriterFor);
CARNET_SQL_CONCERN(AccountStoreFor);
CARNET_SQL_CONCERN(AccountWriterFor);
CARNET_SQL_CONCERN(SessionStoreFor);
CARNET_SQL_CONCERN(SessionWriterFor);
CARNET_SQL_CONCERN(FederationStoreFor);
CARNET_SQL_CONCERN(FederationWriterFor);
CARNET_SQL_CONCERN(BlogStoreFor);
CARNET_SQL_CONCERN(BlogWriterFor);
CARNET_SQL_CONCERN(CategoryStoreFor);
CARNET_SQL_CONCERN(CategoryWriterFor);
CARNET_SQL_CONCERN(JobStoreFor);
CARNET_SQL_CONCERN(JobWriterFor);
CARNET_SQL_CONCERN(MentionStoreFor);
CARNET_SQL_CONCERN(MentionWriterFor);
CARNET_SQL_CONCERN(PostStoreFor);
CARNET_SQL_CONCERN(PostWriterFor);
CARNET_SQL_CONCERN(FollowingStoreFor);
CARNET_SQL_CONCERN(FollowingWriterFor);

}  // namespace carnet::store::sql
