#include "server/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include <filesystem>

#include <sodium.h>
#include <sys/resource.h>

#include "core/realtime.h"
#include "core/text.h"
#include "proto/version.h"
#include "replay/replay_file.h"
#include "sim/loadout.h"

namespace qbot::server {
namespace {

using namespace std::chrono_literals;
using proto::RejectReason;

constexpr std::chrono::milliseconds kClosingGrace{1000};  // Reject -> forced close
constexpr std::size_t kStoreQueueCapacity = 256;
constexpr std::size_t kInputBurst = 3;
constexpr std::size_t kSparePeerSlots = 32;
constexpr std::uint32_t kScoreboardEverySeconds = 5;
constexpr std::size_t kHeapStepBytes = std::size_t{64} << 20;  // --realtime-priority: heap grows (pre-faulted) 64 MiB at a time

/// The fleet's token key. Without a secret, a random one: tokens then work
/// only within this process (fine for one box, useless for a fleet).
token::Key fleet_key(const Config& cfg) {
  if (cfg.token_secret.empty() || cfg.token_secret_is_random) {
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

}  // namespace

Server::Server(Config cfg, const GameContent& content, Metrics& metrics, Store& store, Clock clock,
               UnixClock unix_clock)
    : cfg_(std::move(cfg)),
      metrics_(metrics),
      store_(store),
      clock_(std::move(clock)),
      fixed_step_(cfg_.tick_rate, cfg_.max_catch_up_ticks),
      content_(content),
      arena_content_(arena_content(content)),
      arenas_(arena_content_, match_settings(cfg_), cfg_.arena_size, cfg_.seed, cfg_.server_id),
      unix_clock_(std::move(unix_clock)),
      token_key_(fleet_key(cfg_)),
      hosted_(token_key_, cfg_.server_id) {
  snapshot_policy_.full_only = cfg_.full_snapshots;
  snapshot_policy_.interest_radius_q = proto::quantize_pos(cfg_.interest_radius_m);
  snapshot_policy_.max_bytes = cfg_.client_budget_bytes_per_s * cfg_.snapshot_interval / cfg_.tick_rate;
  snapshot_policy_.tick_rate = cfg_.tick_rate;
  workers_ = std::make_unique<core::WorkerPool>(cfg_.workers);
  for (std::size_t i = 0; i < workers_->lanes(); ++i) lanes_.push_back(std::make_unique<TickLane>());
}

Server::~Server() {
  if (io_) io_->stop();
}

core::Result<bool, std::string> Server::start() {
  net::HostConfig hc;
  hc.bind_host = cfg_.bind;
  hc.port = cfg_.port;
  // Spare slots beyond max_clients let a full server still answer newcomers
  // with Reject{ServerFull} instead of ENet silently ignoring them.
  hc.max_peers = std::min<std::size_t>(cfg_.max_clients + kSparePeerSlots, 4095);
  hc.connections_per_ip = cfg_.connections_per_ip;
  hc.max_packet_bytes = proto::kMaxServerPacketBytes;
  hc.peer_timeout_ms = cfg_.peer_timeout_ms;
  hc.compress = cfg_.compress;
  auto net = net::NetWorker::create(hc, cfg_.net_thread ? net::NetWorker::Mode::Thread : net::NetWorker::Mode::Inline);
  if (!net) return core::Err{net.error()};
  net_ = std::move(net.value());
  io_ = std::make_unique<IoWorker>(store_, kStoreQueueCapacity);
  LobbyConfig lobby{cfg_.server_id, cfg_.region, cfg_.max_bots, cfg_.ticket_ttl_ms, cfg_.queue_poll_ms};
  lobby_ = std::make_unique<Lobby>(lobby, *io_, content_.catalog.catalog, metrics_,
                                   [this](SessionId id, const proto::Message& msg) {
                                     const Session* s = find_session(id);
                                     if (s != nullptr && s->state == SessionState::Lobby) send_reliable(*s, encoder_.encode(msg));
                                   });
  journal_ = std::make_unique<ResultJournal>(cfg_.journal_dir);
  redeliver_results();  // results a previous run could not deliver
  fixed_step_.start(clock_());
  post_heartbeat();
  if (!cfg_.record_dir.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(cfg_.record_dir, ec);
    if (ec) return core::Err{"--record-dir " + cfg_.record_dir + ": " + ec.message()};
  }
  std::string maps;
  for (const auto& m : content_.maps) maps += (maps.empty() ? "" : ",") + m.map.name;
  spdlog::info("qbot-server {} listening on udp {}:{} (tick {} Hz, {} arenas of {}, maps {}, store {})", cfg_.server_id,
               cfg_.bind, port(), cfg_.tick_rate, cfg_.mode, cfg_.arena_size, maps, store_.describe());
  return true;
}

void Server::apply_realtime_priority() {
  if (cfg_.realtime_priority == 0) return;
  if (auto r = core::lock_memory(kHeapStepBytes); !r) {
    spdlog::warn("--realtime-priority: {}; memory stays unlocked (page faults can stretch ticks)", r.error());
  }
  // The tick thread first: if the OS refuses, it refuses before anything changed.
  std::vector<std::thread::native_handle_type> threads{pthread_self()};
  for (const auto worker : workers_->native_handles()) threads.push_back(worker);
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

// ---------------------------------------------------------------------------
// Loop
// ---------------------------------------------------------------------------
void Server::run_once(std::chrono::milliseconds max_wait) {
  const Nanos now = clock_();
  const auto until = std::min<Nanos>(fixed_step_.until_next(now), max_wait);
  events_.clear();
  net_->poll(events_, std::chrono::ceil<std::chrono::milliseconds>(until));
  std::size_t received = 0;
  for (net::NetEvent& ev : events_) {
    received += ev.type == net::NetEvent::Type::Receive ? 1 : 0;
    const Nanos at = clock_();
    switch (ev.type) {
      case net::NetEvent::Type::Connect: on_connect(ev, at); break;
      case net::NetEvent::Type::Receive: on_receive(ev, at); break;
      case net::NetEvent::Type::Disconnect: on_disconnect(ev); break;
      case net::NetEvent::Type::None: break;
    }
  }
  if (received > 0) metrics_.packets_in.Increment(static_cast<double>(received));  // once per batch: an atomic
  if (!events_.empty()) net_->flush();  // answers (Welcome, Reject) go out now, not at the next tick
  events_.clear();                     // releases the received packets

  const std::uint32_t due = fixed_step_.advance(clock_());
  for (std::uint32_t i = 0; i < due; ++i) run_tick(clock_());
}

void Server::run_tick(Nanos started) {
  ticks_run_ += 1;
  // Deadlines (Hello, reconnect grace, closing) are coarse: checking them
  // ten times a second instead of every tick saves a walk over all sessions.
  if (ticks_run_ % std::max<std::uint32_t>(1, cfg_.tick_rate / 10) == 0) expire_sessions(started);
  io_->run_completions();  // answers from the store: garage, queue, inbox
  step_arenas();
  tend_matchmaking(started);
  net_->flush();  // hands the packets to the network thread; no syscall here

  const std::uint64_t ticks_per_heartbeat =
      std::max<std::uint64_t>(1, std::uint64_t{cfg_.heartbeat_ms} * cfg_.tick_rate / 1000);
  if (ticks_run_ % ticks_per_heartbeat == 0) post_heartbeat();
  if (ticks_run_ % (std::uint64_t{kScoreboardEverySeconds} * cfg_.tick_rate) == 0) log_scoreboard();
  publish_metrics();

  const Nanos took = clock_() - started;
  const double took_s = std::chrono::duration<double>(took).count();
  metrics_.ticks.Increment();
  metrics_.tick_duration.Observe(took_s);
  if (took_s > metrics_.tick_duration_max.Value()) metrics_.tick_duration_max.Set(took_s);
  if (took > fixed_step_.step()) metrics_.tick_overruns.Increment();
}

void Server::step_arenas() {
  arena_work_.resize(arenas_.size());
  std::size_t n = 0;
  for (auto& [id, arena] : arenas_.arenas()) arena_work_[n++].arena = arena.get();
  // Arenas share nothing while they step: each reads only its own players'
  // sessions (inputs, snapshot baselines), so they can run on any lane.
  workers_->run(n, [this](std::size_t i, std::size_t lane) { simulate(arena_work_[i], *lanes_[lane]); });
  for (std::size_t i = 0; i < n; ++i) {
    ArenaWork& w = arena_work_[i];
    deliver(*w.arena, w.out);
    for (const ArenaWork::Packet& p : w.packets) {
      net_->send(p.peer, net::kGameChannel, std::span(w.bytes).subspan(p.offset, p.size), net::Delivery::Unreliable);
    }
  }
}

void Server::simulate(ArenaWork& work, TickLane& lane) {
  Arena& arena = *work.arena;
  lane.commands.clear();
  // Looked up once per tick: the session map is the tick's hottest cache
  // miss, and build_snapshots needs the same sessions (step() does not
  // change who plays).
  lane.sessions.clear();
  for (const ArenaPlayer& p : arena.players()) {
    Session* s = find_session(p.session);
    lane.sessions.push_back(s);
    if (s == nullptr) continue;
    bool fresh = false;
    const sim::Command cmd = s->inputs.next(fresh);
    lane.counts.inputs_applied += fresh ? 1 : 0;
    lane.commands.push_back({p.entity, cmd});
  }
  work.out.events.clear();
  work.out.finished_battle.reset();
  arena.step(lane.commands, work.out);
  work.bytes.clear();
  work.packets.clear();
  if (arena.world().tick % cfg_.snapshot_interval == 0) build_snapshots(work, lane);
}

void Server::deliver(Arena& arena, Arena::TickOutput& out) {
  for (const proto::MatchEvent& e : out.events) {
    if (std::holds_alternative<proto::Kill>(e.body)) metrics_.kills.Increment();
    if (const auto* end = std::get_if<proto::MatchEnded>(&e.body)) {
      metrics_.matches_finished.Increment();
      if (arena.matchmade()) report_result(arena, *end);
      std::string line;
      for (const auto& r : end->results) {
        line += " " + std::to_string(r.placement) + "." + r.name + " " + std::to_string(r.kills) + "/" +
                std::to_string(r.deaths);
      }
      spdlog::info("arena {} match {:016x} ended ({}):{}", arena.id(), end->match_id,
                   end->reason == proto::EndReason::ScoreLimit   ? "score limit"
                   : end->reason == proto::EndReason::TimeLimit  ? "time limit"
                                                                 : "not enough players",
                   line);
    }
    broadcast(arena, encoder_.encode(e), 0);
  }
  if (out.finished_battle) save_replay(std::move(*out.finished_battle));
}

void Server::save_replay(replay::Recording recording) {
  // Encoding is cheap; the disk write goes to the side thread so a slow
  // disk never stalls the tick.
  auto bytes = std::make_shared<std::vector<std::uint8_t>>(replay::encode_recording(recording));
  char name[40];
  std::snprintf(name, sizeof name, "%016llx.qreplay", static_cast<unsigned long long>(recording.match_id));
  const std::filesystem::path path = std::filesystem::path(cfg_.record_dir) / name;
  Metrics& m = metrics_;
  const bool queued = io_->post([bytes, path, &m](Store&) {
    if (auto r = replay::write_file(path, *bytes); !r) {
      m.replay_errors.Increment();
      spdlog::error("replay not written: {}", r.error());
      return;
    }
    m.replays_written.Increment();
    spdlog::info("replay written: {} ({} bytes)", path.string(), bytes->size());
  });
  if (!queued) {
    metrics_.replay_errors.Increment();
    spdlog::error("replay {} dropped: side queue full", path.string());
  }
}

void Server::build_snapshots(ArenaWork& work, TickLane& lane) {
  const Arena& arena = *work.arena;
  const proto::Frame& frame = arena.frame();
  const auto& players = arena.players();
  for (std::size_t i = 0; i < players.size(); ++i) {
    const ArenaPlayer& p = players[i];
    Session* s = lane.sessions[i];
    if (s == nullptr || s->state != SessionState::Active) continue;
    const Viewer viewer{p.entity, p.team, s->inputs.last_applied()};
    const auto built = s->snapshots.build(frame, viewer, s->acked_snapshot, snapshot_policy_, lane.entities);
    proto::Snapshot msg;
    msg.server_tick = frame.tick;
    msg.data = lane.entities;
    const auto bytes = lane.encoder.encode(msg);
    work.packets.push_back({s->peer, static_cast<std::uint32_t>(work.bytes.size()), static_cast<std::uint32_t>(bytes.size())});
    work.bytes.insert(work.bytes.end(), bytes.begin(), bytes.end());
    (built.baseline_tick == 0 ? lane.counts.snapshots_full : lane.counts.snapshots_delta) += 1;
  }
}

void Server::expire_sessions(Nanos now) {
  std::vector<SessionId> to_remove;
  for (auto& [id, s] : sessions_) {
    if (now < s.deadline) continue;
    if (s.state == SessionState::AwaitingHello && !s.parked_join.empty()) {
      s.parked_join.clear();
      reject(s, RejectReason::WrongMatch, "the token's match is not hosted here", now);
    } else if (s.state == SessionState::AwaitingHello) {
      spdlog::debug("session {}: no Hello within {} ms", id, cfg_.hello_timeout_ms);
      reject(s, RejectReason::HelloTimeout, "no Hello within the handshake deadline", now);
    } else if (s.state == SessionState::Closing) {
      net_->disconnect_now(s.peer, static_cast<std::uint32_t>(RejectReason::Kicked));
      to_remove.push_back(id);
    } else if (s.state == SessionState::Orphaned) {
      spdlog::debug("session {}: '{}' did not come back within {} s, slot freed", id, s.name, cfg_.reconnect_grace_s);
      metrics_.orphans_expired.Increment();
      to_remove.push_back(id);
    }
  }
  for (SessionId id : to_remove) remove_session(id);
}

// ---------------------------------------------------------------------------
// Network events
// ---------------------------------------------------------------------------
void Server::on_connect(net::NetEvent& ev, Nanos now) {
  metrics_.connections.Increment();
  if (draining_) {
    net_->disconnect_now(ev.peer, static_cast<std::uint32_t>(RejectReason::ShuttingDown));
    metrics_.reject(RejectReason::ShuttingDown).Increment();
    return;
  }
  // The network layer numbers connections; that number is the session id.
  const SessionId id = ev.user_data;
  sessions_.try_emplace(id, id, ev.peer, now, std::chrono::milliseconds(cfg_.hello_timeout_ms),
                        cfg_.packets_per_s_limit(), kInputBurst);
  spdlog::debug("session {}: connected from {}", id, ev.address);
}

void Server::on_disconnect(net::NetEvent& ev) {
  // PITFALLS: only peer->data (our session id) is meaningful here.
  Session* s = find_session(ev.user_data);
  if (s == nullptr) return;
  spdlog::debug("session {}: disconnected", ev.user_data);
  // A player who drops (timeout, crash) keeps the bot for the grace period;
  // one who quits frees it at once.
  const bool quit = ev.data == proto::kDisconnectQuit;
  if (s->state == SessionState::Active && !quit && cfg_.reconnect_grace_s > 0 && !draining_) {
    orphan(*s, clock_());
  } else {
    remove_session(ev.user_data);
  }
}

void Server::orphan(Session& s, Nanos now) {
  s.state = SessionState::Orphaned;
  s.peer = {};
  s.deadline = now + std::chrono::seconds(cfg_.reconnect_grace_s);
  s.inputs = InputBuffer(kInputBurst);  // the bot idles: no stale command repeats
}

void Server::on_receive(net::NetEvent& ev, Nanos now) {
  Session* s = find_session(ev.user_data);
  if (s == nullptr || s->state == SessionState::Closing) return;
  const auto bytes = ev.packet.bytes();
  s->bytes_received += bytes.size();

  if (!s->limiter.allow(now)) {
    metrics_.rate_limited.Increment();
    // A second's worth of excess packets within one second is a flood; a
    // burst now and then (a client catching up after a stall) is not.
    if (now - s->rate_window_start > std::chrono::seconds(1)) {
      s->rate_window_start = now;
      s->rate_limited = 0;
    }
    if (++s->rate_limited > cfg_.packets_per_s_limit()) {
      reject(*s, RejectReason::RateLimited, "packet rate over " + std::to_string(cfg_.packets_per_s_limit()) + "/s",
             now);
    }
    return;
  }

  auto decoded = proto::decode(bytes, proto::Sender::Client, ev.channel);
  if (!decoded) {
    metrics_.decode_error(decoded.error().kind).Increment();
    on_bad_message(*s, decoded.error().describe(), now);
    return;
  }
  proto::Message& msg = decoded.value();

  if (s->state == SessionState::AwaitingHello) {
    if (auto* hello = std::get_if<proto::Hello>(&msg); hello != nullptr && ev.channel == net::kControlChannel) {
      on_hello(*s, *hello, now);
    } else {
      reject(*s, RejectReason::NotWelcomed,
             "expected Hello on channel 0, got " + std::string(proto::message_name(msg)), now);
    }
    return;
  }

  if (s->state == SessionState::Lobby) {
    on_lobby_message(*s, msg, now);
    return;
  }

  // Active.
  if (const auto* input = std::get_if<proto::Input>(&msg); input != nullptr && ev.channel == net::kGameChannel) {
    on_input(*s, *input);
  } else if (std::holds_alternative<proto::Hello>(msg)) {
    reject(*s, RejectReason::DuplicateHello, "Hello after Welcome", now);
  } else {
    on_bad_message(*s, "unexpected " + std::string(proto::message_name(msg)) + " on channel " +
                           std::to_string(ev.channel), now);
  }
}

void Server::on_bad_message(Session& s, const std::string& why, Nanos now) {
  s.bad_messages += 1;
  spdlog::debug("session {}: bad message: {}", s.id, why);
  // Before the handshake one bad packet is enough; afterwards tolerate a few
  // (a client with a bug should see the reason, not a silent drop).
  if (s.state == SessionState::AwaitingHello || s.bad_messages >= cfg_.max_bad_messages) {
    reject(s, RejectReason::BadMessage, why, now);
  }
}

void Server::on_hello(Session& s, proto::Hello& hello, Nanos now) {
  if (hello.protocol_version != proto::kProtocolVersion) {
    reject(s, RejectReason::ProtocolMismatch,
           "server speaks protocol " + std::to_string(proto::kProtocolVersion) + ", client " +
               std::to_string(hello.protocol_version),
           now);
    return;
  }
  if (draining_) {
    reject(s, RejectReason::ShuttingDown, "server is shutting down", now);
    return;
  }
  if (!hello.reconnect_token.empty()) {
    const std::string token(hello.reconnect_token.begin(), hello.reconnect_token.end());
    auto it = reconnect_tokens_.find(token);
    Session* old = it != reconnect_tokens_.end() ? find_session(it->second) : nullptr;
    if (old == nullptr || old->id == s.id ||
        (old->state != SessionState::Orphaned && old->state != SessionState::Active)) {
      reject(s, RejectReason::InvalidToken, "unknown reconnect token or the grace period is over", now);
      return;
    }
    resume(s, *old, now);
    return;
  }
  if (!s.parked_join.empty()) return;  // a second Hello while the first waits for its match
  if (!hello.join_token.empty()) {
    admit_join(s, hello.join_token, now);
    return;
  }
  if (hello.lobby) {
    enter_lobby(s, hello, now);
    return;
  }
  if (!core::is_display_text(hello.guest_name, proto::kMaxGuestNameBytes)) {
    reject(s, RejectReason::InvalidName, "guest_name must be 1..24 printable ASCII characters", now);
    return;
  }
  const sim::Catalog& catalog = content_.catalog.catalog;
  sim::Loadout loadout = sim::default_loadout(catalog, hello.guest_name);
  if (hello.loadout) {
    auto resolved = sim::resolve_loadout(catalog, *hello.loadout);
    if (!resolved) {
      reject(s, RejectReason::InvalidLoadout, resolved.error(), now);
      return;
    }
    loadout = std::move(resolved.value());
  }
  if (players_ >= cfg_.max_clients) {
    reject(s, RejectReason::ServerFull, "server is full", now);
    return;
  }

  s.name = std::move(hello.guest_name);
  place_player(s, arenas_.admit(), loadout, Seat{}, now);
}

void Server::place_player(Session& s, Arena& arena, const sim::Loadout& loadout, const Seat& seat, Nanos now) {
  const std::uint32_t player_id = next_player_id_++;
  const auto entity = arena.add_player(s.id, player_id, loadout, seat);
  if (!entity) {
    reject(s, RejectReason::ServerFull, "no free slot", now);
    return;
  }
  s.state = SessionState::Active;
  s.player_id = player_id;
  s.arena = arena.id();
  s.entity = *entity;
  if (s.name.empty()) s.name = loadout.name;
  players_ += 1;
  welcome(s, arena, false);
  spdlog::debug("session {}: '{}' joined arena {} as entity {}", s.id, s.name, arena.id(), *entity);
}

void Server::resume(Session& s, Session& old, Nanos now) {
  Arena* arena = arenas_.find(old.arena);
  if (arena == nullptr || !arena->rebind_player(old.id, s.id)) {
    reject(s, RejectReason::InvalidToken, "that player's arena is gone", now);
    return;
  }
  s.state = SessionState::Active;
  s.player_id = old.player_id;
  s.arena = old.arena;
  s.entity = old.entity;
  s.name = old.name;
  reconnect_tokens_.erase(old.reconnect_token);
  // The old connection (if the server still thinks it is up) is cut; its
  // slot now belongs to the new one.
  if (old.state == SessionState::Active) net_->disconnect_now(old.peer, static_cast<std::uint32_t>(RejectReason::Kicked));
  sessions_.erase(old.id);
  metrics_.reconnects.Increment();
  welcome(s, *arena, true);
  spdlog::debug("session {}: '{}' resumed entity {} in arena {}", s.id, s.name, s.entity, s.arena);
}

void Server::welcome(Session& s, Arena& arena, bool reconnected) {
  const sim::Catalog& catalog = content_.catalog.catalog;
  s.reconnect_token.assign(proto::kReconnectTokenBytes, '\0');
  randombytes_buf(s.reconnect_token.data(), s.reconnect_token.size());
  reconnect_tokens_[s.reconnect_token] = s.id;

  proto::Welcome welcome;
  welcome.protocol_version = proto::kProtocolVersion;
  welcome.player_id = s.player_id;
  welcome.arena_id = arena.id();
  welcome.entity_id = s.entity;
  welcome.tick_rate = static_cast<std::uint16_t>(cfg_.tick_rate);
  welcome.snapshot_interval = static_cast<std::uint8_t>(cfg_.snapshot_interval);
  welcome.server_tick = arena.world().tick;
  welcome.map_name = arena.map().name;
  welcome.server_id = cfg_.server_id;
  welcome.mode = arena.mode();
  const ArenaPlayer* me = arena.find_player(s.id);
  welcome.team = me != nullptr ? me->team : 0;
  welcome.catalog_version = catalog.version;
  welcome.reconnect_token.assign(s.reconnect_token.begin(), s.reconnect_token.end());
  welcome.reconnected = reconnected;
  welcome.account_id = s.account;
  welcome.match_id = arena.matchmade_id();
  send_reliable(s, encoder_.encode(welcome));

  // Tell the newcomer the match phase and who is here; everyone else about the newcomer.
  const core::Tick tick = arena.world().tick;
  send_reliable(s, encoder_.encode(proto::MatchEvent{tick, arena.phase_event()}));
  for (const ArenaPlayer& p : arena.players()) {
    const auto joined = encoder_.encode(
        proto::MatchEvent{tick, proto::PlayerJoined{p.player_id, p.entity, p.name, p.team, wire_loadout(p.loadout)}});
    if (p.session == s.id && !reconnected) broadcast(arena, joined, 0);
    else send_reliable(s, joined);
  }
}

proto::Loadout Server::wire_loadout(const sim::Loadout& l) const {
  const sim::Catalog& c = content_.catalog.catalog;
  return {l.name, c.chassis[l.chassis].id, c.weapons[l.primary].id, c.weapons[l.secondary].id, c.modules[l.module].id,
          l.paint};
}

void Server::on_input(Session& s, const proto::Input& input) {
  const Arena* arena = arenas_.find(s.arena);
  // An ack from the future is hostile or a bug; ignore it, keep the old one.
  if (arena != nullptr && input.ack_snapshot <= arena->world().tick && input.ack_snapshot > s.acked_snapshot) {
    s.acked_snapshot = input.ack_snapshot;
  }
  const auto r = s.inputs.push(input.view());
  if (r.overflow > 0) metrics_.inputs_dropped_burst.Increment(r.overflow);
  if (r.duplicate > 0) metrics_.inputs_dropped_duplicate.Increment(r.duplicate);
}

// ---------------------------------------------------------------------------
// Sessions
// ---------------------------------------------------------------------------
Session* Server::find_session(SessionId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void Server::reject(Session& s, RejectReason reason, std::string text, Nanos now) {
  metrics_.reject(reason).Increment();
  if (s.state == SessionState::Closing || s.state == SessionState::Orphaned) return;
  if (s.state == SessionState::Active) leave_arena(s);
  leave_lobby(s);
  if (!s.reconnect_token.empty()) reconnect_tokens_.erase(s.reconnect_token);

  proto::Reject msg{reason, std::move(text)};
  auto bytes = encoder_.encode(msg);
  if (s.player_id == 0) {
    // Never answer an unauthenticated peer with more than it sent us
    // (DESIGN convention 3): shorten the text, or send only the code.
    while (bytes.size() > s.bytes_received && !msg.text.empty()) {
      msg.text.resize(msg.text.size() / 2);
      bytes = encoder_.encode(msg);
    }
  }
  if (s.player_id != 0 || bytes.size() <= s.bytes_received) send_reliable(s, bytes);
  net_->disconnect_later(s.peer, static_cast<std::uint32_t>(reason));
  s.state = SessionState::Closing;
  s.deadline = now + kClosingGrace;
  spdlog::debug("session {}: rejected ({}): {}", s.id, proto::reject_reason_name(reason), msg.text);
}

void Server::leave_arena(Session& s) {
  Arena* arena = arenas_.find(s.arena);
  if (arena == nullptr || !arena->remove_player(s.id)) return;
  players_ -= 1;
  broadcast(*arena, encoder_.encode(proto::MatchEvent{arena->world().tick, proto::PlayerLeft{s.player_id, s.entity}}),
            s.id);
  s.arena = 0;
  arenas_.close_empty();
}

void Server::remove_session(SessionId id) {
  Session* s = find_session(id);
  if (s == nullptr) return;
  if (s->state == SessionState::Active || s->state == SessionState::Orphaned) leave_arena(*s);
  leave_lobby(*s);
  if (!s->reconnect_token.empty()) reconnect_tokens_.erase(s->reconnect_token);
  sessions_.erase(id);
}

void Server::send_reliable(const Session& s, std::span<const std::uint8_t> bytes) {
  net_->send(s.peer, net::kControlChannel, bytes, net::Delivery::Reliable);
  metrics_.packets_out.Increment();
}

void Server::broadcast(const Arena& arena, std::span<const std::uint8_t> bytes, SessionId except) {
  for (const ArenaPlayer& p : arena.players()) {
    if (p.session == except) continue;
    const Session* s = find_session(p.session);
    if (s != nullptr && s->state == SessionState::Active) send_reliable(*s, bytes);
  }
}

// ---------------------------------------------------------------------------
// Observability and registry
// ---------------------------------------------------------------------------
void Server::publish_metrics() {
  // Per-packet counts are summed during the tick and published once: the
  // Prometheus counters are atomics, too costly a thousand times a tick.
  TickCounts c;
  for (auto& lane : lanes_) {
    c.inputs_applied += lane->counts.inputs_applied;
    c.snapshots_full += lane->counts.snapshots_full;
    c.snapshots_delta += lane->counts.snapshots_delta;
    lane->counts = {};
  }
  metrics_.inputs_applied.Increment(static_cast<double>(c.inputs_applied));
  metrics_.snapshots_full.Increment(static_cast<double>(c.snapshots_full));
  metrics_.snapshots_delta.Increment(static_cast<double>(c.snapshots_delta));
  metrics_.packets_out.Increment(static_cast<double>(c.snapshots_full + c.snapshots_delta));
  const net::HostTotals t = net_->totals();
  const std::uint64_t failures = net_->send_failures();
  metrics_.send_failures.Increment(static_cast<double>(failures - published_send_failures_));
  published_send_failures_ = failures;
  metrics_.bytes_in.Increment(static_cast<double>(t.bytes_received - published_totals_.bytes_received));
  metrics_.bytes_out.Increment(static_cast<double>(t.bytes_sent - published_totals_.bytes_sent));
  metrics_.datagrams_in.Increment(static_cast<double>(t.datagrams_received - published_totals_.datagrams_received));
  metrics_.datagrams_out.Increment(static_cast<double>(t.datagrams_sent - published_totals_.datagrams_sent));
  metrics_.malformed_datagrams.Increment(
      static_cast<double>(t.malformed_datagrams - published_totals_.malformed_datagrams));
  published_totals_ = t;
  metrics_.ticks_skipped.Increment(static_cast<double>(fixed_step_.dropped_ticks() - published_skipped_));
  published_skipped_ = fixed_step_.dropped_ticks();
  metrics_.clients_connected.Set(static_cast<double>(net_->connected_peers()));
  if (ticks_run_ % cfg_.tick_rate == 0) {  // once a second is plenty for CPU time
    rusage ru{};
    ::getrusage(RUSAGE_SELF, &ru);
    const auto secs = [](const timeval& tv) { return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6; };
    const double cpu = secs(ru.ru_utime) + secs(ru.ru_stime);
    if (cpu > published_cpu_s_) metrics_.cpu_seconds.Increment(cpu - published_cpu_s_);
    published_cpu_s_ = cpu;
  }
  metrics_.players.Set(static_cast<double>(players_));
  metrics_.arenas.Set(static_cast<double>(arenas_.size()));
}

ServerInfo Server::registry_info() const {
  ServerInfo info;
  info.id = cfg_.server_id;
  info.host = cfg_.public_host;
  info.port = port();
  info.region = cfg_.region;
  info.capacity = static_cast<std::uint32_t>(cfg_.max_clients);
  // Seats of matches assigned here but not yet joined count as taken, so
  // matchmakers do not overbook us between heartbeats.
  info.players = static_cast<std::uint32_t>(players_ + hosted_.open_seats());
  for (const auto& [id, match] : hosted_.all()) info.counted_matches.push_back(id);  // no longer pending in the store
  info.arenas = static_cast<std::uint32_t>(arenas_.size());
  info.version = "0.1.0";
  return info;
}

void Server::post_heartbeat() {
  if (draining_) return;
  const ServerInfo info = registry_info();
  const std::uint32_t ttl = cfg_.registry_ttl_ms;
  Metrics& m = metrics_;
  const bool queued = io_->post([info, ttl, &m](Store& store) {
    if (auto r = store.heartbeat_server(info, ttl); !r) {
      m.store_errors.Increment();
      spdlog::warn("registry heartbeat failed: {}", r.error().message);
    }
  });
  if (!queued) metrics_.store_jobs_dropped.Increment();
}

void Server::log_scoreboard() {
  spdlog::info("players {} | arenas {} | sessions {}", players_, arenas_.size(), sessions_.size());
  std::size_t shown = 0;
  for (const auto& [id, arena] : arenas_.arenas()) {
    if (++shown > 4) {
      spdlog::info("  ... and {} more arenas", arenas_.size() - 4);
      break;
    }
    std::string line;
    for (const ArenaPlayer& p : arena->players()) {
      const sim::Bot* bot = sim::find_bot(arena->world(), p.entity);
      if (bot == nullptr) continue;
      line += " " + p.name + " " + std::to_string(bot->kills) + "/" + std::to_string(bot->deaths);
    }
    spdlog::info("  arena {} [{}/{}] {} on {} tick {} (kills/deaths):{}", id, arena->players().size(),
                 arena->capacity(), proto::match_phase_name(arena->phase()), arena->map().name, arena->world().tick,
                 line);
  }
}

void Server::shutdown(std::chrono::milliseconds grace) {
  if (!net_) return;
  if (!draining_) {
    draining_ = true;
    spdlog::info("shutting down: disconnecting {} sessions", sessions_.size());
    const Nanos now = clock_();
    std::vector<SessionId> orphans;
    for (auto& [id, s] : sessions_) {
      if (s.state == SessionState::Orphaned) orphans.push_back(id);
    }
    for (SessionId id : orphans) remove_session(id);
    for (auto& [id, s] : sessions_) reject(s, RejectReason::ShuttingDown, "server is shutting down", now);
    net_->flush();
    // Let ENet deliver the Rejects and complete the disconnects. Bounded by
    // 10 ms waits, so it ends even if time is virtual.
    for (auto waited = 0ms; !sessions_.empty() && waited < grace; waited += 10ms) {
      events_.clear();
      net_->poll(events_, 10ms);
      for (net::NetEvent& ev : events_) {
        if (ev.type == net::NetEvent::Type::Disconnect) on_disconnect(ev);
      }
    }
    events_.clear();
    const std::string id = cfg_.server_id;
    Metrics& m = metrics_;
    if (!io_->post([id, &m](Store& store) {
          if (auto r = store.deregister_server(id); !r) {
            m.store_errors.Increment();
            spdlog::warn("registry deregister failed: {}", r.error().message);
          }
        })) {
      metrics_.store_jobs_dropped.Increment();
    }
  }
  post_results();
  for (const MatchResult& r : unsent_results_) {  // the worker's queue stayed full: keep them on disk
    if (auto saved = journal_->save(r); !saved) spdlog::error("match {}: result lost at shutdown: {}", r.match_id, saved.error());
  }
  unsent_results_.clear();
  io_->stop();
  spdlog::info("shutdown complete");
}

}  // namespace qbot::server
