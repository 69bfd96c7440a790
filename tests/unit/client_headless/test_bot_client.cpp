// BotClient's state machine, driven message by message: what the server
// says is handed to on_packet as encoded bytes, what the bot sends arrives
// at real ENet hosts on loopback (a "match server" and a "front door") and
// is decoded there. The bot's own timers run on virtual time.
#include <gtest/gtest.h>

#include <type_traits>

#include <memory>
#include <vector>

#include "client_headless/bot_client.h"
#include "net/net_host.h"
#include "proto/snapshot_codec.h"
#include "proto/version.h"
#include "sim_fixture.h"
#include "wait.h"

using namespace qbot::client;
namespace net = qbot::net;
namespace proto = qbot::proto;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

/// A bound ENet host that records every decoded client message.
struct LoopbackServer {
  LoopbackServer() {
    net::HostConfig hc;
    hc.bind_host = "127.0.0.1";
    hc.max_peers = 8;
    auto created = net::NetHost::create(hc);
    EXPECT_TRUE(created.ok()) << created.error();
    host = std::move(created.value());
  }
  net::Endpoint endpoint() const { return {"127.0.0.1", host->port()}; }
  void poll() {
    net::NetEvent ev;
    while (host->service(ev, 0)) {
      if (ev.type == net::NetEvent::Type::Receive) {
        auto m = proto::decode(ev.packet.bytes(), proto::Sender::Client, ev.channel);
        if (m) received.push_back(std::move(m.value()));
      } else if (ev.type == net::NetEvent::Type::Disconnect) {
        disconnects += 1;
      }
    }
  }
  /// The last message of type T received (nullptr if none yet).
  template <class T>
  const T* last() const {
    for (auto it = received.rbegin(); it != received.rend(); ++it) {
      if (const T* t = std::get_if<T>(&*it)) return t;
    }
    return nullptr;
  }
  template <class T>
  std::size_t count() const {
    std::size_t n = 0;
    for (const auto& m : received) n += std::holds_alternative<T>(m) ? 1 : 0;
    return n;
  }

  std::unique_ptr<net::NetHost> host;
  std::vector<proto::Message> received;
  int disconnects = 0;
};

class BotClientTest : public ::testing::Test {
 protected:
  BotClientTest() : maps_{qbot::test::test_map()} {
    catalog_ = qbot::test::test_catalog();
    net::HostConfig hc;
    hc.max_peers = 4;
    host_ = std::move(net::NetHost::create(hc).value());
    ctx_ = std::make_unique<ShardContext>(ShardContext{*host_, encoder_, stats_});
  }

  BotClient& make_bot(Role role, QueuePlan queue = {}) {
    bot_ = std::make_unique<BotClient>(0, "bot0", 7, catalog_, maps_, role, front_.endpoint(), seconds(10), queue);
    return *bot_;
  }

  /// Services the bot's host (events to the bot, as Fleet does) and both
  /// servers until `done` holds; false after a real-time deadline.
  template <class Pred>
  bool pump_until(Pred done) {
    return qbot::test::eventually(
        [&] {
          // Connecting starts with the cookie exchange, which the bot drives from its tick.
          if (bot_->state() == BotState::Connecting) bot_->on_tick(*ctx_, now_, 60);
          net::NetEvent ev;
          while (host_->service(ev, 1)) {
            if (ev.peer.peer != bot_->peer().peer) continue;
            switch (ev.type) {
              case net::NetEvent::Type::Connect: bot_->on_connect(*ctx_); break;
              case net::NetEvent::Type::Receive: bot_->on_packet(*ctx_, ev.channel, ev.packet.bytes(), now_); break;
              case net::NetEvent::Type::Disconnect: bot_->on_disconnect(*ctx_, ev.data); break;
              case net::NetEvent::Type::None: break;
            }
          }
          front_.poll();
          match_.poll();
          return done();
        },
        seconds(5), milliseconds(1));
  }

