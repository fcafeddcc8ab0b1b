// The blog's actor on the fediverse: its inboxes, its followers and what it delivers.
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <charconv>

#include "auth/auth.hpp"
#include "markup/markup.hpp"
#include "social/activitypub.hpp"
#include "social/html.hpp"
#include "social/reader.hpp"
#include "social/replies.hpp"
#include "social/social.hpp"
#include "social/targets.hpp"
#include "text/text.hpp"

namespace carnet::social {
namespace {

using activitypub::host_of;
using activitypub::id_of;
using activitypub::json_response;
using activitypub::json_string;
using activitypub::k_activity_json;
using activitypub::k_activity_streams;
using activitypub::k_actor_path;
using activitypub::plain;
using model::Error;

constexpr std::string_view k_deliver = "activitypub.deliver";
constexpr std::string_view k_post_activity = "activitypub.post";
// A delivery to an actor whose inbox is read from its document when the job runs.
constexpr std::string_view k_address = "activitypub.address";
constexpr std::string_view k_public = "https://www.w3.org/ns/activitystreams#Public";

// What a delivery job carries: the inbox, the blog's actor (whose key signs) and the activity.
struct Delivery {
    std::string inbox;
    std::string actor;
    std::string activity;  // JSON text, sent as it is
};

std::string delivery_payload(const Delivery& delivery) {
    return boost::json::serialize(boost::json::object{
        {"inbox", delivery.inbox}, {"actor", delivery.actor}, {"activity", delivery.activity}});
}

std::optional<Delivery> parse_delivery(std::string_view payload) {
    boost::system::error_code error;
    auto value = boost::json::parse(payload, error);
    if (error || !value.is_object()) return std::nullopt;
    const auto& object = value.as_object();
    Delivery delivery{json_string(object, "inbox"), json_string(object, "actor"),
                      json_string(object, "activity")};
    if (delivery.inbox.empty() || delivery.actor.empty() || delivery.activity.empty()) {
        return std::nullopt;
    }
    return delivery;
}

boost::json::object article(const model::Blog& blog, const model::Post& post,
                            std::string_view base) {
    const auto actor_id = std::string(base) + std::string(k_actor_path);
    const auto url = std::string(base) + model::post_path(blog, post);
    boost::json::array tags;
    for (const auto& category : post.categories) {
        tags.emplace_back(
            boost::json::object{{"type", "Hashtag"},
                                {"name", "#" + category.name},
                                {"href", std::string(base) + model::category_path(category.slug)}});
    }
    boost::json::object object{{"id", url},
                               {"type", "Article"},
                               {"name", post.title},
                               {"content", post.html},
                               {"mediaType", "text/html"},
                               {"url", url},
                               {"attributedTo", actor_id},
                               {"to", boost::json::array{k_public}},
                               {"cc", boost::json::array{actor_id + "/followers"}},
                               {"published", text::rfc3339_utc(post.published_at)},
                               {"tag", std::move(tags)}};
    boost::json::array attachments;
    for (auto& image : images_in(post.html, url)) {
        attachments.emplace_back(boost::json::object{
            {"type", "Image"}, {"url", std::move(image.url)}, {"name", std::move(image.alt)}});
    }
    if (!attachments.empty()) object["attachment"] = std::move(attachments);
    if (!post.excerpt.empty()) object["summary"] = post.excerpt;
    if (post.updated_at > post.published_at) {
        object["updated"] = text::rfc3339_utc(post.updated_at);
    }
    if (!blog.locale.empty()) {
        object["contentMap"] = boost::json::object{{blog.locale, post.html}};
    }
    return object;
}

Status enqueue_delivery(store::Writer& writer, std::int64_t blog_id, const Delivery& delivery,
                        model::Instant now) {
    auto queued = writer.jobs().enqueue_job(store::NewJob{.blog_id = blog_id,
                                                          .kind = std::string(k_deliver),
                                                          .payload = delivery_payload(delivery),
                                                          .run_at = now});
    if (!queued) return std::unexpected(queued.error());
    return {};
}

// A Create(Note) of the blog's actor answering `in_reply_to`, addressed to its author (`to`, and a
// Mention tag) and the blog's followers (`cc`), public: its content the mention, then `html`.
struct Answer {
    std::string note_id;
    std::string url;  // the note's page for people; "" when it has none
    std::string in_reply_to;
    std::string recipient;          // the author's actor
    std::string recipient_handle;   // name@host, or ""
    std::string recipient_profile;  // a safe http(s) URL, or ""
    std::string html;               // safe HTML (a rendered comment)
};

std::string answer_activity(const std::string& actor_id, const Answer& answer, model::Instant now) {
    const auto mention_name =
        "@" + (answer.recipient_handle.empty() ? answer.recipient : answer.recipient_handle);
    const auto mention_href =
        answer.recipient_profile.empty() ? answer.recipient : answer.recipient_profile;
    const auto content = fmt::format(
        "<p><span class=\"h-card\"><a href=\"{}\" class=\"u-url mention\">{}</a></span></p>{}",
        text::html_escape(mention_href), text::html_escape(mention_name), answer.html);
    const auto published = text::rfc3339_utc(now);
    const boost::json::array to{answer.recipient};
    const boost::json::array cc{k_public, actor_id + "/followers"};
    boost::json::object note{
        {"id", answer.note_id},
        {"type", "Note"},
        {"attributedTo", actor_id},
        {"inReplyTo", answer.in_reply_to},
        {"content", content},
        {"mediaType", "text/html"},
        {"published", published},
        {"to", to},
        {"cc", cc},
        {"tag", boost::json::array{boost::json::object{
                    {"type", "Mention"}, {"href", answer.recipient}, {"name", mention_name}}}}};
    if (!answer.url.empty()) note["url"] = answer.url;
    return boost::json::serialize(
        boost::json::object{{"@context", k_activity_streams},
                            {"id", fmt::format("{}#creates/{}", actor_id, auth::random_token(12))},
                            {"type", "Create"},
                            {"actor", actor_id},
                            {"published", published},
                            {"to", to},
                            {"cc", cc},
                            {"object", std::move(note)}});
}

// Queues `activity` of the blog's actor to `recipient`'s inbox, read when the job runs.
Status enqueue_addressed(store::Writer& writer, std::int64_t blog_id, const std::string& recipient,
                         const std::string& actor_id, std::string activity, model::Instant now) {
    auto queued = writer.jobs().enqueue_job(
        store::NewJob{.blog_id = blog_id,
                      .kind = std::string(k_address),
                      .payload = delivery_payload({recipient, actor_id, std::move(activity)}),
                      .run_at = now});
    if (!queued) return std::unexpected(queued.error());
    return {};
}

// "name@host" (a leading '@' dropped) split in two; nothing when it is not that.
std::optional<std::pair<std::string, std::string>> account_parts(std::string_view account) {
    if (account.starts_with('@')) account.remove_prefix(1);
    const auto at = account.find('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == account.size()) return std::nullopt;
    const auto name = account.substr(0, at);
    const auto host = account.substr(at + 1);
    const auto allowed = [](std::string_view text, std::string_view extra) {
        return std::ranges::all_of(text, [&](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) ||
                   extra.find(c) != std::string_view::npos;
        });
    };
    if (!allowed(name, "._-~") || !allowed(host, ".-:[]")) return std::nullopt;
    std::string lower(host);
    for (auto& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return std::pair{std::string(name), lower};
}

bool is_permanent_refusal(int status) {
    return status >= 400 && status < 500 && status != 408 && status != 429;
}

}  // namespace

struct Federation::Impl {
    store::Store& store;
    Worker& worker;
    Actors& actors;
    const Clock& clock;
    FederationOptions options;
    Fetcher fetcher;
    SignatureVerifier verifier;
    activitypub::Replies replies;
    activitypub::Reader reader;

