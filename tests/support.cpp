#include "support.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace carnet::testing {
namespace {

namespace beast = boost::beast;
namespace asio = boost::asio;

constexpr auto k_start_deadline = std::chrono::seconds(30);

struct Pipe {
    int read_end = -1;
    int write_end = -1;
    Pipe() {
        int fds[2];
        if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe failed");
        read_end = fds[0];
        write_end = fds[1];
    }
};

pid_t spawn(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd, int stderr_fd) {
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, stdin_fd, 0);
    posix_spawn_file_actions_adddup2(&actions, stdout_fd, 1);
    posix_spawn_file_actions_adddup2(&actions, stderr_fd, 2);
    std::vector<char*> args;
    for (const auto& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
    args.push_back(nullptr);
    pid_t pid = -1;
    const int result = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (result != 0)
        throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(result));
    return pid;
}

int wait_exit_code(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) return -1;
    }
    if (WIFEXITED(status)) return WEXITSTATUS(status);
    return 128 + WTERMSIG(status);
}

}  // namespace

TempDir::TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "carnet-e2e-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
}

TempDir::~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

CommandResult run_command(const std::vector<std::string>& argv, const std::string& input) {
    Pipe in;
    Pipe out;
    Pipe err;
    const pid_t pid = spawn(argv, in.read_end, out.write_end, err.write_end);
    close(in.read_end);
    close(out.write_end);
    close(err.write_end);

    CommandResult result;
    std::size_t written = 0;
    int stdin_fd = in.write_end;
    if (input.empty()) {
        close(stdin_fd);
        stdin_fd = -1;
    } else {
        fcntl(stdin_fd, F_SETFL, O_NONBLOCK);
    }
    int open_outputs = 2;
    pollfd fds[3] = {{out.read_end, POLLIN, 0}, {err.read_end, POLLIN, 0}, {stdin_fd, POLLOUT, 0}};
    while (open_outputs > 0 || stdin_fd >= 0) {
        fds[2].fd = stdin_fd;
        // No time limit of its own: a command that is silent for long (an import under load)
        // must still be read to its end, or it blocks on a full pipe; ctest's timeout ends a
        // command that hangs.
        if (poll(fds, 3, -1) < 0) {
            if (errno == EINTR) continue;
            break;
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP))) continue;
            char buffer[65536];
            const auto count = read(fds[i].fd, buffer, sizeof buffer);
            if (count <= 0) {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_outputs;
            } else {
                (i == 0 ? result.out : result.err).append(buffer, count);
            }
        }
        if (stdin_fd >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const auto count = write(stdin_fd, input.data() + written, input.size() - written);
            if (count > 0) written += count;
            if (count < 0 || written == input.size()) {
                close(stdin_fd);
                stdin_fd = -1;
            }
        }
    }
    result.exit_code = wait_exit_code(pid);
    return result;
}

CommandResult run_carnet(const std::vector<std::string>& args, const std::string& input) {
    std::vector<std::string> argv{CARNET_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv, input);
}

std::string read_file(const std::filesystem::path& path) {
    std::ifstream file(path, std::ios::binary);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::map<std::string, std::string> files_of_build(const std::filesystem::path& folder) {
    std::map<std::string, std::string> found;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(folder)) {
        if (!entry.is_regular_file() || entry.path().filename() == ".carnet-build") continue;
        found[std::filesystem::relative(entry.path(), folder).generic_string()] =
            read_file(entry.path());
    }
    return found;
}

void expect_same_files(const std::map<std::string, std::string>& expected,
                       const std::map<std::string, std::string>& actual) {
    for (const auto& [file, bytes] : expected) {
        const auto found = actual.find(file);
        if (found == actual.end()) {
            ADD_FAILURE() << file << " is missing";
        } else {
            EXPECT_TRUE(found->second == bytes) << file << " differs";
        }
    }
    for (const auto& [file, bytes] : actual) {
        EXPECT_TRUE(expected.contains(file)) << file << " should not be there";
    }
}

ServerProcess::ServerProcess(const std::filesystem::path& db, std::vector<std::string> extra_args) {
    std::vector<std::string> argv{CARNET_BINARY, "serve", "--db",     db.string(),
                                  "--threads",   "2",     "--themes", CARNET_THEMES_DIR};
    // A free port, unless the test chose one (to know its address before the server starts).
    if (std::find(extra_args.begin(), extra_args.end(), "--listen") == extra_args.end()) {
        argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
    }
    argv.insert(argv.end(), extra_args.begin(), extra_args.end());
    Pipe err;
    const int dev_null = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_ = spawn(argv, dev_null, dev_null, err.write_end);
    close(dev_null);
    close(err.write_end);
    stderr_fd_ = err.read_end;
    // The server's log must be drained all along, or it blocks once the pipe is full.
    reader_ = std::thread([this] {
        char buffer[4096];
        while (true) {
            const auto count = read(stderr_fd_, buffer, sizeof buffer);
            if (count <= 0) break;
            std::scoped_lock lock(mutex_);
            log_.append(buffer, count);
            changed_.notify_all();
        }
        std::scoped_lock lock(mutex_);
        log_ += "\n[log closed]";
        changed_.notify_all();
    });
    static const std::regex listening(R"(on http://127\.0\.0\.1:(\d+)/)");
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, k_start_deadline, [&] {
        std::smatch match;
        if (std::regex_search(log_, match, listening)) {
            port_ = static_cast<std::uint16_t>(std::stoi(match[1]));
            return true;
        }
        return log_.find("[log closed]") != std::string::npos;
    });
}