  /// The server says `m` (encoded and decoded as on the wire).
  template <class M>
  void say(const M& m) {
    const auto bytes = encoder_.encode(m);
    const std::vector<std::uint8_t> copy(bytes.begin(), bytes.end());
    // Snapshots travel on the game channel, everything else the server says on the control channel.
    const std::uint8_t channel = std::is_same_v<M, proto::Snapshot> ? net::kGameChannel : net::kControlChannel;
    // A test message the codec refuses would test nothing: fail loudly.
    auto valid = proto::decode(copy, proto::Sender::Server, channel);
    ASSERT_TRUE(valid.ok()) << valid.error().describe();
    bot_->on_packet(*ctx_, channel, copy, now_);
  }

  static proto::Welcome match_welcome(std::uint16_t entity) {
    proto::Welcome w;
    w.protocol_version = proto::kProtocolVersion;
    w.entity_id = entity;
    w.tick_rate = 60;
    w.snapshot_interval = 1;
    w.map_name = "testbox";
    w.reconnect_token.assign(proto::kReconnectTokenBytes, 0x5a);
    return w;
  }

  /// Direct join up to Playing (entity 3).
  void join_directly(BotClient& bot) {
    bot.start(*ctx_, now_);
    ASSERT_TRUE(pump_until([&] { return front_.last<proto::Hello>() != nullptr; }));
    say(match_welcome(3));
    ASSERT_EQ(bot.state(), BotState::Playing);
  }

  /// Snapshot for `tick` with our entity 3 at x = tick metres (full, no baseline).
  proto::Snapshot snapshot(std::uint32_t tick, std::uint32_t last_input, std::vector<std::uint8_t>& storage) {
    proto::Frame f;
    f.tick = tick;
    f.last_input = last_input;
    proto::EntityState me;
    me.id = 3;
    me.f[proto::kX] = proto::quantize_pos(static_cast<float>(tick));
    me.f[proto::kY] = proto::quantize_pos(10.0f);
    me.f[proto::kHp] = 100;
    me.f[proto::kFlags] = proto::kAlive;
    f.entities = {me};
    proto::Frame view;
    proto::encode_snapshot(nullptr, f, 60, {}, storage, view);
    return proto::Snapshot{tick, storage};
  }

  qbot::sim::Catalog catalog_;
  std::vector<qbot::sim::Map> maps_;
  LoopbackServer front_, match_;
  std::unique_ptr<net::NetHost> host_;
  proto::Encoder encoder_;
  ShardStats stats_;
  std::unique_ptr<ShardContext> ctx_;
  std::unique_ptr<BotClient> bot_;
  std::chrono::nanoseconds now_{seconds(100)};  // virtual time of the bot's timers
};

}  // namespace

TEST_F(BotClientTest, DirectJoinGoesConnectingAwaitingWelcomePlayingAndSendsAGuestHello) {
  BotClient& bot = make_bot(Role::Fight);
  EXPECT_EQ(bot.state(), BotState::Idle);
  bot.start(*ctx_, now_);
  EXPECT_EQ(bot.state(), BotState::Connecting);
  EXPECT_EQ(stats_.started.load(), 1u);

  ASSERT_TRUE(pump_until([&] { return front_.last<proto::Hello>() != nullptr; }));
  EXPECT_EQ(bot.state(), BotState::AwaitingWelcome);
  const proto::Hello& hello = *front_.last<proto::Hello>();
  EXPECT_EQ(hello.protocol_version, proto::kProtocolVersion);
  EXPECT_EQ(hello.guest_name, "bot0");
  EXPECT_TRUE(hello.loadout.has_value());
  EXPECT_FALSE(hello.lobby);
  EXPECT_TRUE(hello.join_token.empty());

  say(match_welcome(3));
  EXPECT_EQ(bot.state(), BotState::Playing);
  EXPECT_EQ(bot.server_tick_rate(), 60);
  EXPECT_EQ(stats_.welcomed.load(), 1u);
  EXPECT_EQ(stats_.playing.load(), 1u);
  // A second Welcome on the same connection is not a second join.
  say(match_welcome(3));
  EXPECT_EQ(stats_.welcomed.load(), 1u);
  EXPECT_EQ(stats_.playing.load(), 1u);
}