    Impl(store::Store& the_store, Worker& the_worker, Actors& the_actors, const Clock& the_clock,
         FederationOptions the_options)
        : store(the_store),
          worker(the_worker),
          actors(the_actors),
          clock(the_clock),
          options(std::move(the_options)),
          fetcher(options.fetch),
          verifier(fetcher, clock, options.signatures),
          replies(store, clock, options.max_reply_chars),
          reader(store, clock) {}

    static http::Response internal(const Error& error) {
        spdlog::error("activitypub: {}", error.message);
        return plain(500, "Something went wrong: please try again later.");
    }

    // The blog the request's host names, copied out of the list.
    Result<std::optional<model::Blog>> blog_of(const http::Request& request) {
        auto blogs = store.blogs().list_blogs();
        if (!blogs) return std::unexpected(blogs.error());
        const auto* blog = model::blog_for_host(*blogs, request.host);
        if (blog == nullptr) return std::optional<model::Blog>();
        return std::optional<model::Blog>(*blog);
    }

    // --- Receiving.

    http::Response inbox(const http::Request& request) {
        auto blog = blog_of(request);
        if (!blog) return internal(blog.error());
        if (!*blog) return plain(404, "No blog answers this host.");
        boost::system::error_code error;
        auto parsed = boost::json::parse(request.body, error);
        if (error || !parsed.is_object()) return plain(400, "The activity must be a JSON object.");
        const auto& activity = parsed.as_object();
        const auto actor = id_of(activity.if_contains("actor"));
        if (actor.empty()) return plain(400, "The activity names no actor.");
        // Refused before anything is fetched: a blocked site costs nothing.
        auto blocked = store.federation().is_blocked((*blog)->id, actor, host_of(actor));
        if (!blocked) return internal(blocked.error());
        if (*blocked) return plain(403, "This blog does not take activities from there.");
        auto signer = verifier.verify(request);
        if (!signer) {
            spdlog::info("activitypub: refused an activity of {}: {}", actor,
                         signer.error().message);
            return plain(401, "The activity must carry a valid HTTP signature of its actor.");
        }
        if (signer->actor != actor) {
            spdlog::info("activitypub: {} signed an activity of {}", signer->actor, actor);
            return plain(401, "The activity is signed by another actor than its own.");
        }
        const auto actor_id = activitypub::blog_base(**blog, request) + std::string(k_actor_path);
        const auto type = json_string(activity, "type");
        if (type == "Follow") return follow(**blog, actor_id, *signer, parsed);
        const activitypub::Inbound inbound{**blog, request.host, *signer, activity};
        if (type == "Undo") {
            if (auto undone = replies.undo_reaction(inbound)) return std::move(*undone);
            return undo(**blog, actor_id, *signer, activity);
        }
        if (type == "Accept" || type == "Reject") {
            return reader.follow_answered(inbound, type == "Accept");
        }
        // What an account the blog follows posts goes to its reader; a reply to the blog (from
        // anyone, followed or not) to its comments besides.
        if (type == "Create" || type == "Update") {
            if (auto kept = reader.keep(inbound); !kept) return internal(kept.error());
            return type == "Create" ? replies.create(inbound) : replies.update(inbound);
        }
        if (type == "Delete") {
            if (auto forgot = reader.forget(inbound); !forgot) return internal(forgot.error());
            return replies.remove(inbound);
        }
        if (type == "Like") return replies.react(inbound, store::ReactionKind::like);
        if (type == "Announce") return replies.react(inbound, store::ReactionKind::announce);
        // Not (yet) something this blog acts on: taken, and nothing is kept.
        return plain(202, "Accepted.");
    }