ServerProcess::~ServerProcess() {
    stop();
    if (reader_.joinable()) reader_.join();
    if (stderr_fd_ >= 0) close(stderr_fd_);
}

int ServerProcess::stop() {
    if (exit_code_) return *exit_code_;
    if (pid_ <= 0) return -1;
    kill(pid_, SIGTERM);
    exit_code_ = wait_exit_code(pid_);
    return *exit_code_;
}

void ServerProcess::kill_now() {
    if (exit_code_ || pid_ <= 0) return;
    kill(pid_, SIGKILL);
    exit_code_ = wait_exit_code(pid_);
}

CarnetProcess::CarnetProcess(const std::vector<std::string>& args) {
    std::vector<std::string> argv{CARNET_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    const int null_fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    pid_ = spawn(argv, null_fd, null_fd, null_fd);
    close(null_fd);
}

CarnetProcess::~CarnetProcess() { kill_now(); }

bool CarnetProcess::running() {
    if (exit_code_) return false;
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) != pid_) return true;
    exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return false;
}

int CarnetProcess::kill_now() {
    if (exit_code_) return *exit_code_;
    kill(pid_, SIGKILL);
    exit_code_ = wait_exit_code(pid_);
    return *exit_code_;
}

std::string ServerProcess::log() const {
    std::scoped_lock lock(mutex_);
    return log_;
}

HttpResponse http_get(std::uint16_t port, const std::string& target,
                      const std::map<std::string, std::string>& headers, const std::string& method,
                      const std::string& body) {
    HttpResponse response;
    try {
        asio::io_context io;
        asio::ip::tcp::socket socket(io);
        socket.connect({asio::ip::make_address("127.0.0.1"), port});
        timeval timeout{10, 0};
        setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        beast::http::request<beast::http::string_body> request(beast::http::string_to_verb(method),
                                                               target, 11);
        request.set(beast::http::field::host, "127.0.0.1");
        for (const auto& [name, value] : headers) request.set(name, value);
        if (!body.empty() || method == "POST") {
            request.body() = body;
            request.prepare_payload();
        }
        beast::http::write(socket, request);
        beast::flat_buffer buffer;
        beast::http::response_parser<beast::http::string_body> parser;
        parser.body_limit(64 * 1024 * 1024);
        if (method == "HEAD") parser.skip(true);
        beast::http::read(socket, buffer, parser);
        const auto& message = parser.get();
        response.status = static_cast<int>(message.result_int());
        for (const auto& field : message) {
            std::string name(field.name_string());
            for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            auto& value = response.headers[name];
            // Set-Cookie may come several times: each on a line of its own.
            if (name == "set-cookie" && !value.empty()) value += '\n';
            if (name != "set-cookie") value.clear();
            value.append(field.value().data(), field.value().size());
        }
        response.body = message.body();
        response.connection_ok = true;
    } catch (const std::exception&) {
        response.connection_ok = false;
    }
    return response;
}

std::string cookie_set(const HttpResponse& response, const std::string& name) {
    const auto found = response.headers.find("set-cookie");
    if (found == response.headers.end()) return {};
    std::smatch match;
    const std::regex pattern("(?:^|\n)" + name + "=([^;\n]*)");
    return std::regex_search(found->second, match, pattern) ? match[1].str() : std::string();
}

std::string form_encode(const std::map<std::string, std::string>& fields) {
    std::string encoded;
    for (const auto& [name, value] : fields) {
        if (!encoded.empty()) encoded += '&';
        encoded += name + '=';
        for (const unsigned char c : value) {
            if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
                encoded += static_cast<char>(c);
            } else {
                static constexpr char hex[] = "0123456789ABCDEF";
                encoded += '%';
                encoded += hex[c >> 4];
                encoded += hex[c & 15];
            }
        }
    }
    return encoded;
}

std::string http_raw(std::uint16_t port, const std::string& bytes) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    std::string answer;
    if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0) {
        timeval timeout{5, 0};
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
        std::size_t sent = 0;
        while (sent < bytes.size()) {
            const auto count = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
            if (count <= 0) break;  // the server may close early on an oversized request
            sent += count;
        }
        char buffer[8192];
        while (true) {
            const auto count = recv(fd, buffer, sizeof buffer, 0);
            if (count <= 0) break;
            answer.append(buffer, count);
        }
    }
    close(fd);
    return answer;
}

std::string fold_space(const std::string& text) {
    std::string folded;
    bool pending = false;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool nbsp =
            c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xA0;
        if (std::isspace(c) || nbsp) {
            if (nbsp) ++i;
            pending = !folded.empty();
            continue;
        }
        if (pending) folded += ' ';
        pending = false;
        folded += static_cast<char>(c);
    }
    return folded;
}

