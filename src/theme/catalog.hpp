// The translations of one locale, read from a gettext .po file. Private to the theme module.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <string_view>

#include "model/model.hpp"

namespace carnet::theme {

class Catalog {
public:
    // Reads `path` with libgettextpo. Fails with not_found when the file is missing and with
    // invalid_input, naming the file and the line, when it does not parse or is not UTF-8.
    // Fuzzy, obsolete, untranslated and plural entries are left out: none of them is a usable
    // translation. Entries with a msgctxt are found only with their context.
    [[nodiscard]] static model::Result<Catalog> load(const std::filesystem::path& path);

    // The translation of `msgid`, or nullptr when the catalog has none.
    const std::string* find(std::string_view msgid) const;
    // The translation of `msgid` in `context` (its msgctxt); the plain one for an empty context.
    const std::string* find(std::string_view context, std::string_view msgid) const;

    // How many translations without a context the catalog holds.
    std::size_t size() const { return translations_.size(); }

private:
    std::map<std::string, std::string, std::less<>> translations_;
    std::map<std::string, std::string, std::less<>> in_context_;  // "context\x04msgid"
};

// The catalogs of a theme's locales folder by locale ("fr", "en", "pt_BR"): fr.po and en.po
// must be there, any other .po file is read too. Fails as Catalog::load does.
using Catalogs = std::map<std::string, Catalog, std::less<>>;
[[nodiscard]] model::Result<Catalogs> load_catalogs(const std::filesystem::path& locales_dir);

// The catalog for a blog's locale: "fr_CA" and "fr-CA" use fr.po when there is no fr_CA.po;
// nullptr when there is none, and the msgids (English) are shown.
const Catalog* catalog_for(const Catalogs& catalogs, std::string_view locale);

}  // namespace carnet::theme
