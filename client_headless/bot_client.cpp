#include "client_headless/bot_client.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "proto/snapshot_codec.h"
#include "proto/version.h"
#include "sim/loadout.h"

namespace qbot::client {

BotClient::BotClient(std::uint32_t index, std::string name, std::uint64_t seed, const sim::Catalog& catalog,
                     const std::vector<sim::Map>& maps, Role role, net::Endpoint server, Nanos handshake_timeout,
                     QueuePlan queue)
    : index_(index),
      name_(std::move(name)),
      role_(role),
      server_(std::move(server)),
      handshake_timeout_(handshake_timeout),
      churn_rng_(seed, 0xc4u),
      behaviour_(seed),
      catalog_(catalog),
      maps_(maps),
      queue_(std::move(queue)) {
  core::Rng rng(seed, 0x10ad007);
  loadout_ = sim::random_loadout(catalog_, rng, name_);
  loadout_.paint = rng.next_u32() & 0xffffffu;
  self_.primary_range = catalog_.weapons[loadout_.primary].range;
  self_.secondary_range = catalog_.weapons[loadout_.secondary].range;
}

void BotClient::use_map(const std::string& name) {
  for (const sim::Map& m : maps_) {
    if (m.name != name || &m == map_) continue;
    map_ = &m;
    self_.map_width = m.width;
    self_.map_height = m.height;
    if (self_.entity != 0 && tick_rate_ != 0) predictor_.emplace(catalog_, m, loadout_, self_.entity, tick_rate_);
  }
}

void BotClient::start(ShardContext& ctx, Nanos now) {
  if (state_ == BotState::Idle) ctx.stats.started += 1;
  // A fresh connection: nothing of the previous one carries over.
  handshake_deadline_ = now + handshake_timeout_;
  next_sequence_ = 1;
  recent_.clear();
  dropped_reported_ = 0;
  acked_ = 0;
  frames_ = InterpolationBuffer();
  predictor_.reset();
  map_ = nullptr;
  last_snapshot_at_ = Nanos{0};
  self_.entity = 0;
  peer_ = {};
  state_ = BotState::Connecting;
  try_connect(ctx, now);
}

/// Connecting starts with the server's connect cookie (docs/PROTOCOL.md,
/// "Connect cookie"): until it is here, on_tick asks again every tick (the
/// host paces the requests and shares one cookie among its bots).
void BotClient::try_connect(ShardContext& ctx, Nanos now) {
  const net::Endpoint& to = match_leg_ ? match_server_ : server_;
  const auto cookie =
      ctx.host.connect_cookie(to, static_cast<std::uint64_t>(
                                      std::chrono::duration_cast<std::chrono::milliseconds>(now).count()));
  if (!cookie) {
    spdlog::warn("bot {}: {}", index_, cookie.error());
    fail(ctx);
    return;
  }
  if (!cookie.value()) return;  // the reply is on its way
  auto peer = ctx.host.connect(to, index_, *cookie.value());
  if (!peer) {
    spdlog::warn("bot {}: {}", index_, peer.error());
    fail(ctx);
    return;
  }
  peer_ = *peer;
}

proto::Loadout BotClient::wire_loadout() const {
  return proto::Loadout{loadout_.name,
                        catalog_.chassis[loadout_.chassis].id,
                        catalog_.weapons[loadout_.primary].id,
                        catalog_.weapons[loadout_.secondary].id,
                        catalog_.modules[loadout_.module].id,
                        loadout_.paint};
}

void BotClient::on_connect(ShardContext& ctx) {
  if (state_ != BotState::Connecting) return;
  proto::Hello hello;
  hello.protocol_version = proto::kProtocolVersion;
  hello.client_build = "qbot-headless";
  if (match_leg_) {
    hello.join_token = join_token_;  // the seat: account, bot and team come with it
  } else if (queue_.enabled) {
    hello.lobby = true;
    hello.account_token = account_token_;
  } else {
    hello.guest_name = name_;
    hello.loadout = wire_loadout();
  }
  ctx.host.send(peer_, net::kControlChannel, ctx.encoder.encode(hello), net::Delivery::Reliable);
  state_ = BotState::AwaitingWelcome;
}

void BotClient::on_packet(ShardContext& ctx, std::uint8_t channel, std::span<const std::uint8_t> bytes, Nanos now) {
  auto decoded = proto::decode(bytes, proto::Sender::Server, channel);
  if (!decoded) {
    ctx.stats.snapshot_errors += 1;
    spdlog::debug("bot {}: undecodable packet: {}", index_, decoded.error().describe());
    return;
  }
  std::visit(
      [&](const auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, proto::Welcome>) {
          if (state_ == BotState::AwaitingWelcome) on_welcome(ctx, m, now);
        } else if constexpr (std::is_same_v<T, proto::Reject>) {
          ctx.stats.rejects[static_cast<std::size_t>(m.reason)] += 1;
          spdlog::debug("bot {}: rejected ({}): {}", index_, proto::reject_reason_name(m.reason), m.text);
        } else if constexpr (std::is_same_v<T, proto::Snapshot>) {
          if (state_ == BotState::Playing) on_snapshot(ctx, m, now);
        } else if constexpr (std::is_same_v<T, proto::MatchEvent>) {
          if (state_ == BotState::Playing) on_match_event(ctx, m);
          if (queue_.enabled && state_ == BotState::Playing && std::holds_alternative<proto::MatchEnded>(m.body)) {
            matches_played_ += 1;
            ctx.stats.matches_played += 1;
            back_to_front_door(ctx, now);
          }
        } else if constexpr (std::is_same_v<T, proto::GarageReply> || std::is_same_v<T, proto::QueueStatus> ||
                             std::is_same_v<T, proto::MatchAssigned>) {
          if (state_ == BotState::InLobby) on_lobby_message(ctx, proto::Message{m}, now);
        }
      },
      decoded.value());
}

