// The real Server (real ENet sockets on loopback) driven on virtual time:
// the test owns the clock, so tick timing is exact and nothing sleeps.
#include <gtest/gtest.h>
#include <prometheus/registry.h>

#include "proto/version.h"
#include "server/server.h"
#include "server/store/memory_store.h"
#include "test_client.h"
#include "wait.h"

using namespace qbot;
using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

class ServerLoop : public ::testing::Test {
 protected:
  void start(Config cfg = {}) {
    cfg.bind = "127.0.0.1";
    cfg.port = 0;
    cfg.metrics_port = 0;
    cfg.server_id = "test-server";
    cfg.net_thread = false;  // virtual time: the test pumps the network itself
    auto content = load_game_content(cfg);
    ASSERT_TRUE(content) << content.error();
    content_ = std::make_unique<GameContent>(std::move(content.value()));
    server_ = std::make_unique<Server>(
        cfg, *content_, metrics_, store_, [this] { return now_; }, UnixClock{}, &health_);
    auto ok = server_->start();
    ASSERT_TRUE(ok.ok()) << ok.error();
  }
  /// Lets the server handle pending packets without advancing time.
  void pump() { server_->run_once(0ms); }
  /// Advances virtual time by `ticks` tick periods, running each tick.
  void advance_ticks(int ticks) {
    const auto step = std::chrono::nanoseconds(1'000'000'000LL / server_->config().tick_rate);
    for (int i = 0; i < ticks; ++i) {
      now_ += step;
      pump();
    }
  }
  std::unique_ptr<test::TestClient> client() {
    auto c = std::make_unique<test::TestClient>([this] { pump(); });
    EXPECT_TRUE(c->connect({"127.0.0.1", server_->port()}));
    return c;
  }
  double rejects(proto::RejectReason r) { return metrics_.reject(r).Value(); }

  std::chrono::nanoseconds now_{10s};
  prometheus::Registry registry_;
  Metrics metrics_{registry_};
  MemoryStore store_{[this] { return std::chrono::duration_cast<std::chrono::milliseconds>(now_); }};
  HealthSignals health_{HealthSignals::stale_after_for(60)};
  std::unique_ptr<GameContent> content_;
  std::unique_ptr<Server> server_;
};

proto::Hello hello(std::uint16_t version, std::string name) {
  proto::Hello h;
  h.protocol_version = version;
  h.guest_name = std::move(name);
  return h;
}

}  // namespace

TEST_F(ServerLoop, RunsExactlyTickRateTicksPerVirtualSecond) {
  Config cfg;
  cfg.tick_rate = 60;
  start(cfg);
  const double before = metrics_.ticks.Value();
  for (int ms = 0; ms < 1000; ++ms) {
    now_ += 1ms;
    pump();
  }
  EXPECT_EQ(metrics_.ticks.Value() - before, 60.0);
  EXPECT_EQ(metrics_.ticks_skipped.Value(), 0.0);
}

TEST_F(ServerLoop, AStallIsCaughtUpToTheCapAndTheRestIsCounted) {
  Config cfg;
  cfg.tick_rate = 100;
  cfg.max_catch_up_ticks = 5;
  start(cfg);
  now_ += 1s;  // the process was stopped for a second
  pump();
  pump();  // metrics are published by the tick that follows
  now_ += 10ms;
  pump();
  EXPECT_EQ(metrics_.ticks.Value(), 6.0);
  EXPECT_EQ(metrics_.ticks_skipped.Value(), 95.0);
}

TEST_F(ServerLoop, GuestIsWelcomedAndGetsOneSnapshotPerTick) {
  start();
  auto c = client();
  c->send(hello(proto::kProtocolVersion, "ada"));
  auto w = c->receive_a<proto::Welcome>();
  ASSERT_TRUE(w);
  EXPECT_EQ(w->tick_rate, 60);
  EXPECT_EQ(w->entity_id, 1);
  EXPECT_EQ(w->map_name, content_->maps.front().map.name);
  EXPECT_EQ(w->catalog_version, content_->catalog.catalog.version);
  EXPECT_EQ(server_->player_count(), 1u);

  core::Tick last = 0;
  for (int i = 0; i < 30; ++i) {
    advance_ticks(1);
    auto s = c->receive_a<proto::Snapshot>(1s);
    ASSERT_TRUE(s) << "no snapshot after tick " << i;
    EXPECT_EQ(s->server_tick, last == 0 ? s->server_tick : last + 1);
    last = s->server_tick;
  }
}

