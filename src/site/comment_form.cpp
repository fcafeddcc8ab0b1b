#include "site/comment_form.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <map>

#include "auth/auth.hpp"
#include "markup/markup.hpp"

namespace carnet::site {
namespace {

// Replies deeper than this are shown at this depth, under the last comment that fits: a
// thread stays readable on a phone.
constexpr int k_max_depth = 4;
constexpr int k_threads_per_page = 50;

// The threads of approved comments, oldest first, replies under their parents.
std::vector<theme::CommentNode> threads_of(const std::vector<model::Comment>& comments) {
    struct Slot {
        std::int64_t parent = 0;  // the comment it hangs under, 0 for a thread
        int depth = 0;
    };
    std::map<std::int64_t, Slot> slots;
    std::map<std::int64_t, std::vector<std::int64_t>> children;
    std::vector<std::int64_t> roots;
    std::map<std::int64_t, const model::Comment*> by_id;
    for (const auto& comment : comments) by_id[comment.id] = &comment;
    for (const auto& comment : comments) {
        auto parent = slots.find(comment.parent_id);
        // A parent that is not shown (held, deleted, later) makes the reply a thread.
        if (comment.parent_id == 0 || parent == slots.end()) {
            slots[comment.id] = {0, 0};
            roots.push_back(comment.id);
            continue;
        }
        std::int64_t under = comment.parent_id;
        int depth = parent->second.depth + 1;
        while (depth > k_max_depth) {
            under = slots[under].parent;
            --depth;
        }
        slots[comment.id] = {under, depth};
        children[under].push_back(comment.id);
    }
    std::function<theme::CommentNode(std::int64_t)> build = [&](std::int64_t id) {
        theme::CommentNode node{*by_id.at(id), {}};
        for (auto child : children[id]) node.replies.push_back(build(child));
        return node;
    };
    std::vector<theme::CommentNode> threads;
    for (auto root : roots) threads.push_back(build(root));
    return threads;
}

// The reader's words for what is wrong with the form.
std::string_view problem_text(const comments::Invalid& invalid) {
    using comments::Field;
    using comments::Problem;
    switch (invalid.field) {
        case Field::author_name:
            if (invalid.problem == Problem::missing) return "Please give your name.";
            if (invalid.problem == Problem::too_long) {
                return "Your name is too long (100 characters at most).";
            }
            return "Your name holds characters that cannot be shown.";
        case Field::body:
            if (invalid.problem == Problem::missing) return "Please write a comment.";
            if (invalid.problem == Problem::too_long) {
                return "Your comment is too long (10,000 characters at most).";
            }
            return "Your comment holds characters that cannot be shown.";
        case Field::author_email:
            return "This e-mail address does not look right.";
        case Field::author_url:
            return "The web site must be an address starting with http:// or https://.";
    }
    return "Your comment could not be read: please send it again.";
}

}  // namespace

model::Result<theme::CommentsSection> comments_section(store::Store& store, const model::Blog& blog,
                                                       const model::Post& post,
                                                       const http::Request& request,
                                                       const CommentGuards& guards,
                                                       model::Instant now) {
    theme::CommentsSection section;
    auto approved = store.comments().approved_comments(blog.id, post.id);
    if (!approved) return std::unexpected(approved.error());
    auto threads = threads_of(*approved);
    section.page_count = std::max<int>(
        1, (static_cast<int>(threads.size()) + k_threads_per_page - 1) / k_threads_per_page);
    section.page = static_cast<int>(std::clamp<std::int64_t>(
        http::parse_id(request.query_param("comments").value_or("")).value_or(1), 1,
        section.page_count));
    const auto first = static_cast<std::size_t>((section.page - 1) * k_threads_per_page);
    for (auto i = first; i < threads.size() && i < first + k_threads_per_page; ++i) {
        section.threads.push_back(std::move(threads[i]));
    }
    auto reactions = store.federation().reaction_counts(blog.id, post.id);
    if (!reactions) return std::unexpected(reactions.error());
    section.shares = reactions->shares;
    section.likes = reactions->likes;
    section.open = comments_open(blog, post, now);
    if (section.open) section.stamp = guards.stamps.make_stamp(post.id, now);
    const auto notice = request.query_param("comment").value_or("");
    if (notice == "held") section.notice = theme::CommentsSection::Notice::held;
    if (notice == "approved") section.notice = theme::CommentsSection::Notice::approved;
    if (auto reply = http::parse_id(request.query_param("reply").value_or(""))) {
        auto parent = std::ranges::find_if(
            *approved, [&](const model::Comment& comment) { return comment.id == *reply; });
        if (parent != approved->end()) {
            section.parent_id = parent->id;
            section.parent_author = parent->author_name;
        }
    }
    return section;
}

model::Result<CommentOutcome> receive_comment(
    store::Store& store, const model::Blog& blog, const model::Post& post,
    const http::Request& request, CommentGuards& guards, model::Instant now,
    const std::function<std::string(std::string_view msgid)>& text) {
    CommentOutcome outcome;
    auto section = comments_section(store, blog, post, http::Request{}, guards, now);
    if (!section) return std::unexpected(section.error());
    auto refuse = [&](std::string_view why) {
        outcome.kind = CommentOutcome::Kind::refused;
        outcome.section = std::move(*section);
        outcome.section.error = text(why);
        return outcome;
    };
    auto form = http::parse_form(request);
    if (!form) return refuse("Your comment could not be read: please send it again.");
    comments::CommentDraft draft{.author_name = http::trim_blank(form->get("name").value_or("")),
                                 .author_email = http::trim_blank(form->get("email").value_or("")),
                                 .author_url = http::trim_blank(form->get("url").value_or("")),
                                 .body = http::trim_blank(form->get("body").value_or("")),
                                 .honeypot = form->get("homepage").value_or("")};
    section->name = draft.author_name;
    section->email = draft.author_email;
    section->url = draft.author_url;
    section->body = draft.body;
    const auto parent_id = http::parse_id(form->get("parent").value_or("")).value_or(0);

    std::vector<std::string> spam_reasons;
    switch (guards.stamps.check_stamp(form->get("stamp").value_or(""), post.id, now)) {
        case comments::StampCheck::valid:
            break;
        case comments::StampCheck::too_old:
            // A reader who left the page open: not spam, but the form must be sent again.
            return refuse("This form was opened too long ago: please send your comment again.");
        case comments::StampCheck::too_fast:
            spam_reasons.emplace_back("stamp (sent too fast)");
            break;
        case comments::StampCheck::forged:
        case comments::StampCheck::malformed:
            spam_reasons.emplace_back("stamp (not ours)");
            break;
    }
    if (!guards.rate_limit.allow(request.remote_address, now)) {
        spam_reasons.emplace_back("rate_limit");
    }
    if (auto problems = comments::validate(draft); !problems.empty()) {
        return refuse(problem_text(problems.front()));
    }
    for (const auto& reason : comments::classify(draft, guards.spam_rules).reasons) {
        spam_reasons.push_back(reason.text);
    }

    model::Comment comment;
    comment.blog_id = blog.id;
    comment.post_id = post.id;
    comment.author_name = draft.author_name;
    comment.author_email = draft.author_email;
    comment.author_url = markup::safe_url(draft.author_url).value_or("");
    comment.source = draft.body;
    comment.html = markup::render_comment(draft.body);
    comment.created_at = now;
    comment.client_hash = auth::hash_token(request.remote_address);
    if (parent_id != 0) {
        auto parent = store.comments().find_comment(blog.id, parent_id);
        if (!parent) return std::unexpected(parent.error());
        // Only a reply to a comment readers can see, on this post, stays a reply.
        if (*parent && (*parent)->post_id == post.id &&
            (*parent)->status == model::CommentStatus::approved) {
            comment.parent_id = parent_id;
        }
    }
    bool known_author = false;
    if (spam_reasons.empty() && policy_of(blog, post) == model::CommentPolicy::first_held &&
        !draft.author_email.empty()) {
        auto known = store.comments().has_approved_comment_from(blog.id, draft.author_name,
                                                                draft.author_email);
        if (!known) return std::unexpected(known.error());
        known_author = *known;
    }
    comment.status =
        comments::initial_status(policy_of(blog, post), !spam_reasons.empty(), known_author);
    auto written = store.write([&](store::Writer& writer) -> model::Status {
        auto added = writer.comments().add_comment(comment);
        if (!added) return std::unexpected(added.error());
        comment.id = *added;
        return {};
    });
    if (!written) return std::unexpected(written.error());
    if (comment.status == model::CommentStatus::spam) {
        std::string reasons;
        for (const auto& reason : spam_reasons) reasons += (reasons.empty() ? "" : ", ") + reason;
        spdlog::info("blog {}: comment {} on post {} held as spam: {}", blog.id, comment.id,
                     post.id, reasons);
    }
    outcome.comment = std::move(comment);
    return outcome;
}

}  // namespace carnet::site
