// End-to-end: two `carnet serve` nodes on one PostgreSQL database behind Debian's nginx as a
// round-robin balancer, as a host that outgrew one machine runs them. What one node writes,
// the other serves within a second; sessions, comment forms and images hold on either; and
// a node killed under load loses no comment it acknowledged while the other keeps answering.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <fstream>
#include <regex>
#include <thread>

#include "support.hpp"
#include "testing/postgres_server.hpp"

namespace carnet::testing {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

const std::string k_password = "un mot de passe assez long";
const std::map<std::string, std::string> k_host{{"Host", "blog.test"}};

std::string nginx_binary() {
    for (const char* candidate : {"/usr/sbin/nginx", "/usr/bin/nginx"}) {
        if (fs::exists(candidate)) return candidate;
    }
    return "";
}

// Debian's nginx with a configuration of the test's own, in its folder, on a free port.
class Balancer {
public:
    Balancer(const fs::path& dir, std::uint16_t first, std::uint16_t second) : dir_(dir) {
        fs::create_directories(dir_ / "logs");
        port_ = free_port();
        std::ofstream(dir_ / "nginx.conf") << fmt_config(first, second);
        pid_ = fork();
        if (pid_ == 0) {
            execl(nginx_binary().c_str(), "nginx", "-p", dir_.c_str(), "-c",
                  (dir_ / "nginx.conf").c_str(), static_cast<char*>(nullptr));
            _exit(127);
        }
        const auto deadline = std::chrono::steady_clock::now() + 10s;
        while (std::chrono::steady_clock::now() < deadline) {
            if (http_get(port_, "/", k_host).status != 0) return;
            std::this_thread::sleep_for(50ms);
        }
        port_ = 0;
    }
    ~Balancer() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            waitpid(pid_, nullptr, 0);
        }
    }
    Balancer(const Balancer&) = delete;
    Balancer& operator=(const Balancer&) = delete;

    std::uint16_t port() const { return port_; }
    std::string error_log() const { return read_file(dir_ / "logs" / "error.log"); }

private:
    std::string fmt_config(std::uint16_t first, std::uint16_t second) const {
        const auto d = dir_.string();
        return "daemon off;\nworker_processes 1;\npid " + d + "/nginx.pid;\nerror_log " + d +
               "/logs/error.log;\nevents { worker_connections 256; }\nhttp {\n"
               "  access_log off;\n  client_body_temp_path " +
               d + "/body;\n  proxy_temp_path " + d + "/proxy;\n  fastcgi_temp_path " + d +
               "/fastcgi;\n  uwsgi_temp_path " + d + "/uwsgi;\n  scgi_temp_path " + d +
               "/scgi;\n"
               "  upstream carnet {\n    server 127.0.0.1:" +
               std::to_string(first) +
               " max_fails=1 fail_timeout=5s;\n    server 127.0.0.1:" + std::to_string(second) +
               " max_fails=1 fail_timeout=5s;\n  }\n"
               "  server {\n    listen 127.0.0.1:" +
               std::to_string(port_) +
               ";\n"
               "    location / {\n      proxy_pass http://carnet;\n"
               "      proxy_set_header Host $host;\n"
               "      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;\n"
               "      proxy_set_header X-Forwarded-Proto http;\n"
               "      proxy_connect_timeout 2s;\n    }\n  }\n}\n";
    }

    fs::path dir_;
    std::uint16_t port_ = 0;
    pid_t pid_ = -1;
};

