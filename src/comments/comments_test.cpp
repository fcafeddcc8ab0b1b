#include "comments/comments.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "comments/text.hpp"

namespace carnet::comments {
namespace {

using namespace std::chrono_literals;

// ---- Form stamps ------------------------------------------------------------------------

constexpr std::int64_t k_post = 42;
const model::Instant k_served{std::chrono::seconds{1'700'000'000}};

FormStamps::Key key_of(unsigned char fill) {
    FormStamps::Key key;
    key.fill(fill);
    return key;
}

TEST(FormStamps, AcceptsStampSentAfterMinAge) {
    const FormStamps stamps(key_of(1));
    const auto stamp = stamps.make_stamp(k_post, k_served);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 3s), StampCheck::valid);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 20min), StampCheck::valid);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 24h), StampCheck::valid);
}

TEST(FormStamps, IsSafeInAFormField) {
    const auto stamp = FormStamps::with_random_key().make_stamp(k_post, k_served);
    EXPECT_EQ(stamp.size(), 10 + 1 + 64);
    EXPECT_EQ(stamp.find_first_not_of("0123456789abcdef."), std::string::npos) << stamp;
}

TEST(FormStamps, RefusesStampSentTooFast) {
    const FormStamps stamps(key_of(1));
    const auto stamp = stamps.make_stamp(k_post, k_served);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served), StampCheck::too_fast);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 2s), StampCheck::too_fast);
}

TEST(FormStamps, RefusesStampTooOld) {
    const FormStamps stamps(key_of(1));
    const auto stamp = stamps.make_stamp(k_post, k_served);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 24h + 1s), StampCheck::too_old);
}

TEST(FormStamps, FollowsConfiguredLimits) {
    const FormStamps stamps(key_of(1), StampLimits{.min_age = 10s, .max_age = 1min});
    const auto stamp = stamps.make_stamp(k_post, k_served);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 9s), StampCheck::too_fast);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 10s), StampCheck::valid);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 61s), StampCheck::too_old);
}

TEST(FormStamps, RefusesAlteredMac) {
    const FormStamps stamps(key_of(1));
    auto stamp = stamps.make_stamp(k_post, k_served);
    stamp.back() = stamp.back() == '0' ? '1' : '0';
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served + 1min), StampCheck::forged);
}

TEST(FormStamps, RefusesAlteredTime) {
    const FormStamps stamps(key_of(1));
    const auto stamp = stamps.make_stamp(k_post, k_served);
    // Moving the time back to look older than min_age breaks the MAC.
    const auto earlier =
        std::to_string(k_served.time_since_epoch().count() - 60) + stamp.substr(stamp.find('.'));
    EXPECT_EQ(stamps.check_stamp(earlier, k_post, k_served + 1s), StampCheck::forged);
}

TEST(FormStamps, RefusesStampForAnotherPost) {
    const FormStamps stamps(key_of(1));
    const auto stamp = stamps.make_stamp(k_post, k_served);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post + 1, k_served + 1min), StampCheck::forged);
}

TEST(FormStamps, RefusesStampMadeWithAnotherKey) {
    const auto stamp = FormStamps(key_of(2)).make_stamp(k_post, k_served);
    EXPECT_EQ(FormStamps(key_of(1)).check_stamp(stamp, k_post, k_served + 1min),
              StampCheck::forged);
    const auto random = FormStamps::with_random_key().make_stamp(k_post, k_served);
    EXPECT_EQ(FormStamps(key_of(1)).check_stamp(random, k_post, k_served + 1min),
              StampCheck::forged);
}

TEST(FormStamps, RefusesStampFromTheFuture) {
    const FormStamps stamps(key_of(1));
    const auto stamp = stamps.make_stamp(k_post, k_served + 1h);
    EXPECT_EQ(stamps.check_stamp(stamp, k_post, k_served), StampCheck::forged);
}

