// A blog's followers on the fediverse and what it blocks, on every backend
// (store_test_backends.hpp).
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;
using model::Error;

class FederationTest : public ::testing::TestWithParam<StoreBackend> {
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

    Follower follower(const std::string& actor, const std::string& shared_inbox = "") {
        return Follower{.blog_id = blog_id_,
                        .actor = actor,
                        .inbox = actor + "/inbox",
                        .shared_inbox = shared_inbox,
                        .follow_id = actor + "#follow",
                        .handle = "ana@example.social"};
    }

    void save(const Follower& follower) {
        auto written = store_->write(
            [&](Writer& writer) -> Status { return writer.federation().save_follower(follower); });
        ASSERT_TRUE(written.has_value()) << written.error().message;
        clock_.advance(seconds(1));
    }

    std::vector<std::string> actors(FollowerState state = FollowerState::accepted) {
        auto page = store_->federation().followers(blog_id_, state, 0, 100);
        EXPECT_TRUE(page.has_value()) << page.error().message;
        std::vector<std::string> out;
        if (page) {
            for (const auto& each : page->followers) out.push_back(each.actor);
        }
        return out;
    }

    // A published post of the blog, and an approved comment on it.
    std::int64_t add_post(const std::string& slug) {
        std::int64_t id = 0;
        auto written = store_->write([&](Writer& writer) -> Status {
            model::Post post;
            post.blog_id = blog_id_;
            post.status = model::PostStatus::published;
            post.title = slug;
            post.slug = slug;
            post.published_at = clock_.now();
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return id;
    }

    ReactionCounts counts(std::int64_t post_id) {
        auto read = store_->federation().reaction_counts(blog_id_, post_id);
        EXPECT_TRUE(read.has_value()) << read.error().message;
        return read.value_or(ReactionCounts{-1, -1});
    }

    Result<bool> react(std::int64_t post_id, const std::string& actor, ReactionKind kind,
                       const std::string& id) {
        bool added = false;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto result = writer.federation().add_reaction({.blog_id = blog_id_,
                                                            .post_id = post_id,
                                                            .actor = actor,
                                                            .kind = kind,
                                                            .activity_id = id});
            if (!result) return std::unexpected(result.error());
            added = *result;
            return {};
        });
        if (!written) return std::unexpected(written.error());
        return added;
    }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{year{2026} / 12 / 2} + hours{8}};
    std::unique_ptr<Store> store_;
    std::int64_t blog_id_ = 0;
    std::int64_t other_blog_id_ = 0;
};

TEST_P(FederationTest, FollowersAreListedNewestFirstInPagesWithTheirCount) {
    save(follower("https://a.example/users/ana"));
    save(follower("https://b.example/users/bob"));
    save(follower("https://c.example/users/cy"));
    auto page = store_->federation().followers(blog_id_, FollowerState::accepted, 1, 1);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    EXPECT_EQ(page->total, 3);
    ASSERT_EQ(page->followers.size(), 1u);
    EXPECT_EQ(page->followers[0].actor, "https://b.example/users/bob");
    EXPECT_EQ(page->followers[0].inbox, "https://b.example/users/bob/inbox");
    EXPECT_EQ(page->followers[0].follow_id, "https://b.example/users/bob#follow");
    EXPECT_EQ(page->followers[0].handle, "ana@example.social");
    EXPECT_EQ(page->followers[0].created_at, sys_days{year{2026} / 12 / 2} + hours{8} + 1s);
    EXPECT_EQ(actors(),
              (std::vector<std::string>{"https://c.example/users/cy", "https://b.example/users/bob",
                                        "https://a.example/users/ana"}));
    auto other = store_->federation().followers(other_blog_id_, FollowerState::accepted, 0, 10);
    ASSERT_TRUE(other.has_value());
    EXPECT_EQ(other->total, 0);
}