TEST_F(BotClientTest, PlayingSendsOneInputPerTickWithTheLastFourCommands) {
  BotClient& bot = make_bot(Role::Idle);
  join_directly(bot);
  for (int tick = 1; tick <= 6; ++tick) {
    bot.on_tick(*ctx_, now_, 60);
    bot.on_tick(*ctx_, now_, 60);  // a second wake-up within the same tick sends nothing
    now_ += milliseconds(17);
    const std::size_t want = static_cast<std::size_t>(tick);
    ASSERT_TRUE(pump_until([&] { return front_.count<proto::Input>() == want; })) << "tick " << tick;
    const proto::Input& in = *front_.last<proto::Input>();
    const std::size_t redundant = std::min<std::size_t>(want, BotClient::kRedundancy);
    ASSERT_EQ(in.count, redundant);
    for (std::size_t i = 0; i < redundant; ++i) {
      EXPECT_EQ(in.commands[i].sequence, want - redundant + 1 + i) << "oldest first";
    }
  }
  EXPECT_EQ(stats_.inputs_sent.load(), 6u);
}

TEST_F(BotClientTest, InputAcksTheNewestSnapshotAndIgnoresLateOnes) {
  BotClient& bot = make_bot(Role::Idle);
  join_directly(bot);
  std::vector<std::uint8_t> a, b, c;
  say(snapshot(50, 0, a));
  say(snapshot(40, 0, b));  // late
  EXPECT_EQ(stats_.snapshots.load(), 2u) << "both decode";
  bot.on_tick(*ctx_, now_, 60);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::Input>() == 1; }));
  EXPECT_EQ(front_.last<proto::Input>()->ack_snapshot, 50u) << "the late one is no baseline";

  say(snapshot(51, 0, c));
  now_ += milliseconds(17);
  bot.on_tick(*ctx_, now_, 60);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::Input>() == 2; }));
  EXPECT_EQ(front_.last<proto::Input>()->ack_snapshot, 51u);
  EXPECT_EQ(stats_.snapshot_errors.load(), 0u);
}

TEST_F(BotClientTest, UndecodablePacketsAreCountedNotFatal) {
  BotClient& bot = make_bot(Role::Idle);
  join_directly(bot);
  const std::vector<std::uint8_t> garbage{0xde, 0xad, 0xbe, 0xef, 0x00, 0x01};
  bot.on_packet(*ctx_, net::kGameChannel, garbage, now_);
  bot.on_packet(*ctx_, net::kControlChannel, garbage, now_);
  EXPECT_EQ(stats_.snapshot_errors.load(), 2u);
  EXPECT_EQ(bot.state(), BotState::Playing);
}

TEST_F(BotClientTest, AStuckHandshakeFailsAtItsDeadline) {
  BotClient& bot = make_bot(Role::Fight);
  bot.start(*ctx_, now_);  // nothing is pumped: no Connect ever arrives
  bot.on_tick(*ctx_, now_ + seconds(9), 60);
  EXPECT_EQ(bot.state(), BotState::Connecting);
  bot.on_tick(*ctx_, now_ + seconds(10), 60);
  EXPECT_EQ(bot.state(), BotState::Failed);
  EXPECT_EQ(stats_.failed.load(), 1u);
}

TEST_F(BotClientTest, ARejectIsCountedByReason) {
  BotClient& bot = make_bot(Role::Fight);
  bot.start(*ctx_, now_);
  ASSERT_TRUE(pump_until([&] { return bot.state() == BotState::AwaitingWelcome; }));
  say(proto::Reject{proto::RejectReason::ServerFull, "full"});
  EXPECT_EQ(stats_.rejects[static_cast<std::size_t>(proto::RejectReason::ServerFull)].load(), 1u);
  bot.on_disconnect(*ctx_, 0);  // the server then closes the connection
  EXPECT_EQ(bot.state(), BotState::Failed);
  EXPECT_EQ(stats_.failed.load(), 1u);
}

TEST_F(BotClientTest, DisconnectWhilePlayingIsGoneAndCounted) {
  BotClient& bot = make_bot(Role::Fight);
  join_directly(bot);
  bot.on_disconnect(*ctx_, 0);
  EXPECT_EQ(bot.state(), BotState::Gone);
  EXPECT_EQ(stats_.disconnects.load(), 1u);
  EXPECT_EQ(stats_.playing.load(), 0u);
}

