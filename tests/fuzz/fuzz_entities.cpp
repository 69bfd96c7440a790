// Fuzz target: raw bytes as Snapshot.data, against an empty and a populated
// baseline. Whatever decodes must be a valid frame.
#include <algorithm>
#include <cstdlib>

#include "fuzz_seeds.h"
#include "proto/limits.h"
#include "proto/snapshot_codec.h"

using namespace qbot::proto;

namespace {
const Frame& populated() {
  static const Frame f = [] {
    Frame fr;
    fr.tick = 3;
    for (const std::uint16_t id : std::initializer_list<std::uint16_t>{1, 2, 5, 256, 300})
      fr.entities.push_back(EntityState{id, {100, 100, 0, 0, 7, 50, 0, 1, 0, 0, 1}});
    return fr;
  }();
  return f;
}
void check(const Frame& f) {
  if (f.entities.size() > kMaxSnapshotEntities) std::abort();
  for (std::size_t i = 1; i < f.entities.size(); ++i) {
    if (f.entities[i - 1].id >= f.entities[i].id) std::abort();  // sorted, unique
  }
  for (const auto& e : f.entities) {
    for (std::size_t k = 0; k < kFieldCount; ++k) {
      if (e.f[k] < kFieldSpecs[k].min || e.f[k] > kFieldSpecs[k].max) std::abort();
    }
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  if (auto f = decode_snapshot(nullptr, bytes, 4, 60); f.ok()) check(*f);
  if (auto f = decode_snapshot(&populated(), bytes, 4, 60); f.ok()) check(*f);
  if (auto f = decode_snapshot(&populated(), bytes, 9, 60); f.ok()) check(*f);
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  Frame next = populated();
  next.entities[0].f[kX] += 5;
  next.entities.erase(next.entities.begin() + 2);
  next.entities.push_back(EntityState{400, {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}});
  next.tick = 4;
  std::vector<std::uint8_t> delta, full;
  Frame view;
  encode_snapshot(&populated(), next, 60, {}, delta, view);
  encode_snapshot(nullptr, next, 60, {}, full, view);
  return {delta, full};
}
