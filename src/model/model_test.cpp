#include "model/model.hpp"

#include <gtest/gtest.h>

#include "text/text.hpp"

namespace carnet::model {
namespace {

using std::chrono::sys_days;
using namespace std::chrono_literals;

Instant utc(int year, unsigned month, unsigned day, int hour, int minute) {
    return sys_days{std::chrono::year{year} / std::chrono::month{month} / std::chrono::day{day}} +
           std::chrono::hours{hour} + std::chrono::minutes{minute};
}

TEST(Slug, FrenchTitleGivesTheOldServiceSlug) {
    EXPECT_EQ(make_slug("L'Etat islamique attaque le tribunal de Misrata"),
              "l-etat-islamique-attaque-le-tribunal-de-misrata");
}

TEST(Slug, AccentsAndLigaturesAreTransliterated) {
    EXPECT_EQ(make_slug("Armée Arabe Syrienne"), "armee-arabe-syrienne");
    EXPECT_EQ(make_slug("Œuvres « complètes » : État, çà et là"),
              "oeuvres-completes-etat-ca-et-la");
}

TEST(Slug, NonLatinScriptsAreRomanized) {
    EXPECT_EQ(make_slug("Москва"), "moskva");
    EXPECT_FALSE(make_slug("دمشق").empty());
}

TEST(Slug, PunctuationOnlyGivesPost) {
    EXPECT_EQ(make_slug(" -- !? "), "post");
    EXPECT_EQ(make_slug(""), "post");
}

TEST(Slug, LongTitlesAreCutAtAWordBoundary) {
    const auto slug = make_slug(
        "Syrie : La Russie ne permettra pas aux États-Unis de limiter les opérations", 40);
    EXPECT_LE(slug.size(), 40u);
    EXPECT_EQ(slug, "syrie-la-russie-ne-permettra-pas-aux");
}

TEST(Time, ParisSummerTimeIsTwoHoursAhead) {
    const auto local = to_local(utc(2017, 10, 4, 18, 19), "Europe/Paris");
    ASSERT_TRUE(local.has_value());
    EXPECT_EQ(*local, (LocalDateTime{2017, 10, 4, 20, 19, 0}));
}

TEST(Time, ParisWinterTimeIsOneHourAhead) {
    const auto local = to_local(utc(2017, 12, 4, 18, 19), "Europe/Paris");
    ASSERT_TRUE(local.has_value());
    EXPECT_EQ(*local, (LocalDateTime{2017, 12, 4, 19, 19, 0}));
}

TEST(Time, LateUtcEveningIsNextDayInParis) {
    const auto local = to_local(utc(2017, 9, 30, 22, 30), "Europe/Paris");
    ASSERT_TRUE(local.has_value());
    EXPECT_EQ(*local, (LocalDateTime{2017, 10, 1, 0, 30, 0}));
}

TEST(Time, AutumnDstChangeRepeatsAnHourAndPicksTheFirst) {
    // On 2017-10-29 Paris went from 03:00 CEST back to 02:00 CET: 02:30 happened twice.
    const auto first = to_instant({2017, 10, 29, 2, 30, 0}, "Europe/Paris");
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, utc(2017, 10, 29, 0, 30));
    EXPECT_EQ(*to_local(utc(2017, 10, 29, 0, 30), "Europe/Paris"),
              (LocalDateTime{2017, 10, 29, 2, 30, 0}));
    EXPECT_EQ(*to_local(utc(2017, 10, 29, 1, 30), "Europe/Paris"),
              (LocalDateTime{2017, 10, 29, 2, 30, 0}));
    EXPECT_EQ(*to_instant({2017, 10, 29, 12, 0, 0}, "Europe/Paris"), utc(2017, 10, 29, 11, 0));
}

TEST(Time, SpringDstChangeSkipsAnHour) {
    // On 2018-03-25 Paris went from 02:00 CET to 03:00 CEST: 02:30 never happened.
    EXPECT_EQ(*to_instant({2018, 3, 25, 1, 30, 0}, "Europe/Paris"), utc(2018, 3, 25, 0, 30));
    EXPECT_EQ(*to_instant({2018, 3, 25, 3, 30, 0}, "Europe/Paris"), utc(2018, 3, 25, 1, 30));
    const auto skipped = to_instant({2018, 3, 25, 2, 30, 0}, "Europe/Paris");
    ASSERT_TRUE(skipped.has_value());
    EXPECT_EQ(*skipped, utc(2018, 3, 25, 1, 30));
}

TEST(Time, RoundTripsThroughLocalTime) {
    for (int hour = 0; hour < 24; ++hour) {
        const auto instant = utc(2017, 10, 4, hour, 7);
        const auto local = to_local(instant, "America/New_York");
        ASSERT_TRUE(local.has_value());
        EXPECT_EQ(*to_instant(*local, "America/New_York"), instant);
    }
}

TEST(Time, UnknownZoneAndInvalidDatesAreErrors) {
    EXPECT_FALSE(is_known_time_zone("Mars/Olympus_Mons"));
    EXPECT_TRUE(is_known_time_zone("Europe/Paris"));
    const auto bad_zone = to_local(utc(2017, 1, 1, 0, 0), "Mars/Olympus_Mons");
    ASSERT_FALSE(bad_zone.has_value());
    EXPECT_EQ(bad_zone.error().code, Error::Code::invalid_input);
    EXPECT_FALSE(to_instant({2017, 2, 31, 12, 0, 0}, "Europe/Paris").has_value());
    EXPECT_FALSE(to_instant({2017, 2, 3, 25, 0, 0}, "Europe/Paris").has_value());
}

TEST(Time, Rfc3339IsUtcWithZ) {
    EXPECT_EQ(text::rfc3339_utc(utc(2017, 10, 4, 18, 19)), "2017-10-04T18:19:00Z");
}

TEST(Paths, PermalinkUsesTheDayInTheBlogsTimeZone) {
    Blog blog;
    blog.time_zone = "Europe/Paris";
    Post post;
    post.slug = "minuit";
    post.published_at = utc(2017, 9, 30, 22, 30);  // 00:30 on 1 October in Paris
    EXPECT_EQ(post_path(blog, post), "/archive/2017/10/01/minuit.html");
    EXPECT_EQ(category_path("etat-islamique"), "/list/etat-islamique/");
    EXPECT_EQ(day_path(2017, 10, 4), "/archive/2017/10/04/");
    EXPECT_EQ(month_path(2017, 10), "/archive/2017/10/");
    EXPECT_EQ(year_path(2017), "/archive/2017/");
    EXPECT_EQ(page_path("a-propos"), "/a-propos.html");
}

TEST(Enums, PostStatusesHaveTheNamesWordPressWrites) {
    EXPECT_EQ(wordpress_status(PostStatus::published), "publish");
    EXPECT_EQ(wordpress_status(PostStatus::scheduled), "future");
    EXPECT_EQ(wordpress_status(PostStatus::draft), "draft");
    EXPECT_EQ(wordpress_status(PostStatus::trash), "trash");
}

TEST(Enums, RoundTripThroughText) {
    for (auto role : {Role::owner, Role::editor, Role::author, Role::moderator}) {
        EXPECT_EQ(parse_role(to_string(role)), role);
    }
    for (auto status :
         {PostStatus::draft, PostStatus::scheduled, PostStatus::published, PostStatus::trash}) {
        EXPECT_EQ(parse_post_status(to_string(status)), status);
    }
    for (auto policy : {CommentPolicy::open, CommentPolicy::first_held, CommentPolicy::all_held,
                        CommentPolicy::closed}) {
        EXPECT_EQ(parse_comment_policy(to_string(policy)), policy);
    }
    EXPECT_EQ(parse_source_format("html"), SourceFormat::html);
    EXPECT_FALSE(parse_role("admin").has_value());
    EXPECT_FALSE(parse_comment_policy("sometimes").has_value());
    for (auto status : {CommentStatus::pending, CommentStatus::approved, CommentStatus::spam,
                        CommentStatus::trash}) {
        EXPECT_EQ(parse_comment_status(to_string(status)), status);
    }
}

TEST(ZonedDates, CarryTheZonesOffsetInSummerAndWinter) {
    const auto summer = sys_days{2017y / 10 / 4} + 18h + 19min;
    const auto winter = sys_days{2017y / 12 / 4} + 18h + 19min;
    EXPECT_EQ(rfc3339_in_zone(summer, "Europe/Paris"), "2017-10-04T20:19:00+02:00");
    EXPECT_EQ(rfc3339_in_zone(winter, "Europe/Paris"), "2017-12-04T19:19:00+01:00");
    EXPECT_EQ(rfc822_in_zone(summer, "Europe/Paris"), "Wed, 04 Oct 2017 20:19:00 +0200");
    EXPECT_EQ(rfc822_in_zone(winter, "Europe/Paris"), "Mon, 04 Dec 2017 19:19:00 +0100");
    EXPECT_EQ(rfc3339_in_zone(summer, "America/New_York"), "2017-10-04T14:19:00-04:00");
    EXPECT_EQ(rfc822_in_zone(winter, "America/St_Johns"), "Mon, 04 Dec 2017 14:49:00 -0330");
    EXPECT_EQ(rfc3339_in_zone(summer, "Nowhere/Atlantis"), "2017-10-04T18:19:00+00:00");
    EXPECT_EQ(utc_offset_minutes(summer, "Europe/Paris"), 120);
    EXPECT_FALSE(utc_offset_minutes(summer, "Nowhere/Atlantis"));
}

}  // namespace
}  // namespace carnet::model

namespace carnet::model {
namespace {

TEST(Access, AuthorsEditTheirOwnPostsModeratorsNone) {
    Post post;
    post.author_id = 7;
    EXPECT_TRUE(may_edit_post(Role::author, 7, post));
    EXPECT_FALSE(may_edit_post(Role::author, 8, post));
    EXPECT_TRUE(may_edit_post(Role::editor, 8, post));
    EXPECT_TRUE(may_edit_post(Role::owner, 8, post));
    EXPECT_FALSE(may_edit_post(Role::moderator, 7, post));
    EXPECT_FALSE(allows(Role::moderator, Permission::write_posts));
    EXPECT_FALSE(allows(Role::editor, Permission::configure));
    EXPECT_TRUE(allows(Role::author, Permission::write_posts));
}

}  // namespace
}  // namespace carnet::model
