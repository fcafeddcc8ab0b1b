// Full-text search, written against the Store interface so that every backend runs the
// same suite (add its factory to store_backends() in store_test_backends.hpp), then a few tests of
// the SQLite implementation's own parts.
#include "store/search.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <fstream>
#include <iterator>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <tuple>

#include "store/migrations.hpp"
#include "store/store.hpp"
#include "store/store_test_backends.hpp"
#include "testing/temp_dir.hpp"
#include "text/text.hpp"

namespace carnet::store {
namespace {

using namespace std::chrono;

model::Instant utc(int y, unsigned m, unsigned d, int hh, int mm) {
    return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm};
}

using carnet::testing::TempDir;

// The passage of a hit as the search page shows it.
std::string passage_html(const SearchHit& hit) {
    return text::html_escape_marking(hit.passage, hit.matches);
}

struct FixturePost {
    std::string title;
    std::string html;
};

// The posts of the saved front page: a date line, the title, the body lines, then the
// footer line "20:19 Publié dans ... | Lien permanent | ...".
std::vector<FixturePost> fixture_posts() {
    std::ifstream file(std::string(CARNET_FIXTURES_DIR) + "/hautetfort-front-page.txt");
    const std::regex date(R"(^\d\d/\d\d/\d{4}\s*$)");
    std::vector<FixturePost> posts;
    std::string line;
    bool in_post = false;
    while (std::getline(file, line)) {
        if (std::regex_match(line, date)) {
            posts.push_back({});
            in_post = true;
            continue;
        }
        if (!in_post) continue;
        if (line.find("| Lien permanent") != std::string::npos) {
            in_post = false;
            continue;
        }
        if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
        if (posts.back().title.empty()) {
            posts.back().title = line;
        } else {
            posts.back().html += "<p>" + text::html_escape(line) + "</p>\n";
        }
    }
    return posts;
}

class SearchTest : public ::testing::TestWithParam<StoreBackend> {
protected:
    void SetUp() override {
        auto opened = GetParam().open(dir_, clock_);
        ASSERT_TRUE(opened.has_value()) << opened.error().message;
        store_ = std::move(*opened);
        blog_id_ =
            create_blog({.hosts = {"arabe.test"}, .title = "Le Monde arabe", .locale = "fr"});
        other_blog_id_ =
            create_blog({.hosts = {"autre.test"}, .title = "Un autre carnet", .locale = "fr"});
        english_blog_id_ =
            create_blog({.hosts = {"arab.test"}, .title = "The Arab World", .locale = "en"});
    }

    std::int64_t create_blog(const model::Blog& blog) {
        std::int64_t id = 0;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto created = writer.blogs().create_blog(blog);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return id;
    }

    model::Post make_post(std::int64_t blog_id, std::string title, std::string html,
                          model::PostStatus status = model::PostStatus::published) {
        model::Post post;
        post.blog_id = blog_id;
        post.status = status;
        post.title = std::move(title);
        post.source_format = model::SourceFormat::html;
        post.source = std::move(html);
        post.html = post.source;
        post.published_at = utc(2017, 10, 4, 18, 0) + minutes(++post_counter_);
        post.updated_at = post.published_at;
        post.categories = {model::Category{.name = "Libye"}, model::Category{.name = "Misrata"}};
        return post;
    }

    std::int64_t add(const model::Post& post) {
        std::int64_t id = 0;
        auto written = store_->write([&](Writer& writer) -> Status {
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            id = *created;
            return {};
        });
        EXPECT_TRUE(written.has_value()) << written.error().message;
        return id;
    }

    std::int64_t add(std::string title, std::string html) {
        return add(make_post(blog_id_, std::move(title), std::move(html)));
    }

    void add_fixture_posts() {
        const auto posts = fixture_posts();
        ASSERT_GE(posts.size(), 3u);
        for (const auto& post : posts) {
            fixture_ids_[post.title] = add(post.title, post.html);
        }
    }

    SearchResults search(std::string text, std::int64_t blog_id = 0, int offset = 0,
                         int limit = 50) {
        auto found =
            store_->search().search(blog_id == 0 ? blog_id_ : blog_id,
                                    SearchQuery{.text = text, .offset = offset, .limit = limit});
        EXPECT_TRUE(found.has_value()) << text << ": " << found.error().message;
        return found ? *found : SearchResults{};
    }

    std::vector<std::string> titles(std::string text, std::int64_t blog_id = 0) {
        std::vector<std::string> out;
        for (const auto& hit : search(std::move(text), blog_id).hits) out.push_back(hit.post.title);
        return out;
    }

    // Sorted: posts of equal relevance may come in any order.
    std::vector<std::string> sorted_titles(std::string text) {
        auto found = titles(std::move(text));
        std::sort(found.begin(), found.end());
        return found;
    }

    bool finds(std::string text, std::string_view title, std::int64_t blog_id = 0) {
        const auto found = titles(std::move(text), blog_id);
        return std::find(found.begin(), found.end(), title) != found.end();
    }

