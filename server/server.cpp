#include "server/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <filesystem>

#include "core/realtime.h"
#include "server/clients/clients.h"
#include "server/io/io_worker.h"
#include "server/lobby/lobby.h"
#include "server/matchmade/match_host.h"
#include "server/reporting/status_reporter.h"
#include "server/routing/packet_router.h"
#include "server/spectator/spectator_feed.h"
#include "server/tick/arena_stepper.h"

namespace qbot::server {
namespace {

using namespace std::chrono_literals;

constexpr std::size_t kIoQueueCapacity = 256;
constexpr std::size_t kSparePeerSlots = 32;  // so a full server can still answer Reject{ServerFull}
constexpr std::size_t kHeapStepBytes = std::size_t{64}
                                       << 20;  // --realtime-priority: heap grows (pre-faulted) 64 MiB at a time
constexpr std::uint32_t kCoarsePeriodMs = 100;
constexpr std::uint32_t kRedeliveryPeriodMs = 5000;
constexpr std::uint32_t kScoreboardPeriodMs = 5000;

/// The fleet's token key. Without a secret, a random one: tokens then work
/// only within this process (fine for one box, useless for a fleet).
token::Key fleet_key(const Config& cfg) {
  if ((cfg.token_secret.empty() || cfg.token_secret_is_random) && cfg.uses_redis()) {
    spdlog::warn(
        "no --token-secret: join/account tokens are signed with a random key and valid on this server only; servers "
        "sharing this Redis cannot host each other's matches (matchmakers keep them apart). Set the same "
        "--token-secret (QBOT_TOKEN_SECRET) on every server of the fleet");
  } else if (cfg.token_secret.empty() || cfg.token_secret_is_random) {
    spdlog::warn("no --token-secret: join/account tokens are signed with a random key and valid on this server only");
  }
  return cfg.token_secret.empty() ? token::random_key() : token::derive_key(cfg.token_secret);
}

MatchSettings match_settings(const Config& cfg) {
  MatchSettings m;
  m.mode = proto::parse_game_mode(cfg.mode).value_or(proto::GameMode::FreeForAll);  // validated by parse_config
  m.match_duration_s = cfg.match_duration_s;
  m.score_limit = cfg.score_limit;
  m.min_players = cfg.min_players;
  m.countdown_s = cfg.countdown_s;
  m.results_s = cfg.results_s;
  m.record = !cfg.record_dir.empty();
  m.rules.tick_rate = cfg.tick_rate;
  m.rules.max_rewind_ticks = cfg.max_lag_comp_ms * cfg.tick_rate / 1000;
  m.rules.respawn_delay_s = cfg.respawn_delay_s;
  m.rules.spawn_protection_s = cfg.spawn_protection_s;
  return m;
}

net::HostConfig host_config(const Config& cfg) {
  net::HostConfig hc;
  hc.bind_host = cfg.bind;
  hc.port = cfg.port;
  hc.max_peers = std::min<std::size_t>(cfg.max_clients + kSparePeerSlots, 4095);
  hc.connections_per_ip = cfg.connections_per_ip;
  hc.max_packet_bytes = proto::kMaxServerPacketBytes;
  hc.peer_timeout_ms = cfg.peer_timeout_ms;
  hc.compress = cfg.compress;
  hc.gate.require_cookie = cfg.require_cookie;
  hc.gate.max_unwelcomed = cfg.max_unwelcomed;
  hc.gate.max_unwelcomed_per_ip = cfg.max_unwelcomed_per_ip;
  hc.gate.handshake_timeout_ms = cfg.handshake_timeout_ms;
  hc.gate.dead_peer_ms = cfg.dead_peer_ms;
  hc.gate.transport_commands_per_s = cfg.max_transport_per_s;
  hc.gate.max_fragmented_bytes = proto::kMaxClientPacketBytes;
  return hc;
}

}  // namespace

Server::Server(Config cfg, const GameContent& content, Metrics& metrics, Store& store, Clock clock,
               UnixClock unix_clock, HealthSignals* health)
    : cfg_(std::move(cfg)),
      metrics_(metrics),
      store_(store),
      clock_(std::move(clock)),
      unix_clock_(std::move(unix_clock)),
      content_(content),
      arena_content_(arena_content(content)),
      token_key_(fleet_key(cfg_)),
      fixed_step_(cfg_.tick_rate, cfg_.max_catch_up_ticks),
      cadence_{{kCoarsePeriodMs, cfg_.tick_rate},     {kCoarsePeriodMs, cfg_.tick_rate},
               {kRedeliveryPeriodMs, cfg_.tick_rate}, {cfg_.heartbeat_ms, cfg_.tick_rate},
               {kScoreboardPeriodMs, cfg_.tick_rate}, {kCoarsePeriodMs, cfg_.tick_rate}},
      arenas_(arena_content_, match_settings(cfg_), cfg_.arena_size, cfg_.seed, cfg_.server_id),
      health_(health) {}

Server::~Server() {
  if (io_) io_->stop();  // joins the IO thread before the objects its jobs use go away
}

core::Result<bool, std::string> Server::start() {
  if (!cfg_.record_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(cfg_.record_dir, ec);
    if (ec) return core::Err{"--record-dir " + cfg_.record_dir + ": " + ec.message()};
  }
  const auto mode = cfg_.net_thread ? net::NetWorker::Mode::Thread : net::NetWorker::Mode::Inline;
  auto net = net::NetWorker::create(host_config(cfg_), mode);
  if (!net) return core::Err{net.error()};
  net_ = std::move(net.value());
  io_ = std::make_unique<IoWorker>(store_, kIoQueueCapacity);
  create_components();
  matches_->redeliver();  // results a previous run could not deliver
  fixed_step_.start(clock_());
  reporter_->heartbeat();
  if (health_ != nullptr) health_->set_listening();
  std::string maps;
  for (const auto& m : content_.maps) maps += (maps.empty() ? "" : ",") + m.map.name;
  spdlog::info("qbot-server {} listening on udp {}:{} (tick {} Hz, {} arenas of {}, maps {}, store {})", cfg_.server_id,
               cfg_.bind, port(), cfg_.tick_rate, cfg_.mode, cfg_.arena_size, maps, store_.describe());
  return true;
}

void Server::create_components() {
  const sim::Catalog& catalog = content_.catalog.catalog;
  LobbyConfig lobby{cfg_.server_id, cfg_.region, cfg_.max_bots, cfg_.ticket_ttl_ms, cfg_.queue_poll_ms};
  lobby_ = std::make_unique<Lobby>(lobby, *io_, catalog, metrics_, [this](SessionId id, const proto::Message& msg) {
    clients_->send_to_lobby(id, msg);
  });
  clients_ = std::make_unique<Clients>(cfg_, *net_, metrics_, arenas_, *lobby_, catalog, token_key_);
  matches_ = std::make_unique<MatchHost>(cfg_, *clients_, arenas_, *io_, metrics_, catalog, token_key_, clock_,
                                         [this] { return unix_ms(); });
  stepper_ = std::make_unique<ArenaStepper>(cfg_, *clients_, *net_, *io_, metrics_,
                                            [this](const Arena& arena, const proto::MatchEnded& ended) {
                                              if (arena.matchmade()) matches_->report_result(arena, ended);
                                            });
  if (spectators_ != nullptr) {
    stepper_->tap_events([this](const Arena& arena, std::span<const proto::MatchEvent> events) {
      spectators_->on_events(arena, events);
    });
  }
  router_ = std::make_unique<PacketRouter>(
      cfg_, *clients_, *lobby_, *matches_, arenas_, *net_, metrics_, catalog, token_key_, [this] { return unix_ms(); },
      [this] { return static_cast<core::Tick>(ticks_run_); });
  reporter_ = std::make_unique<StatusReporter>(cfg_, metrics_, *net_, *io_, fixed_step_, *clients_, arenas_, *matches_,
                                               health_, token::key_fingerprint(token_key_));
}

void Server::apply_realtime_priority() {
  if (cfg_.realtime_priority == 0) return;
  if (auto r = core::lock_memory(kHeapStepBytes); !r) {
    spdlog::warn("--realtime-priority: {}; memory stays unlocked (page faults can stretch ticks)", r.error());
  }
  // The tick thread first: if the OS refuses, it refuses before anything changed.
  std::vector<std::thread::native_handle_type> threads{pthread_self()};
  for (const auto worker : stepper_->worker_threads()) threads.push_back(worker);
  for (const auto thread : threads) {
    if (auto r = core::make_realtime(thread, cfg_.realtime_priority); !r) {
      spdlog::warn("--realtime-priority {}: {}; ticks run at ordinary priority", cfg_.realtime_priority, r.error());
      return;
    }
  }
  spdlog::info("tick thread and {} worker(s) run under SCHED_FIFO priority {}, memory locked", threads.size() - 1,
               cfg_.realtime_priority);
}

std::uint16_t Server::port() const { return net_ ? net_->port() : 0; }
std::size_t Server::player_count() const { return clients_ ? clients_->players() : 0; }
std::size_t Server::session_count() const { return clients_ ? clients_->sessions().size() : 0; }
bool Server::busy() const { return clients_ && (clients_->players() > 0 || matches_->hosted_count() > 0); }

std::uint64_t Server::unix_ms() const {
  if (unix_clock_) return unix_clock_();
  return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(clock_()).count());
}

