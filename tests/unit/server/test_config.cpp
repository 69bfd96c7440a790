#include <gtest/gtest.h>

#include "server/config.h"
#include "server/store/redis_url.h"

using namespace qbot;
using namespace qbot::server;

namespace {
ParseOutcome parse(std::vector<const char*> args, Config& cfg) {
  args.insert(args.begin(), "qbot-server");
  return parse_config(static_cast<int>(args.size()), args.data(), cfg);
}
}  // namespace

TEST(Config, DefaultsMatchTheDocumentation) {
  Config cfg;
  auto r = parse({}, cfg);
  ASSERT_TRUE(r.run) << r.message;
  EXPECT_EQ(cfg.port, 7777);
  EXPECT_EQ(cfg.tick_rate, 60u);
  EXPECT_EQ(cfg.arena_size, 8u);
  EXPECT_EQ(cfg.metrics_port, 9100);
  EXPECT_TRUE(cfg.redis.empty());
}

TEST(Config, OutOfRangeTickRateNamesTheFieldAndRange) {
  Config cfg;
  auto r = parse({"--tick-rate", "500"}, cfg);
  EXPECT_FALSE(r.run);
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.message.find("--tick-rate"), std::string::npos) << r.message;
  EXPECT_NE(r.message.find("128"), std::string::npos) << r.message;
}

TEST(Config, EnvironmentVariablesAreRead) {
  ::setenv("QBOT_TICK_RATE", "30", 1);
  Config cfg;
  auto r = parse({}, cfg);
  ::unsetenv("QBOT_TICK_RATE");
  ASSERT_TRUE(r.run) << r.message;
  EXPECT_EQ(cfg.tick_rate, 30u);
}

TEST(Config, FlagsBeatEnvironment) {
  ::setenv("QBOT_ARENA_SIZE", "4", 1);
  Config cfg;
  auto r = parse({"--arena-size", "6"}, cfg);
  ::unsetenv("QBOT_ARENA_SIZE");
  ASSERT_TRUE(r.run);
  EXPECT_EQ(cfg.arena_size, 6u);
}

TEST(Config, CrossFieldRulesFailLoudly) {
  Config cfg;
  auto r = parse({"--heartbeat-ms", "4000", "--registry-ttl-ms", "5000"}, cfg);
  EXPECT_FALSE(r.run);
  EXPECT_NE(r.message.find("--registry-ttl-ms"), std::string::npos) << r.message;
  Config cfg2;
  auto r2 = parse({"--redis", "http://x"}, cfg2);
  EXPECT_FALSE(r2.run);
  EXPECT_NE(r2.message.find("--redis"), std::string::npos);
}

TEST(Config, HelpListsEveryOptionWithItsDefault) {
  Config cfg;
  auto r = parse({"--help"}, cfg);
  EXPECT_FALSE(r.run);
  EXPECT_EQ(r.exit_code, 0);
  for (const char* opt : {"--port", "--tick-rate", "--arena-size", "--redis", "--metrics-port", "--config"}) {
    EXPECT_NE(r.message.find(opt), std::string::npos) << opt;
  }
  EXPECT_NE(r.message.find("=7777"), std::string::npos);
  EXPECT_NE(r.message.find("QBOT_PORT"), std::string::npos);
}

TEST(RedisUrl, ParsesAllParts) {
  auto u = parse_redis_url("redis://:secret@db.local:6380/3");
  ASSERT_TRUE(u.ok()) << u.error();
  EXPECT_EQ(u->host, "db.local");
  EXPECT_EQ(u->port, 6380);
  EXPECT_EQ(u->password, "secret");
  EXPECT_EQ(u->db, 3);
  auto d = parse_redis_url("redis://localhost");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 6379);
  EXPECT_EQ(d->db, 0);
  EXPECT_FALSE(parse_redis_url("rediss://x").ok());
  EXPECT_FALSE(parse_redis_url("redis://x:0").ok());
  EXPECT_FALSE(parse_redis_url("redis://x:1/abc").ok());
  EXPECT_FALSE(parse_redis_url("redis://").ok());
}

TEST(Config, ProductionRefusesToRunWithoutATokenSecret) {
  Config cfg;
  auto r = parse({"--production"}, cfg);
  EXPECT_FALSE(r.run);
  EXPECT_NE(r.message.find("--token-secret"), std::string::npos) << r.message;

  Config short_secret;
  EXPECT_FALSE(parse({"--token-secret", "too-short"}, short_secret).run);

  ::setenv("QBOT_TOKEN_SECRET", "a fleet secret of enough bytes", 1);
  Config from_env;
  auto ok = parse({"--production"}, from_env);
  ::unsetenv("QBOT_TOKEN_SECRET");
  ASSERT_TRUE(ok.run) << ok.message;
  EXPECT_EQ(from_env.token_secret, "a fleet secret of enough bytes");
}
