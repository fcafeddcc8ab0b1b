// A folder of its own for one test, removed with everything in it when the test ends.
#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace carnet::testing {

class TempDir {
public:
    TempDir() : TempDir(std::filesystem::temp_directory_path()) {}
    // A folder of its own under `parent`.
    explicit TempDir(const std::filesystem::path& parent) {
        std::string pattern = (parent / "carnet-test-XXXXXX");
        path_ = mkdtemp(pattern.data());
    }
    ~TempDir() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    const std::filesystem::path& path() const { return path_; }

private:
    std::filesystem::path path_;
};

}  // namespace carnet::testing