TEST_P(FederationTest, FollowingAgainReplacesTheFollowerAndPendingOnesWaitApart) {
    auto ana = follower("https://a.example/users/ana");
    ana.state = FollowerState::pending;
    save(ana);
    EXPECT_TRUE(actors().empty());
    EXPECT_EQ(actors(FollowerState::pending), std::vector<std::string>{ana.actor});
    ana.follow_id = "https://a.example/follows/2";
    save(ana);
    auto found = store_->federation().find_follower(blog_id_, ana.actor);
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->follow_id, "https://a.example/follows/2");
    auto approved = store_->write([&](Writer& writer) -> Status {
        return writer.federation().set_follower_state(blog_id_, ana.actor, FollowerState::accepted);
    });
    ASSERT_TRUE(approved.has_value()) << approved.error().message;
    EXPECT_EQ(actors(), std::vector<std::string>{ana.actor});
    auto unknown = store_->write([&](Writer& writer) -> Status {
        return writer.federation().set_follower_state(blog_id_, "https://x.example/nobody",
                                                      FollowerState::accepted);
    });
    ASSERT_FALSE(unknown.has_value());
    EXPECT_EQ(unknown.error().code, Error::Code::not_found);
}

TEST_P(FederationTest, AFollowerWithoutActorOrInboxIsRefused) {
    auto written = store_->write([&](Writer& writer) -> Status {
        auto nobody = follower("https://a.example/users/ana");
        nobody.inbox.clear();
        return writer.federation().save_follower(nobody);
    });
    ASSERT_FALSE(written.has_value());
    EXPECT_EQ(written.error().code, Error::Code::invalid_input);
    EXPECT_TRUE(actors().empty());
}

TEST_P(FederationTest, DeliveryGoesOnceToEachSharedInboxElseToEachInbox) {
    save(follower("https://a.example/users/ana", "https://a.example/inbox"));
    save(follower("https://a.example/users/alf", "https://a.example/inbox"));
    save(follower("https://b.example/users/bob"));
    auto pending = follower("https://c.example/users/cy");
    pending.state = FollowerState::pending;
    save(pending);
    auto inboxes = store_->federation().delivery_inboxes(blog_id_);
    ASSERT_TRUE(inboxes.has_value()) << inboxes.error().message;
    EXPECT_EQ(*inboxes, (std::vector<std::string>{"https://a.example/inbox",
                                                  "https://b.example/users/bob/inbox"}));
}

