#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <ostream>
#include <string_view>
#include <utility>

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

// Writes `write(out)` to a file beside FILE and renames it, so that FILE is the old one or a
// complete export.
template <typename Write>
auto write_whole(const std::string& file, Write write)
    -> decltype(write(std::declval<std::ostream&>())) {
    const std::filesystem::path target(file);
    auto partial = target;
    partial += ".partial";
    const auto cannot_write = [&](const std::string& why) {
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        return model::fail(Error::Code::io, fmt::format("cannot write {}: {}", file, why));
    };
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    if (!out) return cannot_write("the folder refuses a new file");
    auto written = write(out);
    if (!written) {
        std::error_code ignored;
        std::filesystem::remove(partial, ignored);
        return written;
    }
    out.close();
    if (!out) return cannot_write("the disk refused the end of the file");
    std::error_code error;
    std::filesystem::rename(partial, target, error);
    if (error) return cannot_write(error.message());
    return written;
}

// Only a person watching a terminal wants a bar; scripts and logs get the report alone.
std::function<void(std::size_t, std::size_t)> progress_for(ProgressBar& bar) {
    if (isatty(STDERR_FILENO) != 1) return {};
    return [&bar](std::size_t done, std::size_t total) { bar.show(done, total); };
}

// Writes the blog with `exporter` to the file as it is read and says how many `what` it holds.
template <typename Exporter>
int run_export(const std::string& db, std::int64_t blog_id, const std::string& file,
               Exporter exporter, std::string_view what) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, blog_id);
    if (!blog) return report_failure(blog.error());
    auto written =
        write_whole(file, [&](std::ostream& out) { return exporter(**store, blog->id, out); });
    if (!written) return report_failure(written.error());
    std::cout << fmt::format("exported {} {} of \"{}\" to {}\n", *written, what, blog->title, file);
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
    if (std::ifstream input(command.file, std::ios::binary); !input) {
        return report_failure(
            Error{Error::Code::not_found, fmt::format("cannot read {}", command.file)});
    }
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, command.blog_id);
    if (!blog) return report_failure(blog.error());
    ProgressBar bar("posts");
    options.progress = progress_for(bar);
    auto report = interop::import_movable_type_file(**store, blog->id, command.file, options);
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
        db, command.blog_id, command.file,
        [](store::Store& store, std::int64_t blog_id, std::ostream& out) {
            return interop::export_movable_type(store, blog_id, out);
        },
        "posts");
}

int run_wxr_export(const std::string& db, const WxrExportCommand& command) {
    return run_export(
        db, command.blog_id, command.file,
        [](store::Store& store, std::int64_t blog_id, std::ostream& out) {
            return interop::export_wordpress(store, blog_id, out);
        },
        "posts and pages");
}

}  // namespace carnet::cli
