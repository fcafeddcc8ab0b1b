// Every post's reaction counts in one query, on every backend (store_test_backends.hpp).
#include <gtest/gtest.h>

#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;

class ReactionCountsByPost : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        auto written = store_->write([&](Writer& writer) -> Status {
            for (auto* blog_id : {&blog_id_, &other_blog_id_}) {
                auto blog = writer.blogs().create_blog(model::Blog{
                    .hosts = {blog_id == &blog_id_ ? "un.example.org" : "deux.example.org"},
                    .title = "Carnet"});
                if (!blog) return std::unexpected(blog.error());
                *blog_id = *blog;
            }
            for (auto* post_id : {&liked_, &shared_, &quiet_, &elsewhere_}) {
                auto post = writer.posts().create_post(
                    model::Post{.blog_id = post_id == &elsewhere_ ? other_blog_id_ : blog_id_,
                                .status = model::PostStatus::published,
                                .title = "Billet",
                                .slug = "billet-" + std::to_string(post_id - &liked_),
                                .published_at = clock_.now()});
                if (!post) return std::unexpected(post.error());
                *post_id = *post;
            }
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
    }

    void react(std::int64_t blog_id, std::int64_t post_id, const std::string& actor,
               ReactionKind kind) {
        auto written = store_->write([&](Writer& writer) -> Status {
            auto added = writer.federation().add_reaction({.blog_id = blog_id,
                                                           .post_id = post_id,
                                                           .actor = actor,
                                                           .kind = kind,
                                                           .activity_id = actor + "#" + actor});
            if (!added) return std::unexpected(added.error());
            return {};
        });
        ASSERT_TRUE(written.has_value()) << written.error().message;
    }

    carnet::testing::TempDir dir_;
    ManualClock clock_{sys_days{year{2026} / 12 / 3}};
    std::unique_ptr<Store> store_;
    std::int64_t blog_id_ = 0;
    std::int64_t other_blog_id_ = 0;
    std::int64_t liked_ = 0;
    std::int64_t shared_ = 0;
    std::int64_t quiet_ = 0;
    std::int64_t elsewhere_ = 0;
};

TEST_P(ReactionCountsByPost, AreThoseOfEachPostOfTheBlogThatHasAny) {
    react(blog_id_, liked_, "https://a.example/ana", ReactionKind::like);
    react(blog_id_, liked_, "https://b.example/bob", ReactionKind::like);
    react(blog_id_, liked_, "https://b.example/bob", ReactionKind::announce);
    react(blog_id_, shared_, "https://a.example/ana", ReactionKind::announce);
    react(other_blog_id_, elsewhere_, "https://a.example/ana", ReactionKind::like);
    auto counts = store_->federation().reaction_counts_by_post(blog_id_);
    ASSERT_TRUE(counts.has_value()) << counts.error().message;
    ASSERT_EQ(counts->size(), 2u);
    for (const auto post_id : {liked_, shared_}) {
        auto one = store_->federation().reaction_counts(blog_id_, post_id);
        ASSERT_TRUE(one.has_value());
        EXPECT_EQ(counts->at(post_id).likes, one->likes);
        EXPECT_EQ(counts->at(post_id).shares, one->shares);
    }
    EXPECT_EQ(counts->at(liked_).likes, 2);
    EXPECT_EQ(counts->at(liked_).shares, 1);
    EXPECT_EQ(counts->at(shared_).likes, 0);
    EXPECT_EQ(counts->at(shared_).shares, 1);
    EXPECT_FALSE(counts->contains(quiet_));
    EXPECT_FALSE(counts->contains(elsewhere_));  // another blog's
}

INSTANTIATE_TEST_SUITE_P(Backends, ReactionCountsByPost, ::testing::ValuesIn(store_backends()),
                         [](const auto& info) { return info.param.name; });

}  // namespace
}  // namespace carnet::store
