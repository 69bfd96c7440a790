#pragma once
// One headless bot's side of the protocol: connect, Hello, Welcome, then one
// Input per tick (with redundancy and the snapshot ack) and snapshot
// decoding against its own ring of received frames. Owns no socket: the
// shard that hosts it passes its NetHost in.
#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "client_headless/behaviour.h"
#include "client_headless/fleet.h"
#include "client_headless/fleet_stats.h"
#include "client_headless/input_pacer.h"
#include "client_headless/interpolation.h"
#include "client_headless/prediction.h"
#include "core/ring.h"
#include "net/net_host.h"
#include "proto/codec.h"
#include "proto/entity_state.h"
#include "sim/catalog.h"
#include "sim/map.h"

namespace qbot::client {

// Direct join: Idle -> Connecting (cookie, then ENet connect) -> AwaitingWelcome -> Playing.
// --queue: the same handshake to the front door ends InLobby (garage, then
// queue); MatchAssigned starts the handshake again to the match's server,
// which ends Playing; MatchEnded goes back to the front door, until Done.
enum class BotState : std::uint8_t { Idle, Connecting, AwaitingWelcome, InLobby, Playing, Away, Failed, Gone, Done };

struct ShardContext {
  net::NetHost& host;
  proto::Encoder& encoder;
  ShardStats& stats;
};

class BotClient {
 public:
  using Nanos = std::chrono::nanoseconds;
  static constexpr std::size_t kRedundancy = 4;  // commands per Input packet

  /// The bot plays a random valid loadout from `catalog`; `maps` tell it
  /// the size of the arena it lands in. Both must outlive the bot.
  BotClient(std::uint32_t index, std::string name, std::uint64_t seed, const sim::Catalog& catalog,
            const std::vector<sim::Map>& maps, Role role, net::Endpoint server, Nanos handshake_timeout,
            QueuePlan queue = {});

  /// Starts connecting; the handshake timeout bounds connect + Hello + Welcome.
  void start(ShardContext& ctx, Nanos now);
  void on_connect(ShardContext& ctx);
  void on_packet(ShardContext& ctx, std::uint8_t channel, std::span<const std::uint8_t> bytes, Nanos now);
  void on_disconnect(ShardContext& ctx, std::uint32_t reason);
  /// Once per client tick: sends this tick's Input; fails a stuck handshake.
  void on_tick(ShardContext& ctx, Nanos now, std::uint32_t tick_rate);
  /// Once, after the first Welcome: no inputs for a while (tests of pacing).
  void set_stall(const StallPlan& stall) { stall_ = stall; }
  /// Polite disconnect at the end of a run.
  void stop(ShardContext& ctx);

  BotState state() const { return state_; }
  net::PeerRef peer() const { return peer_; }
  std::uint32_t index() const { return index_; }
  std::uint16_t server_tick_rate() const { return tick_rate_; }

 private:
  void try_connect(ShardContext& ctx, Nanos now);
  void fail(ShardContext& ctx);
  void move_to_next_front_door(ShardContext& ctx, std::uint32_t reason);
  void on_snapshot(ShardContext& ctx, const proto::Snapshot& snap, Nanos now);
  void on_match_event(ShardContext& ctx, const proto::MatchEvent& event);
  /// Churn: leave for good now, come back a little later as a new connection.
  void leave_for_a_while(ShardContext& ctx, Nanos now);
  void use_map(const std::string& name);
  /// The one Welcome handler: a match server's (direct join, or a --queue
  /// match leg) starts Playing; a front door's (--queue) enters the lobby.
  void on_welcome(ShardContext& ctx, const proto::Welcome& m, Nanos now);
  // --queue (matchmaking) legs.
  void enter_lobby(ShardContext& ctx, const proto::Welcome& m, Nanos now);
  void send_queue_request(ShardContext& ctx, Nanos now);
  void on_lobby_message(ShardContext& ctx, const proto::Message& m, Nanos now);
  void create_bot(ShardContext& ctx);
  /// After a refusal: is our garage bot still there? (answered in on_garage_check)
  void check_garage(ShardContext& ctx);
  void on_garage_check(ShardContext& ctx, const proto::GarageReply& g, Nanos now);
  void go_to_match(ShardContext& ctx, const proto::MatchAssigned& a, Nanos now);
  void back_to_front_door(ShardContext& ctx, Nanos now);
  proto::Loadout wire_loadout() const;
  /// Playing: the commands the pacer says are due, each sent in its own Input.
  void send_due_inputs(ShardContext& ctx, Nanos now, std::uint32_t tick_rate);
  void send_input(ShardContext& ctx, std::uint32_t tick_rate);
  /// Pacing feedback of one in-order Snapshot.
  void on_queue_feedback(ShardContext& ctx, const proto::Snapshot& snap);

  std::uint32_t index_;
  std::string name_;
  Role role_;
  net::Endpoint server_;
  Nanos handshake_timeout_;
  core::Rng churn_rng_;
  Nanos leave_at_{0};           // churn: when to leave (while Playing) or rejoin (while Away)
  bool welcomed_once_ = false;  // stats.welcomed counts bots, not handshakes; later Welcomes are rejoins or legs
  Fighter behaviour_;
  const sim::Catalog& catalog_;
  const std::vector<sim::Map>& maps_;
  sim::Loadout loadout_;
  SelfInfo self_;
  BotState state_ = BotState::Idle;
  net::PeerRef peer_;
  Nanos handshake_deadline_{0};

  std::uint16_t tick_rate_ = 0;
  std::uint32_t next_sequence_ = 1;
  std::deque<sim::Command> recent_;  // newest kRedundancy commands
  InputPacer pacer_;
  std::uint32_t doors_tried_ = 0;       // --queue: front doors in a row that did not answer
  std::uint32_t dropped_reported_ = 0;  // Snapshot.inputs_dropped last seen on this connection
  StallPlan stall_;
  Nanos stall_from_{0}, stall_until_{0};  // the planned stall; 0 = none (yet)
  core::Tick acked_ = 0;                  // newest snapshot decoded
  InterpolationBuffer frames_;            // decoded frames by server tick (baselines + view)
  const sim::Map* map_ = nullptr;         // the arena's current map, if we know it
  std::optional<Predictor> predictor_;
  Nanos last_snapshot_at_{0};
  std::vector<std::uint8_t> reconnect_token_;
  std::vector<std::uint64_t> matches_seen_;  // MatchEnded ids: each must arrive once

  // --queue
  QueuePlan queue_;
  bool match_leg_ = false;                   // connected (or connecting) to a match server
  std::vector<std::uint8_t> account_token_;  // from the lobby's Welcome: the same account every time
  std::uint32_t bot_id_ = 0;                 // our garage bot, once created
  net::Endpoint match_server_;
  std::vector<std::uint8_t> join_token_;
  Nanos queued_at_{0};
  bool estimate_seen_ = false;  // the first Waiting status of this queueing was recorded
  Nanos requeue_at_{0};         // InLobby: when to (re)send the QueueRequest; 0 = not due
  bool check_garage_ = false;   // at requeue_at_: list the garage first (our bot may be gone)
  std::uint32_t matches_played_ = 0;
};

}  // namespace qbot::client
