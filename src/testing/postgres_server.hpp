// A PostgreSQL 15 server of the test program's own: never one it did not start.
//
// The first call to postgres_server() starts it: a cluster made by initdb (copied from one
// kept under the build tree, made once), owned by an unprivileged user (Debian's `postgres`
// when the tests run as root), listening only on a Unix socket in a temporary folder of its
// own, so that test programs running at once never meet. It stops when the tests end (a
// gtest Environment), and dies with the program if the program crashes (the parent-death
// signal), so that no server outlives its tests.
#pragma once

#include <sys/types.h>

#include <expected>
#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace carnet::testing {

struct ServerUser;

class PostgresServer {
public:
    // Makes the cluster and starts the server; what went wrong otherwise.
    static std::expected<std::unique_ptr<PostgresServer>, std::string> start();

    // Stops the server (fast shutdown) and removes its files.
    ~PostgresServer();
    PostgresServer(const PostgresServer&) = delete;
    PostgresServer& operator=(const PostgresServer&) = delete;

    // A new, empty database: its libpq URI. Each test takes one, so that tests sharing the
    // server stay independent.
    std::expected<std::string, std::string> create_database();

    // A hot standby of this server, made with pg_basebackup and following it by streaming
    // replication, in a folder and on a socket of its own; stopped when it goes.
    std::expected<std::unique_ptr<PostgresServer>, std::string> start_replica();

    // Stops the server now (fast shutdown), as a failing machine would; idempotent.
    void stop();

    // The libpq URI of `database` on this server.
    std::string uri(std::string_view database) const;

    const std::filesystem::path& socket_dir() const { return socket_dir_; }

private:
    PostgresServer();
    // Starts `postgres` on data_dir_ and waits until it answers.
    std::expected<void, std::string> launch(const ServerUser& user);

    // Not a TempDir: the end-to-end tests have a TempDir of their own (tests/support.hpp).
    std::filesystem::path dir_;
    std::filesystem::path data_dir_;
    std::filesystem::path socket_dir_;
    pid_t pid_ = -1;
    int databases_ = 0;
};

// The test program's server, started on first use; nullptr and a message in `error` when it
// cannot start. Call it from the thread that runs the tests (gtest's main thread): the
// server dies with that thread.
PostgresServer* postgres_server(std::string* error = nullptr);

}  // namespace carnet::testing