TEST_F(BotClientTest, ChurnLeavesThenRejoinsAsANewConnectionCountedAsARejoin) {
  BotClient& bot = make_bot(Role::Churn);
  join_directly(bot);
  // Churn bots stay 5..15 s, then leave for 1..3 s.
  bot.on_tick(*ctx_, now_ + seconds(4), 60);
  EXPECT_EQ(bot.state(), BotState::Playing);
  now_ += seconds(15);
  bot.on_tick(*ctx_, now_, 60);
  EXPECT_EQ(bot.state(), BotState::Away);
  EXPECT_EQ(stats_.playing.load(), 0u);
  ASSERT_TRUE(pump_until([&] { return front_.disconnects == 1; })) << "it really left";

  now_ += seconds(3);
  bot.on_tick(*ctx_, now_, 60);
  EXPECT_EQ(bot.state(), BotState::Connecting);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::Hello>() == 2; }));
  say(match_welcome(4));
  EXPECT_EQ(bot.state(), BotState::Playing);
  EXPECT_EQ(stats_.welcomed.load(), 1u) << "welcomed counts bots";
  EXPECT_EQ(stats_.rejoins.load(), 1u);
  EXPECT_EQ(stats_.playing.load(), 1u);
}

TEST_F(BotClientTest, QueueGoesLobbyGarageQueueMatchAndBackToTheFrontDoor) {
  QueuePlan plan;
  plan.enabled = true;
  plan.mode = proto::GameMode::TeamDeathmatch;
  plan.region = "eu";
  plan.matches = 2;
  BotClient& bot = make_bot(Role::Fight, plan);
  bot.start(*ctx_, now_);
  ASSERT_TRUE(pump_until([&] { return front_.last<proto::Hello>() != nullptr; }));
  EXPECT_TRUE(front_.last<proto::Hello>()->lobby);
  EXPECT_TRUE(front_.last<proto::Hello>()->guest_name.empty());

  proto::Welcome lobby;
  lobby.tick_rate = 60;
  lobby.lobby = true;
  lobby.account_token = {7, 7, 7};
  say(lobby);
  EXPECT_EQ(bot.state(), BotState::InLobby);
  EXPECT_EQ(stats_.welcomed.load(), 1u);
  ASSERT_TRUE(pump_until([&] { return front_.last<proto::GarageRequest>() != nullptr; }));
  EXPECT_EQ(front_.last<proto::GarageRequest>()->op, proto::GarageOp::Create);
  ASSERT_TRUE(front_.last<proto::GarageRequest>()->loadout.has_value());
  const proto::Loadout built = *front_.last<proto::GarageRequest>()->loadout;

  proto::GarageReply created;
  created.status = proto::GarageStatus::Ok;
  created.bot = 42;
  say(created);
  ASSERT_TRUE(pump_until([&] { return front_.last<proto::QueueRequest>() != nullptr; }));
  EXPECT_EQ(front_.last<proto::QueueRequest>()->mode, proto::GameMode::TeamDeathmatch);
  EXPECT_EQ(front_.last<proto::QueueRequest>()->region, "eu");
  EXPECT_EQ(front_.last<proto::QueueRequest>()->bot_id, 42u);

  // Refused: a second later, look in the garage; our bot is still there, so queue it again.
  proto::QueueStatus refused;
  refused.state = proto::QueueState::Refused;
  say(refused);
  EXPECT_EQ(stats_.queue_refusals.load(), 1u);
  bot.on_tick(*ctx_, now_ + milliseconds(500), 60);
  bot.on_tick(*ctx_, now_ + seconds(1), 60);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::GarageRequest>() == 2; }));
  EXPECT_EQ(front_.last<proto::GarageRequest>()->op, proto::GarageOp::List);
  proto::GarageReply listed;
  listed.request_id = front_.last<proto::GarageRequest>()->request_id;
  listed.status = proto::GarageStatus::Ok;
  listed.bots.push_back(proto::GarageBot{42, built, 0, 0, 0, 0});
  say(listed);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::QueueRequest>() == 2; }));
  EXPECT_EQ(front_.last<proto::QueueRequest>()->bot_id, 42u);
  EXPECT_EQ(stats_.bots_recreated.load(), 0u);

  proto::MatchAssigned assigned;
  assigned.host = "127.0.0.1";
  assigned.port = match_.endpoint().port;
  assigned.match_id = 77;
  assigned.join_token = {9, 9};
  now_ += seconds(2);
  say(assigned);
  EXPECT_EQ(bot.state(), BotState::Connecting);
  ASSERT_TRUE(pump_until([&] { return match_.last<proto::Hello>() != nullptr && front_.disconnects == 1; }))
      << "the bot leaves the front door for the match server";
  EXPECT_EQ(match_.last<proto::Hello>()->join_token, (std::vector<std::uint8_t>{9, 9}));
  EXPECT_FALSE(match_.last<proto::Hello>()->lobby);

  say(match_welcome(5));
  EXPECT_EQ(bot.state(), BotState::Playing);
  EXPECT_EQ(stats_.welcomed.load(), 1u) << "a match leg is no new bot";
  EXPECT_EQ(stats_.playing.load(), 1u);

  proto::MatchEvent ended{900, proto::MatchEnded{77, proto::EndReason::TimeLimit, 0, {}}};
  say(ended);
  EXPECT_EQ(stats_.matches_played.load(), 1u);
  EXPECT_EQ(stats_.playing.load(), 0u);
  EXPECT_EQ(bot.state(), BotState::Connecting) << "one more match to play: back to the front door";
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::Hello>() == 2; }));
  EXPECT_EQ(front_.last<proto::Hello>()->account_token, (std::vector<std::uint8_t>{7, 7, 7})) << "same account";
  say(lobby);
  EXPECT_EQ(bot.state(), BotState::InLobby);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::QueueRequest>() == 3; }));
  EXPECT_EQ(front_.count<proto::GarageRequest>(), 2u) << "the garage bot exists already: no Create (one List)";
  EXPECT_EQ(front_.last<proto::GarageRequest>()->op, proto::GarageOp::List);
}

