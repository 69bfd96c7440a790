#pragma once
// Conformance vectors: binary packets produced by our reference encoder,
// each with a JSON description of what decoding it must give. The generator
// (qbot-conformance-gen) writes them to tests/conformance/; the tests decode
// every vector with our decoder, and rebuild them to check the files have
// not drifted from the encoder. A client in any language runs the same files
// (docs/PROTOCOL.md, "Conformance vectors").
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace qbot::conformance {

using Json = nlohmann::ordered_json;

struct Vector {
  std::string name;                 // file stem: <name>.bin, <name>.json
  std::vector<std::uint8_t> bytes;  // the .bin file
  Json description;                 // the .json file
};

/// Every vector, built from scratch by the reference encoder (deterministic).
std::vector<Vector> build_vectors();

/// The .json file's exact text.
std::string description_text(const Json& description);

/// Decodes `bytes` as `description` says and compares with its expected
/// output. Returns "" when everything matches, else what differed first.
std::string check_vector(const Json& description, std::span<const std::uint8_t> bytes);

}  // namespace qbot::conformance
