#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <map>

#include "core/bit_stream.h"
#include "core/rng.h"
#include "proto/limits.h"
#include "proto/snapshot_codec.h"

using namespace qbot::proto;
using qbot::core::Tick;

namespace {
constexpr std::uint32_t kRate = 60;

std::int32_t any_value(qbot::core::Rng& rng, std::size_t field) {
  const auto& spec = kFieldSpecs[field];
  return spec.min + static_cast<std::int32_t>(rng.below(static_cast<std::uint32_t>(spec.max - spec.min) + 1));
}

Frame random_frame(qbot::core::Rng& rng, Tick tick, std::size_t max_entities) {
  Frame f;
  f.tick = tick;
  f.last_input = rng.next_u32();
  std::uint16_t id = 0;
  const std::size_t n = rng.below(static_cast<std::uint32_t>(max_entities) + 1);
  for (std::size_t i = 0; i < n; ++i) {
    id = static_cast<std::uint16_t>(id + 1 + rng.below(20));
    EntityState s;
    s.id = id;
    for (std::size_t k = 0; k < kFieldCount; ++k) s.f[k] = any_value(rng, k);
    f.entities.push_back(s);
  }
  return f;
}

/// One tick of a plausible world: entities move with their velocity, some
/// turn or accelerate, some get hurt, a few leave and new ones appear.
Frame evolve(qbot::core::Rng& rng, const Frame& prev) {
  Frame f;
  f.tick = prev.tick + 1;
  f.last_input = prev.last_input + rng.below(3);
  for (const auto& e : prev.entities) {
    if (rng.below(40) == 0) continue;  // removed
    EntityState s = extrapolate(e, 1, kRate);
    if (rng.below(4) == 0)
      s.f[kVelX] = std::clamp(s.f[kVelX] + static_cast<std::int32_t>(rng.below(41)) - 20, -400, 400);
    if (rng.below(4) == 0)
      s.f[kVelY] = std::clamp(s.f[kVelY] + static_cast<std::int32_t>(rng.below(41)) - 20, -400, 400);
    if (rng.below(3) == 0) s.f[kAim] = (s.f[kAim] + static_cast<std::int32_t>(rng.below(41)) + 4076) % kAimSteps;
    if (rng.below(10) == 0) s.f[kHp] = static_cast<std::int32_t>(rng.below(1024));
    if (rng.below(8) == 0) s.f[kX] = std::clamp(s.f[kX] + static_cast<std::int32_t>(rng.below(9)) - 4, -32768, 32767);
    f.entities.push_back(s);
  }
  if (rng.below(3) == 0) {
    EntityState s;
    s.id = static_cast<std::uint16_t>(1 + rng.below(3000));
    for (std::size_t k = 0; k < kFieldCount; ++k) s.f[k] = any_value(rng, k);
    s.f[kVelX] = static_cast<std::int32_t>(rng.below(801)) - 400;
    s.f[kVelY] = static_cast<std::int32_t>(rng.below(801)) - 400;
    if (std::none_of(f.entities.begin(), f.entities.end(), [&](auto& e) { return e.id == s.id; })) {
      f.entities.push_back(s);
      std::sort(f.entities.begin(), f.entities.end(), [](auto& a, auto& b) { return a.id < b.id; });
    }
  }
  return f;
}

const EntityState* find(const Frame& f, std::uint16_t id) {
  for (const auto& e : f.entities) {
    if (e.id == id) return &e;
  }
  return nullptr;
}
}  // namespace

TEST(SnapshotCodec, FullSnapshotRoundTripsRandomFrames) {
  qbot::core::Rng rng(1);
  for (int i = 0; i < 2000; ++i) {
    const Frame f = random_frame(rng, 5 + rng.below(1000), 40);
    std::vector<std::uint8_t> bytes;
    Frame view;
    encode_snapshot(nullptr, f, kRate, {}, bytes, view);
    EXPECT_EQ(view.entities, f.entities);
    auto out = decode_snapshot(nullptr, bytes, f.tick, kRate);
    ASSERT_TRUE(out.ok()) << out.error().describe();
    EXPECT_EQ(out->entities, f.entities);
    EXPECT_EQ(out->last_input, f.last_input);
  }
}

