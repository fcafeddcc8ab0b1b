#include <fmt/format.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/progress.hpp"
#include "interop/interop.hpp"

namespace carnet::cli {

CLI::App* add_build_command(CLI::App& app, BuildCommand& command) {
    auto* build = app.add_subcommand("build", "Write the blog as static files for any web server");
    build->add_option("--out", command.out_dir, "Folder to write the site into")->required();
    build->add_option("--base-url", command.base_url,
                      "Where readers will reach the copy (default: the blog's base URL)");
    build->add_option("--blog", command.blog_id, "Blog id, when the database holds several");
    build->add_option("--themes", command.themes_dir, "Folder holding the themes");
    build->add_option("--media-dir", command.media_dir,
                      "Folder of uploaded images (default: the database's name + .media)");
    return build;
}

int run_build(const std::string& db, const std::string& themes_dir, const std::string& media_dir,
              const BuildCommand& command) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    interop::StaticBuildOptions options{
        .blog_id = command.blog_id,
        .out_dir = command.out_dir,
        .themes_dir = command.themes_dir.empty() ? themes_dir : command.themes_dir,
        .media_dir = !command.media_dir.empty() ? command.media_dir
                     : !media_dir.empty()       ? media_dir
                                                : default_media_dir(db),
        .base_url = command.base_url};
    // Only a person watching a terminal wants a bar; scripts and logs get the summary alone.
    ProgressBar bar("files");
    if (isatty(STDERR_FILENO) == 1) {
        options.progress = [&bar](std::size_t done, std::size_t total) { bar.show(done, total); };
    }
    auto report = interop::build_static_site(**store, options);
    bar.clear();
    if (!report) return report_failure(report.error());
    std::cout << fmt::format(
        "{} rendered, {} written ({} given the new sidebar), {} unchanged, {} removed: {} files "
        "in {}\n",
        report->rendered, report->written, report->spliced, report->unchanged, report->removed,
        report->urls.size(), command.out_dir);
    return 0;
}

}  // namespace carnet::cli
