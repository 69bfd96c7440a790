#include <gtest/gtest.h>

#include "server/arena/arena_directory.h"
#include "sim_fixture.h"

using namespace qbot;
using namespace qbot::server;

namespace {
struct Dir {
  qbot::sim::Catalog catalog = qbot::test::test_catalog();
  qbot::sim::Map map = qbot::test::test_map();
  ArenaContent content{&catalog, {}, {{&map, {}}}};
  MatchSettings settings;
  ArenaDirectory make(std::size_t size) { return ArenaDirectory(content, settings, size, 1, "test"); }
};
qbot::sim::Loadout bot(const char* name) { return {name, 0, 0, 0, 0, 0}; }
}  // namespace

TEST(ArenaDirectory, FillsAnArenaThenOpensTheNext) {
  Dir d;
  ArenaDirectory dir = d.make(2);
  Arena& a = dir.admit();
  ASSERT_TRUE(a.add_player(1, 1, bot("a")));
  EXPECT_EQ(&dir.admit(), &a);  // room left
  ASSERT_TRUE(a.add_player(2, 2, bot("b")));
  EXPECT_TRUE(a.full());
  Arena& b = dir.admit();
  EXPECT_NE(&b, &a);
  EXPECT_EQ(dir.size(), 2u);
  EXPECT_FALSE(a.add_player(3, 3, bot("c")).has_value());
}

TEST(ArenaDirectory, PrefersTheFullestArenaWithRoom) {
  Dir d;
  ArenaDirectory dir = d.make(3);
  Arena& a = dir.admit();
  a.add_player(1, 1, bot("a"));
  a.add_player(2, 2, bot("b"));
  a.add_player(3, 3, bot("c"));
  Arena& b = dir.admit();
  b.add_player(4, 4, bot("d"));
  a.remove_player(1);  // a has 2, b has 1
  EXPECT_EQ(&dir.admit(), &a);
}

TEST(ArenaDirectory, EmptyArenasClose) {
  Dir d;
  ArenaDirectory dir = d.make(2);
  Arena& a = dir.admit();
  a.add_player(1, 1, bot("a"));
  EXPECT_EQ(dir.close_empty(), 0u);
  a.remove_player(1);
  EXPECT_EQ(dir.close_empty(), 1u);
  EXPECT_EQ(dir.size(), 0u);
}

TEST(Arena, LeaverEntityIdIsReusedAndFrameTracksBots) {
  Dir d;
  Arena arena(1, d.content, d.settings, 1, 8, "test");
  EXPECT_EQ(arena.add_player(10, 1, bot("a")), 1);
  EXPECT_EQ(arena.add_player(11, 2, bot("b")), 2);
  EXPECT_EQ(arena.frame().entities.size(), 2u);
  arena.remove_player(10);
  EXPECT_EQ(arena.frame().entities.size(), 1u);
  EXPECT_EQ(arena.add_player(12, 3, bot("c")), 1);
}
