#include "theme/catalog.hpp"

#include <fmt/format.h>
#include <gettext-po.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <vector>

namespace carnet::theme {
namespace {

struct PoFileFree {
    void operator()(po_file_t file) const { po_file_free(file); }
};
struct PoIteratorFree {
    void operator()(po_message_iterator_t iterator) const { po_message_iterator_free(iterator); }
};
struct MallocFree {
    void operator()(char* text) const { std::free(text); }
};

using PoFile = std::unique_ptr<std::remove_pointer_t<po_file_t>, PoFileFree>;
using PoIterator = std::unique_ptr<std::remove_pointer_t<po_message_iterator_t>, PoIteratorFree>;

// libgettextpo reports problems through a handler that gets no user pointer, and keeps the
// handler in a global while it reads. So reads are serialized, and the handler writes into
// the list of the read in progress on this thread.
std::mutex& po_read_mutex() {
    static std::mutex mutex;
    return mutex;
}
thread_local std::vector<std::string>* t_po_problems = nullptr;

std::string describe_problem(const char* filename, std::size_t line, const char* text) {
    std::string where = filename ? filename : "";
    if (filename && line != static_cast<std::size_t>(-1)) where += fmt::format(":{}", line);
    std::string what = text ? text : "unknown problem";
    while (!what.empty() && what.back() == '\n') what.pop_back();
    return where.empty() ? what : where + ": " + what;
}

// Warnings are dropped: the file still loads, and msgfmt --check tells translators about
// them. Errors make the load fail. The handler contract says a fatal error must not return;
// libgettextpo 0.21 reports every syntax problem we tried (unterminated strings, unknown
// keywords, duplicates, missing msgstr) as PO_SEVERITY_ERROR, and the alternatives to
// returning (abort, longjmp through C frames) are worse for a server, so a fatal error is
// recorded like any other and the load fails.
void on_problem(int severity, po_message_t, const char* filename, std::size_t line, std::size_t,
                int, const char* text) {
    if (severity == PO_SEVERITY_WARNING || t_po_problems == nullptr) return;
    t_po_problems->push_back(describe_problem(filename, line, text));
}

void on_problem_pair(int severity, po_message_t, const char* filename1, std::size_t line1,
                     std::size_t, int, const char* text1, po_message_t, const char*, std::size_t,
                     std::size_t, int, const char*) {
    if (severity == PO_SEVERITY_WARNING || t_po_problems == nullptr) return;
    t_po_problems->push_back(describe_problem(filename1, line1, text1));
}

// gettext's own key for a message in a context: the context, EOT, the msgid.
std::string key_in_context(std::string_view context, std::string_view msgid) {
    return fmt::format("{}\x04{}", context, msgid);
}

bool is_utf8_charset(std::string_view content_type) {
    constexpr std::string_view key = "charset=";
    auto at = content_type.find(key);
    if (at == std::string_view::npos) return false;
    auto charset = content_type.substr(at + key.size());
    std::string lowered;
    for (char c : charset) {
        if (c == ';' || std::isspace(static_cast<unsigned char>(c))) break;
        lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return lowered == "utf-8";
}

}  // namespace

model::Result<Catalog> Catalog::load(const std::filesystem::path& path) {
    using model::Error;
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) {
        return model::fail(Error::Code::not_found,
                           fmt::format("locale file {} is missing", path.string()));
    }

    std::vector<std::string> problems;
    PoFile file;
    {
        std::lock_guard lock(po_read_mutex());
        t_po_problems = &problems;
        const po_xerror_handler handler{on_problem, on_problem_pair};
        file.reset(po_file_read(path.c_str(), &handler));
        t_po_problems = nullptr;
    }
    if (!file) {
        return model::fail(Error::Code::io,
                           fmt::format("locale file {} cannot be read", path.string()));
    }
    if (!problems.empty()) {
        return model::fail(Error::Code::invalid_input,
                           fmt::format("locale file {} does not parse: {}", path.string(),
                                       fmt::join(problems, "; ")));
    }

