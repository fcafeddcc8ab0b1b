// The one error type of carnet, on the ground floor so that every module, the generic
// http server included, can return it without knowing anything of blogs. `code` is for the
// caller to branch on, `message` is for a person to read (with a line number when the error
// comes from a file).
#pragma once

#include <expected>
#include <string>
#include <utility>

namespace carnet {

struct Error {
    enum class Code {
        invalid_input,  // the caller's data is malformed (a request, a file, a flag)
        not_found,      // the thing asked for does not exist
        conflict,       // it exists already, or a uniqueness rule would be broken
        io,             // the file system or the network failed
        database,       // the database failed or is not what we expect
        internal,       // a bug: an invariant did not hold
    };
    Code code = Code::internal;
    std::string message;
};

// What a function that can fail in normal use returns; the caller must look at it.
template <typename T>
using Result = std::expected<T, Error>;

// For functions that can fail but return nothing.
using Status = std::expected<void, Error>;

inline std::unexpected<Error> fail(Error::Code code, std::string message) {
    return std::unexpected<Error>(Error{code, std::move(message)});
}

}  // namespace carnet
