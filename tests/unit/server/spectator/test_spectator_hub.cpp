#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "server/spectator/spectator_endpoints.h"
#include "server/spectator/spectator_hub.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::server::spectator;

namespace {

/// A socket in memory: records what the hub's writer sent; `hold()` makes
/// sends block (a browser whose socket is full) until `release()`.
class MemoryPeer final : public SocketPeer {
 public:
  bool send_text(std::string_view text) override {
    std::unique_lock lock(mutex_);
    released_.wait(lock, [&] { return !held_; });
    texts_.emplace_back(text);
    return true;
  }
  void send_close(std::string_view reason) override {
    std::lock_guard lock(mutex_);
    closed_ = std::string(reason);
  }
  void end_within_grace() override {
    std::lock_guard lock(mutex_);
    ended_ = true;
  }
  bool ended() {
    std::lock_guard lock(mutex_);
    return ended_;
  }
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  void release() {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
    }
    released_.notify_all();
  }
  std::vector<std::string> texts() {
    std::lock_guard lock(mutex_);
    return texts_;
  }
  std::string closed() {
    std::lock_guard lock(mutex_);
    return closed_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable released_;
  bool held_ = false;
  bool ended_ = false;
  std::vector<std::string> texts_;
  std::string closed_;
};

FramePtr frame(core::Tick tick, const std::shared_ptr<const std::string>& map) {
  auto f = std::make_shared<SpectatorFrame>();
  f->tick = tick;
  f->json = "frame " + std::to_string(tick);
  f->map = map;
  return f;
}

struct HubTest : ::testing::Test {
  prometheus::Registry registry;
  SpectatorMetrics metrics{registry};
  std::shared_ptr<const std::string> map = std::make_shared<const std::string>("map A");
};

}  // namespace

TEST_F(HubTest, RefusesBeyondMaxSpectatorsWithAMessageAndForUnknownArenas) {
  MemoryPeer a, b, c;  // peers before hubs: a hub's writers use them until the hub is gone
  SpectatorHub hub({2, 8, 8}, metrics);
  hub.set_arenas("{}", {1});
  ASSERT_TRUE(hub.attach(a, 1));
  ASSERT_TRUE(hub.attach(b, 1));
  auto third = hub.attach(c, 1);
  ASSERT_FALSE(third);
  EXPECT_NE(third.error().find("--max-spectators"), std::string::npos) << third.error();
  EXPECT_FALSE(hub.attach(c, 9));
  EXPECT_EQ(hub.connected(), 2u);
  EXPECT_EQ(metrics.refused.Value(), 2);
  SpectatorHub roomy({3, 8, 8}, metrics);
  roomy.set_arenas("{}", {1});
  auto none = roomy.attach(c, 9);
  ASSERT_FALSE(none);
  EXPECT_EQ(none.error(), "no arena 9 on this server");
}

TEST_F(HubTest, EveryWatcherOfTheArenaGetsTheMapOnceThenEachFrameInOrder) {
  MemoryPeer a, b, other;
  SpectatorHub hub({4, 8, 8}, metrics);
  hub.set_arenas("{}", {1, 2});
  const auto ida = hub.attach(a, 1).value();
  hub.attach(b, 1).value();
  hub.attach(other, 2).value();
  EXPECT_EQ(hub.watched().size(), 2u);
  hub.publish(1, frame(10, map));
  hub.publish(1, frame(14, map));
  const std::vector<std::string> expected{"map A", "frame 10", "frame 14"};
  EXPECT_TRUE(test::eventually([&] { return a.texts() == expected && b.texts() == expected; }));
  EXPECT_TRUE(other.texts().empty());
  hub.on_message(ida, "ack 2");
  hub.detach(ida);
  EXPECT_EQ(hub.connected(), 2u);
}

TEST_F(HubTest, ASpectatorThatStopsAcknowledgingIsDroppedAfterTheAckWindow) {
  const std::size_t window = 5;
  MemoryPeer silent;
  SpectatorHub hub({4, 64, window}, metrics);
  hub.set_arenas("{}", {1});
  hub.attach(silent, 1).value();
  core::Tick tick = 0;
  // Frames are sent (the socket accepts them) but never acknowledged.
  for (std::size_t i = 0; i < window + 1; ++i) hub.publish(1, frame(++tick, map));
  ASSERT_TRUE(test::eventually([&] { return silent.texts().size() == window + 2; }));  // map + frames
  EXPECT_EQ(hub.connected(), 1u);
  hub.publish(1, frame(++tick, map));  // window + 1 sent, 0 acknowledged: over the bound
  EXPECT_EQ(hub.connected(), 0u);
  EXPECT_EQ(metrics.dropped_no_ack.Value(), 1);
  EXPECT_TRUE(test::eventually([&] { return !silent.closed().empty(); }));
  EXPECT_NE(silent.closed().find("not acknowledged"), std::string::npos);
}

TEST_F(HubTest, AcknowledgedFramesKeepASpectatorAndAcksBeyondWhatWasSentAreIgnored) {
  MemoryPeer reader;
  SpectatorHub hub({4, 64, 3}, metrics);
  hub.set_arenas("{}", {1});
  const auto id = hub.attach(reader, 1).value();
  hub.on_message(id, "ack 1000");  // nothing was sent: ignored
  for (core::Tick t = 1; t <= 20; ++t) {
    hub.publish(1, frame(t, map));
    ASSERT_TRUE(test::eventually([&] { return reader.texts().size() == t + 1; }));
    hub.on_message(id, "ack " + std::to_string(t));
  }
  EXPECT_EQ(hub.connected(), 1u);
  EXPECT_EQ(metrics.dropped_no_ack.Value(), 0);
}

