#pragma once
// Snapshot.data: the bit-packed body of every snapshot (PROTOCOL.md section 5).
// A header (baseline tick, last applied input) and one record per entity
// that changed against the client's baseline, Quake III style, with dead
// reckoning: an entity that is not sent moves on with its baseline velocity
// on the client, so steady movement costs nothing. The encoder also returns
// the exact frame the client will hold after decoding, which the server
// keeps as this client's next baseline: both ends always agree bit for bit.
// The decoder checks every id, count and field range: a hostile stream
// yields a DecodeError naming the field, never a bad frame.
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "proto/codec.h"
#include "proto/entity_state.h"

namespace qbot::proto {

struct EncodeLimits {
  /// Leave out a moving entity while the client's extrapolation stays within
  /// this many position quanta (1/32 m) and aim steps of the truth.
  std::int32_t position_tolerance = 0;
  std::int32_t aim_tolerance = 0;
  /// Velocity slack (1/32 m/s): a small velocity change only matters once
  /// it has moved the entity beyond position_tolerance.
  std::int32_t velocity_tolerance = 0;
  /// Never approximated, always first: the viewer's own bot (prediction
  /// reconciles against it).
  std::uint16_t exact_entity = 0;
  /// Byte budget for the data (0 = none). Records that do not fit are left
  /// out, lowest priority first; removals always fit.
  std::size_t max_bytes = 0;
  /// Entity ids, most important first (e.g. by distance). Unlisted entities
  /// rank after all listed ones, by id.
  std::span<const std::uint16_t> priority;
};

/// Writes Snapshot.data for `current` (tick, last_input, entities sorted by
/// id) against `baseline` (nullptr = full snapshot) and sets `client_view`
/// to the frame the client holds after decoding it. `client_view` must not
/// be `baseline` or `current`.
void encode_snapshot(const Frame* baseline, const Frame& current, std::uint32_t tick_rate, const EncodeLimits& limits,
                     std::vector<std::uint8_t>& out, Frame& client_view);

/// The baseline tick `data` was encoded against (0 = full snapshot).
core::Result<core::Tick, DecodeError> snapshot_baseline(std::span<const std::uint8_t> data, core::Tick server_tick);

/// Decodes Snapshot.data. `baseline` must be the client's frame for
/// snapshot_baseline() (nullptr when that is 0).
core::Result<Frame, DecodeError> decode_snapshot(const Frame* baseline, std::span<const std::uint8_t> data,
                                                 core::Tick server_tick, std::uint32_t tick_rate);

}  // namespace qbot::proto