std::string visible_text(const std::string& html) {
    auto dumped = run_command(
        {"w3m", "-dump", "-T", "text/html", "-cols", "5000", "-O", "UTF-8", "-I", "UTF-8"}, html);
    return dumped.out;
}

std::string database_fingerprint(const std::filesystem::path& db,
                                 const std::vector<std::string>& ignored_columns) {
    // Python's sqlite3 reads the file as any other client would, the server left running.
    static constexpr const char* k_script = R"py(
import sqlite3, sys
db = sqlite3.connect("file:" + sys.argv[1] + "?mode=ro", uri=True)
ignored = set(sys.argv[2:])
# The search tables are read through their shadow tables: the virtual tables themselves need
# carnet's tokenizers, which this client has not.
tables = [r[0] for r in db.execute(
    "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
    "AND sql NOT LIKE 'CREATE VIRTUAL TABLE%' ORDER BY name")]
for table in tables:
    if f"{table}.*" in ignored:
        continue
    columns = [r[1] for r in db.execute(f'PRAGMA table_info("{table}")')
               if f"{table}.{r[1]}" not in ignored]
    if not columns:
        continue
    listed = ", ".join(f'"{c}"' for c in columns)
    rows = db.execute(f'SELECT {listed} FROM "{table}"').fetchall()
    print(table, sorted(repr(row) for row in rows))
)py";
    std::vector<std::string> argv{"python3", "-c", k_script, db.string()};
    argv.insert(argv.end(), ignored_columns.begin(), ignored_columns.end());
    auto dumped = run_command(argv);
    // A fingerprint that cannot be taken fails the test: two equal error texts would read as
    // an unchanged database.
    if (dumped.exit_code != 0) {
        ADD_FAILURE() << "cannot read the database " << db << ": " << dumped.err;
        return "cannot read the database: " + dumped.err;
    }
    return dumped.out;
}

std::string admin_comments(const AdminSession& admin, const std::string& status) {
    return admin.get("/admin/blogs/1/comments?status=" + status).body;
}

std::string approve_comment(const AdminSession& admin, const std::string& text) {
    const auto page = admin_comments(admin, "pending");
    const auto at = page.find(text);
    if (at == std::string::npos) return "no pending comment holds " + text + ": " + page;
    std::smatch match;
    const std::string after = page.substr(at);
    if (!std::regex_search(after, match, std::regex(R"(/comments/(\d+)/approve)"))) {
        return "no approve button after " + text;
    }
    auto approved = admin.post("/admin/blogs/1/comments/" + match[1].str() + "/approve", {});
    if (approved.status != 303) return "approving answered " + std::to_string(approved.status);
    return {};
}

std::uint16_t free_port() {
    boost::asio::io_context io;
    boost::asio::ip::tcp::acceptor acceptor(io, {boost::asio::ip::make_address("127.0.0.1"), 0});
    return acceptor.local_endpoint().port();
}

bool eventually(const std::function<bool()>& check) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (std::chrono::steady_clock::now() < deadline) {
        if (check()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return check();
}

int count_of(const std::string& text, const std::string& what) {
    int found = 0;
    for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++found;
    return found;
}

AdminSession::AdminSession(std::uint16_t port, const std::string& email,
                           const std::string& password, std::map<std::string, std::string> headers)
    : port_(port), headers_(std::move(headers)) {
    const std::regex csrf_field(R"re(name="csrf" value="([^"]+)")re");
    const auto form = http_get(port_, "/admin/login", headers_);
    std::smatch token;
    if (!std::regex_search(form.body, token, csrf_field)) {
        failure_ = "no CSRF token on the login form: " + form.body;
        return;
    }
    auto posted = headers_;
    posted["Cookie"] = "carnet_login=" + cookie_set(form, "carnet_login");
    posted["Content-Type"] = "application/x-www-form-urlencoded";
    const auto login = http_get(port_, "/admin/login", posted, "POST",
                                form_encode({{"email", email},
                                             {"password", password},
                                             {"csrf", token[1].str()},
                                             {"next", "/admin/"}}));
    if (login.status != 303) {
        failure_ = "the login answered " + std::to_string(login.status) + ": " + login.body;
        return;
    }
    session_ = cookie_set(login, "carnet_session");
    const auto settings = get("/admin/blogs/1/settings");
    std::smatch csrf;
    if (!std::regex_search(settings.body, csrf, csrf_field)) {
        failure_ = "no CSRF token in the admin: " + settings.body;
        return;
    }
    csrf_ = csrf[1].str();
}

std::map<std::string, std::string> AdminSession::with_session() const {
    auto headers = headers_;
    headers["Cookie"] = "carnet_session=" + session_;
    return headers;
}

HttpResponse AdminSession::get(const std::string& target) const {
    return http_get(port_, target, with_session());
}

HttpResponse AdminSession::post(const std::string& target,
                                std::map<std::string, std::string> fields) const {
    fields["csrf"] = csrf_;
    auto headers = with_session();
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return http_get(port_, target, headers, "POST", form_encode(fields));
}

}  // namespace carnet::testing
