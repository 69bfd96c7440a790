#include <gtest/gtest.h>

#include "server/arena/arena_directory.h"

using namespace qbot::server;

TEST(ArenaDirectory, FillsAnArenaThenOpensTheNext) {
  ArenaDirectory dir(qbot::sim::default_map(), qbot::sim::Rules{}, 2, 1);
  Arena& a = dir.admit();
  ASSERT_TRUE(a.add_player(1, 1, "a"));
  EXPECT_EQ(&dir.admit(), &a);  // room left
  ASSERT_TRUE(a.add_player(2, 2, "b"));
  EXPECT_TRUE(a.full());
  Arena& b = dir.admit();
  EXPECT_NE(&b, &a);
  EXPECT_EQ(dir.size(), 2u);
  EXPECT_FALSE(a.add_player(3, 3, "c").has_value());
}

TEST(ArenaDirectory, PrefersTheFullestArenaWithRoom) {
  ArenaDirectory dir(qbot::sim::default_map(), qbot::sim::Rules{}, 3, 1);
  Arena& a = dir.admit();
  a.add_player(1, 1, "a");
  a.add_player(2, 2, "b");
  a.add_player(3, 3, "c");
  Arena& b = dir.admit();
  b.add_player(4, 4, "d");
  a.remove_player(1);  // a has 2, b has 1
  EXPECT_EQ(&dir.admit(), &a);
}

TEST(ArenaDirectory, EmptyArenasClose) {
  ArenaDirectory dir(qbot::sim::default_map(), qbot::sim::Rules{}, 2, 1);
  Arena& a = dir.admit();
  a.add_player(1, 1, "a");
  EXPECT_EQ(dir.close_empty(), 0u);
  a.remove_player(1);
  EXPECT_EQ(dir.close_empty(), 1u);
  EXPECT_EQ(dir.size(), 0u);
}

TEST(Arena, LeaverEntityIdIsReusedAndFrameTracksBots) {
  Arena arena(1, qbot::sim::default_map(), qbot::sim::Rules{}, 1, 8);
  EXPECT_EQ(arena.add_player(10, 1, "a"), 1);
  EXPECT_EQ(arena.add_player(11, 2, "b"), 2);
  EXPECT_EQ(arena.frame().entities.size(), 2u);
  arena.remove_player(10);
  EXPECT_EQ(arena.frame().entities.size(), 1u);
  EXPECT_EQ(arena.add_player(12, 3, "c"), 1);
}