    TempDir dir_;
    ManualClock clock_{sys_days{year{2026} / 11 / 25} + hours{9}};
    std::unique_ptr<Store> store_;
    std::int64_t blog_id_ = 0;
    std::int64_t other_blog_id_ = 0;
    std::int64_t english_blog_id_ = 0;
    int post_counter_ = 0;
    std::map<std::string, std::int64_t> fixture_ids_;
};

// The migration that gave the search tables their blog column.
int search_migration_version() {
    for (const auto& migration : k_sqlite_migrations) {
        if (migration.sql.find("fts5(title, body, blog") != std::string_view::npos) {
            return migration.version;
        }
    }
    return -1;
}

constexpr std::string_view k_misrata = "L'Etat islamique attaque le tribunal de Misrata";

TEST_P(SearchTest, FixturePostsAreFoundByInflectedAndUnaccentedWords) {
    add_fixture_posts();
    EXPECT_TRUE(finds("attaques", k_misrata));
    EXPECT_TRUE(finds("Attaque", k_misrata));
    EXPECT_TRUE(finds("etat", k_misrata));
    EXPECT_TRUE(finds("ÉTAT", k_misrata));
    // "La Russie ne permettra pas aux États-Unis..." holds "États" and no "Etat".
    bool found_etats = false;
    for (const auto& title : titles("etat")) {
        if (title.find("États-Unis") != std::string::npos) found_etats = true;
    }
    EXPECT_TRUE(found_etats);
    // The fixture writes "syriennes" once and "Syrienne" (capital) several times.
    EXPECT_GE(search("syriennes").total, 2);
    EXPECT_EQ(search("syrienne").total, search("syriennes").total);
    EXPECT_EQ(search("zzzyx").total, 0);
}

TEST_P(SearchTest, FoldsCaseAndDiacriticsAndStemsFrench) {
    add("Attaque à Misrata", "<p>Deux militants.</p>");
    add("Un bilan", "<p>Les forces syriennes avancent.</p>");
    add("Urgence", "<p>L'État d'urgence est déclaré.</p>");
    add("Major", "<p>Un Etat major sans chef.</p>");
    add("Armée", "<p>L'Armée Arabe Syrienne lance une contre-attaque.</p>");
    add("Œuvres", "<p>Les œuvres complètes.</p>");

    EXPECT_EQ(titles("attaques"), (std::vector<std::string>{"Attaque à Misrata", "Armée"}));
    EXPECT_EQ(search("etat").total, 2);
    EXPECT_EQ(search("État").total, 2);
    EXPECT_EQ(search("ETATS").total, 2);
    EXPECT_EQ(search("syrienne").total, 2);
    EXPECT_EQ(titles("syrienne"), titles("syriennes"));
    EXPECT_TRUE(finds("syrienne", "Un bilan"));
    EXPECT_TRUE(finds("syriennes", "Armée"));
    EXPECT_TRUE(finds("armee", "Armée"));
    EXPECT_TRUE(finds("oeuvre", "Œuvres"));
    EXPECT_TRUE(finds("declare", "Urgence"));
}

TEST_P(SearchTest, EnglishBlogStemsInEnglish) {
    add(make_post(english_blog_id_, "Court under fire", "<p>The attacks on the court.</p>"));
    add(make_post(english_blog_id_, "Quiet day", "<p>Nothing attacked today.</p>"));
    EXPECT_EQ(search("attack", english_blog_id_).total, 2);
    EXPECT_EQ(search("Attacking", english_blog_id_).total, 2);
    EXPECT_EQ(search("courts", english_blog_id_).total, 1);
}

TEST_P(SearchTest, QuotedPhrasesMatchWordsInOrder) {
    add("Tribunal", "<p>L'Etat islamique attaque le tribunal.</p>");
    add("Désordre", "<p>Islamique ou pas, l'État tient.</p>");
    EXPECT_EQ(titles("\"etat islamique\""), std::vector<std::string>{"Tribunal"});
    EXPECT_EQ(titles("\"l'État islamiques\""), std::vector<std::string>{"Tribunal"});
    EXPECT_EQ(search("etat islamique").total, 2);
}

TEST_P(SearchTest, PhrasesOfCommonWordsMatchOnlyThoseWordsInThatOrder) {
    // Common words are also indexed paired with their neighbours: phrases holding them must
    // find exactly what the words in order find, in every form a single word is found by.
    add("Ville", "<p>Les combats de la ville continuent.</p>");
    add("Belle ville", "<p>Les combats de la belle ville.</p>");
    add("Désordre", "<p>La ville de combats.</p>");
    add("Sécurité", "<p>Le Conseil de sécurité se réunit.</p>");
    EXPECT_EQ(titles("\"de la ville\""), std::vector<std::string>{"Ville"});
    EXPECT_EQ(titles("\"conseil de securite\""), std::vector<std::string>{"Sécurité"});
    EXPECT_EQ(titles("\"Conseils de sécurités\""), std::vector<std::string>{"Sécurité"});
    EXPECT_EQ(titles("\"la ville de\""), std::vector<std::string>{"Désordre"});
    EXPECT_EQ(search("\"combats de la\"").total, 2);
    EXPECT_EQ(search("\"de la\"").total, 2);
    EXPECT_EQ(search("\"la de\"").total, 0);
    EXPECT_EQ(search("de la ville").total, 3);
    EXPECT_EQ(titles("\"de la vil\"*"), std::vector<std::string>{"Ville"});
    EXPECT_EQ(titles("\"ville de\" -belle"), std::vector<std::string>{"Désordre"});
    const auto found = search("\"de la ville\"");
    ASSERT_EQ(found.hits.size(), 1u);
    EXPECT_NE(passage_html(found.hits[0]).find("<mark>de la ville</mark>"), std::string::npos)
        << passage_html(found.hits[0]);

    add(make_post(english_blog_id_, "Council",
                  "<p>The Security Council of the United Nations.</p>"));
    EXPECT_EQ(titles("\"council of the united\"", english_blog_id_),
              std::vector<std::string>{"Council"});
    EXPECT_EQ(search("\"of the\"", english_blog_id_).total, 1);
    EXPECT_EQ(search("\"the of\"", english_blog_id_).total, 0);

    // Two common words and the next one: "à" folds to "a", "l'État" is "l" and "etat".
    add("Retour", "<p>Retour à la ville, au cœur de l'État.</p>");
    EXPECT_EQ(titles("\"a la ville\""), std::vector<std::string>{"Retour"});
    EXPECT_EQ(titles("\"de l'etat\""), std::vector<std::string>{"Retour"});
    EXPECT_EQ(titles("\"au coeur de l'État\""), std::vector<std::string>{"Retour"});
    EXPECT_EQ(titles("\"de la villes\""), std::vector<std::string>{"Ville"});
    EXPECT_EQ(search("\"la ville de\"").total, 1);
}

TEST_P(SearchTest, TrailingStarSearchesAPrefix) {
    add("Misrata", "<p>Une attaque contre le tribunal.</p>");
    add("Syrie", "<p>Damas et Alep.</p>");
    add("Syrte", "<p>Bastion libyen.</p>");
    EXPECT_EQ(titles("attaq*"), std::vector<std::string>{"Misrata"});
    EXPECT_EQ(titles("trib*"), std::vector<std::string>{"Misrata"});
    EXPECT_EQ(search("syr*").total, 2);
    EXPECT_EQ(titles("syri*"), std::vector<std::string>{"Syrie"});
    EXPECT_EQ(titles("LIBY*"), std::vector<std::string>{"Syrte"});
    EXPECT_EQ(titles("\"contre le trib\"*"), std::vector<std::string>{"Misrata"});
    // One letter is too short a prefix: it is the word itself ("et" does not start "Alep").
    add("Lettre", "<p>La lettre a.</p>");
    EXPECT_EQ(titles("a*"), std::vector<std::string>{"Lettre"});
    EXPECT_EQ(search("e*").total, 0);
}

TEST_P(SearchTest, MinusExcludesAWordAndOnlyExclusionsFindNothing) {
    add("Misrata", "<p>Une attaque contre le tribunal.</p>");
    add("Syrte", "<p>Une attaque contre la ville.</p>");
    EXPECT_EQ(titles("attaque -tribunal"), std::vector<std::string>{"Syrte"});
    EXPECT_EQ(titles("attaque -\"le tribunal\""), std::vector<std::string>{"Syrte"});
    EXPECT_EQ(search("attaque -tribunal -ville").total, 0);
    auto only_excluded = search("-tribunal");
    EXPECT_EQ(only_excluded.total, 0);
    EXPECT_TRUE(only_excluded.hits.empty());
    // A hyphen inside a word is not an exclusion: "attaque-contre" is the phrase.
    EXPECT_EQ(search("attaque-contre").total, 2);
}

TEST_P(SearchTest, TitleMatchRanksAboveBodyMatches) {
    add("Les combats continuent", "<p>Bastion, bastion et encore bastion au sud du pays.</p>");
    add("Le bastion tombe", "<p>Les combats continuent au sud du pays depuis des mois.</p>");
    add("Autre chose", "<p>Les combats continuent, dit-on, autour du bastion.</p>");
    auto found = search("bastion");
    ASSERT_EQ(found.total, 3);
    EXPECT_EQ(found.hits[0].post.title, "Le bastion tombe");
}

TEST_P(SearchTest, PassageMarksMatchesAndEscapesTheText) {
    add("Piège",
        "<p>Le code &lt;script&gt;alert('x')&lt;/script&gt; visait Misrata & Syrte.</p>"
        "<script>var misrata = 1;</script><p>Fin.</p>");
    auto found = search("misrata");
    ASSERT_EQ(found.hits.size(), 1u);
    const auto& passage = passage_html(found.hits[0]);
    EXPECT_NE(passage.find("<mark>Misrata</mark>"), std::string::npos) << passage;
    EXPECT_NE(passage.find("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"), std::string::npos)
        << passage;
    EXPECT_NE(passage.find("&amp; Syrte"), std::string::npos) << passage;
    EXPECT_EQ(passage.find("<script"), std::string::npos) << passage;
    EXPECT_EQ(passage.find("var "), std::string::npos) << passage;  // script code not indexed
    // Only <mark> and </mark> are tags.
    std::string without_marks = passage;
    for (std::string_view tag : {"<mark>", "</mark>"}) {
        for (auto at = without_marks.find(tag); at != std::string::npos;
             at = without_marks.find(tag)) {
            without_marks.erase(at, tag.size());
        }
    }
    EXPECT_EQ(without_marks.find_first_of("<>\""), std::string::npos) << passage;

    add("Deux mots", "<p>Les attaques de l'État islamique.</p>");
    auto stemmed = search("attaque etat");
    ASSERT_EQ(stemmed.hits.size(), 1u);
    EXPECT_NE(passage_html(stemmed.hits[0]).find("<mark>attaques</mark>"), std::string::npos)
        << passage_html(stemmed.hits[0]);
    EXPECT_NE(passage_html(stemmed.hits[0]).find("<mark>État</mark>"), std::string::npos)
        << passage_html(stemmed.hits[0]);
}

TEST_P(SearchTest, PrivateUseMarkersInAPostCannotForgeMarks) {
    add("Faux", "<p>Texte \xEE\x80\x80piégé\xEE\x80\x81 avec Misrata.</p>");
    auto found = search("misrata");
    ASSERT_EQ(found.hits.size(), 1u);
    const auto& passage = passage_html(found.hits[0]);
    EXPECT_EQ(passage.find("<mark>pi"), std::string::npos) << passage;
    EXPECT_NE(passage.find("<mark>Misrata</mark>"), std::string::npos) << passage;
}

// The words of a passage without its marks and ellipses.
std::vector<std::string> passage_words(std::string_view passage) {
    std::string spaced;
    for (std::size_t at = 0; at < passage.size();) {
        bool skipped = false;
        for (std::string_view noise : {"<mark>", "</mark>", "…", ".", ","}) {
            if (passage.substr(at).starts_with(noise)) {
                spaced += ' ';
                at += noise.size();
                skipped = true;
                break;
            }
        }
        if (!skipped) spaced += passage[at++];
    }
    std::istringstream words(spaced);
    return {std::istream_iterator<std::string>(words), std::istream_iterator<std::string>()};
}

// "w0 w1 ... w(n-1)" with `inserted` put at the given positions.
std::string numbered_words(int count, const std::map<int, std::string>& inserted) {
    std::string text;
    for (int i = 0; i < count; ++i) {
        if (!text.empty()) text += ' ';
        const auto found = inserted.find(i);
        text += found != inserted.end() ? found->second : fmt::format("w{}", i);
    }
    return text;
}

TEST_P(SearchTest, PassageIsTheWindowAroundTheMatchesWithEllipses) {
    // A match in the middle of a long text: 24 words around it, cut on both sides.
    add("Milieu", "<p>" + numbered_words(200, {{100, "Misrata"}}) + ".</p>");
    const auto middle = search("misrata");
    ASSERT_EQ(middle.hits.size(), 1u);
    const auto& passage = passage_html(middle.hits[0]);
    EXPECT_TRUE(passage.starts_with("…")) << passage;
    EXPECT_TRUE(passage.ends_with("…")) << passage;
    auto words = passage_words(passage);
    EXPECT_EQ(words.size(), 24u) << passage;
    const auto at = std::find(words.begin(), words.end(), "Misrata") - words.begin();
    EXPECT_GE(at, 8) << passage;  // centred, not first
    EXPECT_LE(at, 15) << passage;
    EXPECT_NE(passage.find("<mark>Misrata</mark>"), std::string::npos) << passage;

    // Near the end: the window moves back to show 24 words, and the text's end is kept.
    add("Fin", "<p>" + numbered_words(100, {{98, "Syrte"}}) + ".</p>");
    const auto end = search("syrte");
    ASSERT_EQ(end.hits.size(), 1u);
    EXPECT_TRUE(passage_html(end.hits[0]).starts_with("…")) << passage_html(end.hits[0]);
    EXPECT_TRUE(passage_html(end.hits[0]).ends_with("<mark>Syrte</mark> w99."))
        << passage_html(end.hits[0]);
    EXPECT_EQ(passage_words(passage_html(end.hits[0])).size(), 24u);

    // The window holding both words wins over an earlier one holding one of them twice.
    add("Deux",
        "<p>" +
            numbered_words(
                300, {{10, "Benghazi"}, {12, "Benghazi"}, {200, "Benghazi"}, {205, "Derna"}}) +
            "</p>");
    const auto both = search("benghazi derna");
    ASSERT_EQ(both.hits.size(), 1u);
    const auto& together = passage_html(both.hits[0]);
    EXPECT_NE(together.find("<mark>Benghazi</mark> w201"), std::string::npos) << together;
    EXPECT_NE(together.find("<mark>Derna</mark>"), std::string::npos) << together;
    EXPECT_EQ(together.find("w12 "), std::string::npos) << together;

    // A match in the title alone: the passage is the beginning of the text, unmarked.
    add("Tobrouk", "<p>« " + numbered_words(50, {}) + "</p>");
    const auto title = search("tobrouk");
    ASSERT_EQ(title.hits.size(), 1u);
    const auto& opening = passage_html(title.hits[0]);
    EXPECT_TRUE(opening.starts_with("« w0 w1")) << opening;
    EXPECT_TRUE(opening.ends_with("w23…")) << opening;
    EXPECT_EQ(opening.find("<mark>"), std::string::npos) << opening;

    // A phrase is one mark, however many words it has; a short text is shown whole.
    add("Phrase", "<p>Le conseil de sécurité s'est réuni.</p>");
    const auto phrase = search("\"conseil de securite\"");
    ASSERT_EQ(phrase.hits.size(), 1u);
    EXPECT_EQ(passage_html(phrase.hits[0]), "Le <mark>conseil de sécurité</mark> s&#39;est réuni.");
}

TEST_P(SearchTest, HostileQueriesAlwaysAnswer) {
    add("Misrata", "<p>Une attaque contre le tribunal de Misrata, title et NEAR.</p>");
    std::vector<std::string> hostile = {
        "\"",
        "\"\"",
        "\"misrata",
        "misrata\"",
        "\"a\" \"b",
        "NEAR(a b)",
        "NEAR(misrata tribunal, 2)",
        "title:x",
        "title:misrata",
        "body:misrata",
        "{title body}: misrata",
        "*",
        "**",
        "misrata**",
        "-",
        "--",
        "- -misrata",
        "a OR b",
        "misrata OR tribunal",
        "misrata AND",
        "AND",
        "OR",
        "NOT",
        "NOT misrata",
        "^x",
        "^misrata",
        "(",
        ")",
        "(misrata",
        "misrata)",
        "misrata + tribunal",
        "+",
        ":",
        "'; DROP TABLE posts; --",
        "\" OR 1=1 --",
        "misrata' OR '1'='1",
        "rowid:1",
        "post_search_fr",
        "' UNION SELECT * FROM users --",
        std::string(10 * 1024, 'a'),
        std::string(10 * 1024, '"'),
        [] {
            std::string many;
            for (int i = 0; i < 2000; ++i) many += "misrata ";
            return many;
        }(),
        std::string("misrata\0tribunal", 16),
        std::string("\0\0\0", 3),
        "\xff\xfe\xfd",
        "mis\xc3rata",
        "\xe2\x82",
        "\xED\xA0\x80",  // an encoded surrogate
        "\xEE\x80\x80misrata\xEE\x80\x81",
        "\x01\x02\x03\x7f",
        "\t\n\r",
        "",
        "   ",
        "🙂",
        "中文",
        "ﷺ",
        "a\u0301\u0301\u0301",
        "\u0301",
    };
    for (const auto& text : hostile) {
        auto found = store_->search().search(blog_id_, SearchQuery{.text = text});
        EXPECT_TRUE(found.has_value()) << "query: " << text << ": " << found.error().message;
    }
    EXPECT_EQ(search("\"misrata").total, 1);       // the quote is dropped
    EXPECT_EQ(search("title:misrata").total, 0);   // a word "title", not a column filter
    EXPECT_EQ(search("misrata OR zzz").total, 0);  // OR is a word: all words must match
    EXPECT_EQ(search("*").total, 0);
    EXPECT_EQ(search(std::string("misrata\0tribunal", 16)).total, 1);
}

TEST_P(SearchTest, DraftsAndOtherBlogsAreNotFound) {
    add(make_post(blog_id_, "Brouillon", "<p>Misrata secrète.</p>", model::PostStatus::draft));
    add(make_post(blog_id_, "Plus tard", "<p>Misrata demain.</p>", model::PostStatus::scheduled));
    add(make_post(other_blog_id_, "Ailleurs", "<p>Misrata aussi.</p>"));
    add(make_post(english_blog_id_, "Elsewhere", "<p>Misrata too.</p>"));
    EXPECT_EQ(search("misrata").total, 0);
    EXPECT_EQ(titles("misrata", other_blog_id_), std::vector<std::string>{"Ailleurs"});
    EXPECT_EQ(titles("misrata", english_blog_id_), std::vector<std::string>{"Elsewhere"});
    EXPECT_EQ(search("misrata", 999).total, 0);  // no such blog
    // Two French blogs share a table: every kind of query keeps to its blog.
    EXPECT_EQ(titles("misr*", other_blog_id_), std::vector<std::string>{"Ailleurs"});
    EXPECT_EQ(titles("\"misrata aussi\"", other_blog_id_), std::vector<std::string>{"Ailleurs"});
    EXPECT_EQ(titles("misrata -demain", other_blog_id_), std::vector<std::string>{"Ailleurs"});
    // The blog's id is not a word of its posts.
    EXPECT_EQ(search(std::to_string(other_blog_id_), other_blog_id_).total, 0);
}

TEST_P(SearchTest, ManyMatchesListTheNewestThousandRankedWithoutGapsOrRepeats) {
    // More matches than a search lists (1,000): the newest are listed, ranked.
    constexpr int k_posts = 1100;
    std::set<std::int64_t> newest;
    auto written = store_->write([&](Writer& writer) -> Status {
        for (int i = 0; i < k_posts; ++i) {
            auto post =
                make_post(blog_id_, "Jour " + std::to_string(i),
                          "<p>Les combats continuent à Syrte, jour " + std::to_string(i) + ".</p>");
            if (i == k_posts - 5) post.title = "Syrte tombe";
            auto created = writer.posts().create_post(post);
            if (!created) return std::unexpected(created.error());
            if (i >= k_posts - store::k_search_result_limit) newest.insert(*created);
        }
        return {};
    });
    ASSERT_TRUE(written.has_value()) << written.error().message;
    const auto first = search("syrte", 0, 0, 10);
    EXPECT_EQ(first.total, store::k_search_result_limit);
    EXPECT_TRUE(first.more);
    ASSERT_EQ(first.hits.size(), 10u);
    EXPECT_EQ(first.hits[0].post.title, "Syrte tombe");
    EXPECT_NE(passage_html(first.hits[0]).find("<mark>Syrte</mark>"), std::string::npos);
    std::set<std::int64_t> seen;
    int pages_hits = 0;
    for (int offset = 0; offset < k_posts + 40; offset += 70) {
        const auto page = search("syrte", 0, offset, 70);
        EXPECT_EQ(page.total, store::k_search_result_limit);
        for (const auto& hit : page.hits) {
            seen.insert(hit.post.id);
            ++pages_hits;
        }
    }
    EXPECT_EQ(pages_hits, store::k_search_result_limit);
    EXPECT_EQ(seen, newest);
    EXPECT_EQ(search("syrte", 0, 995, 10).hits.size(), 5u);  // the last page
    EXPECT_TRUE(search("syrte", 0, 1000, 10).hits.empty());
    EXPECT_EQ(search("\"syrte jour\"", 0, 0, 10).total, store::k_search_result_limit);
    // Fewer matches than the limit: all of them, and no more.
    const auto few = search("\"syrte tombe\"", 0, 0, 10);
    EXPECT_EQ(few.total, 1);
    EXPECT_FALSE(few.more);
}

TEST_P(SearchTest, ResultsArePaginatedWithCategoriesAndWithoutBodies) {
    for (int i = 0; i < 25; ++i) add("Combat " + std::to_string(i), "<p>Un combat à Syrte.</p>");
    add("Rien", "<p>Calme plat.</p>");
    auto first = search("syrte", 0, 0, 10);
    EXPECT_EQ(first.total, 25);
    ASSERT_EQ(first.hits.size(), 10u);
    auto last = search("syrte", 0, 20, 10);
    EXPECT_EQ(last.total, 25);
    EXPECT_EQ(last.hits.size(), 5u);
    std::set<std::int64_t> seen;
    for (int offset = 0; offset < 25; offset += 10) {
        for (const auto& hit : search("syrte", 0, offset, 10).hits) seen.insert(hit.post.id);
    }
    EXPECT_EQ(seen.size(), 25u);
    const auto& post = first.hits[0].post;
    EXPECT_TRUE(post.source.empty());
    EXPECT_TRUE(post.html.empty());
    EXPECT_FALSE(post.slug.empty());
    EXPECT_EQ(post.status, model::PostStatus::published);
    ASSERT_EQ(post.categories.size(), 2u);
    EXPECT_EQ(post.categories[0].name, "Libye");
    EXPECT_EQ(search("syrte", 0, 30, 10).hits.size(), 0u);
}

TEST_P(SearchTest, IndexFollowsCommitsAndRollbacks) {
    add("Visible", "<p>Palmyre reprise.</p>");
    auto failed = store_->write([&](Writer& writer) -> Status {
        auto created = writer.posts().create_post(
            make_post(blog_id_, "Fantôme", "<p>Palmyre et ses ruines abandonnées.</p>"));
        if (!created) return std::unexpected(created.error());
        return model::fail(model::Error::Code::invalid_input, "changed my mind");
    });
    ASSERT_FALSE(failed.has_value());
    EXPECT_EQ(titles("palmyre"), std::vector<std::string>{"Visible"});
    EXPECT_EQ(search("fantome").total, 0);
    // A duplicate slug fails the second post: the first one's index entry goes too.
    auto conflict = store_->write([&](Writer& writer) -> Status {
        auto first =
            writer.posts().create_post(make_post(blog_id_, "Nouveau", "<p>Palmyre encore.</p>"));
        if (!first) return std::unexpected(first.error());
        auto second = writer.posts().create_post(make_post(blog_id_, "Visible", "<p>Palmyre.</p>"));
        if (!second) return std::unexpected(second.error());
        return {};
    });
    ASSERT_FALSE(conflict.has_value());
    EXPECT_EQ(titles("palmyre"), std::vector<std::string>{"Visible"});
    add("Fantôme", "<p>Palmyre et ses ruines abandonnées.</p>");
    EXPECT_EQ(search("palmyre").total, 2);
    // The rolled back transaction had met the word first; this one lists it all the same.
    EXPECT_EQ(titles("abandonnee*"), std::vector<std::string>{"Fantôme"});
}

TEST_P(SearchTest, LongPrefixesFindEveryWordTheyBegin) {
    add("Le gouvernement tombe", "<p>Crise à Tripoli.</p>");
    add("Nouveau gouverneur", "<p>Nommé à Benghazi.</p>");
    add("Gouvernance", "<p>Un mot de plus.</p>");
    add("Voisins", "<p>Le gouverneur et les gouvernements voisins.</p>");
    add("Crise", "<p>Une crise sans lui.</p>");
    const std::vector<std::string> three = {"Le gouvernement tombe", "Nouveau gouverneur",
                                            "Voisins"};
    EXPECT_EQ(sorted_titles("gouverne*"), three);
    EXPECT_EQ(sorted_titles("GOUVERNÈ*"), three);  // folded as the index is
    EXPECT_EQ(search("gouvern*").total, 4);
    EXPECT_EQ(search("gouvernementa*").total, 0);
    EXPECT_EQ(titles("crise -gouverne*"), std::vector<std::string>{"Crise"});
    EXPECT_EQ(titles("gouverne* benghazi"), std::vector<std::string>{"Nouveau gouverneur"});
    // After an elided article, and in a phrase: those words in that order.
    add("Assaut", "<p>Le début de l'offensive, et les offensives d'hiver.</p>");
    add("Désordre", "<p>Une offensive, l'hiver.</p>");
    EXPECT_EQ(titles("l'offensiv*"), std::vector<std::string>{"Assaut"});
    EXPECT_EQ(titles("\"début de l'offensi\"*"), std::vector<std::string>{"Assaut"});
    EXPECT_EQ(search("\"de la offensi\"*").total, 0);
    const auto elided = search("l'offensiv*");
    ASSERT_EQ(elided.hits.size(), 1u);
    EXPECT_NE(passage_html(elided.hits[0]).find("<mark>l&#39;offensive</mark>"), std::string::npos)
        << passage_html(elided.hits[0]);
    // Ranked as one word: a match in the title comes before two in a body.
    const auto found = search("gouverne*");
    ASSERT_EQ(found.hits.size(), 3u);
    EXPECT_NE(found.hits[0].post.title, "Voisins");
    const auto& passage = passage_html(found.hits[2]);
    EXPECT_NE(passage.find("<mark>gouverneur</mark>"), std::string::npos) << passage;
    EXPECT_NE(passage.find("<mark>gouvernements</mark>"), std::string::npos) << passage;

    // More words than a prefix is looked up as: FTS5 searches the prefix itself.
    for (int i = 0; i < 40; ++i) {
        add(fmt::format("Variante {}", i), fmt::format("<p>zarbitude{}</p>", i));
    }
    EXPECT_EQ(search("zarbitud*").total, 40);
    EXPECT_EQ(search("zarbitude1*").total, 11);  // 1 and 10 to 19
}

TEST_P(SearchTest, RebuildingTheIndexKeepsResultsAndBumpsGenerations) {
    add_fixture_posts();
    add(make_post(english_blog_id_, "Court", "<p>The attacks.</p>"));
    add(make_post(blog_id_, "Brouillon", "<p>Misrata.</p>", model::PostStatus::draft));
    const std::vector<std::string> queries = {"attaques",           "etat",           "syrienne",
                                              "\"etat islamique\"", "daech -misrata", "misr*",
                                              "gouvernem*",         "syrienn*"};
    std::vector<std::vector<std::string>> before;
    for (const auto& query : queries) before.push_back(sorted_titles(query));
    const auto generation = store_->generation(blog_id_);
    const auto english_generation = store_->generation(english_blog_id_);

    ASSERT_TRUE(store_->search().rebuild_search_index().has_value());
    for (std::size_t i = 0; i < queries.size(); ++i) {
        EXPECT_FALSE(before[i].empty()) << queries[i];
        EXPECT_EQ(sorted_titles(queries[i]), before[i]) << queries[i];
    }
    EXPECT_EQ(search("attack", english_blog_id_).total, 1);
    EXPECT_EQ(search("brouillon").total, 0);
    EXPECT_GT(store_->generation(blog_id_), generation);
    EXPECT_GT(store_->generation(english_blog_id_), english_generation);
}

TEST_P(SearchTest, SearchesRunWhileAWriterAddsPosts) {
    add("Premier", "<p>Une offensive à Raqqa.</p>");
    std::atomic<bool> failed{false};
    std::vector<std::thread> readers;
    for (int t = 0; t < 4; ++t) {
        readers.emplace_back([&] {
            for (int i = 0; i < 100; ++i) {
                auto found =
                    store_->search().search(blog_id_, SearchQuery{.text = "offensives raq*"});
                if (!found || found->total < 1) failed = true;
            }
        });
    }
    for (int i = 0; i < 40; ++i) {
        add("Offensive " + std::to_string(i), "<p>Les offensives sur Raqqa continuent.</p>");
    }
    for (auto& reader : readers) reader.join();
    EXPECT_FALSE(failed);
    EXPECT_EQ(search("offensive raqqa").total, 41);
}

INSTANTIATE_TEST_SUITE_P(Backends, SearchTest, ::testing::ValuesIn(store_backends()),
                         store_backend_name);

// ---- The SQLite implementation's own parts ---------------------------------------------

// What the SQLite-only tests below date their writes with: one instant, never moved.
const ManualClock k_sqlite_clock{sys_days{year{2026} / 11 / 25} + hours{9}};

std::optional<std::string> fts_query_from_reader_text(std::string_view text) {
    auto query = search::match_query_from_reader_text(text);
    if (!query) return std::nullopt;
    return query->expression;
}

TEST(SqliteSearch, ReaderTextBecomesQuotedWordsOnly) {
    EXPECT_EQ(fts_query_from_reader_text("attaque Misrata"), "\"attaque\" AND \"Misrata\"");
    EXPECT_EQ(fts_query_from_reader_text("\"l'Etat islamique\""), "\"l Etat islamique\"");
    EXPECT_EQ(fts_query_from_reader_text("attaq*"), "\"attaq\"*");
    EXPECT_EQ(fts_query_from_reader_text("a*"), "\"a\"");  // one letter: the word itself
    EXPECT_EQ(fts_query_from_reader_text("porte-p*"), "\"porte p\"");
    EXPECT_EQ(fts_query_from_reader_text("É*"), "\"É\"");
    EXPECT_EQ(fts_query_from_reader_text("l'eta*"), "\"l\" + \"eta\"*");
    EXPECT_EQ(fts_query_from_reader_text("\"de la vil\"*"), "\"de la\" + \"vil\"*");
    EXPECT_EQ(fts_query_from_reader_text("a -b -\"c d\""), "(\"a\") NOT (\"b\" OR \"c d\")");
    EXPECT_EQ(fts_query_from_reader_text("NEAR(a b)"), "\"NEAR a\" AND \"b\"");
    EXPECT_EQ(fts_query_from_reader_text("title:x"), "\"title x\"");
    EXPECT_EQ(fts_query_from_reader_text("a OR b"), "\"a\" AND \"OR\" AND \"b\"");
    EXPECT_EQ(fts_query_from_reader_text("-a"), std::nullopt);
    EXPECT_EQ(fts_query_from_reader_text("* ^ ( ) \"\" -"), std::nullopt);
    std::string many;
    for (int i = 0; i < 100; ++i) many += fmt::format("w{} ", i);
    const auto capped = fts_query_from_reader_text(many);
    ASSERT_TRUE(capped.has_value());
    EXPECT_EQ(std::count(capped->begin(), capped->end(), '"'), 2 * 32);
    EXPECT_LE(fts_query_from_reader_text(std::string(100000, 'x'))->size(),
              search::k_max_query_bytes + 2);
}

TEST(SqliteSearch, LongPrefixesBecomeTheTokensTheyStandFor) {
    std::vector<std::string> asked;
    std::optional<std::vector<std::string>> listed =
        std::vector<std::string>{"gouvernement", "gouverneur"};
    const search::PrefixExpander expand = [&](std::string_view prefix) {
        asked.emplace_back(prefix);
        return listed;
    };
    const auto query = search::match_query_from_reader_text("Syrie Gouvernè* -armée", expand);
    ASSERT_TRUE(query.has_value());
    // Folded as the tokenizer folds a prefix; each token looked up as it is (the marker).
    EXPECT_EQ(asked, std::vector<std::string>{"gouverne"});
    EXPECT_EQ(query->expression,
              "(\"Syrie\" AND (\"\x02gouvernement\" OR \"\x02gouverneur\")) NOT (\"armée\")");
    // The two tokens are one term for ranking; the excluded word is not ranked.
    EXPECT_EQ(query->phrase_terms, (std::vector<int>{0, 1, 1, -1}));
    EXPECT_EQ(search::rank_groups(query->phrase_terms), "0 1 1 -1");

    // After other words, each token follows them in its phrase ("l'État": "l" then "etat").
    EXPECT_EQ(search::match_query_from_reader_text("\"le gouverne\"*", expand)->expression,
              "(\"le \x02gouvernement\" OR \"le \x02gouverneur\")");
    EXPECT_EQ(search::match_query_from_reader_text("l'Gouverne*", expand)->expression,
              "(\"l \x02gouvernement\" OR \"l \x02gouverneur\")");
    // Prefixes the prefix indexes serve are left to FTS5.
    asked.clear();
    EXPECT_EQ(search::match_query_from_reader_text("gouve*", expand)->expression, "\"gouve\"*");
    EXPECT_EQ(search::match_query_from_reader_text("l'gouve*", expand)->expression,
              "\"l\" + \"gouve\"*");
    EXPECT_TRUE(asked.empty());
    // So is a prefix of too many tokens to list.
    listed = std::nullopt;
    EXPECT_EQ(search::match_query_from_reader_text("gouverne*", expand)->expression,
              "\"gouverne\"*");
    // A prefix no token begins with is one token that no post holds.
    listed = std::vector<std::string>{};
    const auto none = search::match_query_from_reader_text("gouverne*", expand);
    EXPECT_EQ(none->expression, "(\"\x02gouverne\")");
    EXPECT_EQ(none->phrase_terms, std::vector<int>{0});
    // A reader cannot type the marker: control characters are dropped before words are read.
    EXPECT_EQ(fts_query_from_reader_text("\x02gouvernement"), "\"gouvernement\"");
}

TEST(SqliteSearch, MarkedPassageBecomesPlainTextAndMatchRanges) {
    const std::string start(search::k_match_start);
    const std::string end(search::k_match_end);
    std::string passage = "left over";
    std::vector<text::ByteRange> matches{{1, 2}};
    search::read_marked_passage(
        "… l'" + start + "État" + end + " & " + start + "conseil de sécurité" + end + " <b>",
        passage, matches);
    EXPECT_EQ(passage, "… l'État & conseil de sécurité <b>");
    ASSERT_EQ(matches.size(), 2u);
    EXPECT_EQ(passage.substr(matches[0].begin, matches[0].end - matches[0].begin), "État");
    EXPECT_EQ(passage.substr(matches[1].begin, matches[1].end - matches[1].begin),
              "conseil de sécurité");
    search::read_marked_passage("\xEE\x80\x82 sans marque", passage, matches);
    EXPECT_EQ(passage, "\xEE\x80\x82 sans marque");
    EXPECT_TRUE(matches.empty());
}

TEST(SqliteSearch, PostHtmlBecomesPlainText) {
    using search::search_text_from_html;
    EXPECT_EQ(search_text_from_html("<p>Un</p><p>deux &amp; trois&nbsp;!</p>"),
              "Un deux & trois !");
    EXPECT_EQ(search_text_from_html("<p>A<!-- caché --> <script>x<y</script><style>p{}</style>B"),
              "A B");
    EXPECT_EQ(search_text_from_html("<a href=\"x>y\">lien</a> &eacute;t&#233; &#x2019;"),
              "lien été ’");
    EXPECT_EQ(search_text_from_html("1 < 2 &bogus; &#0; \xff"),
              "1 < 2 &bogus; \xEF\xBF\xBD \xEF\xBF\xBD");
}

// A database at `path` holding one blog with one published post; the blog's id.
std::int64_t database_with_one_post(const std::filesystem::path& path, const std::string& title,
                                    const std::string& html) {
    std::int64_t blog_id = 0;
    auto store = open_sqlite_store(path, OpenMode::create_if_missing, k_sqlite_clock);
    EXPECT_TRUE(store.has_value());
    if (!store) return 0;
    auto written = (*store)->write([&](Writer& writer) -> Status {
        auto blog = writer.blogs().create_blog({.title = "Ancien"});
        if (!blog) return std::unexpected(blog.error());
        blog_id = *blog;
        auto created = writer.posts().create_post({.blog_id = blog_id,
                                                   .status = model::PostStatus::published,
                                                   .title = title,
                                                   .source = html,
                                                   .html = html});
        if (!created) return std::unexpected(created.error());
        return {};
    });
    EXPECT_TRUE(written.has_value());
    return blog_id;
}

// A connection to the database at `path` beside the store, as an older carnet or a test
// inspecting the file would open it.
std::unique_ptr<sqlite3, decltype(&sqlite3_close)> raw_connection(
    const std::filesystem::path& path) {
    sqlite3* raw = nullptr;
    EXPECT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
    EXPECT_TRUE(search::register_search_functions(raw).has_value());
    return db;
}

// The first column of the first row `sql` answers, as text ("" for none or NULL).
std::string first_value(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr), SQLITE_OK) << sql;
    std::string value;
    if (sqlite3_step(statement) == SQLITE_ROW) {
        const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
        if (text != nullptr) value = text;
    }
    sqlite3_finalize(statement);
    return value;
}

