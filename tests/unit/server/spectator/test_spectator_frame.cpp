#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "server/spectator/json_writer.h"
#include "server/spectator/spectator_frame.h"
#include "sim/step.h"
#include "sim_fixture.h"

using namespace qbot;
using namespace qbot::server::spectator;
using nlohmann::json;

namespace {

struct Scene {
  sim::Catalog catalog = test::test_catalog();
  sim::Map map = test::test_map();
  sim::World world;
  std::vector<BotLabel> labels;
  std::string hostile = "a\"b\\c</script>\n";

  Scene() {
    sim::Rules rules;
    rules.spawn_protection_s = 0.0f;
    world = sim::make_world(catalog, map, rules, 42);
    sim::add_bot(world, 1, 0, test::loadout(test::kScout, test::kLaser, test::kLaser, test::kShield));
    sim::add_bot(world, 2, 0, test::loadout(test::kScout, test::kBlaster, test::kBlaster, test::kShield));
    labels = {{1, hostile, 0x12ab34}, {2, "bee", 0xff0000}};
  }
  json frame(FrameTrack& track) {
    JsonWriter w;
    track.write_frame({world, labels, 7, "battle", world.tick + 120, 0xfeedULL, "ffa"}, w);
    return json::parse(w.text());  // throws (fails the test) if it is not JSON
  }
};

}  // namespace

TEST(SpectatorFrame, IsJsonWithEveryBotItsLabelAndTheTimer) {
  Scene s;
  FrameTrack track;
  const json f = s.frame(track);
  EXPECT_EQ(f["type"], "frame");
  EXPECT_EQ(f["arena"], 7);
  EXPECT_EQ(f["phase"], "battle");
  EXPECT_EQ(f["leftMs"], 2000);  // 120 ticks at 60 Hz
  EXPECT_EQ(f["match"], "000000000000feed");
  ASSERT_EQ(f["bots"].size(), 2u);
  EXPECT_EQ(f["bots"][0]["name"], s.hostile);  // escaped on the wire, the same text once parsed
  EXPECT_EQ(f["bots"][0]["paint"], 0x12ab34);
  EXPECT_EQ(f["bots"][0]["maxHp"], 100);
  EXPECT_EQ(f["bots"][0]["x"], std::lround(s.world.bots[0].pos.x * 100.0f));
  EXPECT_TRUE(f["bots"][1]["alive"].get<bool>());
}

TEST(SpectatorFrame, HostileTextCannotCloseAnEnclosingScriptElement) {
  Scene s;
  FrameTrack track;
  JsonWriter w;
  track.write_frame({s.world, s.labels, 1, "battle", 0, 0, "ffa"}, w);
  EXPECT_EQ(w.text().find("</"), std::string::npos);
  EXPECT_EQ(w.text().find('\n'), std::string::npos);
}

TEST(SpectatorFrame, ReportsADeathOnceAndTheRespawnOnce) {
  Scene s;
  FrameTrack track;
  EXPECT_TRUE(s.frame(track)["events"].empty());  // the first frame knows no "before"
  s.world.bots[1].alive = false;
  const json died = s.frame(track);
  ASSERT_EQ(died["events"].size(), 1u);
  EXPECT_EQ(died["events"][0], json::array({"death", 2}));
  EXPECT_TRUE(s.frame(track)["events"].empty());
  s.world.bots[1].alive = true;
  EXPECT_EQ(s.frame(track)["events"][0], json::array({"respawn", 2}));
}

TEST(SpectatorFrame, AHitscanShotIsTracedInTheFrameAfterItOnlyAndStopsAtTheWall) {
  Scene s;
  FrameTrack track;
  s.frame(track);
  sim::Bot& shooter = s.world.bots[0];
  shooter.pos = {20.0f, 32.0f};
  shooter.aim = 0.0f;  // east, into the wall at x = 30
  sim::Command fire;
  fire.aim = 0;
  fire.buttons = sim::kFirePrimary;
  const std::vector<sim::BotCommand> cmds{{1, fire}};
  sim::step(s.world, cmds);
  const json shot = s.frame(track);
  ASSERT_EQ(shot["traces"].size(), 1u) << shot["traces"];
  EXPECT_EQ(shot["traces"][0][4], 1);
  EXPECT_NEAR(shot["traces"][0][2].get<double>(), 3000.0, 1.0);  // x of the wall's face, cm
  sim::step(s.world, {});
  EXPECT_TRUE(s.frame(track)["traces"].empty());
}

TEST(SpectatorFrame, TheKillFeedKeepsTheNewestLinesOnly) {
  Scene s;
  FrameTrack track;
  for (core::Tick t = 1; t <= kKillFeedLines + 3; ++t) track.on_kill(t, "k", "v" + std::to_string(t), "laser");
  const json feed = s.frame(track)["killFeed"];
  ASSERT_EQ(feed.size(), kKillFeedLines);
  EXPECT_EQ(feed.back()["victim"], "v" + std::to_string(kKillFeedLines + 3));
  EXPECT_EQ(feed.front()["tick"], 4);
}

TEST(SpectatorFrame, TheMapMessageListsTheWallsInCentimetres) {
  const json m = json::parse(map_message(test::test_map()));
  EXPECT_EQ(m["type"], "map");
  EXPECT_EQ(m["w"], 6400);
  ASSERT_EQ(m["walls"].size(), 1u);
  EXPECT_EQ(m["walls"][0], json::array({3000, 2000, 3400, 4400}));
}

TEST(JsonWriter, NestsPlacesCommasAndEscapesControlCharacters) {
  JsonWriter w;
  w.open_object();
  w.key("a");
  w.open_array();
  w.number(-1);
  w.boolean(false);
  w.string(std::string_view("\x01\x7f", 2));
  w.open_object();
  w.close_object();
  w.close_array();
  w.key("b");
  w.raw("[1,2]");
  w.close_object();
  EXPECT_EQ(w.text(), R"({"a":[-1,false,"\u0001\u007f",{}],"b":[1,2]})");
  EXPECT_TRUE(json::accept(w.text()));
}
