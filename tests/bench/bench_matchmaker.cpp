// bench_matchmaker: how fast ONE matchmaker turns waiting tickets into
// assigned matches. Each iteration refills one queue with 10,000 fresh ffa
// tickets (one region, ratings N(1500, 300), seeded; not timed) and times one
// Matchmaker::run_pass over them:
//   - against a local redis-server (RedisStore): the figure, target
//     >= 20,000 tickets/s, with the Redis round trips per ticket;
//   - against MemoryStore: the same pass without Redis, the baseline for a ratio;
//   - form_matches alone: the pure formation cost inside the pass.
//   build/tests/bench_matchmaker --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <random>

#include "redis_server.h"
#include "redis_store_of.h"
#include "server/matchmaking/match_formation.h"
#include "server/matchmaking/matchmaker.h"
#include "server/store/memory_store.h"
#include "server/store/redis_store.h"
#include "server/store/redis_url.h"

namespace {

using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

constexpr std::size_t kTickets = 10'000;
constexpr std::uint32_t kTicketTtlMs = 600'000;

std::uint64_t unix_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::vector<Ticket> queue_of(std::size_t n, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::normal_distribution<double> rating(1500.0, 300.0);
  std::vector<Ticket> out(n);
  for (std::size_t i = 0; i < n; ++i) {
    Ticket& t = out[i];
    t.account = i + 1;
    t.mode = "ffa";
    t.region = "bench";
    t.bot.id = 1;
    t.bot.loadout.name = "bench-bot";
    t.rating = rating(rng);
    t.front_door = "bench-door";
  }
  return out;
}

MatchmakerConfig bench_config() {
  MatchmakerConfig c;
  c.key = token::derive_key("bench_matchmaker secret");
  c.arena_size = 8;
  c.modes = {"ffa"};
  return c;
}

// Two servers that can take the whole queue.
void register_servers(Store& store) {
  for (const char* id : {"bench-a", "bench-b"}) {
    ServerInfo s;
    s.id = id;
    s.host = "127.0.0.1";
    s.port = 7777;
    s.region = "bench";
    s.capacity = static_cast<std::uint32_t>(kTickets);
    s.arenas = 1;
    s.version = "bench";
    s.key_fingerprint = token::key_fingerprint(bench_config().key);
    if (!store.heartbeat_server(s, 3'600'000).ok()) {
      std::fprintf(stderr, "bench_matchmaker: heartbeat failed on %s\n", store.describe().c_str());
      std::exit(2);
    }
  }
}

void enqueue_all(Store& store, const std::vector<Ticket>& queue) {
  for (const auto& t : queue) {
    auto r = store.enqueue(t, kTicketTtlMs);
    if (!r.ok()) {
      std::fprintf(stderr, "bench_matchmaker: enqueue failed: %s\n", r.error().message.c_str());
      std::exit(2);
    }
  }
}

void report(benchmark::State& state, std::uint64_t tickets, std::uint64_t round_trips, std::uint64_t passes) {
  state.counters["tickets_per_s"] = benchmark::Counter(static_cast<double>(tickets), benchmark::Counter::kIsRate);
  state.counters["tickets_per_pass"] = static_cast<double>(tickets) / static_cast<double>(passes);
  if (round_trips > 0) {
    state.counters["round_trips_per_ticket"] = static_cast<double>(round_trips) / static_cast<double>(tickets);
    state.counters["round_trips_per_pass"] = static_cast<double>(round_trips) / static_cast<double>(passes);
  }
}

void BM_PassRedis(benchmark::State& state) {
  static test::RedisServer redis;  // one for the whole run
  auto owned = test::redis_store_of(redis.url(), test::kUnitFleetSecret, 10s);
  RedisStore& store = *owned;
  Matchmaker mm(store, bench_config());
  const auto queue = queue_of(kTickets, 42);
  std::uint64_t assigned = 0, round_trips = 0, passes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    redis.flushall();
    register_servers(store);
    enqueue_all(store, queue);
    const auto before = store.round_trips();
    const std::uint64_t now = unix_ms();  // fresh tickets: they waited ~0 s
    state.ResumeTiming();
    const PassStats pass = mm.run_pass(now, now);
    state.PauseTiming();
    if (pass.store_errors > 0) state.SkipWithError(pass.first_error.c_str());
    assigned += pass.tickets_assigned;
    round_trips += store.round_trips() - before;
    ++passes;
    state.ResumeTiming();
  }
  report(state, assigned, round_trips, passes);
}
BENCHMARK(BM_PassRedis)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

void BM_PassMemory(benchmark::State& state) {
  std::chrono::milliseconds clock{1'000'000};
  const auto queue = queue_of(kTickets, 42);
  std::uint64_t assigned = 0, passes = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto store = std::make_unique<MemoryStore>([&] { return clock; });
    register_servers(*store);
    enqueue_all(*store, queue);
    Matchmaker mm(*store, bench_config());
    state.ResumeTiming();
    const PassStats pass = mm.run_pass(static_cast<std::uint64_t>(clock.count()), unix_ms());
    state.PauseTiming();
    if (pass.store_errors > 0) state.SkipWithError(pass.first_error.c_str());
    assigned += pass.tickets_assigned;
    ++passes;
    store.reset();  // destruction is not part of the pass
    state.ResumeTiming();
  }
  report(state, assigned, 0, passes);
}
BENCHMARK(BM_PassMemory)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(5);

// form_matches alone on the same queue (created at 0, formed at 0).
void BM_FormMatches(benchmark::State& state) {
  const auto queue = queue_of(static_cast<std::size_t>(state.range(0)), 42);
  const FormationRules rules = *rules_for_mode("ffa", 8);
  std::uint64_t seated = 0;
  for (auto _ : state) {
    const auto matches = form_matches(queue, 0, rules);
    for (const auto& m : matches) seated += m.seats.size();
    benchmark::DoNotOptimize(seated);
  }
  state.counters["tickets_per_s"] = benchmark::Counter(static_cast<double>(seated), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_FormMatches)->Arg(1'000)->Arg(10'000)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