TEST(FormStamps, RefusesGarbage) {
    const FormStamps stamps(key_of(1));
    const auto good = stamps.make_stamp(k_post, k_served);
    const auto mac = good.substr(good.find('.') + 1);
    const auto time = good.substr(0, good.find('.'));
    for (const std::string& garbage : {
             std::string(),
             std::string("."),
             std::string("hello"),
             time,
             "." + mac,
             "-" + time + "." + mac,
             "+" + time + "." + mac,
             "0" + time + "." + mac,
             time + "x." + mac,
             "99999999999999999999." + mac,
             time + "." + mac.substr(1),
             time + "." + mac + "0",
             time + "." + mac.substr(0, 63) + "g",
             time + "." + mac + "." + mac,
             good + std::string(1, '\0'),
         }) {
        EXPECT_EQ(stamps.check_stamp(garbage, k_post, k_served + 1min), StampCheck::malformed)
            << '"' << garbage << '"';
    }
}

TEST(FormStamps, NamesEveryCheck) {
    EXPECT_EQ(to_string(StampCheck::valid), "valid");
    EXPECT_EQ(to_string(StampCheck::too_fast), "too_fast");
    EXPECT_EQ(to_string(StampCheck::too_old), "too_old");
    EXPECT_EQ(to_string(StampCheck::forged), "forged");
    EXPECT_EQ(to_string(StampCheck::malformed), "malformed");
}

// ---- Rate limit -------------------------------------------------------------------------

const RateLimit::Clock::time_point k_start{std::chrono::hours{1000}};

TEST(RateLimit, AllowsFiveCommentsInTenMinutesThenRefuses) {
    RateLimit limit;
    for (int i = 0; i < 5; ++i) EXPECT_TRUE(limit.allow("192.0.2.1", k_start + i * 1min)) << i;
    EXPECT_FALSE(limit.allow("192.0.2.1", k_start + 5min));
}

TEST(RateLimit, WindowSlides) {
    RateLimit limit;
    for (int i = 0; i < 5; ++i) ASSERT_TRUE(limit.allow("192.0.2.1", k_start + i * 1min));
    // The first attempt leaves the window 10 minutes after it was made, the second a minute
    // later, and so on.
    EXPECT_FALSE(limit.allow("192.0.2.1", k_start + 9min + 59s));
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start + 11min));
}

TEST(RateLimit, CountsRefusedAttemptsSoAFloodStaysRefused) {
    RateLimit limit(RateLimits{.max_comments = 2, .window = 60s});
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start));
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start + 1s));
    for (int i = 2; i < 200; ++i) EXPECT_FALSE(limit.allow("192.0.2.1", k_start + i * 1s)) << i;
    EXPECT_FALSE(limit.allow("192.0.2.1", k_start + 200s));  // the last two are 1 s old
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start + 200s + 60s));
}

TEST(RateLimit, FollowsConfiguredLimits) {
    RateLimit limit(RateLimits{.max_comments = 1, .window = 30s});
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start));
    EXPECT_FALSE(limit.allow("192.0.2.1", k_start + 29s));
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start + 29s + 30s));
}

TEST(RateLimit, CountsEachAddressOnItsOwn) {
    RateLimit limit(RateLimits{.max_comments = 1});
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start));
    EXPECT_FALSE(limit.allow("192.0.2.1", k_start));
    EXPECT_TRUE(limit.allow("192.0.2.2", k_start));
    EXPECT_TRUE(limit.allow("2001:db8::1", k_start));
}

TEST(RateLimit, CountsIpv6PerSlash64) {
    RateLimit limit(RateLimits{.max_comments = 1});
    EXPECT_TRUE(limit.allow("2001:db8:1:2::1", k_start));
    EXPECT_FALSE(limit.allow("2001:db8:1:2:ffff::9", k_start));
    EXPECT_FALSE(limit.allow("2001:0DB8:0001:0002:0:0:0:7", k_start));
    EXPECT_TRUE(limit.allow("2001:db8:1:3::1", k_start));
}

TEST(RateLimit, CountsIpv4MappedAddressAsIpv4) {
    RateLimit limit(RateLimits{.max_comments = 1});
    EXPECT_TRUE(limit.allow("::ffff:192.0.2.1", k_start));
    EXPECT_FALSE(limit.allow("192.0.2.1", k_start));
    EXPECT_TRUE(limit.allow("::ffff:192.0.2.2", k_start));
}

