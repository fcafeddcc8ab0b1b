#include "theme/template_engine.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <boost/json.hpp>
#include <deque>
#include <kainjow/mustache.hpp>
#include <optional>

#include "theme/page_templates.hpp"
#include "theme/theme.hpp"

namespace carnet::theme {
namespace {

using ::testing::HasSubstr;
namespace json = boost::json;
namespace mustache = kainjow::mustache;

// Keys are borrowed by ViewObject; the test keeps them alive here.
std::deque<std::string>& kept_keys() {
    static std::deque<std::string> keys;
    return keys;
}

ViewValue view_from(const json::value& value) {
    if (value.is_bool()) return ViewValue(value.as_bool());
    if (value.is_string()) return ViewValue(std::string(value.as_string()));
    if (value.is_array()) {
        ViewList list;
        for (const auto& item : value.as_array()) list.push_back(view_from(item));
        return ViewValue(std::move(list));
    }
    ViewObject object;
    for (const auto& [key, member] : value.as_object()) {
        object.set_key(kept_keys().emplace_back(key), view_from(member));
    }
    return ViewValue(std::move(object));
}

mustache::data kainjow_from(const json::value& value) {
    if (value.is_bool()) return mustache::data(value.as_bool());
    if (value.is_string()) return mustache::data(std::string(value.as_string()));
    if (value.is_array()) {
        mustache::list list;
        for (const auto& item : value.as_array()) list.push_back(kainjow_from(item));
        return mustache::data(list);
    }
    mustache::data object;
    for (const auto& [key, member] : value.as_object()) {
        object.set(std::string(key), kainjow_from(member));
    }
    return object;
}

std::string ours(std::string_view source, const json::value& view) {
    auto compiled = CompiledTemplate::compile(source);
    EXPECT_TRUE(compiled) << (compiled ? "" : compiled.error().message);
    return compiled ? compiled->render(view_from(view)) : std::string();
}

std::string theirs(const std::string& source, const json::value& view) {
    mustache::mustache parsed(source);
    EXPECT_TRUE(parsed.is_valid()) << parsed.error_message();
    parsed.set_custom_escape(escape_for_template);
    std::string out;
    parsed.render(kainjow_from(view), [&out](const std::string& part) { out += part; });
    return out;
}

// Themes written for the Mustache library we used before must render byte for byte as they did:
// each template is rendered by both, from the same view.
TEST(CompiledTemplate, WritesWhatTheMustacheLibraryWroteForTheSameTemplateAndView) {
    const auto view = json::parse(R"json({
        "title": "Alep & <Idlib>", "quote": "l'été \"chaud\"", "empty": "",
        "yes": true, "no": false, "none": [],
        "posts": [{"title": "Un", "tags": [{"name": "a"}, {"name": "b"}]},
                  {"title": "Deux", "tags": []}],
        "blog": {"name": "Carnet", "owner": {"name": "Ana"}},
        "names": ["x", "y"]
    })json");
    const std::vector<std::string> templates = {
        "<h1>{{title}}</h1>\n<p>{{{title}}} {{& quote}} {{quote}}</p>\n",
        "{{#yes}}\nshown\n{{/yes}}\n{{#no}}\nhidden\n{{/no}}\nafter\n",
        "{{^no}}\ninverted shown\n{{/no}}\n{{^yes}}\ninverted hidden\n{{/yes}}\nend",
        "<ul>\n{{#posts}}\n  <li>{{title}}{{#tags}} [{{name}}]{{/tags}}</li>\n{{/posts}}\n</ul>\n",
        "{{#posts}}{{#tags}}{{title}}/{{name}} {{/tags}}{{/posts}}\n",
        "{{blog.name}} {{blog.owner.name}} {{#blog}}{{name}} {{owner.name}}{{/blog}} {{nope.x}}\n",
        "{{#names}}<{{.}}>{{/names}}\n{{#none}}\nnever\n{{/none}}\n{{^none}}\nnothing\n{{/none}}\n",
        "a {{! a comment }} b\n{{! alone }}\n  {{#yes}}  \nindented\n  {{/yes}}  \nz",
        "{{#empty}}empty strings are true{{/empty}}|{{empty}}|{{missing}}|{{yes}}|{{posts}}\n",
        "line\r\n{{#yes}}\r\ncrlf\r\n{{/yes}}\r\nlast",
        "{{=<% %>=}}<% title %> {{title}} <%={{ }}=%>{{title}}\n",
        "{{#posts}}\n{{#no}}x{{/no}}\n{{title}}\n{{/posts}}\n",
        "{{#yes}}{{#blog}}{{title}}-{{name}}{{/blog}}{{/yes}}",
    };
    for (const auto& source : templates) {
        EXPECT_EQ(ours(source, view), theirs(source, view)) << source;
    }
}

TEST(CompiledTemplate, RendersTheShippedThemeAsTheMustacheLibraryDid) {
    auto expanded = PageTemplates::load(CARNET_THEMES_DIR "/classique");
    ASSERT_TRUE(expanded) << expanded.error().message;
    // Every template of the theme, through both engines, with a view that opens most sections.
    const auto view = json::parse(R"json({
        "lang": "fr", "page_title": "Titre <b>", "blog_title": "Carnet", "has_subtitle": true,
        "blog_subtitle": "Notes", "title_is_h1": false, "has_canonical": true,
        "canonical_url": "https://ex.org/?a=1&b=2", "has_description": false, "has_feeds": true,
        "feeds": [{"title": "Atom", "type": "application/atom+xml", "url": "/atom.xml"}],
        "og_title": "T", "og_type": "article", "og_locale": "fr_FR", "has_json_ld": false,
        "t": {"skip_to_content": "Aller au contenu", "comment_reply": "Répondre"},
        "sidebar": {"has_categories": true, "categories": [{"name": "Syrie", "path": "/list/syrie/", "count": "3"}],
                    "has_months": false, "months": [], "has_pages": false, "pages": [],
                    "has_recent": true, "recent": [{"title": "Un", "path": "/un.html"}]},
        "days": [{"label": "lundi", "date": "2026-01-05", "posts": [
            {"id": "1", "title": "Un", "path": "/un.html", "html": "<p>Corps</p>",
             "datetime": "2026-01-05T10:00:00Z", "time": "10:00", "has_categories": true,
             "categories": [{"name": "Syrie", "path": "/list/syrie/", "first": true}],
             "comments_path": "/un.html#comments", "comments_label": "Commentaires (2)"}]}],
        "comments_heading": "Commentaires (2)", "comments_open": true,
        "comment_items": [{"closes": [], "id": "7", "author": "Léa", "author_url": "https://léa.fr",
                           "html": "<p>Bien</p>", "when": "lundi", "open": true},
                          {"closes": [true], "id": "8", "author": "Max", "html": "<p>Non</p>",
                           "open": true}],
        "comment_final_closes": [true, true], "comment_stamp": "s", "comment_name": "",
        "searched": true, "results_label": "1", "hits": [], "heading": "Syrie", "has_heading": true,
        "page_html": "<p>Page</p>"
    })json");
    for (const auto kind : {PageKind::listing, PageKind::post, PageKind::not_found,
                            PageKind::search, PageKind::page}) {
        const auto& source = expanded->source(kind);
        EXPECT_EQ(ours(source, view), theirs(source, view)) << static_cast<int>(kind);
    }
}

