// What WordPress's importer accepts and carnet must accept too: each case is a small WXR
// document written here by hand, and each test checks what comes through and the report line
// (element and line) that names what was defaulted, kept aside or dropped.
#include <fmt/format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <boost/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "interop/interop.hpp"
#include "interop/wxr_test_support.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "text/text.hpp"

namespace carnet::interop {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::wxr_document;
using testing::wxr_item;

using WxrLenient = testing::WxrStore;

// The 1-based line of the first occurrence of `marker` in `document`.
int line_of(std::string_view document, std::string_view marker) {
    const auto at = document.find(marker);
    EXPECT_NE(at, std::string_view::npos) << marker;
    return 1 + static_cast<int>(std::count(document.begin(), document.begin() + at, '\n'));
}

// The report line that holds every one of `parts`, or "" when none does.
std::string line_with(const WxrImportReport& report, std::vector<std::string> parts) {
    for (const auto& line : report.lines) {
        if (std::ranges::all_of(parts, [&](const auto& part) { return line.contains(part); })) {
            return line;
        }
    }
    ADD_FAILURE() << "no report line with " << parts.front();
    return {};
}

int count_of(std::string_view text, std::string_view part) {
    int count = 0;
    for (auto at = text.find(part); at != std::string_view::npos; at = text.find(part, at + 1)) {
        ++count;
    }
    return count;
}

model::Instant at(int year, int month, int day, int hour, int minute = 0) {
    return model::Instant{std::chrono::sys_days{std::chrono::year{year} / month / day} +
                          std::chrono::hours{hour} + std::chrono::minutes{minute}};
}

// An item with only the elements given: nothing is added for it.
std::string bare_item(std::string_view elements) {
    return "<item>\n" + std::string(elements) + "</item>\n";
}

TEST_F(WxrLenient, UndatedPublishedPostsTakeTheirPubDateOrTheChannelsAndDraftsTheImportTime) {
    const std::string own = bare_item(
        "<title>Daté par son pubDate</title>\n<pubDate>Sat, 02 May 2015 10:30:00 +0200</pubDate>\n"
        "<wp:post_id>1</wp:post_id>\n<wp:post_date>0000-00-00 00:00:00</wp:post_date>\n"
        "<wp:post_date_gmt>0000-00-00 00:00:00</wp:post_date_gmt>\n"
        "<wp:status>publish</wp:status>\n<wp:post_type>post</wp:post_type>\n");
    const std::string channel = bare_item(
        "<title>Daté par le canal</title>\n<pubDate>Mon, 30 Nov -0001 00:00:00 +0000</pubDate>\n"
        "<wp:post_id>2</wp:post_id>\n<wp:post_date></wp:post_date>\n"
        "<wp:status>publish</wp:status>\n<wp:post_type>post</wp:post_type>\n");
    const std::string draft = bare_item(
        "<title>Brouillon sans date</title>\n<pubDate>Sat, 02 May 2015 10:30:00 +0200</pubDate>\n"
        "<wp:post_id>3</wp:post_id>\n<wp:status>draft</wp:status>\n"
        "<wp:post_type>post</wp:post_type>\n");
    const auto document = wxr_document("1.2", own + channel + draft,
                                       "<pubDate>Tue, 01 Dec 2026 08:00:00 +0000</pubDate>\n");
    WxrImportOptions options;
    options.import_time = at(2026, 12, 2, 9);
    const auto report = import_wxr_ok(write_file("undated.xml", document), 0, options);
    EXPECT_EQ(report.imported, 3);
    const auto all = posts();
    const auto* by_own = find_titled(all, "Daté par son pubDate");
    const auto* by_channel = find_titled(all, "Daté par le canal");
    const auto* by_import = find_titled(all, "Brouillon sans date");
    ASSERT_TRUE(by_own && by_channel && by_import);
    EXPECT_EQ(by_own->post.published_at, at(2015, 5, 2, 8, 30));
    EXPECT_EQ(by_own->post.status, model::PostStatus::published);
    EXPECT_EQ(by_channel->post.published_at, at(2026, 12, 1, 8));
    EXPECT_EQ(by_import->post.published_at, options.import_time);
    EXPECT_EQ(by_import->post.status, model::PostStatus::draft);
    const auto line = [&](std::string_view title) {
        return "line " + std::to_string(line_of(document, "<title>" + std::string(title)) - 1) +
               ": ";
    };
    EXPECT_THAT(line_with(report, {"Daté par son pubDate", "has no date"}),
                HasSubstr(line("Daté par son pubDate") + "\"Daté par son pubDate\" has no date: "
                                                         "dated by its <pubDate>"));
    EXPECT_THAT(line_with(report, {"Daté par le canal", "has no date"}),
                HasSubstr("dated by the channel's <pubDate>"));
    EXPECT_THAT(line_with(report, {"Brouillon sans date", "has no date"}),
                HasSubstr(line("Brouillon sans date") + "\"Brouillon sans date\" has no date: "
                                                        "dated at the time of the import"));
}

TEST_F(WxrLenient, ItemsWithoutTitleContentStatusOrTypeAreKeptAndReported) {
    const std::string untitled = bare_item(
        "<title></title>\n<content:encoded><![CDATA[<p>Des mots pour un titre.</p>]]>"
        "</content:encoded>\n<wp:post_id>1</wp:post_id>\n"
        "<wp:post_date_gmt>2020-01-01 10:00:00</wp:post_date_gmt>\n<wp:status>publish</wp:status>"
        "\n<wp:post_type>post</wp:post_type>\n");
    const std::string empty = bare_item(
        "<title>Vide</title>\n<content:encoded></content:encoded>\n<wp:post_id>2</wp:post_id>\n"
        "<wp:post_date_gmt>2020-01-02 10:00:00</wp:post_date_gmt>\n<wp:status>publish</wp:status>"
        "\n<wp:post_type>post</wp:post_type>\n");
    const std::string no_status = bare_item(
        "<title>Sans statut</title>\n<content:encoded>x</content:encoded>\n"
        "<wp:post_id>3</wp:post_id>\n<wp:post_date_gmt>2020-01-03 10:00:00</wp:post_date_gmt>\n"
        "<wp:post_type>post</wp:post_type>\n");
    const std::string no_type = bare_item(
        "<title>Sans type</title>\n<content:encoded>y</content:encoded>\n"
        "<wp:post_id>4</wp:post_id>\n<wp:post_date_gmt>2020-01-04 10:00:00</wp:post_date_gmt>\n"
        "<wp:status>publish</wp:status>\n");
    const auto document = wxr_document("1.2", untitled + empty + no_status + no_type);
    const auto report = import_wxr_ok(write_file("sparse.xml", document));
    EXPECT_EQ(report.imported, 4);
    const auto all = posts();
    ASSERT_EQ(all.size(), 4u);
    const auto* titled = find_titled(all, "Des mots pour un titre.");
    const auto* blank = find_titled(all, "Vide");
    const auto* draft = find_titled(all, "Sans statut");
    const auto* post = find_titled(all, "Sans type");
    ASSERT_TRUE(titled && blank && draft && post);
    EXPECT_EQ(titled->post.status, model::PostStatus::published);
    EXPECT_EQ(blank->post.status, model::PostStatus::published);
    EXPECT_EQ(blank->post.source, "");
    // As WordPress's wp_insert_post does with an empty status.
    EXPECT_EQ(draft->post.status, model::PostStatus::draft);
    EXPECT_EQ(post->post.status, model::PostStatus::published);
    EXPECT_THAT(post->post.html, HasSubstr("y"));
    const auto item_line = [&](std::string_view marker) {
        return "line " + std::to_string(line_of(document, marker) - 1) + ": ";
    };
    EXPECT_THAT(line_with(report, {"untitled post"}),
                HasSubstr(item_line("<title></title>") +
                          "an untitled post is titled \"Des mots pour un titre.\""));
    EXPECT_THAT(line_with(report, {"has no content"}),
                HasSubstr(item_line("<title>Vide") + "\"Vide\" has no content"));
    EXPECT_THAT(line_with(report, {"<wp:status>"}),
                HasSubstr(item_line("<title>Sans statut") +
                          "<item> \"Sans statut\" has no <wp:status>: imported as a draft"));
    EXPECT_THAT(line_with(report, {"<wp:post_type>"}),
                HasSubstr(item_line("<title>Sans type") +
                          "<item> \"Sans type\" has no <wp:post_type>: imported as a post"));
}

TEST_F(WxrLenient, ItemsOfUnknownTypesAreKeptAsDraftsAndExportedBackAsTheyWere) {
    const std::string menu = bare_item(
        "<title>Accueil</title>\n<wp:post_id>40</wp:post_id>\n"
        "<wp:post_date_gmt>2020-02-01 10:00:00</wp:post_date_gmt>\n"
        "<wp:status>publish</wp:status>\n<wp:post_parent>0</wp:post_parent>\n"
        "<wp:menu_order>3</wp:menu_order>\n<wp:post_type>nav_menu_item</wp:post_type>\n"
        "<wp:postmeta><wp:meta_key>_menu_item_type</wp:meta_key>"
        "<wp:meta_value><![CDATA[custom]]></wp:meta_value></wp:postmeta>\n");
    const std::string block = bare_item(
        "<title>Bloc réutilisable</title>\n<content:encoded><![CDATA[<!-- wp:paragraph -->\n"
        "<p>Signé.</p>\n<!-- /wp:paragraph -->]]></content:encoded>\n<wp:post_id>41</wp:post_id>\n"
        "<wp:post_date_gmt>2020-02-02 10:00:00</wp:post_date_gmt>\n<wp:status>publish</wp:status>\n"
        "<wp:post_type>wp_block</wp:post_type>\n");
    const auto document = wxr_document("1.2", menu + block);
    const auto report = import_wxr_ok(write_file("types.xml", document));
    EXPECT_EQ(report.imported, 2);
    const auto all = posts();
    const auto* entry = find_titled(all, "Accueil");
    const auto* reusable = find_titled(all, "Bloc réutilisable");
    ASSERT_TRUE(entry && reusable);
    // Hidden: nothing that WordPress did not show as a post is shown by carnet.
    EXPECT_EQ(entry->post.status, model::PostStatus::draft);
    EXPECT_EQ(reusable->post.status, model::PostStatus::draft);
    EXPECT_EQ(entry->meta.at("wp_post_type"), "nav_menu_item");
    EXPECT_EQ(entry->meta.at("wp_menu_order"), "3");
    EXPECT_THAT(reusable->post.html, HasSubstr("<p>Signé.</p>"));
    EXPECT_THAT(line_with(report, {"imported \"Accueil\""}),
                HasSubstr("line " + std::to_string(line_of(document, "<title>Accueil") - 1) +
                          ": imported \"Accueil\" (publish of type nav_menu_item, kept as a "
                          "draft"));
    // The export gives them back with their type, status, order and meta.
    auto exported = export_wordpress(*store_, blog_id_);
    ASSERT_TRUE(exported);
    EXPECT_THAT(*exported, HasSubstr("<wp:post_type><![CDATA[nav_menu_item]]></wp:post_type>"));
    EXPECT_THAT(*exported, HasSubstr("<wp:post_type><![CDATA[wp_block]]></wp:post_type>"));
    EXPECT_THAT(*exported, HasSubstr("<wp:menu_order>3</wp:menu_order>"));
    EXPECT_THAT(*exported, HasSubstr("<wp:meta_value><![CDATA[custom]]></wp:meta_value>"));
    EXPECT_EQ(count_of(*exported, "<wp:status><![CDATA[publish]]></wp:status>"), 2);
}

TEST_F(WxrLenient, ARepeatedPostIdIsAPostOfItsOwnUnlessItIsTheSamePost) {
    const auto first =
        wxr_item("Premier", "7", "2020-03-01 10:00:00", "<wp:post_name>premier</wp:post_name>\n");
    const auto other = wxr_item("Autre numéroté pareil", "7", "2020-03-02 10:00:00",
                                "<wp:post_name>autre</wp:post_name>\n");
    const auto again =
        wxr_item("Premier", "7", "2020-03-01 10:00:00", "<wp:post_name>premier</wp:post_name>\n");
    const auto document = wxr_document("1.2", first + other + again);
    const auto file = write_file("repeated.xml", document);
    const auto report = import_wxr_ok(file);
    EXPECT_EQ(report.imported, 2);
    const auto all = posts();
    ASSERT_EQ(all.size(), 2u);
    const auto* renumbered = find_titled(all, "Autre numéroté pareil");
    ASSERT_NE(renumbered, nullptr);
    EXPECT_EQ(renumbered->meta.at("wp_repeated_post_id"), "7");
    EXPECT_FALSE(renumbered->meta.contains("wp_post_id"));
    const int first_line = line_of(document, "<title>Premier") - 1;
    const int other_line = line_of(document, "<title>Autre") - 1;
    const int again_line = first_line + 2 * (other_line - first_line);
    EXPECT_THAT(line_with(report, {"Autre numéroté pareil", "<wp:post_id>"}),
                HasSubstr(fmt::format("line {}: <item> \"Autre numéroté pareil\" has "
                                      "<wp:post_id> 7, which the item at line {} already has: "
                                      "imported as a post of its own",
                                      other_line, first_line)));
    EXPECT_THAT(line_with(report, {"repeats"}),
                HasSubstr(fmt::format("line {}: <item> \"Premier\" repeats <wp:post_id> 7 of the "
                                      "item at line {} with the same date and slug: skipped",
                                      again_line, first_line)));
    // Imported again, the file adds nothing: each post is still told from the other.
    const auto twice = import_wxr_ok(file);
    EXPECT_EQ(twice.imported, 0);
    EXPECT_EQ(posts().size(), 2u);
}

TEST_F(WxrLenient, CommentsWithoutDateOrAuthorAreKept) {
    const std::string comments =
        "<wp:comment>\n<wp:comment_id>1</wp:comment_id>\n"
        "<wp:comment_content>Sans auteur.</wp:comment_content>\n"
        "<wp:comment_date_gmt>2020-04-02 08:00:00</wp:comment_date_gmt>\n"
        "<wp:comment_approved>1</wp:comment_approved>\n</wp:comment>\n"
        "<wp:comment>\n<wp:comment_id>2</wp:comment_id>\n"
        "<wp:comment_author>Nour</wp:comment_author>\n"
        "<wp:comment_content>Sans date.</wp:comment_content>\n"
        "<wp:comment_approved>1</wp:comment_approved>\n</wp:comment>\n";
    const auto document =
        wxr_document("1.2", wxr_item("Commenté", "9", "2020-04-01 10:00:00", comments));
    const auto report = import_wxr_ok(write_file("comments.xml", document));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    ASSERT_EQ(all[0].comments.size(), 2u);
    // Oldest first: the undated one, given its post's date, comes before the other.
    const auto& undated = all[0].comments[0].comment;
    const auto& anonymous = all[0].comments[1].comment;
    EXPECT_EQ(anonymous.author_name, "");
    EXPECT_EQ(anonymous.source, "Sans auteur.");
    EXPECT_EQ(undated.author_name, "Nour");
    EXPECT_EQ(undated.source, "Sans date.");
    EXPECT_EQ(undated.created_at, all[0].post.published_at);
    EXPECT_THAT(line_with(report, {"has no author"}),
                HasSubstr("line " + std::to_string(line_of(document, "<wp:comment>")) +
                          ": <wp:comment> 1 has no author: kept without a name"));
    EXPECT_THAT(line_with(report, {"without date"}),
                HasSubstr("line " + std::to_string(line_of(document, "<wp:comment_id>2") - 1) +
                          ": a comment without date: given its post's date"));
}

TEST_F(WxrLenient, CategoriesDefinedAfterTheirItemsAndHierarchiesAreFlattened) {
    const auto item = wxr_item("Classé", "11", "2020-05-01 10:00:00",
                               "<category domain=\"category\" nicename=\"alep\"><![CDATA[Alep]]>"
                               "</category>\n<category domain=\"category\" nicename=\"syrie\">"
                               "<![CDATA[Syrie]]></category>\n");
    // After the item, as some tools write them: the parent, the child, and a category no post
    // uses yet.
    const std::string terms =
        "<wp:category>\n<wp:term_id>1</wp:term_id>\n<wp:category_nicename>syrie"
        "</wp:category_nicename>\n<wp:category_parent></wp:category_parent>\n"
        "<wp:cat_name><![CDATA[Syrie]]></wp:cat_name>\n</wp:category>\n"
        "<wp:category>\n<wp:term_id>2</wp:term_id>\n<wp:category_nicename>alep"
        "</wp:category_nicename>\n<wp:category_parent>syrie</wp:category_parent>\n"
        "<wp:cat_name><![CDATA[Alep]]></wp:cat_name>\n</wp:category>\n"
        "<wp:category>\n<wp:term_id>3</wp:term_id>\n<wp:category_nicename>idlib"
        "</wp:category_nicename>\n<wp:category_parent>syrie</wp:category_parent>\n"
        "<wp:cat_name><![CDATA[Idlib]]></wp:cat_name>\n</wp:category>\n";
    const auto document = wxr_document("1.2", item + terms);
    const auto report = import_wxr_ok(write_file("late-terms.xml", document));
    EXPECT_EQ(report.imported, 1);
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    std::vector<std::string> names;
    for (const auto& category : all[0].post.categories) names.push_back(category.name);
    EXPECT_THAT(names, ElementsAre("Alep", "Syrie"));
    auto categories = store_->categories().all_categories(blog_id_);
    ASSERT_TRUE(categories);
    std::vector<std::string> slugs;
    for (const auto& category : *categories) slugs.push_back(category.slug);
    std::ranges::sort(slugs);
    EXPECT_THAT(slugs, ElementsAre("alep", "idlib", "syrie"));
    const auto alep_line = line_of(document, "<wp:term_id>2") - 1;
    EXPECT_THAT(line_with(report, {"\"Alep\" is under"}),
                HasSubstr(fmt::format("line {}: <wp:category> \"Alep\" is under \"syrie\" in "
                                      "WordPress; carnet's categories are flat: kept as a "
                                      "category of its own",
                                      alep_line)));
    EXPECT_THAT(line_with(report, {"\"Idlib\" is under"}), HasSubstr("<wp:category>"));
}

TEST_F(WxrLenient, ACategoryDescriptionIsReportedAsDropped) {
    const std::string terms =
        "<wp:category>\n<wp:term_id>1</wp:term_id>\n<wp:category_nicename>syrie"
        "</wp:category_nicename>\n<wp:category_parent></wp:category_parent>\n"
        "<wp:cat_name><![CDATA[Syrie]]></wp:cat_name>\n"
        "<wp:category_description><![CDATA[Le pays.]]></wp:category_description>\n"
        "</wp:category>\n";
    const auto document = wxr_document("1.2", terms);
    const auto report = import_wxr_ok(write_file("described.xml", document));
    auto categories = store_->categories().all_categories(blog_id_);
    ASSERT_TRUE(categories);
    ASSERT_EQ(categories->size(), 1u);
    EXPECT_EQ((*categories)[0].name, "Syrie");
    EXPECT_THAT(line_with(report, {"has a description"}),
                HasSubstr(fmt::format("line {}: <wp:category> \"Syrie\" has a description; "
                                      "carnet's categories have none: dropped",
                                      line_of(document, "<wp:term_id>1") - 1)));
}

TEST_F(WxrLenient, TermsOfEveryTaxonomyAreKeptWhereCarnetHasAPlaceAndReported) {
    const std::string terms =
        "<wp:term><wp:term_id>1</wp:term_id><wp:term_taxonomy>category</wp:term_taxonomy>"
        "<wp:term_slug>liban</wp:term_slug><wp:term_name><![CDATA[Liban]]></wp:term_name>"
        "</wp:term>\n"
        "<wp:term><wp:term_id>2</wp:term_id><wp:term_taxonomy>post_tag</wp:term_taxonomy>"
        "<wp:term_slug>beyrouth</wp:term_slug><wp:term_name><![CDATA[Beyrouth]]></wp:term_name>"
        "</wp:term>\n"
        "<wp:term><wp:term_id>3</wp:term_id><wp:term_taxonomy>series</wp:term_taxonomy>"
        "<wp:term_slug>ete-2020</wp:term_slug><wp:term_name><![CDATA[Été 2020]]></wp:term_name>"
        "</wp:term>\n"
        "<wp:term><wp:term_id>4</wp:term_id><wp:term_taxonomy>series</wp:term_taxonomy>"
        "<wp:term_slug>hiver</wp:term_slug><wp:term_name><![CDATA[Hiver]]></wp:term_name>"
        "</wp:term>\n"
        "<wp:term><wp:term_id>5</wp:term_id><wp:term_taxonomy>nav_menu</wp:term_taxonomy>"
        "<wp:term_slug>principal</wp:term_slug><wp:term_name><![CDATA[Principal]]></wp:term_name>"
        "</wp:term>\n";
    const auto item = wxr_item(
        "Dans une série", "12", "2020-06-01 10:00:00",
        "<category domain=\"category\" nicename=\"liban\"><![CDATA[Liban]]></category>\n"
        "<category domain=\"post_tag\" nicename=\"beyrouth\"><![CDATA[Beyrouth]]></category>\n"
        "<category domain=\"series\" nicename=\"ete-2020\"><![CDATA[Été 2020]]></category>\n"
        "<category domain=\"post_format\" nicename=\"post-format-aside\"><![CDATA[Aparté]]>"
        "</category>\n");
    const auto document = wxr_document("1.2", terms + item);
    const auto report = import_wxr_ok(write_file("taxonomies.xml", document));
    const auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    ASSERT_EQ(all[0].post.categories.size(), 1u);
    EXPECT_EQ(all[0].post.categories[0].name, "Liban");
    EXPECT_THAT(all[0].tags, ElementsAre("Beyrouth"));
    EXPECT_EQ(all[0].meta.at("wp_terms"),
              R"([["series","ete-2020\nÉté 2020"],["post_format","post-format-aside\nAparté"]])");
    EXPECT_THAT(line_with(report, {"<wp:term> of taxonomy series"}),
                HasSubstr(fmt::format("line {}: <wp:term> of taxonomy series: not imported, "
                                      "carnet has no such taxonomy (2 in the file)",
                                      line_of(document, "<wp:term_id>3"))));
    EXPECT_THAT(line_with(report, {"<wp:term> of taxonomy nav_menu"}),
                HasSubstr(fmt::format("line {}:", line_of(document, "<wp:term_id>5"))));
    const auto item_line = line_of(document, "<title>Dans une série") - 1;
    EXPECT_THAT(line_with(report, {"<category domain=\"series\">"}),
                HasSubstr(fmt::format("line {}: <category domain=\"series\">: terms of taxonomy "
                                      "series are kept in the posts' metadata for the export",
                                      item_line)));
    // The export files the post under them again.
    auto exported = export_wordpress(*store_, blog_id_);
    ASSERT_TRUE(exported);
    EXPECT_THAT(*exported,
                HasSubstr("<category domain=\"series\" nicename=\"ete-2020\"><![CDATA[Été 2020]]>"
                          "</category>"));
}

TEST_F(WxrLenient, SerializedPhpInPostMetaComesBackByteForByte) {
    // PHP counts bytes: one changed byte and WordPress cannot read the value back.
    const std::string serialized =
        "a:3:{s:5:\"titre\";s:6:\"Café!\";s:4:\"code\";s:9:\"a]]>b<c>&\";s:4:\"crlf\";"
        "s:4:\"x\r\ny\";}";
    // How a WXR carries it: CDATA split around "]]>", the carriage return as a reference.
    const std::string written =
        "<![CDATA[a:3:{s:5:\"titre\";s:6:\"Café!\";s:4:\"code\";s:9:\"a]]]]><![CDATA[>b<c>&\";"
        "s:4:\"crlf\";s:4:\"x]]>&#13;<![CDATA[\ny\";}]]>";
    const auto document = wxr_document(
        "1.2", wxr_item("Méta", "13", "2020-07-01 10:00:00",
                        "<wp:postmeta><wp:meta_key>_reglages</wp:meta_key><wp:meta_value>" +
                            written + "</wp:meta_value></wp:postmeta>\n"));
    import_wxr_ok(write_file("php.xml", document));
    auto all = posts();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(
        all[0].meta.at("wp_postmeta"),
        boost::json::serialize(boost::json::array{boost::json::array{"_reglages", serialized}}));
    auto exported = export_wordpress(*store_, blog_id_);
    ASSERT_TRUE(exported);
    EXPECT_THAT(*exported, HasSubstr("<wp:meta_value>" + written + "</wp:meta_value>"));
    // And read back into another blog, the same bytes again.
    const auto other = add_blog("other.example");
    import_wxr_ok(write_file("again.xml", *exported), other);
    all = posts(other);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_THAT(all[0].meta.at("wp_postmeta"),
                HasSubstr(boost::json::serialize(boost::json::array{"_reglages", serialized})));
}

TEST_F(WxrLenient, VeryLongLinesAndBodiesOfSeveralMegabytesAreRead) {
    // Past libxml2's default cap of 10,000,000 bytes for one text node, all on one line: an
    // image pasted into the editor, as a data: URI, is how real posts get there.
    std::string body = "<p>Avant l'image.</p><p><img alt=\"\" src=\"data:image/png;base64,";
    body.append(10'500'000, 'Q');
    body += "\"></p><p>Après l'image, répété. FIN</p>";
    auto document = wxr_document(
        "1.2", wxr_item("Long", "14", "2020-08-01 10:00:00") +
                   "<item><title>Énorme</title><content:encoded><![CDATA[" + body +
                   "]]></content:encoded><wp:post_id>15</wp:post_id><wp:post_date_gmt>2020-08-02 "
                   "10:00:00</wp:post_date_gmt><wp:status>publish</wp:status><wp:post_type>post"
                   "</wp:post_type></item>" +
                   wxr_item("Après", "16", "2020-08-03 10:00:00"));
    std::ranges::replace(document, '\n', ' ');
    const auto report = import_wxr_ok(write_file("long.xml", document));
    EXPECT_EQ(report.imported, 3);
    const auto all = posts();
    const auto* huge = find_titled(all, "Énorme");
    ASSERT_NE(huge, nullptr);
    EXPECT_GE(huge->post.source.size(), body.size());
    EXPECT_THAT(huge->post.source, HasSubstr("répété. FIN</p>"));
    EXPECT_THAT(huge->post.html, HasSubstr("répété. FIN</p>"));
    EXPECT_NE(find_titled(all, "Après"), nullptr);
}

}  // namespace
}  // namespace carnet::interop
