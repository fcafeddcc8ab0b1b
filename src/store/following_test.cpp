// The accounts a blog follows and its reader, on every backend (store_test_backends.hpp).
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;
using model::Error;

class FollowingTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        auto written = store_->write([&](Writer& writer) -> Status {
            for (auto* id : {&blog_id_, &other_blog_id_}) {
                model::Blog blog;
                blog.title = "Carnet";
                blog.hosts = {id == &blog_id_ ? "un.example.org" : "deux.example.org"};
                auto created = writer.blogs().create_blog(blog);
                if (!created) return std::unexpected(created.error());
                *id = *created;
            }
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
    }

    Following account(const std::string& actor) {
        return Following{.blog_id = blog_id_,
                         .actor = actor,
                         .handle = "ana@example.social",
                         .name = "Ana",
                         .inbox = actor + "/inbox",
                         .profile_url = actor + "/page",
                         .follow_id = "https://un.example.org/actor#follows/1"};
    }

    Status write(const std::function<Status(Writer&)>& body) {
        auto written = store_->write(body);
        clock_.advance(seconds(1));
        return written;
    }

    ReaderItem item(const std::string& object_id, model::Instant published) {
        return ReaderItem{.blog_id = blog_id_,
                          .object_id = object_id,
                          .actor = "https://a.example/users/ana",
                          .author_name = "Ana",
                          .author_handle = "ana@a.example",
                          .author_url = "https://a.example/@ana",
                          .url = object_id + "/page",
                          .title = "Titre",
                          .html = "<p>Tout le texte.</p>",
                          .published_at = published,
                          .updated_at = published};
    }

    Result<std::int64_t> save_item(const ReaderItem& item) {
        std::int64_t id = 0;
        auto written = write([&](Writer& writer) -> Status {
            auto saved = writer.following().save_reader_item(item);
            if (!saved) return std::unexpected(saved.error());
            id = *saved;
            return {};
        });
        if (!written) return std::unexpected(written.error());
        return id;
    }

    std::vector<std::string> objects(int offset = 0, int limit = 100) {
        auto page = store_->following().reader_items(blog_id_, offset, limit);
        EXPECT_TRUE(page.has_value()) << page.error().message;
        std::vector<std::string> out;
        if (page) {
            for (const auto& each : page->items) out.push_back(each.object_id);
        }
        return out;
    }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{year{2026} / 12 / 2} + hours{8}};
    std::unique_ptr<Store> store_;
    std::int64_t blog_id_ = 0;
    std::int64_t other_blog_id_ = 0;
};

TEST_P(FollowingTest, AnAccountFollowedIsPendingUntilAcceptedAndGoesWhenUnfollowed) {
    const auto ana = account("https://a.example/users/ana");
    ASSERT_TRUE(write([&](Writer& w) { return w.following().save_following(ana); }));
    auto found = store_->following().find_following(blog_id_, ana.actor);
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->state, FollowingState::pending);
    EXPECT_EQ((*found)->handle, "ana@example.social");
    EXPECT_EQ((*found)->name, "Ana");
    EXPECT_EQ((*found)->inbox, "https://a.example/users/ana/inbox");
    EXPECT_EQ((*found)->profile_url, "https://a.example/users/ana/page");
    EXPECT_EQ((*found)->follow_id, "https://un.example.org/actor#follows/1");
    EXPECT_EQ((*found)->created_at, sys_days{year{2026} / 12 / 2} + hours{8});

    ASSERT_TRUE(write([&](Writer& w) {
        return w.following().set_following_state(blog_id_, ana.actor, FollowingState::accepted);
    }));
    found = store_->following().find_following(blog_id_, ana.actor);
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->state, FollowingState::accepted);
    // Another blog of the store follows nobody.
    auto other = store_->following().find_following(other_blog_id_, ana.actor);
    ASSERT_TRUE(other.has_value());
    EXPECT_FALSE(other->has_value());

    auto unknown = write([&](Writer& w) {
        return w.following().set_following_state(blog_id_, "https://b.example/users/bob",
                                                 FollowingState::accepted);
    });
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, Error::Code::not_found);

    bool removed = false;
    ASSERT_TRUE(write([&](Writer& w) -> Status {
        auto gone = w.following().remove_following(blog_id_, ana.actor);
        if (!gone) return std::unexpected(gone.error());
        removed = *gone;
        return {};
    }));
    EXPECT_TRUE(removed);
    ASSERT_TRUE(write([&](Writer& w) -> Status {
        auto gone = w.following().remove_following(blog_id_, ana.actor);
        if (!gone) return std::unexpected(gone.error());
        removed = *gone;
        return {};
    }));
    EXPECT_FALSE(removed);
    auto listed = store_->following().followings(blog_id_);
    ASSERT_TRUE(listed.has_value());
    EXPECT_TRUE(listed->empty());
}

