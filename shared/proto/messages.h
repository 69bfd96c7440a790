#pragma once
// Plain C++ forms of every wire message (schemas/messages.fbs). Only
// proto/*.cpp touches FlatBuffers-generated accessors; the rest of the code
// base works with these structs.
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/tick.h"
#include "proto/limits.h"
#include "sim/command.h"
#include "sim/loadout.h"

namespace qbot::proto {

/// Mirrors wire::RejectReason (checked at compile time in messages.cpp).
enum class RejectReason : std::uint8_t {
  Unknown = 0,
  ProtocolMismatch = 1,
  ServerFull = 2,
  BadMessage = 3,
  HelloTimeout = 4,
  NotWelcomed = 5,
  InvalidName = 6,
  InvalidToken = 7,
  TokenExpired = 8,
  TokenReplayed = 9,
  WrongMatch = 10,
  InvalidLoadout = 11,
  RateLimited = 12,
  ShuttingDown = 13,
  Kicked = 14,
  DuplicateHello = 15,
  WrongServer = 16,
  MatchOver = 17,
};
constexpr std::size_t kRejectReasonCount = 18;
/// Stable lower_snake_case name (metric labels, logs, reports).
std::string_view reject_reason_name(RejectReason r);

/// ENet disconnect data a client sends when it leaves for good: the server
/// frees its slot at once. Any other disconnect (or a timeout) counts as a
/// drop: the bot is kept for the reconnect grace period.
constexpr std::uint32_t kDisconnectQuit = 1;

/// Wire loadout: catalog ids as strings, exactly what sim::resolve_loadout takes.
using Loadout = sim::LoadoutRequest;

enum class GameMode : std::uint8_t { FreeForAll = 0, TeamDeathmatch = 1 };
enum class MatchPhase : std::uint8_t { Waiting = 0, Countdown = 1, Battle = 2, Results = 3 };
enum class EndReason : std::uint8_t { TimeLimit = 0, ScoreLimit = 1, NotEnoughPlayers = 2 };
std::string_view game_mode_name(GameMode m);
/// The short names flags, queue keys and store records use: "ffa", "tdm".
std::string_view game_mode_code(GameMode m);
/// The one parser of those names: nullopt for anything but "ffa" and "tdm".
std::optional<GameMode> parse_game_mode(std::string_view code);
std::string_view match_phase_name(MatchPhase p);

struct Hello {
  std::uint16_t protocol_version = 0;
  std::vector<std::uint8_t> join_token;
  std::string guest_name;
  std::string client_build;
  std::optional<Loadout> loadout;
  std::vector<std::uint8_t> reconnect_token;
  bool lobby = false;
  std::vector<std::uint8_t> account_token;
};

struct Welcome {
  std::uint16_t protocol_version = 0;
  std::uint32_t player_id = 0;
  std::uint32_t arena_id = 0;
  std::uint16_t entity_id = 0;
  std::uint16_t tick_rate = 0;
  std::uint8_t snapshot_interval = 1;
  core::Tick server_tick = 0;
  std::string map_name;
  std::string server_id;
  GameMode mode = GameMode::FreeForAll;
  std::uint8_t team = 0;
  std::uint32_t catalog_version = 0;
  std::vector<std::uint8_t> reconnect_token;
  bool reconnected = false;
  std::uint64_t account_id = 0;
  std::vector<std::uint8_t> account_token;
  bool lobby = false;
  std::uint64_t match_id = 0;
  std::uint64_t map_hash = 0;  // identity of map_name's content (sim::Map::identity); 0 in the lobby
};

struct Reject {
  RejectReason reason = RejectReason::Unknown;
  std::string text;
};

struct Input {
  core::Tick ack_snapshot = 0;
  std::uint8_t count = 0;  // valid entries in commands, oldest first
  std::array<sim::Command, kMaxInputCommands> commands{};