    http::Response follow(const model::Blog& blog, const std::string& actor_id,
                          const Signer& signer, const boost::json::value& activity) {
        const auto& object = activity.as_object();
        if (id_of(object.if_contains("object")) != actor_id) {
            return plain(202, "Accepted: this blog's actor is not the one followed.");
        }
        Signer follower = signer;
        if (follower.inbox.empty()) {
            if (auto read = read_actor(follower); !read) {
                spdlog::info("activitypub: cannot read the actor {}: {}", follower.actor,
                             read.error().message);
                return plain(400, "The follower's actor document has no inbox.");
            }
        }
        const auto host = host_of(follower.actor);
        store::Follower record{
            .blog_id = blog.id,
            .actor = follower.actor,
            .inbox = follower.inbox,
            .shared_inbox = follower.shared_inbox,
            .follow_id = json_string(object, "id"),
            .handle = follower.preferred_username.empty()
                          ? std::string()
                          : fmt::format("{}@{}", follower.preferred_username, host),
            .state = store::FollowerState::accepted};
        // A blog that approves its followers holds the Follow until its owner decides (the
        // admin's followers page), unless the actor already follows it.
        auto known = store.federation().find_follower(blog.id, record.actor);
        if (!known) return internal(known.error());
        const bool held =
            blog.approve_followers && (!*known || (*known)->state == store::FollowerState::pending);
        if (held) record.state = store::FollowerState::pending;
        const boost::json::object accept{
            {"@context", k_activity_streams},
            {"id", fmt::format("{}#accepts/{}", actor_id, auth::random_token(12))},
            {"type", "Accept"},
            {"actor", actor_id},
            {"object", activity}};
        auto written = store.write([&](store::Writer& writer) -> Status {
            if (auto saved = writer.federation().save_follower(record); !saved) return saved;
            if (held) return {};
            return queue_delivery(writer, blog.id,
                                  {record.inbox, actor_id, boost::json::serialize(accept)});
        });
        if (!written) return internal(written.error());
        if (held) {
            spdlog::info("activitypub: {} asks to follow blog {}", record.actor, blog.id);
            return plain(202, "Accepted: the blog's owner will answer.");
        }
        spdlog::info("activitypub: {} follows blog {}", record.actor, blog.id);
        worker.wake();
        return plain(202, "Accepted.");
    }

    http::Response undo(const model::Blog& blog, const std::string& actor_id, const Signer& signer,
                        const boost::json::object& activity) {
        const auto* object = activity.if_contains("object");
        // The Follow undone comes in full (Mastodon) or by its id.
        bool undoes_follow = false;
        if (object != nullptr && object->is_object()) {
            const auto& follow = object->as_object();
            undoes_follow = json_string(follow, "type") == "Follow" &&
                            id_of(follow.if_contains("object")) == actor_id;
        } else {
            auto known = store.federation().find_follower(blog.id, signer.actor);
            if (!known) return internal(known.error());
            undoes_follow =
                *known && !(*known)->follow_id.empty() && (*known)->follow_id == id_of(object);
        }
        if (!undoes_follow) return plain(202, "Accepted.");
        auto written = store.write([&](store::Writer& writer) -> Status {
            auto removed = writer.federation().remove_follower(blog.id, signer.actor);
            if (!removed) return std::unexpected(removed.error());
            return {};
        });
        if (!written) return internal(written.error());
        spdlog::info("activitypub: {} no longer follows blog {}", signer.actor, blog.id);
        return plain(202, "Accepted.");
    }

