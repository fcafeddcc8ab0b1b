// Writes a blog of N generated posts into a new SQLite database, for the benchmarks: French
// titles and paragraphs drawn from a small vocabulary, a few categories each, three posts a
// day going back in time from 2026-10-31.
#include <fmt/format.h>

#include <iostream>
#include <random>
#include <string>

#include "corpus.hpp"
#include "model/model.hpp"
#include "store/store.hpp"

using namespace carnet;

int main(int argc, char** argv) {
    if (argc != 3) {
        std::cerr << "usage: generate_blog DATABASE POSTS\n";
        return 1;
    }
    const std::string path = argv[1];
    const int post_count = std::stoi(argv[2]);
    const carnet::SystemClock wall_clock;
    auto store = store::open_sqlite_store(path, store::OpenMode::create_if_missing, wall_clock);
    if (!store) {
        std::cerr << store.error().message << "\n";
        return 2;
    }
    std::int64_t blog_id = 0;
    auto written = (*store)->write([&](store::Writer& writer) -> model::Status {
        auto created = writer.blogs().create_blog(model::Blog{.title = "Banc d'essai"});
        if (!created) return std::unexpected(created.error());
        blog_id = *created;
        std::mt19937 random(42);
        for (int i = 0; i < post_count; ++i) {
            const auto post = bench::generated_post(blog_id, i, random);
            auto added = writer.posts().create_post(post);
            if (!added) return std::unexpected(added.error());
        }
        return {};
    });
    if (!written) {
        std::cerr << written.error().message << "\n";
        return 2;
    }
    std::cout << fmt::format("{} posts written to {}\n", post_count, path);
    return 0;
}
