#include "store/generations.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace carnet::store {
namespace {

TEST(Generations, ReadsWhatTheLastChangeWrote) {
    Generations generations;
    EXPECT_EQ(generations.get(1), 0u);
    generations.change([](Generations::Table& table) { table[1] = 5; });
    EXPECT_EQ(generations.get(1), 5u);
    generations.change([](Generations::Table& table) { table[1] = 6; });
    EXPECT_EQ(generations.get(1), 6u);
    generations.change([](Generations::Table& table) { table = {{2, 3}}; });
    EXPECT_EQ(generations.get(1), 0u);
    EXPECT_EQ(generations.get(2), 3u);
}

TEST(Generations, AnotherThreadSeesAChangeMadeAfterItsLastRead) {
    Generations generations;
    generations.change([](Generations::Table& table) { table[1] = 1; });
    std::uint64_t before = 0;
    std::uint64_t after = 0;
    std::thread reader([&] { before = generations.get(1); });
    reader.join();
    generations.change([](Generations::Table& table) { table[1] = 2; });
    std::thread again([&] { after = generations.get(1); });
    again.join();
    EXPECT_EQ(before, 1u);
    EXPECT_EQ(after, 2u);
}

TEST(Generations, TablesReadInTurnOnOneThreadStayApart) {
    Generations primary;
    Generations replica;
    Generations third;
    primary.change([](Generations::Table& table) { table[1] = 10; });
    replica.change([](Generations::Table& table) { table[1] = 20; });
    third.change([](Generations::Table& table) { table[1] = 30; });
    for (int i = 0; i < 3; ++i) {
        EXPECT_EQ(primary.get(1), 10u);
        EXPECT_EQ(replica.get(1), 20u);
        EXPECT_EQ(third.get(1), 30u);
    }
    replica.change([](Generations::Table& table) { table[1] = 21; });
    EXPECT_EQ(replica.get(1), 21u);
    EXPECT_EQ(primary.get(1), 10u);
}

}  // namespace
}  // namespace carnet::store
