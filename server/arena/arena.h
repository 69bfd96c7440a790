#pragma once
// One arena: its players and the matches they play, one after another:
// Waiting (too few players, free roam) -> Countdown -> Battle (until the time
// or score limit) -> Results -> a fresh arena on the next map. Owns nothing
// network-related: the Server feeds it commands and reads its frame and its
// match events. A battle can be recorded as a replay Recording.
#include <algorithm>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/rng.h"
#include "proto/entity_state.h"
#include "proto/messages.h"
#include "replay/recording.h"
#include "server/arena/match_settings.h"
#include "sim/step.h"
#include "sim/world.h"

namespace qbot::server {

struct ArenaPlayer {
  SessionId session = 0;
  std::uint32_t player_id = 0;
  sim::EntityId entity = 0;
  std::string name;
  std::uint8_t team = 0;
  sim::Loadout loadout;
  std::uint64_t account = 0;  // matchmade: the player's account (0 = a direct-join guest)
  std::uint32_t bot_id = 0;   // matchmade: the garage bot played (0 = none)
};

/// Who takes a seat beyond the loadout: matchmade players bring their
/// account, garage bot and the team the matchmaker balanced them into.
struct Seat {
  std::uint64_t account = 0;
  std::uint32_t bot_id = 0;
  std::optional<std::uint8_t> team;  // nullopt = the arena balances teams
};

class Arena {
 public:
  Arena(ArenaId id, const ArenaContent& content, const MatchSettings& settings, std::uint64_t seed,
        std::size_t capacity, std::string server_id);

  ArenaId id() const { return id_; }
  std::size_t capacity() const { return capacity_; }
  bool full() const { return players_.size() >= capacity_; }
  bool empty() const { return players_.empty(); }

  /// Places a player's bot (team chosen to balance teams); nullopt when full.
  std::optional<sim::EntityId> add_player(SessionId session, std::uint32_t player_id, const sim::Loadout& loadout,
                                          const Seat& seat = {});
  /// Removes the player and its bot; false if it was not here.
  bool remove_player(SessionId session);
  const ArenaPlayer* find_player(SessionId session) const;
  /// Hands a player's slot (and bot) to a new session: reconnection.
  bool rebind_player(SessionId from, SessionId to);
  const std::vector<ArenaPlayer>& players() const { return players_; }

  struct TickOutput {
    std::vector<proto::MatchEvent> events;             // for every player, reliable
    std::optional<replay::Recording> finished_battle;  // when a recorded battle ended
  };
  /// Runs one simulation tick, refreshes frame(), advances the match.
  void step(std::span<const sim::BotCommand> commands, TickOutput& out);

  proto::PhaseChanged phase_event() const;
  proto::MatchPhase phase() const { return phase_; }
  std::uint64_t match_id() const { return match_id_; }
  std::uint32_t matches_finished() const { return matches_finished_; }
  proto::GameMode mode() const { return settings_.mode; }
  /// Matchmade arenas: true once the one battle's results have been shown.
  bool finished() const { return finished_; }
  bool matchmade() const { return settings_.matchmade_id != 0; }
  std::uint64_t matchmade_id() const { return settings_.matchmade_id; }
  /// Matchmade arenas: start with fewer players than were assigned (the
  /// others did not come in time).
  void lower_min_players(std::uint32_t n) { settings_.min_players = std::min(settings_.min_players, n); }
  std::uint32_t min_players() const { return settings_.min_players; }

  const sim::World& world() const { return world_; }
  const proto::Frame& frame() const { return frame_; }
  const sim::Map& map() const { return *world_.map; }
  const sim::Catalog& catalog() const { return *content_.catalog; }

 private:
  sim::World fresh_world(bool combat, std::uint64_t seed) const;
  void enter(proto::MatchPhase phase, core::Tick ends, TickOutput& out);
  void start_battle(TickOutput& out);
  void end_battle(proto::EndReason reason, TickOutput& out);
  void reset_arena(TickOutput& out);
  std::optional<proto::EndReason> battle_over() const;
  std::uint8_t pick_team() const;
  void record_join(const ArenaPlayer& p);
  core::Tick ticks(std::uint32_t seconds) const { return seconds * settings_.rules.tick_rate; }

  ArenaId id_;
  const ArenaContent& content_;
  MatchSettings settings_;
  std::size_t capacity_;
  std::string server_id_;
  core::Rng rng_;              // seeds of successive matches
  std::size_t map_index_ = 0;  // rotation position
  sim::World world_;
  std::vector<ArenaPlayer> players_;
  proto::Frame frame_;

  proto::MatchPhase phase_ = proto::MatchPhase::Waiting;
  core::Tick phase_ends_ = 0;
  std::uint64_t match_id_ = 0;
  std::uint32_t matches_finished_ = 0;
  bool finished_ = false;
  std::optional<replay::Recording> recording_;
};

}  // namespace qbot::server