    Catalog catalog;
    PoIterator iterator(po_message_iterator(file.get(), nullptr));
    while (po_message_t message = po_next_message(iterator.get())) {
        const char* msgid = po_message_msgid(message);
        const char* msgstr = po_message_msgstr(message);
        if (msgid && !*msgid && msgstr && !po_message_is_obsolete(message)) {
            // The header entry. (po_file_domain_header would do, but whether its answer must
            // be freed has changed between gettext versions; the message's own msgstr is
            // the file's.)
            std::unique_ptr<char, MallocFree> content_type(po_header_field(msgstr, "Content-Type"));
            if (content_type && !is_utf8_charset(content_type.get())) {
                return model::fail(
                    Error::Code::invalid_input,
                    fmt::format("locale file {} must declare charset=UTF-8, not \"{}\"",
                                path.string(), content_type.get()));
            }
            continue;
        }
        if (!msgid || !*msgid || !msgstr || !*msgstr) continue;  // untranslated
        if (po_message_is_fuzzy(message) || po_message_is_obsolete(message)) continue;
        if (po_message_msgid_plural(message)) continue;
        if (const char* context = po_message_msgctxt(message)) {
            catalog.in_context_.insert_or_assign(key_in_context(context, msgid), msgstr);
            continue;
        }
        catalog.translations_.insert_or_assign(msgid, msgstr);
    }
    return catalog;
}

const std::string* Catalog::find(std::string_view msgid) const {
    auto found = translations_.find(msgid);
    return found == translations_.end() ? nullptr : &found->second;
}

const std::string* Catalog::find(std::string_view context, std::string_view msgid) const {
    if (context.empty()) return find(msgid);
    auto found = in_context_.find(key_in_context(context, msgid));
    return found == in_context_.end() ? nullptr : &found->second;
}

model::Result<Catalogs> load_catalogs(const std::filesystem::path& locales_dir) {
    Catalogs catalogs;
    // fr and en are the languages carnet promises; more .po files are welcome.
    for (const auto* required : {"fr", "en"}) {
        auto catalog = Catalog::load(locales_dir / fmt::format("{}.po", required));
        if (!catalog) return std::unexpected(catalog.error());
        catalogs.emplace(required, std::move(*catalog));
    }
    std::error_code ec;
    for (const auto& file : std::filesystem::directory_iterator(locales_dir, ec)) {
        if (file.path().extension() != ".po") continue;
        const auto locale = file.path().stem().string();
        if (catalogs.contains(locale)) continue;
        auto catalog = Catalog::load(file.path());
        if (!catalog) return std::unexpected(catalog.error());
        catalogs.emplace(locale, std::move(*catalog));
    }
    return catalogs;
}

const Catalog* catalog_for(const Catalogs& catalogs, std::string_view locale) {
    std::string wanted(locale);
    std::replace(wanted.begin(), wanted.end(), '-', '_');
    if (auto found = catalogs.find(wanted); found != catalogs.end()) return &found->second;
    const auto language = wanted.substr(0, wanted.find('_'));
    if (auto found = catalogs.find(language); found != catalogs.end()) return &found->second;
    return nullptr;
}

}  // namespace carnet::theme

#if defined(__SANITIZE_ADDRESS__)
// libgettextpo 0.21 copies the name of every file it reads (lex_start) and never frees the
// copy: some fifty bytes per .po file, once per theme load, out of our reach. LeakSanitizer
// asks this hook for suppressions; only sanitizer builds have it. The library is built
// without frame pointers, so the default unwinder sees only its allocator, and the
// suppression has to name that: it covers every allocation libgettextpo makes, which is
// acceptable because our own handles on it are RAII (PoFile, PoIterator above).
extern "C" const char* __lsan_default_suppressions() { return "leak:libgettextpo_xmalloc\n"; }
#endif
