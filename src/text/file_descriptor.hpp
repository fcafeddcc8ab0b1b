// An open file descriptor, closed by its owner: the one RAII wrapper for the POSIX calls
// (open, pread, pwrite, fsync) that std::fstream cannot make. On the ground floor beside
// the clock, so that media, the store and the static build share it.
#pragma once

#include <unistd.h>

#include <utility>

namespace carnet {

class FileDescriptor {
public:
    explicit FileDescriptor(int fd) : fd_(fd) {}
    FileDescriptor(const FileDescriptor&) = delete;
    FileDescriptor& operator=(const FileDescriptor&) = delete;
    ~FileDescriptor() {
        if (fd_ >= 0) ::close(fd_);
    }
    int get() const { return fd_; }
    bool is_open() const { return fd_ >= 0; }
    // Closes now, reporting failure (a full disk can show only here on some file systems).
    [[nodiscard]] bool close() { return ::close(std::exchange(fd_, -1)) == 0; }

private:
    int fd_;
};

}  // namespace carnet