    // The actor document at `actor`, whose id it must be. Code::invalid_input when it is not
    // one; Code::io when it cannot be fetched now.
    Result<boost::json::object> actor_document(const std::string& actor) {
        FetchRequest request;
        request.url = actor;
        request.accept = std::string(k_activity_json) +
                         ", application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\"";
        auto response = fetcher.fetch(request);
        if (!response) return std::unexpected(response.error());
        if (response->status >= 500 || response->status == 429) {
            return model::fail(Error::Code::io,
                               fmt::format("{} answered {}", actor, response->status));
        }
        boost::system::error_code error;
        auto document = boost::json::parse(response->body, error);
        if (response->status != 200 || error || !document.is_object() ||
            json_string(document.as_object(), "id") != actor) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("{} is not an actor's document", actor));
        }
        return std::move(document.as_object());
    }

    // Fills the inboxes and name of an actor whose key came from a document of its own.
    Status read_actor(Signer& actor) {
        auto document = actor_document(actor.actor);
        if (!document) return std::unexpected(document.error());
        const auto& object = *document;
        actor.inbox = json_string(object, "inbox");
        actor.preferred_username = json_string(object, "preferredUsername");
        if (const auto* endpoints = object.if_contains("endpoints");
            endpoints != nullptr && endpoints->is_object()) {
            actor.shared_inbox = json_string(endpoints->as_object(), "sharedInbox");
        }
        if (actor.inbox.empty()) return model::fail(Error::Code::invalid_input, "no inbox");
        return {};
    }

    // --- Collections: the followers and the outbox.

    // The page a collection request asks for: 0 for the collection itself; nothing when the
    // page is not a number from 1.
    static std::optional<int> page_asked(const http::Request& request) {
        const auto page = request.query_param("page");
        if (!page) return 0;
        int number = 0;
        const auto [end, error] =
            std::from_chars(page->data(), page->data() + page->size(), number);
        if (error != std::errc() || end != page->data() + page->size() || number < 1 ||
            number > 1'000'000) {
            return std::nullopt;
        }
        return number;
    }

    // The OrderedCollection `id` (page 0), or its page `number`, holding `items`.
    static http::Response collection(const std::string& id, std::int64_t total, int number,
                                     int page_size, boost::json::array items) {
        if (number == 0) {
            boost::json::object whole{{"@context", k_activity_streams},
                                      {"id", id},
                                      {"type", "OrderedCollection"},
                                      {"totalItems", total}};
            if (total > 0) whole["first"] = id + "?page=1";
            return json_response(200, whole);
        }
        boost::json::object page{{"@context", k_activity_streams},
                                 {"id", fmt::format("{}?page={}", id, number)},
                                 {"type", "OrderedCollectionPage"},
                                 {"partOf", id},
                                 {"totalItems", total},
                                 {"orderedItems", std::move(items)}};
        if (static_cast<std::int64_t>(number) * page_size < total) {
            page["next"] = fmt::format("{}?page={}", id, number + 1);
        }
        if (number > 1) page["prev"] = fmt::format("{}?page={}", id, number - 1);
        return json_response(200, page);
    }

    http::Response followers(const http::Request& request) {
        auto blog = blog_of(request);
        if (!blog) return internal(blog.error());
        if (!*blog) return plain(404, "No blog answers this host.");
        const auto number = page_asked(request);
        if (!number) return plain(400, "The page must be a number from 1.");
        const auto page_size = std::max(1, options.followers_page_size);
        auto listed = store.federation().followers((*blog)->id, store::FollowerState::accepted,
                                                   std::max(0, *number - 1) * page_size,
                                                   *number == 0 ? 0 : page_size);
        if (!listed) return internal(listed.error());
        boost::json::array items;
        for (const auto& follower : listed->followers) items.emplace_back(follower.actor);
        return collection(
            activitypub::blog_base(**blog, request) + std::string(k_actor_path) + "/followers",
            listed->total, *number, page_size, std::move(items));
    }