TEST_F(HubTest, ASpectatorWhoseSocketIsFullIsDroppedWhenItsQueueIsFull) {
  const std::size_t queue = 4;
  MemoryPeer stuck, fine;
  SpectatorHub hub({4, queue, 1000}, metrics);
  hub.set_arenas("{}", {1});
  stuck.hold();
  hub.attach(stuck, 1).value();
  const auto fine_id = hub.attach(fine, 1).value();
  // The writer takes one frame and blocks in its send; `queue` more fill the queue.
  core::Tick t = 0;
  hub.publish(1, frame(++t, map));
  ASSERT_TRUE(test::eventually([&] { return fine.texts().size() == 2; }));
  // Paced by the reading spectator, so only the stuck one can fall behind.
  for (std::size_t i = 0; i < queue + 1; ++i) {
    hub.publish(1, frame(++t, map));
    ASSERT_TRUE(test::eventually([&] { return fine.texts().size() == t + 1; }));
    hub.on_message(fine_id, "ack " + std::to_string(t));
  }
  EXPECT_EQ(metrics.dropped_queue_full.Value(), 1);
  EXPECT_EQ(hub.connected(), 1u);  // the other spectator is unaffected
  EXPECT_TRUE(stuck.ended());      // its end is promised now, while its writer is still stuck
  EXPECT_FALSE(fine.ended());
  stuck.release();
  EXPECT_TRUE(test::eventually([&] { return !stuck.closed().empty(); }));
  EXPECT_NE(stuck.closed().find("queued beyond the limit"), std::string::npos);
}

TEST_F(HubTest, APageHeardFromNeitherByAckNorPingIsDroppedAsSilentWithinTheLimitAndToldWhy) {
  using namespace std::chrono_literals;
  const auto limit = 300ms;
  MemoryPeer silent, pinging, acking;
  SpectatorHub hub({4, 8, 8, limit}, metrics);
  hub.set_arenas("{}", {1});
  const auto start = std::chrono::steady_clock::now();
  hub.attach(silent, 1).value();
  const auto pinging_id = hub.attach(pinging, 1).value();
  const auto acking_id = hub.attach(acking, 1).value();
  hub.publish(1, frame(1, map));  // one frame for the ack; then none (a long delay, a quiet arena)
  ASSERT_TRUE(test::eventually([&] { return acking.texts().size() == 2; }));
  // The others keep talking for three limits; the silent one says nothing at all.
  std::optional<std::chrono::steady_clock::duration> dropped_after;
  while (std::chrono::steady_clock::now() - start < 3 * limit) {
    if (!dropped_after && metrics.dropped_silent.Value() == 1) dropped_after = std::chrono::steady_clock::now() - start;
    hub.on_message(pinging_id, "ping");
    hub.on_message(acking_id, "ack 1");      // the same count again: still a word from the page
    std::this_thread::sleep_for(limit / 6);  // pacing the pages' messages (as their timers do), not a wait
  }
  EXPECT_EQ(metrics.dropped_silent.Value(), 1);
  ASSERT_TRUE(dropped_after.has_value());
  EXPECT_GE(*dropped_after, limit);
  EXPECT_LE(*dropped_after, limit + limit / 3 + 100ms);
  EXPECT_EQ(hub.connected(), 2u);
  EXPECT_NE(silent.closed().find("silent"), std::string::npos) << silent.closed();
  EXPECT_TRUE(pinging.closed().empty());
  EXPECT_TRUE(acking.closed().empty());
}

TEST_F(HubTest, MessagesThatAreNeitherAPingNorAValidAckDoNotKeepASpectator) {
  using namespace std::chrono_literals;
  const auto limit = 300ms;
  MemoryPeer talker;
  SpectatorHub hub({4, 8, 8, limit}, metrics);
  hub.set_arenas("{}", {1});
  const auto start = std::chrono::steady_clock::now();
  const auto id = hub.attach(talker, 1).value();
  const auto dropped = [&] {
    hub.on_message(id, "pong");
    hub.on_message(id, "ack 5");  // nothing was sent: an ack of 5 is a lie
    hub.on_message(id, "ping ");
    return metrics.dropped_silent.Value() == 1;
  };
  ASSERT_TRUE(test::eventually(dropped, 3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, limit);
  EXPECT_EQ(hub.connected(), 0u);
  EXPECT_TRUE(test::eventually([&] { return !talker.closed().empty(); }));
}

TEST(SpectatorQuery, ReadsTheArenaNumberAndRefusesAnythingElse) {
  EXPECT_EQ(arena_of_query("arena=12"), 12u);
  EXPECT_EQ(arena_of_query("x=1&arena=3"), 3u);
  EXPECT_EQ(arena_of_query("arena="), std::nullopt);
  EXPECT_EQ(arena_of_query("arena=-1"), std::nullopt);
  EXPECT_EQ(arena_of_query("arena=99999999999"), std::nullopt);
  EXPECT_EQ(arena_of_query("arena=3x"), std::nullopt);
  EXPECT_EQ(arena_of_query(""), std::nullopt);
}
