// Acceptance: 4 matchmakers race on 2,000 tickets -> zero double assignment.
// One real redis-server; four threads, each with its OWN RedisStore (own
// connection) and Matchmaker, run passes back to back while the tickets
// arrive, until their queues are empty. Correctness is then checked from what
// Redis holds, not from what the matchmakers believe they did.
//
// That a race happened is made certain, not left to timing: a first batch of
// tickets is queued before the matchmakers start, and each one's first
// assign_matches waits at a start line until all four have reached theirs.
// So all four first passes read the same tickets before any claims them, and
// every match but the first claimant's is a conflict.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "redis_server.h"
#include "redis_store_of.h"
#include "server/matchmaking/matchmaker.h"
#include "server/store/redis_store.h"
#include "server/store/redis_url.h"

using namespace qbot;
using namespace qbot::server;
using namespace qbot::test;
using namespace std::chrono_literals;

namespace {

constexpr std::size_t kTickets = 2000;
constexpr std::uint32_t kTicketTtlMs = 120'000;
constexpr int kMatchmakers = 4;
constexpr std::size_t kQueuedBeforeStart = 400;  // the tickets every first pass reads

/// Where the matchmakers' first assign_matches wait for each other.
class StartLine {
 public:
  /// Blocks until `kMatchmakers` callers arrived, or `timeout` passed (so a
  /// matchmaker that never gets here cannot hang the test: the conflicts
  /// check then fails instead). True when all arrived.
  bool arrive_and_wait(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    ++arrived_;
    cv_.notify_all();
    return cv_.wait_for(lock, timeout, [&] { return arrived_ >= kMatchmakers; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int arrived_ = 0;
};

/// A RedisStore whose first assign_matches waits at the start line; every
/// other call goes straight through.
class HeldAtStartStore final : public Store {
 public:
  HeldAtStartStore(std::unique_ptr<RedisStore> inner, StartLine& line) : inner_(std::move(inner)), line_(line) {}

  StoreResult<std::vector<bool>> assign_matches(std::span<const MatchAssignment> matches) override {
    if (!started_) {
      started_ = true;
      all_started = line_.arrive_and_wait(30s);
    }
    return inner_->assign_matches(matches);
  }
  bool all_started = false;

  StoreResult<bool> heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) override {
    return inner_->heartbeat_server(info, ttl_ms);
  }
  StoreResult<bool> deregister_server(const std::string& id) override { return inner_->deregister_server(id); }
  StoreResult<std::vector<ServerInfo>> live_servers() override { return inner_->live_servers(); }
  StoreResult<BotRecord> create_bot(AccountId account, const BotRecord& bot, std::uint32_t max_bots) override {
    return inner_->create_bot(account, bot, max_bots);
  }
  StoreResult<std::vector<BotRecord>> list_bots(AccountId account) override { return inner_->list_bots(account); }
  StoreResult<BotRecord> update_bot(AccountId account, const BotRecord& bot) override {
    return inner_->update_bot(account, bot);
  }
  StoreResult<bool> delete_bot(AccountId account, std::uint32_t bot_id) override {
    return inner_->delete_bot(account, bot_id);
  }
  StoreResult<Rating> rating(AccountId account) override { return inner_->rating(account); }
  StoreResult<Ticket> enqueue(const Ticket& ticket, std::uint32_t ttl_ms) override {
    return inner_->enqueue(ticket, ttl_ms);
  }
  StoreResult<bool> cancel_ticket(AccountId account) override { return inner_->cancel_ticket(account); }
  StoreResult<bool> remove_ticket(AccountId account) override { return inner_->remove_ticket(account); }
  StoreResult<std::vector<std::optional<TicketStatus>>> poll_tickets(std::span<const AccountId> accounts,
                                                                     std::uint32_t ttl_ms) override {
    return inner_->poll_tickets(accounts, ttl_ms);
  }
  StoreResult<std::vector<Ticket>> waiting_tickets(const std::string& mode, const std::string& region,
                                                   std::size_t limit) override {
    return inner_->waiting_tickets(mode, region, limit);
  }
  StoreResult<MatchId> reserve_match_ids(std::uint32_t count) override { return inner_->reserve_match_ids(count); }
  StoreResult<std::vector<MatchAssignment>> take_matches(const std::string& server_id, std::size_t max) override {
    return inner_->take_matches(server_id, max);
  }
  StoreResult<std::optional<MatchAssignment>> match(MatchId id) override { return inner_->match(id); }
  StoreResult<bool> submit_result(const MatchResult& result) override { return inner_->submit_result(result); }
  StoreResult<std::vector<MatchResult>> results(std::size_t after, std::size_t count) override {
    return inner_->results(after, count);
  }
  std::string describe() const override { return inner_->describe(); }

 private:
  std::unique_ptr<RedisStore> inner_;
  StartLine& line_;
  bool started_ = false;
};

std::uint64_t unix_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

std::unique_ptr<RedisStore> connect(const RedisServer& redis) {
  return redis_store_of(redis.url(), kUnitFleetSecret, 5000ms);
}

// The queue: four kinds of unit, each kind in its own rating band 150 wide
// (any anchor's window covers its whole band) and bands 850 apart (no window
// reaches another band within the test's time). Every kind comes in multiples
// of a full match, so every match formed is full and the queues drain exactly:
//   ffa solos 800 | ffa parties of 4: 50 (200 tickets) | tdm solos 800 |
//   tdm parties of 2: 100 (200 tickets).
std::vector<Ticket> make_tickets() {
  std::mt19937_64 rng(2024);
  std::uniform_real_distribution<double> in_band(0.0, 150.0);
  std::vector<Ticket> out;
  AccountId account = 1;
  auto add = [&](const std::string& mode, double band, int units, std::uint8_t party_size) {
    for (int u = 0; u < units; ++u) {
      const double rating = band + in_band(rng);
      const std::string party = party_size > 1 ? mode + "-party-" + std::to_string(u) : "";
      for (int k = 0; k < party_size; ++k) {
        Ticket t;
        t.account = account++;
        t.mode = mode;
        t.region = "eu";
        t.bot.id = 1;
        t.bot.loadout.name = "bot";
        t.rating = rating;
        t.party = party;
        t.party_size = party_size;
        t.front_door = "door";
        out.push_back(std::move(t));
      }
    }
  };
  add("ffa", 1000, 800, 1);
  add("ffa", 2000, 50, 4);
  add("tdm", 1000, 800, 1);
  add("tdm", 2000, 100, 2);
  std::shuffle(out.begin(), out.end(), rng);  // queue order mixes the kinds
  return out;
}

}  // namespace

TEST(MatchmakerRace, FourMatchmakersOnTwoThousandTicketsAssignEveryTicketExactlyOnce) {
  RedisServer redis;
  auto setup = connect(redis);
  const token::Key key = token::derive_key("race test secret");
  for (const char* id : {"race-a", "race-b"}) {
    ServerInfo s;
    s.id = id;
    s.host = std::string(id) + ".test";
    s.port = 7777;
    s.region = "eu";
    s.capacity = 2000;  // together twice what the queue needs
    s.arenas = 1;
    s.version = "test";
    s.key_fingerprint = token::key_fingerprint(key);  // matchmakers only assign to servers holding their key
    ASSERT_TRUE(setup->heartbeat_server(s, 600'000).ok());
  }
  const auto tickets = make_tickets();
  ASSERT_EQ(tickets.size(), kTickets);
  std::map<AccountId, const Ticket*> by_account;
  for (const auto& t : tickets) by_account[t.account] = &t;

  MatchmakerConfig config;
  config.key = key;
  config.arena_size = 8;

  // Each thread: its own connection and matchmaker; passes back to back until
  // every ticket was enqueued and a pass sees no waiting ticket, or the
  // deadline. The first tickets are queued before the start and the first
  // passes meet at the start line (above); the rest arrive while the
  // matchmakers run, so later passes read different snapshots of the queue
  // and their matches overlap partly.
  for (std::size_t i = 0; i < kQueuedBeforeStart; ++i) {
    auto r = setup->enqueue(tickets[i], kTicketTtlMs);
    ASSERT_TRUE(r.ok()) << r.error().message;
  }
  StartLine start_line;
  std::atomic<bool> go{false};
  std::atomic<bool> all_enqueued{false};
  std::vector<PassStats> totals(kMatchmakers);
  std::vector<int> passes(kMatchmakers, 0);
  std::vector<int> met_at_start(kMatchmakers, 0);
  std::vector<std::thread> threads;
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  for (int i = 0; i < kMatchmakers; ++i) {
    threads.emplace_back([&, i] {
      HeldAtStartStore store(connect(redis), start_line);
      Matchmaker mm(store, config);
      while (!go.load()) std::this_thread::yield();  // start together: the race is the point
      while (std::chrono::steady_clock::now() < deadline) {
        const std::uint64_t now = unix_ms();
        const PassStats pass = mm.run_pass(now, now);
        totals[static_cast<std::size_t>(i)] += pass;
        ++passes[static_cast<std::size_t>(i)];
        if (all_enqueued.load() && pass.store_errors == 0 && pass.tickets_seen == 0) break;
      }
      met_at_start[static_cast<std::size_t>(i)] = store.all_started ? 1 : 0;
    });
  }
  go = true;
  for (std::size_t i = kQueuedBeforeStart; i < tickets.size(); ++i) {
    auto r = setup->enqueue(tickets[i], kTicketTtlMs);
    EXPECT_TRUE(r.ok()) << r.error().message;
  }
  all_enqueued = true;
  for (auto& t : threads) t.join();

  PassStats sum;
  for (int i = 0; i < kMatchmakers; ++i) {
    sum += totals[static_cast<std::size_t>(i)];
    std::cout << "matchmaker " << i << ": " << passes[static_cast<std::size_t>(i)] << " passes, "
              << totals[static_cast<std::size_t>(i)].matches_assigned << " matches assigned, "
              << totals[static_cast<std::size_t>(i)].conflicts << " conflicts\n";
  }
  std::cout << "all: " << sum.matches_assigned << " matches, " << sum.tickets_assigned << " tickets assigned, "
            << sum.conflicts << " conflicts (lost races), " << sum.store_errors << " store errors\n";
  RecordProperty("conflicts", static_cast<int>(sum.conflicts));
  EXPECT_EQ(sum.store_errors, 0u) << sum.first_error;
  EXPECT_EQ(met_at_start, std::vector<int>(kMatchmakers, 1)) << "every first pass reached the start line";
  EXPECT_GT(sum.conflicts, 0u) << "no race happened: the matchmakers never claimed the same tickets";

  // ---- From Redis: every match record, every ticket's state. -----------------
  auto check = connect(redis);
  std::map<AccountId, MatchAssignment> match_of;
  std::map<std::string, std::size_t> seats_on;
  std::size_t matches = 0;
  for (const MatchId id : redis.match_ids()) {
    auto m = check->match(id);
    ASSERT_TRUE(m.ok()) << m.error().message;
    if (!m->has_value()) continue;  // reserved by a pass whose assign lost the race
    const MatchAssignment& a = **m;
    ++matches;
    EXPECT_EQ(a.id, id);
    seats_on[a.server_id] += a.slots.size();
    std::map<std::string, std::set<std::uint8_t>> party_teams;
    for (const auto& slot : a.slots) {
      ASSERT_TRUE(by_account.count(slot.account)) << "unknown account " << slot.account;
      EXPECT_TRUE(match_of.emplace(slot.account, a).second)
          << "account " << slot.account << " in match " << id << " and " << match_of.at(slot.account).id;
      const Ticket& t = *by_account.at(slot.account);
      EXPECT_EQ(t.mode, a.mode);
      if (!t.party.empty()) party_teams[t.party].insert(slot.team);
    }
    for (const auto& [party, teams] : party_teams) {
      EXPECT_EQ(teams.size(), 1u) << party << " split across teams in match " << id;
    }
  }
  EXPECT_EQ(matches, sum.matches_assigned);
  EXPECT_EQ(match_of.size(), kTickets) << "the union of all matches is not every ticket";
  for (const auto& [server, seats] : seats_on) EXPECT_LE(seats, 2000u) << server;

  // Parties whole: every member in the same match.
  std::map<std::string, std::set<MatchId>> party_matches;
  for (const auto& [account, m] : match_of) {
    if (!by_account.at(account)->party.empty()) party_matches[by_account.at(account)->party].insert(m.id);
  }
  for (const auto& [party, ids] : party_matches) EXPECT_EQ(ids.size(), 1u) << party;

  // Every ticket is assigned, to the match that lists it, with that seat's token.
  std::vector<AccountId> accounts;
  for (const auto& [account, t] : by_account) accounts.push_back(account);
  auto status = check->poll_tickets(accounts, kTicketTtlMs);
  ASSERT_TRUE(status.ok()) << status.error().message;
  ASSERT_EQ(status->size(), accounts.size());
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    const auto& st = (*status)[i];
    ASSERT_TRUE(st.has_value()) << "ticket of " << accounts[i] << " is gone";
    EXPECT_EQ(st->state, TicketState::Assigned) << accounts[i];
    auto it = match_of.find(accounts[i]);
    if (it == match_of.end()) continue;
    EXPECT_EQ(st->match_id, it->second.id) << accounts[i];
    EXPECT_EQ(st->host, it->second.host) << accounts[i];
    const auto slot = std::find_if(it->second.slots.begin(), it->second.slots.end(),
                                   [&](const MatchSlot& s) { return s.account == accounts[i]; });
    EXPECT_EQ(st->token, slot->token) << accounts[i];
  }
}
