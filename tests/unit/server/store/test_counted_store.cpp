// CountedStore on a real redis-server: every Io failure and every record a
// call skipped is reported under the call's operation, log lines are due
// once per operation per period (virtual time) with the count left out, and
// answers that are not failures (NotFound) are not reported.
#include "server/store/counted_store.h"

#include <gtest/gtest.h>

#include "ports.h"
#include "ticket_fixtures.h"

namespace qbot::test {
namespace {

constexpr std::uint64_t kPeriodMs = 10'000;

struct Reports {
  std::vector<StoreFailure> all;
  std::uint64_t virtual_ms = 1'000'000;
  CountedStore wrap(std::unique_ptr<Store> inner) {
    return CountedStore(
        std::move(inner), [this](const StoreFailure& f) { all.push_back(f); },  // op names are string literals
        [this] { return virtual_ms; }, kPeriodMs);
  }
};

}  // namespace

TEST(CountedStore, SkippedRecordsAreReportedUnderTheirOperationAndLoggedOncePerPeriodWithTheSuppressedCount) {
  RedisFixture fx;
  RedisFixture::server->command({"SET", "qbot:server:evil", "x"});
  RedisFixture::server->command({"ZADD", "qbot:servers", std::to_string(RedisFixture::clock_ms() + 3'600'000), "evil"});
  Reports reports;
  CountedStore store = reports.wrap(redis_store_of(RedisFixture::server->url()));

  ASSERT_TRUE(store.live_servers().ok());
  ASSERT_EQ(reports.all.size(), 1u);
  EXPECT_EQ(reports.all[0].op, "live_servers");
  EXPECT_EQ(reports.all[0].count, 1u);
  EXPECT_TRUE(reports.all[0].log);
  EXPECT_NE(reports.all[0].why.find("qbot:server:evil"), std::string::npos) << reports.all[0].why;

  reports.virtual_ms += kPeriodMs - 1;  // within the period: counted, not logged
  ASSERT_TRUE(store.live_servers().ok());
  ASSERT_TRUE(store.live_servers().ok());
  ASSERT_EQ(reports.all.size(), 3u);
  EXPECT_FALSE(reports.all[1].log);
  EXPECT_FALSE(reports.all[2].log);
  EXPECT_EQ(reports.all[2].count, 1u);

  reports.virtual_ms += 1;  // the period is over: one line, with the two left out
  ASSERT_TRUE(store.live_servers().ok());
  ASSERT_EQ(reports.all.size(), 4u);
  EXPECT_TRUE(reports.all[3].log);
  EXPECT_EQ(reports.all[3].suppressed, 2u);
}

TEST(CountedStore, IoFailuresAreReportedPerOperationAndAnswersThatAreNotFailuresAreNot) {
  RedisFixture fx;
  Reports reports;
  CountedStore up = reports.wrap(redis_store_of(RedisFixture::server->url()));
  auto gone = up.delete_bot(42, 7);
  ASSERT_FALSE(gone.ok());
  EXPECT_EQ(gone.error().kind, StoreError::Kind::NotFound);
  EXPECT_TRUE(up.enqueue(ticket(1), kLongTtl).ok());
  EXPECT_TRUE(reports.all.empty()) << reports.all[0].op;

  // Nothing listens on this port: every call fails with Io.
  auto unreachable = redis_store_of("redis://127.0.0.1:" + std::to_string(free_tcp_port()), kUnitFleetSecret,
                                    std::chrono::milliseconds(200));
  CountedStore down = reports.wrap(std::move(unreachable));
  EXPECT_FALSE(down.enqueue(ticket(2), kLongTtl).ok());
  EXPECT_FALSE(down.poll_tickets(std::vector<AccountId>{2}, kLongTtl).ok());
  EXPECT_FALSE(down.enqueue(ticket(3), kLongTtl).ok());
  ASSERT_EQ(reports.all.size(), 3u);
  EXPECT_EQ(reports.all[0].op, "enqueue");
  EXPECT_TRUE(reports.all[0].log);
  EXPECT_EQ(reports.all[1].op, "poll_tickets");
  EXPECT_TRUE(reports.all[1].log) << "each operation has a period of its own";
  EXPECT_EQ(reports.all[2].op, "enqueue");
  EXPECT_FALSE(reports.all[2].log);
  for (const StoreFailure& f : reports.all) EXPECT_EQ(f.count, 1u);
  EXPECT_FALSE(reports.all[0].why.empty());
}

TEST(LogThrottle, TheFirstEventLogsThenOneLinePerPeriodCarryingWhatWasLeftOut) {
  LogThrottle t(1000);
  EXPECT_TRUE(t.note("a", 5000).log);
  EXPECT_FALSE(t.note("a", 5999, 3).log);
  EXPECT_TRUE(t.note("b", 5999).log);
  const LogThrottle::Verdict v = t.note("a", 6000);
  EXPECT_TRUE(v.log);
  EXPECT_EQ(v.suppressed, 3u);
  EXPECT_EQ(t.note("a", 9000).suppressed, 0u);
}

}  // namespace qbot::test
