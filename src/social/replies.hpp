// What the fediverse does to a blog's posts besides following: replies (a Note, kept as a
// comment under the blog's moderation) and reactions (Like, Announce, counted on the post).
// The inbox (federation.cpp) hands them over once it has checked the signature and the
// blocks. Private to the social module.
#pragma once

#include <boost/json/object.hpp>
#include <cstddef>
#include <optional>
#include <string>

#include "comments/comments.hpp"
#include "http/http.hpp"
#include "model/model.hpp"
#include "social/social.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace carnet::social::activitypub {

// An activity the inbox took for the blog, signed by `signer` (who is its actor).
struct Inbound {
    const model::Blog& blog;
    std::string request_host;
    const Signer& signer;
    const boost::json::object& activity;
};

class Replies {
public:
    // The store and the clock must outlive it. A reply's text is cut to `max_chars`.
    Replies(store::Store& store, const Clock& clock, std::size_t max_chars);

    // Create(Note): a public Note whose inReplyTo is a post of the blog (its permalink, its
    // Article id), a comment of one (#comment-N) or a reply already kept becomes a comment,
    // threaded under the comment it answers, under the post's policy and the spam rules.
    // Anything else is taken (202) and kept nowhere.
    http::Response create(const Inbound& inbound);
    // Update(Note): the kept reply's text, when its own actor sends it (403 otherwise).
    http::Response update(const Inbound& inbound);
    // Delete of a Note (by id, in full or as a Tombstone): the kept reply goes, when its own
    // actor sends it (403 otherwise).
    http::Response remove(const Inbound& inbound);
    // Like or Announce of a post of the blog: counted, once per actor.
    http::Response react(const Inbound& inbound, store::ReactionKind kind);
    // Undo of a Like or an Announce the blog counted; nothing when the activity undone is not
    // one.
    std::optional<http::Response> undo_reaction(const Inbound& inbound);

private:
    struct Target {
        model::Post post;
        std::int64_t parent_id = 0;
    };
    Result<std::optional<Target>> target_of(const Inbound& inbound, std::string_view in_reply_to);
    std::string text_of(const boost::json::object& note) const;

    store::Store& store_;
    const Clock& clock_;
    std::size_t max_chars_;
    comments::SpamRules spam_rules_;
};

}  // namespace carnet::social::activitypub
