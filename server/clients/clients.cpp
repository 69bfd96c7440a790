#include "server/clients/clients.h"

#include <spdlog/spdlog.h>

#include "proto/limits.h"
#include "proto/version.h"

namespace qbot::server {
namespace {

using proto::RejectReason;

constexpr std::chrono::milliseconds kClosingGrace{1000};  // Reject -> forced close
constexpr std::size_t kInputBurst = 3;                    // commands buffered ahead of the simulation

}  // namespace

Clients::Clients(const Config& cfg, net::NetWorker& net, Metrics& metrics, ArenaDirectory& arenas, Lobby& lobby,
                 const sim::Catalog& catalog, const token::Key& key)
    : cfg_(cfg), net_(net), metrics_(metrics), arenas_(arenas), lobby_(lobby), catalog_(catalog), key_(key) {}

// ---------------------------------------------------------------------------
// Connection lifetime
// ---------------------------------------------------------------------------
Session& Clients::connect(SessionId id, net::PeerRef peer, Nanos now) {
  return sessions_.add(Session(id, peer, now, std::chrono::milliseconds(cfg_.hello_timeout_ms),
                               cfg_.packets_per_s_limit(), kInputBurst));
}

void Clients::disconnected(SessionId id, bool quit, Nanos now) {
  Session* s = sessions_.find(id);
  if (s == nullptr) return;
  spdlog::debug("session {}: disconnected", id);
  if (s->state == SessionState::Active && !quit && cfg_.reconnect_grace_s > 0 && !draining_) {
    orphan(*s, now);
  } else {
    remove(id);
  }
}

void Clients::orphan(Session& s, Nanos now) {
  s.state = SessionState::Orphaned;
  s.peer = {};
  s.deadline = now + std::chrono::seconds(cfg_.reconnect_grace_s);
  s.inputs = InputBuffer(kInputBurst);  // the bot idles: no stale command repeats
}

void Clients::remove(SessionId id) {
  Session* s = sessions_.find(id);
  if (s == nullptr) return;
  if (s->in_arena()) leave_arena(*s);
  leave_lobby(*s);
  sessions_.erase(id);
}

void Clients::expire(Nanos now) {
  sessions_.due(now, scratch_ids_);
  for (const SessionId id : scratch_ids_) {
    Session* s = sessions_.find(id);
    if (s == nullptr) continue;
    if (s->state == SessionState::AwaitingHello && !s->parked_join.empty()) {
      s->parked_join.clear();
      reject(*s, RejectReason::WrongMatch, "the token's match is not hosted here", now);
    } else if (s->state == SessionState::AwaitingHello) {
      spdlog::debug("session {}: no Hello within {} ms", id, cfg_.hello_timeout_ms);
      reject(*s, RejectReason::HelloTimeout, "no Hello within the handshake deadline", now);
    } else if (s->state == SessionState::Closing) {
      net_.disconnect_now(s->peer, static_cast<std::uint32_t>(RejectReason::Kicked));
      remove(id);
    } else if (s->state == SessionState::Orphaned) {
      spdlog::debug("session {}: '{}' did not come back within {} s, slot freed", id, s->name, cfg_.reconnect_grace_s);
      metrics_.orphans_expired.Increment();
      remove(id);
    }
  }
}

void Clients::stop_admitting(Nanos now) {
  admitting_ = false;
  sessions_.in_state(SessionState::Lobby, scratch_ids_);
  for (const SessionId id : scratch_ids_) {
    if (Session* s = sessions_.find(id)) reject(*s, RejectReason::ShuttingDown, "server is shutting down", now);
  }
}

void Clients::release_idle_arenas(Nanos now) {
  scratch_ids_.clear();
  for (const auto& [id, arena] : arenas_.arenas()) {
    if (arena->matchmade() || arena->phase() == proto::MatchPhase::Battle) continue;
    for (const ArenaPlayer& p : arena->players()) scratch_ids_.push_back(p.session);
  }
  for (const SessionId id : scratch_ids_) {
    Session* s = sessions_.find(id);
    if (s == nullptr) continue;
    if (s->state == SessionState::Orphaned) remove(id);
    else reject(*s, RejectReason::ShuttingDown, "server is shutting down (the battle is over)", now);
  }
}

void Clients::drain(Nanos now) {
  draining_ = true;
  sessions_.in_state(SessionState::Orphaned, scratch_ids_);
  for (const SessionId id : scratch_ids_) remove(id);
  for (auto& [id, s] : sessions_) reject(s, RejectReason::ShuttingDown, "server is shutting down", now);
}

// ---------------------------------------------------------------------------
// Admission
// ---------------------------------------------------------------------------
void Clients::place(Session& s, Arena& arena, const sim::Loadout& loadout, const Seat& seat, Nanos now) {
  const PlayerId player_id = next_player_id_++;
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

void Clients::resume(Session& s, Session& old, Nanos now) {
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
  // The old connection (if the server still thinks it is up) is cut; its
  // slot now belongs to the new one.
  if (old.state == SessionState::Active)
    net_.disconnect_now(old.peer, static_cast<std::uint32_t>(RejectReason::Kicked));
  sessions_.erase(old.id);  // its bot is rebound, not removed: the player count stays
  metrics_.reconnects.Increment();
  welcome(s, *arena, true);
  spdlog::debug("session {}: '{}' resumed entity {} in arena {}", s.id, s.name, s.entity, s.arena);
}

void Clients::welcome(Session& s, Arena& arena, bool reconnected) {
  sessions_.issue_reconnect_token(s);
  proto::Welcome w;
  w.protocol_version = proto::kProtocolVersion;
  w.player_id = s.player_id;
  w.arena_id = arena.id();
  w.entity_id = s.entity;
  w.tick_rate = static_cast<std::uint16_t>(cfg_.tick_rate);
  w.snapshot_interval = static_cast<std::uint8_t>(cfg_.snapshot_interval);
  w.server_tick = arena.world().tick;
  w.map_name = arena.map().name;
  w.server_id = cfg_.server_id;
  w.mode = arena.mode();
  const ArenaPlayer* me = arena.find_player(s.id);
  w.team = me != nullptr ? me->team : 0;
  w.catalog_version = catalog_.version;
  w.reconnect_token.assign(s.reconnect_token.begin(), s.reconnect_token.end());
  w.reconnected = reconnected;
  w.account_id = s.account;
  w.match_id = arena.matchmade_id();
  send_reliable(s, encoder_.encode(w));
  announce(s, arena, reconnected);
}

/// Tells the newcomer the match phase and who is here, and everyone else
/// about the newcomer (a reconnecting player is no news to the others).
void Clients::announce(Session& s, Arena& arena, bool reconnected) {
  const core::Tick tick = arena.world().tick;
  send_reliable(s, encoder_.encode(proto::MatchEvent{tick, arena.phase_event()}));
  for (const ArenaPlayer& p : arena.players()) {
    const auto joined = encoder_.encode(
        proto::MatchEvent{tick, proto::PlayerJoined{p.player_id, p.entity, p.name, p.team, wire_loadout(p.loadout)}});
    if (p.session == s.id && !reconnected) broadcast(arena, joined, 0);
    else send_reliable(s, joined);
  }
}

proto::Loadout Clients::wire_loadout(const sim::Loadout& l) const {
  const sim::Catalog& c = catalog_;
  return {l.name, c.chassis[l.chassis].id, c.weapons[l.primary].id, c.weapons[l.secondary].id, c.modules[l.module].id,
          l.paint};
}

void Clients::enter_lobby(Session& s, AccountId account, std::uint64_t unix_ms, core::Tick server_tick) {
  s.state = SessionState::Lobby;
  s.account = account;
  s.player_id = next_player_id_++;
  s.name = "lobby";
  lobby_sessions_ += 1;
  metrics_.lobby_sessions.Set(static_cast<double>(lobby_sessions_));

  proto::Welcome w;
  w.protocol_version = proto::kProtocolVersion;
  w.player_id = s.player_id;
  w.tick_rate = static_cast<std::uint16_t>(cfg_.tick_rate);
  w.snapshot_interval = static_cast<std::uint8_t>(cfg_.snapshot_interval);
  w.server_tick = server_tick;
  w.server_id = cfg_.server_id;
  w.catalog_version = catalog_.version;
  w.account_id = account;
  const std::string token = token::sign_account(key_, {account, unix_ms});
  w.account_token.assign(token.begin(), token.end());
  w.lobby = true;
  send_reliable(s, encoder_.encode(w));
  spdlog::debug("session {}: account {} entered the lobby", s.id, account);
}

void Clients::leave_lobby(Session& s) {
  if (s.state != SessionState::Lobby) return;
  lobby_.on_leave(s.id, s.account);
  lobby_sessions_ -= 1;
  metrics_.lobby_sessions.Set(static_cast<double>(lobby_sessions_));
}

void Clients::leave_arena(Session& s) {
  Arena* arena = arenas_.find(s.arena);
  if (arena == nullptr || !arena->remove_player(s.id)) return;
  players_ -= 1;
  broadcast(*arena, encoder_.encode(proto::MatchEvent{arena->world().tick, proto::PlayerLeft{s.player_id, s.entity}}),
            s.id);
  s.arena = 0;
  arenas_.close_empty();
}

// ---------------------------------------------------------------------------
// Refusal
// ---------------------------------------------------------------------------
void Clients::reject(Session& s, RejectReason reason, std::string text, Nanos now) {
  metrics_.reject(reason).Increment();
  if (s.state == SessionState::Closing || s.state == SessionState::Orphaned) return;
  if (s.state == SessionState::Active) leave_arena(s);
  leave_lobby(s);
  sessions_.revoke_reconnect_token(s);

  proto::Reject msg{reason, std::move(text)};
  auto bytes = encoder_.encode(msg);
  if (s.player_id == 0) {
    // Never answer an unwelcomed peer with more than it sent us (its
    // address is unproven): shorten the text, or send only the code.
    while (bytes.size() > s.bytes_received && !msg.text.empty()) {
      msg.text.resize(msg.text.size() / 2);
      bytes = encoder_.encode(msg);
    }
  }
  if (s.player_id != 0 || bytes.size() <= s.bytes_received) send_reliable(s, bytes);
  net_.disconnect_later(s.peer, static_cast<std::uint32_t>(reason));
  s.state = SessionState::Closing;
  s.deadline = now + kClosingGrace;
  spdlog::debug("session {}: rejected ({}): {}", s.id, proto::reject_reason_name(reason), msg.text);
}

// ---------------------------------------------------------------------------
// Sending
// ---------------------------------------------------------------------------
void Clients::send_reliable(const Session& s, std::span<const std::uint8_t> bytes) {
  net_.send(s.peer, net::kControlChannel, bytes, net::Delivery::Reliable);
  metrics_.packets_out.Increment();
}

void Clients::broadcast(const Arena& arena, std::span<const std::uint8_t> bytes, SessionId except) {
  for (const ArenaPlayer& p : arena.players()) {
    if (p.session == except) continue;
    const Session* s = sessions_.find(p.session);
    if (s != nullptr && s->state == SessionState::Active) send_reliable(*s, bytes);
  }
}

void Clients::send_to_lobby(SessionId id, const proto::Message& msg) {
  const Session* s = sessions_.find(id);
  if (s != nullptr && s->state == SessionState::Lobby) send_reliable(*s, encoder_.encode(msg));
}

}  // namespace qbot::server
