// The `carnet` command: init, user, import, serve. Wires the modules together.
#pragma once

namespace carnet::cli {

// Runs the command line and returns the process exit status: 0 on success, 1 for a
// mistake of the user's (bad flags, bad input), 2 for a failure of the system.
int run(int argc, char** argv);

}  // namespace carnet::cli
