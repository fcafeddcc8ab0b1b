#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "interop/interop.hpp"

namespace carnet::cli {
namespace {

using model::Error;

}  // namespace

CLI::App* add_mt_import_command(CLI::App& import, MtImportCommand& command) {
    auto* mt = import.add_subcommand(
        "mt", "Import a Movable Type / Typepad export (the text format), in one transaction");
    mt->add_option("FILE", command.file, "The exported file")->required();
    mt->add_option("--blog", command.blog_id, "Blog id, when the database holds several");
    mt->add_option("--encoding", command.encoding,
                   "utf-8, latin-1 or windows-1252 (default: UTF-8, or windows-1252 when the "
                   "file is not valid UTF-8)")
        ->check(CLI::IsMember({"utf-8", "latin-1", "windows-1252"}));
    return mt;
}

CLI::App* add_mt_export_command(CLI::App& export_command, MtExportCommand& command) {
    auto* mt = export_command.add_subcommand(
        "mt", "Write the blog's posts, comments and pings in the Movable Type text format");
    mt->add_option("FILE", command.file, "Where to write the export")->required();
    mt->add_option("--blog", command.blog_id, "Blog id, when the database holds several");
    return mt;
}

int run_mt_import(const std::string& db, const MtImportCommand& command) {
    interop::MtImportOptions options;
    if (!command.encoding.empty()) {
        auto encoding = interop::parse_text_encoding(command.encoding);
        if (!encoding) {
            return report_failure(Error{Error::Code::invalid_input,
                                        fmt::format("unknown encoding {}", command.encoding)});
        }
        options.encoding = *encoding;
    }
    std::ifstream input(command.file, std::ios::binary);
    if (!input) {
        return report_failure(
            Error{Error::Code::not_found, fmt::format("cannot read {}", command.file)});
    }
    std::ostringstream bytes;
    bytes << input.rdbuf();
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, command.blog_id);
    if (!blog) return report_failure(blog.error());
    // Only a person watching a terminal wants a bar; scripts and logs get the report alone.
    ProgressBar bar("posts");
    if (isatty(STDERR_FILENO) == 1) {
        options.progress = [&bar](std::size_t done, std::size_t total) { bar.show(done, total); };
    }
    auto report = interop::import_movable_type(**store, blog->id, bytes.str(), options);
    bar.clear();
    if (!report) {
        return report_failure(Error{
            report.error().code,
            fmt::format("{}: {} (nothing was imported)", command.file, report.error().message)});
    }
    for (const auto& line : report->lines) std::cout << line << "\n";
    std::cout << fmt::format("{} imported, {} merged, {} skipped\n", report->imported,
                             report->merged, report->skipped);
    return 0;
}

int run_mt_export(const std::string& db, const MtExportCommand& command) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto blog = choose_blog(**store, command.blog_id);
    if (!blog) return report_failure(blog.error());
    auto text = interop::export_movable_type(**store, blog->id);
    if (!text) return report_failure(text.error());
    // Written beside the file and renamed, so that FILE is the old one or a complete export.
    const std::filesystem::path target(command.file);
    auto partial = target;
    partial += ".partial";
    {
        std::ofstream out(partial, std::ios::binary | std::ios::trunc);
        out << *text;
        out.close();
        if (!out) {
            std::error_code ignored;
            std::filesystem::remove(partial, ignored);
            return report_failure(
                Error{Error::Code::io, fmt::format("cannot write {}", partial.string())});
        }
    }
    std::error_code error;
    std::filesystem::rename(partial, target, error);
    if (error) {
        return report_failure(Error{
            Error::Code::io, fmt::format("cannot write {}: {}", command.file, error.message())});
    }
    std::size_t posts = 0;
    for (std::size_t at = text->find("\n--------\n"); at != std::string::npos;
         at = text->find("\n--------\n", at + 1)) {
        ++posts;
    }
    std::cout << fmt::format("exported {} posts of \"{}\" to {}\n", posts, blog->title,
                             command.file);
    return 0;
}

}  // namespace carnet::cli