TEST_F(ServerLoop, ChosenLoadoutIsAnnouncedAndAnInvalidOneRejectedWithTheReason) {
  start();
  const sim::Catalog& cat = content_->catalog.catalog;
  auto c = client();
  proto::Hello h = hello(proto::kProtocolVersion, "ada");
  h.loadout = proto::Loadout{"Rusty",           cat.chassis.back().id, cat.weapons[0].id,
                             cat.weapons[1].id, cat.modules.back().id, 0x336699};
  c->send(h);
  ASSERT_TRUE(c->receive_a<proto::Welcome>());
  std::optional<proto::PlayerJoined> joined;
  for (int i = 0; i < 4 && !joined; ++i) {
    auto e = c->receive_a<proto::MatchEvent>(1s);
    ASSERT_TRUE(e);
    if (auto* j = std::get_if<proto::PlayerJoined>(&e->body)) joined = *j;
  }
  ASSERT_TRUE(joined);
  EXPECT_EQ(joined->loadout, *h.loadout);
  EXPECT_EQ(joined->name, "Rusty");

  const auto refused = [&](proto::Loadout l) {
    auto bad = client();
    proto::Hello bh = hello(proto::kProtocolVersion, "eve");
    bh.loadout = std::move(l);
    bad->send(bh);
    auto r = bad->receive_a<proto::Reject>();
    EXPECT_TRUE(r);
    if (!r) return std::string();
    EXPECT_EQ(r->reason, proto::RejectReason::InvalidLoadout);
    return r->text;
  };
  proto::Loadout unknown = *h.loadout;
  unknown.chassis = "hovercraft";
  EXPECT_NE(refused(unknown).find("hovercraft"), std::string::npos);
  proto::Loadout bad_name = *h.loadout;
  bad_name.name = "bad\x01name";
  EXPECT_NE(refused(bad_name).find("name"), std::string::npos);
  EXPECT_EQ(rejects(proto::RejectReason::InvalidLoadout), 2.0);
}

TEST_F(ServerLoop, WrongProtocolVersionGetsARejectWithTheReason) {
  start();
  auto ok_client = client();
  ASSERT_TRUE(ok_client->join("good"));

  auto bad = client();
  bad->send(hello(proto::kProtocolVersion + 1, "future"));
  auto r = bad->receive_a<proto::Reject>();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, proto::RejectReason::ProtocolMismatch);
  std::uint32_t data = 0;
  EXPECT_TRUE(bad->wait_disconnect(2s, &data));
  EXPECT_EQ(data, static_cast<std::uint32_t>(proto::RejectReason::ProtocolMismatch));
  EXPECT_EQ(rejects(proto::RejectReason::ProtocolMismatch), 1.0);

  // The other client is unaffected.
  advance_ticks(1);
  EXPECT_TRUE(ok_client->receive_a<proto::Snapshot>(1s));
}

TEST_F(ServerLoop, GarbageAndTruncatedPacketsAreRejectedAndCounted) {
  start();
  auto ok_client = client();
  ASSERT_TRUE(ok_client->join("good"));

  // A 12-byte packet is too small to be answered with a Reject (we never
  // send an unauthenticated peer more than it sent), so the reason travels
  // in the ENet disconnect.
  auto garbage = client();
  const std::vector<std::uint8_t> junk{0xde, 0xad, 0xbe, 0xef, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08};
  garbage->send_raw(junk);
  std::uint32_t data = 0;
  EXPECT_TRUE(garbage->wait_disconnect(2s, &data));
  EXPECT_EQ(data, static_cast<std::uint32_t>(proto::RejectReason::BadMessage));

  auto truncated = client();
  proto::Encoder enc;
  auto full = enc.encode(hello(proto::kProtocolVersion, "cut"));
  truncated->send_raw(full.first(full.size() / 2));
  EXPECT_TRUE(truncated->wait_disconnect(2s, &data));
  EXPECT_EQ(data, static_cast<std::uint32_t>(proto::RejectReason::BadMessage));

  EXPECT_EQ(metrics_.decode_error(proto::DecodeErrorKind::Malformed).Value(), 2.0);
  EXPECT_EQ(rejects(proto::RejectReason::BadMessage), 2.0);
  advance_ticks(1);
  EXPECT_TRUE(ok_client->receive_a<proto::Snapshot>(1s));
}