TEST_F(BotClientTest, QueueRefusedForAVanishedGarageBotBuildsItAgainAndQueuesTheNewId) {
  QueuePlan plan;
  plan.enabled = true;
  BotClient& bot = make_bot(Role::Fight, plan);
  bot.start(*ctx_, now_);
  ASSERT_TRUE(pump_until([&] { return front_.last<proto::Hello>() != nullptr; }));
  proto::Welcome lobby;
  lobby.tick_rate = 60;
  lobby.lobby = true;
  say(lobby);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::GarageRequest>() == 1; }));
  proto::GarageReply created;
  created.request_id = front_.last<proto::GarageRequest>()->request_id;
  created.bot = 42;
  say(created);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::QueueRequest>() == 1; }));

  // The store forgot the bot (Redis came back empty): the lobby refuses it.
  proto::QueueStatus refused;
  refused.state = proto::QueueState::Refused;
  refused.text = "no bot 42 in your garage";
  say(refused);
  bot.on_tick(*ctx_, now_ + seconds(1), 60);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::GarageRequest>() == 2; }));
  EXPECT_EQ(front_.last<proto::GarageRequest>()->op, proto::GarageOp::List);
  EXPECT_EQ(front_.count<proto::QueueRequest>(), 1u) << "the dead id must not be queued again";
  proto::GarageReply empty;
  empty.request_id = front_.last<proto::GarageRequest>()->request_id;
  say(empty);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::GarageRequest>() == 3; }));
  EXPECT_EQ(front_.last<proto::GarageRequest>()->op, proto::GarageOp::Create);
  EXPECT_TRUE(front_.last<proto::GarageRequest>()->loadout.has_value());
  EXPECT_EQ(stats_.bots_recreated.load(), 1u);

  proto::GarageReply rebuilt;
  rebuilt.request_id = front_.last<proto::GarageRequest>()->request_id;
  rebuilt.bot = 1;
  say(rebuilt);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::QueueRequest>() == 2; }));
  EXPECT_EQ(front_.last<proto::QueueRequest>()->bot_id, 1u);
}

