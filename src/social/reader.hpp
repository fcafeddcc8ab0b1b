// What the accounts a blog follows send it: the Accept or Reject of its Follow, and the Notes
// and Articles they post (Create, Update, Delete), kept for the admin's reader. The inbox
// (federation.cpp) hands them over once it has checked the signature and the blocks. Private
// to the social module.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "http/http.hpp"
#include "model/model.hpp"
#include "social/replies.hpp"
#include "store/store.hpp"
#include "text/clock.hpp"

namespace carnet::social::activitypub {

class Reader {
public:
    // The store and the clock must outlive it.
    Reader(store::Store& store, const Clock& clock);

    // Accept (accepted) or Reject of the blog's Follow of the signer: the account followed
    // becomes accepted, or is forgotten. Anything else is taken (202) and changes nothing.
    http::Response follow_answered(const Inbound& inbound, bool accepted);

    // Create or Update of a Note or an Article that an account the blog follows (accepted)
    // attributes to itself, on its own site: kept for the reader, its HTML through the comment
    // sanitiser, or the kept item changed. Nothing for anything else.
    [[nodiscard]] Status keep(const Inbound& inbound);
    // Delete of an item the reader keeps, by the actor that posted it: it goes.
    [[nodiscard]] Status forget(const Inbound& inbound);

private:
    store::Store& store_;
    const Clock& clock_;
};

// An HTML fragment from elsewhere as the reader shows it: its text, a paragraph for each of
// its blocks (p, div, li, blockquote, headings, br), rendered as a comment is
// (markup::render_comment): nothing in it runs.
std::string sanitised_html(std::string_view html);

// An RFC 3339 date and time ("2026-12-02T08:00:00Z", fractions and offsets allowed); nothing
// for anything else.
std::optional<model::Instant> parse_rfc3339(std::string_view text);

}  // namespace carnet::social::activitypub