// The property the netcode rests on: whatever the server sends, through any
// loss and any ack delay, the client decodes exactly the frame the server
// recorded for it (its next baseline). Random worlds, tolerances, budgets,
// losses and acks; thousands of snapshots.
TEST(SnapshotCodec, ClientAlwaysHoldsExactlyWhatTheServerThinksThroughLossAndAcks) {
  qbot::core::Rng rng(2);
  int deltas = 0;
  for (int run = 0; run < 60; ++run) {
    EncodeLimits limits;
    limits.position_tolerance = static_cast<std::int32_t>(rng.below(6));
    limits.aim_tolerance = static_cast<std::int32_t>(rng.below(6));
    limits.velocity_tolerance = static_cast<std::int32_t>(rng.below(20));
    limits.max_bytes = rng.below(3) == 0 ? 20 + rng.below(200) : 0;
    Frame truth = random_frame(rng, 1, 30);
    limits.exact_entity = truth.entities.empty() ? 0 : truth.entities.front().id;
    std::map<Tick, Frame> server_views;   // what the server recorded per tick
    std::map<Tick, Frame> client_frames;  // what the client decoded
    Tick acked = 0;
    const std::uint32_t loss_pct = rng.below(40);
    for (int t = 0; t < 120; ++t) {
      truth = evolve(rng, truth);
      const Frame* baseline = nullptr;
      if (acked != 0 && truth.tick - acked < 64) baseline = &server_views.at(acked);
      std::vector<std::uint8_t> bytes;
      Frame view;
      encode_snapshot(baseline, truth, kRate, limits, bytes, view);
      deltas += baseline != nullptr ? 1 : 0;
      server_views[truth.tick] = view;
      if (limits.max_bytes != 0) {
        EXPECT_LE(bytes.size(), limits.max_bytes + 8) << "budget";
      }
      if (rng.below(100) < loss_pct) continue;  // lost on the way
      auto need = snapshot_baseline(bytes, truth.tick);
      ASSERT_TRUE(need.ok());
      const Frame* client_base = need.value() != 0 ? &client_frames.at(need.value()) : nullptr;
      auto out = decode_snapshot(client_base, bytes, truth.tick, kRate);
      ASSERT_TRUE(out.ok()) << out.error().describe();
      ASSERT_EQ(out->entities, view.entities) << "run " << run << " tick " << truth.tick;
      ASSERT_EQ(out->last_input, truth.last_input);
      client_frames[truth.tick] = *out;
      // Without a budget everything is within tolerance of the truth, and
      // the exact entity is exact.
      if (limits.max_bytes == 0) {
        ASSERT_EQ(out->entities.size(), truth.entities.size());
        for (const auto& e : truth.entities) {
          const EntityState* got = find(*out, e.id);
          ASSERT_NE(got, nullptr);
          if (e.id == limits.exact_entity) {
            ASSERT_EQ(got->f, e.f);
            continue;
          }
          ASSERT_LE(std::abs(got->f[kX] - e.f[kX]), limits.position_tolerance);
          ASSERT_LE(std::abs(got->f[kY] - e.f[kY]), limits.position_tolerance);
        }
      }
      if (rng.below(2) == 0) acked = truth.tick;  // the ack arrives (or not)
    }
  }
  EXPECT_GT(deltas, 4000);
}

TEST(SnapshotCodec, SteadyMotionCostsNothingAfterTheFirstSnapshot) {
  Frame a;
  a.tick = 10;
  for (std::uint16_t id = 1; id <= 20; ++id) {
    EntityState e;
    e.id = id;
    e.f[kX] = 1000 + 50 * id;
    e.f[kVelX] = 1280;  // 40 m/s
    e.f[kVelY] = -320;
    e.f[kFlags] = kAlive;
    a.entities.push_back(e);
  }
  std::vector<std::uint8_t> bytes;
  Frame view_a;
  encode_snapshot(nullptr, a, kRate, {}, bytes, view_a);
  Frame b = a;
  b.tick = 13;
  for (auto& e : b.entities) e = extrapolate(e, 3, kRate);
  bytes.clear();
  Frame view_b;
  encode_snapshot(&view_a, b, kRate, {}, bytes, view_b);
  EXPECT_LE(bytes.size(), 2u) << "header + '0 records'";
}

TEST(SnapshotCodec, BudgetKeepsTheExactEntityAndTheNearestFirst) {
  qbot::core::Rng rng(9);
  Frame f = random_frame(rng, 3, 0);
  for (std::uint16_t id = 1; id <= 60; ++id) {
    EntityState e;
    e.id = id;
    for (std::size_t k = 0; k < kFieldCount; ++k) e.f[k] = any_value(rng, k);
    f.entities.push_back(e);
  }
  std::vector<std::uint16_t> priority{40, 41, 42};
  EncodeLimits limits;
  limits.exact_entity = 50;
  limits.max_bytes = 160;
  limits.priority = priority;
  std::vector<std::uint8_t> bytes;
  Frame view;
  encode_snapshot(nullptr, f, kRate, limits, bytes, view);
  EXPECT_LE(bytes.size(), 160u);
  EXPECT_LT(view.entities.size(), f.entities.size()) << "the budget must bind here";
  for (const std::uint16_t id : std::initializer_list<std::uint16_t>{50, 40, 41, 42})
    EXPECT_NE(find(view, id), nullptr) << id;
}

