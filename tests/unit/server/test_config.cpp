#include <gtest/gtest.h>

#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

#include "process.h"
#include "server/config.h"
#include "server/config_options.h"
#include "server/store/redis_url.h"

using namespace qbot;
using namespace qbot::server;

namespace {
ParseOutcome parse(std::vector<const char*> args, Config& cfg) {
  args.insert(args.begin(), "qbot-server");
  return parse_config(static_cast<int>(args.size()), args.data(), cfg);
}

/// Sets an environment variable for one scope (also when an assertion
/// returns early), so no test leaks configuration into the next.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const char* value) : name_(name) { ::setenv(name, value, 1); }
  ~ScopedEnv() { ::unsetenv(name_); }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
};

/// QBOT_ + the flag without its dashes, upper case, '-' -> '_'.
std::string env_name_of(std::string_view flag) {
  std::string out = "QBOT_";
  for (const char c : flag.substr(2))
    out += c == '-' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

/// 4095, 1.5: the way a person types a value.
std::string number_text(double v) {
  if (v == static_cast<double>(static_cast<long long>(v))) return std::to_string(static_cast<long long>(v));
  std::ostringstream os;
  os << v;
  return os.str();
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
  ScopedEnv tick_rate("QBOT_TICK_RATE", "30");
  Config cfg;
  auto r = parse({}, cfg);
  ASSERT_TRUE(r.run) << r.message;
  EXPECT_EQ(cfg.tick_rate, 30u);
}

TEST(Config, FlagBeatsConfigFileBeatsEnvironment) {
  const std::string file = test::temp_dir("config-precedence") + "/qbot.toml";
  std::ofstream(file) << "region = \"from-file\"\n";
  ScopedEnv region("QBOT_REGION", "from-env");

  Config all_three;
  auto r = parse({"--config", file.c_str(), "--region", "from-flag"}, all_three);
  ASSERT_TRUE(r.run) << r.message;
  EXPECT_EQ(all_three.region, "from-flag");

  Config file_and_env;
  r = parse({"--config", file.c_str()}, file_and_env);
  ASSERT_TRUE(r.run) << r.message;
  EXPECT_EQ(file_and_env.region, "from-file");

  Config env_only;
  r = parse({}, env_only);
  ASSERT_TRUE(r.run) << r.message;
  EXPECT_EQ(env_only.region, "from-env");
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

TEST(Config, SpectatorOptionsAreCheckedAgainstTheTickRateAndSpectatingIsOffByDefault) {
  Config fast;
  auto r = parse({"--tick-rate", "30", "--spectator-rate", "40"}, fast);
  EXPECT_FALSE(r.run);
  EXPECT_NE(r.message.find("--spectator-rate (40) must not exceed --tick-rate (30)"), std::string::npos) << r.message;
  Config defaults;
  auto r2 = parse({}, defaults);
  EXPECT_TRUE(r2.run) << r2.message;
  EXPECT_EQ(defaults.max_spectators, 0u);  // the HTTP port serves spectators only when asked
  Config gone;
  auto r4 = parse({"--spectator-port", "9180"}, gone);  // spectators are on the HTTP port now
  EXPECT_FALSE(r4.run);
  EXPECT_NE(r4.message.find("--spectator-port"), std::string::npos) << r4.message;
  Config ok;
  auto r3 = parse({"--spectator-rate", "20", "--spectator-delay", "1.5", "--max-spectators", "7"}, ok);
  EXPECT_TRUE(r3.run) << r3.message;
  EXPECT_EQ(ok.spectator_rate, 20u);
  EXPECT_FLOAT_EQ(ok.spectator_delay_s, 1.5f);
  EXPECT_EQ(ok.max_spectators, 7u);
}

TEST(Config, HelpListsEveryOptionWithItsEnvUnitAndDefault) {
  Config cfg;
  auto r = parse({"--help"}, cfg);
  EXPECT_FALSE(r.run);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.message.find("--config"), std::string::npos);
  const Config defaults;
  for (const ConfigOption& row : config_options()) {
    // One option per entry: its line starts with the flag and names its env variable.
    const auto at = r.message.find("  " + std::string(row.flag) + " ");
    ASSERT_NE(at, std::string::npos) << row.flag;
    const std::string entry = r.message.substr(at, r.message.find("\n  --", at + 2) - at);
    EXPECT_NE(entry.find("(Env:" + std::string(row.env) + ")"), std::string::npos) << entry;
    if (!row.unit.empty()) {
      EXPECT_NE(entry.find("[" + std::string(row.unit) + "]"), std::string::npos) << entry;
    }
    const std::string value = row.value_of(defaults);
    if (row.is_switch) continue;  // a switch is off unless given
    if (value == "true" || value == "false") {
      EXPECT_NE(entry.find(value == "true" ? "=1" : "=0"), std::string::npos) << entry;
    } else if (value.empty()) {
      EXPECT_NE(entry.find("unset: " + std::string(row.unset)), std::string::npos) << entry;
    } else {
      EXPECT_NE(entry.find("=" + value + " "), std::string::npos) << entry;
    }
  }
  EXPECT_EQ(r.message.find("--print-config-markdown"), std::string::npos) << "a hidden tool, not an operator option";
}

TEST(Config, TheOptionTableNamesEveryOptionOnceWithItsEnvVariableAndMeaning) {
  std::set<std::string_view> flags;
  std::set<std::string_view> envs;
  const Config defaults;
  for (const ConfigOption& row : config_options()) {
    EXPECT_TRUE(flags.insert(row.flag).second) << row.flag << " twice";
    EXPECT_TRUE(envs.insert(row.env).second) << row.env << " twice";
    EXPECT_EQ(row.env, env_name_of(row.flag)) << row.flag;
    EXPECT_FALSE(row.help.empty()) << row.flag;
    EXPECT_FALSE(row.group.empty()) << row.flag;
    if (row.value_of(defaults).empty()) {
      EXPECT_FALSE(row.unset.empty()) << row.flag << ": say what empty means";
    }
    if (row.check.ranged) {
      EXPECT_LT(row.check.min, row.check.max) << row.flag;
    }
  }
  EXPECT_GE(flags.size(), 50u);
}

TEST(Config, EveryRangedOptionAcceptsItsBoundsAndRefusesBeyondThemNamingTheFlag) {
  for (const ConfigOption& row : config_options()) {
    if (!row.check.ranged) continue;
    const std::string flag(row.flag);
    for (const double bound : {row.check.min, row.check.max}) {
      Config cfg;
      const std::string value = number_text(bound);
      auto r = parse({flag.c_str(), value.c_str()}, cfg);
      // Cross-field rules may still refuse (e.g. heartbeat vs TTL) but never the range.
      EXPECT_EQ(r.message.find("not in range"), std::string::npos) << flag << " " << value << ": " << r.message;
      EXPECT_EQ(row.value_of(cfg), value) << flag;
    }
    const double step = row.check.max - row.check.min < 10 ? 0.5 : 1;
    for (const double beyond : {row.check.min - step, row.check.max + step}) {
      if (beyond < 0) continue;  // an unsigned member refuses "-1" by type, not range
      const std::string value = number_text(beyond);
      Config cfg;
      auto r = parse({flag.c_str(), value.c_str()}, cfg);
      EXPECT_FALSE(r.run) << flag << " " << value;
      EXPECT_NE(r.message.find(flag), std::string::npos) << r.message;
    }
  }
}

TEST(Config, PrintConfigMarkdownPrintsOneTableRowPerOptionWithItsDefault) {
  Config cfg;
  auto r = parse({"--print-config-markdown"}, cfg);
  EXPECT_FALSE(r.run);
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.message, config_markdown());
  std::istringstream lines(r.message);
  std::string line;
  std::vector<std::string> rows;
  while (std::getline(lines, line)) rows.push_back(line);
  ASSERT_EQ(rows.size(), config_options().size() + 2) << "header, separator, one row per option";
  EXPECT_EQ(rows[0], "| Flag | Env | Default | Unit | Allowed | Meaning |");
  for (std::size_t i = 0; i < config_options().size(); ++i) {
    const ConfigOption& row = config_options()[i];
    EXPECT_EQ(rows[i + 2].rfind("| `" + std::string(row.flag) + "` | `" + std::string(row.env) + "` | ", 0), 0u)
        << rows[i + 2];
  }
  EXPECT_NE(r.message.find("| `--tick-rate` | `QBOT_TICK_RATE` | `60` | Hz | 10..128 | Simulation rate |"),
            std::string::npos);
  EXPECT_NE(r.message.find("| `--compress` | `QBOT_COMPRESS` | off |"), std::string::npos);
  EXPECT_NE(r.message.find("| `--server-id` | `QBOT_SERVER_ID` | \\<hostname\\>-\\<port\\> |"), std::string::npos)
      << "angle brackets escaped, or Markdown takes them for HTML";
}

TEST(Config, PrintConfigMarkdownShowsTheDefaultsNotTheEnvironment) {
  ScopedEnv port("QBOT_PORT", "9999");
  Config cfg;
  auto r = parse({"--print-config-markdown"}, cfg);
  EXPECT_NE(r.message.find("| `--port` | `QBOT_PORT` | `7777` |"), std::string::npos) << r.message;
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

  ScopedEnv secret("QBOT_TOKEN_SECRET", "a fleet secret of enough bytes");
  Config from_env;
  auto ok = parse({"--production"}, from_env);
  ASSERT_TRUE(ok.run) << ok.message;
  EXPECT_EQ(from_env.token_secret, "a fleet secret of enough bytes");
}