TEST(CompiledTemplate, NamesTheLineOfEachFault) {
    const auto fault = [](std::string_view source) {
        auto compiled = CompiledTemplate::compile(source);
        return compiled ? std::string("compiled") : compiled.error().message;
    };
    EXPECT_THAT(fault("a\nb\n{{#open}}\nc\n"), HasSubstr("\"open\" is not closed (line 3)"));
    EXPECT_THAT(fault("a\n{{/never}}"), HasSubstr("\"never\" closed but never opened (line 2)"));
    EXPECT_THAT(fault("{{#a}}\n\n{{/b}}"), HasSubstr("\"a\" closed by {{/b}} (line 3)"));
    EXPECT_THAT(fault("x\ny {{title"), HasSubstr("tag not closed (line 2)"));
    EXPECT_THAT(fault("{{=<%%>=}}"), HasSubstr("bad delimiter tag (line 1)"));
}

TEST(CompiledTemplate, FiltersSharedAndBorrowedValues) {
    auto compiled =
        CompiledTemplate::compile("{{#upper}}<{{body}}>{{/upper}} {{shared.name}} {{body}}");
    ASSERT_TRUE(compiled);
    const std::string body = "Alep & Homs";
    auto shared = std::make_shared<const ViewValue>(ViewObject().set("name", "partagé"));
    ViewObject view;
    view.set("body", ViewValue::borrowed(body));
    view.set("shared", ViewValue(shared));
    static const std::string k_brackets = "[]";
    view.set("upper", ViewValue(ViewFilter{[](const void* brackets, std::string rendered) {
                                               for (auto& c : rendered) {
                                                   c = static_cast<char>(std::toupper(c));
                                               }
                                               const auto& pair =
                                                   *static_cast<const std::string*>(brackets);
                                               return pair.front() + rendered + pair.back();
                                           },
                                           &k_brackets}));
    EXPECT_EQ(compiled->render(ViewValue(std::move(view))),
              "[<ALEP &AMP; HOMS>] partagé Alep &amp; Homs");
}

}  // namespace
}  // namespace carnet::theme

