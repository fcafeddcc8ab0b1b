#include "theme/page_templates.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <sstream>

#include "text/text.hpp"

namespace carnet::theme {
namespace {

using model::Error;

// Deeper than any sane theme needs; a partial that includes itself stops here.
constexpr int k_max_partial_depth = 8;

model::Status check_parses(const std::filesystem::path& path, const std::string& text) {
    if (auto compiled = CompiledTemplate::compile(text); !compiled) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("theme file {} does not parse: {}", path.string(),
                                       compiled.error().message));
    }
    return {};
}

bool is_partial_name(std::string_view name) {
    return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    });
}

std::string_view trim(std::string_view text) {
    const auto first = text.find_first_not_of(" \t");
    if (first == std::string_view::npos) return {};
    const auto last = text.find_last_not_of(" \t");
    return text.substr(first, last - first + 1);
}

// Reads and checks each template file once, and inlines partials.
class Inliner {
public:
    explicit Inliner(std::filesystem::path theme_dir) : theme_dir_(std::move(theme_dir)) {}

    model::Result<std::string> read(const std::filesystem::path& relative) {
        const auto key = relative.string();
        if (auto found = files_.find(key); found != files_.end()) return found->second;
        const auto path = theme_dir_ / relative;
        auto text = read_theme_file(path);
        if (!text) return text;
        if (auto parses = check_parses(path, *text); !parses) {
            return std::unexpected(parses.error());
        }
        return files_.emplace(key, std::move(*text)).first->second;
    }

    // `text` (from file `from`) with every {{> name}} replaced by its partial, and
    // {{> content}} by the page file `content_file`.
    model::Result<std::string> expand(const std::string& text, const std::string& from,
                                      const std::string& content_file, int depth) {
        if (depth > k_max_partial_depth) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("theme file {}: partials nested deeper than {} "
                                           "(does a partial include itself?)",
                                           (theme_dir_ / from).string(), k_max_partial_depth));
        }
        std::string out;
        std::size_t done = 0;
        for (auto open = text.find("{{>"); open != std::string::npos;
             open = text.find("{{>", done)) {
            const auto close = text.find("}}", open);
            if (close == std::string::npos) break;  // check_parses has ruled this out
            out.append(text, done, open - done);
            done = close + 2;
            const std::string name(trim(std::string_view(text).substr(open + 3, close - open - 3)));
            if (!is_partial_name(name)) {
                return model::fail(Error::Code::invalid_input,
                                   fmt::format("theme file {}: bad partial name \"{}\" (use a-z, "
                                               "0-9, _ and -)",
                                               (theme_dir_ / from).string(), name));
            }
            const std::string partial_file =
                name == "content" ? content_file : "partials/" + name + ".mustache";
            auto partial = read(partial_file);
            if (!partial) return partial;
            auto expanded = expand(*partial, partial_file, content_file, depth + 1);
            if (!expanded) return expanded;
            // The tag's own line ends the inlined text; the file's last newline would add an
            // empty line to the page.
            if (!expanded->empty() && expanded->back() == '\n') expanded->pop_back();
            out += *expanded;
        }
        out.append(text, done);
        return out;
    }

private:
    std::filesystem::path theme_dir_;
    std::map<std::string, std::string> files_;
};

constexpr std::array<std::pair<PageKind, std::string_view>, 5> k_page_files{{
    {PageKind::listing, "listing.mustache"},
    {PageKind::post, "post.mustache"},
    {PageKind::not_found, "not_found.mustache"},
    {PageKind::search, "search.mustache"},
    {PageKind::page, "page.mustache"},
}};

}  // namespace

model::Result<std::string> read_theme_file(const std::filesystem::path& path) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return model::fail(Error::Code::not_found,
                           fmt::format("theme file {} is missing", path.string()));
    }
    std::ifstream in(path, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in.is_open() || in.bad()) {
        return model::fail(Error::Code::io,
                           fmt::format("theme file {} cannot be read", path.string()));
    }
    return std::move(text).str();
}

model::Result<PageTemplates> PageTemplates::load(const std::filesystem::path& theme_dir) {
    Inliner inliner(theme_dir);
    auto layout = inliner.read("layout.mustache");
    if (!layout) return std::unexpected(layout.error());

    PageTemplates templates;
    for (const auto& [kind, file] : k_page_files) {
        // Read first so that a missing page file is an error even if the layout forgot
        // {{> content}}.
        if (auto page = inliner.read(std::string(file)); !page) {
            return std::unexpected(page.error());
        }
        // The page is expanded inside the layout, so partials of the page resolve too.
        auto expanded = inliner.expand(*layout, "layout.mustache", std::string(file), 0);
        if (!expanded) return std::unexpected(expanded.error());
        auto compiled = CompiledTemplate::compile(*expanded);
        if (!compiled) {
            // Each file parses alone, so only a section opened in one file and closed in
            // another gets here.
            return model::fail(Error::Code::invalid_input,
                               fmt::format("theme {}: layout.mustache with {} does not parse: {}",
                                           theme_dir.string(), file, compiled.error().message));
        }
        templates.pages_[static_cast<std::size_t>(kind)] = std::move(*compiled);
        templates.sources_[static_cast<std::size_t>(kind)] = std::move(*expanded);
    }
    return templates;
}

std::string PageTemplates::render(PageKind kind, const ViewValue& view) const {
    const auto index = static_cast<std::size_t>(kind);
    auto& last_size = (*last_sizes_)[index];
    std::string out;
    const auto last = last_size.load(std::memory_order_relaxed);
    out.reserve(std::max<std::size_t>(32 * 1024, last + last / 8));
    pages_[index].render(view, out);
    last_size.store(out.size(), std::memory_order_relaxed);
    return out;
}

}  // namespace carnet::theme
