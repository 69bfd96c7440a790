#pragma once
// What the ticket and match contract tests share: tickets and matches to
// store, time passing per store (virtual for MemoryStore; Redis TIME and key
// expiry waited for with a deadline, never slept) and the fixture's helpers.
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "server/store/record_codec.h"
#include "store_fixtures.h"

namespace qbot::test {

constexpr std::uint32_t kShortTtl = 1500;  // ms: a client that stopped polling
constexpr std::uint32_t kLongTtl = 600'000;

inline Ticket ticket(AccountId account, const std::string& mode = "ffa", const std::string& region = "eu") {
  Ticket t;
  t.account = account;
  t.mode = mode;
  t.region = region;
  t.bot.id = 3;
  t.bot.loadout = {"bot-" + std::to_string(account), "scout", "blaster", "mine", "boost", 0x123456};
  t.rating = 1400.5 + static_cast<double>(account);
  t.front_door = "srv-front";
  return t;
}

inline MatchAssignment match_of(MatchId id, const std::vector<AccountId>& accounts,
                                const std::string& server = "srv-a") {
  MatchAssignment m;
  m.id = id;
  m.mode = "ffa";
  m.region = "eu";
  m.server_id = server;
  m.host = "10.0.0." + std::to_string(id % 250);
  m.port = static_cast<std::uint16_t>(7000 + id);
  m.created_ms = 5000 + id;
  for (const AccountId a : accounts) {
    MatchSlot s;
    s.account = a;
    s.bot = ticket(a).bot;
    s.rating = ticket(a).rating;
    s.token = std::string("tok\0-", 5) + std::to_string(a) + "-" + std::to_string(id);
    m.slots.push_back(s);
  }
  return m;
}

inline std::vector<AccountId> accounts_of(const std::vector<Ticket>& tickets) {
  std::vector<AccountId> out;
  for (const auto& t : tickets) out.push_back(t.account);
  return out;
}

inline std::vector<MatchId> ids_of(const std::vector<MatchAssignment>& matches) {
  std::vector<MatchId> out;
  for (const auto& m : matches) out.push_back(m.id);
  return out;
}

// Time passing, per store.
template <class Pred>
bool after_ttl(MemoryFixture& fx, std::uint32_t ttl_ms, Pred pred) {
  fx.now += std::chrono::milliseconds(ttl_ms) + 1ms;
  return pred();
}
template <class Pred>
bool after_ttl(RedisFixture&, std::uint32_t ttl_ms, Pred pred) {
  return eventually(pred, std::chrono::milliseconds(ttl_ms) + 5000ms, 20ms);
}

inline std::uint64_t redis_time_ms() {
  std::istringstream in(RedisFixture::server->command({"TIME"}));
  std::uint64_t sec = 0, usec = 0;
  in >> sec >> usec;
  return sec * 1000 + usec / 1000;
}
/// Makes the store's clock move on, so the next ticket is strictly younger.
inline void next_ms(MemoryFixture& fx) { fx.now += 1ms; }
inline void next_ms(RedisFixture&) {
  const auto seen = redis_time_ms();
  ASSERT_TRUE(eventually([&] { return redis_time_ms() > seen; }, 2000ms, 1ms));
}

template <class T>
StoreError::Kind kind_of(const StoreResult<T>& r) {
  EXPECT_FALSE(r.ok());
  return r.ok() ? StoreError::Kind::Io : r.error().kind;
}

template <class F>
class TicketContract : public StoreContract<F> {
 protected:
  std::optional<TicketStatus> poll(AccountId account, std::uint32_t ttl = kLongTtl) {
    const AccountId one[] = {account};
    auto r = this->fx.store.poll_tickets(one, ttl);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? (*r)[0] : std::nullopt;
  }
  std::vector<AccountId> waiting(const std::string& mode = "ffa", const std::string& region = "eu",
                                 std::size_t limit = 100) {
    auto r = this->fx.store.waiting_tickets(mode, region, limit);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? accounts_of(*r) : std::vector<AccountId>{};
  }
  /// In its queue (asks without refreshing the TTL, unlike poll).
  bool queued(AccountId account) {
    const auto w = waiting();
    return std::find(w.begin(), w.end(), account) != w.end();
  }
  void enqueue_all(const std::vector<AccountId>& accounts, std::uint32_t ttl = kLongTtl) {
    for (const AccountId a : accounts) {
      auto r = this->fx.store.enqueue(ticket(a), ttl);
      ASSERT_TRUE(r.ok()) << r.error().message;
    }
  }
  std::vector<bool> assign(const std::vector<MatchAssignment>& matches) {
    auto r = this->fx.store.assign_matches(matches);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<bool>{};
  }
};

}  // namespace qbot::test
