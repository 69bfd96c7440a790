#include <gtest/gtest.h>

#include <cmath>

#include "replay/replayer.h"
#include "server/arena/arena.h"
#include "server/game_content.h"
#include "sim_fixture.h"

using namespace qbot;
using namespace qbot::server;
using proto::MatchPhase;

namespace {

struct TestArena {
  sim::Catalog catalog = test::test_catalog();
  sim::Map map = test::test_map();
  ArenaContent content;
  MatchSettings settings;

  TestArena() {
    map.walls.clear();  // open ground: the bots below fight by running straight at each other
    content.catalog = &catalog;
    content.maps = {{&map, {}}};
    settings.min_players = 2;
    settings.countdown_s = 1;
    settings.results_s = 1;
    settings.match_duration_s = 20;
    settings.score_limit = 2;
    settings.rules.spawn_protection_s = 0.0f;
  }
};

/// Every bot runs at its nearest enemy and fires its lasers.
std::vector<sim::BotCommand> fight(const Arena& arena) {
  std::vector<sim::BotCommand> cmds;
  const auto& bots = arena.world().bots;
  for (const sim::Bot& b : bots) {
    const sim::Bot* target = nullptr;
    for (const sim::Bot& o : bots) {
      if (o.id == b.id || !o.alive || (o.team != 0 && o.team == b.team)) continue;
      if (target == nullptr || length_sq(o.pos - b.pos) < length_sq(target->pos - b.pos)) target = &o;
    }
    sim::Command c;
    if (target != nullptr) {
      const sim::Vec2 d = target->pos - b.pos;
      float a = std::atan2(d.y, d.x);
      if (a < 0) a += 6.2831853f;
      c.aim = static_cast<std::uint16_t>(a / 6.2831853f * 65536.0f);
      const float len = length(d);
      c.move_x = static_cast<std::int8_t>(d.x / len * 100);
      c.move_y = static_cast<std::int8_t>(d.y / len * 100);
      c.buttons = sim::kFirePrimary | sim::kFireSecondary;
    }
    cmds.push_back({b.id, c});
  }
  return cmds;
}

struct ArenaRun {
  std::vector<proto::MatchEvent> events;
  std::optional<replay::Recording> recording;
};

/// Steps until `until` holds or `max_ticks` pass; collects every event.
template <class Pred>
ArenaRun step_until(Arena& arena, Pred until, int max_ticks, bool fighting = true) {
  ArenaRun run;
  for (int t = 0; t < max_ticks && !until(); ++t) {
    Arena::TickOutput out;
    const auto cmds = fighting ? fight(arena) : std::vector<sim::BotCommand>{};
    arena.step(cmds, out);
    run.events.insert(run.events.end(), out.events.begin(), out.events.end());
    if (out.finished_battle) run.recording = std::move(out.finished_battle);
  }
  return run;
}

const proto::MatchEnded* find_end(const ArenaRun& run) {
  for (const auto& e : run.events) {
    if (const auto* m = std::get_if<proto::MatchEnded>(&e.body)) return m;
  }
  return nullptr;
}

sim::Loadout laser_bot(const char* name) { return {name, test::kScout, test::kLaser, test::kLaser, test::kShield, 1}; }

}  // namespace

TEST(ArenaLifecycle, WaitsForPlayersCountsDownFightsEndsAndResets) {
  TestArena t;
  Arena arena(1, t.content, t.settings, 5, 8, "test");
  ASSERT_TRUE(arena.add_player(1, 1, laser_bot("a")));
  step_until(
      arena, [] { return false; }, 120);
  EXPECT_EQ(arena.phase(), MatchPhase::Waiting) << "one player is not enough";

  ASSERT_TRUE(arena.add_player(2, 2, laser_bot("b")));
  auto run = step_until(
      arena, [&] { return arena.phase() == MatchPhase::Countdown; }, 5);
  ASSERT_EQ(arena.phase(), MatchPhase::Countdown);
  run = step_until(
      arena, [&] { return arena.phase() == MatchPhase::Battle; }, 61);
  ASSERT_EQ(arena.phase(), MatchPhase::Battle) << "1 s countdown";
  const std::uint64_t first_match = arena.match_id();
  EXPECT_NE(first_match, 0u);

  run = step_until(
      arena, [&] { return arena.phase() == MatchPhase::Results; }, 20 * 60 + 1);
  ASSERT_EQ(arena.phase(), MatchPhase::Results);
  int kills = 0;
  for (const auto& e : run.events) kills += std::holds_alternative<proto::Kill>(e.body) ? 1 : 0;
  const proto::MatchEnded* ended = find_end(run);
  ASSERT_NE(ended, nullptr);
  EXPECT_EQ(ended->match_id, first_match);
  EXPECT_EQ(ended->reason, proto::EndReason::ScoreLimit);
  ASSERT_EQ(ended->results.size(), 2u);
  EXPECT_EQ(ended->results[0].placement, 1);
  EXPECT_EQ(ended->results[0].score, 2);
  EXPECT_EQ(ended->results[0].kills + ended->results[1].kills, static_cast<std::uint32_t>(kills));
  EXPECT_EQ(arena.matches_finished(), 1u);

  // Results -> reset -> straight into the next countdown (both still here).
  step_until(
      arena, [&] { return arena.phase() == MatchPhase::Countdown; }, 61);
  EXPECT_EQ(arena.phase(), MatchPhase::Countdown);
  for (const sim::Bot& b : arena.world().bots) EXPECT_EQ(b.kills, 0u) << "a fresh arena";
}

