#pragma once
// Client-side prediction of the player's own bot with the shared simulation
// (sim::move_bot), and reconciliation against the server (PROTOCOL.md,
// "Client recipe"): every command moves the local copy at once; when a
// snapshot says which command the server applied last, the local copy is
// reset to the server's state and the newer commands are replayed. The gap
// between what was predicted for that command and what the server computed
// is the prediction error.
#include <cstdint>
#include <deque>
#include <optional>

#include "proto/entity_state.h"
#include "sim/catalog.h"
#include "sim/command.h"
#include "sim/map.h"
#include "sim/world.h"

namespace qbot::client {

class Predictor {
 public:
  /// `catalog` and `map` must outlive the predictor.
  Predictor(const sim::Catalog& catalog, const sim::Map& map, const sim::Loadout& loadout, std::uint16_t entity,
            std::uint32_t tick_rate);

  /// The player issued `cmd` (cmd.sequence set): predict its effect now.
  void apply(const sim::Command& cmd);

  /// The server's state of our bot after it applied command `last_input`.
  /// Returns the prediction error in metres for that command (nullopt when
  /// there is nothing to compare: no new command acknowledged, or the bot
  /// is dead), then rebases onto the server state and replays newer commands.
  std::optional<float> reconcile(const proto::EntityState& server, std::uint32_t last_input, core::Tick server_tick);

  sim::Vec2 position() const;
  bool ready() const { return synced_; }

 private:
  struct Pending {
    sim::Command cmd;
    sim::Vec2 predicted;  // position after applying cmd
  };
  void step_local(const sim::Command& cmd);

  sim::World world_;
  std::uint16_t entity_;
  std::deque<Pending> pending_;  // commands the server has not acknowledged
  std::uint32_t acked_ = 0;
  core::Tick tick_ = 0;  // local estimate of the tick the next command runs on
  bool synced_ = false;  // seen at least one server state
};

}  // namespace qbot::client