TEST(RateLimit, ForgetsQuietAddresses) {
    RateLimit limit;
    for (int i = 0; i < 50; ++i) limit.allow("192.0.2." + std::to_string(i), k_start);
    EXPECT_EQ(limit.tracked_addresses(), 50u);
    limit.allow("198.51.100.1", k_start + 10min);
    EXPECT_EQ(limit.tracked_addresses(), 1u);
}

TEST(RateLimit, MemoryStaysBoundedUnderAFloodOfAddresses) {
    RateLimit limit(RateLimits{.max_comments = 2, .max_addresses = 100});
    for (int i = 0; i < 10'000; ++i) {
        EXPECT_TRUE(limit.allow("10.0." + std::to_string(i / 256) + "." + std::to_string(i % 256),
                                k_start + i * 1ms));
        ASSERT_LE(limit.tracked_addresses(), 100u);
    }
    // The newest addresses are the ones remembered.
    EXPECT_TRUE(limit.allow("10.0.39.15", k_start + 10s));
    EXPECT_FALSE(limit.allow("10.0.39.15", k_start + 10s));
}

TEST(RateLimit, IsThreadSafe) {
    RateLimit limit(RateLimits{.max_comments = 5, .max_addresses = 64});
    std::atomic<int> allowed_shared{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
        threads.emplace_back([&, t] {
            for (int i = 0; i < 2000; ++i) {
                if (limit.allow("203.0.113.7", k_start)) ++allowed_shared;
                // Churn on addresses of its own, to exercise eviction under contention.
                limit.allow("198.51." + std::to_string(t) + "." + std::to_string(i % 200), k_start);
            }
        });
    }
    for (auto& thread : threads) thread.join();
    // Evicting the shared address would forget its count, so this holds only because it
    // stays among the most recently seen.
    EXPECT_EQ(allowed_shared.load(), 5);
    EXPECT_LE(limit.tracked_addresses(), 64u);
}

// A ledger of the test's own: what it was asked, and the answer it is told to give.
class ScriptedLedger final : public RateLedger {
public:
    std::optional<bool> record_attempt(std::string_view key, model::Instant now,
                                       const RateLimits& limits) override {
        keys.emplace_back(key);
        times.push_back(now);
        max_comments = limits.max_comments;
        return answer;
    }
    std::optional<bool> answer;
    std::vector<std::string> keys;
    std::vector<model::Instant> times;
    std::size_t max_comments = 0;
};

TEST(RateLimit, TheLedgerDecidesWhileItAnswers) {
    auto ledger = std::make_shared<ScriptedLedger>();
    RateLimit limit(RateLimits{.max_comments = 1}, ledger);
    // Another node counted this address already: refused here, though this process saw none.
    ledger->answer = false;
    EXPECT_FALSE(limit.allow("2001:db8:1:2::1", k_start + 1500ms));
    // And the other way round: the ledger's count is the one that holds.
    ledger->answer = true;
    EXPECT_TRUE(limit.allow("2001:db8:1:2::2", k_start + 2s));
    ASSERT_EQ(ledger->keys.size(), 2u);
    EXPECT_EQ(ledger->keys[0], "2001:0db8:0001:0002::/64");
    EXPECT_EQ(ledger->keys[1], ledger->keys[0]);
    EXPECT_EQ(ledger->times[0], std::chrono::floor<std::chrono::seconds>(k_start + 1s));
    EXPECT_EQ(ledger->max_comments, 1u);
}

TEST(RateLimit, ALedgerThatCannotAnswerLeavesTheProcessCount) {
    auto ledger = std::make_shared<ScriptedLedger>();
    RateLimit limit(RateLimits{.max_comments = 2}, ledger);
    ledger->answer = true;
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start));
    EXPECT_TRUE(limit.allow("192.0.2.1", k_start + 1s));
    // The database is down: the process's own count, kept all along, refuses the third.
    ledger->answer.reset();
    EXPECT_FALSE(limit.allow("192.0.2.1", k_start + 2s));
    EXPECT_TRUE(limit.allow("192.0.2.2", k_start + 2s));
}