TEST(ArenaLifecycle, CountdownAbortsWhenAPlayerLeaves) {
  TestArena t;
  Arena arena(1, t.content, t.settings, 5, 8, "test");
  arena.add_player(1, 1, laser_bot("a"));
  arena.add_player(2, 2, laser_bot("b"));
  step_until(
      arena, [&] { return arena.phase() == MatchPhase::Countdown; }, 5);
  ASSERT_EQ(arena.phase(), MatchPhase::Countdown);
  arena.remove_player(2);
  step_until(
      arena, [] { return false; }, 2);
  EXPECT_EQ(arena.phase(), MatchPhase::Waiting);
}

TEST(ArenaLifecycle, TimeLimitAndNotEnoughPlayers) {
  TestArena t;
  t.settings.match_duration_s = 2;
  t.settings.score_limit = 0;
  Arena arena(1, t.content, t.settings, 5, 8, "test");
  arena.add_player(1, 1, laser_bot("a"));
  arena.add_player(2, 2, laser_bot("b"));
  step_until(
      arena, [&] { return arena.phase() == MatchPhase::Battle; }, 120, false);
  auto run = step_until(
      arena, [&] { return arena.phase() == MatchPhase::Results; }, 2 * 60 + 1, false);
  ASSERT_EQ(arena.phase(), MatchPhase::Results);
  ASSERT_NE(find_end(run), nullptr);
  EXPECT_EQ(find_end(run)->reason, proto::EndReason::TimeLimit);

  step_until(
      arena, [&] { return arena.phase() == MatchPhase::Battle; }, 200, false);
  ASSERT_EQ(arena.phase(), MatchPhase::Battle);
  arena.remove_player(2);
  run = step_until(
      arena, [&] { return arena.phase() == MatchPhase::Results; }, 2);
  ASSERT_EQ(arena.phase(), MatchPhase::Results);
  ASSERT_NE(find_end(run), nullptr);
  EXPECT_EQ(find_end(run)->reason, proto::EndReason::NotEnoughPlayers);
}

TEST(ArenaLifecycle, TeamDeathmatchBalancesTeamsAndNamesAWinner) {
  TestArena t;
  t.settings.mode = proto::GameMode::TeamDeathmatch;
  t.settings.score_limit = 3;
  Arena arena(1, t.content, t.settings, 9, 8, "test");
  for (std::uint32_t i = 1; i <= 4; ++i) arena.add_player(i, i, laser_bot("p"));
  int team1 = 0, team2 = 0;
  for (const auto& p : arena.players()) (p.team == 1 ? team1 : team2) += 1;
  EXPECT_EQ(team1, 2);
  EXPECT_EQ(team2, 2);
  auto run = step_until(
      arena, [&] { return arena.phase() == MatchPhase::Results; }, 30 * 60);
  ASSERT_EQ(arena.phase(), MatchPhase::Results);
  const proto::MatchEnded* ended = find_end(run);
  ASSERT_NE(ended, nullptr);
  ASSERT_NE(ended->winner_team, 0);
  for (const auto& r : ended->results) EXPECT_EQ(r.placement, r.team == ended->winner_team ? 1 : 2);
}