TEST_P(FollowingTest, AccountsAreListedNewestFirstAndFollowingAgainReplaces) {
    ASSERT_TRUE(write([&](Writer& w) {
        return w.following().save_following(account("https://a.example/users/ana"));
    }));
    ASSERT_TRUE(write([&](Writer& w) {
        return w.following().save_following(account("https://b.example/users/bob"));
    }));
    auto again = account("https://a.example/users/ana");
    again.follow_id = "https://un.example.org/actor#follows/2";
    again.inbox = "https://a.example/inbox-2";
    ASSERT_TRUE(write([&](Writer& w) -> Status {
        if (auto saved = w.following().save_following(again); !saved) return saved;
        auto seen = w.following().find_following(blog_id_, again.actor);
        if (!seen) return std::unexpected(seen.error());
        EXPECT_TRUE(*seen && (*seen)->inbox == "https://a.example/inbox-2");
        return {};
    }));
    auto listed = store_->following().followings(blog_id_);
    ASSERT_TRUE(listed.has_value());
    ASSERT_EQ(listed->size(), 2u);
    EXPECT_EQ((*listed)[0].actor, "https://b.example/users/bob");
    EXPECT_EQ((*listed)[1].actor, "https://a.example/users/ana");
    EXPECT_EQ((*listed)[1].follow_id, "https://un.example.org/actor#follows/2");

    auto without_inbox = account("https://c.example/users/cy");
    without_inbox.inbox.clear();
    auto refused = write([&](Writer& w) { return w.following().save_following(without_inbox); });
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Error::Code::invalid_input);
}

TEST_P(FollowingTest, ReaderItemsAreNewestFirstInPagesAndAnUpdateKeepsTheirPlace) {
    const auto start = clock_.now();
    auto first = save_item(item("https://a.example/notes/1", start - hours(3)));
    ASSERT_TRUE(first.has_value()) << first.error().message;
    ASSERT_TRUE(save_item(item("https://a.example/notes/2", start - hours(1))));
    ASSERT_TRUE(save_item(item("https://a.example/notes/3", start - hours(2))));
    EXPECT_EQ(objects(),
              (std::vector<std::string>{"https://a.example/notes/2", "https://a.example/notes/3",
                                        "https://a.example/notes/1"}));
    EXPECT_EQ(objects(1, 1), std::vector<std::string>{"https://a.example/notes/3"});
    auto page = store_->following().reader_items(blog_id_, 2, 10);
    ASSERT_TRUE(page.has_value());
    EXPECT_EQ(page->total, 3);
    ASSERT_EQ(page->items.size(), 1u);
    EXPECT_EQ(page->items[0].id, *first);
    EXPECT_EQ(page->items[0].author_handle, "ana@a.example");
    EXPECT_EQ(page->items[0].html, "<p>Tout le texte.</p>");
    EXPECT_EQ(page->items[0].published_at, start - hours(3));

    auto changed = item("https://a.example/notes/1", start - hours(3));
    changed.html = "<p>Corrigé.</p>";
    changed.updated_at = start;
    auto same = save_item(changed);
    ASSERT_TRUE(same.has_value());
    EXPECT_EQ(*same, *first);
    auto found = store_->following().find_reader_item(blog_id_, *first);
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->html, "<p>Corrigé.</p>");
    EXPECT_EQ((*found)->updated_at, start);
    // Not another blog's.
    auto elsewhere = store_->following().find_reader_item(other_blog_id_, *first);
    ASSERT_TRUE(elsewhere.has_value());
    EXPECT_FALSE(elsewhere->has_value());
    auto other_page = store_->following().reader_items(other_blog_id_, 0, 10);
    ASSERT_TRUE(other_page.has_value());
    EXPECT_EQ(other_page->total, 0);
}