class TwoNodes : public ::testing::Test {
protected:
    void SetUp() override {
        if (nginx_binary().empty()) GTEST_FAIL() << "nginx is not installed (scripts/install-deps)";
        std::string failure;
        auto* server = postgres_server(&failure);
        ASSERT_NE(server, nullptr) << failure;
        auto uri = server->create_database();
        ASSERT_TRUE(uri.has_value()) << uri.error();
        uri_ = *uri;
        ASSERT_EQ(run_carnet(
                      {"init", "--db", uri_, "--title", "Le carnet partagé", "--host", "blog.test"})
                      .exit_code,
                  0);
        auto user = run_carnet({"user", "add", "--db", uri_, "--email", "amina@example.org",
                                "--name", "Amina", "--password-stdin", "--role", "owner"},
                               k_password + "\n");
        ASSERT_EQ(user.exit_code, 0) << user.err;
        a_ = start_node();
        b_ = start_node();
        ASSERT_NE(a_->port(), 0) << a_->log();
        ASSERT_NE(b_->port(), 0) << b_->log();
        balancer_ = std::make_unique<Balancer>(dir_.path() / "nginx", a_->port(), b_->port());
        ASSERT_NE(balancer_->port(), 0) << balancer_->error_log();
    }

    // Every node shares the media folder, as nodes on several machines share an NFS mount.
    std::unique_ptr<ServerProcess> start_node() {
        return std::make_unique<ServerProcess>(
            uri_, std::vector<std::string>{"--media-dir", (dir_.path() / "media").string(),
                                           "--comment-delay", "0", "--trusted-proxy", "127.0.0.1",
                                           "--login-delay", "60"});
    }

    // Signs in on `port` and keeps the session and the CSRF token.
    void sign_in_on(std::uint16_t port) {
        AdminSession session(port, "amina@example.org", k_password, k_host);
        ASSERT_TRUE(session.signed_in()) << session.failure();
        session_ = session.cookie();
        csrf_ = session.csrf();
    }

    HttpResponse admin(std::uint16_t port, const std::string& target,
                       std::map<std::string, std::string> fields = {},
                       const std::string& method = "GET") {
        auto headers = k_host;
        headers["Cookie"] = "carnet_session=" + session_;
        if (method == "GET") return http_get(port, target, headers);
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        fields["csrf"] = csrf_;
        return http_get(port, target, headers, "POST", form_encode(fields));
    }

    // Polls `port`'s `target` until its body holds `text`, for at most `limit`.
    bool shows_within(std::uint16_t port, const std::string& target, const std::string& text,
                      std::chrono::milliseconds limit) {
        const auto deadline = std::chrono::steady_clock::now() + limit;
        do {
            if (http_get(port, target, k_host).body.find(text) != std::string::npos) return true;
            std::this_thread::sleep_for(20ms);
        } while (std::chrono::steady_clock::now() < deadline);
        return false;
    }

    // Publishes a post with comments open through `port`'s admin (signed in).
    void publish(std::uint16_t port, const std::string& title, const std::string& source) {
        auto saved = admin(port, "/admin/blogs/1/posts",
                           {{"title", title},
                            {"source", source},
                            {"status", "published"},
                            {"comments_open", "on"}},
                           "POST");
        ASSERT_EQ(saved.status, 303) << saved.body;
    }