TEST_F(ServerLoop, SilentClientIsDroppedAfterTheHelloTimeout) {
  Config cfg;
  cfg.hello_timeout_ms = 2000;
  start(cfg);
  auto ok_client = client();
  ASSERT_TRUE(ok_client->join("good"));
  auto silent = client();
  advance_ticks(60);  // 1 s: still within the deadline
  EXPECT_EQ(server_->session_count(), 2u);
  advance_ticks(70);  // past 2 s
  std::uint32_t data = 0;
  EXPECT_TRUE(silent->wait_disconnect(2s, &data));
  EXPECT_EQ(data, static_cast<std::uint32_t>(proto::RejectReason::HelloTimeout));
  EXPECT_EQ(rejects(proto::RejectReason::HelloTimeout), 1.0);
  // It never sent a byte, so it got no Reject payload back (no amplification).
  EXPECT_EQ(silent->undecodable(), 0u);
  advance_ticks(1);
  EXPECT_TRUE(ok_client->receive_a<proto::Snapshot>(1s));
}

TEST_F(ServerLoop, InputBeforeHelloIsNotWelcomed) {
  start();
  auto c = client();
  proto::Input in;
  in.count = 1;
  in.commands[0].sequence = 1;
  c->send(in, net::kGameChannel, net::Delivery::Reliable);
  std::uint32_t data = 0;
  EXPECT_TRUE(c->wait_disconnect(2s, &data));
  EXPECT_EQ(data, static_cast<std::uint32_t>(proto::RejectReason::NotWelcomed));
}

TEST_F(ServerLoop, BadNamesAreRefusedWithInvalidName) {
  start();
  for (const std::string& name : {std::string(""), std::string("tab\there"), std::string(40, 'x')}) {
    auto c = client();
    c->send(hello(proto::kProtocolVersion, name));
    auto r = c->receive_a<proto::Reject>();
    ASSERT_TRUE(r) << "name '" << name << "'";
    EXPECT_EQ(r->reason, proto::RejectReason::InvalidName);
  }
}

TEST_F(ServerLoop, ArenasFillUpAndNewOnesOpen) {
  Config cfg;
  cfg.arena_size = 2;
  start(cfg);
  std::vector<std::unique_ptr<test::TestClient>> clients;
  std::vector<std::uint32_t> arenas;
  for (int i = 0; i < 5; ++i) {
    clients.push_back(client());
    auto w = clients.back()->join("p" + std::to_string(i));
    ASSERT_TRUE(w);
    arenas.push_back(w->arena_id);
  }
  EXPECT_EQ(arenas, (std::vector<std::uint32_t>{1, 1, 2, 2, 3}));
  EXPECT_EQ(server_->arena_count(), 3u);
}

TEST_F(ServerLoop, ServerFullIsAnsweredWithAReason) {
  Config cfg;
  cfg.max_clients = 2;
  start(cfg);
  auto a = client();
  auto b = client();
  ASSERT_TRUE(a->join("a"));
  ASSERT_TRUE(b->join("b"));
  auto c = client();
  c->send(hello(proto::kProtocolVersion, "c"));
  auto r = c->receive_a<proto::Reject>();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, proto::RejectReason::ServerFull);
}

TEST_F(ServerLoop, AnInputFloodAppliesAtMostOneCommandPerTick) {
  start();
  auto c = client();
  ASSERT_TRUE(c->join("speedy"));
  std::uint32_t seq = 1;
  for (int burst = 0; burst < 20; ++burst) {
    proto::Input in;
    in.count = 8;
    for (int i = 0; i < 8; ++i) {
      in.commands[static_cast<std::size_t>(i)].sequence = seq++;
      in.commands[static_cast<std::size_t>(i)].move_x = 127;
    }
    c->send(in, net::kGameChannel, net::Delivery::Reliable);
  }
  for (int i = 0; i < 20; ++i) pump();
  const double applied_before = metrics_.inputs_applied.Value();
  advance_ticks(10);
  EXPECT_LE(metrics_.inputs_applied.Value() - applied_before, 10.0);
  EXPECT_GT(metrics_.inputs_dropped_burst.Value(), 100.0);
}

