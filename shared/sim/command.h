#pragma once
// What one player asks its bot to do for one tick. Commands are intents:
// the simulation clamps every value to what the bot's parts allow.
#include <cstdint>

#include "core/tick.h"

namespace qbot::sim {

enum Button : std::uint8_t {
  kFirePrimary = 1u << 0,
  kFireSecondary = 1u << 1,
  kUseModule = 1u << 2,
};
constexpr std::uint8_t kValidButtons = kFirePrimary | kFireSecondary | kUseModule;

struct Command {
  std::uint32_t sequence = 0;  // client command number (echoed for reconciliation)
  core::Tick view_tick = 0;    // tick the player was seeing (lag compensation)
  std::uint16_t aim = 0;       // 65536 = full turn
  std::int8_t move_x = 0;      // -127..127
  std::int8_t move_y = 0;      // -127..127
  std::uint8_t buttons = 0;

  friend bool operator==(const Command&, const Command&) = default;
};

/// Aim in radians from the 16-bit wire angle.
inline float aim_radians(std::uint16_t aim) { return static_cast<float>(aim) * (6.28318530718f / 65536.0f); }

}  // namespace qbot::sim
