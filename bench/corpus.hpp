// The benchmarks' generated blog: French news posts about the wars in Syria and Libya, three
// a day going back in time from 2026-10-31, with a few categories each. Shared by
// generate_blog (the server benchmark) and search_bench.
//
// Search costs depend on how often the searched words occur, so the text follows the shape
// of real French prose rather than a handful of words repeated everywhere:
// - a few thousand content words whose frequencies follow Zipf's law (rank r drawn with
//   probability ~ 1/r^1.07), so that the first ones are in most posts, a few hundred are in
//   5-30% of them and the long tail in a few percent;
// - function words ("de", "la", "les"...) making up 45% of the text, as in real French;
// - fixed expressions ("état islamique", "conseil de sécurité") that phrase searches find;
// - each post's own subject (a place and an actor) repeated through it, as news does;
// - proper names drawn from a space of about 150,000, so that each is in a handful of posts
//   (the "rare word" of the benchmark), and numbers;
// - posts of 300 to 1,500 words (most under 700), titles of 8 to 12 words.
#pragma once

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "markup/markup.hpp"
#include "model/model.hpp"

namespace carnet::bench {

inline const std::vector<std::string> k_places{
    "Syrie",     "Libye",     "Misrata",  "Syrte",    "Alep",  "Homs",    "Raqqa",
    "Tripoli",   "Benghazi",  "Idlib",    "Palmyre",  "Damas", "Mossoul", "Deraa",
    "Hama",      "Lattaquié", "Tartous",  "Kobané",   "Afrin", "Manbij",  "Derna",
    "Sabratha",  "Tobrouk",   "Ajdabiya", "Koufra",   "Sebha", "Bagdad",  "Kirkouk",
    "Falloujah", "Ramadi",    "Tikrit",   "Beyrouth", "Amman", "Ankara",  "Gaziantep"};
inline const std::vector<std::string> k_actors{"Etat Islamique", "Armée Arabe Syrienne",
                                               "Russie",         "États-Unis",
                                               "Turquie",        "Forces démocratiques syriennes",
                                               "Nations unies",  "Haftar",
                                               "Hezbollah",      "Iran",
                                               "Front al-Nosra", "Jaych al-Islam"};

// Content words in order of frequency (the most frequent first), written by hand; the long
// tail is generated from the syllables and endings below.
inline constexpr std::string_view k_common_words_text =
    "forces régime ville armée attaque pays combats offensive civils gouvernement "
    "président groupe contrôle frontière province bilan milices rebelles jihadistes région "
    "militaire soldats guerre accord opposition combattants sécurité population ministre "
    "politique aviation frappes positions quartier habitants conflit bastion coalition "
    "soutien route convoi désert reprise trêve négociations pouvoir victimes morts blessés "
    "réfugiés secteur nord sud est ouest centre année mois semaine jour dimanche lundi "
    "mardi mercredi jeudi vendredi samedi selon source agence vidéo images photos "
    "observatoire porte-parole communiqué déclaration informations presse journalistes "
    "médias chef commandant général colonel officier unité brigade bataillon division "
    "régiment artillerie chars blindés missiles roquettes obus mortiers drones avions "
    "hélicoptères bombardements raids assaut embuscade explosion attentat kamikaze voiture "
    "piégée engin mines tunnels siège encerclement percée avancée retrait repli défense "
    "ligne front colline village localité aéroport base caserne prison hôpital école "
    "mosquée église marché pont barrage autoroute pétrole gaz champs raffinerie port côte "
    "mer fleuve vallée montagne plaine oasis tribus clans chefs notables conseil parlement "
    "élections constitution réforme transition dialogue médiation émissaire envoyé "
    "diplomatie sanctions embargo aide humanitaire évacuation corridor otages prisonniers "
    "échange libération arrestation exécution procès tribunal justice enquête rapport "
    "organisation mouvement parti alliance alliés ennemis adversaires partisans militants "
    "insurgés terroristes terrorisme islamistes extrémistes califat émir cellule réseau "
    "recrutement propagande revendication menace risque crise tensions violence massacre "
    "destruction ruines reconstruction économie budget salaires prix pénurie électricité "
    "eau nourriture médicaments santé épidémie famille enfants femmes hommes jeunes "
    "étudiants travailleurs migrants camp camps exil retour déplacés passeurs trafic armes "
    "munitions livraisons fournitures logistique renseignement espionnage surveillance "
    "satellite carte territoire zone périmètre axe nœud carrefour entrée sortie portes "
    "murs bâtiment immeuble toits snipers tireurs fusil mitrailleuse lance-roquettes "
    "batterie radar défenses antiaérienne pertes succès échec victoire défaite stratégie "
    "tactique objectif opération campagne manœuvre mission intervention présence "
    "occupation souveraineté indépendance autonomie fédéralisme kurdes arabes turkmènes "
    "chrétiens musulmans sunnites chiites alaouites druzes yézidis minorités communautés "
    "religion histoire patrimoine antiquités musée temple théâtre citadelle remparts "
    "ancienne nouvelle importante stratégique symbolique lourd intense violents rapide "
    "lente difficile possible probable officiel officieux confirmé démenti annoncé "
    "revendiqué attaqué repris perdu gagné tué blessé capturé libéré détruit bombardé "
    "encerclé assiégé évacué menacé soutenu armé financé formé entraîné déployé envoyé "
    "retiré lancé mené conduit dirigé commandé";

// What the tail of the vocabulary is made from: a root of two or three syllables and a French
// ending give plausible words ("moralisation", "terabilité"), each root used once so that the
// stemmer does not fold the tail into a few stems.
inline constexpr std::array<std::string_view, 36> k_syllables{
    "ba",  "bo", "ca", "co", "cri", "da", "de", "di", "fa", "fo",  "ga",  "gra",
    "la",  "li", "lo", "ma", "mi",  "mo", "na", "ni", "pa", "pe",  "pla", "po",
    "pri", "ra", "re", "ri", "ro",  "sa", "si", "ta", "te", "tri", "va",  "vi"};
inline constexpr std::array<std::string_view, 24> k_endings{
    "tion", "ment", "teur", "rice", "isme",  "iste",  "ité",   "ance",
    "age",  "ique", "able", "oire", "ure",   "esse",  "ier",   "ière",
    "euse", "al",   "if",   "ive",  "tions", "ments", "iques", "ables"};

// Function words in order of frequency; together they are 45% of the text.
inline constexpr std::string_view k_function_words_text =
    "de la le les et des à en du un une l' d' a que qui dans pour par sur au est ont été "
    "pas plus ne se ce il ils son sa ses avec aux sont mais ou leur leurs lors alors "
    "depuis contre entre après avant sous comme deux trois tout tous cette ces aussi "
    "encore déjà où dont très vers près sans chez dès face auprès moins";

// Expressions a news blog writes again and again: what phrase searches look for.
inline constexpr std::string_view k_expressions_text =
    "état islamique|armée arabe syrienne|forces démocratiques syriennes|"
    "conseil de sécurité|cessez-le-feu|droits de l'homme|ministre des affaires étrangères|"
    "gouvernement d'union nationale|armée nationale libyenne|zone de désescalade|"
    "frappes aériennes|voiture piégée|selon un premier bilan|au moins|de nombreux civils|"
    "la ligne de front|les forces du régime|l'opposition armée|le président russe|"
    "la coalition internationale|les forces spéciales|l'aviation russe|l'armée turque|"
    "les milices chiites|les combattants kurdes|"
    "l'observatoire syrien des droits de l'homme|le croissant rouge|les casques blancs|"
    "la banque centrale|la compagnie nationale du pétrole|le gouvernement de transition|"
    "la conférence de paix|les pourparlers d'Astana|l'envoyé spécial de l'ONU|"
    "le nord de la Syrie|le sud de la Libye|à l'aube|dans la nuit de samedi à dimanche|"
    "en fin de journée|la semaine dernière|ces derniers jours|depuis le début du conflit";

// The pieces of `text` between `separator`s.
inline std::vector<std::string_view> split_words(std::string_view text, char separator) {
    std::vector<std::string_view> words;
    while (!text.empty()) {
        const auto end = std::min(text.find(separator), text.size());
        if (end > 0) words.push_back(text.substr(0, end));
        text.remove_prefix(std::min(end + 1, text.size()));
    }
    return words;
}

// A proper name made from syllables: about 150,000 of them, each rare.
inline std::string rare_name(std::uint32_t n) {
    static constexpr std::array<std::string_view, 54> syllables{
        "ab",  "al",  "am",  "an",  "ar",  "as",  "ba",  "bak", "dar", "di",  "dja",
        "el",  "fa",  "far", "ha",  "had", "ham", "ib",  "il",  "ja",  "jam", "ka",
        "kal", "kha", "la",  "lam", "ma",  "mah", "mir", "mou", "na",  "nas", "nour",
        "ou",  "ra",  "rah", "sa",  "sal", "sam", "sha", "sid", "sou", "ta",  "tar",
        "ou",  "wa",  "wal", "ya",  "yas", "za",  "zar", "zi",  "zou", "ri"};
    std::string name;
    const std::uint32_t count = syllables.size();
    name += syllables[n % count];
    name += syllables[(n / count) % count];
    name += syllables[(n / count / count) % count];
    name[0] = static_cast<char>(name[0] - 'a' + 'A');
    return name;
}
inline constexpr std::uint32_t k_rare_name_count = 54 * 54 * 54;

// The whole vocabulary, with the tables that draw words from it. Built once.
class Vocabulary {
public:
    static const Vocabulary& get() {
        static const Vocabulary vocabulary;
        return vocabulary;
    }

