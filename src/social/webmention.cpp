#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include <boost/json.hpp>
#include <boost/url.hpp>
#include <charconv>

#include "comments/comments.hpp"
#include "markup/markup.hpp"
#include "social/activitypub.hpp"
#include "social/html.hpp"
#include "social/social.hpp"
#include "social/targets.hpp"
#include "text/text.hpp"

namespace carnet::social {
namespace {

using activitypub::public_base;
using model::Error;

constexpr std::string_view k_verify = "webmention.verify";
constexpr std::string_view k_post_links = "webmention.post";
constexpr std::string_view k_send = "webmention.send";
constexpr std::string_view k_endpoint_path = "/webmention";

http::Response plain(int status, std::string body) {
    http::Response response;
    response.status = status;
    response.content_type = "text/plain; charset=utf-8";
    response.body = std::move(body);
    response.body += '\n';
    return response;
}

std::string form_value(std::string_view text) {
    boost::urls::encoding_opts options;
    options.space_as_plus = false;
    return boost::urls::encode(text, boost::urls::unreserved_chars, options);
}

struct Pair {
    std::string source;
    std::string target;
    std::int64_t post_id = 0;
};

std::string pair_payload(const Pair& pair) {
    boost::json::object object{{"source", pair.source}, {"target", pair.target}};
    if (pair.post_id != 0) object["post"] = pair.post_id;
    return boost::json::serialize(object);
}

std::optional<Pair> parse_pair(std::string_view payload) {
    boost::system::error_code error;
    auto value = boost::json::parse(payload, error);
    if (error || !value.is_object()) return std::nullopt;
    const auto& object = value.as_object();
    const auto* source = object.if_contains("source");
    const auto* target = object.if_contains("target");
    if (source == nullptr || target == nullptr || !source->is_string() || !target->is_string()) {
        return std::nullopt;
    }
    Pair pair{std::string(source->as_string()), std::string(target->as_string()), 0};
    if (const auto* post = object.if_contains("post"); post != nullptr && post->is_int64()) {
        pair.post_id = post->as_int64();
    }
    return pair;
}

bool is_permanent_refusal(int status) {
    return status >= 400 && status < 500 && status != 408 && status != 429;
}

}  // namespace

struct Webmentions::Impl {
    store::Store& store;
    Worker& worker;
    const Clock& clock;
    WebmentionOptions options;
    Fetcher fetcher;
    comments::RateLimit rate_limit;
    comments::SpamRules spam_rules;

    Impl(store::Store& the_store, Worker& the_worker, const Clock& the_clock,
         WebmentionOptions the_options)
        : store(the_store),
          worker(the_worker),
          clock(the_clock),
          options(std::move(the_options)),
          fetcher(options.fetch),
          rate_limit(comments::RateLimits{.max_comments = 30}, options.ledger) {}

    // --- Receiving.

