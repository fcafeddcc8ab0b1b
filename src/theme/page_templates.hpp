// A theme's Mustache templates, read and compiled once (template_engine.hpp). Private to the theme
// module.
//
// A theme folder holds layout.mustache (the whole document), one template per kind of page
// (listing.mustache, post.mustache, not_found.mustache, search.mustache) and partials under
// partials/. The layout includes the page with {{> content}}; any template includes
// partials/<name>.mustache with {{> name}}. Partials are inlined when the theme loads, so each kind
// of page is one parsed template and rendering never reads or parses anything. Partial tags are
// recognised with the default {{ }} delimiters.
#pragma once

#include <array>
#include <atomic>
#include <filesystem>
#include <kainjow/mustache.hpp>
#include <memory>
#include <optional>
#include <string>

#include "model/model.hpp"
#include "text/text.hpp"
#include "theme/template_engine.hpp"

namespace carnet::theme {

// What every template's {{ }} writes: text::html_escape. kainjow's own escaping writes
// &apos;, which HTML 4 and some feed and mail readers do not know; &#39; means the same
// everywhere.
inline std::string escape_for_template(const std::string& value) {
    return text::html_escape(value);
}

// The whole content of a theme file. Fails with not_found naming a missing file.
[[nodiscard]] model::Result<std::string> read_theme_file(const std::filesystem::path& path);

enum class PageKind { listing, post, not_found, search, page };

class PageTemplates {
public:
    // Fails with not_found naming a missing file, or invalid_input naming the file (and the
    // line) that does not parse.
    [[nodiscard]] static model::Result<PageTemplates> load(const std::filesystem::path& theme_dir);

    // Renders the page of `kind` from `view`. Safe to call from several threads at once.
    std::string render(PageKind kind, const ViewValue& view) const;

    // The page's template with the layout and partials inlined, as it was compiled.
    const std::string& source(PageKind kind) const {
        return sources_[static_cast<std::size_t>(kind)];
    }

private:
    std::array<CompiledTemplate, 5> pages_;  // one per PageKind
    std::array<std::string, 5> sources_;
    // The size of the last page of each kind, reserved for the next: a listing grows with the
    // blog's sidebar (160 KB at 100,000 posts), and growing the string page by page copied it
    // whole three times.
    std::shared_ptr<std::array<std::atomic<std::size_t>, 5>> last_sizes_ =
        std::make_shared<std::array<std::atomic<std::size_t>, 5>>();
};

}  // namespace carnet::theme
