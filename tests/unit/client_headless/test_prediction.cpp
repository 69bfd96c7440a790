// Predictor: the client's own bot moved at once by the shared movement code,
// and reconciled against the server's state. The "server" here is a real
// sim::World stepped with the same sim::move_bot and quantized by the
// server's own frame builder.
#include <gtest/gtest.h>

#include <vector>

#include "client_headless/prediction.h"
#include "server/snapshot/world_frame.h"
#include "sim/movement.h"
#include "sim/vec2.h"
#include "sim_fixture.h"

using qbot::client::Predictor;
namespace sim = qbot::sim;
namespace proto = qbot::proto;

namespace {

constexpr std::uint16_t kEntity = 1;
constexpr std::uint32_t kTickRate = 60;
// Positions cross the wire in 1/32 m: half a quantum per axis.
constexpr float kQuantum = 1.0f / 32.0f;

class PredictionTest : public ::testing::Test {
 protected:
  PredictionTest()
      : catalog_(qbot::test::test_catalog()),
        map_(qbot::test::test_map()),
        loadout_(
            qbot::test::loadout(qbot::test::kScout, qbot::test::kBlaster, qbot::test::kLaser, qbot::test::kShield)),
        predictor_(catalog_, map_, loadout_, kEntity, kTickRate) {
    sim::Rules rules;
    rules.tick_rate = kTickRate;
    server_ = sim::make_world(catalog_, map_, rules, 0);
    sim::add_bot(server_, kEntity, 0, loadout_);
  }

  /// Command `sequence`: full stick toward +x (and a bit of +y on odd ones).
  static sim::Command command(std::uint32_t sequence) {
    sim::Command c;
    c.sequence = sequence;
    c.move_x = 127;
    c.move_y = sequence % 2 == 1 ? 40 : 0;
    return c;
  }

  /// The server applies one command to our bot.
  void server_applies(const sim::Command& cmd) {
    server_.tick += 1;
    sim::move_bot(server_, server_.tick, *sim::find_bot(server_, kEntity), cmd);
  }

  /// Our bot as the server would send it.
  proto::EntityState server_state() const {
    for (const auto& e : qbot::server::frame_from_world(server_).entities) {
      if (e.id == kEntity) return e;
    }
    ADD_FAILURE() << "no entity " << kEntity;
    return {};
  }
  sim::Vec2 server_pos() const { return sim::find_bot(server_, kEntity)->pos; }

  sim::Catalog catalog_;
  sim::Map map_;
  sim::Loadout loadout_;
  sim::World server_;
  Predictor predictor_;
};

}  // namespace

TEST_F(PredictionTest, FirstServerStateSyncsWithoutCountingAnError) {
  EXPECT_FALSE(predictor_.ready());
  EXPECT_FALSE(predictor_.reconcile(server_state(), 0, server_.tick).has_value());
  EXPECT_TRUE(predictor_.ready());
  EXPECT_LE(sim::length(predictor_.position() - server_pos()), kQuantum);
}

TEST_F(PredictionTest, PredictsEachCommandAtOnceWithTheSharedMovement) {
  ASSERT_FALSE(predictor_.reconcile(server_state(), 0, server_.tick).has_value());
  const sim::Vec2 start = predictor_.position();
  for (std::uint32_t seq = 1; seq <= 10; ++seq) {
    predictor_.apply(command(seq));
    server_applies(command(seq));
    // Same code, same start: the prediction is where the server will be.
    EXPECT_LE(sim::length(predictor_.position() - server_pos()), kQuantum) << "after command " << seq;
  }
  EXPECT_GT(predictor_.position().x - start.x, 0.5f) << "the bot really moved";
}

TEST_F(PredictionTest, ReconcileReplaysOnlyTheUnacknowledgedCommands) {
  ASSERT_FALSE(predictor_.reconcile(server_state(), 0, server_.tick).has_value());
  for (std::uint32_t seq = 1; seq <= 10; ++seq) predictor_.apply(command(seq));
  for (std::uint32_t seq = 1; seq <= 4; ++seq) server_applies(command(seq));
  // The server has applied 1..4: the client keeps 5..10 on top of that state.
  const auto err = predictor_.reconcile(server_state(), 4, server_.tick);
  ASSERT_TRUE(err.has_value());
  EXPECT_LE(*err, kQuantum);
  for (std::uint32_t seq = 5; seq <= 10; ++seq) server_applies(command(seq));
  EXPECT_LE(sim::length(predictor_.position() - server_pos()), 2 * kQuantum);

  // Everything acknowledged: the client is exactly the server's (quantized) state.
  ASSERT_TRUE(predictor_.reconcile(server_state(), 10, server_.tick).has_value());
  const proto::EntityState s = server_state();
  EXPECT_FLOAT_EQ(predictor_.position().x, proto::dequantize_pos(s.f[proto::kX]));
  EXPECT_FLOAT_EQ(predictor_.position().y, proto::dequantize_pos(s.f[proto::kY]));
}

