#include "client_headless/fleet.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <cmath>

#include "client_headless/bot_client.h"
#include "core/fixed_step.h"
#include "net/net_host.h"
#include "proto/codec.h"

namespace qbot::client {

Role RoleMix::role_of(std::uint32_t index) const {
  const std::uint32_t total = idle + fight + churn;
  if (total == 0) return Role::Fight;
  // A low-discrepancy walk (golden ratio) spreads each role evenly over
  // indices, so any prefix of the fleet (a ramp) has the same mix.
  const double u = std::fmod(static_cast<double>(index) * 0.6180339887498949, 1.0) * total;
  if (u < idle) return Role::Idle;
  if (u < idle + fight) return Role::Fight;
  return Role::Churn;
}

core::Result<RoleMix, std::string> parse_mix(const std::string& text) {
  RoleMix mix{0, 0, 0};
  std::size_t pos = 0;
  while (pos < text.size()) {
    const auto comma = text.find(',', pos);
    const std::string item = text.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
    pos = comma == std::string::npos ? text.size() : comma + 1;
    const auto colon = item.find(':');
    if (colon == std::string::npos) return core::Err{"--mix: expected role:weight, got '" + item + "'"};
    const std::string role = item.substr(0, colon);
    std::uint32_t weight = 0;
    const std::string w = item.substr(colon + 1);
    const auto [end, ec] = std::from_chars(w.data(), w.data() + w.size(), weight);
    if (ec != std::errc() || end != w.data() + w.size() || weight > 1000) {
      return core::Err{std::string("--mix: bad weight '").append(w).append("' for ").append(role)};
    }
    if (role == "idle") mix.idle = weight;
    else if (role == "fight") mix.fight = weight;
    else if (role == "churn") mix.churn = weight;
    else return core::Err{"--mix: unknown role '" + role + "' (idle, fight, churn)"};
  }
  if (mix.idle + mix.fight + mix.churn == 0) return core::Err{std::string("--mix: weights sum to 0")};
  return mix;
}

struct Fleet::Shard {
  std::uint32_t first = 0;
  std::uint32_t count = 0;
  ShardStats stats;
};

Fleet::Fleet(FleetConfig cfg, Clock clock) : cfg_(std::move(cfg)), clock_(std::move(clock)) {
  const std::uint32_t threads = std::max<std::uint32_t>(1, std::min(cfg_.threads, cfg_.bots));
  std::uint32_t first = 0;
  for (std::uint32_t t = 0; t < threads; ++t) {
    auto shard = std::make_unique<Shard>();
    shard->first = first;
    shard->count = cfg_.bots / threads + (t < cfg_.bots % threads ? 1 : 0);
    first += shard->count;
    shards_.push_back(std::move(shard));
  }
}

Fleet::~Fleet() { stop(); }

void Fleet::start() {
  for (auto& s : shards_) threads_.emplace_back([this, shard = s.get()] { run_shard(*shard); });
}

void Fleet::stop() {
  stop_.store(true);
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
}

bool Fleet::settled() {
  const FleetTotals t = totals(false);
  return t.welcomed + t.failed >= cfg_.bots;
}

bool Fleet::finished() {
  const FleetTotals t = totals(false);
  return t.done + t.failed >= cfg_.bots;
}

FleetTotals Fleet::totals(bool drain_window) {
  FleetTotals t;
  for (auto& sp : shards_) {
    ShardStats& s = sp->stats;
    t.started += s.started;
    t.rejoins += s.rejoins;
    t.welcomed += s.welcomed;
    t.failed += s.failed;
    t.playing += s.playing;
    t.disconnects += s.disconnects;
    t.snapshots += s.snapshots;
    t.snapshot_errors += s.snapshot_errors;
    t.baseline_missing += s.baseline_missing;
    t.inputs_sent += s.inputs_sent;
    t.kills += s.kills;
    t.matches_ended += s.matches_ended;
    t.match_results_duplicated += s.match_results_duplicated;
    t.matches_played += s.matches_played;
    t.queue_refusals += s.queue_refusals;
    t.bots_recreated += s.bots_recreated;
    t.front_door_losses += s.front_door_losses;
    t.done += s.done;
    t.inputs_dropped += s.inputs_dropped;
    t.input_stalls += s.input_stalls;
    t.bytes_down += s.bytes_down;
    t.bytes_up += s.bytes_up;
    for (std::size_t i = 0; i < t.rejects.size(); ++i) t.rejects[i] += s.rejects[i];
    std::lock_guard lock(s.mu);
    t.rtt_ms_window.merge(s.rtt_ms_window);
    t.rtt_ms_total.merge(s.rtt_ms_total);
    t.prediction_error_mm.merge(s.prediction_error_mm);
    t.snapshot_gap_ms.merge(s.snapshot_gap_ms);
    t.time_to_match_ms.merge(s.time_to_match_ms);
    t.input_queue.merge(s.input_queue);
    t.estimated_wait_ms.merge(s.estimated_wait_ms);
    if (drain_window) s.rtt_ms_window.clear();
  }
  return t;
}

namespace {

constexpr std::uint32_t kPacingSubsteps = 4;

std::vector<BotClient> make_bots(const FleetConfig& cfg, std::uint32_t first, std::uint32_t count) {
  std::vector<BotClient> bots;
  bots.reserve(count);
  QueuePlan plan = cfg.queue;
  plan.front_doors = cfg.servers;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint32_t index = first + i;
    bots.emplace_back(index, cfg.name_prefix + std::to_string(index), cfg.seed * 1000003ULL + index, cfg.catalog,
                      cfg.maps, cfg.mix.role_of(index), cfg.servers[index % cfg.servers.size()], cfg.handshake_timeout,
                      plan);
    bots.back().set_stall(cfg.stall);
  }
  return bots;
}

/// Hands every ENet event (waiting up to `wait_ms` for the first) to the bot
/// it belongs to. Events of a bot's previous connection are dropped.
void dispatch_events(ShardContext& ctx, std::vector<BotClient>& bots, std::uint32_t first, std::uint32_t wait_ms,
                     const Clock& clock) {
  net::NetEvent ev;
  while (ctx.host.service(ev, wait_ms)) {
    wait_ms = 0;
    const auto local = ev.user_data - first;
    if (ev.user_data < first || local >= bots.size()) continue;
    BotClient& bot = bots[local];
    // A churn bot's previous connection may still report its closing.
    if (ev.peer.peer != bot.peer().peer) continue;
    switch (ev.type) {
      case net::NetEvent::Type::Connect: bot.on_connect(ctx); break;
      case net::NetEvent::Type::Receive: bot.on_packet(ctx, ev.channel, ev.packet.bytes(), clock()); break;
      case net::NetEvent::Type::Disconnect: bot.on_disconnect(ctx, ev.data); break;
      case net::NetEvent::Type::None: break;
    }
  }
}

/// One RTT sample per playing bot (once a second).
void sample_rtt(net::NetHost& host, const std::vector<BotClient>& bots, ShardStats& stats) {
  std::lock_guard lock(stats.mu);
  for (const auto& b : bots) {
    if (b.state() != BotState::Playing) continue;
    const auto info = host.peer_info(b.peer());
    stats.rtt_ms_window.record(info.last_rtt_ms);
    stats.rtt_ms_total.record(info.last_rtt_ms);
  }
}

/// Disconnects every bot and gives ENet a moment to deliver that (bounded,
/// no waiting on the server: a dead server must not hang the load tester).
void say_goodbye(ShardContext& ctx, std::vector<BotClient>& bots, const Clock& clock) {
  for (auto& b : bots) b.stop(ctx);
  ctx.host.flush();
  net::NetEvent ev;
  const auto deadline = clock() + std::chrono::milliseconds(300);
  while (clock() < deadline && ctx.host.connected_peers() > 0) ctx.host.service(ev, 10);
}

}  // namespace

