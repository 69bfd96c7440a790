// The conformance vectors in tests/conformance/: every one decodes with our
// decoder to its expected output; rebuilding them with our encoder gives the
// same bytes (so they cannot drift from the code); and a flipped bit is
// caught (so the check can fail).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

#include "vectors.h"

using namespace qbot::conformance;

namespace {

const std::filesystem::path kDir = QBOT_CONFORMANCE_DIR;

std::vector<std::uint8_t> read_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string read_text(const std::filesystem::path& p) {
  std::ifstream in(p);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

/// Every <name>.json in the directory, sorted.
std::vector<std::string> stored_names() {
  std::vector<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(kDir)) {
    if (e.path().extension() == ".json") names.push_back(e.path().stem().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace

TEST(Conformance, EveryStoredVectorDecodesToItsExpectedOutput) {
  const auto names = stored_names();
  ASSERT_GE(names.size(), 20u) << "vectors missing from " << kDir;
  for (const std::string& name : names) {
    const Json d = Json::parse(read_text(kDir / (name + ".json")));
    const auto bytes = read_bytes(kDir / (name + ".bin"));
    EXPECT_EQ(check_vector(d, bytes), "") << name;
  }
}

TEST(Conformance, TheEncoderRebuildsExactlyTheStoredBytesAndDescriptions) {
  const auto vectors = build_vectors();
  std::vector<std::string> built;
  for (const Vector& v : vectors) {
    built.push_back(v.name);
    EXPECT_EQ(read_bytes(kDir / (v.name + ".bin")), v.bytes) << v.name << ".bin drifted: run qbot-conformance-gen";
    EXPECT_EQ(read_text(kDir / (v.name + ".json")), description_text(v.description))
        << v.name << ".json drifted: run qbot-conformance-gen";
    EXPECT_EQ(check_vector(v.description, v.bytes), "") << v.name;
  }
  std::sort(built.begin(), built.end());
  EXPECT_EQ(stored_names(), built) << "no stale or missing vector files";
}

TEST(Conformance, TheVectorsCoverEveryMessageKindSnapshotStreamAndMovement) {
  std::set<std::string> messages, kinds;
  for (const Vector& v : build_vectors()) {
    kinds.insert(v.description.at("kind").get<std::string>());
    if (v.description.at("kind") == "message")
      messages.insert(v.description.at("expected").at("message").get<std::string>());
  }
  EXPECT_EQ(messages.size(), 12u) << "one vector per Message kind";
  EXPECT_EQ(kinds, (std::set<std::string>{"message", "snapshot_stream", "movement"}));
}

TEST(Conformance, AFlippedBitInACopyOfAVectorFailsItsCheck) {
  // The Input vector: command 41's sequence (0x29 00 00 00) holds a field the check compares.
  const Json d = Json::parse(read_text(kDir / "message_input.json"));
  std::vector<std::uint8_t> copy = read_bytes(kDir / "message_input.bin");
  ASSERT_EQ(check_vector(d, copy), "");
  const std::uint8_t seq41[] = {0x29, 0, 0, 0};
  const auto at = std::search(copy.begin(), copy.end(), std::begin(seq41), std::end(seq41));
  ASSERT_NE(at, copy.end());
  *at = static_cast<std::uint8_t>(*at ^ 0x01u);  // 41 -> 40
  EXPECT_NE(check_vector(d, copy), "") << "a flipped bit must be caught";

  // Across every vector: most single-bit flips are caught (the rest fall in
  // FlatBuffers padding or unused bits, which no decoder reads).
  std::size_t flips = 0, caught = 0;
  for (const Vector& v : build_vectors()) {
    std::vector<std::uint8_t> bytes = v.bytes;
    for (std::size_t bit = 0; bit < bytes.size() * 8; ++bit) {
      bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] ^ (1u << (bit % 8)));
      caught += check_vector(v.description, bytes).empty() ? 0 : 1;
      flips += 1;
      bytes[bit / 8] = static_cast<std::uint8_t>(bytes[bit / 8] ^ (1u << (bit % 8)));
    }
  }
  std::printf("single-bit flips caught: %zu of %zu\n", caught, flips);
  EXPECT_GT(caught * 2, flips);
}
