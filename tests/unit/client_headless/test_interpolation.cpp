// InterpolationBuffer: the view tick a fixed delay behind the newest
// snapshot, the frame shown there (exact, or blended across a gap), and what
// late, duplicate and out-of-order snapshots do to it.
#include <gtest/gtest.h>

#include "client_headless/interpolation.h"

using qbot::client::blend;
using qbot::client::InterpolationBuffer;
namespace proto = qbot::proto;

namespace {

proto::EntityState entity(std::uint16_t id, std::int32_t x, std::int32_t y) {
  proto::EntityState e;
  e.id = id;
  e.f[proto::kX] = x;
  e.f[proto::kY] = y;
  e.f[proto::kHp] = 100;
  return e;
}

/// Entity 1 at x = 10 * tick; entity 2 fixed.
proto::Frame frame_at(qbot::core::Tick tick) {
  proto::Frame f;
  f.tick = tick;
  f.entities = {entity(1, static_cast<std::int32_t>(10 * tick), 0), entity(2, 500, 500)};
  return f;
}

}  // namespace

TEST(Interpolation, ViewTickIsTheDelayBehindTheNewestFrame) {
  InterpolationBuffer buf(2);
  EXPECT_EQ(buf.view_tick(), 0u) << "nothing received";
  EXPECT_EQ(buf.view(), nullptr);
  buf.put(frame_at(1));
  EXPECT_EQ(buf.view_tick(), 1u) << "fewer ticks than the delay: the oldest tick there is";
  buf.put(frame_at(10));
  EXPECT_EQ(buf.newest(), 10u);
  EXPECT_EQ(buf.view_tick(), 8u);
  buf.set_delay(4);
  EXPECT_EQ(buf.view_tick(), 6u);
}

TEST(Interpolation, ViewIsTheFrameAtTheViewTickWhenItArrived) {
  InterpolationBuffer buf(2);
  for (qbot::core::Tick t = 1; t <= 10; ++t) buf.put(frame_at(t));
  const proto::Frame* v = buf.view();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->tick, 8u);
  EXPECT_EQ(v->entities[0].f[proto::kX], 80);
}

TEST(Interpolation, AGapIsBridgedByBlendingTheFramesAroundIt) {
  InterpolationBuffer buf(2);
  buf.put(frame_at(6));
  buf.put(frame_at(10));  // 7, 8 and 9 were lost; the view tick is 8
  const proto::Frame* v = buf.view();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->tick, 8u);
  ASSERT_EQ(v->entities.size(), 2u);
  EXPECT_EQ(v->entities[0].f[proto::kX], 80) << "half way from 60 to 100";
  EXPECT_EQ(v->entities[1].f[proto::kX], 500) << "a still entity stays put";
}

TEST(Interpolation, AWideGapIsBlendedAcrossItsWholeLength) {
  InterpolationBuffer buf(2);
  buf.put(frame_at(5));
  buf.put(frame_at(10));
  buf.set_delay(3);  // view tick 7: the nearest frames are 5 and 10, 40 % of the way
  const proto::Frame* v = buf.view();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->tick, 7u);
  EXPECT_EQ(v->entities[0].f[proto::kX], 70);
}

TEST(Interpolation, LateAndOutOfOrderFramesFillTheGapWithoutMovingTheNewest) {
  InterpolationBuffer buf(2);
  buf.put(frame_at(6));
  buf.put(frame_at(10));
  buf.put(frame_at(8));  // arrives late
  EXPECT_EQ(buf.newest(), 10u);
  EXPECT_EQ(buf.view_tick(), 8u);
  const proto::Frame* v = buf.view();
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v, buf.find(8)) << "the real frame, not a blend";
}

TEST(Interpolation, ADuplicateFrameChangesNothing) {
  InterpolationBuffer buf(2);
  for (qbot::core::Tick t = 1; t <= 10; ++t) buf.put(frame_at(t));
  buf.put(frame_at(10));
  EXPECT_EQ(buf.newest(), 10u);
  ASSERT_NE(buf.find(10), nullptr);
  EXPECT_EQ(buf.find(10)->entities[0].f[proto::kX], 100);
  EXPECT_EQ(buf.view()->tick, 8u);
}

TEST(Interpolation, AFrameARingOlderThanTheNewestDoesNotEvictIt) {
  InterpolationBuffer buf(2);
  const qbot::core::Tick newest = 100;
  buf.put(frame_at(newest));
  // Same slot (tick % kCapacity) as the newest frame.
  buf.put(frame_at(newest - InterpolationBuffer::kCapacity));
  ASSERT_NE(buf.find(newest), nullptr);
  EXPECT_EQ(buf.find(newest - InterpolationBuffer::kCapacity), nullptr);
}

TEST(Interpolation, BlendMovesPositionsOnlyAndKeepsEntitiesOfTheNewerFrame) {
  proto::Frame a = frame_at(4);
  proto::Frame b = frame_at(8);
  b.entities[0].f[proto::kHp] = 40;
  b.entities.push_back(entity(3, 1000, 0));                // only in b
  a.entities.insert(a.entities.begin(), entity(0, 0, 0));  // only in a: gone by b
  const proto::Frame quarter = blend(a, b, 0.25f);
  EXPECT_EQ(quarter.tick, 5u);
  ASSERT_EQ(quarter.entities.size(), 3u);
  EXPECT_EQ(quarter.entities[0].id, 1u);
  EXPECT_EQ(quarter.entities[0].f[proto::kX], 50);
  EXPECT_EQ(quarter.entities[0].f[proto::kHp], 40) << "everything but position as in the newer frame";
  EXPECT_EQ(quarter.entities[2].f[proto::kX], 1000) << "an entity new in b is where b has it";
  EXPECT_EQ(blend(a, b, 0.0f).entities[0].f[proto::kX], 40);
  EXPECT_EQ(blend(a, b, 1.0f).entities[0].f[proto::kX], 80);
}