    // Content words by rank: 0 is the most frequent.
    const std::vector<std::string>& content() const { return content_; }
    const std::vector<std::string_view>& expressions() const { return expressions_; }

    // A content word of the post whose seed is `post`. A post keeps to its subject: it uses
    // the word of rank r (from 1) only with probability 0.92 / r^0.25, so that even the most
    // frequent words are missing from some posts and the others come in bursts.
    std::string_view content_word(std::mt19937& random, std::uint64_t post) const {
        for (int attempt = 0; attempt < 32; ++attempt) {
            const auto rank = draw(content_weights_, random);
            if (unit_hash(post * 0x9E3779B97F4A7C15ULL + rank) < usage_[rank]) {
                return content_[rank];
            }
        }
        return content_[draw(content_weights_, random)];
    }
    std::string_view function_word(std::mt19937& random) const {
        return function_words_[draw(function_weights_, random)];
    }
    std::string_view expression(std::mt19937& random) const {
        return expressions_[draw(expression_weights_, random)];
    }

private:
    Vocabulary() {
        for (auto word : split_words(k_common_words_text, ' ')) content_.emplace_back(word);
        function_words_ = split_words(k_function_words_text, ' ');
        expressions_ = split_words(k_expressions_text, '|');
        // The generated tail in a fixed shuffled order, so that no stem is all at one end.
        std::mt19937 shuffle(2017);
        std::vector<std::string> roots;
        for (auto a : k_syllables) {
            for (auto b : k_syllables) roots.push_back(std::string(a) + std::string(b));
        }
        for (std::size_t i = 0; i < 1200; ++i) {
            roots.push_back(roots[i * 7 % 1296] + std::string(k_syllables[i % 36]));
        }
        std::shuffle(roots.begin(), roots.end(), shuffle);
        for (const auto& root : roots) {
            content_.push_back(root + std::string(k_endings[shuffle() % k_endings.size()]));
        }
        content_weights_ = zipf(content_.size(), 1.07);
        for (std::size_t rank = 0; rank < content_.size(); ++rank) {
            usage_.push_back(0.92 / std::pow(static_cast<double>(rank + 1), 0.25));
        }
        function_weights_ = zipf(function_words_.size(), 1.0);
        expression_weights_ = zipf(expressions_.size(), 0.8);
    }

