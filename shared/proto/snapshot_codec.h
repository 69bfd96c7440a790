#pragma once
// Bit-packed entity stream of Snapshot.entities (PROTOCOL.md §5).
// A full snapshot is a delta against the empty frame, so one codec serves
// both. The decoder checks every id, count and field range: a hostile
// stream yields a DecodeError naming the field, never a bad frame.
#include <cstdint>
#include <span>
#include <vector>

#include "core/result.h"
#include "proto/codec.h"
#include "proto/entity_state.h"

namespace qbot::proto {

/// Appends to `out` the delta that turns `baseline` into `current`.
/// Both frames must be sorted by id with unique ids.
void encode_entities(const Frame& baseline, const Frame& current, std::vector<std::uint8_t>& out);

/// Applies the stream to `baseline`; the result carries `tick`.
core::Result<Frame, DecodeError> decode_entities(const Frame& baseline, std::span<const std::uint8_t> bytes,
                                                 core::Tick tick);

}  // namespace qbot::proto