TEST(SnapshotCodec, RemovingAnEntityNotInTheBaselineIsAnError) {
  // Hand-built: full snapshot, last_input 0, 1 record, id gap 4 (id 4), removed.
  std::vector<std::uint8_t> bytes;
  qbot::core::BitWriter w(bytes);
  w.var_u(0);
  w.var_u(0);
  w.var_u(1);
  w.var_u(4);
  w.flag(true);
  w.finish();
  auto out = decode_snapshot(nullptr, bytes, 2, kRate);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().field, "entities.removed");
}

TEST(SnapshotCodec, OutOfRangeFieldIsNamed) {
  // New entity whose kind (raw 3 bits) is 7, but only 0..2 exist.
  std::vector<std::uint8_t> bytes;
  qbot::core::BitWriter w(bytes);
  w.var_u(0);
  w.var_u(0);
  w.var_u(1);
  w.var_u(0);
  w.flag(false);
  w.bits(kKind + 1, 4);
  for (unsigned i = 0; i < kKind; ++i) w.flag(false);
  w.flag(true);
  w.bits(7, 3);
  w.finish();
  auto out = decode_snapshot(nullptr, bytes, 2, kRate);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().field, "entities.kind");
}

TEST(SnapshotCodec, BaselineMismatchIsRefused) {
  Frame base;
  base.tick = 7;
  std::vector<std::uint8_t> bytes;
  Frame view;
  Frame cur;
  cur.tick = 10;
  encode_snapshot(&base, cur, kRate, {}, bytes, view);
  EXPECT_EQ(snapshot_baseline(bytes, 10).value(), 7u);
  Frame wrong;
  wrong.tick = 8;
  EXPECT_FALSE(decode_snapshot(&wrong, bytes, 10, kRate).ok());
  EXPECT_FALSE(decode_snapshot(nullptr, bytes, 10, kRate).ok());
  EXPECT_FALSE(snapshot_baseline(bytes, 3).ok()) << "baseline age beyond the tick";
}

TEST(SnapshotCodec, RandomBytesNeverCrashAndRarelyDecode) {
  qbot::core::Rng rng(4);
  Frame base = random_frame(rng, 1, 20);
  base.tick = 6;
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> bytes(rng.below(64));
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng.next_u32());
    auto need = snapshot_baseline(bytes, 9);
    if (!need.ok() || (need.value() != 0 && need.value() != base.tick)) continue;
    auto out = decode_snapshot(need.value() != 0 ? &base : nullptr, bytes, 9, kRate);
    if (out.ok()) {
      ++decoded;
      EXPECT_LE(out->entities.size(), kMaxSnapshotEntities);
      EXPECT_TRUE(
          std::is_sorted(out->entities.begin(), out->entities.end(), [](auto& a, auto& b) { return a.id < b.id; }));
    }
  }
  EXPECT_LT(decoded, 20000);
}

TEST(SnapshotCodec, HugeCountIsRefusedUpFront) {
  std::vector<std::uint8_t> bytes;
  qbot::core::BitWriter w(bytes);
  w.var_u(0);
  w.var_u(0);
  w.var_u(1u << 30);
  w.finish();
  auto out = decode_snapshot(nullptr, bytes, 2, kRate);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().field, "entities.count");
}

TEST(Quantize, PositionPrecisionIsHalfAQuantum) {
  for (float m : {0.0f, 1.0f, 12.34f, 63.99f, -5.5f}) {
    EXPECT_NEAR(dequantize_pos(quantize_pos(m)), m, 0.5f / kPosScale + 1e-6f);
  }
  EXPECT_EQ(quantize_pos(1e9f), 32767);
  EXPECT_EQ(quantize_pos(std::numeric_limits<float>::quiet_NaN()), 0);
  EXPECT_EQ(quantize_aim(0.0f), 0);
  EXPECT_EQ(quantize_aim(6.28318530718f), 0);
  EXPECT_EQ(quantize_aim(-1.5707963f), 3072);
}
