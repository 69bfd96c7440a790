#include "server/config.h"

#include <CLI/CLI.hpp>

#include "proto/limits.h"
#include "sim/lag_history.h"

namespace qbot::server {

ParseOutcome parse_config(int argc, const char* const* argv, Config& c) {
  CLI::App app{"qbot-server: authoritative arena server for Q-Bot battles"};
  app.option_defaults()->always_capture_default();
  app.set_config("--config", "", "TOML/INI config file (keys = long option names)");
  app.get_formatter()->column_width(44);

  auto env = [](CLI::Option* o, const char* name) { return o->envname(name); };
  // Network
  env(app.add_option("--bind", c.bind, "UDP bind address"), "QBOT_BIND");
  env(app.add_option("--port", c.port, "UDP game port (0 = ephemeral)"), "QBOT_PORT");
  env(app.add_option("--public-host", c.public_host, "Address advertised to clients via the registry"),
      "QBOT_PUBLIC_HOST");
  env(app.add_option("--max-clients", c.max_clients, "Players on this server (ENet gets 32 spare slots to refuse more)")->check(CLI::Range(1, 4095)),
      "QBOT_MAX_CLIENTS");
  env(app.add_option("--connections-per-ip", c.connections_per_ip, "Simultaneous connections from one IP")
          ->check(CLI::Range(1, 4095)),
      "QBOT_CONNECTIONS_PER_IP");
  env(app.add_option("--hello-timeout-ms", c.hello_timeout_ms, "ms a new connection has to send Hello")
          ->check(CLI::Range(100, 60000)),
      "QBOT_HELLO_TIMEOUT_MS");
  env(app.add_option("--peer-timeout-ms", c.peer_timeout_ms, "ms without acks before a peer is dropped")
          ->check(CLI::Range(1000, 120000)),
      "QBOT_PEER_TIMEOUT_MS");
  env(app.add_option("--max-packets-per-s", c.max_packets_per_s, "Per-client packet rate limit (0 = 4 x tick rate)")
          ->check(CLI::Range(0, 100000)),
      "QBOT_MAX_PACKETS_PER_S");
  env(app.add_option("--max-bad-messages", c.max_bad_messages, "Undecodable or out-of-place packets tolerated after Welcome")
          ->check(CLI::Range(1, 1000)),
      "QBOT_MAX_BAD_MESSAGES");
  env(app.add_flag("--compress", c.compress, "ENet range-coder compression (clients must use it too)"),
      "QBOT_COMPRESS");
  // Simulation
  env(app.add_option("--tick-rate", c.tick_rate, "Simulation rate, Hz")->check(CLI::Range(10, 128)),
      "QBOT_TICK_RATE");
  env(app.add_option("--snapshot-interval", c.snapshot_interval, "Send a snapshot every N ticks")
          ->check(CLI::Range(1, 16)),
      "QBOT_SNAPSHOT_INTERVAL");
  env(app.add_option("--max-catch-up-ticks", c.max_catch_up_ticks, "Ticks run back-to-back after a stall")
          ->check(CLI::Range(1, 64)),
      "QBOT_MAX_CATCH_UP_TICKS");
  env(app.add_option("--arena-size", c.arena_size, "Players per arena (new arenas open as they fill)")
          ->check(CLI::Range(std::size_t{1}, proto::kMaxArenaPlayers)),
      "QBOT_ARENA_SIZE");
  env(app.add_option("--workers", c.workers,
                     "Threads stepping arenas in parallel, the tick thread included (ENet keeps its own thread)")
          ->check(CLI::Range(1u, kMaxWorkers)),
      "QBOT_WORKERS");
  env(app.add_option("--realtime-priority", c.realtime_priority,
                     "Run the tick thread and workers under SCHED_FIFO at this priority (0 = off; needs CAP_SYS_NICE)")
          ->check(CLI::Range(0, 99)),
      "QBOT_REALTIME_PRIORITY");
  env(app.add_option("--seed", c.seed, "Simulation seed (0 = derived from the server id)"), "QBOT_SEED");
  // Content and matches
  env(app.add_option("--catalog", c.catalog, "Parts catalog JSON (default <data dir>/catalog.json)"), "QBOT_CATALOG");
  env(app.add_option("--maps-dir", c.maps_dir, "Directory of map JSON files (default <data dir>/maps)"),
      "QBOT_MAPS_DIR");
  env(app.add_option("--map", c.map, "Play only this map (default: rotate through all maps)"), "QBOT_MAP");
  env(app.add_option("--mode", c.mode, "Game mode: ffa (free-for-all) or tdm (team deathmatch)")
          ->check(CLI::IsMember({"ffa", "tdm"})),
      "QBOT_MODE");
  env(app.add_option("--match-duration", c.match_duration_s, "Battle length, s")->check(CLI::Range(10, 7200)),
      "QBOT_MATCH_DURATION");
  env(app.add_option("--score-limit", c.score_limit, "Kills (team kills in tdm) that end a battle; 0 = none")
          ->check(CLI::Range(0, 10000)),
      "QBOT_SCORE_LIMIT");
  env(app.add_option("--min-players", c.min_players, "Players needed to start a battle")->check(CLI::Range(std::size_t{1}, proto::kMaxArenaPlayers)),
      "QBOT_MIN_PLAYERS");
  env(app.add_option("--countdown", c.countdown_s, "Countdown before a battle, s")->check(CLI::Range(0, 120)),
      "QBOT_COUNTDOWN");
  env(app.add_option("--results-time", c.results_s, "Results shown before the arena resets, s")
          ->check(CLI::Range(1, 120)),
      "QBOT_RESULTS_TIME");
  env(app.add_option("--max-lag-comp-ms", c.max_lag_comp_ms, "Max hitscan rewind to the shooter's view, ms")
          ->check(CLI::Range(0, 500)),
      "QBOT_MAX_LAG_COMP_MS");
  env(app.add_option("--respawn-delay", c.respawn_delay_s, "Dead time before respawn, s")->check(CLI::Range(0.0, 30.0)),
      "QBOT_RESPAWN_DELAY");
  env(app.add_option("--spawn-protection", c.spawn_protection_s, "Invulnerability after spawning, s (ends on firing)")
          ->check(CLI::Range(0.0, 10.0)),
      "QBOT_SPAWN_PROTECTION");
  env(app.add_option("--record-dir", c.record_dir, "Write a replay of every battle into this directory"),
      "QBOT_RECORD_DIR");
  // Netcode
  env(app.add_flag("--full-snapshots", c.full_snapshots,
                   "Send full snapshots without interest or budget (comparison baseline)"),
      "QBOT_FULL_SNAPSHOTS");
  env(app.add_option("--interest-radius", c.interest_radius_m, "Entities farther than this are not sent, m (0 = all)")
          ->check(CLI::Range(0.0, 1000.0)),
      "QBOT_INTEREST_RADIUS");
  env(app.add_option("--client-budget", c.client_budget_bytes_per_s,
                     "Snapshot bytes per second per client; nearest entities first (0 = unlimited)")
          ->check(CLI::Range(0, 10000000)),
      "QBOT_CLIENT_BUDGET");
  env(app.add_option("--reconnect-grace", c.reconnect_grace_s,
                     "Seconds a dropped player's bot waits for a reconnect (0 = free at once)")
          ->check(CLI::Range(0, 3600)),
      "QBOT_RECONNECT_GRACE");
  // Store / registry
  env(app.add_option("--redis", c.redis, "redis://host:port[/db]; empty = in-memory store"), "QBOT_REDIS");
  env(app.add_option("--redis-prefix", c.redis_prefix, "Prefix of every Redis key"), "QBOT_REDIS_PREFIX");
  env(app.add_option("--server-id", c.server_id, "Registry id (default <hostname>-<port>)"), "QBOT_SERVER_ID");
  env(app.add_option("--region", c.region, "Region advertised in the registry"), "QBOT_REGION");
  env(app.add_option("--heartbeat-ms", c.heartbeat_ms, "Registry heartbeat period, ms")->check(CLI::Range(100, 60000)),
      "QBOT_HEARTBEAT_MS");
  env(app.add_option("--registry-ttl-ms", c.registry_ttl_ms, "Registry entry TTL, ms")->check(CLI::Range(500, 600000)),
      "QBOT_REGISTRY_TTL_MS");
  // Matchmaking, garage, results
  env(app.add_option("--token-secret", c.token_secret,
                     "Fleet secret signing join/account tokens (>= 16 bytes; prefer the env var)"),
      "QBOT_TOKEN_SECRET");
  env(app.add_flag("--production", c.production, "Refuse to start without --token-secret"), "QBOT_PRODUCTION");
  env(app.add_option("--matchmaker", c.matchmaker, "Run a matchmaker in this process (true/false)"),
      "QBOT_MATCHMAKER");
  env(app.add_option("--matchmaker-interval-ms", c.matchmaker_interval_ms, "Pause between matchmaking passes, ms")
          ->check(CLI::Range(10, 60000)),
      "QBOT_MATCHMAKER_INTERVAL_MS");
  env(app.add_option("--max-bots", c.max_bots, "Q-Bots per player garage")->check(CLI::Range(std::size_t{1}, proto::kMaxGarageBots)),
      "QBOT_MAX_BOTS");
  env(app.add_option("--ticket-ttl-ms", c.ticket_ttl_ms, "A queued client's ticket expires this long after its last refresh, ms")
          ->check(CLI::Range(1000, 600000)),
      "QBOT_TICKET_TTL_MS");
  env(app.add_option("--queue-poll-ms", c.queue_poll_ms, "Refresh / report period of queued tickets, ms")
          ->check(CLI::Range(50, 60000)),
      "QBOT_QUEUE_POLL_MS");
  env(app.add_option("--join-token-ttl", c.join_token_ttl_s, "Join tokens of an assignment expire after this, s")
          ->check(CLI::Range(5, 3600)),
      "QBOT_JOIN_TOKEN_TTL");
  env(app.add_option("--match-join-timeout", c.match_join_timeout_s,
                     "A matchmade match starts with whoever joined after this, s")
          ->check(CLI::Range(1, 600)),
      "QBOT_MATCH_JOIN_TIMEOUT");
  env(app.add_option("--journal-dir", c.journal_dir, "Match results wait here while the store is unreachable"),
      "QBOT_JOURNAL_DIR");
  env(app.add_option("--results-stream-max", c.results_stream_max,
                     "How many of the newest match results the store's results stream keeps (0 = all; ratings are kept "
                     "regardless)"),
      "QBOT_RESULTS_STREAM_MAX");
  // Observability
  env(app.add_option("--metrics-bind", c.metrics_bind, "Prometheus /metrics bind address"), "QBOT_METRICS_BIND");
  env(app.add_option("--metrics-port", c.metrics_port, "Prometheus /metrics TCP port (0 = disabled)"),
      "QBOT_METRICS_PORT");
  env(app.add_option("--log-level", c.log_level, "Log level")
          ->check(CLI::IsMember({"trace", "debug", "info", "warn", "error"})),
      "QBOT_LOG_LEVEL");

  ParseOutcome out;
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    std::ostringstream os, es;
    out.exit_code = app.exit(e, os, es);
    out.message = os.str() + es.str();
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
  if (!c.redis.empty() && c.redis.rfind("redis://", 0) != 0) {
    return core::Err{"--redis must look like redis://host:port[/db], got '" + c.redis + "'"};
  }
  if (c.min_players > c.arena_size) {
    return core::Err{"--min-players (" + std::to_string(c.min_players) + ") must not exceed --arena-size (" +
                     std::to_string(c.arena_size) + ")"};
  }
  if (c.max_lag_comp_ms * c.tick_rate / 1000 >= sim::LagHistory::kCapacity) {
    return core::Err{"--max-lag-comp-ms x --tick-rate must stay under " + std::to_string(sim::LagHistory::kCapacity) +
                     " ticks of history"};
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
