#pragma once
// Decoded messages and snapshot frames as JSON: the "expected" part of a
// conformance vector, and what the checker compares a decode against.
#include <nlohmann/json.hpp>

#include "proto/entity_state.h"
#include "proto/messages.h"

namespace qbot::conformance {

nlohmann::ordered_json message_json(const proto::Message& m);
nlohmann::ordered_json frame_json(const proto::Frame& f);

}  // namespace qbot::conformance
