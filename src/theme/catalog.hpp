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
    // Fuzzy, obsolete, untranslated, plural and context entries are left out: none of them
    // is a usable translation for a plain msgid.
    static model::Result<Catalog> load(const std::filesystem::path& path);

    // The translation of `msgid`, or nullptr when the catalog has none.
    const std::string* find(std::string_view msgid) const;

    std::size_t size() const { return translations_.size(); }

private:
    std::map<std::string, std::string, std::less<>> translations_;
};

}  // namespace carnet::theme
