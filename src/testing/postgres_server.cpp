#include "testing/postgres_server.hpp"

#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/prctl.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

namespace carnet::testing {

// Who the server runs as: ourselves, or Debian's `postgres` account when we are root
// (PostgreSQL refuses to run as root).
struct ServerUser {
    bool switch_user = false;
    uid_t uid = 0;
    gid_t gid = 0;
};

namespace {

namespace fs = std::filesystem;

constexpr std::string_view k_superuser = "carnet";

fs::path bin_dir() {
    if (const char* dir = std::getenv("CARNET_POSTGRES_BIN")) return dir;
    return "/usr/lib/postgresql/15/bin";
}

std::expected<ServerUser, std::string> server_user() {
    if (geteuid() != 0) return ServerUser{};
    const passwd* entry = getpwnam("postgres");
    if (entry == nullptr) {
        return std::unexpected(
            "running as root, and there is no postgres user to run PostgreSQL as "
            "(install the postgresql package: scripts/install-deps)");
    }
    return ServerUser{true, entry->pw_uid, entry->pw_gid};
}

std::string log_tail(const fs::path& log) {
    std::ifstream file(log);
    std::stringstream text;
    text << file.rdbuf();
    auto all = text.str();
    return all.size() > 2000 ? all.substr(all.size() - 2000) : all;
}

// In a forked child: becomes `user`, sends output to `log`, then runs `argv`. With
// `die_with_parent`, the kernel sends SIGQUIT (PostgreSQL's immediate shutdown) when the
// test program dies; it is set after the change of user, which would clear it.
[[noreturn]] void exec_as(const ServerUser& user, const std::vector<std::string>& argv,
                          const fs::path& log, bool die_with_parent, pid_t parent) {
    const int out = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
    if (out >= 0) {
        dup2(out, STDOUT_FILENO);
        dup2(out, STDERR_FILENO);
        close(out);
    }
    if (user.switch_user) {
        if (setgroups(0, nullptr) != 0 || setgid(user.gid) != 0 || setuid(user.uid) != 0)
            _exit(126);
    }
    if (die_with_parent) {
        prctl(PR_SET_PDEATHSIG, SIGQUIT);
        if (getppid() != parent) _exit(125);
    }
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    execv(args[0], args.data());
    _exit(127);
}

// Runs `argv` as `user` to the end; its output goes to `log`.
std::expected<void, std::string> run_as(const ServerUser& user,
                                        const std::vector<std::string>& argv, const fs::path& log) {
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return std::unexpected("fork failed");
    if (pid == 0) exec_as(user, argv, log, false, parent);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return std::unexpected(argv[0] + " failed: " + log_tail(log));
    }
    return {};
}

std::expected<void, std::string> give_to(const ServerUser& user, const fs::path& path) {
    if (user.switch_user && chown(path.c_str(), user.uid, user.gid) != 0) {
        return std::unexpected("cannot give " + path.string() + " to the postgres user");
    }
    return {};
}

// The initdb'd cluster every test program copies: made once under the build tree (initdb
// takes seconds, a copy a fraction of one), in a folder of its own then renamed into place,
// so that programs starting at once never see half of one.
std::expected<fs::path, std::string> template_cluster(const ServerUser& user) {
    const fs::path cache = CARNET_TEST_CACHE_DIR;
    const fs::path ready = cache / "postgres-15-cluster-v2";
    if (fs::exists(ready / "data" / "PG_VERSION")) return ready / "data";
    std::error_code error;
    fs::create_directories(cache, error);
    std::string pattern = (cache / "postgres-15-cluster-v2.XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
        return std::unexpected("cannot make a folder under " + cache.string());
    }
    const fs::path staging = pattern;
    if (auto given = give_to(user, staging); !given) return std::unexpected(given.error());
    auto made = run_as(user,
                       {(bin_dir() / "initdb").string(), "--pgdata", (staging / "data").string(),
                        "--username", std::string(k_superuser), "--auth", "trust", "--encoding",
                        "UTF8", "--locale", "C.UTF-8", "--no-sync", "--no-instructions"},
                       staging / "initdb.log");
    if (!made) {
        fs::remove_all(staging, error);
        return std::unexpected(made.error());
    }
    // Another program may have been quicker: its cluster is as good as ours.
    if (rename(staging.c_str(), ready.c_str()) != 0) fs::remove_all(staging, error);
    if (!fs::exists(ready / "data" / "PG_VERSION")) {
        return std::unexpected("the cluster under " + ready.string() + " is incomplete");
    }
    return ready / "data";
}

// Where a server's files go: memory when there is room (a copy of the cluster to disk took
// two seconds of each test program, to memory a tenth of one), the temporary folder
// otherwise (a container's /dev/shm is often 64 MiB).
fs::path server_parent_dir() {
    constexpr unsigned long long k_room_bytes = 1ull << 30;
    struct statvfs room {};
    if (statvfs("/dev/shm", &room) == 0 &&
        static_cast<unsigned long long>(room.f_bavail) * room.f_frsize >= k_room_bytes &&
        access("/dev/shm", W_OK) == 0) {
        return "/dev/shm";
    }
    return fs::temp_directory_path();
}

struct ConnectionCloser {
    void operator()(PGconn* connection) const { PQfinish(connection); }
};

// Stops the server when the tests end.
class PostgresEnvironment final : public ::testing::Environment {
public:
    void TearDown() override { server.reset(); }

    std::unique_ptr<PostgresServer> server;
    std::optional<std::string> failure;
};

PostgresEnvironment* environment() {
    // gtest owns and deletes the environment it is given.
    static auto* registered = static_cast<PostgresEnvironment*>(
        ::testing::AddGlobalTestEnvironment(new PostgresEnvironment));
    return registered;
}

// Registered before main, so that gtest calls its TearDown.
[[maybe_unused]] const auto* k_environment = environment();

}  // namespace

