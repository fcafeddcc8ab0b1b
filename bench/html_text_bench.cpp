// HTML to plain text, as search indexing and excerpts do it: text::html_to_text (hand-written,
// the one carnet uses) against libxml2's HTML parser walking the tree it builds (what
// markup::plain_text did before), on the posts of the benchmarks' generated blog and on a
// post of raw HTML with entities, comments and a script. Also says on how many of the
// generated posts the two disagree. Prints figures; passes or fails nothing.
//
//   build/release/bench/html_text_bench [--benchmark_min_time=0.5]
#include <benchmark/benchmark.h>
#include <libxml/HTMLparser.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "corpus.hpp"
#include "text/text.hpp"

namespace {

using namespace carnet;

struct XmlDocDeleter {
    void operator()(xmlDoc* doc) const { xmlFreeDoc(doc); }
};
using XmlDoc = std::unique_ptr<xmlDoc, XmlDocDeleter>;

bool is_space(unsigned char c) {
    return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f';
}

void collect_text(const xmlNode* node, std::string& out) {
    for (; node != nullptr; node = node->next) {
        if (node->type == XML_TEXT_NODE && node->content != nullptr) {
            out += reinterpret_cast<const char*>(node->content);
        } else if (node->type == XML_ELEMENT_NODE) {
            const std::string_view name = reinterpret_cast<const char*>(node->name);
            if (name == "script" || name == "style" || name == "template") continue;
            out += ' ';
            collect_text(node->children, out);
            out += ' ';
        }
    }
}

std::string fold_white_space(std::string_view text) {
    std::string folded;
    folded.reserve(text.size());
    bool pending_space = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool nbsp =
            c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0;
        if (is_space(c) || nbsp) {
            if (nbsp) ++i;
            pending_space = !folded.empty();
            continue;
        }
        if (pending_space) folded += ' ';
        pending_space = false;
        folded += static_cast<char>(c);
    }
    return folded;
}

// The reference: libxml2 parses the fragment into a tree, whose text nodes are collected.
std::string libxml2_text(std::string_view html) {
    if (html.empty()) return {};
    const std::string document = "<html><body>" + std::string(html) + "</body></html>";
    XmlDoc doc(htmlReadMemory(
        document.data(), static_cast<int>(document.size()), nullptr, "UTF-8",
        HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET | HTML_PARSE_NOIMPLIED));
    if (!doc) return fold_white_space(html);
    std::string text;
    collect_text(xmlDocGetRootElement(doc.get()), text);
    return fold_white_space(text);
}

const std::vector<std::string>& corpus() {
    static const std::vector<std::string> posts = [] {
        std::mt19937 random(20171004);
        std::vector<std::string> html;
        for (int i = 0; i < 200; ++i) html.push_back(bench::generated_post(1, i, random).html);
        return html;
    }();
    return posts;
}

const std::string& raw_html_post() {
    static const std::string post = [] {
        std::string html;
        for (int i = 0; i < 40; ++i) {
            html +=
                "<h3>Les milices de Misrata</h3>\n<p>L&rsquo;&Eacute;tat islamique a "
                "attaqu&eacute; le tribunal&nbsp;: <a href=\"/archive/2017/10/04/x.html\" "
                "title=\"l'attaque\">4 morts</a>, <em>21 bless&eacute;s</em> &amp; des "
                "d&eacute;g&acirc;ts &laquo;&nbsp;consid&eacute;rables&nbsp;&raquo;.</p>\n"
                "<!-- note de la r&eacute;daction -->"
                "<p><img src=\"/media/a.jpg\" alt=\"Le tribunal\"><br>Photo &#169; AFP</p>\n";
        }
        html += "<script>var x = '<p>';</script><p>Fin.</p>";
        return html;
    }();
    return post;
}

template <typename Convert>
void run_corpus(benchmark::State& state, Convert convert) {
    std::size_t bytes = 0;
    for (auto _ : state) {
        for (const auto& html : corpus()) {
            auto text = convert(html);
            benchmark::DoNotOptimize(text);
            bytes += html.size();
        }
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
    state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(corpus().size()));
}

template <typename Convert>
void run_raw(benchmark::State& state, Convert convert) {
    for (auto _ : state) {
        auto text = convert(raw_html_post());
        benchmark::DoNotOptimize(text);
    }
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(raw_html_post().size()));
}

void GeneratedPosts_TextHtmlToText(benchmark::State& state) {
    run_corpus(state, [](const std::string& html) { return text::html_to_text(html); });
}
void GeneratedPosts_Libxml2(benchmark::State& state) {
    run_corpus(state, [](const std::string& html) { return libxml2_text(html); });
}
void RawHtmlPost_TextHtmlToText(benchmark::State& state) {
    run_raw(state, [](const std::string& html) { return text::html_to_text(html); });
}
void RawHtmlPost_Libxml2(benchmark::State& state) {
    run_raw(state, [](const std::string& html) { return libxml2_text(html); });
}

BENCHMARK(GeneratedPosts_TextHtmlToText)->Unit(benchmark::kMillisecond);
BENCHMARK(GeneratedPosts_Libxml2)->Unit(benchmark::kMillisecond);
BENCHMARK(RawHtmlPost_TextHtmlToText)->Unit(benchmark::kMicrosecond);
BENCHMARK(RawHtmlPost_Libxml2)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
    int differ = 0;
    for (const auto& html : corpus()) differ += text::html_to_text(html) != libxml2_text(html);
    differ += text::html_to_text(raw_html_post()) != libxml2_text(raw_html_post());
    std::printf("text::html_to_text and libxml2 give different text for %d of %zu posts\n", differ,
                corpus().size() + 1);
    benchmark::Initialize(&argc, argv);
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