    // The permalink of the newest post on `port`'s home page; empty when there is none.
    std::string newest_post(std::uint16_t port) {
        std::smatch link;
        const auto home = http_get(port, "/", k_host).body;
        if (!std::regex_search(home, link,
                               std::regex(R"re(<a href="(/archive/[^"]+)" rel="bookmark">)re"))) {
            return "";
        }
        return link[1].str();
    }

    // Sends a comment through `port` (a node or the balancer) as a reader at `address`: true
    // when acknowledged.
    bool comment(std::uint16_t port, const std::string& post, const std::string& text,
                 const std::string& address) {
        const auto page = http_get(port, post, k_host);
        std::smatch form;
        static const std::regex form_parts(
            R"re(<form id="comment-form"[^>]*action="([^"]+)"[\s\S]*?name="stamp" value="([^"]+)")re");
        if (!std::regex_search(page.body, form, form_parts)) return false;
        auto headers = k_host;
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        headers["X-Forwarded-For"] = address;
        const auto sent = http_get(
            port, form[1].str(), headers, "POST",
            form_encode(
                {{"name", "Lecteur"}, {"body", text}, {"stamp", form[2].str()}, {"homepage", ""}}));
        return sent.status == 303;
    }

    TempDir dir_;
    std::string uri_;
    std::unique_ptr<ServerProcess> a_;
    std::unique_ptr<ServerProcess> b_;
    std::unique_ptr<Balancer> balancer_;
    std::string session_;
    std::string csrf_;
};

TEST_F(TwoNodes, WhatOneNodeWritesTheOtherServesAndAKilledNodeLosesNoAcknowledgedComment) {
    // Warm both nodes' caches with the empty home page.
    ASSERT_EQ(http_get(a_->port(), "/", k_host).status, 200);
    ASSERT_EQ(http_get(b_->port(), "/", k_host).status, 200);

    // A session opened on A holds on B.
    sign_in_on(a_->port());
    const auto on_b = admin(b_->port(), "/admin/blogs/1/");
    ASSERT_EQ(on_b.status, 200) << b_->log();
    EXPECT_NE(on_b.body.find("Amina"), std::string::npos);

    // An image uploaded on A is served by B.
    const auto image = dir_.path() / "carte.png";
    auto made = run_command(
        {"python3", "-c",
         "import struct,zlib,sys\n"
         "def chunk(k,d): return struct.pack('>I',len(d))+k+d+struct.pack('>I',zlib.crc32(k+d))\n"
         "rows=b''.join(b'\\x00'+b''.join(bytes([x*4%256,y*5%256,90]) for x in range(64)) for y "
         "in range(48))\n"
         "png=b'\\x89PNG\\r\\n\\x1a\\n'+chunk(b'IHDR',struct.pack('>IIBBBBB',64,48,8,2,0,0,0))"
         "+chunk(b'IDAT',zlib.compress(rows))+chunk(b'IEND',b'')\n"
         "open(sys.argv[1],'wb').write(png)\n",
         image.string()});
    ASSERT_EQ(made.exit_code, 0) << made.err;
    const std::string boundary = "carnet-test-boundary";
    const std::string body = "--" + boundary +
                             "\r\nContent-Disposition: form-data; name=\"csrf\"\r\n\r\n" + csrf_ +
                             "\r\n--" + boundary +
                             "\r\nContent-Disposition: form-data; name=\"file\"; "
                             "filename=\"carte.png\"\r\nContent-Type: image/png\r\n\r\n" +
                             read_file(image) + "\r\n--" + boundary + "--\r\n";
    auto upload_headers = k_host;
    upload_headers["Cookie"] = "carnet_session=" + session_;
    upload_headers["Content-Type"] = "multipart/form-data; boundary=" + boundary;
    upload_headers["Accept"] = "application/json";
    const auto uploaded = http_get(a_->port(), "/admin/upload/1", upload_headers, "POST", body);
    ASSERT_EQ(uploaded.status, 200) << uploaded.body << a_->log();
    // Its full-size public copy (the original, which keeps the camera's metadata, is not
    // served): HASH-WIDTH.png.
    std::smatch file;
    ASSERT_TRUE(
        std::regex_search(uploaded.body, file, std::regex(R"re("file":"([0-9a-f]+)\.png")re")))
        << uploaded.body;
    const auto served = http_get(b_->port(), "/media/" + file[1].str() + "-64.png", k_host);
    EXPECT_EQ(served.status, 200) << uploaded.body;
    EXPECT_EQ(served.headers.at("content-type"), "image/png");

    // A post published through A's admin is on B's home page within a second.
    const auto published = std::chrono::steady_clock::now();
    ASSERT_NO_FATAL_FAILURE(
        publish(a_->port(), "Deux nœuds, un carnet", "Publié sur un nœud, lu sur l'autre."));
    EXPECT_TRUE(shows_within(b_->port(), "/", "Deux nœuds, un carnet", 1000ms)) << b_->log();
    std::cout << "published on A, shown by B after "
              << std::chrono::duration_cast<std::chrono::milliseconds>(
                     std::chrono::steady_clock::now() - published)
                     .count()
              << " ms\n";
    const auto post = newest_post(b_->port());
    ASSERT_FALSE(post.empty());

    // A comment sent to B directly is moderated on A.
    {
        const auto page = http_get(b_->port(), post, k_host);
        std::smatch form;
        ASSERT_TRUE(std::regex_search(
            page.body, form,
            std::regex(
                R"re(<form id="comment-form"[^>]*action="([^"]+)"[\s\S]*?name="stamp" value="([^"]+)")re")));
        auto headers = k_host;
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        const auto sent = http_get(b_->port(), form[1].str(), headers, "POST",
                                   form_encode({{"name", "Basile"},
                                                {"body", "Envoyé au second nœud."},
                                                {"stamp", form[2].str()},
                                                {"homepage", ""}}));
        ASSERT_EQ(sent.status, 303) << b_->log();
        const auto queue = admin(a_->port(), "/admin/blogs/1/comments?status=approved");
        EXPECT_NE(queue.body.find("Envoyé au second nœud."), std::string::npos) << queue.body;
    }

    // Under a stream of comments through the balancer, A dies (kill -9). Every comment the
    // balancer acknowledged is in the database, and the balancer keeps answering through B.
    std::atomic<bool> stop{false};
    std::vector<std::string> acknowledged;
    std::mutex acknowledged_mutex;
    int refused = 0;
    std::thread writer([&] {
        for (int i = 0; !stop && i < 400; ++i) {
            const auto text = "Commentaire numéro " + std::to_string(i) + " sous charge.";
            // A reader per comment: the per-address limit is not what this test is about.
            const auto address = "198.51.100." + std::to_string(1 + i % 250);
            if (comment(balancer_->port(), post, text, address)) {
                std::scoped_lock lock(acknowledged_mutex);
                acknowledged.push_back(text);
            } else {
                ++refused;
            }
        }
    });
    std::this_thread::sleep_for(1500ms);
    a_->kill_now();
    std::this_thread::sleep_for(2000ms);
    stop = true;
    writer.join();
    EXPECT_GT(acknowledged.size(), 10u);

    int answered = 0;
    for (int i = 0; i < 20; ++i) {
        if (http_get(balancer_->port(), "/", k_host).status == 200) ++answered;
    }
    EXPECT_EQ(answered, 20) << balancer_->error_log();

    // Whether held for moderation or shown, each is in the database.
    auto stored = run_command(
        {"psql", "--no-psqlrc", "-At", "--dbname", uri_, "-c", "SELECT source FROM comments"});
    ASSERT_EQ(stored.exit_code, 0) << stored.err;
    std::vector<std::string> lost;
    for (const auto& text : acknowledged) {
        if (stored.out.find(text + "\n") == std::string::npos) lost.push_back(text);
    }
    EXPECT_TRUE(lost.empty()) << lost.size() << " acknowledged comments lost, the first: "
                              << (lost.empty() ? "" : lost.front());
    std::cout << acknowledged.size() << " comments acknowledged, " << refused
              << " not (during the kill), none lost\n";
}

TEST_F(TwoNodes, CommentsSentToEitherNodeShareOneAllowance) {
    sign_in_on(a_->port());
    ASSERT_NO_FATAL_FAILURE(publish(a_->port(), "Un billet très commenté", "Dites-nous tout."));
    const auto post = newest_post(b_->port());
    ASSERT_FALSE(post.empty());
    const auto status_of = [&](const std::string& text) {
        auto done = run_command({"psql", "--no-psqlrc", "-At", "--dbname", uri_, "-c",
                                 "SELECT status FROM comments WHERE source = '" + text + "'"});
        EXPECT_EQ(done.exit_code, 0) << done.err;
        return done.out;
    };
    // One reader, sent to A and B in turn by the balancer: five comments in ten minutes is
    // the allowance of the reader, not of each node.
    const std::string reader = "203.0.113.50";
    for (int i = 0; i < 5; ++i) {
        const auto text = "Commentaire partagé " + std::to_string(i);
        ASSERT_TRUE(comment(i % 2 == 0 ? a_->port() : b_->port(), post, text, reader));
        EXPECT_EQ(status_of(text), "approved\n") << text;
    }
    // B has seen two of them, A three: each is past the limit all the same. A comment over it
    // gets the same answer as any other and is kept as spam for a moderator to judge.
    ASSERT_TRUE(comment(b_->port(), post, "Un de trop sur B", reader));
    EXPECT_EQ(status_of("Un de trop sur B"), "spam\n") << b_->log();
    ASSERT_TRUE(comment(a_->port(), post, "Un de trop sur A", reader));
    EXPECT_EQ(status_of("Un de trop sur A"), "spam\n") << a_->log();
    // Another reader has an allowance of their own.
    ASSERT_TRUE(comment(b_->port(), post, "Une autre lectrice", "203.0.113.51"));
    EXPECT_EQ(status_of("Une autre lectrice"), "approved\n");
}

TEST_F(TwoNodes, PasswordGuessesOnOneNodeAreThrottledOnTheOther) {
    auto try_password = [&](std::uint16_t port, const std::string& password) {
        const auto form = http_get(port, "/admin/login", k_host);
        std::smatch token;
        EXPECT_TRUE(
            std::regex_search(form.body, token, std::regex(R"re(name="csrf" value="([^"]+)")re")));
        auto headers = k_host;
        headers["Cookie"] = "carnet_login=" + cookie_set(form, "carnet_login");
        headers["Content-Type"] = "application/x-www-form-urlencoded";
        return http_get(port, "/admin/login", headers, "POST",
                        form_encode({{"email", "amina@example.org"},
                                     {"password", password},
                                     {"csrf", token.size() > 1 ? token[1].str() : ""},
                                     {"next", "/admin/"}}))
            .status;
    };
    // The first failures are free; past them, a wait (60 s here) that the other node knows.
    for (int i = 0; i < 4; ++i) EXPECT_EQ(try_password(a_->port(), "pas le bon"), 401);
    EXPECT_EQ(try_password(b_->port(), "pas le bon non plus"), 429) << b_->log();
    EXPECT_EQ(try_password(b_->port(), k_password), 429);
    // A node started later counts them too (they are in the database, not in a process).
    auto late = start_node();
    ASSERT_NE(late->port(), 0) << late->log();
    EXPECT_EQ(try_password(late->port(), k_password), 429);
}

TEST_F(TwoNodes, ScheduledPostsArePublishedOnceByOneNode) {
    // Drafts saved on A, then scheduled for two seconds from now, as an editor who schedules a
    // batch; both nodes run the scheduler every few seconds.
    sign_in_on(a_->port());
    constexpr int k_posts = 12;
    for (int i = 0; i < k_posts; ++i) {
        auto saved = admin(a_->port(), "/admin/blogs/1/posts",
                           {{"title", "Dépêche programmée " + std::to_string(i)},
                            {"source", "Publiée à l'heure dite."},
                            {"status", "draft"}},
                           "POST");
        ASSERT_EQ(saved.status, 303) << saved.body;
    }
    const auto psql = [&](const std::string& sql) {
        auto done = run_command({"psql", "--no-psqlrc", "-At", "--dbname", uri_, "-c", sql});
        EXPECT_EQ(done.exit_code, 0) << done.err;
        return done.out;
    };
    psql(
        "UPDATE posts SET status = 'scheduled', "
        "published_at = extract(epoch FROM now())::bigint + 2 WHERE status = 'draft'");

    EXPECT_TRUE(eventually([&] {
        return psql("SELECT count(*) FROM posts WHERE status = 'published'") == "12\n";
    })) << a_->log()
        << b_->log();
    // Both nodes had their turn at the due posts before the check.
    std::this_thread::sleep_for(6s);
    // The nodes' logs count them once between them: a post published by both would count
    // twice (and queue its followers' activity twice).
    int logged = 0;
    const std::regex published(R"re(published (\d+) scheduled post)re");
    for (const auto* node : {a_.get(), b_.get()}) {
        const auto log = node->log();
        for (std::sregex_iterator it(log.begin(), log.end(), published), end; it != end; ++it) {
            logged += std::stoi((*it)[1].str());
        }
    }
    EXPECT_EQ(logged, k_posts);
    EXPECT_TRUE(shows_within(b_->port(), "/", "Dépêche programmée 11", 1000ms));
}

}  // namespace
}  // namespace carnet::testing
