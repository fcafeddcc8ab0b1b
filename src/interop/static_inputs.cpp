#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <functional>

#include "interop/static_build.hpp"

namespace carnet::interop::static_build {
namespace {

constexpr std::string_view k_manifest_header =
    "# Written by `carnet build`: what each file shows, so that the next build renders only\n"
    "# what changed and removes the files whose page is gone.\n";
constexpr std::string_view k_generation_line = "generation ";
constexpr std::string_view k_fingerprint_line = "fingerprint ";
constexpr std::string_view k_sidebar_line = "sidebar ";

std::uint64_t parse_hex(std::string_view text, bool& ok) {
    std::uint64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value, 16);
    ok = error == std::errc{} && end == text.data() + text.size() && !text.empty();
    return value;
}

}  // namespace

Digest& Digest::add(std::string_view bytes) {
    // A field's own hash, not its bytes: a post's HTML is not copied to be digested.
    add(static_cast<std::uint64_t>(bytes.size()));
    return add(static_cast<std::uint64_t>(std::hash<std::string_view>{}(bytes)));
}

Digest& Digest::add(std::int64_t number) { return add(static_cast<std::uint64_t>(number)); }

Digest& Digest::add(std::uint64_t number) {
    char buffer[sizeof number];
    for (auto& byte : buffer) {
        byte = static_cast<char>(number & 0xff);
        number >>= 8;
    }
    bytes_.append(buffer, sizeof buffer);
    return *this;
}

Digest& Digest::add(model::Instant at) {
    return add(static_cast<std::int64_t>(at.time_since_epoch().count()));
}

std::uint64_t Digest::value() const {
    const auto hash = static_cast<std::uint64_t>(std::hash<std::string_view>{}(bytes_));
    return hash == 0 ? 1 : hash;
}

std::uint64_t post_digest(const model::Post& post) {
    Digest digest;
    digest.add(post.id)
        .add(model::to_string(post.status))
        .add(post.title)
        .add(post.slug)
        .add(model::to_string(post.source_format))
        .add(post.html)
        .add(post.excerpt)
        .add(post.published_at)
        .add(post.updated_at)
        .add(post.comments_open)
        .add(post.comment_policy ? std::string_view(model::to_string(*post.comment_policy))
                                 : std::string_view("blog"))
        .add(post.author_id)
        .add(post.comment_count)
        .add(static_cast<std::uint64_t>(post.categories.size()));
    for (const auto& category : post.categories) {
        digest.add(category.id).add(category.name).add(category.slug);
    }
    return digest.value();
}

std::uint64_t discussion_digest(std::span<const model::Comment> comments,
                                const store::ReactionCounts& reactions) {
    Digest digest;
    digest.add(reactions.likes).add(reactions.shares);
    digest.add(static_cast<std::uint64_t>(comments.size()));
    for (const auto& comment : comments) {
        digest.add(comment.id)
            .add(comment.parent_id)
            .add(comment.author_name)
            .add(comment.author_url)
            .add(comment.author_handle)
            .add(comment.html)
            .add(model::to_string(comment.status))
            .add(comment.created_at);
    }
    return digest.value();
}

std::uint64_t blog_digest(const model::Blog& blog) {
    Digest digest;
    digest.add(blog.id).add(static_cast<std::uint64_t>(blog.hosts.size()));
    for (const auto& host : blog.hosts) digest.add(host);
    digest.add(blog.base_url)
        .add(blog.title)
        .add(blog.subtitle)
        .add(blog.locale)
        .add(blog.time_zone)
        .add(blog.theme)
        .add(blog.posts_per_page)
        .add(model::to_string(blog.comment_policy))
        .add(blog.close_comments_after_days)
        .add(blog.approve_followers);
    return digest.value();
}

std::vector<ListingPage> listing_pages(const std::string& base, std::uint64_t inputs,
                                       std::span<const std::uint64_t> posts, int posts_per_page) {
    const auto per_page = static_cast<std::size_t>(std::max(1, posts_per_page));
    const auto count = std::max<std::size_t>(1, (posts.size() + per_page - 1) / per_page);
    std::vector<ListingPage> pages;
    pages.reserve(count);
    for (std::size_t page = 1; page <= count; ++page) {
        Digest digest;
        digest.add(inputs)
            .add(base)
            .add(static_cast<std::uint64_t>(page))
            .add(static_cast<std::uint64_t>(count));
        const auto first = (page - 1) * per_page;
        for (auto i = first; i < posts.size() && i < first + per_page; ++i) digest.add(posts[i]);
        pages.push_back({page == 1 ? base : fmt::format("{}page/{}/", base, page), digest.value()});
    }
    return pages;
}

