// The admin's templates and catalogs (theme.hpp, AdminPages).
#include <fmt/format.h>

#include <map>
#include <stdexcept>

#include "text/text.hpp"
#include "theme/catalog.hpp"
#include "theme/page_templates.hpp"
#include "theme/theme.hpp"

namespace carnet::theme {
namespace {

namespace mustache = kainjow::mustache;
using model::Error;

class MustacheAdminPages final : public AdminPages {
public:
    MustacheAdminPages(std::map<std::string, mustache::mustache, std::less<>> templates,
                       Catalogs catalogs)
        : templates_(std::move(templates)), catalogs_(std::move(catalogs)) {}

    std::string render(std::string_view page, std::string_view locale,
                       mustache::data view) const override {
        const auto found = templates_.find(page);
        if (found == templates_.end()) {
            throw std::logic_error(fmt::format("no admin template \"{}\"", page));
        }
        const Catalog* catalog = catalog_for(catalogs_, locale);
        view.set("t",
                 mustache::lambda2{[catalog](const std::string& words, const mustache::renderer&) {
                     return text::html_escape(translate(catalog, words));
                 }});
        // A copy of the parsed tree per render, as PageTemplates::render does: kainjow's
        // render() writes into the template object.
        mustache::mustache parsed = found->second;
        std::string out;
        out.reserve(8 * 1024);
        parsed.render(view, [&out](const std::string& part) { out += part; });
        return out;
    }

    std::string text(std::string_view locale, std::string_view msgid,
                     std::string_view context) const override {
        const Catalog* catalog = catalog_for(catalogs_, locale);
        if (catalog != nullptr) {
            if (const auto* found = catalog->find(context, msgid)) return *found;
        }
        return std::string(msgid);
    }

private:
    // "Log in" or "context|Published", as a template writes it.
    static std::string translate(const Catalog* catalog, std::string_view words) {
        std::string_view context;
        if (const auto bar = words.find('|'); bar != std::string_view::npos) {
            context = words.substr(0, bar);
            words.remove_prefix(bar + 1);
        }
        if (catalog != nullptr) {
            if (const auto* found = catalog->find(context, words)) return *found;
        }
        return std::string(words);
    }

    std::map<std::string, mustache::mustache, std::less<>> templates_;
    Catalogs catalogs_;
};

}  // namespace

Result<std::unique_ptr<AdminPages>> AdminPages::load(const std::filesystem::path& dir) {
    std::error_code ec;
    if (!std::filesystem::is_directory(dir, ec)) {
        return model::fail(Error::Code::not_found,
                           fmt::format("admin theme folder {} is missing", dir.string()));
    }
    std::map<std::string, mustache::mustache, std::less<>> templates;
    for (const auto& file : std::filesystem::directory_iterator(dir, ec)) {
        if (file.path().extension() != ".mustache") continue;
        auto source = read_theme_file(file.path());
        if (!source) return std::unexpected(source.error());
        mustache::mustache parsed(*source);
        if (!parsed.is_valid()) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("theme file {} does not parse: {}", file.path().string(),
                                           parsed.error_message()));
        }
        parsed.set_custom_escape(escape_for_template);
        templates.emplace(file.path().stem().string(), std::move(parsed));
    }
    if (ec) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot read {}: {}", dir.string(), ec.message()));
    }
    if (!templates.contains("layout")) {
        return model::fail(Error::Code::not_found, fmt::format("theme file {} is missing",
                                                               (dir / "layout.mustache").string()));
    }
    auto catalogs = load_catalogs(dir / "locales");
    if (!catalogs) return std::unexpected(catalogs.error());
    return std::make_unique<MustacheAdminPages>(std::move(templates), std::move(*catalogs));
}

}  // namespace carnet::theme
