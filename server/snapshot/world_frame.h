#pragma once
#include "proto/entity_state.h"
#include "sim/world.h"

namespace qbot::server {

/// Quantizes the whole world into a frame (entities sorted by id). Built
/// once per arena per tick and shared by every client of the arena.
proto::Frame frame_from_world(const sim::World& world);

}  // namespace qbot::server