    // Cumulative weights of ranks 1..n under Zipf's law with exponent s, ending at 1.
    static std::vector<double> zipf(std::size_t n, double s) {
        std::vector<double> cumulative(n);
        double sum = 0;
        for (std::size_t r = 0; r < n; ++r) {
            sum += 1.0 / std::pow(static_cast<double>(r + 1), s);
            cumulative[r] = sum;
        }
        for (auto& weight : cumulative) weight /= sum;
        return cumulative;
    }

    // A hash of `key` (splitmix64) as a number in [0, 1).
    static double unit_hash(std::uint64_t key) {
        key += 0x9E3779B97F4A7C15ULL;
        key = (key ^ (key >> 30)) * 0xBF58476D1CE4E5B9ULL;
        key = (key ^ (key >> 27)) * 0x94D049BB133111EBULL;
        key ^= key >> 31;
        return static_cast<double>(key >> 11) * 0x1.0p-53;
    }

    static std::size_t draw(const std::vector<double>& cumulative, std::mt19937& random) {
        const double u = std::uniform_real_distribution<double>(0.0, 1.0)(random);
        const auto at = std::lower_bound(cumulative.begin(), cumulative.end(), u);
        return std::min<std::size_t>(static_cast<std::size_t>(at - cumulative.begin()),
                                     cumulative.size() - 1);
    }