void BotClient::on_welcome(ShardContext& ctx, const proto::Welcome& m, Nanos now) {
  // stats.welcomed counts bots, not handshakes: a later Welcome is a churn
  // rejoin (direct join) or the next leg of the matchmaking loop (--queue).
  if (!welcomed_once_) {
    welcomed_once_ = true;
    ctx.stats.welcomed += 1;
  } else if (!queue_.enabled) {
    ctx.stats.rejoins += 1;
  }
  tick_rate_ = m.tick_rate;
  if (queue_.enabled && m.lobby) return enter_lobby(ctx, m, now);
  state_ = BotState::Playing;
  pacer_.start(now, tick_rate_);
  pacer_.set_catch_up(stall_.catch_up);
  if (stall_.length.count() > 0 && stall_from_.count() == 0) {
    stall_from_ = now + stall_.after;
    stall_until_ = stall_from_ + stall_.length;
  }
  self_.entity = m.entity_id;
  self_.team = m.team;
  reconnect_token_ = m.reconnect_token;
  // Show others ~2 snapshots behind the newest (interpolation delay).
  frames_.set_delay(2u * m.snapshot_interval);
  map_ = nullptr;
  use_map(m.map_name);
  ctx.stats.playing += 1;
  if (!queue_.enabled && role_ == Role::Churn) {
    leave_at_ = now + std::chrono::milliseconds(5000 + churn_rng_.below(10000));
  }
}