TEST_F(ServerLoop, ShutdownRejectsEveryoneWithShuttingDown) {
  start();
  auto c = client();
  ASSERT_TRUE(c->join("a"));
  server_->shutdown(200ms);
  auto r = c->receive_a<proto::Reject>(2s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, proto::RejectReason::ShuttingDown);
}

TEST_F(ServerLoop, ADroppedPlayerReconnectsWithinTheGracePeriodAndGetsItsBotBack) {
  Config cfg;
  cfg.reconnect_grace_s = 30;
  start(cfg);
  auto other = client();
  ASSERT_TRUE(other->join("other"));
  auto first = client();
  auto welcome = first->join("ada");
  ASSERT_TRUE(welcome);
  ASSERT_EQ(welcome->reconnect_token.size(), proto::kReconnectTokenBytes);
  EXPECT_FALSE(welcome->reconnected);

  first->drop();
  // The server notices the drop, keeps the bot: still 2 players.
  ASSERT_TRUE(test::eventually([&] {
    pump();
    return server_->session_count() == 2 && metrics_.clients_connected.Value() <= 2;
  }));
  advance_ticks(60 * 10);  // 10 s later, well within 30 s
  EXPECT_EQ(server_->player_count(), 2u);

  auto again = client();
  proto::Hello h = hello(proto::kProtocolVersion, "ada");
  h.reconnect_token = welcome->reconnect_token;
  again->send(h);
  auto back = again->receive_a<proto::Welcome>();
  ASSERT_TRUE(back);
  EXPECT_TRUE(back->reconnected);
  EXPECT_EQ(back->entity_id, welcome->entity_id);
  EXPECT_EQ(back->player_id, welcome->player_id);
  EXPECT_NE(back->reconnect_token, welcome->reconnect_token) << "tokens are single use";
  EXPECT_EQ(server_->player_count(), 2u);
  EXPECT_EQ(metrics_.reconnects.Value(), 1.0);
  advance_ticks(1);
  EXPECT_TRUE(again->receive_a<proto::Snapshot>(1s)) << "snapshots resume (a full one)";

  // The used token is dead.
  auto replay = client();
  proto::Hello old = hello(proto::kProtocolVersion, "ada");
  old.reconnect_token = welcome->reconnect_token;
  replay->send(old);
  auto r = replay->receive_a<proto::Reject>();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, proto::RejectReason::InvalidToken);
}

TEST_F(ServerLoop, AfterTheGracePeriodTheSlotIsFreedAndTheTokenRefused) {
  Config cfg;
  cfg.reconnect_grace_s = 5;
  start(cfg);
  auto first = client();
  auto welcome = first->join("ada");
  ASSERT_TRUE(welcome);
  first->drop();
  ASSERT_TRUE(test::eventually([&] {
    pump();
    return metrics_.clients_connected.Value() == 0;
  }));
  EXPECT_EQ(server_->player_count(), 1u) << "the bot waits for its player";
  advance_ticks(60 * 5 + 7);  // deadlines are checked every 6 ticks
  EXPECT_EQ(server_->player_count(), 0u);
  EXPECT_EQ(metrics_.orphans_expired.Value(), 1.0);

  auto late = client();
  proto::Hello h = hello(proto::kProtocolVersion, "ada");
  h.reconnect_token = welcome->reconnect_token;
  late->send(h);
  auto r = late->receive_a<proto::Reject>();
  ASSERT_TRUE(r);
  EXPECT_EQ(r->reason, proto::RejectReason::InvalidToken);
}

TEST_F(ServerLoop, AQuittingPlayerIsRemovedAtOnce) {
  start();
  auto c = client();
  ASSERT_TRUE(c->join("ada"));
  c->disconnect();
  ASSERT_TRUE(test::eventually([&] {
    pump();
    return server_->player_count() == 0;
  }));
}