TEST_P(FederationTest, AnInboxThatIsGoneTakesItsFollowersAlong) {
    save(follower("https://a.example/users/ana", "https://a.example/inbox"));
    save(follower("https://a.example/users/alf", "https://a.example/inbox"));
    save(follower("https://b.example/users/bob"));
    int removed = 0;
    auto written = store_->write([&](Writer& writer) -> Status {
        auto gone = writer.federation().remove_followers_at(blog_id_, "https://a.example/inbox");
        if (!gone) return std::unexpected(gone.error());
        removed = *gone;
        return {};
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    EXPECT_EQ(removed, 2);
    EXPECT_EQ(actors(), std::vector<std::string>{"https://b.example/users/bob"});
    bool was_there = false;
    written = store_->write([&](Writer& writer) -> Status {
        auto gone = writer.federation().remove_follower(blog_id_, "https://b.example/users/bob");
        if (!gone) return std::unexpected(gone.error());
        was_there = *gone;
        return {};
    });
    ASSERT_TRUE(written.has_value());
    EXPECT_TRUE(was_there);
    EXPECT_TRUE(actors().empty());
}

TEST_P(FederationTest, BlockingADomainOrAnActorRemovesItsFollowersAndIsKnown) {
    save(follower("https://Spam.Example:8443/users/one"));
    save(follower("https://spam.example/users/two"));
    save(follower("https://b.example/users/bob"));
    save(follower("https://c.example/users/cy"));
    int removed = 0;
    auto written = store_->write([&](Writer& writer) -> Status {
        auto domain = writer.federation().block(blog_id_, "spam.example");
        if (!domain) return std::unexpected(domain.error());
        auto actor = writer.federation().block(blog_id_, "https://b.example/users/bob");
        if (!actor) return std::unexpected(actor.error());
        removed = *domain + *actor;
        return {};
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    EXPECT_EQ(removed, 3);
    EXPECT_EQ(actors(), std::vector<std::string>{"https://c.example/users/cy"});
    auto& federation = store_->federation();
    EXPECT_EQ(federation.is_blocked(blog_id_, "https://spam.example/users/new", "spam.example"),
              true);
    EXPECT_EQ(federation.is_blocked(blog_id_, "https://b.example/users/bob", "b.example"), true);
    EXPECT_EQ(federation.is_blocked(blog_id_, "https://b.example/users/ben", "b.example"), false);
    EXPECT_EQ(federation.is_blocked(other_blog_id_, "https://spam.example/u", "spam.example"),
              false);
    EXPECT_EQ(federation.blocks(blog_id_),
              (std::vector<std::string>{"https://b.example/users/bob", "spam.example"}));
    written = store_->write([&](Writer& writer) -> Status {
        return writer.federation().unblock(blog_id_, "spam.example");
    });
    ASSERT_TRUE(written.has_value());
    EXPECT_EQ(federation.is_blocked(blog_id_, "https://spam.example/u", "spam.example"), false);
}

TEST_P(FederationTest, APostSentToFollowersKeepsItsObjectIdUntilForgotten) {
    std::string before, after, gone, other;
    auto written = store_->write([&](Writer& writer) -> Status {
        auto& federation = writer.federation();
        auto read = federation.federated_object(blog_id_, 7);
        if (!read) return std::unexpected(read.error());
        before = *read;
        if (auto set = federation.set_federated_object(blog_id_, 7, "https://b.example/p/7"); !set)
            return set;
        if (auto set = federation.set_federated_object(blog_id_, 7, "https://b.example/q/7"); !set)
            return set;
        read = federation.federated_object(blog_id_, 7);
        if (!read) return std::unexpected(read.error());
        after = *read;
        read = federation.federated_object(other_blog_id_, 7);
        if (!read) return std::unexpected(read.error());
        other = *read;
        if (auto set = federation.set_federated_object(blog_id_, 7, ""); !set) return set;
        read = federation.federated_object(blog_id_, 7);
        if (!read) return std::unexpected(read.error());
        gone = *read;
        return {};
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    EXPECT_EQ(before, "");
    EXPECT_EQ(after, "https://b.example/q/7");
    EXPECT_EQ(other, "");
    EXPECT_EQ(gone, "");
}

TEST_P(FederationTest, AReplyIsKeptByItsNoteIdWithItsHandleAndGoesWithItsComment) {
    const auto post_id = add_post("billet");
    std::int64_t comment_id = 0;
    auto written = store_->write([&](Writer& writer) -> Status {
        model::Comment comment;
        comment.blog_id = blog_id_;
        comment.post_id = post_id;
        comment.author_name = "Ana";
        comment.author_handle = "ana@a.example";
        comment.source = "Merci";
        comment.html = "<p>Merci</p>";
        comment.status = model::CommentStatus::approved;
        comment.created_at = clock_.now();
        auto added = writer.comments().add_comment(comment);
        if (!added) return std::unexpected(added.error());
        comment_id = *added;
        return writer.federation().save_note({.blog_id = blog_id_,
                                              .post_id = post_id,
                                              .note_id = "https://a.example/notes/1",
                                              .actor = "https://a.example/users/ana",
                                              .comment_id = comment_id});
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    auto found = store_->federation().find_note(blog_id_, "https://a.example/notes/1");
    ASSERT_TRUE(found.has_value() && found->has_value());
    EXPECT_EQ((*found)->actor, "https://a.example/users/ana");
    EXPECT_EQ((*found)->comment_id, comment_id);
    EXPECT_EQ((*found)->post_id, post_id);
    EXPECT_FALSE(
        store_->federation().find_note(other_blog_id_, "https://a.example/notes/1")->has_value());
    auto shown = store_->comments().approved_comments(blog_id_, post_id);
    ASSERT_TRUE(shown.has_value() && shown->size() == 1u);
    EXPECT_EQ(shown->front().author_handle, "ana@a.example");

    auto refused = store_->write([&](Writer& writer) -> Status {
        return writer.federation().save_note({.blog_id = blog_id_,
                                              .post_id = post_id,
                                              .note_id = "",
                                              .actor = "x",
                                              .comment_id = 1});
    });
    ASSERT_FALSE(refused.has_value());
    EXPECT_EQ(refused.error().code, Error::Code::invalid_input);

    written = store_->write([&](Writer& writer) -> Status {
        return writer.comments().delete_comment(blog_id_, comment_id);
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    found = store_->federation().find_note(blog_id_, "https://a.example/notes/1");
    ASSERT_TRUE(found.has_value());
    EXPECT_FALSE(found->has_value());
}

TEST_P(FederationTest, AnActorIsKnownOnceOneOfItsRepliesIsApprovedOnTheBlog) {
    const auto post_id = add_post("billet");
    const auto reply = [&](const std::string& actor, const std::string& note,
                           model::CommentStatus status) {
        auto written = store_->write([&](Writer& writer) -> Status {
            model::Comment comment;
            comment.blog_id = blog_id_;
            comment.post_id = post_id;
            comment.author_name = "Quelqu'un";
            comment.source = "Réponse";
            comment.html = "<p>Réponse</p>";
            comment.status = status;
            comment.created_at = clock_.now();
            auto added = writer.comments().add_comment(comment);
            if (!added) return std::unexpected(added.error());
            return writer.federation().save_note({.blog_id = blog_id_,
                                                  .post_id = post_id,
                                                  .note_id = note,
                                                  .actor = actor,
                                                  .comment_id = *added});
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
    };
    const std::string ana = "https://a.example/users/ana";
    const std::string bob = "https://b.example/users/bob";
    reply(ana, "https://a.example/notes/1", model::CommentStatus::approved);
    reply(bob, "https://b.example/notes/1", model::CommentStatus::pending);
    reply(bob, "https://b.example/notes/2", model::CommentStatus::spam);
    EXPECT_TRUE(*store_->federation().has_approved_reply_from(blog_id_, ana));
    EXPECT_FALSE(*store_->federation().has_approved_reply_from(blog_id_, bob));
    EXPECT_FALSE(*store_->federation().has_approved_reply_from(other_blog_id_, ana));
    EXPECT_FALSE(*store_->federation().has_approved_reply_from(blog_id_, "https://c.example/x"));
}

TEST_P(FederationTest, LikesAndSharesCountOncePerActorAndAnUndoTakesOneBack) {
    const auto post_id = add_post("billet");
    const auto other_post = add_post("autre");
    EXPECT_EQ(react(post_id, "https://a.example/users/ana", ReactionKind::like, "a#like-1"), true);
    // Liking again is the same like, known by its new id.
    EXPECT_EQ(react(post_id, "https://a.example/users/ana", ReactionKind::like, "a#like-2"), false);
    EXPECT_EQ(react(post_id, "https://a.example/users/ana", ReactionKind::announce, "a#boost"),
              true);
    EXPECT_EQ(react(post_id, "https://b.example/users/bob", ReactionKind::like, "b#like"), true);
    EXPECT_EQ(react(other_post, "https://b.example/users/bob", ReactionKind::like, "b#like-2"),
              true);
    EXPECT_EQ(counts(post_id).likes, 2);
    EXPECT_EQ(counts(post_id).shares, 1);
    EXPECT_EQ(counts(other_post).likes, 1);

    auto missing = react(9999, "https://b.example/users/bob", ReactionKind::like, "b#x");
    ASSERT_FALSE(missing.has_value());
    EXPECT_EQ(missing.error().code, Error::Code::not_found);

    const auto undo = [&](const std::string& actor, const std::string& id) {
        bool removed = false;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto taken = writer.federation().remove_reaction(blog_id_, actor, id);
            if (!taken) return std::unexpected(taken.error());
            removed = *taken;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return removed;
    };
    EXPECT_FALSE(undo("https://a.example/users/ana", "a#like-1"));  // replaced by like-2
    EXPECT_FALSE(undo("https://b.example/users/bob", "a#like-2"));  // not bob's to take back
    EXPECT_TRUE(undo("https://a.example/users/ana", "a#like-2"));
    EXPECT_EQ(counts(post_id).likes, 1);
    EXPECT_EQ(counts(post_id).shares, 1);
    EXPECT_TRUE(undo("https://a.example/users/ana", "a#boost"));
    EXPECT_EQ(counts(post_id).shares, 0);
}

INSTANTIATE_TEST_SUITE_P(Backends, FederationTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

}  // namespace
}  // namespace carnet::store
