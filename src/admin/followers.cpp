// Followers on the fediverse: who follows the blog and since when, those waiting for the
// owner's approval (the "approve followers" setting), and the actors and domains the blog
// refuses. Approving sends the follower an Accept, refusing or removing one a Reject (through
// AdminOptions::follower_answered); blocking removes the followers it covers.
#include <fmt/format.h>

#include <boost/url.hpp>
#include <cctype>

#include "admin/admin_impl.hpp"

namespace carnet::admin {
namespace {

constexpr int k_listed_followers = 500;

// What a block names: an actor's URI as given, or a domain (a host name, in lower case).
std::optional<std::string> block_target(std::string_view text) {
    const auto target = http::trim_blank(text);
    if (target.empty() || target.size() > 2000) return std::nullopt;
    if (target.find("://") != std::string::npos) {
        auto parsed = boost::urls::parse_uri(target);
        if (!parsed || parsed->host().empty()) return std::nullopt;
        return target;
    }
    std::string domain;
    for (char c : target) {
        const auto u = static_cast<unsigned char>(c);
        if (!std::isalnum(u) && c != '.' && c != '-') return std::nullopt;
        domain += static_cast<char>(std::tolower(u));
    }
    return domain;
}

}  // namespace

void AdminImpl::add_follower_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/followers", Permission::configure, &AdminImpl::follower_list},
        {"POST", "/followers/approve", Permission::configure, &AdminImpl::approve_follower},
        {"POST", "/followers/refuse", Permission::configure, &AdminImpl::refuse_follower},
        {"POST", "/followers/remove", Permission::configure, &AdminImpl::refuse_follower},
        {"POST", "/followers/block", Permission::configure, &AdminImpl::block_follower},
        {"POST", "/followers/unblock", Permission::configure, &AdminImpl::unblock_follower},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::follower_list(const Call& call) {
    const auto done = call.request.query_param("done").value_or("");
    return follower_page(call.access, 200,
                         done.empty() ? std::string() : tr(call.locale(), "Done."));
}

Response AdminImpl::follower_page(const Access& access, int status, const std::string& notice,
                                  const std::string& error) {
    const auto& blog = access.blog;
    const auto listed = [&](store::FollowerState state) -> model::Result<mustache::list> {
        auto page = store_.federation().followers(blog.id, state, 0, k_listed_followers);
        if (!page) return std::unexpected(page.error());
        mustache::list rows;
        for (const auto& follower : page->followers) {
            mustache::data row;
            row.set("actor", follower.actor);
            row.set("handle", follower.handle.empty() ? follower.actor : "@" + follower.handle);
            row.set("since", local_display(follower.created_at, blog.time_zone));
            const auto at = follower.handle.rfind('@');
            if (at != std::string::npos) row.set("domain", follower.handle.substr(at + 1));
            rows.push_back(row);
        }
        return rows;
    };
    auto accepted = listed(store::FollowerState::accepted);
    if (!accepted) return internal_error(access, accepted.error());
    auto pending = listed(store::FollowerState::pending);
    if (!pending) return internal_error(access, pending.error());
    auto blocks = store_.federation().blocks(blog.id);
    if (!blocks) return internal_error(access, blocks.error());
    mustache::list blocked;
    for (const auto& target : *blocks) {
        mustache::data row;
        row.set("target", target);
        blocked.push_back(row);
    }
    mustache::data view;
    view.set("has_followers", !accepted->empty());
    view.set("followers", *accepted);
    view.set("has_pending", !pending->empty());
    view.set("pending", *pending);
    view.set("has_blocks", !blocked.empty());
    view.set("blocks", blocked);
    view.set("approve_followers", blog.approve_followers);
    return page(status, access, blog.locale, tr(blog.locale, "Followers"), "followers", view,
                notice, error);
}

Response AdminImpl::answer_follower(const Call& call, bool accept) {
    const auto& access = call.access;
    const auto actor = call.form.get("actor").value_or("");
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        auto follower = writer.federation().find_follower(access.blog.id, actor);
        if (!follower) return std::unexpected(follower.error());
        if (!*follower) {
            return model::fail(Error::Code::not_found, "this actor does not follow the blog");
        }
        if (accept) {
            auto approved = writer.federation().set_follower_state(access.blog.id, actor,
                                                                   store::FollowerState::accepted);
            if (!approved) return approved;
        } else {
            auto removed = writer.federation().remove_follower(access.blog.id, actor);
            if (!removed) return std::unexpected(removed.error());
        }
        if (!options_.follower_answered) return {};
        return options_.follower_answered(writer, access.blog, **follower, accept);
    });
    if (!written) {
        if (written.error().code == Error::Code::not_found) {
            return follower_page(access, 404, {}, tr(access.blog.locale, "Not found."));
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/followers?done=1", access.blog.id));
}

Response AdminImpl::approve_follower(const Call& call) { return answer_follower(call, true); }

Response AdminImpl::refuse_follower(const Call& call) { return answer_follower(call, false); }

Response AdminImpl::block_follower(const Call& call) {
    const auto& access = call.access;
    auto target = block_target(call.form.get("target").value_or(""));
    if (!target) {
        return follower_page(access, 422, {},
                             tr(access.blog.locale, "Give an actor's address or a domain name."));
    }
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        auto blocked = writer.federation().block(access.blog.id, *target);
        if (!blocked) return std::unexpected(blocked.error());
        return {};
    });
    if (!written) return internal_error(access, written.error());
    return redirect(fmt::format("/admin/blogs/{}/followers?done=1", access.blog.id));
}

Response AdminImpl::unblock_follower(const Call& call) {
    const auto& access = call.access;
    const auto target = call.form.get("target").value_or("");
    auto written = store_.write(
        [&](store::Writer& writer) { return writer.federation().unblock(access.blog.id, target); });
    if (!written) return internal_error(access, written.error());
    return redirect(fmt::format("/admin/blogs/{}/followers?done=1", access.blog.id));
}

}  // namespace carnet::admin
