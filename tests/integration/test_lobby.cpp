// The lobby against a real qbot-server (in-memory store): accounts, the
// garage's rules, and the queue's refusals and cancel, over real ENet.
#include <gtest/gtest.h>

#include <optional>

#include "proto/version.h"
#include "server_process.h"
#include "test_client.h"

using namespace qbot::test;
using namespace qbot::proto;
using namespace std::chrono_literals;

namespace {

Loadout bot(const std::string& name) { return {name, "striker", "blaster", "blaster", "shield", 0x112233}; }

struct LobbyClient {
  TestClient client;
  Welcome welcome;

  bool enter(const ServerProcess& server, std::vector<std::uint8_t> account_token = {}) {
    if (!client.connect({"127.0.0.1", server.port()})) return false;
    Hello h;
    h.protocol_version = kProtocolVersion;
    h.lobby = true;
    h.account_token = std::move(account_token);
    client.send(h);
    auto w = client.receive_a<Welcome>(5s);
    if (!w) return false;
    welcome = *w;
    return true;
  }
  GarageReply garage(GarageRequest req) {
    client.send(req);
    auto r = client.receive_a<GarageReply>(5s);
    EXPECT_TRUE(r.has_value());
    EXPECT_EQ(r ? r->request_id : 0, req.request_id);
    return r.value_or(GarageReply{});
  }
  /// The next QueueStatus; nullopt (and the test fails) if none came within 5 s.
  std::optional<QueueStatus> queue_status() {
    auto s = client.receive_a<QueueStatus>(5s);
    EXPECT_TRUE(s.has_value()) << "no QueueStatus within 5 s";
    return s;
  }
};

}  // namespace

TEST(Lobby, AccountsKeepTheirGarageAcrossConnectionsAndTheGarageKeepsItsRules) {
  ServerProcess server({"--max-bots", "2", "--matchmaker", "false"}, "lobby");
  LobbyClient first;
  ASSERT_TRUE(first.enter(server));
  EXPECT_TRUE(first.welcome.lobby);
  EXPECT_NE(first.welcome.account_id, 0u);
  ASSERT_FALSE(first.welcome.account_token.empty());

  Loadout over_budget = bot("greedy");
  over_budget.chassis = "hovercraft";
  GarageReply bad = first.garage({1, GarageOp::Create, 0, over_budget});
  EXPECT_EQ(bad.status, GarageStatus::InvalidLoadout);
  EXPECT_NE(bad.text.find("hovercraft"), std::string::npos) << bad.text;

  GarageReply a = first.garage({2, GarageOp::Create, 0, bot("alpha")});
  ASSERT_EQ(a.status, GarageStatus::Ok) << a.text;
  EXPECT_EQ(a.bot, 1u);
  EXPECT_DOUBLE_EQ(a.rating, 1500.0);
  EXPECT_EQ(first.garage({3, GarageOp::Create, 0, bot("beta")}).bot, 2u);
  EXPECT_EQ(first.garage({4, GarageOp::Create, 0, bot("gamma")}).status, GarageStatus::GarageFull);
  EXPECT_EQ(first.garage({5, GarageOp::Update, 9, bot("nobody")}).status, GarageStatus::NotFound);
  GarageReply renamed = first.garage({6, GarageOp::Update, 2, bot("beta-2")});
  ASSERT_EQ(renamed.status, GarageStatus::Ok);
  ASSERT_EQ(renamed.bots.size(), 2u);
  EXPECT_EQ(renamed.bots[1].loadout.name, "beta-2");
  EXPECT_EQ(first.garage({7, GarageOp::Delete, 1, std::nullopt}).bots.size(), 1u);
  first.client.disconnect();

  // Same token, new connection: same account, same garage.
  LobbyClient again;
  ASSERT_TRUE(again.enter(server, first.welcome.account_token));
  EXPECT_EQ(again.welcome.account_id, first.welcome.account_id);
  GarageReply listed = again.garage({1, GarageOp::List, 0, std::nullopt});
  ASSERT_EQ(listed.bots.size(), 1u);
  EXPECT_EQ(listed.bots[0].bot_id, 2u);
  EXPECT_EQ(again.garage({2, GarageOp::Create, 0, bot("delta")}).bot, 3u) << "ids are never reused";

  // A forged account token is refused.
  std::vector<std::uint8_t> forged = first.welcome.account_token;
  forged[5] ^= 0x10;
  TestClient intruder;
  ASSERT_TRUE(intruder.connect({"127.0.0.1", server.port()}));
  Hello h;
  h.protocol_version = kProtocolVersion;
  h.lobby = true;
  h.account_token = forged;
  intruder.send(h);
  auto reject = intruder.receive_a<Reject>(5s);
  ASSERT_TRUE(reject.has_value());
  EXPECT_EQ(reject->reason, RejectReason::InvalidToken);
}

TEST(Lobby, TheQueueRefusesWhatItCannotServeAndCancels) {
  ServerProcess server({"--matchmaker", "false"}, "lobby-queue");
  LobbyClient c;
  ASSERT_TRUE(c.enter(server));

  c.client.send(QueueRequest{GameMode::FreeForAll, "eu west", 0, "", 1});
  const auto bad_region = c.queue_status();
  ASSERT_TRUE(bad_region);
  EXPECT_EQ(bad_region->state, QueueState::Refused);
  EXPECT_NE(bad_region->text.find("region"), std::string::npos) << bad_region->text;

  c.client.send(QueueRequest{GameMode::FreeForAll, "", 42, "", 1});
  const auto no_bot = c.queue_status();
  ASSERT_TRUE(no_bot);
  EXPECT_EQ(no_bot->state, QueueState::Refused);
  EXPECT_NE(no_bot->text.find("no bot 42"), std::string::npos) << no_bot->text;

  c.client.send(QueueRequest{GameMode::FreeForAll, "", 0, "", 1});
  const auto queued = c.queue_status();
  ASSERT_TRUE(queued);
  EXPECT_EQ(queued->state, QueueState::Waiting);
  c.client.send(QueueRequest{GameMode::FreeForAll, "", 0, "", 1});
  const auto twice = c.queue_status();
  ASSERT_TRUE(twice);
  EXPECT_EQ(twice->state, QueueState::Refused) << "one ticket per account";

  // The poll refreshes and reports the queue (no matchmaker runs here).
  const auto polled = c.queue_status();
  ASSERT_TRUE(polled);
  EXPECT_EQ(polled->state, QueueState::Waiting);
  EXPECT_EQ(polled->queue_length, 1u);
  EXPECT_EQ(polled->position, 0u);

  c.client.send(CancelQueue{1});
  auto s = c.queue_status();
  // Polls already on their way may still say Waiting; a bounded number.
  for (int polls = 0; s && s->state == QueueState::Waiting && polls < 10; ++polls) s = c.queue_status();
  ASSERT_TRUE(s);
  EXPECT_EQ(s->state, QueueState::Cancelled);
  EXPECT_EQ(server.metric("qbot_tickets_created_total"), 1.0);
}