// ---------------------------------------------------------------------------
// The loop
// ---------------------------------------------------------------------------
void Server::run_once(std::chrono::milliseconds max_wait) {
  const Nanos now = clock_();
  const auto until = std::min<Nanos>(fixed_step_.until_next(now), max_wait);
  events_.clear();
  net_->poll(events_, std::chrono::ceil<std::chrono::milliseconds>(until));
  // Late (descheduled, a slow tick): the ticks about to run back to back
  // each take a command, so the input buffers may hold one more per tick.
  const std::uint32_t due_now = fixed_step_.due_at(clock_());
  router_->set_catch_up_ticks(due_now > 1 ? due_now - 1 : 0);
  handle_events();
  const std::uint32_t due = fixed_step_.advance(clock_());
  for (std::uint32_t i = 0; i < due; ++i) run_tick(clock_());
}

void Server::handle_events() {
  std::size_t received = 0;
  for (net::NetEvent& ev : events_) {
    received += ev.type == net::NetEvent::Type::Receive ? 1 : 0;
    router_->route(ev, clock_());
  }
  if (received > 0) metrics_.packets_in.Increment(static_cast<double>(received));  // once per batch: an atomic
  if (!events_.empty()) net_->flush();  // answers (Welcome, Reject) go out now, not at the next tick
  events_.clear();                      // releases the received packets
}