namespace carnet::theme {
namespace {

// A shared part renders as if it were not shared, from the first render to the hundredth, and
// a section over it that reads the page around it is never replayed with another page's text.
TEST(CompiledTemplate, SharedPartsRenderTheSameAsUnsharedOnes) {
    auto compiled = CompiledTemplate::compile(
        "<p>{{title}}</p>\n{{#side}}\n<ul>\n{{#items}}\n<li>{{.}}</li>\n{{/items}}\n</ul>\n"
        "{{/side}}\n{{#outer}}\n<p>{{name}} {{title}}</p>\n{{/outer}}\nend");
    ASSERT_TRUE(compiled);
    const auto page = [](std::string title, ViewValue side, ViewValue outer) {
        ViewObject view;
        view.set("title", std::move(title));
        view.set("side", std::move(side));
        view.set("outer", std::move(outer));
        return ViewValue(std::move(view));
    };
    const auto side_object = [] {
        return ViewObject().set("items", ViewList{ViewValue("Alep"), ViewValue("Homs")});
    };
    const auto outer_object = [] { return ViewObject().set("name", "Idlib"); };
    auto side = std::make_shared<const SharedView>(ViewValue(side_object()));
    auto outer = std::make_shared<const SharedView>(ViewValue(outer_object()));
    for (const std::string title : {"Un", "Deux", "Trois"}) {
        const auto unshared = compiled->render(page(title, side_object(), outer_object()));
        EXPECT_EQ(compiled->render(page(title, ViewValue(side), ViewValue(outer))), unshared);
        EXPECT_THAT(unshared, HasSubstr("<p>Idlib " + title + "</p>"));
    }
}

// The items of a list inside a shared part (the months of the sidebar) may be shared parts of
// their own, taken by the next sidebar: they render as unshared items do, whether they read
// only themselves, the part around them or the page, on their own line or not; and the part
// around them is still traced as one write.
TEST(CompiledTemplate, SharedItemsInsideASharedPartRenderTheSameAsUnsharedOnes) {
    const auto item = [](std::string name, std::string count) {
        return ViewObject().set("name", std::move(name)).set("count", std::move(count));
    };
    const std::vector<std::pair<std::string, std::string>> months{
        {"octobre 2017", "3"}, {"septembre 2017", "25"}, {"juillet 2017", "4"}};
    std::vector<std::shared_ptr<const SharedView>> shared_items;
    for (const auto& [name, count] : months) {
        shared_items.push_back(std::make_shared<const SharedView>(ViewValue(item(name, count))));
    }
    const auto side = [&](bool shared) {
        ViewList items;
        for (std::size_t i = 0; i < months.size(); ++i) {
            items.push_back(shared ? ViewValue(shared_items[i])
                                   : ViewValue(item(months[i].first, months[i].second)));
        }
        return ViewObject().set("unit", "billets").set("months", std::move(items));
    };
    const auto page = [&](std::string title, bool shared) {
        ViewObject view;
        view.set("title", std::move(title));
        view.set("side", shared
                             ? ViewValue(std::make_shared<const SharedView>(ViewValue(side(true))))
                             : ViewValue(side(false)));
        return ViewValue(std::move(view));
    };
    for (const auto* source : {
             "<h1>{{title}}</h1>\n{{#side}}\n<ul>\n{{#months}}\n<li>{{name}} ({{count}})</li>\n"
             "{{/months}}\n</ul>\n{{/side}}\nfin\n",
             "<h1>{{title}}</h1>\n{{#side}}\n<ul>\n{{#months}}\n<li>{{name}} {{count}} "
             "{{unit}}</li>\n"
             "{{/months}}\n</ul>\n{{/side}}\nfin\n",
             "<h1>{{title}}</h1>\n{{#side}}\n<p>{{#months}}{{name}}, {{/months}}</p>\n{{/side}}\n",
         }) {
        SCOPED_TRACE(source);
        auto compiled = CompiledTemplate::compile(source);
        ASSERT_TRUE(compiled);
        for (const std::string title : {"Un", "Deux titres", "Trois"}) {
            SidebarTrace trace;
            const auto expected = compiled->render(page(title, false));
            trace.clear();
            const auto shared = compiled->render(page(title, true));
            EXPECT_EQ(shared, expected);
            EXPECT_FALSE(trace.elsewhere);
            EXPECT_EQ(trace.writes.size(), 1u);
        }
    }
    // An item that reads the page around the part: never replayed with another page's text.
    auto reads_the_page = CompiledTemplate::compile(
        "{{#side}}\n{{#months}}\n<li>{{name}} — {{title}}</li>\n{{/months}}\n{{/side}}\n");
    ASSERT_TRUE(reads_the_page);
    for (const std::string title : {"Un", "Deux"}) {
        EXPECT_EQ(reads_the_page->render(page(title, true)),
                  reads_the_page->render(page(title, false)));
        EXPECT_THAT(reads_the_page->render(page(title, true)),
                    HasSubstr("<li>juillet 2017 — " + title + "</li>"));
    }
}

TEST(SidebarTrace, SaysWhereASharedSectionWasWrittenOrThatItCannot) {
    const auto side = std::make_shared<const SharedView>(
        ViewValue(ViewObject().set("items", ViewList{ViewValue("Alep"), ViewValue("Homs")})));
    const auto page = [&](std::string title) {
        ViewObject view;
        view.set("title", std::move(title));
        view.set("side", ViewValue(side));
        return ViewValue(std::move(view));
    };
    const auto traced = [&](std::string_view source, std::string title) {
        auto compiled = CompiledTemplate::compile(source);
        EXPECT_TRUE(compiled);
        SidebarTrace trace;
        // Twice: the first render keeps the section's bytes, the second writes them again.
        (void)compiled->render(page(title));
        trace.clear();
        auto out = compiled->render(page(title));
        return std::pair(std::move(out), trace.writes.size() == 1 && !trace.elsewhere
                                             ? std::optional(trace.writes.front())
                                             : std::nullopt);
    };

    const auto [out, write] = traced(
        "<h1>{{title}}</h1>\n{{#side}}\n<ul>\n{{#items}}\n<li>{{.}}</li>\n{{/items}}\n"
        "</ul>\n{{/side}}\n<p>fin</p>\n",
        "Un titre");
    ASSERT_TRUE(write);
    EXPECT_EQ(out.substr(write->offset, write->length),
              "<ul>\n<li>Alep</li>\n<li>Homs</li>\n</ul>\n");
    EXPECT_TRUE(write->ends_line);
    // The same section after a longer title: the offset follows.
    const auto [longer, moved] = traced(
        "<h1>{{title}}</h1>\n{{#side}}\n<ul>\n{{#items}}\n<li>{{.}}</li>\n{{/items}}\n"
        "</ul>\n{{/side}}\n<p>fin</p>\n",
        "Un titre bien plus long");
    ASSERT_TRUE(moved);
    EXPECT_EQ(moved->offset, write->offset + 15);

    // Read otherwise than through one section that begins a line: no span to replace.
    for (const auto* elsewhere :
         {"<p>{{side.items.0}}</p>\n{{#side}}\n{{#items}}{{.}}{{/items}}\n{{/side}}\n",
          "<p>{{title}} {{#side}}{{#items}}{{.}}{{/items}}{{/side}}</p>\n",
          "{{^side}}\nnone\n{{/side}}\n{{#side}}\n{{#items}}{{.}}{{/items}}\n{{/side}}\n",
          "{{#side}}\n{{title}}\n{{/side}}\n"}) {
        SCOPED_TRACE(elsewhere);
        auto compiled = CompiledTemplate::compile(elsewhere);
        ASSERT_TRUE(compiled);
        SidebarTrace trace;
        (void)compiled->render(page("Un"));
        (void)compiled->render(page("Un"));
        EXPECT_TRUE(trace.elsewhere);
    }
    // No trace: nothing is noted anywhere.
    EXPECT_EQ(SidebarTrace::current(), nullptr);
}

}  // namespace
}  // namespace carnet::theme