void BotClient::on_snapshot(ShardContext& ctx, const proto::Snapshot& snap, Nanos now) {
  auto baseline_tick = proto::snapshot_baseline(snap.data, snap.server_tick);
  if (!baseline_tick) {
    ctx.stats.snapshot_errors += 1;
    return;
  }
  const proto::Frame* base = nullptr;
  if (baseline_tick.value() != 0) {
    base = frames_.find(baseline_tick.value());
    if (base == nullptr) {
      // We lost the baseline: keep acking what we have; the server falls
      // back to a full snapshot once our ack is too old.
      ctx.stats.baseline_missing += 1;
      return;
    }
  }
  auto frame = proto::decode_snapshot(base, snap.data, snap.server_tick, tick_rate_);
  if (!frame) {
    ctx.stats.snapshot_errors += 1;
    spdlog::debug("bot {}: bad snapshot: {}", index_, frame.error().describe());
    return;
  }
  ctx.stats.snapshots += 1;
  if (snap.server_tick <= acked_) return;  // late or duplicate: we ack only the newest, so it is no baseline
  {
    std::lock_guard lock(ctx.stats.mu);
    if (last_snapshot_at_.count() != 0) {
      ctx.stats.snapshot_gap_ms.record(static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::milliseconds>(now - last_snapshot_at_).count()));
    }
    if (predictor_) {
      for (const auto& e : frame.value().entities) {
        if (e.id != self_.entity) continue;
        if (auto err = predictor_->reconcile(e, frame.value().last_input, snap.server_tick)) {
          ctx.stats.prediction_error_mm.record(static_cast<std::uint64_t>(*err * 1000.0f));
        }
      }
    }
    on_queue_feedback(ctx, snap);
    spdlog::trace("bot {}: tick {} input_queue {} dropped {} stretch {:.4f} last_input {} sent {}", index_,
                  snap.server_tick, snap.input_queue, snap.inputs_dropped, pacer_.stretch(), frame.value().last_input,
                  next_sequence_ - 1);
  }
  last_snapshot_at_ = now;
  acked_ = snap.server_tick;
  frames_.put(std::move(frame.value()));
}

void BotClient::on_match_event(ShardContext& ctx, const proto::MatchEvent& event) {
  if (const auto* phase = std::get_if<proto::PhaseChanged>(&event.body)) {
    use_map(phase->map_name);
  } else if (const auto* kill = std::get_if<proto::Kill>(&event.body)) {
    if (kill->killer == self_.entity) ctx.stats.kills += 1;
  } else if (const auto* end = std::get_if<proto::MatchEnded>(&event.body)) {
    // Reliable delivery: a result must arrive exactly once.
    if (std::find(matches_seen_.begin(), matches_seen_.end(), end->match_id) != matches_seen_.end()) {
      ctx.stats.match_results_duplicated += 1;
      return;
    }
    matches_seen_.push_back(end->match_id);
    ctx.stats.matches_ended += 1;
  }
}

void BotClient::on_disconnect(ShardContext& ctx, std::uint32_t reason) {
  if (queue_.enabled && state_ == BotState::Playing) {
    // The match server let us go before MatchEnded (it shut down, or the
    // match was abandoned): queue again.
    ctx.stats.disconnects += 1;
    ctx.stats.playing -= 1;
    spdlog::debug("bot {}: match server disconnected (reason {})", index_, reason);
    match_leg_ = false;
    state_ = BotState::Away;  // on_tick reconnects to the front door at once
    leave_at_ = Nanos{0};
    return;
  }
  if (state_ == BotState::Playing) {
    ctx.stats.playing -= 1;
    ctx.stats.disconnects += 1;
    spdlog::debug("bot {}: disconnected (reason {})", index_, reason);
    state_ = BotState::Gone;
  } else if (queue_.enabled && state_ == BotState::InLobby) {
    move_to_next_front_door(ctx, reason);
  } else if (state_ == BotState::Connecting || state_ == BotState::AwaitingWelcome || state_ == BotState::InLobby) {
    fail(ctx);
  }
}

/// The front door let us go while we waited in its lobby (it died, drained
/// or restarted), or did not answer our handshake: queue through the next
/// one of --server's list (the same one if it is the only one) from the next
/// tick. When every front door in a row failed to answer, the bot fails.
void BotClient::move_to_next_front_door(ShardContext& ctx, std::uint32_t reason) {
  ctx.stats.front_door_losses += 1;
  const auto& doors = queue_.front_doors;
  const auto here = std::find(doors.begin(), doors.end(), server_);
  if (here != doors.end()) server_ = std::next(here) == doors.end() ? doors.front() : *std::next(here);
  spdlog::debug("bot {}: front door dropped us in the lobby (reason {}): queueing through {}", index_, reason,
                server_.to_string());
  peer_ = {};
  state_ = BotState::Away;
  leave_at_ = Nanos{0};
}

void BotClient::fail(ShardContext& ctx) {
  if (state_ == BotState::Failed) return;
  state_ = BotState::Failed;
  ctx.stats.failed += 1;
  if (peer_) ctx.host.disconnect_now(peer_, 0);
}

