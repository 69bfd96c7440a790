#include "server/config.h"

#include <CLI/CLI.hpp>

#include <sstream>

#include "core/text.h"
#include "server/config_options.h"
#include "sim/lag_history.h"

namespace qbot::server {

ParseOutcome parse_config(int argc, const char* const* argv, Config& c) {
  CLI::App app{"qbot-server: authoritative arena server for Q-Bot battles"};
  app.option_defaults()->always_capture_default();
  app.set_config("--config", "", "TOML/INI config file (keys = long option names)");
  app.get_formatter()->column_width(44);
  for (const ConfigOption& row : config_options()) row.add_to(app, c, row);
  bool print_markdown = false;
  app.add_flag("--print-config-markdown", print_markdown, "Print the option table as Markdown (for README.md)")
      ->group("");  // hidden: a tool for ops/config-doc.sh, not for operators

  ParseOutcome out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream os, es;
    out.exit_code = app.exit(e, os, es);
    out.message = os.str() + es.str();
    return out;
  }
  if (print_markdown) {
    out.message = config_markdown();
    return out;
  }
  if (auto v = validate(c); !v) {
    out.exit_code = 2;
    out.message = "invalid configuration: " + v.error() + "\n";
    return out;
  }
  out.run = true;
  return out;
}

core::Result<bool, std::string> validate(const Config& c) {
  if (c.heartbeat_ms * 2 > c.registry_ttl_ms) {
    return core::Err{std::string("--registry-ttl-ms must be at least 2 x --heartbeat-ms (got ttl ") +
                     std::to_string(c.registry_ttl_ms) + ", heartbeat " + std::to_string(c.heartbeat_ms) + ")"};
  }
  if (c.metrics_port != 0 && c.metrics_port == c.port) {
    return core::Err{std::string("--metrics-port must differ from --port")};
  }
  if (c.spectator_rate > c.tick_rate) {
    return core::Err{"--spectator-rate (" + std::to_string(c.spectator_rate) + ") must not exceed --tick-rate (" +
                     std::to_string(c.tick_rate) + ")"};
  }
  if (!c.redis.empty() && c.redis.rfind("redis://", 0) != 0) {
    return core::Err{"--redis must look like redis://host:port[/db], got '" + c.redis + "'"};
  }
  if (!c.redis_sentinel.empty() && !core::is_code(c.redis_master, 1, 64)) {
    return core::Err{std::string("--redis-master must be 1..64 of [A-Za-z0-9._-] with --redis-sentinel")};
  }
  if (c.min_players > c.arena_size) {
    return core::Err{"--min-players (" + std::to_string(c.min_players) + ") must not exceed --arena-size (" +
                     std::to_string(c.arena_size) + ")"};
  }
  if (c.max_lag_comp_ms * c.tick_rate / 1000 >= sim::LagHistory::kCapacity) {
    return core::Err{"--max-lag-comp-ms x --tick-rate must stay under " + std::to_string(sim::LagHistory::kCapacity) +
                     " ticks of history"};
  }
  if (c.production && !c.require_cookie) {
    return core::Err{
        std::string("--production needs --require-cookie true (without it spoofed sources hold peer "
                    "slots and get answers)")};
  }
  if (c.production && c.token_secret.size() < 16) {
    return core::Err{std::string("--production needs --token-secret (or QBOT_TOKEN_SECRET) of at least 16 bytes")};
  }
  if (!c.token_secret.empty() && c.token_secret.size() < 16) {
    return core::Err{std::string("--token-secret must be at least 16 bytes")};
  }
  if (c.queue_poll_ms * 2 > c.ticket_ttl_ms) {
    return core::Err{std::string("--ticket-ttl-ms must be at least 2 x --queue-poll-ms")};
  }
  if (c.redis_prefix.empty() || c.redis_prefix.size() > 32) {
    return core::Err{std::string("--redis-prefix must be 1..32 characters")};
  }
  return true;
}

}  // namespace qbot::server
