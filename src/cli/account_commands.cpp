#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "api/api.hpp"
#include "auth/auth.hpp"
#include "cli/commands.hpp"
#include "text/text.hpp"

namespace carnet::cli {

using model::Error;
using model::Status;

int report_failure(const Error& error) {
    std::cerr << "carnet: " << error.message << "\n";
    return error.code == Error::Code::invalid_input || error.code == Error::Code::conflict ||
                   error.code == Error::Code::not_found
               ? 1
               : 2;
}

// A long migration's lines, in the log: on a large blog it runs for minutes before the
// command (or the server) starts.
void log_migration(std::string_view line) { spdlog::info("{}", line); }

model::Result<std::unique_ptr<store::Store>> open_existing(const std::string& db) {
    // Stateless and read-only: one for every store the process opens.
    static const SystemClock clock;
    return store::open_store(db, store::OpenMode::must_exist, clock, log_migration);
}

std::string default_media_dir(const std::string& db) {
    // A URI is no place for a folder: uploads go beside where the command runs until the
    // database holds them for every node.
    return store::is_postgres_uri(db) ? std::string("carnet.media") : db + ".media";
}

std::string displayed_db(const std::string& db) {
    if (!store::is_postgres_uri(db)) return db;
    // postgres://user:password@host/...: the password stays out of logs and terminals.
    const auto authority = db.find("://") + 3;
    const auto at = db.find('@', authority);
    const auto slash = db.find('/', authority);
    if (at == std::string::npos || (slash != std::string::npos && slash < at)) return db;
    const auto colon = db.find(':', authority);
    if (colon == std::string::npos || colon > at) return db;
    return db.substr(0, colon + 1) + "***" + db.substr(at);
}

model::Result<model::Blog> choose_blog(store::Store& store, std::int64_t blog_id) {
    auto blogs = store.blogs().list_blogs();
    if (!blogs) return std::unexpected(blogs.error());
    if (blogs->empty()) return model::fail(Error::Code::not_found, "the database holds no blog");
    if (blog_id == 0) {
        if (blogs->size() > 1) {
            return model::fail(Error::Code::invalid_input,
                               "the database holds several blogs: say which with --blog ID");
        }
        return blogs->front();
    }
    for (auto& blog : *blogs) {
        if (blog.id == blog_id) return blog;
    }
    return model::fail(Error::Code::not_found, fmt::format("no blog {}", blog_id));
}

std::string read_secret_line() {
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    return line;
}

namespace {

model::Result<model::User> find_account(store::Store& store, const std::string& email) {
    auto login = store.accounts().find_login(email);
    if (!login) return std::unexpected(login.error());
    if (!*login) {
        return model::fail(Error::Code::not_found,
                           fmt::format("no user with the e-mail {}", email));
    }
    return (*login)->user;
}

}  // namespace

int run_user_list(const std::string& db) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto users = (*store)->accounts().list_users();
    if (!users) return report_failure(users.error());
    for (const auto& summary : *users) {
        std::string roles;
        for (const auto& [blog_id, role] : summary.roles) {
            roles += fmt::format("{}{} of blog {}", roles.empty() ? "" : ", ",
                                 model::to_string(role), blog_id);
        }
        std::cout << fmt::format("{}\t{}\t{}\t{} session(s)\n", summary.user.email,
                                 summary.user.name, roles.empty() ? "no role" : roles,
                                 summary.live_sessions);
    }
    return 0;
}

int run_user_passwd(const std::string& db, const std::string& email) {
    const auto password = read_secret_line();
    auto hash = auth::hash_password(password);
    if (!hash) return report_failure(hash.error());
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto user = find_account(**store, email);
    if (!user) return report_failure(user.error());
    // A new password ends every session: whoever knew the old one is logged out.
    int ended = 0;
    auto written = (*store)->write([&](store::Writer& writer) -> Status {
        if (auto set = writer.accounts().set_password(user->id, *hash); !set) return set;
        auto revoked = writer.sessions().delete_sessions_of(user->id);
        if (!revoked) return std::unexpected(revoked.error());
        ended = *revoked;
        return {};
    });
    if (!written) return report_failure(written.error());
    std::cout << fmt::format("password of {} changed, {} session(s) ended\n", email, ended);
    return 0;
}

int run_user_remove(const std::string& db, const std::string& email, std::int64_t blog_id) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto user = find_account(**store, email);
    if (!user) return report_failure(user.error());
    auto written = (*store)->write([&](store::Writer& writer) -> Status {
        if (blog_id != 0) return writer.accounts().remove_membership(blog_id, user->id);
        return writer.accounts().remove_user(user->id);
    });
    if (!written) return report_failure(written.error());
    if (blog_id != 0) {
        std::cout << fmt::format("{} no longer has a role in blog {}\n", email, blog_id);
    } else {
        std::cout << fmt::format("removed {}\n", email);
    }
    return 0;
}