TEST_P(FollowingTest, ADeletedItemLeavesTheReaderAndAnItemNeedsItsIds) {
    ASSERT_TRUE(save_item(item("https://a.example/notes/1", clock_.now())));
    bool removed = false;
    ASSERT_TRUE(write([&](Writer& w) -> Status {
        auto seen = w.following().find_reader_item_by_object(blog_id_, "https://a.example/notes/1");
        if (!seen) return std::unexpected(seen.error());
        EXPECT_TRUE(seen->has_value());
        auto gone = w.following().remove_reader_item(blog_id_, "https://a.example/notes/1");
        if (!gone) return std::unexpected(gone.error());
        removed = *gone;
        return {};
    }));
    EXPECT_TRUE(removed);
    EXPECT_TRUE(objects().empty());
    ASSERT_TRUE(write([&](Writer& w) -> Status {
        auto gone = w.following().remove_reader_item(blog_id_, "https://a.example/notes/1");
        if (!gone) return std::unexpected(gone.error());
        removed = *gone;
        return {};
    }));
    EXPECT_FALSE(removed);

    auto anonymous = item("https://a.example/notes/2", clock_.now());
    anonymous.actor.clear();
    auto refused = save_item(anonymous);
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Error::Code::invalid_input);
    EXPECT_TRUE(objects().empty());
}

TEST_P(FollowingTest, TheNoteACommentShowsIsFoundByTheComment) {
    std::int64_t comment_id = 0;
    ASSERT_TRUE(write([&](Writer& w) -> Status {
        model::Post post;
        post.blog_id = blog_id_;
        post.status = model::PostStatus::published;
        post.title = "Billet";
        post.slug = "billet";
        post.published_at = clock_.now();
        auto post_id = w.posts().create_post(post);
        if (!post_id) return std::unexpected(post_id.error());
        model::Comment comment{.blog_id = blog_id_,
                               .post_id = *post_id,
                               .author_name = "Ana",
                               .source = "Bravo",
                               .html = "<p>Bravo</p>",
                               .status = model::CommentStatus::pending,
                               .created_at = clock_.now()};
        auto added = w.comments().add_comment(comment);
        if (!added) return std::unexpected(added.error());
        comment_id = *added;
        return w.federation().save_note({.blog_id = blog_id_,
                                         .post_id = *post_id,
                                         .note_id = "https://a.example/notes/9",
                                         .actor = "https://a.example/users/ana",
                                         .comment_id = comment_id});
    }));
    auto note = store_->following().note_of_comment(blog_id_, comment_id);
    ASSERT_TRUE(note.has_value() && note->has_value());
    EXPECT_EQ((*note)->note_id, "https://a.example/notes/9");
    EXPECT_EQ((*note)->actor, "https://a.example/users/ana");
    auto none = store_->following().note_of_comment(blog_id_, comment_id + 1);
    ASSERT_TRUE(none.has_value());
    EXPECT_FALSE(none->has_value());
}

INSTANTIATE_TEST_SUITE_P(Backends, FollowingTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

}  // namespace
}  // namespace carnet::store