// ---- Validation -------------------------------------------------------------------------

CommentDraft good_draft() {
    return CommentDraft{
        .author_name = "Élise Martin",
        .author_email = "elise.martin@exemple.fr",
        .author_url = "https://elise.exemple.fr/",
        .body =
            "Merci pour cet article très complet sur Misrata. Les chiffres de l'ONU "
            "sont ici : https://www.un.org/fr/ — qu'en pensez-vous ?",
    };
}

// The (field, problem) pairs validate reports, for compact expectations.
std::vector<std::pair<Field, Problem>> problems_of(const CommentDraft& draft,
                                                   const DraftLimits& limits = DraftLimits{}) {
    std::vector<std::pair<Field, Problem>> pairs;
    for (const auto& invalid : validate(draft, limits)) {
        EXPECT_FALSE(invalid.message.empty());
        pairs.emplace_back(invalid.field, invalid.problem);
    }
    return pairs;
}

using Found = std::vector<std::pair<Field, Problem>>;

TEST(CommentValidation, AcceptsNormalComment) { EXPECT_EQ(problems_of(good_draft()), Found{}); }

TEST(CommentValidation, AcceptsCommentWithoutEmailOrWebSite) {
    auto draft = good_draft();
    draft.author_email = "  ";
    draft.author_url = "";
    EXPECT_EQ(problems_of(draft), Found{});
}

TEST(CommentValidation, RefusesEmptyBody) {
    auto draft = good_draft();
    draft.body = " \n\t\u00A0 ";
    EXPECT_EQ(problems_of(draft), (Found{{Field::body, Problem::missing}}));
    EXPECT_EQ(validate(draft)[0].message, "the comment is empty");
}