std::expected<std::unique_ptr<PostgresServer>, std::string> PostgresServer::start() {
    auto user = server_user();
    if (!user) return std::unexpected(user.error());
    auto cluster = template_cluster(*user);
    if (!cluster) return std::unexpected(cluster.error());

    std::unique_ptr<PostgresServer> server(new PostgresServer());
    const auto& dir = server->dir_;
    if (dir.empty()) return std::unexpected("cannot make a folder for the server");
    if (auto given = give_to(*user, dir); !given) return std::unexpected(given.error());
    server->data_dir_ = dir / "data";
    server->socket_dir_ = dir;
    const auto log = dir / "server.log";
    auto copied =
        run_as(*user, {"/bin/cp", "-a", cluster->string(), server->data_dir_.string()}, log);
    if (!copied) return std::unexpected(copied.error());

    if (auto launched = server->launch(*user); !launched) return std::unexpected(launched.error());
    return server;
}

std::expected<void, std::string> PostgresServer::launch(const ServerUser& user) {
    const auto log = dir_ / "server.log";
    // No TCP at all, and durability traded for speed: a test's data lives as long as the test.
    const std::vector<std::string> argv = {
        (bin_dir() / "postgres").string(),
        "-D",
        data_dir_.string(),
        "-k",
        socket_dir_.string(),
        "-c",
        "listen_addresses=",
        "-c",
        "unix_socket_permissions=0700",
        "-c",
        "fsync=off",
        "-c",
        "synchronous_commit=off",
        "-c",
        "full_page_writes=off",
        "-c",
        "shared_buffers=32MB",
        "-c",
        "max_connections=200",
    };
    const pid_t parent = getpid();
    const pid_t pid = fork();
    if (pid < 0) return std::unexpected("fork failed");
    if (pid == 0) exec_as(user, argv, log, true, parent);
    pid_ = pid;

    const auto ping =
        "host=" + socket_dir_.string() + " dbname=postgres user=" + std::string(k_superuser);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (PQping(ping.c_str()) != PQPING_OK) {
        int status = 0;
        if (waitpid(pid, &status, WNOHANG) == pid) {
            pid_ = -1;
            return std::unexpected("PostgreSQL stopped as it started: " + log_tail(log));
        }
        if (std::chrono::steady_clock::now() > deadline) {
            return std::unexpected("PostgreSQL did not answer within 60 s: " + log_tail(log));
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return {};
}

std::expected<std::unique_ptr<PostgresServer>, std::string> PostgresServer::start_replica() {
    auto user = server_user();
    if (!user) return std::unexpected(user.error());
    std::unique_ptr<PostgresServer> replica(new PostgresServer());
    const auto& dir = replica->dir_;
    if (dir.empty()) return std::unexpected("cannot make a folder for the replica");
    if (auto given = give_to(*user, dir); !given) return std::unexpected(given.error());
    replica->data_dir_ = dir / "data";
    replica->socket_dir_ = dir;
    // A copy of the running primary that keeps following it (-R writes standby.signal and
    // the connection to the primary), as a host makes a streaming replica.
    auto copied = run_as(
        *user,
        {(bin_dir() / "pg_basebackup").string(), "--pgdata", replica->data_dir_.string(), "--host",
         socket_dir_.string(), "--username", std::string(k_superuser), "--wal-method", "stream",
         "--write-recovery-conf", "--checkpoint", "fast", "--no-sync"},
        dir / "basebackup.log");
    if (!copied) return std::unexpected(copied.error());
    if (auto launched = replica->launch(*user); !launched) {
        return std::unexpected(launched.error());
    }
    return replica;
}

PostgresServer::PostgresServer() {
    std::string pattern = (server_parent_dir() / "carnet-postgres-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) dir_ = pattern;
}

PostgresServer::~PostgresServer() {
    stop();
    std::error_code ignored;
    if (!dir_.empty()) fs::remove_all(dir_, ignored);
}

void PostgresServer::stop() {
    if (pid_ <= 0) return;
    // SIGINT is the fast shutdown: sessions are ended, the server exits at once.
    kill(pid_, SIGINT);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    int status = 0;
    while (waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            kill(pid_, SIGKILL);
            waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    pid_ = -1;
}

std::string PostgresServer::uri(std::string_view database) const {
    return "postgresql:///" + std::string(database) + "?host=" + socket_dir_.string() +
           "&user=" + std::string(k_superuser);
}

std::expected<std::string, std::string> PostgresServer::create_database() {
    std::unique_ptr<PGconn, ConnectionCloser> admin(PQconnectdb(uri("postgres").c_str()));
    if (PQstatus(admin.get()) != CONNECTION_OK) {
        return std::unexpected(std::string("cannot connect: ") + PQerrorMessage(admin.get()));
    }
    const auto name = "carnet_test_" + std::to_string(++databases_);
    // The name is ours, made of letters, digits and _: nothing to quote.
    PGresult* result = PQexec(admin.get(), ("CREATE DATABASE " + name).c_str());
    const bool created = PQresultStatus(result) == PGRES_COMMAND_OK;
    std::string message = created ? "" : PQresultErrorMessage(result);
    PQclear(result);
    if (!created) return std::unexpected("cannot create a database: " + message);
    return uri(name);
}

PostgresServer* postgres_server(std::string* error) {
    auto* env = environment();
    if (!env->server && !env->failure) {
        auto started = PostgresServer::start();
        if (started) {
            env->server = std::move(*started);
        } else {
            env->failure = started.error();
        }
    }
    if (!env->server && error != nullptr) *error = *env->failure;
    return env->server.get();
}

}  // namespace carnet::testing