    // The blog's published posts, newest first, each as the Create that brought it.
    http::Response outbox(const http::Request& request) {
        auto blog = blog_of(request);
        if (!blog) return internal(blog.error());
        if (!*blog) return plain(404, "No blog answers this host.");
        const auto number = page_asked(request);
        if (!number) return plain(400, "The page must be a number from 1.");
        const auto page_size = std::max(1, options.followers_page_size);
        auto listed = store.posts().published_posts(
            (*blog)->id, store::PostQuery{.offset = std::max(0, *number - 1) * page_size,
                                          .limit = *number == 0 ? 1 : page_size,
                                          .with_body = *number != 0});
        if (!listed) return internal(listed.error());
        const auto base = activitypub::blog_base(**blog, request);
        const auto actor_id = base + std::string(k_actor_path);
        boost::json::array items;
        for (const auto& post : *number == 0 ? std::vector<model::Post>{} : listed->posts) {
            auto object = article(**blog, post, base);
            boost::json::object create{{"id", std::string(object.at("id").as_string()) + "#create"},
                                       {"type", "Create"},
                                       {"actor", actor_id},
                                       {"published", object.at("published")},
                                       {"to", boost::json::array{k_public}},
                                       {"cc", boost::json::array{actor_id + "/followers"}},
                                       {"object", std::move(object)}};
            items.emplace_back(std::move(create));
        }
        return collection(actor_id + "/outbox", listed->total, *number, page_size,
                          std::move(items));
    }

    // --- Delivering.

    Status queue_delivery(store::Writer& writer, std::int64_t blog_id, const Delivery& delivery) {
        return enqueue_delivery(writer, blog_id, delivery, clock.now());
    }

    // Tells the followers what became of a post (Federation::queue_post_activity).
    JobOutcome post_activity(const store::Job& job) {
        std::int64_t post_id = 0;
        const auto& payload = job.payload;
        if (std::from_chars(payload.data(), payload.data() + payload.size(), post_id).ec !=
            std::errc()) {
            return JobOutcome::drop("a post activity without a post");
        }
        auto blog = store.blogs().find_blog(job.blog_id);
        if (!blog) return JobOutcome::retry(blog.error().message);
        if (!*blog) return JobOutcome::done();
        auto base = activitypub::public_base(**blog);
        if (!base) return JobOutcome::drop("the blog has neither base URL nor host name");
        auto post = store.posts().find_post_by_id(job.blog_id, post_id);
        if (!post) return JobOutcome::retry(post.error().message);
        auto inboxes = store.federation().delivery_inboxes(job.blog_id);
        if (!inboxes) return JobOutcome::retry(inboxes.error().message);
        const auto actor_id = *base + std::string(k_actor_path);
        const bool published = *post && (*post)->status == model::PostStatus::published;
        int queued = 0;
        auto written = store.write([&](store::Writer& writer) -> Status {
            auto known = writer.federation().federated_object(job.blog_id, post_id);
            if (!known) return std::unexpected(known.error());
            boost::json::object activity{{"@context", k_activity_streams},
                                         {"actor", actor_id},
                                         {"to", boost::json::array{k_public}},
                                         {"cc", boost::json::array{actor_id + "/followers"}}};
            if (published) {
                auto object = article(**blog, **post, *base);
                const std::string object_id(object.at("id").as_string());
                if (known->empty()) {
                    activity["type"] = "Create";
                    activity["id"] = object_id + "#create";
                    activity["published"] = object.at("published");
                } else {
                    activity["type"] = "Update";
                    activity["id"] = fmt::format("{}#update-{}", object_id,
                                                 (*post)->updated_at.time_since_epoch().count());
                }
                activity["object"] = std::move(object);
                if (auto kept =
                        writer.federation().set_federated_object(job.blog_id, post_id, object_id);
                    !kept) {
                    return kept;
                }
            } else if (!known->empty()) {
                activity["type"] = "Delete";
                activity["id"] =
                    fmt::format("{}#delete-{}", *known, clock.now().time_since_epoch().count());
                activity["object"] = boost::json::object{{"id", *known}, {"type", "Tombstone"}};
                if (auto forgot =
                        writer.federation().set_federated_object(job.blog_id, post_id, "");
                    !forgot) {
                    return forgot;
                }
            } else {
                return {};  // never sent, nothing to take back
            }
            const auto text = boost::json::serialize(activity);
            for (const auto& inbox : *inboxes) {
                if (auto delivery = queue_delivery(writer, job.blog_id, {inbox, actor_id, text});
                    !delivery) {
                    return delivery;
                }
                ++queued;
            }
            return {};
        });
        if (!written) return JobOutcome::retry(written.error().message);
        if (queued > 0) worker.wake();
        return JobOutcome::done();
    }

    JobOutcome deliver(const store::Job& job) {
        auto delivery = parse_delivery(job.payload);
        if (!delivery) return JobOutcome::drop("a delivery without inbox, actor or activity");
        return send(job, *delivery);
    }

