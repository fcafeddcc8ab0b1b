// The benchmarks' generated blog: French titles and paragraphs drawn from a small
// vocabulary, a few categories each, three posts a day going back in time from 2026-10-31.
// Shared by generate_blog (the server benchmark) and search_bench.
#pragma once

#include <fmt/format.h>

#include <cctype>
#include <chrono>
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "markup/markup.hpp"
#include "model/model.hpp"

namespace carnet::bench {

inline const std::vector<std::string> k_places{"Syrie",   "Libye",    "Misrata", "Syrte",
                                               "Alep",    "Homs",     "Raqqa",   "Deir ez-Zhor",
                                               "Tripoli", "Benghazi", "Idlib",   "Palmyre"};
inline const std::vector<std::string> k_actors{
    "Etat Islamique", "Armée Arabe Syrienne",           "Russie",        "États-Unis",
    "Turquie",        "Forces démocratiques syriennes", "Nations unies", "Haftar"};
inline const std::vector<std::string> k_words{
    "offensive", "ville",        "forces",   "régime",   "attaque",  "bilan",     "civils",
    "frontière", "négociations", "combats",  "province", "armée",    "milices",   "désert",
    "aviation",  "reprise",      "convoi",   "route",    "quartier", "habitants", "ministre",
    "accord",    "trêve",        "contrôle", "position", "bastion",  "soutien",   "coalition"};

inline std::string sentence(std::mt19937& random, int words) {
    std::uniform_int_distribution<std::size_t> pick(0, k_words.size() - 1);
    std::string text;
    for (int i = 0; i < words; ++i) {
        if (i > 0) text += ' ';
        text += k_words[pick(random)];
    }
    text[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(text[0])));
    return text;
}

// The i-th post of the generated blog; `random` carries the sequence from post to post.
inline model::Post generated_post(std::int64_t blog_id, int i, std::mt19937& random) {
    const auto newest = std::chrono::sys_days{std::chrono::year{2026} / 10 / 31};
    model::Post post;
    post.blog_id = blog_id;
    post.status = model::PostStatus::published;
    post.title =
        fmt::format("{} : {} (n° {})", k_places[i % k_places.size()], sentence(random, 6), i);
    post.source_format = model::SourceFormat::markdown;
    for (int paragraph = 0; paragraph < 6; ++paragraph) {
        if (paragraph == 3) post.source += "## " + sentence(random, 4) + "\n\n";
        post.source += sentence(random, 60) + ".\n\n";
    }
    post.html = markup::render_post_body(post.source_format, post.source);
    post.excerpt = markup::excerpt(post.html);
    post.published_at = newest - std::chrono::minutes(i * 480 + 7);
    post.updated_at = post.published_at;
    post.categories = {model::Category{.name = k_places[i % k_places.size()]},
                       model::Category{.name = k_actors[i % k_actors.size()]}};
    return post;
}

}  // namespace carnet::bench