    std::vector<std::string> content_;
    std::vector<std::string_view> function_words_;
    std::vector<std::string_view> expressions_;
    std::vector<double> content_weights_;
    std::vector<double> usage_;
    std::vector<double> function_weights_;
    std::vector<double> expression_weights_;
};

// Appends `count` words of running text about `place` and `actor`.
inline void append_words(std::string& text, int count, std::uint64_t post, std::string_view place,
                         std::string_view actor, std::mt19937& random) {
    const auto& vocabulary = Vocabulary::get();
    std::uniform_real_distribution<double> chance(0.0, 1.0);
    bool sentence_start = true;
    int in_sentence = 0;
    int sentence_length = 12;
    for (int i = 0; i < count; ++i) {
        const double roll = chance(random);
        std::string word;
        if (roll < 0.45) {
            word = vocabulary.function_word(random);
        } else if (roll < 0.93) {
            word = vocabulary.content_word(random, post);
        } else if (roll < 0.95) {
            word = vocabulary.expression(random);
        } else if (roll < 0.965) {
            word = place;
        } else if (roll < 0.975) {
            word = actor;
        } else if (roll < 0.99) {
            word = k_places[random() % k_places.size()];
        } else if (roll < 0.995) {
            word = rare_name(random() % k_rare_name_count);
        } else {
            word = std::to_string(random() % 2000);
        }
        if (sentence_start) {
            sentence_length = 8 + static_cast<int>(random() % 22);
            if (word[0] >= 'a' && word[0] <= 'z') word[0] = static_cast<char>(word[0] - 'a' + 'A');
        }
        if (!text.empty() && !sentence_start) text += ' ';
        if (!text.empty() && sentence_start && text.back() != '\n') text += ' ';
        text += word;
        // "l'" and "d'" glue to the next word, as in French.
        if (word.ends_with('\'') && i + 1 < count) {
            text += vocabulary.content_word(random, post);
            ++i;
        }
        sentence_start = ++in_sentence >= sentence_length;
        if (sentence_start) {
            text += '.';
            in_sentence = 0;
        }
    }
    if (!sentence_start) text += '.';
}

// The i-th post of the generated blog; `random` carries the sequence from post to post.
inline model::Post generated_post(std::int64_t blog_id, int i, std::mt19937& random) {
    const auto& vocabulary = Vocabulary::get();
    const auto newest = std::chrono::sys_days{std::chrono::year{2026} / 10 / 31};
    const auto& place = k_places[random() % k_places.size()];
    const auto& actor = k_actors[random() % k_actors.size()];
    const std::uint64_t seed = random();
    model::Post post;
    post.blog_id = blog_id;
    post.status = model::PostStatus::published;
    // "Misrata : l'offensive des forces ... (n° 1234)": the number keeps slugs unique.
    std::string title;
    const int title_words = 6 + static_cast<int>(random() % 5);
    for (int w = 0; w < title_words; ++w) {
        if (!title.empty()) title += ' ';
        if (w == title_words / 2 && random() % 2 == 0) {
            title += actor;
        } else {
            title += w % 2 == 0 ? vocabulary.content_word(random, seed)
                                : vocabulary.function_word(random);
        }
    }
    post.title = fmt::format("{} : {} (n° {})", place, title, i);
    // Most posts are short, a few long: 300 words plus an exponential tail, at most 1,500.
    const double extra = std::exponential_distribution<double>(1.0 / 300.0)(random);
    const int words = 300 + static_cast<int>(std::min(extra, 1200.0));
    post.source_format = model::SourceFormat::markdown;
    int written = 0;
    int paragraph = 0;
    while (written < words) {
        const int length = std::min(words - written, 40 + static_cast<int>(random() % 80));
        if (paragraph == 3) {
            std::string heading;
            append_words(heading, 5, seed, place, actor, random);
            heading.pop_back();  // no full stop in a heading
            post.source += "## " + heading + "\n\n";
        }
        std::string text;
        append_words(text, length, seed, place, actor, random);
        post.source += text + "\n\n";
        written += length;
        ++paragraph;
    }
    post.html = markup::render_post_body(post.source_format, post.source);
    post.excerpt = markup::excerpt(post.html);
    post.published_at = newest - std::chrono::minutes(i * 480 + 7);
    post.updated_at = post.published_at;
    post.categories = {model::Category{.name = place}, model::Category{.name = actor}};
    return post;
}

}  // namespace carnet::bench