// Publishes posts `first` to `first + count - 1` of the blog in one transaction, each
// "Billet N" with `body` (a format of N) as its HTML.
Status publish_numbered_posts(Store& store, std::int64_t blog_id, int first, int count,
                              std::string_view body) {
    return store.write([&](Writer& writer) -> Status {
        for (int i = first; i < first + count; ++i) {
            const auto html = fmt::format(fmt::runtime(body), i);
            auto created = writer.posts().create_post({.blog_id = blog_id,
                                                       .status = model::PostStatus::published,
                                                       .title = fmt::format("Billet {}", i),
                                                       .source = html,
                                                       .html = html});
            if (!created) return std::unexpected(created.error());
        }
        return {};
    });
}

// How many posts `query` lists on the database at `path` (opening it migrates it).
int total_after_reopening(const std::filesystem::path& path, std::int64_t blog_id,
                          const std::string& query) {
    auto store = open_sqlite_store(path, OpenMode::must_exist, k_sqlite_clock);
    EXPECT_TRUE(store.has_value()) << store.error().message;
    if (!store) return -1;
    auto found = (*store)->search().search(blog_id, SearchQuery{.text = query});
    EXPECT_TRUE(found.has_value()) << found.error().message;
    return found ? found->total : -1;
}

TEST(SqliteSearch, MigrationIndexesPostsThatExistedBefore) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    const auto blog_id =
        database_with_one_post(path, "Avant la recherche", "<p>Des attaques à Syrte.</p>");
    // Back to the schema before migration 3, as a database made by an older carnet.
    const auto sql = fmt::format(
        "DROP TABLE post_search_fr; DROP TABLE post_search_en; "
        "DELETE FROM schema_migrations WHERE version IN (3, {});",
        search_migration_version());
    ASSERT_EQ(sqlite3_exec(raw_connection(path).get(), sql.c_str(), nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(total_after_reopening(path, blog_id, "attaque syrte"), 1);
}

TEST(SqliteSearch, MigrationListsTheLongWordsOfPostsIndexedBefore) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    const auto blog_id =
        database_with_one_post(path, "Avant la liste", "<p>Des frappes syriennes sur Maarat.</p>");
    // Back to the schema before migration 9, as a database made by an older carnet.
    ASSERT_EQ(sqlite3_exec(raw_connection(path).get(),
                           "DROP TABLE search_terms; "
                           "DELETE FROM schema_migrations WHERE version = 9;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    // "syrienn" is no token: only a list of the tokens that begin with it finds the post.
    for (const auto* query : {"syriennes*", "Frappes*", "syrienn*"}) {
        EXPECT_EQ(total_after_reopening(path, blog_id, query), 1) << query;
    }
}

TEST(SqliteSearch, MigrationMakesTheIndexAgainFromTheTablesText) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    const auto blog_id = database_with_one_post(path, "Combats", "<p>Les combats de la ville.</p>");
    // An index that no longer matches its table's text, as one written with the tokens of an
    // older carnet: only making the index again from that text finds the words below.
    ASSERT_EQ(sqlite3_exec(raw_connection(path).get(),
                           "UPDATE post_search_fr_content SET c1 = 'Les combats de la capitale.'; "
                           "DELETE FROM schema_migrations WHERE version = 24;",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    EXPECT_EQ(total_after_reopening(path, blog_id, "capitale"), 1);
    EXPECT_EQ(total_after_reopening(path, blog_id, "\"combats de la capitale\""), 1);
    EXPECT_EQ(total_after_reopening(path, blog_id, "capi*"), 1);
    EXPECT_EQ(total_after_reopening(path, blog_id, "ville"), 0);
}

TEST(SqliteSearch, AMigrationThatRebuildsAnIndexSaysSoBeforeAndAfter) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    std::vector<std::string> lines;
    const MigrationReport report = [&](std::string_view line) { lines.emplace_back(line); };
    // A new database has no post to rebuild anything from: nothing to wait for, nothing said.
    ASSERT_TRUE(open_sqlite_store(path, OpenMode::create_if_missing, k_sqlite_clock, report));
    EXPECT_TRUE(lines.empty());
    const auto blog_id = database_with_one_post(path, "Combats", "<p>Les combats.</p>");
    auto store = open_sqlite_store(path, OpenMode::must_exist, k_sqlite_clock);
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(publish_numbered_posts(**store, blog_id, 1, 2, "<p>Suite {}.</p>"));
    store->reset();
    // Back to before migrations 24 and 25, which make an index again from every post.
    ASSERT_EQ(sqlite3_exec(raw_connection(path).get(),
                           "DELETE FROM schema_migrations WHERE version IN (24, 25);", nullptr,
                           nullptr, nullptr),
              SQLITE_OK);
    ASSERT_TRUE(open_sqlite_store(path, OpenMode::must_exist, k_sqlite_clock, report));
    EXPECT_EQ(lines, (std::vector<std::string>{
                         "applying migration 24: rebuilding the search index of 3 posts",
                         "migration 24 applied in 0 s",
                         "applying migration 25: rebuilding the date index of 3 posts",
                         "migration 25 applied in 0 s",
                     }));
    // Applied once: opening again says nothing.
    lines.clear();
    ASSERT_TRUE(open_sqlite_store(path, OpenMode::must_exist, k_sqlite_clock, report));
    EXPECT_TRUE(lines.empty());
}

TEST(SqliteSearch, TwoCommonWordsAreIndexedWithTheWordAfterThem) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    database_with_one_post(path, "Ville", "<p>Les combats de la ville.</p>");
    const auto db = raw_connection(path);
    ASSERT_EQ(sqlite3_exec(db.get(),
                           "CREATE VIRTUAL TABLE temp.terms USING "
                           "fts5vocab(main, post_search_fr, row)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    const auto count = [&](const std::string& term) {
        sqlite3_stmt* statement = nullptr;
        EXPECT_EQ(sqlite3_prepare_v2(db.get(), "SELECT count(*) FROM temp.terms WHERE term = ?1",
                                     -1, &statement, nullptr),
                  SQLITE_OK);
        sqlite3_bind_text(statement, 1, term.data(), static_cast<int>(term.size()), SQLITE_STATIC);
        sqlite3_step(statement);
        const int found = sqlite3_column_int(statement, 0);
        sqlite3_finalize(statement);
        return found;
    };
    EXPECT_EQ(count(search::pair_token("de la vill")), 1);  // "de" and "la" are common: a triple
    EXPECT_EQ(count(search::pair_token("de la")), 1);
    EXPECT_EQ(count(search::pair_token("combat de")), 1);  // one common word: a pair only
    EXPECT_EQ(count(search::pair_token("combat de la")), 0);
    // FTS5 writes a token into its prefix indexes (2 to 5 characters) only when it has that
    // many characters, counted as FTS5 counts them: by the bytes that are not UTF-8
    // continuation bytes. Every pair and triple of the index is one character: none is in a
    // prefix index, which no prefix query would ever read.
    const auto fts5_characters = [](std::string_view token) {
        return std::count_if(token.begin(), token.end(),
                             [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
    };
    sqlite3_stmt* statement = nullptr;
    ASSERT_EQ(sqlite3_prepare_v2(db.get(), "SELECT term FROM temp.terms", -1, &statement, nullptr),
              SQLITE_OK);
    int pairs = 0;
    int words = 0;
    const auto lead = search::pair_token("").front();
    while (sqlite3_step(statement) == SQLITE_ROW) {
        const std::string_view term(
            reinterpret_cast<const char*>(sqlite3_column_blob(statement, 0)),
            static_cast<std::size_t>(sqlite3_column_bytes(statement, 0)));
        if (term.front() == lead) {
            ++pairs;
            EXPECT_EQ(fts5_characters(term), 1) << term;
        } else {
            ++words;
        }
    }
    sqlite3_finalize(statement);
    EXPECT_GE(pairs, 4);
    EXPECT_GE(words, 4);  // les, combat, de, la, vill...
}

TEST(SqliteSearch, ATransactionThatIndexesManyPostsLeavesOneBtreePerTable) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    const auto blog_id = database_with_one_post(path, "Premier", "<p>Le début.</p>");
    const auto db = raw_connection(path);
    // FTS5 writes its pending terms out as a new b-tree whenever they pass this many bytes:
    // small, so that a few posts make several b-trees, as 100,000 posts make 21.
    ASSERT_EQ(sqlite3_exec(db.get(),
                           "INSERT INTO post_search_fr (post_search_fr, rank) "
                           "VALUES ('hashsize', 2048)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    const auto btrees = [&] {
        return first_value(db.get(), "SELECT count(DISTINCT segid) FROM post_search_fr_idx");
    };
    auto store = open_sqlite_store(path, OpenMode::must_exist, k_sqlite_clock);
    ASSERT_TRUE(store.has_value());
    const auto write_posts = [&](int first, int count) {
        return publish_numbered_posts(**store, blog_id, first, count,
                                      "<p>Billet {} sur Misrata et Syrte.</p>");
    };
    ASSERT_TRUE(write_posts(0, 100).has_value());
    EXPECT_GT(std::stoi(btrees()), 1);  // a few posts: as FTS5 left them
    ASSERT_TRUE(write_posts(100, 1000).has_value());
    EXPECT_EQ(btrees(), "1");  // an import: merged
    auto found = (*store)->search().search(blog_id, SearchQuery{.text = "misrata"});
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->total, 1000);
    EXPECT_TRUE(found->more);
}

TEST(SqliteSearch, AnImportLeavesTheSearchTablesSettingsAsTheyWere) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    const auto blog_id = database_with_one_post(path, "Premier", "<p>Le début.</p>");
    const auto db = raw_connection(path);
    // One table with a setting of its own, the other with none: an import writes both with
    // settings of its own, for its statement only.
    ASSERT_EQ(sqlite3_exec(db.get(),
                           "INSERT INTO post_search_fr (post_search_fr, rank) "
                           "VALUES ('automerge', 8)",
                           nullptr, nullptr, nullptr),
              SQLITE_OK);
    const auto settings = [&](const char* table) {
        return first_value(db.get(), fmt::format("SELECT group_concat(k || '=' || v, ' ') FROM "
                                                 "(SELECT k, v FROM {}_config ORDER BY k)",
                                                 table));
    };
    auto store = open_sqlite_store(path, OpenMode::must_exist, k_sqlite_clock);
    ASSERT_TRUE(store.has_value());
    ASSERT_TRUE(publish_numbered_posts(**store, blog_id, 0, 1200, "<p>Billet {} sur Misrata.</p>")
                    .has_value());
    EXPECT_EQ(settings("post_search_fr"), "automerge=8 version=4");
    EXPECT_EQ(settings("post_search_en"), "version=4");
    auto found = (*store)->search().search(blog_id, SearchQuery{.text = "misrata"});
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->total, 1000);
}

// What the search tables of the database at `path` hold, row by row: every token at every
// place (fts5vocab's instance table), the stored texts and lengths, and the long tokens listed.
std::vector<std::string> search_index_rows(const std::filesystem::path& path) {
    const auto db = raw_connection(path);
    std::vector<std::string> rows;
    for (const auto* table : {"post_search_fr", "post_search_en"}) {
        const auto vocabulary = fmt::format(
            "CREATE VIRTUAL TABLE temp.instances_{0} USING fts5vocab(main, {0}, instance)", table);
        EXPECT_EQ(sqlite3_exec(db.get(), vocabulary.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        for (const auto& sql :
             {fmt::format(
                  "SELECT term, doc, col, offset FROM temp.instances_{} ORDER BY 1, 2, 3, 4",
                  table),
              fmt::format("SELECT * FROM {}_content ORDER BY id", table),
              fmt::format("SELECT * FROM {}_docsize ORDER BY id", table)}) {
            sqlite3_stmt* statement = nullptr;
            EXPECT_EQ(sqlite3_prepare_v2(db.get(), sql.c_str(), -1, &statement, nullptr),
                      SQLITE_OK);
            while (sqlite3_step(statement) == SQLITE_ROW) {
                std::string row = table;
                for (int column = 0; column < sqlite3_column_count(statement); ++column) {
                    row += '|';
                    const auto* bytes =
                        static_cast<const char*>(sqlite3_column_blob(statement, column));
                    if (bytes != nullptr) {
                        row.append(bytes, static_cast<std::size_t>(
                                              sqlite3_column_bytes(statement, column)));
                    }
                }
                rows.push_back(std::move(row));
            }
            sqlite3_finalize(statement);
        }
    }
    sqlite3_stmt* statement = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db.get(), "SELECT locale, term FROM search_terms ORDER BY 1, 2",
                                 -1, &statement, nullptr),
              SQLITE_OK);
    while (sqlite3_step(statement) == SQLITE_ROW) {
        rows.push_back(fmt::format(
            "search_terms|{}|{}", reinterpret_cast<const char*>(sqlite3_column_text(statement, 0)),
            reinterpret_cast<const char*>(sqlite3_column_text(statement, 1))));
    }
    sqlite3_finalize(statement);
    return rows;
}

TEST(SqliteSearch, ATransactionOfManyPostsIndexesThemAsSmallerTransactionsDo) {
    // Written in one transaction, the posts are indexed in bulk, their text and tokens made on
    // other threads; in transactions of a hundred, one statement at a time as FTS5 tokenizes.
    const std::vector<std::string> words = {
        "attaquée", "de",      "la",     "ville",    "Misrata",          "les",         "forces",
        "the",      "of",      "à",      "Syrte",    "gouvernementales", "l'offensive", "Œuvre",
        "naïve",    "2017",    "et",     "d'autres", "civils",           "évacués",     "attacks",
        "Ελλάδα",   "running", "ŒUVRES", "a",        "CHILDREN'S",       "co-opération"};
    const auto write_blog = [&](const std::filesystem::path& path, int per_transaction) {
        auto store = open_sqlite_store(path, OpenMode::create_if_missing, k_sqlite_clock);
        ASSERT_TRUE(store.has_value());
        std::vector<std::int64_t> blogs;
        ASSERT_TRUE((*store)
                        ->write([&](Writer& writer) -> Status {
                            for (const auto* locale : {"fr", "en"}) {
                                auto blog = writer.blogs().create_blog(
                                    {.hosts = {fmt::format("{}.test", locale)},
                                     .title = locale,
                                     .locale = locale});
                                if (!blog) return std::unexpected(blog.error());
                                blogs.push_back(*blog);
                            }
                            return {};
                        })
                        .has_value());
        constexpr int k_posts = 1200;
        for (int first = 0; first < k_posts; first += per_transaction) {
            ASSERT_TRUE(
                (*store)
                    ->write([&](Writer& writer) -> Status {
                        for (int i = first; i < std::min(k_posts, first + per_transaction); ++i) {
                            std::string html = "<p>";
                            for (int k = 0; k < 30; ++k) {
                                html += words[static_cast<std::size_t>(i * 7 + k * k * 3 + k) %
                                              words.size()];
                                html += k % 9 == 8 ? ".</p><p>" : " ";
                            }
                            html += "</p>";
                            auto created = writer.posts().create_post(
                                {.blog_id = blogs[static_cast<std::size_t>(i % 3 == 0)],
                                 .status = i % 50 == 7 ? model::PostStatus::draft
                                                       : model::PostStatus::published,
                                 .title = fmt::format("Billet {} : {}", i, words[i % words.size()]),
                                 .slug = fmt::format("billet-{}", i),
                                 .source = html,
                                 .html = html});
                            if (!created) return std::unexpected(created.error());
                        }
                        return {};
                    })
                    .has_value());
        }
    };
    TempDir dir;
    write_blog(dir.path() / "bulk.db", 1200);
    write_blog(dir.path() / "small.db", 100);
    const auto bulk = search_index_rows(dir.path() / "bulk.db");
    const auto small = search_index_rows(dir.path() / "small.db");
    EXPECT_GT(bulk.size(), 50000u);
    EXPECT_TRUE(bulk == small) << bulk.size() << " rows against " << small.size();
    // And the tables' settings are as they were.
    const auto db = raw_connection(dir.path() / "bulk.db");
    // Its version only.
    EXPECT_EQ(first_value(db.get(), "SELECT count(*) FROM post_search_fr_config"), "1");
}

TEST(SqliteSearch, DatabaseIndexedBeforeTheBlogColumnUpgradesAndKeepsItsResults) {
    TempDir dir;
    const auto path = dir.path() / "carnet.db";
    std::map<std::string, std::int64_t> blogs;
    {
        auto store = open_sqlite_store(path, OpenMode::create_if_missing, k_sqlite_clock);
        ASSERT_TRUE(store.has_value());
        ASSERT_TRUE((*store)->write([&](Writer& writer) -> Status {
            for (const auto& [title, locale] :
                 {std::pair{"Un", "fr"}, std::pair{"Deux", "fr"}, std::pair{"Three", "en"}}) {
                auto blog = writer.blogs().create_blog(
                    {.hosts = {std::string(title) + ".test"}, .title = title, .locale = locale});
                if (!blog) return std::unexpected(blog.error());
                blogs[title] = *blog;
            }
            int n = 0;
            for (const auto& [blog, title, html] :
                 {std::tuple{"Un", "Attaque à Syrte", "<p>Les attaques continuent.</p>"},
                  std::tuple{"Un", "Calme", "<p>Rien à Misrata.</p>"},
                  std::tuple{"Deux", "Syrte encore", "<p>Une attaque.</p>"},
                  std::tuple{"Three", "Sirte", "<p>The attacks go on.</p>"}}) {
                model::Post post{.blog_id = blogs[blog],
                                 .status = model::PostStatus::published,
                                 .title = title,
                                 .slug = "billet-" + std::to_string(++n),
                                 .source = html,
                                 .html = html};
                auto created = writer.posts().create_post(post);
                if (!created) return std::unexpected(created.error());
            }
            return {};
        }));
    }
    {
        // Back to the search tables of migration 3 (no blog column), as a database made by
        // an older carnet: tables made by migration 3's own SQL, the later one not applied.
        sqlite3* raw = nullptr;
        ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
        std::unique_ptr<sqlite3, decltype(&sqlite3_close)> db(raw, &sqlite3_close);
        ASSERT_TRUE(search::register_search_functions(raw).has_value());
        const auto& three = *std::find_if(k_sqlite_migrations.begin(), k_sqlite_migrations.end(),
                                          [](const Migration& m) { return m.version == 3; });
        const auto sql = fmt::format(
            "DROP TABLE post_search_fr; DROP TABLE post_search_en; {} "
            "DELETE FROM schema_migrations WHERE version = {};",
            three.sql, search_migration_version());
        ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_stmt* columns = nullptr;
        ASSERT_NE(sqlite3_prepare_v2(raw, "SELECT blog FROM post_search_fr", -1, &columns, nullptr),
                  SQLITE_OK);
        sqlite3_finalize(columns);
    }
    auto store = open_sqlite_store(path, OpenMode::must_exist, k_sqlite_clock);
    ASSERT_TRUE(store.has_value()) << store.error().message;
    const auto total = [&](const std::string& blog, const std::string& text) {
        auto found = (*store)->search().search(blogs[blog], SearchQuery{.text = text});
        EXPECT_TRUE(found.has_value()) << text << ": " << found.error().message;
        return found ? found->total : -1;
    };
    EXPECT_EQ(total("Un", "attaque"), 1);
    EXPECT_EQ(total("Un", "syrte"), 1);
    EXPECT_EQ(total("Un", "misr*"), 1);
    EXPECT_EQ(total("Deux", "attaques syrte"), 1);
    EXPECT_EQ(total("Deux", "misrata"), 0);
    EXPECT_EQ(total("Three", "attack"), 1);
    // New posts go into the new tables with their blog.
    ASSERT_TRUE((*store)->write([&](Writer& writer) -> Status {
        model::Post post{.blog_id = blogs["Deux"],
                         .status = model::PostStatus::published,
                         .title = "Misrata",
                         .source = "<p>Nouveau.</p>",
                         .html = "<p>Nouveau.</p>"};
        auto created = writer.posts().create_post(post);
        if (!created) return std::unexpected(created.error());
        return {};
    }));
    EXPECT_EQ(total("Deux", "misrata"), 1);
    EXPECT_EQ(total("Un", "misrata"), 1);
}

}  // namespace
}  // namespace carnet::store