TEST_F(ServerLoop, ArenasSteppedOnWorkerLanesGiveEveryPlayerOneSnapshotPerTick) {
  Config cfg;
  cfg.arena_size = 2;
  cfg.workers = 3;  // six players in three arenas, stepped on three lanes
  start(cfg);
  std::vector<std::unique_ptr<test::TestClient>> clients;
  for (int i = 0; i < 6; ++i) {
    clients.push_back(client());
    ASSERT_TRUE(clients.back()->join("w" + std::to_string(i)));
  }
  ASSERT_EQ(server_->arena_count(), 3u);
  const double before = metrics_.inputs_applied.Value();
  std::vector<core::Tick> last(clients.size(), 0);
  for (int t = 0; t < 20; ++t) {
    for (auto& c : clients) {
      proto::Input in;
      in.count = 1;
      in.commands[0].sequence = static_cast<std::uint32_t>(t + 1);
      c->send(in, net::kGameChannel, net::Delivery::Unreliable);
    }
    advance_ticks(1);
    for (std::size_t i = 0; i < clients.size(); ++i) {
      auto s = clients[i]->receive_a<proto::Snapshot>(1s);
      ASSERT_TRUE(s) << "player " << i << ", tick " << t;
      EXPECT_EQ(s->server_tick, last[i] == 0 ? s->server_tick : last[i] + 1);
      last[i] = s->server_tick;
    }
  }
  EXPECT_GE(metrics_.inputs_applied.Value() - before, 6.0 * 18) << "inputs of every lane are counted";
}

TEST_F(ServerLoop, TicksListeningAndTheStoreArePublishedToTheHealthSignals) {
  EXPECT_EQ(health_.readiness().why, "not listening yet");
  start();
  // Ready once the first registry heartbeat (on the IoWorker) reached the store.
  EXPECT_TRUE(test::eventually([&] {
    pump();
    return health_.readiness().ok;
  })) << health_.readiness().why;
  EXPECT_FALSE(health_.liveness(now_).ok);  // no tick yet
  advance_ticks(1);
  EXPECT_TRUE(health_.liveness(now_).ok) << health_.liveness(now_).why;
  EXPECT_FALSE(health_.liveness(now_ + 1s).ok);  // nothing ticked for a second: stuck
}

// The drain: lobby clients go at once, newcomers are refused, a battle in
// progress plays to its end, and then its players are let go.
TEST_F(ServerLoop, DrainRejectsTheLobbyAndNewcomersAtOnceAndLetsTheBattleFinish) {
  Config cfg;
  cfg.min_players = 2;
  cfg.countdown_s = 1;
  cfg.match_duration_s = 2;
  cfg.results_s = 1;
  start(cfg);
  auto a = client();
  auto b = client();
  ASSERT_TRUE(a->join("a"));
  ASSERT_TRUE(b->join("b"));
  auto lobby = client();
  proto::Hello lobby_hello = hello(proto::kProtocolVersion, "");
  lobby_hello.lobby = true;
  lobby->send(lobby_hello);
  auto lobby_welcome = lobby->receive_a<proto::Welcome>();
  ASSERT_TRUE(lobby_welcome);
  ASSERT_TRUE(lobby_welcome->lobby);
  advance_ticks(60 + 30);  // the countdown, then half a second of battle

  server_->begin_drain();
  EXPECT_TRUE(server_->draining());
  EXPECT_FALSE(health_.readiness().ok);
  auto gone = lobby->receive_a<proto::Reject>(2s);
  ASSERT_TRUE(gone);
  EXPECT_EQ(gone->reason, proto::RejectReason::ShuttingDown);
  auto late = client();
  late->send(hello(proto::kProtocolVersion, "late"));
  auto refused = late->receive_a<proto::Reject>(2s);
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->reason, proto::RejectReason::ShuttingDown);

  advance_ticks(60);  // a second more of battle: its players stay
  EXPECT_EQ(server_->player_count(), 2u);
  EXPECT_FALSE(server_->drained());
  ASSERT_TRUE(a->receive_a<proto::Snapshot>(1s));

  advance_ticks(60 + 10);  // the battle's last half second, then the drain's next round
  bool ended = false;
  bool released = false;
  for (int i = 0; i < 2000 && !released; ++i) {
    auto m = a->receive(200ms);
    if (!m) break;
    if (auto* e = std::get_if<proto::MatchEvent>(&*m))
      ended = ended || std::holds_alternative<proto::MatchEnded>(e->body);
    if (auto* r = std::get_if<proto::Reject>(&*m)) released = r->reason == proto::RejectReason::ShuttingDown;
  }
  EXPECT_TRUE(ended) << "the battle should end on its own, not be cut";
  EXPECT_TRUE(released);
  EXPECT_TRUE(test::eventually(
      [&] {
        advance_ticks(1);
        return server_->drained();
      },
      5s));
  EXPECT_EQ(server_->player_count(), 0u);
}