    http::Response receive(const http::Request& request) {
        auto blogs = store.blogs().list_blogs();
        if (!blogs) {
            spdlog::error("webmention: cannot read the blogs: {}", blogs.error().message);
            return plain(500, "The webmention could not be taken: please try again later.");
        }
        const auto* blog = model::blog_for_host(*blogs, request.host);
        if (blog == nullptr) return plain(404, "No blog answers this host.");
        auto form = http::parse_form(request);
        if (!form) return plain(400, "The request must be a form with source and target.");
        const auto source_text = http::trim_blank(form->get("source").value_or(""));
        const auto target_text = http::trim_blank(form->get("target").value_or(""));
        if (source_text.empty() || target_text.empty()) {
            return plain(400, "Both source and target are required.");
        }
        auto source = web_url(source_text);
        if (!source) return plain(400, "The source must be an http or https URL.");
        auto target = web_url(target_text);
        if (!target) return plain(400, "The target must be an http or https URL.");
        source->remove_fragment();
        auto bare_target = *target;
        bare_target.remove_fragment();
        if (source->buffer() == bare_target.buffer()) {
            return plain(400, "The source and the target must differ.");
        }
        auto post = post_at_url(store, *blog, *target, request.host);
        if (!post) {
            if (post.error().code == Error::Code::not_found) {
                return plain(400, "The target is not a post of this blog.");
            }
            spdlog::error("webmention: {}", post.error().message);
            return plain(500, "The webmention could not be taken: please try again later.");
        }
        if (!rate_limit.allow(request.remote_address, clock.now())) {
            return plain(429, "Too many webmentions from this address: please wait.");
        }
        const Pair pair{std::string(source->buffer()), std::string(target->buffer()), post->id};
        auto queued = store.write([&](store::Writer& writer) -> Status {
            auto job = writer.jobs().enqueue_job(store::NewJob{.blog_id = blog->id,
                                                               .kind = std::string(k_verify),
                                                               .payload = pair_payload(pair),
                                                               .run_at = clock.now()});
            if (!job) return std::unexpected(job.error());
            return {};
        });
        if (!queued) {
            spdlog::error("webmention: cannot queue: {}", queued.error().message);
            return plain(500, "The webmention could not be taken: please try again later.");
        }
        worker.wake();
        return plain(202, "Accepted: the source will be checked before anything is shown.");
    }

    // Forgets the comment a mention of source and target became, if any.
    Status remove_mention(std::int64_t blog_id, const Pair& pair) {
        return store.write([&](store::Writer& writer) -> Status {
            auto mention = writer.mentions().find_mention(blog_id, pair.source, pair.target);
            if (!mention) return std::unexpected(mention.error());
            if (!*mention) return {};
            spdlog::info("webmention: {} is gone or no longer links to {}: its comment {} goes",
                         pair.source, pair.target, (*mention)->comment_id);
            return writer.comments().delete_comment(blog_id, (*mention)->comment_id);
        });
    }

    JobOutcome verify(const store::Job& job) {
        auto pair = parse_pair(job.payload);
        if (!pair) return JobOutcome::drop("a verification job without source and target");
        auto fetched = fetcher.fetch({.url = pair->source});
        if (!fetched) {
            if (fetched.error().code == Error::Code::invalid_input) {
                return JobOutcome::drop(
                    fmt::format("source {}: {}", pair->source, fetched.error().message));
            }
            return JobOutcome::retry(fetched.error().message);
        }
        if (fetched->status == 404 || fetched->status == 410) {
            if (auto removed = remove_mention(job.blog_id, *pair); !removed) {
                return JobOutcome::retry(removed.error().message);
            }
            return JobOutcome::done();
        }
        if (fetched->status < 200 || fetched->status > 299) {
            auto why = fmt::format("source {} answered {}", pair->source, fetched->status);
            if (is_permanent_refusal(fetched->status)) return JobOutcome::drop(why);
            return JobOutcome::retry(why);
        }
        const auto page = read_source(fetched->body, fetched->url, pair->target);
        if (!page.links_to_target) {
            if (auto removed = remove_mention(job.blog_id, *pair); !removed) {
                return JobOutcome::retry(removed.error().message);
            }
            return JobOutcome::drop(
                fmt::format("source {} does not link to {}", pair->source, pair->target));
        }
        auto blog = store.blogs().find_blog(job.blog_id);
        if (!blog) return JobOutcome::retry(blog.error().message);
        if (!*blog) return JobOutcome::drop("the blog is gone");
        auto post = store.posts().find_post_by_id(job.blog_id, pair->post_id);
        if (!post) return JobOutcome::retry(post.error().message);
        if (!*post || (*post)->status != model::PostStatus::published) {
            return JobOutcome::drop("the target post is no longer published");
        }
        auto stored = store_mention(**blog, **post, *pair, page);
        if (!stored) {
            if (stored.error().code == Error::Code::invalid_input) {
                return JobOutcome::drop(stored.error().message);
            }
            return JobOutcome::retry(stored.error().message);
        }
        return JobOutcome::done();
    }