int run_user_sessions(const std::string& db, const std::string& email, bool revoke) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto user = find_account(**store, email);
    if (!user) return report_failure(user.error());
    if (!revoke) {
        auto users = (*store)->accounts().list_users();
        if (!users) return report_failure(users.error());
        for (const auto& summary : *users) {
            if (summary.user.id == user->id) {
                std::cout << fmt::format("{} has {} live session(s)\n", email,
                                         summary.live_sessions);
            }
        }
        return 0;
    }
    int ended = 0;
    auto written = (*store)->write([&](store::Writer& writer) -> Status {
        auto revoked = writer.sessions().delete_sessions_of(user->id);
        if (!revoked) return std::unexpected(revoked.error());
        ended = *revoked;
        return {};
    });
    if (!written) return report_failure(written.error());
    std::cout << fmt::format("{} session(s) of {} ended\n", ended, email);
    return 0;
}

int run_user_grant(const std::string& db, const std::string& email, std::string_view role_name,
                   std::int64_t blog_id) {
    auto role = model::parse_role(role_name);
    if (!role) {
        return report_failure(
            Error{Error::Code::invalid_input,
                  fmt::format("unknown role {} (owner, editor, author, moderator)", role_name)});
    }
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto user = find_account(**store, email);
    if (!user) return report_failure(user.error());
    auto blog = choose_blog(**store, blog_id);
    if (!blog) return report_failure(blog.error());
    auto written = (*store)->write([&](store::Writer& writer) {
        return writer.accounts().add_membership(blog->id, user->id, *role);
    });
    if (!written) return report_failure(written.error());
    std::cout << fmt::format("{} is {} of \"{}\"\n", email, model::to_string(*role), blog->title);
    return 0;
}

int run_blog_add(const std::string& db, model::Blog blog, const std::string& owner_email) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    while (blog.base_url.ends_with('/')) blog.base_url.pop_back();
    std::optional<model::User> owner;
    if (!owner_email.empty()) {
        auto found = find_account(**store, owner_email);
        if (!found) return report_failure(found.error());
        owner = *found;
    }
    std::int64_t blog_id = 0;
    auto written = (*store)->write([&](store::Writer& writer) -> Status {
        auto created = writer.blogs().create_blog(blog);
        if (!created) return std::unexpected(created.error());
        blog_id = *created;
        if (owner) return writer.accounts().add_membership(blog_id, owner->id, model::Role::owner);
        return {};
    });
    if (!written && blog.hosts.empty() && written.error().code == Error::Code::conflict) {
        return report_failure(
            Error{Error::Code::conflict, fmt::format("{} (--host)", written.error().message)});
    }
    if (!written) return report_failure(written.error());
    // Without --host the store made it the default blog.
    std::cout << fmt::format(
        "created blog {} \"{}\" for {}\n", blog_id, blog.title,
        blog.hosts.empty() ? "every host no other blog names" : blog.hosts.front());
    return 0;
}

int run_blog_list(const std::string& db) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto blogs = (*store)->blogs().list_blogs();
    if (!blogs) return report_failure(blogs.error());
    for (const auto& blog : *blogs) {
        std::string hosts;
        for (const auto& host : blog.hosts) hosts += (hosts.empty() ? "" : " ") + host;
        std::cout << fmt::format(
            "{}\t{}\t{}\t{}\n", blog.id, blog.title, blog.locale,
            hosts.empty() ? "(default: every host no other blog names)" : hosts);
    }
    return 0;
}

int run_user_app_password(const std::string& db, const std::string& email, const std::string& name,
                          const std::string& revoke_name) {
    auto store = open_existing(db);
    if (!store) return report_failure(store.error());
    auto user = find_account(**store, email);
    if (!user) return report_failure(user.error());
    if (!revoke_name.empty()) {
        auto revoked = (*store)->write([&](store::Writer& writer) {
            return writer.app_passwords().revoke_app_password(user->id, revoke_name);
        });
        if (!revoked) return report_failure(revoked.error());
        std::cout << fmt::format("revoked the application password {} of {}\n", revoke_name,
                                 user->email);
        return 0;
    }
    if (!name.empty()) {
        auto password = api::create_app_password(**store, user->id, name);
        if (!password) return report_failure(password.error());
        // The only time it is shown: the database keeps a hash.
        std::cout << *password << "\n";
        return 0;
    }
    auto passwords = (*store)->app_passwords().app_passwords_of(user->id);
    if (!passwords) return report_failure(passwords.error());
    for (const auto& password : *passwords) {
        std::cout << fmt::format(
            "{}\tcreated {}\tlast used {}\n", password.name, text::rfc3339_utc(password.created_at),
            password.last_used_at ? text::rfc3339_utc(*password.last_used_at) : "never");
    }
    return 0;
}

}  // namespace carnet::cli