bool is_safe_url_path(std::string_view path) {
    if (!path.starts_with('/') || path.find('\0') != std::string_view::npos ||
        path.find('\\') != std::string_view::npos || path.find('\n') != std::string_view::npos ||
        path.find('\t') != std::string_view::npos) {
        return false;
    }
    auto rest = path.substr(1);
    while (!rest.empty()) {
        const auto slash = rest.find('/');
        const auto segment = rest.substr(0, slash);
        if (segment.empty() || segment.starts_with('.')) return false;
        if (slash == std::string_view::npos) break;
        rest.remove_prefix(slash + 1);
    }
    return true;
}

Manifest parse_manifest(std::string_view text) {
    Manifest manifest;
    while (!text.empty()) {
        const auto end = text.find('\n');
        auto line = text.substr(0, end);
        text.remove_prefix(end == std::string_view::npos ? text.size() : end + 1);
        if (line.empty() || line.starts_with('#')) continue;
        bool ok = false;
        if (line.starts_with(k_generation_line)) {
            const auto value = parse_hex(line.substr(k_generation_line.size()), ok);
            if (ok) manifest.generation = value;
            continue;
        }
        if (line.starts_with(k_fingerprint_line)) {
            const auto value = parse_hex(line.substr(k_fingerprint_line.size()), ok);
            if (ok) manifest.fingerprint = value;
            continue;
        }
        if (line.starts_with(k_sidebar_line)) {
            auto fields = line.substr(k_sidebar_line.size());
            // "digest length slot"; an older manifest has no slot: its pages have no spaces.
            const auto space = fields.find(' ');
            bool length_ok = false;
            bool slot_ok = true;
            const auto digest = parse_hex(fields.substr(0, space), ok);
            auto rest =
                space == std::string_view::npos ? std::string_view() : fields.substr(space + 1);
            const auto second = rest.find(' ');
            const auto length = rest.empty() ? 0 : parse_hex(rest.substr(0, second), length_ok);
            std::uint64_t slot = 0;
            if (second != std::string_view::npos)
                slot = parse_hex(rest.substr(second + 1), slot_ok);
            if (slot != 0 && slot < length) slot_ok = false;
            if (ok && length_ok && slot_ok) manifest.sidebar = {digest, length, slot};
            continue;
        }
        ManifestEntry entry;
        if (const auto tab = line.find('\t'); tab != std::string_view::npos) {
            entry.inputs = parse_hex(line.substr(0, tab), ok);
            if (!ok) entry.inputs = 0;
            line.remove_prefix(tab + 1);
            // Then where the file holds the sidebar: a byte offset, '-' for nowhere, '*' for
            // not as one span.
            if (const auto second = line.find('\t'); second != std::string_view::npos) {
                const auto field = line.substr(0, second);
                std::int64_t at = 0;
                const auto [end, error] =
                    std::from_chars(field.data(), field.data() + field.size(), at);
                if (field == "-") {
                    entry.sidebar_at = k_no_sidebar;
                } else if (error == std::errc{} && end == field.data() + field.size() && at >= 0) {
                    entry.sidebar_at = at;
                }
                line.remove_prefix(second + 1);
            }
        }
        // A file is relative to the folder and never a folder; a URL without a file is absolute.
        const bool url = line.starts_with('/');
        std::string as_url(url ? "" : "/");
        as_url += line;
        if (!is_safe_url_path(as_url) || (!url && line.ends_with('/'))) continue;
        entry.key = std::string(line);
        manifest.entries.push_back(std::move(entry));
    }
    return manifest;
}

std::string format_manifest(const Manifest& manifest) {
    std::string text(k_manifest_header);
    text +=
        fmt::format("{}{:x}\n{}{:x}\n{}{:x} {:x} {:x}\n", k_generation_line, manifest.generation,
                    k_fingerprint_line, manifest.fingerprint, k_sidebar_line,
                    manifest.sidebar.digest, manifest.sidebar.length, manifest.sidebar.slot);
    for (const auto& entry : manifest.entries) {
        if (entry.sidebar_at >= 0) {
            text += fmt::format("{:016x}\t{}\t{}\n", entry.inputs, entry.sidebar_at, entry.key);
        } else {
            text += fmt::format("{:016x}\t{}\t{}\n", entry.inputs,
                                entry.sidebar_at == k_no_sidebar ? "-" : "*", entry.key);
        }
    }
    return text;
}

}  // namespace carnet::interop::static_build
