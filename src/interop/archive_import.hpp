// What the importers of other hosts' formats share (private to the interop module): writing
// one planned post with its comments into a transaction, recognising a post an earlier
// import brought in, and turning a foreign comment's HTML into what carnet renders.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "model/model.hpp"
#include "store/store.hpp"

namespace carnet::interop::archive {

// A post read from a file and ready to be written.
struct PlannedPost {
    int line = 0;                  // where the file holds it, for the report
    std::string status_label;      // how the file names its status, for the report
    store::ArchivedPost archived;  // comments ordered so that a parent precedes its replies
    // Per comment of archived.comments: 1 + the index of the comment it answers, 0 for none.
    std::vector<std::size_t> parent_of;
    // How an earlier import of the same file is recognised: the post at the same instant with
    // the same slug, or with this meta value.
    std::string identity_key;
    std::string identity_value;
    std::optional<std::string> old_path;  // the path readers used to reach it elsewhere
    // For a post the file leaves undated, which each import dates at its own time: the meta
    // key that marks it (the same post of an earlier import is then the one of its slug, or
    // of a number added to it, with that key and the same title and source). Empty otherwise.
    std::string undated_key;
};

enum class Outcome { imported, merged, skipped };

struct Written {
    Outcome outcome = Outcome::imported;
    std::string line;  // "line N: imported ..." for the report
};

// Writes the post (a new slug gets a number when taken by another post), its tags, its meta
// (with undated_key set to "1" for an undated post),
// a redirect from its old path when that is not its carnet path, and its comments with their
// threads. A post already in the blog gets only the comments it lacks.
[[nodiscard]] model::Result<Written> write_post(store::Writer& writer, const model::Blog& blog,
                                                PlannedPost& planned);

// Counts what became of a post in an import's report (its imported, merged and skipped
// counts) and adds the post's line.
template <typename Report>
void record(Report& report, Written written) {
    switch (written.outcome) {
        case Outcome::imported:
            ++report.imported;
            break;
        case Outcome::merged:
            ++report.merged;
            break;
        case Outcome::skipped:
            ++report.skipped;
            break;
    }
    report.lines.push_back(std::move(written.line));
}

// "1 comment", "2 comments".
std::string counted(std::size_t count, std::string_view one, std::string_view many);

// A failure of something read at `line`: "line N: ...".
std::unexpected<model::Error> at_line(int line, const model::Error& error);

// What the comment renderer is given for a comment written on another host. Those are often
// HTML, which carnet never shows from a commenter: its paragraphs and breaks are kept, its
// other tags dropped and its entities decoded, and the text is then rendered (and escaped)
// like any comment typed on carnet. The original stays in the comment's source for exports.
std::string comment_text(const std::string& source);

}  // namespace carnet::interop::archive