    // A delivery to an actor (its `inbox` field): its inbox read from its document first.
    JobOutcome deliver_addressed(const store::Job& job) {
        auto delivery = parse_delivery(job.payload);
        if (!delivery) return JobOutcome::drop("a delivery without actor or activity");
        auto document = actor_document(delivery->inbox);
        if (!document) {
            if (document.error().code == Error::Code::invalid_input) {
                return JobOutcome::drop(document.error().message);
            }
            return JobOutcome::retry(document.error().message);
        }
        auto inbox = web_inbox(json_string(*document, "inbox"));
        if (!inbox) return JobOutcome::drop(fmt::format("{} has no inbox", delivery->inbox));
        delivery->inbox = std::move(*inbox);
        return send(job, *delivery);
    }

    // An inbox's address, when it is an absolute http(s) URL.
    static std::optional<std::string> web_inbox(const std::string& inbox) {
        auto parsed = boost::urls::parse_uri(inbox);
        if (!parsed || parsed->host().empty() ||
            (parsed->scheme() != "https" && parsed->scheme() != "http")) {
            return std::nullopt;
        }
        return inbox;
    }

    JobOutcome send(const store::Job& job, const Delivery& delivery) {
        auto key = actors.key_of(job.blog_id);
        if (!key) return JobOutcome::retry(key.error().message);
        auto headers = sign_cavage({delivery.actor + "#main-key", key->private_pem}, delivery.inbox,
                                   delivery.activity, clock.now());
        if (!headers) return JobOutcome::drop(headers.error().message);
        FetchRequest request{.method = "POST",
                             .url = delivery.inbox,
                             .content_type = std::string(k_activity_json),
                             .body = delivery.activity,
                             .accept = std::string(k_activity_json),
                             .headers = std::move(*headers)};
        auto sent = fetcher.fetch(request);
        if (!sent) {
            if (sent.error().code == Error::Code::invalid_input) {
                return JobOutcome::drop(sent.error().message);
            }
            return JobOutcome::retry(sent.error().message);
        }
        if (sent->status >= 200 && sent->status <= 299) {
            spdlog::info("activitypub: delivered to {} ({})", delivery.inbox, sent->status);
            return JobOutcome::done();
        }
        auto why = fmt::format("{} answered {}", delivery.inbox, sent->status);
        if (sent->status == 410) {
            // Gone for good: nobody reads there any more.
            auto removed = store.write([&](store::Writer& writer) -> Status {
                auto gone = writer.federation().remove_followers_at(job.blog_id, delivery.inbox);
                if (!gone) return std::unexpected(gone.error());
                spdlog::info("activitypub: {} is gone, and {} followers with it", delivery.inbox,
                             *gone);
                return {};
            });
            if (!removed) return JobOutcome::retry(removed.error().message);
            return JobOutcome::drop(why);
        }
        if (is_permanent_refusal(sent->status)) return JobOutcome::drop(why);
        return JobOutcome::retry(why);
    }

    // --- Following from the blog.

