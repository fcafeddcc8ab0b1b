#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <iterator>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "interop/interop.hpp"
#include "text/clock.hpp"

namespace carnet::cli {
namespace {

using model::Error;

model::Result<interop::TextEncoding> encoding_named(const std::string& name) {
    if (name.empty()) return interop::TextEncoding::detect;
    auto encoding = interop::parse_text_encoding(name);
    if (!encoding) {
        return model::fail(Error::Code::invalid_input, fmt::format("unknown encoding {}", name));
    }
    return *encoding;
}

// Writes beside the file and renames, so that FILE is the old one or a complete export.
model::Status write_whole(const std::string& file, const std::string& text) {
    const std::filesystem::path target(file);
    auto partial = target;
    partial += ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out << text;
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(partial, ignored);
            return model::fail(Error::Code::io, fmt::format("cannot write {}", partial.string()));
        }
    }
    std::error_code error;
    std::filesystem::rename(partial, target, error);
    if (error) {
        return model::fail(Error::Code::io,
                           fmt::format("cannot write {}: {}", file, error.message()));
    }
    return {};
}

std::size_t count_of(std::string_view text, std::string_view needle) {
    std::size_t count = 0;
    for (auto at = text.find(needle); at != std::string_view::npos;
         at = text.find(needle, at + needle.size())) {
        ++count;
    }
    return count;
}

// Only a person watching a terminal wants a bar; scripts and logs get the report alone.
std::function<void(std::size_t, std::size_t)> progress_for(ProgressBar& bar) {
    if (isatty(STDERR_FILENO) != 1) return {};
    return [&bar](std::size_t done, std::size_t total) { bar.show(done, total); };
}

// Writes the blog with `exporter` to the file and prints `summary` of what was written.
template <typename Exporter, typename Summary>
int run_export(const std::string& db, std::int64_t blog_id, const std::string& file,
               Exporter exporter, Summary summary) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, blog_id);
    if (!blog) return report_failure(blog.error());
    auto text = exporter(**store, blog->id);
    if (!text) return report_failure(text.error());
    if (auto written = write_whole(file, *text); !written) return report_failure(written.error());
    std::cout << summary(*text, *blog, file);
    return 0;
}

// FILE, --blog and --encoding, which every import takes.
void add_import_flags(CLI::App& import, std::string& file, std::int64_t& blog_id,
                      std::string& encoding) {
    import.add_option("FILE", file, "The exported file")->required();
    import.add_option("--blog", blog_id, "Blog id, when the database holds several");
    import
        .add_option("--encoding", encoding,
                    "utf-8, latin-1 or windows-1252 (default: as the file declares; "
                    "windows-1252 when it is not valid UTF-8)")
        ->check(CLI::IsMember({"utf-8", "latin-1", "windows-1252"}));
}

void add_export_flags(CLI::App& export_command, std::string& file, std::int64_t& blog_id) {
    export_command.add_option("FILE", file, "Where to write the export")->required();
    export_command.add_option("--blog", blog_id, "Blog id, when the database holds several");
}

// An import refused: the file named, and the promise that nothing changed.
int refuse_import(const std::string& file, const Error& error) {
    return report_failure(
        Error{error.code, fmt::format("{}: {} (nothing was imported)", file, error.message)});
}

}  // namespace

CLI::App* add_mt_import_command(CLI::App& import, MtImportCommand& command) {
    auto* mt = import.add_subcommand(
        "mt", "Import a Movable Type / Typepad export (the text format), in one transaction");
    add_import_flags(*mt, command.file, command.blog_id, command.encoding);
    return mt;
}

CLI::App* add_mt_export_command(CLI::App& export_command, MtExportCommand& command) {
    auto* mt = export_command.add_subcommand(
        "mt", "Write the blog's posts, comments and pings in the Movable Type text format");
    add_export_flags(*mt, command.file, command.blog_id);
    return mt;
}

