// Following accounts of the fediverse from the blog, and reading them: the Following page
// (follow @name@host or an actor's address, the accounts followed with their state, unfollow)
// and the reader (what they post, newest first, in pages, each with a short reply form). What
// is sent goes through AdminOptions::fediverse.
#include <fmt/format.h>

#include <algorithm>

#include "admin/admin_impl.hpp"

namespace carnet::admin {
namespace {

constexpr int k_items_per_page = 20;
constexpr std::size_t k_max_account_chars = 2000;
constexpr std::size_t k_max_reply_chars = 5000;

}  // namespace

void AdminImpl::add_following_routes(http::Router& router) {
    static constexpr BlogRoute k_routes[] = {
        {"GET", "/following", Permission::edit_all, &AdminImpl::following_list},
        {"POST", "/following", Permission::edit_all, &AdminImpl::follow_account},
        {"POST", "/following/unfollow", Permission::edit_all, &AdminImpl::unfollow_account},
        {"GET", "/reader", Permission::edit_all, &AdminImpl::reader},
        {"POST", "/reader/{item}/reply", Permission::edit_all, &AdminImpl::reply_to_item},
    };
    add_blog_routes(router, k_routes);
}

Response AdminImpl::following_list(const Call& call) {
    const auto done = call.request.query_param("done").value_or("");
    return following_page(call.access, 200, {},
                          done.empty() ? std::string() : tr(call.locale(), "Done."));
}

Response AdminImpl::following_page(const Access& access, int status, const std::string& account,
                                   const std::string& notice, const std::string& error) {
    const auto& blog = access.blog;
    auto followed = store_.following().followings(blog.id);
    if (!followed) return internal_error(access, followed.error());
    mustache::list rows;
    for (const auto& following : *followed) {
        mustache::data row;
        row.set("actor", following.actor);
        row.set("handle", following.handle.empty() ? following.actor : "@" + following.handle);
        if (!following.name.empty()) row.set("name", following.name);
        if (!following.profile_url.empty()) row.set("profile", following.profile_url);
        row.set("since", local_display(following.created_at, blog.time_zone));
        const bool accepted = following.state == store::FollowingState::accepted;
        row.set("accepted", accepted);
        row.set("state", tr(blog.locale, accepted ? "Followed" : "Waiting for their answer"));
        rows.push_back(row);
    }
    mustache::data view;
    view.set("has_followings", !rows.empty());
    view.set("followings", rows);
    view.set("account", account);
    view.set("federated", static_cast<bool>(options_.fediverse.follow));
    return page(status, access, blog.locale, tr(blog.locale, "Following"), "following", view,
                notice, error);
}

Response AdminImpl::follow_account(const Call& call) {
    const auto& access = call.access;
    const auto& locale = access.blog.locale;
    const auto account = http::trim_blank(call.form.get("account").value_or(""));
    if (account.empty() || account.size() > k_max_account_chars) {
        return following_page(access, 422, account, {},
                              tr(locale, "Give an account as @name@host, or its address."));
    }
    if (!options_.fediverse.follow) {
        return following_page(access, 409, account, {},
                              tr(locale, "This blog is not on the fediverse."));
    }
    auto followed = options_.fediverse.follow(access.blog, account);
    if (!followed) {
        const auto& failure = followed.error();
        if (failure.code == Error::Code::invalid_input) {
            return following_page(
                access, 422, account, {},
                fmt::format("{} ({})", tr(locale, "This account cannot be followed."),
                            failure.message));
        }
        if (failure.code == Error::Code::io) {
            return following_page(
                access, 502, account, {},
                fmt::format("{} ({})",
                            tr(locale, "The account's server cannot be reached: try again later."),
                            failure.message));
        }
        return internal_error(access, failure);
    }
    return redirect(fmt::format("/admin/blogs/{}/following?done=1", access.blog.id));
}

Response AdminImpl::unfollow_account(const Call& call) {
    const auto& access = call.access;
    const auto actor = call.form.get("actor").value_or("");
    auto written = store_.write([&](store::Writer& writer) -> model::Status {
        if (options_.fediverse.unfollow) {
            return options_.fediverse.unfollow(writer, access.blog, actor);
        }
        auto removed = writer.following().remove_following(access.blog.id, actor);
        if (!removed) return std::unexpected(removed.error());
        if (!*removed) return model::fail(Error::Code::not_found, "not followed");
        return {};
    });
    if (!written) {
        if (written.error().code == Error::Code::not_found) {
            return following_page(access, 404, {}, {}, tr(access.blog.locale, "Not found."));
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/following?done=1", access.blog.id));
}

Response AdminImpl::reader(const Call& call) {
    const auto& access = call.access;
    const auto& blog = access.blog;
    const int page_number = static_cast<int>(std::clamp<std::int64_t>(
        http::parse_id(call.request.query_param("page").value_or("")).value_or(1), 1, 100'000));
    auto items = store_.following().reader_items(blog.id, (page_number - 1) * k_items_per_page,
                                                 k_items_per_page);
    if (!items) return internal_error(access, items.error());
    mustache::list rows;
    for (const auto& item : items->items) {
        mustache::data row;
        row.set("id", std::to_string(item.id));
        row.set("author", item.author_name);
        if (!item.author_handle.empty()) row.set("handle", "@" + item.author_handle);
        if (!item.author_url.empty()) row.set("author_url", item.author_url);
        if (!item.url.empty()) row.set("url", item.url);
        if (!item.title.empty()) row.set("title", item.title);
        // Rendered by the comment sanitiser when it arrived: it runs nothing.
        row.set("html", item.html);
        row.set("when", local_display(item.published_at, blog.time_zone));
        if (item.updated_at > item.published_at) {
            row.set("updated", local_display(item.updated_at, blog.time_zone));
        }
        rows.push_back(row);
    }
    mustache::data view;
    view.set("has_items", !rows.empty());
    view.set("items", rows);
    view.set("can_reply", static_cast<bool>(options_.fediverse.reply));
    const auto base = fmt::format("/admin/blogs/{}/reader", blog.id);
    if (page_number > 1) view.set("previous", fmt::format("{}?page={}", base, page_number - 1));
    if (static_cast<std::int64_t>(page_number) * k_items_per_page < items->total) {
        view.set("next", fmt::format("{}?page={}", base, page_number + 1));
    }
    const auto done = call.request.query_param("done").value_or("");
    return page(200, access, blog.locale, tr(blog.locale, "Reader"), "reader", view,
                done.empty() ? std::string() : tr(blog.locale, "Your reply is on its way."));
}

Response AdminImpl::reply_to_item(const Call& call) {
    const auto& access = call.access;
    const auto& locale = access.blog.locale;
    auto item = store_.following().find_reader_item(access.blog.id, call.id("item"));
    if (!item) return internal_error(access, item.error());
    if (!*item) return message(404, access, locale, "Not found.");
    const auto text = http::trim_blank(call.form.get("text").value_or(""));
    if (text.empty() || text.size() > k_max_reply_chars) {
        return message(422, access, locale, "Bad request.");
    }
    if (!options_.fediverse.reply) return message(409, access, locale, "Bad request.");
    auto written = store_.write([&](store::Writer& writer) {
        return options_.fediverse.reply(writer, access.blog, **item, text);
    });
    if (!written) {
        if (written.error().code == Error::Code::invalid_input) {
            return message(422, access, locale, "Bad request.");
        }
        return internal_error(access, written.error());
    }
    return redirect(fmt::format("/admin/blogs/{}/reader?done=1", access.blog.id));
}

}  // namespace carnet::admin