    // The actor id that `account` names: itself for an http(s) address, else what WebFinger
    // (RFC 7033) at its host says of acct:name@host.
    Result<std::string> actor_of_account(std::string_view account) {
        const auto text = http::trim_blank(account);
        if (text.find("://") != std::string_view::npos) {
            if (!web_url(text)) {
                return model::fail(Error::Code::invalid_input, "the address is not an http(s) URL");
            }
            return std::string(text);
        }
        auto parts = account_parts(text);
        if (!parts) {
            return model::fail(Error::Code::invalid_input,
                               "give an account as @name@host, or an actor's address");
        }
        const auto& [name, host] = *parts;
        // Plain http only between test servers (--allow-loopback-fetch), as everywhere else.
        const auto scheme = options.fetch.allow_plain_http ? "http" : "https";
        const auto endpoint = fmt::format("{}://{}/.well-known/webfinger", scheme, host);
        auto url = boost::urls::parse_uri(endpoint);
        if (!url || url->host().empty() || url->has_userinfo()) {
            return model::fail(Error::Code::invalid_input, "the account's host is not a host name");
        }
        boost::urls::url query = *url;
        query.params().append({"resource", fmt::format("acct:{}@{}", name, host)});
        FetchRequest request;
        request.url = std::string(query.buffer());
        request.accept = "application/jrd+json, application/json";
        auto response = fetcher.fetch(request);
        if (!response) return std::unexpected(response.error());
        if (response->status == 404 || response->status == 410) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("{} knows no account {}", host, name));
        }
        if (response->status != 200) {
            return model::fail(Error::Code::io, fmt::format("{} answered {} for the account", host,
                                                            response->status));
        }
        boost::system::error_code error;
        auto document = boost::json::parse(response->body, error);
        if (error || !document.is_object()) {
            return model::fail(Error::Code::invalid_input,
                               fmt::format("{} did not answer with a WebFinger document", host));
        }
        const auto* links = document.as_object().if_contains("links");
        if (links != nullptr && links->is_array()) {
            for (const auto& link : links->get_array()) {
                if (!link.is_object()) continue;
                const auto& object = link.get_object();
                const auto type = json_string(object, "type");
                if (json_string(object, "rel") == "self" &&
                    (type == k_activity_json || type.starts_with("application/ld+json"))) {
                    const auto href = json_string(object, "href");
                    if (web_url(href)) return href;
                }
            }
        }
        return model::fail(Error::Code::invalid_input,
                           fmt::format("{}@{} is not an account of the fediverse", name, host));
    }

    Result<store::Following> follow(const model::Blog& blog, std::string_view account) {
        auto base = activitypub::public_base(blog);
        if (!base) {
            return model::fail(Error::Code::invalid_input,
                               "the blog needs a base URL or a host name to follow anyone");
        }
        const auto actor_id = *base + std::string(k_actor_path);
        auto actor = actor_of_account(account);
        if (!actor) return std::unexpected(actor.error());
        if (*actor == actor_id) {
            return model::fail(Error::Code::invalid_input, "a blog does not follow itself");
        }
        auto document = actor_document(*actor);
        if (!document) return std::unexpected(document.error());
        auto inbox = web_inbox(json_string(*document, "inbox"));
        if (!inbox) return model::fail(Error::Code::invalid_input, "the account has no inbox");
        const auto host = host_of(*actor);
        const auto name = json_string(*document, "preferredUsername");
        store::Following following{
            .blog_id = blog.id,
            .actor = *actor,
            .handle = name.empty() ? std::string() : fmt::format("{}@{}", name, host),
            .name = markup::excerpt(text::html_escape(json_string(*document, "name")), 100),
            .inbox = *inbox,
            .profile_url = markup::safe_url(json_string(*document, "url")).value_or(""),
            .follow_id = fmt::format("{}#follows/{}", actor_id, auth::random_token(12)),
            .state = store::FollowingState::pending};
        const boost::json::object activity{{"@context", k_activity_streams},
                                           {"id", following.follow_id},
                                           {"type", "Follow"},
                                           {"actor", actor_id},
                                           {"object", following.actor}};
        auto written = store.write([&](store::Writer& writer) -> Status {
            if (auto saved = writer.following().save_following(following); !saved) return saved;
            return queue_delivery(writer, blog.id,
                                  {following.inbox, actor_id, boost::json::serialize(activity)});
        });
        if (!written) return std::unexpected(written.error());
        spdlog::info("activitypub: blog {} asks to follow {}", blog.id, following.actor);
        worker.wake();
        return following;
    }

    Status unfollow(store::Writer& writer, const model::Blog& blog, std::string_view actor) {
        auto known = writer.following().find_following(blog.id, actor);
        if (!known) return std::unexpected(known.error());
        if (!*known) {
            return model::fail(Error::Code::not_found, "this blog does not follow that account");
        }
        if (auto removed = writer.following().remove_following(blog.id, actor); !removed) {
            return std::unexpected(removed.error());
        }
        auto base = activitypub::public_base(blog);
        if (!base) return {};
        const auto actor_id = *base + std::string(k_actor_path);
        const boost::json::object undo{
            {"@context", k_activity_streams},
            {"id", fmt::format("{}#undos/{}", actor_id, auth::random_token(12))},
            {"type", "Undo"},
            {"actor", actor_id},
            {"object", boost::json::object{{"id", (*known)->follow_id},
                                           {"type", "Follow"},
                                           {"actor", actor_id},
                                           {"object", (*known)->actor}}}};
        worker.wake();
        return queue_delivery(writer, blog.id,
                              {(*known)->inbox, actor_id, boost::json::serialize(undo)});
    }

    // Queues the answer to its recipient, in the caller's transaction.
    Status queue_answer(store::Writer& writer, const model::Blog& blog, Answer answer) {
        auto base = activitypub::public_base(blog);
        if (!base) {
            return model::fail(Error::Code::invalid_input,
                               "the blog needs a base URL or a host name to answer anyone");
        }
        const auto actor_id = *base + std::string(k_actor_path);
        if (answer.note_id.empty()) {
            answer.note_id = fmt::format("{}/notes/{}", actor_id, auth::random_token(12));
        }
        worker.wake();
        return enqueue_addressed(writer, blog.id, answer.recipient, actor_id,
                                 answer_activity(actor_id, answer, clock.now()), clock.now());
    }

    Status reply_to_item(store::Writer& writer, const model::Blog& blog,
                         const store::ReaderItem& item, std::string_view text) {
        const auto source = http::trim_blank(text);
        if (source.empty()) return model::fail(Error::Code::invalid_input, "the reply is empty");
        return queue_answer(writer, blog,
                            Answer{.in_reply_to = item.object_id,
                                   .recipient = item.actor,
                                   .recipient_handle = item.author_handle,
                                   .recipient_profile = item.author_url,
                                   .html = markup::render_comment(source)});
    }

    Status answer_comment(store::Writer& writer, const model::Blog& blog,
                          const model::Comment& parent, const model::Comment& answer) {
        auto note = store.following().note_of_comment(blog.id, parent.id);
        if (!note) return std::unexpected(note.error());
        if (!*note) return {};  // not from the fediverse
        auto base = activitypub::public_base(blog);
        if (!base) return {};
        auto post = writer.posts().find_post_by_id(blog.id, parent.post_id);
        if (!post) return std::unexpected(post.error());
        if (!*post) return {};
        const auto url =
            fmt::format("{}{}#comment-{}", *base, model::post_path(blog, **post), answer.id);
        spdlog::info("activitypub: blog {} answers {}", blog.id, (*note)->note_id);
        return queue_answer(writer, blog,
                            Answer{.note_id = url,
                                   .url = url,
                                   .in_reply_to = (*note)->note_id,
                                   .recipient = (*note)->actor,
                                   .recipient_handle = parent.author_handle,
                                   .recipient_profile = parent.author_url,
                                   .html = answer.html});
    }
};