CLI::App* add_wxr_import_command(CLI::App& import, WxrImportCommand& command) {
    auto* wxr = import.add_subcommand(
        "wxr", "Import a WordPress export (WXR 1.0 to 1.2), in one transaction");
    add_import_flags(*wxr, command.file, command.blog_id, command.encoding);
    wxr->add_option("--media-dir", command.uploads_dir,
                    "The old blog's uploads (wp-content/uploads): images found there are stored "
                    "and posts show carnet's copies")
        ->check(CLI::ExistingDirectory);
    return wxr;
}

CLI::App* add_wxr_export_command(CLI::App& export_command, WxrExportCommand& command) {
    auto* wxr = export_command.add_subcommand(
        "wxr", "Write the blog as a WordPress export (WXR 1.2) that WordPress imports");
    add_export_flags(*wxr, command.file, command.blog_id);
    return wxr;
}

int run_mt_import(const std::string& db, const MtImportCommand& command) {
    interop::MtImportOptions options;
    auto encoding = encoding_named(command.encoding);
    if (!encoding) return report_failure(encoding.error());
    options.encoding = *encoding;
    options.import_time = SystemClock{}.now();
    std::ifstream input(command.file, std::ios::binary);
    if (!input) {
        return report_failure(
            Error{Error::Code::not_found, fmt::format("cannot read {}", command.file)});
    }
    // Read straight into one string: a stream's str() would hold a second copy of the file.
    std::string bytes(std::istreambuf_iterator<char>(input), {});
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, command.blog_id);
    if (!blog) return report_failure(blog.error());
    ProgressBar bar("posts");
    options.progress = progress_for(bar);
    auto report = interop::import_movable_type(**store, blog->id, bytes, options);
    bar.clear();
    if (!report) return refuse_import(command.file, report.error());
    for (const auto& line : report->lines) std::cout << line << "\n";
    std::cout << fmt::format("{} imported, {} merged, {} skipped\n", report->imported,
                             report->merged, report->skipped);
    return 0;
}

int run_wxr_import(const std::string& db, const std::string& media_dir,
                   const WxrImportCommand& command) {
    interop::WxrImportOptions options;
    auto encoding = encoding_named(command.encoding);
    if (!encoding) return report_failure(encoding.error());
    options.encoding = *encoding;
    options.import_time = SystemClock{}.now();
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, command.blog_id);
    if (!blog) return report_failure(blog.error());
    if (!command.uploads_dir.empty()) {
        options.uploads_dir = command.uploads_dir;
        options.media_dir = media_dir.empty() ? default_media_dir(db) : media_dir;
        std::error_code error;
        std::filesystem::create_directories(options.media_dir, error);
        if (error) {
            return report_failure(Error{
                Error::Code::io,
                fmt::format("cannot create {}: {}", options.media_dir.string(), error.message())});
        }
    }
    ProgressBar bar("items");
    options.progress = progress_for(bar);
    auto report = interop::import_wordpress(**store, blog->id, command.file, options);
    bar.clear();
    if (!report) return refuse_import(command.file, report.error());
    for (const auto& line : report->lines) std::cout << line << "\n";
    std::cout << fmt::format(
        "{} imported, {} merged, {} skipped; {} pages, {} images, {} new "
        "accounts\n",
        report->imported, report->merged, report->skipped, report->pages, report->media,
        report->accounts);
    return 0;
}

int run_mt_export(const std::string& db, const MtExportCommand& command) {
    return run_export(
        db, command.blog_id, command.file, interop::export_movable_type,
        [](const std::string& text, const model::Blog& blog, const std::string& file) {
            return fmt::format("exported {} posts of \"{}\" to {}\n",
                               count_of(text, "\n--------\n"), blog.title, file);
        });
}

int run_wxr_export(const std::string& db, const WxrExportCommand& command) {
    return run_export(
        db, command.blog_id, command.file, interop::export_wordpress,
        [](const std::string& text, const model::Blog& blog, const std::string& file) {
            // Attachment items are the posts' images, not posts.
            return fmt::format(
                "exported {} posts and pages of \"{}\" to {}\n",
                count_of(text, "<item>") -
                    count_of(text, "<wp:post_type><![CDATA[attachment]]></wp:post_type>"),
                blog.title, file);
        });
}

}  // namespace carnet::cli
