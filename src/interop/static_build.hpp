// What the static build knows of the pages it wrote, so that the next build renders only
// those whose content may have changed: a digest of every input of a page (the rows it shows,
// the blog's settings, the theme, the program), kept per file in the output folder's
// manifest. A page whose inputs have the digest recorded last time holds the bytes the site
// would render now; any other page is rendered again. Private to interop.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "model/model.hpp"
#include "store/store.hpp"

namespace carnet::interop::static_build {

// A 64-bit digest of a sequence of values, each framed (a text by its length and its own
// hash) so that different sequences never give the same bytes. Only comparable within one build of
// the program: the manifest records which program wrote it.
class Digest {
public:
    Digest& add(std::string_view bytes);
    Digest& add(std::int64_t number);
    Digest& add(std::uint64_t number);
    Digest& add(int number) { return add(static_cast<std::int64_t>(number)); }
    Digest& add(bool flag) { return add(static_cast<std::int64_t>(flag)); }
    Digest& add(model::Instant at);
    // Never 0, which the manifest keeps for "unknown".
    std::uint64_t value() const;

private:
    std::string bytes_;
};

// What listings, feeds and the sitemap show of a post: its own fields, its categories and
// its count of approved comments.
std::uint64_t post_digest(const model::Post& post);
// What the post's page and comment feed show beside it: its approved comments (oldest
// first) and the fediverse's reactions.
std::uint64_t discussion_digest(std::span<const model::Comment> comments,
                                const store::ReactionCounts& reactions);
// The blog's settings, every field.
std::uint64_t blog_digest(const model::Blog& blog);

// One page of a listing (home, a year, a month, a day, a category), and the digest of what
// it shows: the listing's own `inputs` (shell, category), its page number and count, and the
// posts on it.
struct ListingPage {
    std::string path;
    std::uint64_t inputs = 0;
};
// The pages of a listing at `base` holding `posts` (digests, newest first, as the site orders
// them), posts_per_page to a page: base, base/page/2/, ...; one page when there are none.
std::vector<ListingPage> listing_pages(const std::string& base, std::uint64_t inputs,
                                       std::span<const std::uint64_t> posts, int posts_per_page);

// What the manifest records: the blog's generation and the build's fingerprint (program,
// options, theme files) when the build was complete, and per URL what its inputs were.
// Where a file holds the blog's sidebar, the same in every page (theme::SidebarTrace).
inline constexpr std::int64_t k_no_sidebar = -1;         // the page does not show it
inline constexpr std::int64_t k_sidebar_elsewhere = -2;  // it does, but not as one span
struct ManifestEntry {
    std::string key;  // a file relative to the folder, or "/url" for a URL that has no file
    std::uint64_t inputs = 0;  // 0: unknown, render it again
    // The byte where the sidebar starts in the file, or one of the two values above.
    std::int64_t sidebar_at = k_sidebar_elsewhere;
};
// The sidebar every page of the last build held: a digest of its bytes and of the line
// state the template was in after it, its length, and the bytes it takes in each page with
// the spaces after it (sidebar_slot; 0 in a manifest that records none: no spaces). 0: none
// was known.
struct ManifestSidebar {
    std::uint64_t digest = 0;
    std::uint64_t length = 0;
    std::uint64_t slot = 0;
    bool operator==(const ManifestSidebar&) const = default;
};

// Every page of a copy follows its sidebar with spaces, up to the next multiple of
// k_sidebar_slot_block bytes. A new post changes a few bytes of the sidebar (a count, a
// title among the recent posts), so the new one mostly fits the same slot: the next build
// then writes the slot alone, in place, in the page of every other post, without making a
// new file. Writing 28,000 files afresh cost ext4 seconds in new inodes; writing their
// sidebars in place, a tenth of a second.
inline constexpr std::uint64_t k_sidebar_slot_block = 2048;
inline std::uint64_t sidebar_slot(std::uint64_t length) {
    return (length / k_sidebar_slot_block + 1) * k_sidebar_slot_block;
}
struct Manifest {
    std::uint64_t generation = 0;  // 0: the last build was not complete
    std::uint64_t fingerprint = 0;
    ManifestSidebar sidebar;
    std::vector<ManifestEntry> entries;  // in the order the build took them
};

// Reads a manifest. Lines that could point outside the folder are ignored (the manifest is a
// file anyone may have edited); a line holding only a file name (an older carnet's manifest)
// is that file with unknown inputs, and one without a sidebar field shows the sidebar
// elsewhere.
Manifest parse_manifest(std::string_view text);
std::string format_manifest(const Manifest& manifest);

// A path the copy may write: absolute, with no empty, hidden ('.', "..", the manifest, the
// temporary files) or backslashed segment, so a slug can never write outside the folder.
bool is_safe_url_path(std::string_view path);

}  // namespace carnet::interop::static_build