Federation::Federation(store::Store& store, Worker& worker, Actors& actors, const Clock& clock,
                       FederationOptions options)
    : impl_(std::make_unique<Impl>(store, worker, actors, clock, std::move(options))) {
    worker.handle(std::string(k_deliver),
                  [this](const store::Job& job) { return impl_->deliver(job); });
    worker.handle(std::string(k_post_activity),
                  [this](const store::Job& job) { return impl_->post_activity(job); });
    worker.handle(std::string(k_address),
                  [this](const store::Job& job) { return impl_->deliver_addressed(job); });
}

Status Federation::queue_post_activity(store::Writer& writer, std::int64_t blog_id,
                                       std::int64_t post_id, model::Instant now) {
    auto queued = writer.jobs().enqueue_job(store::NewJob{.blog_id = blog_id,
                                                          .kind = std::string(k_post_activity),
                                                          .payload = std::to_string(post_id),
                                                          .run_at = now});
    if (!queued) return std::unexpected(queued.error());
    return {};
}

Status Federation::queue_follow_answer(store::Writer& writer, const model::Blog& blog,
                                       const store::Follower& follower, bool accepted,
                                       model::Instant now) {
    auto base = activitypub::public_base(blog);
    if (!base) return {};  // not federated: nobody to answer
    const auto actor_id = *base + std::string(k_actor_path);
    boost::json::object follow{{"type", "Follow"}, {"actor", follower.actor}, {"object", actor_id}};
    if (!follower.follow_id.empty()) follow["id"] = follower.follow_id;
    const boost::json::object answer{
        {"@context", k_activity_streams},
        {"id", fmt::format("{}#{}/{}", actor_id, accepted ? "accepts" : "rejects",
                           auth::random_token(12))},
        {"type", accepted ? "Accept" : "Reject"},
        {"actor", actor_id},
        {"object", std::move(follow)}};
    return enqueue_delivery(writer, blog.id,
                            {follower.inbox, actor_id, boost::json::serialize(answer)}, now);
}

Result<store::Following> Federation::follow(const model::Blog& blog, std::string_view account) {
    return impl_->follow(blog, account);
}

Status Federation::unfollow(store::Writer& writer, const model::Blog& blog,
                            std::string_view actor) {
    return impl_->unfollow(writer, blog, actor);
}

Status Federation::reply_to_item(store::Writer& writer, const model::Blog& blog,
                                 const store::ReaderItem& item, std::string_view text) {
    return impl_->reply_to_item(writer, blog, item, text);
}

Status Federation::answer_comment(store::Writer& writer, const model::Blog& blog,
                                  const model::Comment& parent, const model::Comment& answer) {
    return impl_->answer_comment(writer, blog, parent, answer);
}

std::string Federation::article_json(const model::Blog& blog, const model::Post& post,
                                     std::string_view base) {
    auto object = article(blog, post, base);
    object["@context"] = k_activity_streams;
    return boost::json::serialize(object);
}

std::string Federation::article_json(const model::Blog& blog, const model::Post& post,
                                     const http::Request& request) {
    return article_json(blog, post, activitypub::blog_base(blog, request));
}

Federation::~Federation() = default;

void Federation::register_routes(http::Router& router) {
    const auto inbox = [this](const http::Request& request, const http::RouteParams&) {
        return impl_->inbox(request);
    };
    router.add("POST", std::string(k_actor_path) + "/inbox", inbox);
    router.add("POST", "/inbox", inbox);
    router.add("GET", std::string(k_actor_path) + "/followers",
               [this](const http::Request& request, const http::RouteParams&) {
                   return impl_->followers(request);
               });
    router.add("GET", std::string(k_actor_path) + "/outbox",
               [this](const http::Request& request, const http::RouteParams&) {
                   return impl_->outbox(request);
               });
}

}  // namespace carnet::social