void Fleet::run_shard(Shard& shard) {
  net::HostConfig hc;
  // Churn bots reconnect while their old peer may still be closing: headroom.
  hc.max_peers = std::max<std::size_t>(shard.count * 2, 1);
  hc.compress = cfg_.compress;
  hc.max_packet_bytes = proto::kMaxServerPacketBytes;
  auto created = net::NetHost::create(hc);
  if (!created) {
    spdlog::error("shard {}: {}", shard.first, created.error());
    shard.stats.failed += shard.count;
    return;
  }
  net::NetHost& host = *created.value();
  proto::Encoder encoder;
  ShardContext ctx{host, encoder, shard.stats};
  std::vector<BotClient> bots = make_bots(cfg_, shard.first, shard.count);

  auto now = clock_();
  const auto fleet_start = now;
  // Ramp: bot i (fleet-wide index) starts i / ramp seconds after the fleet.
  const auto start_time = [&](std::uint32_t index) {
    if (cfg_.ramp_per_s <= 0) return fleet_start;
    return fleet_start + std::chrono::duration_cast<std::chrono::nanoseconds>(
                             std::chrono::duration<double>(static_cast<double>(index) / cfg_.ramp_per_s));
  };
  std::size_t next_to_start = 0;
  std::uint32_t tick_rate = cfg_.tick_rate;
  // The shard wakes kPacingSubsteps times per tick: each bot's input pacer
  // stretches its own interval by a few percent, and sends land within a
  // quarter tick of when they are due.
  core::FixedStep clock_step(tick_rate * kPacingSubsteps, 2);
  clock_step.start(now);
  auto next_sample = now + std::chrono::seconds(1);

  while (!stop_.load(std::memory_order_relaxed)) {
    now = clock_();
    const auto wait = std::min<std::chrono::nanoseconds>(clock_step.until_next(now), std::chrono::milliseconds(20));
    dispatch_events(ctx, bots, shard.first,
                    static_cast<std::uint32_t>(std::chrono::ceil<std::chrono::milliseconds>(wait).count()), clock_);
    now = clock_();
    while (next_to_start < bots.size() && now >= start_time(bots[next_to_start].index())) {
      bots[next_to_start++].start(ctx, now);
    }
    const std::uint32_t due = clock_step.advance(now);
    for (std::uint32_t t = 0; t < due; ++t) {
      for (auto& b : bots) {
        b.on_tick(ctx, now, tick_rate);
        // Follow the server's tick rate once it is known.
        if (b.server_tick_rate() != 0 && b.server_tick_rate() != tick_rate) {
          tick_rate = b.server_tick_rate();
          clock_step = core::FixedStep(tick_rate * kPacingSubsteps, 2);
          clock_step.start(now);
        }
      }
    }
    host.flush();
    if (now >= next_sample) {
      next_sample = now + std::chrono::seconds(1);
      sample_rtt(host, bots, shard.stats);
    }
    const auto& totals = host.totals();
    shard.stats.bytes_down.store(totals.bytes_received);
    shard.stats.bytes_up.store(totals.bytes_sent);
  }
  say_goodbye(ctx, bots, clock_);
}

}  // namespace qbot::client