TEST_F(BotClientTest, QueueEndsDoneAfterItsMatchesAndAMatchServerDropMeansQueueingAgain) {
  QueuePlan plan;
  plan.enabled = true;
  plan.matches = 1;
  BotClient& bot = make_bot(Role::Fight, plan);
  bot.start(*ctx_, now_);
  ASSERT_TRUE(pump_until([&] { return bot.state() == BotState::AwaitingWelcome; }));
  proto::Welcome lobby;
  lobby.tick_rate = 60;
  lobby.lobby = true;
  say(lobby);
  proto::MatchAssigned assigned;
  assigned.host = "127.0.0.1";
  assigned.port = match_.endpoint().port;
  assigned.match_id = 78;
  assigned.join_token = {1};
  say(assigned);
  ASSERT_TRUE(pump_until([&] { return bot.state() == BotState::AwaitingWelcome; }));
  say(match_welcome(5));
  ASSERT_EQ(bot.state(), BotState::Playing);

  // The match server goes away before MatchEnded: back to the front door.
  bot.on_disconnect(*ctx_, 0);
  EXPECT_EQ(bot.state(), BotState::Away);
  EXPECT_EQ(stats_.disconnects.load(), 1u);
  bot.on_tick(*ctx_, now_, 60);
  EXPECT_EQ(bot.state(), BotState::Connecting);
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::Hello>() == 2; }));
  EXPECT_TRUE(front_.last<proto::Hello>()->lobby);

  say(lobby);
  say(assigned);
  ASSERT_TRUE(pump_until([&] { return bot.state() == BotState::AwaitingWelcome; }));
  say(match_welcome(6));
  say(proto::MatchEvent{900, proto::MatchEnded{78, proto::EndReason::ScoreLimit, 0, {}}});
  EXPECT_EQ(bot.state(), BotState::Done);
  EXPECT_EQ(stats_.done.load(), 1u);
  EXPECT_EQ(stats_.matches_played.load(), 1u);
  EXPECT_EQ(stats_.matches_ended.load(), 1u);
}

TEST_F(BotClientTest, AMatchResultSeenTwiceIsCountedAsADuplicate) {
  BotClient& bot = make_bot(Role::Fight);
  join_directly(bot);
  const proto::MatchEvent ended{900, proto::MatchEnded{5, proto::EndReason::TimeLimit, 0, {}}};
  say(ended);
  say(ended);
  EXPECT_EQ(stats_.matches_ended.load(), 1u);
  EXPECT_EQ(stats_.match_results_duplicated.load(), 1u);
}

TEST_F(BotClientTest, SnapshotPacingFeedbackIsCountedOnceAndOnlyFromInOrderSnapshots) {
  BotClient& bot = make_bot(Role::Idle);
  join_directly(bot);
  std::vector<std::uint8_t> a, b, c, d;
  proto::Snapshot s50 = snapshot(50, 0, a);
  s50.input_queue = 3;
  s50.inputs_dropped = 5;
  say(s50);
  proto::Snapshot s51 = snapshot(51, 0, b);
  s51.input_queue = 2;
  s51.inputs_dropped = 7;
  say(s51);
  proto::Snapshot late = snapshot(49, 0, c);  // reordered: its figures are old news
  late.input_queue = 0;
  late.inputs_dropped = 6;
  say(late);
  proto::Snapshot s52 = snapshot(52, 0, d);
  s52.input_queue = 1;
  s52.inputs_dropped = 7;
  say(s52);
  EXPECT_EQ(stats_.inputs_dropped.load(), 7u) << "the growth of the cumulative count";
  std::lock_guard lock(stats_.mu);
  EXPECT_EQ(stats_.input_queue.count(), 3u);
  EXPECT_EQ(stats_.input_queue.max(), 3u);
}