void Server::run_tick(Nanos started) {
  ticks_run_ += 1;
  if (cadence_.deadlines.due(ticks_run_)) clients_->expire(started);
  io_->run_completions();  // answers from the store: garage, queue, inbox, results
  stepper_->step(arenas_);
  if (spectators_ != nullptr) spectators_->tick(arenas_, ticks_run_);  // frames built here, sent off this thread
  lobby_->tick(unix_ms());
  if (cadence_.matchmade.due(ticks_run_)) matches_->tend(started);
  if (cadence_.redelivery.due(ticks_run_)) matches_->redeliver();
  net_->flush();  // hands the packets to the network thread; no syscall here
  if (cadence_.heartbeat.due(ticks_run_)) reporter_->heartbeat();
  if (cadence_.scoreboard.due(ticks_run_)) reporter_->log_scoreboard();
  if (draining_ && cadence_.drain.due(ticks_run_)) tend_drain(started);
  reporter_->publish(stepper_->take_counts(), ticks_run_);
  record_tick_duration(started);
}

void Server::record_tick_duration(Nanos started) {
  const Nanos took = clock_() - started;
  const double took_s = std::chrono::duration<double>(took).count();
  metrics_.ticks.Increment();
  metrics_.tick_duration.Observe(took_s);
  if (took_s > metrics_.tick_duration_max.Value()) metrics_.tick_duration_max.Set(took_s);
  if (took > fixed_step_.step()) metrics_.tick_overruns.Increment();
  if (health_ != nullptr) health_->tick_completed(clock_());
}

// ---------------------------------------------------------------------------
// Shutdown
// ---------------------------------------------------------------------------
void Server::begin_drain() {
  if (!net_ || draining_) return;
  draining_ = true;
  if (health_ != nullptr) health_->set_draining();
  metrics_.draining.Set(1);
  reporter_->deregister();  // first: from now on no matchmaker chooses us
  clients_->stop_admitting(clock_());
  net_->flush();
  spdlog::info(
      "draining: left the registry, taking no new players; waiting for {} player(s) in {} arena(s), {} "
      "hosted match(es)",
      clients_->players(), arenas_.size(), matches_->hosted_count());
}

bool Server::drained() const { return draining_ && clients_->players() == 0 && matches_->settled(); }

/// About ten times a second while draining: players of direct-join arenas whose
/// battle is over go; matchmade arenas close themselves after their battle.
void Server::tend_drain(Nanos now) { clients_->release_idle_arenas(now); }

void Server::shutdown(std::chrono::milliseconds grace) {
  if (!net_ || shut_down_) return;
  shut_down_ = true;
  begin_drain();  // leaves the registry, if a drain did not already
  spdlog::info("shutting down: disconnecting {} sessions", clients_->sessions().size());
  matches_->stop_hosting();
  clients_->drain(clock_());
  net_->flush();
  wait_for_disconnects(grace);
  matches_->keep_unsent_results();
  io_->stop();
  spdlog::info("shutdown complete");
}

/// Lets ENet deliver the Rejects and complete the disconnects. Bounded by
/// 10 ms waits, so it ends even if time is virtual.
void Server::wait_for_disconnects(std::chrono::milliseconds grace) {
  for (auto waited = 0ms; !clients_->sessions().empty() && waited < grace; waited += 10ms) {
    events_.clear();
    net_->poll(events_, 10ms);
    for (const net::NetEvent& ev : events_) {
      if (ev.type == net::NetEvent::Type::Disconnect) router_->route_disconnect(ev, clock_());
    }
  }
  events_.clear();
}

}  // namespace qbot::server