    // The mention as a comment: a new one under the blog's rules, or the one it already is,
    // with the source's words as they now stand.
    Status store_mention(const model::Blog& blog, const model::Post& post, const Pair& pair,
                         const SourcePage& page) {
        const auto now = clock.now();
        std::string body = markup::excerpt(page.content_html, options.max_text_chars);
        if (body.empty()) body = pair.source;
        auto source_url = web_url(pair.source);
        std::string author = page.author_name;
        if (text::count_chars(author) > 100) {
            author = markup::excerpt(text::html_escape(author), 100);
        }
        if (author.empty() && source_url) author = std::string(source_url->host());
        std::string author_url = markup::safe_web_url(page.author_url).value_or("");
        if (author_url.empty()) author_url = markup::safe_web_url(pair.source).value_or("");
        std::string photo = markup::safe_web_url(page.author_photo).value_or("");
        const auto html = markup::render_comment(body);

        // Threaded under the comment the source replies to, when it is one of this post's.
        std::int64_t parent_id = comment_in_fragment(pair.target);
        if (parent_id == 0) {
            for (const auto& reply_to : page.in_reply_to) {
                if (auto id = comment_in_fragment(reply_to)) {
                    parent_id = id;
                    break;
                }
            }
        }
        if (parent_id != 0) {
            auto parent = store.comments().find_comment(blog.id, parent_id);
            if (!parent) return std::unexpected(parent.error());
            if (!*parent || (*parent)->post_id != post.id ||
                (*parent)->status != model::CommentStatus::approved) {
                parent_id = 0;
            }
        }

        return store.write([&](store::Writer& writer) -> Status {
            auto known = writer.mentions().find_mention(blog.id, pair.source, pair.target);
            if (!known) return std::unexpected(known.error());
            store::Mention mention{.blog_id = blog.id,
                                   .post_id = post.id,
                                   .source = pair.source,
                                   .target = pair.target,
                                   .author_photo = photo,
                                   .updated_at = now};
            if (*known) {
                mention.comment_id = (*known)->comment_id;
                if (auto updated =
                        writer.comments().update_comment(blog.id, mention.comment_id, body, html);
                    !updated) {
                    return updated;
                }
                spdlog::info("webmention: {} updated comment {}", pair.source, mention.comment_id);
                return writer.mentions().save_mention(mention);
            }
            if (!comments::comments_open(blog, post, now)) {
                return model::fail(Error::Code::invalid_input,
                                   fmt::format("comments are closed on post {}", post.id));
            }
            const comments::CommentDraft draft{
                .author_name = author, .author_url = author_url, .body = body};
            const auto verdict = comments::classify(draft, spam_rules);
            model::Comment comment;
            comment.blog_id = blog.id;
            comment.post_id = post.id;
            comment.parent_id = parent_id;
            comment.author_name = author;
            comment.author_url = author_url;
            comment.source = body;
            comment.html = html;
            comment.created_at = now;
            // Webmentions carry no e-mail address, so no commenter is known under first_held.
            comment.status =
                comments::initial_status(comments::policy_of(blog, post), verdict.is_spam(), false);
            auto added = writer.comments().add_comment(comment);
            if (!added) return std::unexpected(added.error());
            mention.comment_id = *added;
            spdlog::info("webmention: {} became comment {} on post {} ({})", pair.source, *added,
                         post.id, model::to_string(comment.status));
            return writer.mentions().save_mention(mention);
        });
    }

    // --- Sending.