TEST_F(PredictionTest, ASnapshotThatAcknowledgesNothingNewCountsNoError) {
  ASSERT_FALSE(predictor_.reconcile(server_state(), 0, server_.tick).has_value());
  for (std::uint32_t seq = 1; seq <= 3; ++seq) {
    predictor_.apply(command(seq));
    server_applies(command(seq));
  }
  EXPECT_TRUE(predictor_.reconcile(server_state(), 3, server_.tick).has_value());
  // A duplicate (or a late snapshot) with the same or an older last_input.
  EXPECT_FALSE(predictor_.reconcile(server_state(), 3, server_.tick).has_value());
  EXPECT_FALSE(predictor_.reconcile(server_state(), 2, server_.tick).has_value());
}

TEST_F(PredictionTest, ACorrectionIsCountedAsErrorAndThePredictionConverges) {
  ASSERT_FALSE(predictor_.reconcile(server_state(), 0, server_.tick).has_value());
  for (std::uint32_t seq = 1; seq <= 10; ++seq) predictor_.apply(command(seq));
  for (std::uint32_t seq = 1; seq <= 5; ++seq) server_applies(command(seq));
  // Something the client could not predict moved the bot 3 m (a push, a hit).
  sim::find_bot(server_, kEntity)->pos.y += 3.0f;

  const auto err = predictor_.reconcile(server_state(), 5, server_.tick);
  ASSERT_TRUE(err.has_value());
  EXPECT_NEAR(*err, 3.0f, 2 * kQuantum) << "the error is the correction";
  // Rebased and replayed: the client now predicts the corrected track.
  for (std::uint32_t seq = 6; seq <= 10; ++seq) server_applies(command(seq));
  EXPECT_LE(sim::length(predictor_.position() - server_pos()), 2 * kQuantum);

  predictor_.apply(command(11));
  server_applies(command(11));
  const auto after = predictor_.reconcile(server_state(), 11, server_.tick);
  ASSERT_TRUE(after.has_value());
  EXPECT_LE(*after, 2 * kQuantum) << "converged: the next error is back to quantization";
}

TEST_F(PredictionTest, NoErrorIsCountedWhileTheBotIsDead) {
  ASSERT_FALSE(predictor_.reconcile(server_state(), 0, server_.tick).has_value());
  predictor_.apply(command(1));
  server_applies(command(1));
  proto::EntityState dead = server_state();
  dead.f[proto::kFlags] &= ~static_cast<std::int32_t>(proto::kAlive);
  EXPECT_FALSE(predictor_.reconcile(dead, 1, server_.tick).has_value());
  // A dead bot does not move on the client either.
  const sim::Vec2 at = predictor_.position();
  predictor_.apply(command(2));
  EXPECT_EQ(predictor_.position().x, at.x);
  EXPECT_EQ(predictor_.position().y, at.y);
}

TEST_F(PredictionTest, UnacknowledgedCommandsAreBoundedAndEvictedOnesCountNoError) {
  ASSERT_FALSE(predictor_.reconcile(server_state(), 0, server_.tick).has_value());
  // A server that acknowledges nothing for 400 ticks (far more than kept).
  for (std::uint32_t seq = 1; seq <= 400; ++seq) predictor_.apply(command(seq));
  server_applies(command(1));
  // Command 1 is long gone from the client's list: nothing to compare.
  EXPECT_FALSE(predictor_.reconcile(server_state(), 1, server_.tick).has_value());
  // The newest are still there.
  for (std::uint32_t seq = 2; seq <= 399; ++seq) server_applies(command(seq));
  EXPECT_TRUE(predictor_.reconcile(server_state(), 399, server_.tick).has_value());
}