void BotClient::leave_for_a_while(ShardContext& ctx, Nanos now) {
  stop(ctx);
  state_ = BotState::Away;
  leave_at_ = now + std::chrono::milliseconds(1000 + churn_rng_.below(2000));
}

void BotClient::on_tick(ShardContext& ctx, Nanos now, std::uint32_t tick_rate) {
  if (state_ == BotState::Away) {
    if (now >= leave_at_) start(ctx, now);
    return;
  }
  if (state_ == BotState::InLobby) {
    if (requeue_at_.count() == 0 || now < requeue_at_) return;
    if (check_garage_) check_garage(ctx);
    else send_queue_request(ctx, now);
    return;
  }
  if (state_ == BotState::Playing && role_ == Role::Churn && now >= leave_at_) {
    leave_for_a_while(ctx, now);
    return;
  }
  if (state_ == BotState::Connecting || state_ == BotState::AwaitingWelcome) {
    if (now >= handshake_deadline_) {
      spdlog::debug("bot {}: handshake timed out", index_);
      // A front door that does not answer: the next one, until each was tried once.
      const bool another_door = queue_.enabled && !match_leg_ && doors_tried_ + 1 < queue_.front_doors.size();
      if (!another_door) return fail(ctx);
      doors_tried_ += 1;
      if (peer_) ctx.host.disconnect_now(peer_, 0);
      move_to_next_front_door(ctx, 0);
    } else if (state_ == BotState::Connecting && !peer_) {
      try_connect(ctx, now);
    }
    return;
  }
  if (state_ != BotState::Playing) return;
  send_due_inputs(ctx, now, tick_rate);
}

void BotClient::send_due_inputs(ShardContext& ctx, Nanos now, std::uint32_t tick_rate) {
  if (now >= stall_from_ && now < stall_until_) return;  // the planned stall: nothing leaves
  if (stall_until_.count() != 0 && now >= stall_until_) {
    ctx.stats.input_stalls += 1;
    stall_until_ = Nanos{0};
    stall_from_ = Nanos::max();  // once only
  }
  const std::uint32_t due = pacer_.due(now);
  for (std::uint32_t i = 0; i < due; ++i) send_input(ctx, tick_rate);
}

void BotClient::send_input(ShardContext& ctx, std::uint32_t tick_rate) {
  // Idle bots are connected spectators in a bot's body: inputs, no intent.
  sim::Command cmd = role_ == Role::Idle ? sim::Command{} : behaviour_.next(frames_.view(), self_, tick_rate);
  cmd.sequence = next_sequence_++;
  cmd.view_tick = frames_.view_tick();
  if (predictor_) predictor_->apply(cmd);
  recent_.push_back(cmd);
  while (recent_.size() > kRedundancy) recent_.pop_front();

  proto::Input input;
  input.ack_snapshot = acked_;
  input.count = static_cast<std::uint8_t>(recent_.size());
  std::copy(recent_.begin(), recent_.end(), input.commands.begin());
  if (ctx.host.send(peer_, net::kGameChannel, ctx.encoder.encode(input), net::Delivery::Unreliable)) {
    ctx.stats.inputs_sent += 1;
  }
}

void BotClient::on_queue_feedback(ShardContext& ctx, const proto::Snapshot& snap) {
  pacer_.on_feedback(snap.input_queue);
  ctx.stats.input_queue.record(snap.input_queue);  // the caller holds ctx.stats.mu
  // A cumulative count: only its growth is news (a smaller one is a
  // reordered or hostile packet: ignored, never a negative count).
  if (snap.inputs_dropped > dropped_reported_) {
    ctx.stats.inputs_dropped += snap.inputs_dropped - dropped_reported_;
    dropped_reported_ = snap.inputs_dropped;
  }
}

void BotClient::stop(ShardContext& ctx) {
  if (state_ == BotState::Done) return;  // already left
  if (peer_ && state_ != BotState::Failed) ctx.host.disconnect_later(peer_, proto::kDisconnectQuit);
  if (state_ == BotState::Playing) ctx.stats.playing -= 1;
  state_ = BotState::Gone;
}

}  // namespace qbot::client