    JobOutcome post_links(const store::Job& job) {
        std::int64_t post_id = 0;
        const auto& payload = job.payload;
        if (std::from_chars(payload.data(), payload.data() + payload.size(), post_id).ec !=
            std::errc()) {
            return JobOutcome::drop("a post job without a post id");
        }
        auto blog = store.blogs().find_blog(job.blog_id);
        if (!blog) return JobOutcome::retry(blog.error().message);
        auto post = store.posts().find_post_by_id(job.blog_id, post_id);
        if (!post) return JobOutcome::retry(post.error().message);
        if (!*blog || !*post || (*post)->status != model::PostStatus::published) {
            return JobOutcome::done();
        }
        auto base = public_base(**blog);
        if (!base) {
            return JobOutcome::drop(
                "the blog has no public address (set its base URL) to send webmentions from");
        }
        const auto source = *base + model::post_path(**blog, **post);
        const auto targets = links_in((*post)->html, source);
        auto queued = store.write([&](store::Writer& writer) -> Status {
            for (const auto& target : targets) {
                if (target == source) continue;
                auto sent = writer.jobs().enqueue_job(
                    store::NewJob{.blog_id = job.blog_id,
                                  .kind = std::string(k_send),
                                  .payload = pair_payload({source, target, 0}),
                                  .run_at = clock.now()});
                if (!sent) return std::unexpected(sent.error());
            }
            return {};
        });
        if (!queued) return JobOutcome::retry(queued.error().message);
        return JobOutcome::done();
    }

    JobOutcome send(const store::Job& job) {
        auto pair = parse_pair(job.payload);
        if (!pair) return JobOutcome::drop("a sending job without source and target");
        auto page = fetcher.fetch({.url = pair->target});
        if (!page) {
            if (page.error().code == Error::Code::invalid_input) {
                return JobOutcome::drop(page.error().message);
            }
            return JobOutcome::retry(page.error().message);
        }
        if (page->status >= 500 || page->status == 408 || page->status == 429) {
            return JobOutcome::retry(fmt::format("{} answered {}", pair->target, page->status));
        }
        auto endpoint = find_endpoint(*page);
        if (!endpoint) return JobOutcome::done();  // the target takes no webmentions
        auto sent = fetcher.fetch(
            {.method = "POST",
             .url = *endpoint,
             .content_type = "application/x-www-form-urlencoded",
             .body = "source=" + form_value(pair->source) + "&target=" + form_value(pair->target),
             .accept = "*/*"});
        if (!sent) {
            if (sent.error().code == Error::Code::invalid_input) {
                return JobOutcome::drop(sent.error().message);
            }
            return JobOutcome::retry(sent.error().message);
        }
        if (sent->status >= 200 && sent->status <= 299) {
            spdlog::info("webmention: {} told {} of {} ({})", *endpoint, pair->target, pair->source,
                         sent->status);
            return JobOutcome::done();
        }
        auto why = fmt::format("{} answered {}", *endpoint, sent->status);
        if (is_permanent_refusal(sent->status)) return JobOutcome::drop(why);
        return JobOutcome::retry(why);
    }
};

Webmentions::Webmentions(store::Store& store, Worker& worker, const Clock& clock,
                         WebmentionOptions options)
    : impl_(std::make_unique<Impl>(store, worker, clock, std::move(options))) {
    worker.handle(std::string(k_verify),
                  [this](const store::Job& job) { return impl_->verify(job); });
    worker.handle(std::string(k_post_links),
                  [this](const store::Job& job) { return impl_->post_links(job); });
    worker.handle(std::string(k_send), [this](const store::Job& job) { return impl_->send(job); });
}

Webmentions::~Webmentions() = default;

void Webmentions::register_routes(http::Router& router) {
    router.add("POST", std::string(k_endpoint_path),
               [this](const http::Request& request, const http::RouteParams&) {
                   return impl_->receive(request);
               });
}

http::Headers Webmentions::advertising_headers() {
    return {{"Link", fmt::format("<{}>; rel=\"webmention\"", k_endpoint_path)}};
}

Status Webmentions::queue_post_mentions(store::Writer& writer, std::int64_t blog_id,
                                        std::int64_t post_id, model::Instant now) {
    auto queued = writer.jobs().enqueue_job(store::NewJob{.blog_id = blog_id,
                                                          .kind = std::string(k_post_links),
                                                          .payload = std::to_string(post_id),
                                                          .run_at = now});
    if (!queued) return std::unexpected(queued.error());
    return {};
}

}  // namespace carnet::social
