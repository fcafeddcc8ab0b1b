#include "social/replies.hpp"

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>

#include "markup/markup.hpp"
#include "social/activitypub.hpp"
#include "social/targets.hpp"
#include "text/text.hpp"

namespace carnet::social::activitypub {
namespace {

using model::Error;

constexpr std::size_t k_max_name_chars = 100;

http::Response internal(const Error& error) {
    spdlog::error("activitypub: {}", error.message);
    return plain(500, "Something went wrong: please try again later.");
}

// The activity's object when it comes in full.
const boost::json::object* object_of(const boost::json::object& activity) {
    const auto* object = activity.if_contains("object");
    return object != nullptr && object->is_object() ? &object->as_object() : nullptr;
}

// Whether the audience (`to`, `cc`: one address or a list) holds the public collection. Only
// public replies are shown on the blog: a Note for its addressees alone stays theirs.
bool is_public(const boost::json::object& object) {
    const auto names_public = [](const boost::json::value& value) {
        if (!value.is_string()) return false;
        const auto text = value.get_string();
        return text == "https://www.w3.org/ns/activitystreams#Public" || text == "as:Public" ||
               text == "Public";
    };
    for (const auto* field : {"to", "cc"}) {
        const auto* value = object.if_contains(field);
        if (value == nullptr) continue;
        if (names_public(*value)) return true;
        if (value->is_array()) {
            for (const auto& each : value->get_array()) {
                if (names_public(each)) return true;
            }
        }
    }
    return false;
}

// The Note of a Create or Update, when it is one written by the activity's signer on its own
// site: nothing otherwise.
const boost::json::object* note_of(const Inbound& inbound) {
    const auto* note = object_of(inbound.activity);
    if (note == nullptr || json_string(*note, "type") != "Note") return nullptr;
    const auto id = json_string(*note, "id");
    if (id.empty() || host_of(id) != host_of(inbound.signer.actor)) return nullptr;
    if (id_of(note->if_contains("attributedTo")) != inbound.signer.actor) return nullptr;
    return note;
}

}  // namespace

Replies::Replies(store::Store& store, const Clock& clock, std::size_t max_chars)
    : store_(store), clock_(clock), max_chars_(max_chars) {}

// A Note's text as the comment keeps it: its HTML read as text, cut, as commenters write.
std::string Replies::text_of(const boost::json::object& note) const {
    auto html = json_string(note, "content");
    if (html.empty()) {
        if (const auto* map = note.if_contains("contentMap"); map != nullptr && map->is_object()) {
            for (const auto& [language, value] : map->as_object()) {
                if (value.is_string()) {
                    html = std::string(value.get_string());
                    break;
                }
            }
        }
    }
    return markup::excerpt(html, max_chars_);
}

Result<std::optional<Replies::Target>> Replies::target_of(const Inbound& inbound,
                                                          std::string_view in_reply_to) {
    if (in_reply_to.empty()) return std::optional<Target>();
    const auto blog_id = inbound.blog.id;
    // A reply to a reply the blog keeps.
    auto known = store_.federation().find_note(blog_id, in_reply_to);
    if (!known) return std::unexpected(known.error());
    if (*known) {
        auto post = store_.posts().find_post_by_id(blog_id, (*known)->post_id);
        if (!post) return std::unexpected(post.error());
        if (!*post || (*post)->status != model::PostStatus::published) {
            return std::optional<Target>();
        }
        auto parent = store_.comments().find_comment(blog_id, (*known)->comment_id);
        if (!parent) return std::unexpected(parent.error());
        const bool shown = *parent && (*parent)->status == model::CommentStatus::approved;
        return std::optional<Target>(Target{std::move(**post), shown ? (*known)->comment_id : 0});
    }
    // A post's permalink (its Article's id), or a comment's address on it.
    auto url = web_url(in_reply_to);
    if (!url) return std::optional<Target>();
    auto post = post_at_url(store_, inbound.blog, *url, inbound.request_host);
    if (!post) {
        if (post.error().code == Error::Code::not_found) return std::optional<Target>();
        return std::unexpected(post.error());
    }
    Target target{std::move(*post), comment_in_fragment(in_reply_to)};
    if (target.parent_id != 0) {
        auto parent = store_.comments().find_comment(blog_id, target.parent_id);
        if (!parent) return std::unexpected(parent.error());
        if (!*parent || (*parent)->post_id != target.post.id ||
            (*parent)->status != model::CommentStatus::approved) {
            target.parent_id = 0;
        }
    }
    return std::optional<Target>(std::move(target));
}

http::Response Replies::create(const Inbound& inbound) {
    const auto* note = note_of(inbound);
    if (note == nullptr) return plain(202, "Accepted: not a note of its actor.");
    if (!is_public(*note)) return plain(202, "Accepted: only public replies are shown.");
    const auto& blog = inbound.blog;
    const auto note_id = json_string(*note, "id");
    auto known = store_.federation().find_note(blog.id, note_id);
    if (!known) return internal(known.error());
    if (*known) return update(inbound);
    auto target = target_of(inbound, id_of(note->if_contains("inReplyTo")));
    if (!target) return internal(target.error());
    if (!*target) return plain(202, "Accepted: not a reply to this blog.");
    const auto& post = (*target)->post;
    const auto now = clock_.now();
    if (!comments::comments_open(blog, post, now)) {
        return plain(403, "Comments are closed on this post.");
    }
    const auto body = text_of(*note);
    if (body.empty()) return plain(422, "The reply says nothing.");

    const auto& signer = inbound.signer;
    const auto host = host_of(signer.actor);
    std::string handle = signer.preferred_username.empty()
                             ? std::string()
                             : fmt::format("{}@{}", signer.preferred_username, host);
    std::string author = signer.name.empty() ? signer.preferred_username : signer.name;
    if (text::count_chars(author) > k_max_name_chars) {
        author = markup::excerpt(text::html_escape(author), k_max_name_chars);
    }
    if (author.empty()) author = handle.empty() ? host : handle;
    auto author_url = markup::safe_web_url(signer.profile_url);
    if (!author_url) author_url = markup::safe_web_url(signer.actor);

    const comments::CommentDraft draft{
        .author_name = author, .author_url = author_url.value_or(""), .body = body};
    const auto verdict = comments::classify(draft, spam_rules_);
    model::Comment comment;
    comment.blog_id = blog.id;
    comment.post_id = post.id;
    comment.parent_id = (*target)->parent_id;
    comment.author_name = author;
    comment.author_url = author_url.value_or("");
    comment.author_handle = handle;
    comment.source = body;
    comment.html = markup::render_comment(body);
    comment.created_at = now;
    // Under first_held, an actor with a reply already approved on the blog is known, as a
    // commenter with a name and e-mail address is.
    bool known_author = false;
    if (!verdict.is_spam() && comments::policy_of(blog, post) == model::CommentPolicy::first_held) {
        auto known = store_.federation().has_approved_reply_from(blog.id, signer.actor);
        if (!known) return internal(known.error());
        known_author = *known;
    }
    comment.status =
        comments::initial_status(comments::policy_of(blog, post), verdict.is_spam(), known_author);
    auto written = store_.write([&](store::Writer& writer) -> Status {
        auto added = writer.comments().add_comment(comment);
        if (!added) return std::unexpected(added.error());
        spdlog::info("activitypub: {} became comment {} on post {} ({})", note_id, *added, post.id,
                     model::to_string(comment.status));
        return writer.federation().save_note({.blog_id = blog.id,
                                              .post_id = post.id,
                                              .note_id = note_id,
                                              .actor = signer.actor,
                                              .comment_id = *added});
    });
    if (!written) return internal(written.error());
    return plain(202, "Accepted: the reply will appear once it has been read.");
}

http::Response Replies::update(const Inbound& inbound) {
    const auto* object = object_of(inbound.activity);
    if (object == nullptr || json_string(*object, "type") != "Note") {
        return plain(202, "Accepted.");
    }
    const auto note_id = json_string(*object, "id");
    const auto blog_id = inbound.blog.id;
    auto known = store_.federation().find_note(blog_id, note_id);
    if (!known) return internal(known.error());
    if (!*known) return plain(202, "Accepted: this blog keeps no such reply.");
    if ((*known)->actor != inbound.signer.actor) {
        return plain(403, "Only the reply's author may change it.");
    }
    const auto* note = note_of(inbound);
    if (note == nullptr) return plain(403, "Only the reply's author may change it.");
    const auto body = text_of(*note);
    if (body.empty()) return plain(422, "The reply says nothing.");
    auto written = store_.write([&](store::Writer& writer) -> Status {
        return writer.comments().update_comment(blog_id, (*known)->comment_id, body,
                                                markup::render_comment(body));
    });
    if (!written) return internal(written.error());
    spdlog::info("activitypub: {} changed comment {}", note_id, (*known)->comment_id);
    return plain(202, "Accepted.");
}

http::Response Replies::remove(const Inbound& inbound) {
    const auto note_id = id_of(inbound.activity.if_contains("object"));
    const auto blog_id = inbound.blog.id;
    auto known = store_.federation().find_note(blog_id, note_id);
    if (!known) return internal(known.error());
    if (!*known) return plain(202, "Accepted: this blog keeps no such reply.");
    if ((*known)->actor != inbound.signer.actor) {
        return plain(403, "Only the reply's author may delete it.");
    }
    auto written = store_.write([&](store::Writer& writer) -> Status {
        return writer.comments().delete_comment(blog_id, (*known)->comment_id);
    });
    if (!written) return internal(written.error());
    spdlog::info("activitypub: {} deleted, and comment {} with it", note_id, (*known)->comment_id);
    return plain(202, "Accepted.");
}

http::Response Replies::react(const Inbound& inbound, store::ReactionKind kind) {
    const auto activity_id = json_string(inbound.activity, "id");
    if (activity_id.empty()) return plain(400, "The activity has no id.");
    auto url = web_url(id_of(inbound.activity.if_contains("object")));
    if (!url) return plain(202, "Accepted: not a post of this blog.");
    auto post = post_at_url(store_, inbound.blog, *url, inbound.request_host);
    if (!post) {
        if (post.error().code == Error::Code::not_found) {
            return plain(202, "Accepted: not a post of this blog.");
        }
        return internal(post.error());
    }
    auto written = store_.write([&](store::Writer& writer) -> Status {
        auto added = writer.federation().add_reaction({.blog_id = inbound.blog.id,
                                                       .post_id = post->id,
                                                       .actor = inbound.signer.actor,
                                                       .kind = kind,
                                                       .activity_id = activity_id});
        if (!added) return std::unexpected(added.error());
        return {};
    });
    if (!written) return internal(written.error());
    return plain(202, "Accepted.");
}

std::optional<http::Response> Replies::undo_reaction(const Inbound& inbound) {
    const auto* undone = inbound.activity.if_contains("object");
    if (const auto* object = object_of(inbound.activity); object != nullptr) {
        const auto type = json_string(*object, "type");
        if (type != "Like" && type != "Announce") return std::nullopt;
    }
    const auto activity_id = id_of(undone);
    if (activity_id.empty()) return std::nullopt;
    bool removed = false;
    auto written = store_.write([&](store::Writer& writer) -> Status {
        auto taken =
            writer.federation().remove_reaction(inbound.blog.id, inbound.signer.actor, activity_id);
        if (!taken) return std::unexpected(taken.error());
        removed = *taken;
        return {};
    });
    if (!written) return internal(written.error());
    if (!removed) return std::nullopt;
    return plain(202, "Accepted.");
}

}  // namespace carnet::social::activitypub
