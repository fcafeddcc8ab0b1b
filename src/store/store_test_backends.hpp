// The backends the store's suites run on (store_test.cpp, search_test.cpp). Each suite is
// written against the Store interface and its concern interfaces and instantiated with
// store_backends(): a new backend adds its factory here and runs every suite.
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "store/store.hpp"
#include "testing/postgres_server.hpp"
#include "testing/temp_dir.hpp"

namespace carnet::store {

struct StoreBackend {
    std::string name;
    // An empty store of this backend, its data under `dir`, reading the time from `clock`
    // (which outlives it).
    std::function<Result<std::unique_ptr<Store>>(const carnet::testing::TempDir& dir,
                                                 const Clock& clock)>
        open;
};

inline std::vector<StoreBackend> store_backends() {
    return {
        StoreBackend{"sqlite",
                     [](const carnet::testing::TempDir& dir, const Clock& clock) {
                         return open_sqlite_store(dir.path() / "carnet.db",
                                                  OpenMode::create_if_missing, clock);
                     }},
        // A database of its own on the test program's server (postgres_server.hpp).
        StoreBackend{"postgres",
                     [](const carnet::testing::TempDir&,
                        const Clock& clock) -> Result<std::unique_ptr<Store>> {
                         std::string failure;
                         auto* server = carnet::testing::postgres_server(&failure);
                         if (server == nullptr) {
                             return model::fail(model::Error::Code::database,
                                                "no PostgreSQL for the tests: " + failure);
                         }
                         auto uri = server->create_database();
                         if (!uri) return model::fail(model::Error::Code::database, uri.error());
                         return open_postgres_store(*uri, OpenMode::create_if_missing, clock);
                     }},
    };
}

// What gtest prints for the parameter: the backend's name, not its bytes.
inline void PrintTo(const StoreBackend& backend, std::ostream* out) { *out << backend.name; }

// The test name's suffix: the backend's name.
inline std::string store_backend_name(const ::testing::TestParamInfo<StoreBackend>& info) {
    return info.param.name;
}

}  // namespace carnet::store
