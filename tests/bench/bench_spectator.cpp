// bench_spectator: what spectating costs the tick. One iteration is one tick
// of 16 arenas of 8 fighting bots (the shipped catalog and first map):
//   BM_Tick                     Arena::step of every arena (the baseline)
//   BM_TickWithSpectatorFrames  the same, plus SpectatorFeed::tick with every
//                               arena watched: a frame per arena every 4th tick
//                               (15 Hz at 60 Hz), queued for one spectator each
//   BM_TickWithSpectatingUnwatched  spectating on, nobody watching
// The writers' sends (off the tick thread) go to a socket that discards.
// Compare the two in the same run:
//   build/tests/bench_spectator --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include <benchmark/benchmark.h>
#include <prometheus/registry.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "core/rng.h"
#include "server/arena/arena_directory.h"
#include "server/spectator/spectator_feed.h"
#include "sim/loadout.h"

namespace {

using namespace qbot;
using namespace qbot::server;

constexpr std::size_t kArenas = 16;
constexpr std::size_t kBotsPerArena = 8;

/// A browser that reads everything at once.
class DiscardingPeer final : public SocketPeer {
 public:
  bool send_text(std::string_view) override { return true; }
  void send_close(std::string_view) override {}
  void end_within_grace() override {}
};

struct Content {
  content::CatalogFile catalog;
  std::vector<content::MapFile> maps;
  ArenaContent arena;
  Content() {
    auto c = content::load_catalog_file(content::default_data_dir() / "catalog.json");
    auto m = content::load_maps_dir(content::default_data_dir() / "maps");
    if (!c || !m) {
      std::fprintf(stderr, "bench_spectator: cannot load the shipped content\n");
      std::exit(2);
    }
    catalog = std::move(c.value());
    maps = std::move(m.value());
    arena.catalog = &catalog.catalog;
    arena.maps = {{&maps.front().map, {}}};
  }
};

const Content& content() {
  static const Content c;
  return c;
}

struct Battle {
  ArenaDirectory arenas;
  std::vector<std::vector<sim::BotCommand>> commands;
  core::Rng rng{7, 1};

  Battle() : arenas(content().arena, settings(), kBotsPerArena, 42, "bench") {
    for (std::size_t i = 0; i < kArenas * kBotsPerArena; ++i) {
      Arena& a = arenas.admit();
      a.add_player(static_cast<SessionId>(i + 1), static_cast<std::uint32_t>(i + 1),
                   sim::random_loadout(content().catalog.catalog, rng, "bot" + std::to_string(i)));
    }
    commands.resize(arenas.size());
  }
  static MatchSettings settings() {
    MatchSettings s;
    s.countdown_s = 0;
    s.match_duration_s = 3600;
    s.score_limit = 0;
    return s;
  }
  /// Every bot turns slowly, strafes and fires both weapons.
  void step(std::uint64_t tick) {
    std::size_t n = 0;
    for (auto& [id, arena] : arenas.arenas()) {
      auto& cmds = commands[n++];
      cmds.clear();
      for (const ArenaPlayer& p : arena->players()) {
        sim::Command c;
        c.aim = static_cast<std::uint16_t>((tick * 300 + p.entity * 8000) & 0xFFFF);
        c.move_x = static_cast<std::int8_t>(std::lround(100 * std::cos(static_cast<double>(tick + p.entity) * 0.02)));
        c.move_y = static_cast<std::int8_t>(std::lround(100 * std::sin(static_cast<double>(tick + p.entity) * 0.03)));
        c.buttons = sim::kFirePrimary | sim::kFireSecondary;
        cmds.push_back({p.entity, c});
      }
      Arena::TickOutput out;
      arena->step(cmds, out);
    }
  }
};

void BM_Tick(benchmark::State& state) {
  Battle battle;
  std::uint64_t tick = 0;
  for (auto _ : state) battle.step(++tick);
  state.counters["arenas"] = static_cast<double>(battle.arenas.size());
}
BENCHMARK(BM_Tick)->Unit(benchmark::kMicrosecond);

void BM_TickWithSpectatorFrames(benchmark::State& state) {
  Battle battle;
  std::vector<DiscardingPeer> peers(kArenas);  // before the hub: its writers use them until it is gone
  prometheus::Registry registry;
  spectator::SpectatorMetrics metrics(registry);
  // Bounds far beyond the run: a benchmark ticks ~100 x faster than 60 Hz, and a
  // writer thread starved for a moment must not be dropped here.
  spectator::SpectatorHub hub({kArenas, 1u << 20, 1u << 30}, metrics);
  spectator::SpectatorFeed feed({60, 15, 0.0f}, hub, metrics);
  std::uint64_t tick = 0;
  while (tick < 4) feed.tick(battle.arenas, ++tick);  // the first spectator tick lists the arenas to attach to
  for (std::size_t i = 0; i < peers.size(); ++i) {
    if (!hub.attach(peers[i], static_cast<std::uint32_t>(i + 1))) state.SkipWithError("a spectator was refused");
  }
  for (auto _ : state) {
    battle.step(++tick);
    feed.tick(battle.arenas, tick);
  }
  state.counters["frames"] = metrics.frames_built.Value();
  state.counters["spectators"] = static_cast<double>(hub.connected());
}
BENCHMARK(BM_TickWithSpectatorFrames)->Unit(benchmark::kMicrosecond);

/// Spectating on, nobody watching: only the arena list, once a second.
void BM_TickWithSpectatingUnwatched(benchmark::State& state) {
  Battle battle;
  prometheus::Registry registry;
  spectator::SpectatorMetrics metrics(registry);
  spectator::SpectatorHub hub({kArenas, 64, 64}, metrics);
  spectator::SpectatorFeed feed({60, 15, 0.0f}, hub, metrics);
  std::uint64_t tick = 0;
  for (auto _ : state) {
    battle.step(++tick);
    feed.tick(battle.arenas, tick);
  }
  state.counters["frames"] = metrics.frames_built.Value();
}
BENCHMARK(BM_TickWithSpectatingUnwatched)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
