#include <gtest/gtest.h>

#include <algorithm>
#include <limits>

#include "core/bit_stream.h"

#include "core/rng.h"
#include "proto/snapshot_codec.h"

using namespace qbot::proto;

namespace {
Frame random_frame(qbot::core::Rng& rng, qbot::core::Tick tick, std::size_t max_entities) {
  Frame f;
  f.tick = tick;
  std::uint16_t id = 0;
  const std::size_t n = rng.below(static_cast<std::uint32_t>(max_entities) + 1);
  for (std::size_t i = 0; i < n; ++i) {
    id = static_cast<std::uint16_t>(id + 1 + rng.below(20));
    EntityState s;
    s.id = id;
    for (std::size_t k = 0; k < kFieldCount; ++k) {
      const auto& spec = kFieldSpecs[k];
      const auto span = static_cast<std::uint32_t>(spec.max - spec.min);
      s.f[k] = spec.min + static_cast<std::int32_t>(rng.below(span + 1));
    }
    f.entities.push_back(s);
  }
  return f;
}

/// `prev` moved a little: some entities change, leave, or appear.
Frame evolve(qbot::core::Rng& rng, const Frame& prev) {
  Frame f;
  f.tick = prev.tick + 1;
  for (const auto& e : prev.entities) {
    if (rng.below(20) == 0) continue;  // removed
    EntityState s = e;
    if (rng.below(2) == 0) {
      s.f[kX] = std::clamp(s.f[kX] + static_cast<std::int32_t>(rng.below(21)) - 10, -32768, 32767);
      s.f[kY] = std::clamp(s.f[kY] + static_cast<std::int32_t>(rng.below(21)) - 10, -32768, 32767);
    }
    if (rng.below(10) == 0) s.f[kHp] = static_cast<std::int32_t>(rng.below(1024));
    f.entities.push_back(s);
  }
  if (rng.below(3) == 0) {
    EntityState s;
    s.id = static_cast<std::uint16_t>(60000 + rng.below(5000));
    s.f[kKind] = 1;
    s.f[kX] = 100;
    bool taken = false;
    for (const auto& e : f.entities) taken |= e.id == s.id;
    if (!taken) {
      f.entities.push_back(s);
      std::sort(f.entities.begin(), f.entities.end(), [](auto& a, auto& b) { return a.id < b.id; });
    }
  }
  return f;
}
}  // namespace

TEST(SnapshotCodec, FullSnapshotRoundTripsRandomFrames) {
  qbot::core::Rng rng(1);
  const Frame empty;
  for (int i = 0; i < 500; ++i) {
    const Frame f = random_frame(rng, 10, 64);
    std::vector<std::uint8_t> bytes;
    encode_entities(empty, f, bytes);
    auto out = decode_entities(empty, bytes, f.tick);
    ASSERT_TRUE(out.ok()) << out.error().describe();
    ASSERT_EQ(out->entities, f.entities);
  }
}

TEST(SnapshotCodec, DeltaRoundTripsAgainstAnyBaseline) {
  qbot::core::Rng rng(2);
  for (int i = 0; i < 300; ++i) {
    const Frame base = random_frame(rng, 5, 40);
    Frame cur = base;
    for (int step = 0; step < 1 + static_cast<int>(rng.below(5)); ++step) cur = evolve(rng, cur);
    std::vector<std::uint8_t> bytes;
    encode_entities(base, cur, bytes);
    auto out = decode_entities(base, bytes, cur.tick);
    ASSERT_TRUE(out.ok()) << out.error().describe();
    ASSERT_EQ(out->entities, cur.entities);
  }
}

TEST(SnapshotCodec, UnchangedWorldCostsOneByte) {
  qbot::core::Rng rng(3);
  const Frame f = random_frame(rng, 1, 30);
  std::vector<std::uint8_t> bytes;
  encode_entities(f, f, bytes);
  EXPECT_EQ(bytes.size(), 1u);  // "0 records"
}

TEST(SnapshotCodec, RemovingAnEntityNotInTheBaselineIsAnError) {
  // Hand-built stream: 1 record, id gap 4 (id 4), removed.
  std::vector<std::uint8_t> bytes;
  qbot::core::BitWriter w(bytes);
  w.var_u(1);
  w.var_u(4);
  w.flag(true);
  w.finish();
  auto out = decode_entities(Frame{}, bytes, 2);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().field, "entities.removed");
}

TEST(SnapshotCodec, OutOfRangeFieldIsNamed) {
  // New entity whose kind (raw 3 bits) is 7, but only 0..1 exist.
  std::vector<std::uint8_t> bytes;
  qbot::core::BitWriter w(bytes);
  w.var_u(1);
  w.var_u(0);
  w.flag(false);
  w.bits(kKind + 1, 4);
  for (unsigned i = 0; i < kKind; ++i) w.flag(false);
  w.flag(true);
  w.bits(7, 3);
  w.finish();
  auto out = decode_entities(Frame{}, bytes, 2);
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().field, "entities.kind");
}

TEST(SnapshotCodec, RandomBytesNeverCrashAndRarelyDecode) {
  qbot::core::Rng rng(4);
  const Frame base = random_frame(rng, 1, 20);
  int decoded = 0;
  for (int i = 0; i < 20000; ++i) {
    std::vector<std::uint8_t> bytes(rng.below(64));
    for (auto& b : bytes) b = static_cast<std::uint8_t>(rng.next_u32());
    auto out = decode_entities(base, bytes, 9);
    if (out.ok()) {
      ++decoded;
      EXPECT_LE(out->entities.size(), kMaxSnapshotEntities);
      EXPECT_TRUE(std::is_sorted(out->entities.begin(), out->entities.end(),
                                 [](auto& a, auto& b) { return a.id < b.id; }));
    }
  }
  EXPECT_LT(decoded, 20000);
}

TEST(SnapshotCodec, HugeCountIsRefusedUpFront) {
  std::vector<std::uint8_t> bytes;
  qbot::core::BitWriter w(bytes);
  w.var_u(1u << 30);
  w.finish();
  auto out = decode_entities(Frame{}, bytes, 2);
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
