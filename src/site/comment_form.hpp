// The comments of a post page: the threads readers see, and what happens to a comment sent
// through the form (checks, spam rules, the blog's moderation policy). Private to the site.
#pragma once

#include <cstdint>
#include <string>

#include "comments/comments.hpp"
#include "http/http.hpp"
#include "model/model.hpp"
#include "store/store.hpp"
#include "theme/theme.hpp"

namespace carnet::site {

// What a comment form is checked with; one for the whole site, shared by every thread.
struct CommentGuards {
    // Given by the site: stamps under the key every node shares (Site::create).
    comments::FormStamps stamps = comments::FormStamps::with_random_key();
    // Counting in the database when the site has a ledger (SiteOptions::comment_ledger).
    comments::RateLimit rate_limit;
    comments::SpamRules spam_rules;
};

using comments::comments_open;
using comments::policy_of;

// The section under a post: this page of threads (?comments=N), the form with a fresh stamp,
// a reply's parent (?reply=N) and the notice after a comment was sent (?comment=held).
[[nodiscard]] model::Result<theme::CommentsSection> comments_section(
    store::Store& store, const model::Blog& blog, const model::Post& post,
    const http::Request& request, const CommentGuards& guards, model::Instant now);

struct CommentOutcome {
    enum class Kind {
        stored,   // `comment` was stored, approved, held or as spam
        refused,  // the reader must correct the form: `section` shows it again with `error`
    };
    Kind kind = Kind::stored;
    model::Comment comment;
    theme::CommentsSection section;
};

// Checks and stores a comment sent to the post's form. `text` gives the blog's words for
// the messages a reader may see.
[[nodiscard]] model::Result<CommentOutcome> receive_comment(
    store::Store& store, const model::Blog& blog, const model::Post& post,
    const http::Request& request, CommentGuards& guards, model::Instant now,
    const std::function<std::string(std::string_view msgid)>& text);

}  // namespace carnet::site
