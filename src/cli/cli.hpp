// The `carnet` command: init, user, import, serve. Wires the modules together.
#pragma once

namespace carnet::cli {

// Runs the command line and returns the process exit status: 0 on success, 1 for a
// mistake of the user's (bad flags, bad input), 2 for a failure of the system.
int run(int argc, char** argv);

// Has the allocator keep memory it was given back instead of returning it to the system at
// once: a render builds its page (80 KB for a listing) and frees it, and without this each
// render faulted those pages in again (about 20 page faults, a tenth of a listing's time in
// bench/render_bench). Memory stays bounded by the most the process ever used. run() calls
// it; so do the benchmarks that measure what the server does.
void keep_freed_memory();

}  // namespace carnet::cli
