// The subcommands that manage accounts and blogs, and what every subcommand shares. Private
// to the cli module.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "model/model.hpp"
#include "store/store.hpp"

namespace CLI {
class App;
}

namespace carnet::cli {

// Prints the error and gives the exit status: 1 for the user's mistake, 2 for the system's.
int report_failure(const model::Error& error);

[[nodiscard]] model::Result<std::unique_ptr<store::Store>> open_existing(const std::string& db);
// Where uploads go when --media-dir is not given: beside a SQLite file (<db>.media), or
// carnet.media in the working folder for a PostgreSQL database.
std::string default_media_dir(const std::string& db);
// `db` as a command may print it: a PostgreSQL URI without its password.
std::string displayed_db(const std::string& db);

// The blog a command acts on: the one given, or the only one.
[[nodiscard]] model::Result<model::Blog> choose_blog(store::Store& store, std::int64_t blog_id);

// Reads one line (a password) from stdin, without its line ending.
std::string read_secret_line();

int run_user_list(const std::string& db);
int run_user_passwd(const std::string& db, const std::string& email);
// Removes the account, or only its role in `blog_id` when one is given.
int run_user_remove(const std::string& db, const std::string& email, std::int64_t blog_id);
// Lists the account's live sessions count, and ends them all with `revoke`.
int run_user_sessions(const std::string& db, const std::string& email, bool revoke);
// `carnet user app-password`: makes the application password `name` (printed once), or
// revokes it with `revoke`, or lists the account's when `name` is empty.
int run_user_app_password(const std::string& db, const std::string& email, const std::string& name,
                          const std::string& revoke_name);
// Gives an existing account a role in a blog.
int run_user_grant(const std::string& db, const std::string& email, std::string_view role_name,
                   std::int64_t blog_id);
// Adds a blog to the database; `owner_email`, when given, becomes its owner.
int run_blog_add(const std::string& db, model::Blog blog, const std::string& owner_email);
int run_blog_list(const std::string& db);

// `carnet build`: what its flags say. Empty folders fall back to the settings' own.
struct BuildCommand {
    std::string out_dir;
    std::string base_url;
    std::int64_t blog_id = 0;
    std::string themes_dir;
    std::string media_dir;
};
// Declares the subcommand and its flags but --db, which the caller adds like every other's.
CLI::App* add_build_command(CLI::App& app, BuildCommand& command);
// Writes the blog as static files, with a progress bar when stderr is a terminal.
int run_build(const std::string& db, const std::string& themes_dir, const std::string& media_dir,
              const BuildCommand& command);

// `carnet import mt` and `carnet export mt`: what their flags say.
struct MtImportCommand {
    std::string file;
    std::int64_t blog_id = 0;
    std::string encoding;  // empty: detected
};
struct MtExportCommand {
    std::string file;
    std::int64_t blog_id = 0;
};
// Declare the subcommands under `import` and `export`, with their flags but --db.
CLI::App* add_mt_import_command(CLI::App& import, MtImportCommand& command);
CLI::App* add_mt_export_command(CLI::App& export_command, MtExportCommand& command);
// Imports a Movable Type export in one transaction and prints its report; a progress bar
// shows on stderr when it is a terminal.
int run_mt_import(const std::string& db, const MtImportCommand& command);
// Writes the blog in the Movable Type format to the file (replaced once complete).
int run_mt_export(const std::string& db, const MtExportCommand& command);

// `carnet import wxr` and `carnet export wxr`.
struct WxrImportCommand {
    std::string file;
    std::int64_t blog_id = 0;
    std::string encoding;     // empty: as the file declares
    std::string uploads_dir;  // the old blog's uploads; empty: attachments keep their URLs
};
struct WxrExportCommand {
    std::string file;
    std::int64_t blog_id = 0;
};
CLI::App* add_wxr_import_command(CLI::App& import, WxrImportCommand& command);
CLI::App* add_wxr_export_command(CLI::App& export_command, WxrExportCommand& command);
// Imports a WordPress export in one transaction and prints its report; found uploads go to
// `media_dir` (empty: the database's name + .media, as the server's default).
int run_wxr_import(const std::string& db, const std::string& media_dir,
                   const WxrImportCommand& command);
int run_wxr_export(const std::string& db, const WxrExportCommand& command);

// Copies the live database `db` to `file` (a consistent snapshot, the server left running).
int run_backup(const std::string& db, const std::string& file);
// Checks the backup `file` and puts it in place of `db`; refuses while a server has `db`
// open unless `force`.
int run_restore(const std::string& db, const std::string& file, bool force);
// Copies every row of `from` into the empty database `to` (SQLite or PostgreSQL, either way)
// and checks the copy.
int run_migrate(const std::string& from, const std::string& to);

}  // namespace carnet::cli