  std::span<const sim::Command> view() const { return {commands.data(), count}; }
};

/// Snapshot as received: `data` (see proto/snapshot_codec.h) points INTO
/// the packet buffer that was decoded, so it is valid only while that is.
struct Snapshot {
  core::Tick server_tick = 0;
  std::span<const std::uint8_t> data;
  std::uint8_t input_queue = 0;      // the client's commands still buffered after server_tick
  std::uint32_t inputs_dropped = 0;  // commands the server will never apply (per connection, cumulative)
};

struct PlayerJoined {
  std::uint32_t player_id = 0;
  std::uint16_t entity_id = 0;
  std::string name;
  std::uint8_t team = 0;
  Loadout loadout;
};
struct PlayerLeft {
  std::uint32_t player_id = 0;
  std::uint16_t entity_id = 0;
};
struct PhaseChanged {
  MatchPhase phase = MatchPhase::Waiting;
  core::Tick ends_tick = 0;
  std::uint64_t match_id = 0;
  std::string map_name;
  std::uint64_t map_hash = 0;  // identity of that map's content (sim::Map::identity)
};
struct Kill {
  std::uint16_t killer = 0;
  std::uint16_t victim = 0;
  std::string weapon;
};
struct PlayerResult {
  std::uint32_t player_id = 0;
  std::uint16_t entity_id = 0;
  std::string name;
  std::uint8_t team = 0;
  std::uint32_t kills = 0;
  std::uint32_t deaths = 0;
  std::uint32_t damage = 0;
  std::int32_t score = 0;
  std::uint8_t placement = 0;
  std::uint64_t account_id = 0;

  friend bool operator==(const PlayerResult&, const PlayerResult&) = default;
};
struct MatchEnded {
  std::uint64_t match_id = 0;
  EndReason reason = EndReason::TimeLimit;
  std::uint8_t winner_team = 0;
  std::vector<PlayerResult> results;
};
struct MatchEvent {
  core::Tick tick = 0;
  std::variant<PlayerJoined, PlayerLeft, PhaseChanged, Kill, MatchEnded> body;
};

// ---- Lobby: garage and matchmaking (schemas/messages.fbs) ----

enum class GarageOp : std::uint8_t { List = 0, Create = 1, Update = 2, Delete = 3 };
enum class GarageStatus : std::uint8_t {
  Ok = 0,
  NotFound = 1,
  GarageFull = 2,
  InvalidLoadout = 3,
  Unavailable = 4,
  Busy = 5
};
enum class QueueState : std::uint8_t { Waiting = 0, Assigned = 1, Cancelled = 2, Refused = 3, Expired = 4 };

struct GarageRequest {
  std::uint32_t request_id = 0;
  GarageOp op = GarageOp::List;
  std::uint32_t bot_id = 0;
  std::optional<Loadout> loadout;
};

struct GarageBot {
  std::uint32_t bot_id = 0;
  Loadout loadout;
  std::uint32_t matches = 0;
  std::uint32_t wins = 0;
  std::uint32_t kills = 0;
  std::uint32_t deaths = 0;
  friend bool operator==(const GarageBot&, const GarageBot&) = default;
};

struct GarageReply {
  std::uint32_t request_id = 0;
  GarageStatus status = GarageStatus::Ok;
  std::string text;
  std::vector<GarageBot> bots;
  double rating = 0.0;
  double rating_deviation = 0.0;
  std::uint32_t rated_matches = 0;
  std::uint32_t bot = 0;
};

struct QueueRequest {
  GameMode mode = GameMode::FreeForAll;
  std::string region;
  std::uint32_t bot_id = 0;
  std::string party;
  std::uint8_t party_size = 1;
};

struct CancelQueue {
  std::uint32_t request_id = 0;
};

struct QueueStatus {
  QueueState state = QueueState::Waiting;
  std::uint32_t position = 0;
  std::uint32_t queue_length = 0;
  std::uint32_t waited_ms = 0;
  std::uint32_t estimated_wait_ms = 0;
  std::string text;
};

struct MatchAssigned {
  std::string host;
  std::uint16_t port = 0;
  std::uint64_t match_id = 0;
  std::vector<std::uint8_t> join_token;
  GameMode mode = GameMode::FreeForAll;
  std::uint8_t team = 0;
};

std::string_view garage_status_name(GarageStatus s);
std::string_view queue_state_name(QueueState s);

using Message = std::variant<Hello, Welcome, Reject, Input, Snapshot, MatchEvent, GarageRequest, GarageReply,
                             QueueRequest, CancelQueue, QueueStatus, MatchAssigned>;

/// Name of the message type held (logs, metric labels).
std::string_view message_name(const Message& m);

}  // namespace qbot::proto
