// What the end-to-end tests need to drive the real `carnet` binary: temporary folders,
// child processes, a running server and a plain HTTP client.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace carnet::testing {

class TempDir {
public:
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

struct CommandResult {
    int exit_code = -1;
    std::string out;
    std::string err;
};

// Runs a program to completion, feeding it `input` on stdin.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "");

// Runs `carnet` (the binary under test) with these arguments.
CommandResult run_carnet(const std::vector<std::string>& args, const std::string& input = "");

std::string read_file(const std::filesystem::path& path);

// Every file of a static build but its manifest (.carnet-build, the build's own record), by
// path relative to the folder, with its bytes.
std::map<std::string, std::string> files_of_build(const std::filesystem::path& folder);

// Fails the test for each file of `expected` missing from `actual` or different there, and
// for each file of `actual` that `expected` does not hold.
void expect_same_files(const std::map<std::string, std::string>& expected,
                       const std::map<std::string, std::string>& actual);

// `carnet serve` on a free loopback port (or the --listen address in `extra_args`), stopped
// (SIGTERM) when destroyed.
class ServerProcess {
public:
    explicit ServerProcess(const std::filesystem::path& db,
                           std::vector<std::string> extra_args = {});
    ~ServerProcess();
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;

    // The port, once the server says it listens (within a deadline); 0 if it never did.
    std::uint16_t port() const { return port_; }

    // Sends SIGTERM and waits for the exit status.
    int stop();
    // Kills the server outright (SIGKILL), as a machine that fails does, and reaps it.
    void kill_now();

    // What the server has written to stderr so far.
    std::string log() const;

private:
    pid_t pid_ = -1;
    int stderr_fd_ = -1;
    std::uint16_t port_ = 0;
    std::optional<int> exit_code_;
    std::thread reader_;
    mutable std::mutex mutex_;
    std::condition_variable changed_;
    std::string log_;
};

// `carnet` running with these arguments, its output thrown away, for a test that kills it
// part way through; killed and reaped when destroyed.
class CarnetProcess {
public:
    explicit CarnetProcess(const std::vector<std::string>& args);
    ~CarnetProcess();
    CarnetProcess(const CarnetProcess&) = delete;
    CarnetProcess& operator=(const CarnetProcess&) = delete;

    pid_t pid() const { return pid_; }
    // Whether it has not exited yet.
    bool running();
    // Kills it outright (SIGKILL), as a power cut would, and returns its exit status: 128 + 9
    // when it was still running.
    int kill_now();

private:
    pid_t pid_ = -1;
    std::optional<int> exit_code_;
};

struct HttpResponse {
    int status = 0;
    // Names in lower case; a repeated Set-Cookie holds each value on a line of its own.
    std::map<std::string, std::string> headers;
    std::string body;
    bool connection_ok = false;
};

// One request on a new connection to 127.0.0.1:port.
HttpResponse http_get(std::uint16_t port, const std::string& target,
                      const std::map<std::string, std::string>& headers = {},
                      const std::string& method = "GET", const std::string& body = "");

// The value the response's Set-Cookie header(s) give the cookie `name`; "" when none.
std::string cookie_set(const HttpResponse& response, const std::string& name);

// The body of an application/x-www-form-urlencoded form holding `fields`.
std::string form_encode(const std::map<std::string, std::string>& fields);

// Sends raw bytes and reads what comes back until the server closes or a deadline passes.
std::string http_raw(std::uint16_t port, const std::string& bytes);

// Every row of every table of the SQLite database at `db`, in a stable order, as one string to
// compare before and after a request that must change nothing. `ignored_columns` names
// "table.column"s left out (a time recorded by a request that is allowed to sign in), and
// "table.*" a whole table.
std::string database_fingerprint(const std::filesystem::path& db,
                                 const std::vector<std::string>& ignored_columns = {});

// The page as a person reads it: `w3m -dump`, white space folded.
std::string visible_text(const std::string& html);

// Folds every run of white space (no-break spaces included) into one space.
std::string fold_space(const std::string& text);

// The admin of the server on `port`, signed in with that account through the login form;
// its requests carry the session cookie, and its POSTs the form's CSRF token. Every request
// also carries `headers` (a Host, for a blog of several).
class AdminSession {
public:
    AdminSession(std::uint16_t port, const std::string& email, const std::string& password,
                 std::map<std::string, std::string> headers = {});

    bool signed_in() const { return failure_.empty(); }
    const std::string& failure() const { return failure_; }  // why it could not sign in

    HttpResponse get(const std::string& target) const;
    HttpResponse post(const std::string& target, std::map<std::string, std::string> fields) const;

    // The carnet_session cookie's value, to send from another node; and the forms' token.
    const std::string& cookie() const { return session_; }
    const std::string& csrf() const { return csrf_; }

private:
    std::map<std::string, std::string> with_session() const;

    std::uint16_t port_;
    std::map<std::string, std::string> headers_;
    std::string session_;
    std::string csrf_;
    std::string failure_;
};

// The admin's list of blog 1's comments in that state ("pending", "approved", "spam").
std::string admin_comments(const AdminSession& admin, const std::string& status);

// Approves through the admin the first pending comment of blog 1 whose text holds `text`:
// "" when done, else what went wrong.
std::string approve_comment(const AdminSession& admin, const std::string& text);

// A loopback port free at the time of asking, for a server told to listen on it.
std::uint16_t free_port();

// Polls `check` every 50 ms until it holds or 30 seconds pass: whether it held.
bool eventually(const std::function<bool()>& check);

// How many times `what` occurs in `text`.
int count_of(const std::string& text, const std::string& what);

}  // namespace carnet::testing
