#pragma once
// Bot movement: the part of the simulation a client also runs to predict its
// own bot, so it takes only what a client has (catalog, map, rules, its bot).
#include "sim/command.h"
#include "sim/world.h"

namespace qbot::sim {

constexpr float kPi = 3.14159265358979f;
constexpr float kTwoPi = 6.28318530717959f;

/// Angle difference b - a wrapped to (-pi, pi].
float angle_delta(float a, float b);

/// One tick of movement for a live bot at tick `now`: aim turns toward the
/// command at most at the chassis turn rate, velocity accelerates toward the
/// stick (or follows an active dash) capped at the chassis speed (halved when
/// stunned), then walls and the map bounds push the bot out. A command can
/// ask for anything; the chassis decides what happens.
void move_bot(const World& world, core::Tick now, Bot& bot, const Command& cmd);

/// Pushes overlapping live bots apart, heavier bots moving less. Uses
/// world.grid, which must be built from the current positions.
void separate_bots(World& world);

/// Rebuilds world.grid from the live bots' current positions.
void rebuild_grid(World& world);

/// Largest chassis radius in the catalog (broad-phase margins).
float max_bot_radius(const Catalog& catalog);

}  // namespace qbot::sim
