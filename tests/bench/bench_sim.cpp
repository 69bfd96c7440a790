// bench_sim: cost of one arena step (sim::step) with N bots moving, firing
// and projectiles in flight. The arena's area grows with N (constant bot
// density, like a bigger map for a bigger match), so the per-bot figure shows
// whether the broad phase keeps the step O(n). A fixed-size arena variant
// shows the cost of crowding on its own.
//   build/tests/bench/bench_sim --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "content/catalog_loader.h"
#include "core/rng.h"
#include "sim/loadout.h"
#include "sim/step.h"

namespace {

using namespace qbot;

const sim::Catalog& shipped_catalog() {
  static const sim::Catalog catalog = [] {
    auto c = content::load_catalog_file(content::default_data_dir() / "catalog.json");
    if (!c) {
      std::fprintf(stderr, "bench_sim: %s\n", c.error().message.c_str());
      std::exit(2);
    }
    return c.value().catalog;
  }();
  return catalog;
}

/// The foundry layout scaled by `scale` (walls and a grid of spawn points).
sim::Map scaled_map(float scale) {
  sim::Map m;
  m.name = "bench";
  m.width = m.height = 64.0f * scale;
  const sim::Box boxes[] = {{{14, 14}, {20, 16}},
                            {{44, 14}, {50, 16}},
                            {{14, 48}, {20, 50}},
                            {{44, 48}, {50, 50}},
                            {{30, 26}, {34, 38}}};
  for (float ox = 0; ox < scale; ox += 1.0f) {
    for (float oy = 0; oy < scale; oy += 1.0f) {
      for (const sim::Box& b : boxes) {
        m.walls.push_back({{b.min.x + 64 * ox, b.min.y + 64 * oy}, {b.max.x + 64 * ox, b.max.y + 64 * oy}});
      }
      for (float sx : {6.0f, 24.0f, 40.0f, 58.0f}) {
        for (float sy : {6.0f, 32.0f, 58.0f}) m.spawns.push_back({{sx + 64 * ox, sy + 64 * oy}, 0});
      }
    }
  }
  return m;
}

void run_step_benchmark(benchmark::State& state, bool scale_area) {
  const auto bots = static_cast<std::uint32_t>(state.range(0));
  const sim::Catalog& catalog = shipped_catalog();
  const float scale = scale_area ? std::max(1.0f, std::ceil(std::sqrt(static_cast<float>(bots) / 32.0f))) : 1.0f;
  const sim::Map map = scaled_map(scale);
  sim::Rules rules;
  rules.spawn_protection_s = 0.0f;
  sim::World world = sim::make_world(catalog, map, rules, 42);
  core::Rng rng(7);
  for (sim::EntityId id = 1; id <= bots; ++id) {
    sim::add_bot(world, id, 0, sim::random_loadout(catalog, rng, "b"));
  }
  std::vector<sim::BotCommand> commands(bots);
  auto make_commands = [&] {
    for (std::uint32_t i = 0; i < bots; ++i) {
      sim::Command& c = commands[i].cmd;
      commands[i].bot = static_cast<sim::EntityId>(i + 1);
      if (rng.below(30) == 0) {  // change course now and then
        c.move_x = static_cast<std::int8_t>(static_cast<int>(rng.below(255)) - 127);
        c.move_y = static_cast<std::int8_t>(static_cast<int>(rng.below(255)) - 127);
        c.aim = static_cast<std::uint16_t>(rng.next_u32());
      }
      c.buttons = sim::kFirePrimary | (rng.below(4) == 0 ? sim::kFireSecondary : 0);
      c.view_tick = world.tick > 6 ? world.tick - 6 : 0;  // 100 ms of view delay: lag compensation runs
    }
  };
  for (int warmup = 0; warmup < 120; ++warmup) {
    make_commands();
    sim::step(world, commands);
  }
  std::size_t projectiles = 0;
  for (auto _ : state) {
    state.PauseTiming();
    make_commands();
    state.ResumeTiming();
    auto events = sim::step(world, commands);
    benchmark::DoNotOptimize(events);
    projectiles += world.projectiles.size();
  }
  state.counters["bots"] = bots;
  state.counters["projectiles"] =
      static_cast<double>(projectiles) / static_cast<double>(std::max<std::int64_t>(1, state.iterations()));
  state.counters["arena_m"] = static_cast<double>(map.width);
  // Seconds per bot per step: elapsed / (iterations x bots).
  state.counters["per_bot"] =
      benchmark::Counter(bots, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void BM_ArenaStep(benchmark::State& state) { run_step_benchmark(state, true); }
void BM_ArenaStepFixedArea(benchmark::State& state) { run_step_benchmark(state, false); }

BENCHMARK(BM_ArenaStep)->Arg(8)->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_ArenaStepFixedArea)->Arg(8)->Arg(32)->Arg(128)->Arg(512)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