TEST(ArenaLifecycle, RecordedBattleReplaysToTheSameHashes) {
  Config cfg;
  auto game = load_game_content(cfg);
  ASSERT_TRUE(game) << game.error();
  const ArenaContent content = arena_content(game.value());
  TestArena t;
  t.settings.record = true;
  t.settings.score_limit = 5;
  t.settings.match_duration_s = 30;
  Arena arena(1, content, t.settings, 77, 8, "test");
  const auto& cat = game.value().catalog.catalog;
  for (std::uint32_t i = 1; i <= 4; ++i) {
    sim::Loadout l{"bot",
                   static_cast<sim::PartIndex>(i % cat.chassis.size()),
                   static_cast<sim::PartIndex>(i % cat.weapons.size()),
                   static_cast<sim::PartIndex>((i + 1) % cat.weapons.size()),
                   static_cast<sim::PartIndex>(i % cat.modules.size()),
                   0};
    arena.add_player(i, i, l);
  }
  ArenaRun run;
  for (int tick = 0; tick < 40 * 60 && !run.recording; ++tick) {
    Arena::TickOutput out;
    if (tick == 600) arena.remove_player(4);                           // a leaver mid-battle
    if (tick == 700) arena.add_player(5, 5, {"late", 0, 0, 0, 0, 0});  // and a late joiner
    arena.step(fight(arena), out);
    if (out.finished_battle) run.recording = std::move(out.finished_battle);
  }
  ASSERT_TRUE(run.recording.has_value());
  const auto report = replay::verify_recording(*run.recording);
  ASSERT_TRUE(report) << report.error();
  EXPECT_TRUE(report.value().ok);
  EXPECT_TRUE(report.value().results_match);
  EXPECT_GT(report.value().checkpoints_checked, 3u);

  // Changed inputs must be caught: flip one stick bit in a second's worth of commands.
  replay::Recording tampered = *run.recording;
  for (std::size_t i = 0; i < 240; ++i) tampered.commands[tampered.commands.size() / 3 + i].command.cmd.move_x ^= 1;
  const auto bad = replay::verify_recording(tampered);
  ASSERT_TRUE(bad);
  EXPECT_FALSE(bad.value().ok);
}

TEST(ArenaMatchmade, PlaysOneBattleWithTheAssignedIdTeamsAndAccountsThenFinishes) {
  TestArena t;
  t.settings.mode = proto::GameMode::TeamDeathmatch;
  t.settings.matchmade_id = 4242;
  t.settings.min_players = 3;  // everyone assigned
  Arena arena(1, t.content, t.settings, 5, 3, "test");
  ASSERT_TRUE(arena.add_player(1, 1, laser_bot("a"), Seat{1001, 7, 2}));
  ASSERT_TRUE(arena.add_player(2, 2, laser_bot("b"), Seat{1002, 0, 2}));
  step_until(
      arena, [] { return false; }, 120);
  EXPECT_EQ(arena.phase(), MatchPhase::Waiting) << "waits for every assigned player";
  EXPECT_EQ(arena.find_player(1)->team, 2) << "the matchmaker's team, not the arena's balancing";
  EXPECT_EQ(arena.find_player(2)->team, 2);
  EXPECT_EQ(arena.find_player(1)->account, 1001u);
  EXPECT_EQ(arena.find_player(1)->bot_id, 7u);

  arena.lower_min_players(2);  // the join timeout passed: go with two
  ASSERT_TRUE(arena.add_player(3, 3, laser_bot("c"), Seat{1003, 0, 1}));
  step_until(
      arena, [&] { return arena.phase() == MatchPhase::Battle; }, 200);
  ASSERT_EQ(arena.phase(), MatchPhase::Battle);
  EXPECT_EQ(arena.match_id(), 4242u);
  auto run = step_until(
      arena, [&] { return arena.phase() == MatchPhase::Results; }, 20 * 60 + 1);
  const proto::MatchEnded* ended = find_end(run);
  ASSERT_NE(ended, nullptr);
  EXPECT_EQ(ended->match_id, 4242u);
  for (const auto& row : ended->results) EXPECT_EQ(row.account_id, 1000u + row.player_id);
  EXPECT_FALSE(arena.finished());
  step_until(
      arena, [&] { return arena.finished(); }, 61);
  EXPECT_TRUE(arena.finished()) << "no second battle: the server closes the arena";
  EXPECT_EQ(arena.matches_finished(), 1u);
}

TEST(ArenaMatchmade, ABattleEndsEarlyOnlyWhenOpponentsRunOut) {
  TestArena t;
  t.settings.matchmade_id = 7;
  t.settings.min_players = 3;
  t.settings.score_limit = 0;
  Arena arena(1, t.content, t.settings, 5, 3, "test");
  for (SessionId s = 1; s <= 3; ++s) ASSERT_TRUE(arena.add_player(s, static_cast<std::uint32_t>(s), laser_bot("x")));
  step_until(
      arena, [&] { return arena.phase() == MatchPhase::Battle; }, 200);
  ASSERT_EQ(arena.phase(), MatchPhase::Battle);
  arena.remove_player(3);  // 2 of 3 left: still a battle
  step_until(
      arena, [] { return false; }, 10, false);
  EXPECT_EQ(arena.phase(), MatchPhase::Battle);
  arena.remove_player(2);
  step_until(
      arena, [] { return false; }, 2, false);
  EXPECT_EQ(arena.phase(), MatchPhase::Results);
}