TEST_F(BotClientTest, APlannedStallSendsNothingThenResumesAtTheNormalCadence) {
  BotClient& bot = make_bot(Role::Idle);
  bot.set_stall(StallPlan{milliseconds(100), milliseconds(200), false});
  join_directly(bot);
  const auto welcomed = now_;
  std::uint64_t sent_in_stall = 0;
  for (int i = 0; i < 30; ++i) {  // 30 ticks of 17 ms: 510 ms
    const std::uint64_t before = stats_.inputs_sent.load();
    bot.on_tick(*ctx_, now_, 60);
    const auto since = now_ - welcomed;
    if (since >= milliseconds(100) && since < milliseconds(300)) sent_in_stall += stats_.inputs_sent.load() - before;
    now_ += milliseconds(17);
  }
  ASSERT_TRUE(pump_until([&] { return front_.count<proto::Input>() == stats_.inputs_sent.load(); }));
  EXPECT_EQ(sent_in_stall, 0u);
  EXPECT_EQ(stats_.input_stalls.load(), 1u);
  // 30 wake-ups, 12 of them inside the stall (100..300 ms): one command each for the other 18.
  EXPECT_EQ(stats_.inputs_sent.load(), 18u);
  // The first Input after the stall carries the next sequence, not a burst of the missed ones.
  const proto::Input& last = *front_.last<proto::Input>();
  EXPECT_EQ(last.commands[last.count - 1].sequence, 18u);
}

TEST_F(BotClientTest, AFrontDoorThatDropsAQueueingBotSendsItToTheNextFrontDoor) {
  QueuePlan plan;
  plan.enabled = true;
  plan.front_doors = {front_.endpoint(), match_.endpoint()};  // two front doors: ours first
  BotClient& bot = make_bot(Role::Fight, plan);
  bot.start(*ctx_, now_);
  ASSERT_TRUE(pump_until([&] { return bot.state() == BotState::AwaitingWelcome; }));
  proto::Welcome lobby;
  lobby.tick_rate = 60;
  lobby.lobby = true;
  say(lobby);
  ASSERT_EQ(bot.state(), BotState::InLobby);

  bot.on_disconnect(*ctx_, 0);  // our front door died while we waited
  EXPECT_EQ(bot.state(), BotState::Away);
  EXPECT_EQ(stats_.front_door_losses.load(), 1u);
  EXPECT_EQ(stats_.failed.load(), 0u) << "a lost front door is not a failed bot";
  bot.on_tick(*ctx_, now_, 60);
  EXPECT_EQ(bot.state(), BotState::Connecting);
  ASSERT_TRUE(pump_until([&] { return match_.count<proto::Hello>() == 1; }));
  EXPECT_TRUE(match_.last<proto::Hello>()->lobby) << "the next front door, through its lobby";
  EXPECT_EQ(front_.count<proto::Hello>(), 1u);
}

TEST_F(BotClientTest, AQueueingBotTriesTheNextFrontDoorWhenOneDoesNotAnswerAndFailsWhenNoneDoes) {
  QueuePlan plan;
  plan.enabled = true;
  plan.front_doors = {front_.endpoint(), match_.endpoint()};
  BotClient& bot = make_bot(Role::Fight, plan);
  bot.start(*ctx_, now_);  // nothing is pumped: the first front door never answers
  bot.on_tick(*ctx_, now_ + seconds(10), 60);
  EXPECT_EQ(bot.state(), BotState::Away) << "not failed: there is another front door";
  EXPECT_EQ(stats_.front_door_losses.load(), 1u);
  bot.on_tick(*ctx_, now_ + seconds(10), 60);
  EXPECT_EQ(bot.state(), BotState::Connecting);
  // The second does not answer either: every door was tried, the bot fails.
  bot.on_tick(*ctx_, now_ + seconds(20), 60);
  EXPECT_EQ(bot.state(), BotState::Failed);
  EXPECT_EQ(stats_.failed.load(), 1u);
}

TEST_F(BotClientTest, AQueueingBotWhoseFirstFrontDoorDoesNotAnswerQueuesThroughTheNext) {
  QueuePlan plan;
  plan.enabled = true;
  plan.front_doors = {front_.endpoint(), match_.endpoint()};
  BotClient& bot = make_bot(Role::Fight, plan);
  bot.start(*ctx_, now_);
  bot.on_tick(*ctx_, now_ + seconds(10), 60);
  bot.on_tick(*ctx_, now_ + seconds(10), 60);
  ASSERT_TRUE(pump_until([&] { return match_.count<proto::Hello>() == 1; }));
  EXPECT_TRUE(match_.last<proto::Hello>()->lobby);
  EXPECT_EQ(stats_.failed.load(), 0u);
}