TEST(CommentValidation, RefusesBodyOverLimitCountingCharactersNotBytes) {
    auto draft = good_draft();
    draft.body.clear();
    for (int i = 0; i < 10'000; ++i) draft.body += "é";
    EXPECT_EQ(problems_of(draft), Found{});
    draft.body += "é";
    EXPECT_EQ(problems_of(draft), (Found{{Field::body, Problem::too_long}}));
    EXPECT_EQ(problems_of(draft, DraftLimits{.max_body_chars = 20'000}), Found{});
}

TEST(CommentValidation, RefusesEmptyName) {
    auto draft = good_draft();
    draft.author_name = "   ";
    EXPECT_EQ(problems_of(draft), (Found{{Field::author_name, Problem::missing}}));
}

TEST(CommentValidation, RefusesNameOver100Characters) {
    auto draft = good_draft();
    draft.author_name = std::string(100, 'a');
    EXPECT_EQ(problems_of(draft), Found{});
    draft.author_name += "é";
    EXPECT_EQ(problems_of(draft), (Found{{Field::author_name, Problem::too_long}}));
}

TEST(CommentValidation, RefusesLineBreakInName) {
    auto draft = good_draft();
    draft.author_name = "Élise\nMartin";
    EXPECT_EQ(problems_of(draft), (Found{{Field::author_name, Problem::malformed}}));
}

TEST(CommentValidation, RefusesImplausibleEmail) {
    for (const char* email :
         {"elise", "elise@", "@exemple.fr", "elise@exemple", "elise@@exemple.fr",
          "elise@exemple..fr", "elise@.exemple.fr", "elise@exemple.fr.", "élise martin@exemple.fr",
          "<elise@exemple.fr>", "a@b@exemple.fr",
          "elise@exemple.fr\n"
          "bcc@x.fr"}) {
        auto draft = good_draft();
        draft.author_email = email;
        EXPECT_EQ(problems_of(draft), (Found{{Field::author_email, Problem::malformed}})) << email;
    }
    auto draft = good_draft();
    draft.author_email = std::string(65, 'a') + "@exemple.fr";
    EXPECT_EQ(problems_of(draft), (Found{{Field::author_email, Problem::malformed}}));
}

TEST(CommentValidation, AcceptsPlausibleEmail) {
    for (const char* email : {"e@x.fr", "elise+blog@mail.exemple.fr", " elise@exemple.fr ",
                              "élise@exemple.fr", "o'brien@example.ie"}) {
        auto draft = good_draft();
        draft.author_email = email;
        EXPECT_EQ(problems_of(draft), Found{}) << email;
    }
}

TEST(CommentValidation, RefusesWebSiteThatIsNotAnHttpUrl) {
    for (const char* url : {"elise.exemple.fr", "javascript:alert(1)", "mailto:e@x.fr",
                            "ftp://x.fr", "https://x.fr/\"onmouseover=alert(1)", "/relatif"}) {
        auto draft = good_draft();
        draft.author_url = url;
        EXPECT_EQ(problems_of(draft), (Found{{Field::author_url, Problem::malformed}})) << url;
    }
}

TEST(CommentValidation, RefusesInvalidUtf8) {
    auto draft = good_draft();
    draft.body = "caf\xC3";
    draft.author_name = "\xFF\xFE";
    EXPECT_EQ(problems_of(draft),
              (Found{{Field::author_name, Problem::malformed}, {Field::body, Problem::malformed}}));
}

TEST(CommentValidation, ReportsEveryProblemInFieldOrder) {
    const CommentDraft draft{
        .author_name = "", .author_email = "nope", .author_url = "nope", .body = ""};
    EXPECT_EQ(problems_of(draft), (Found{{Field::author_name, Problem::missing},
                                         {Field::author_email, Problem::malformed},
                                         {Field::author_url, Problem::malformed},
                                         {Field::body, Problem::missing}}));
    EXPECT_EQ(to_string(Field::author_email), "author_email");
    EXPECT_EQ(to_string(Problem::too_long), "too_long");
}

// ---- Spam -------------------------------------------------------------------------------

std::vector<std::string> reason_texts(const Verdict& verdict) {
    std::vector<std::string> texts;
    for (const auto& reason : verdict.reasons) texts.push_back(reason.text);
    return texts;
}

using Texts = std::vector<std::string>;

TEST(SpamRules, PassesNormalFrenchCommentWithOneLink) {
    const auto verdict = classify(good_draft());
    EXPECT_FALSE(verdict.is_spam());
    EXPECT_EQ(reason_texts(verdict), Texts{});
}

TEST(SpamRules, PassesFrenchCommentThatMentionsCryptoAndLoansHonestly) {
    auto draft = good_draft();
    draft.body =
        "Le financement de l'État islamique passait aussi par des cryptomonnaies, "
        "et un prêt de la Banque mondiale a été rapide à venir. Un casinotier ? Non.";
    EXPECT_EQ(reason_texts(classify(draft)), Texts{});
}

TEST(SpamRules, FilledHoneypotIsSpam) {
    auto draft = good_draft();
    draft.honeypot = "John";
    const auto verdict = classify(draft);
    EXPECT_EQ(reason_texts(verdict), Texts{"honeypot"});
    ASSERT_EQ(verdict.reasons.size(), 1u);
    EXPECT_EQ(verdict.reasons[0].rule, SpamRule::honeypot);
    draft.honeypot = " \n";  // white space is not an answer
    EXPECT_FALSE(classify(draft).is_spam());
}

TEST(SpamRules, TooManyLinksIsSpam) {
    auto draft = good_draft();
    draft.body = "Super ! http://a.example https://b.example/x?y=1 et www.c.example/page";
    const auto verdict = classify(draft);
    EXPECT_EQ(reason_texts(verdict), Texts{"too_many_links (3 > 2)"});
    EXPECT_EQ(verdict.reasons[0].rule, SpamRule::too_many_links);
}

TEST(SpamRules, MaxLinksIsConfigurable) {
    auto draft = good_draft();
    draft.body = "voir https://a.example";
    EXPECT_EQ(reason_texts(classify(draft, SpamRules{.max_links = 0})),
              Texts{"too_many_links (1 > 0)"});
    draft.body = "https://a.example https://b.example https://c.example https://d.example";
    EXPECT_EQ(reason_texts(classify(draft, SpamRules{.max_links = 4})), Texts{});
}

TEST(SpamRules, AuthorWebSiteIsNotCountedAsALink) {
    auto draft = good_draft();
    draft.author_url = "https://elise.exemple.fr/";
    draft.body = "https://a.example et https://b.example";
    EXPECT_EQ(reason_texts(classify(draft)), Texts{});
}

TEST(SpamRules, LinkInNameIsSpam) {
    auto draft = good_draft();
    draft.author_name = "Cheap watches www.watches.example";
    const auto verdict = classify(draft);
    EXPECT_EQ(reason_texts(verdict), Texts{"link_in_name"});
    EXPECT_EQ(verdict.reasons[0].rule, SpamRule::link_in_name);
}

TEST(SpamRules, BlockedWordIsSpam) {
    auto draft = good_draft();
    draft.body = "Le meilleur casino de France.";
    const auto verdict = classify(draft);
    EXPECT_EQ(reason_texts(verdict), Texts{"blocked_word (casino)"});
    EXPECT_EQ(verdict.reasons[0].rule, SpamRule::blocked_word);
}

TEST(SpamRules, BlockedWordIgnoresCaseAndAccents) {
    for (const char* body : {"PRÊT RAPIDE sans justificatif", "pret rapide", "Prêt-Rapide !",
                             "prêt\n  rapide", "PRET\u00A0RAPIDE"}) {
        auto draft = good_draft();
        draft.body = body;
        EXPECT_EQ(reason_texts(classify(draft)), Texts{"blocked_word (prêt rapide)"}) << body;
    }
}

TEST(SpamRules, BlockedWordSeesThroughDisguises) {
    for (const char* body :
         {"ｃａｓｉｎｏ", "ca\u200Bsino", "cas\u00ADino", "CaSiNo", "best-casino.example"}) {
        auto draft = good_draft();
        draft.body = body;
        EXPECT_EQ(reason_texts(classify(draft)), Texts{"blocked_word (casino)"}) << body;
    }
}

TEST(SpamRules, BlockedWordMatchesWholeWordsOnly) {
    for (const char* body : {"Casinoville est jolie", "un casinotier", "l'occasino"}) {
        auto draft = good_draft();
        draft.body = body;
        EXPECT_EQ(reason_texts(classify(draft)), Texts{}) << body;
    }
}

TEST(SpamRules, BlockedWordInNameOrWebSiteIsSpam) {
    auto draft = good_draft();
    draft.author_name = "Viagra Shop";
    EXPECT_EQ(reason_texts(classify(draft)), Texts{"blocked_word (viagra)"});
    draft = good_draft();
    draft.author_url = "https://cheap-viagra.example/";
    EXPECT_EQ(reason_texts(classify(draft)), Texts{"blocked_word (viagra)"});
}

TEST(SpamRules, BlockedWordsAreConfigurable) {
    auto draft = good_draft();
    draft.body = "Essayez le Bingo Royal";
    EXPECT_FALSE(classify(draft).is_spam());
    const SpamRules rules{.blocked_words = {"bingo royal", "Bingo Royal"}};
    EXPECT_EQ(reason_texts(classify(draft, rules)), Texts{"blocked_word (bingo royal)"});
}

TEST(SpamRules, ListsEveryRuleBroken) {
    const CommentDraft draft{
        .author_name = "http://spam.example",
        .body = "casino viagra http://a.example http://b.example http://c.example",
        .honeypot = "x",
    };
    EXPECT_EQ(reason_texts(classify(draft)),
              (Texts{"honeypot", "link_in_name", "too_many_links (3 > 2)", "blocked_word (casino)",
                     "blocked_word (viagra)"}));
}

TEST(SpamRules, DefaultBlockedWordsAreFoldableAndInBothLanguages) {
    const auto words = default_blocked_words();
    EXPECT_GE(words.size(), 10u);
    for (const auto& word : words) EXPECT_FALSE(fold_words(word).empty()) << word;
    const auto has = [&](const char* word) {
        return std::find(words.begin(), words.end(), word) != words.end();
    };
    EXPECT_TRUE(has("casino"));
    EXPECT_TRUE(has("prêt rapide"));
}

// ---- Link counting ----------------------------------------------------------------------

TEST(SpamLinks, CountsEveryWayOfWritingALink) {
    EXPECT_EQ(count_links("rien ici, pas même exemple.fr"), 0u);
    EXPECT_EQ(count_links("http://a.example"), 1u);
    EXPECT_EQ(count_links("HTTPS://A.EXAMPLE/x"), 1u);
    EXPECT_EQ(count_links("www.a.example"), 1u);
    EXPECT_EQ(count_links("https://www.a.example/www.b"), 1u);
    EXPECT_EQ(count_links("<https://a.example>"), 1u);
    EXPECT_EQ(count_links("[ici](https://a.example)"), 1u);
    EXPECT_EQ(count_links("[ici](https://a.example \"titre\")"), 1u);
    EXPECT_EQ(count_links("[ici][1]\n\n[1]: https://a.example"), 1u);
    EXPECT_EQ(count_links("[https://a.example](https://a.example)"), 2u);
    EXPECT_EQ(count_links("(www.a.example)"), 1u);
    EXPECT_EQ(count_links("_http://a.example_ *www.b.example*"), 2u);
    EXPECT_EQ(count_links("ftp://a.example mailto:x@a.example"), 2u);
    EXPECT_EQ(count_links("see:http://a.example"), 1u);
    EXPECT_EQ(count_links("écrivez-moi : moi@www.a.example"), 0u);
    EXPECT_EQ(count_links("http://a.example,http://b.example"), 1u);  // one run of URL text
    EXPECT_EQ(count_links("http://a.example http://a.example"), 2u);
}

TEST(SpamLinks, FoldsWords) {
    EXPECT_EQ(fold_words("L'ÉTÉ ﬁni, Œuvre"),
              (std::vector<std::string>{"l", "ete", "fini", "oeuvre"}));
    EXPECT_EQ(fold_words(""), std::vector<std::string>{});
    EXPECT_EQ(fold_words("bad \xFF utf8"), (std::vector<std::string>{"bad", "utf8"}));
}

}  // namespace
}  // namespace carnet::comments

namespace carnet::comments {
namespace {

TEST(Moderation, EachPolicyGivesItsStatusAndSpamAlwaysWins) {
    using model::CommentPolicy;
    using model::CommentStatus;
    EXPECT_EQ(initial_status(CommentPolicy::open, false, false), CommentStatus::approved);
    EXPECT_EQ(initial_status(CommentPolicy::open, true, true), CommentStatus::spam);
    EXPECT_EQ(initial_status(CommentPolicy::first_held, false, false), CommentStatus::pending);
    EXPECT_EQ(initial_status(CommentPolicy::first_held, false, true), CommentStatus::approved);
    EXPECT_EQ(initial_status(CommentPolicy::all_held, false, true), CommentStatus::pending);
}

TEST(Moderation, APostsOwnPolicyWinsAndCommentsCloseAfterTheBlogsDelay) {
    model::Blog blog;
    blog.comment_policy = model::CommentPolicy::open;
    blog.close_comments_after_days = 10;
    model::Post post;
    post.published_at = model::Instant{std::chrono::seconds{1'700'000'000}};
    EXPECT_EQ(policy_of(blog, post), model::CommentPolicy::open);
    EXPECT_TRUE(comments_open(blog, post, post.published_at + std::chrono::days(9)));
    EXPECT_FALSE(comments_open(blog, post, post.published_at + std::chrono::days(11)));
    post.comment_policy = model::CommentPolicy::closed;
    EXPECT_EQ(policy_of(blog, post), model::CommentPolicy::closed);
    EXPECT_FALSE(comments_open(blog, post, post.published_at));
}

}  // namespace
}  // namespace carnet::comments
