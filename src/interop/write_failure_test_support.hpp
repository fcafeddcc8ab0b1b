// Makes a database refuse, from inside, the write of one post: a trigger aborts the INSERT
// of the post with that title, as a full disk or a lost connection would fail a write half
// way through an import. The tests that use it check that nothing of the import remains.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>

namespace carnet::interop::testing {

inline void fail_writes_of_post_titled(const std::filesystem::path& database,
                                       std::string_view title) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(database.c_str(), &raw), SQLITE_OK);
    std::unique_ptr<sqlite3, decltype(&sqlite3_close)> connection(raw, &sqlite3_close);
    char* quoted = sqlite3_mprintf("%Q", std::string(title).c_str());
    const std::string sql =
        std::string("CREATE TRIGGER fail_one_post BEFORE INSERT ON posts WHEN NEW.title = ") +
        quoted + " BEGIN SELECT RAISE(ABORT, 'the disk is full'); END;";
    sqlite3_free(quoted);
    char* error = nullptr;
    ASSERT_EQ(sqlite3_exec(connection.get(), sql.c_str(), nullptr, nullptr, &error), SQLITE_OK)
        << (error ? error : "");
}

}  // namespace carnet::interop::testing
