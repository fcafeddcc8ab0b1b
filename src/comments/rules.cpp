#include <fmt/format.h>

#include <algorithm>
#include <cctype>

#include "comments/comments.hpp"
#include "comments/text.hpp"
#include "markup/markup.hpp"
#include "text/text.hpp"

namespace carnet::comments {
namespace {

// RFC 5321 §4.5.3.1: 64 bytes for the local part, 254 for a whole address that fits in a
// path.
constexpr std::size_t k_max_email_local_bytes = 64;
constexpr std::size_t k_max_email_bytes = 254;

bool has_control_character(std::string_view text) {
    return std::any_of(text.begin(), text.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
}

// Plausible, not valid: a mistyped address is worth telling the commenter about, but only the
// mail server can say whether an address exists. Non-ASCII is let through for
// internationalized addresses.
bool is_plausible_email(std::string_view email) {
    if (email.size() > k_max_email_bytes || has_control_character(email)) return false;
    if (email.find_first_of(" <>()[],;:\"\\") != std::string_view::npos) return false;
    const auto at = email.find('@');
    if (at == std::string_view::npos || email.find('@', at + 1) != std::string_view::npos) {
        return false;
    }
    const auto local = email.substr(0, at);
    const auto domain = email.substr(at + 1);
    if (local.empty() || local.size() > k_max_email_local_bytes) return false;
    if (domain.find('.') == std::string_view::npos || domain.front() == '.' ||
        domain.back() == '.' || domain.find("..") != std::string_view::npos) {
        return false;
    }
    return true;
}

void check_text(Field field, std::string_view label, std::string_view text, std::size_t max_chars,
                std::vector<Invalid>& problems) {
    if (!text::is_valid_utf8(text)) {
        problems.push_back(
            {field, Problem::malformed, fmt::format("{} is not valid UTF-8", label)});
        return;
    }
    const auto trimmed = trim(text);
    if (trimmed.empty()) {
        problems.push_back({field, Problem::missing, fmt::format("{} is empty", label)});
    } else if (text::count_chars(trimmed) > max_chars) {
        problems.push_back({field, Problem::too_long,
                            fmt::format("{} is longer than {} characters", label, max_chars)});
    }
}

bool contains_words(const std::vector<std::string>& text, const std::vector<std::string>& phrase) {
    return !phrase.empty() &&
           std::search(text.begin(), text.end(), phrase.begin(), phrase.end()) != text.end();
}

void add_reason(Verdict& verdict, SpamRule rule, std::string_view detail = {}) {
    verdict.reasons.push_back({rule, detail.empty()
                                         ? std::string(to_string(rule))
                                         : fmt::format("{} ({})", to_string(rule), detail)});
}

}  // namespace

std::string_view to_string(Field field) {
    switch (field) {
        case Field::author_name:
            return "author_name";
        case Field::author_email:
            return "author_email";
        case Field::author_url:
            return "author_url";
        case Field::body:
            return "body";
    }
    return "body";
}

std::string_view to_string(Problem problem) {
    switch (problem) {
        case Problem::missing:
            return "missing";
        case Problem::too_long:
            return "too_long";
        case Problem::malformed:
            return "malformed";
    }
    return "malformed";
}

std::string_view to_string(SpamRule rule) {
    switch (rule) {
        case SpamRule::honeypot:
            return "honeypot";
        case SpamRule::link_in_name:
            return "link_in_name";
        case SpamRule::too_many_links:
            return "too_many_links";
        case SpamRule::blocked_word:
            return "blocked_word";
    }
    return "blocked_word";
}

std::vector<Invalid> validate(const CommentDraft& draft, const DraftLimits& limits) {
    std::vector<Invalid> problems;

    check_text(Field::author_name, "the name", draft.author_name, limits.max_name_chars, problems);
    if (text::is_valid_utf8(draft.author_name) && has_control_character(trim(draft.author_name))) {
        problems.push_back({Field::author_name, Problem::malformed,
                            "the name holds a line break or another control character"});
    }

    const auto email = trim(draft.author_email);
    if (!email.empty() && (!text::is_valid_utf8(email) || !is_plausible_email(email))) {
        problems.push_back(
            {Field::author_email, Problem::malformed, "the e-mail address does not look like one"});
    }

    const auto url = trim(draft.author_url);
    if (!url.empty() && !markup::safe_web_url(url)) {
        problems.push_back({Field::author_url, Problem::malformed,
                            "the web site is not an absolute http or https URL"});
    }

    check_text(Field::body, "the comment", draft.body, limits.max_body_chars, problems);
    return problems;
}

std::vector<std::string> default_blocked_words() {
    // Phrases rather than single words where the single word has honest uses on a news
    // blog ("crypto", "bitcoin", "prêt", "trading"). Whole-word matching: list plurals.
    return {
        // English
        "casino",
        "casinos",
        "viagra",
        "cialis",
        "payday loan",
        "payday loans",
        "online pharmacy",
        "replica watches",
        "binary options",
        "forex signals",
        "crypto investment",
        "bitcoin investment",
        "double your bitcoin",
        "seo services",
        "buy followers",
        // French
        "prêt rapide",
        "prêts rapides",
        "crédit rapide",
        "rachat de crédit",
        "pharmacie en ligne",
        "investissement crypto",
        "gagner de l'argent facilement",
        "voyance",
        "grand marabout",
        "retour affectif",
        "rencontres coquines",
    };
}

Verdict classify(const CommentDraft& draft, const SpamRules& rules) {
    Verdict verdict;
    if (!trim(draft.honeypot).empty()) add_reason(verdict, SpamRule::honeypot);
    if (count_links(draft.author_name) > 0) add_reason(verdict, SpamRule::link_in_name);

    const std::size_t links = count_links(draft.body);
    const auto max_links = static_cast<std::size_t>(std::max(rules.max_links, 0));
    if (links > max_links) {
        add_reason(verdict, SpamRule::too_many_links, fmt::format("{} > {}", links, max_links));
    }

    // Each field on its own, so that a phrase cannot be made of the end of the name and the
    // start of the body.
    const std::vector<std::vector<std::string>> fields = {
        fold_words(draft.author_name), fold_words(draft.author_url), fold_words(draft.body)};
    std::vector<std::vector<std::string>> reported;  // "Casino" and "casino" are one reason
    for (const auto& blocked : rules.blocked_words) {
        auto phrase = fold_words(blocked);
        if (std::find(reported.begin(), reported.end(), phrase) != reported.end()) continue;
        if (std::any_of(fields.begin(), fields.end(),
                        [&](const auto& words) { return contains_words(words, phrase); })) {
            add_reason(verdict, SpamRule::blocked_word, blocked);
            reported.push_back(std::move(phrase));
        }
    }
    return verdict;
}

model::CommentPolicy policy_of(const model::Blog& blog, const model::Post& post) {
    return post.comment_policy.value_or(blog.comment_policy);
}

bool comments_open(const model::Blog& blog, const model::Post& post, model::Instant now) {
    if (!post.comments_open || policy_of(blog, post) == model::CommentPolicy::closed) return false;
    if (blog.close_comments_after_days > 0 &&
        now > post.published_at + std::chrono::days(blog.close_comments_after_days)) {
        return false;
    }
    return true;
}

model::CommentStatus initial_status(model::CommentPolicy policy, bool is_spam, bool known_author) {
    if (is_spam) return model::CommentStatus::spam;
    if (policy == model::CommentPolicy::open) return model::CommentStatus::approved;
    if (policy == model::CommentPolicy::first_held && known_author) {
        return model::CommentStatus::approved;
    }
    return model::CommentStatus::pending;
}

}  // namespace carnet::comments
