#include "server/config_options.h"

#include <CLI/CLI.hpp>

#include <cstdint>
#include <sstream>
#include <type_traits>

#include "proto/limits.h"
#include "server/config.h"

namespace qbot::server {
namespace {

template <class M>
struct MemberOf;
template <class T>
struct MemberOf<T Config::*> {
  using type = T;
};

/// Adds `row` to `app`, bound to `cfg.*Member`.
template <auto Member>
CLI::Option* add_member(CLI::App& app, Config& cfg, const ConfigOption& row) {
  using T = typename MemberOf<decltype(Member)>::type;
  const std::string flag(row.flag);
  const std::string description = config_description(row);
  CLI::Option* o = nullptr;
  if constexpr (std::is_same_v<T, bool>) {
    o = row.is_switch ? app.add_flag(flag, cfg.*Member, description) : app.add_option(flag, cfg.*Member, description);
  } else {
    o = app.add_option(flag, cfg.*Member, description);
  }
  o->envname(std::string(row.env));
  o->group(std::string(row.group));
  if (row.check.ranged) {
    if constexpr (std::is_integral_v<T>) {
      o->check(CLI::Range(static_cast<std::int64_t>(row.check.min), static_cast<std::int64_t>(row.check.max)));
    } else {
      o->check(CLI::Range(row.check.min, row.check.max));
    }
  }
  if (!row.check.words.empty()) o->check(CLI::IsMember(row.check.words));
  return o;
}

template <auto Member>
std::string member_text(const Config& cfg) {
  using T = typename MemberOf<decltype(Member)>::type;
  const T& v = cfg.*Member;
  if constexpr (std::is_same_v<T, std::string>) {
    return v;
  } else if constexpr (std::is_same_v<T, bool>) {
    return v ? "true" : "false";
  } else if constexpr (std::is_floating_point_v<T>) {
    std::ostringstream os;
    os << v;  // 2, 1.5, 40: as a person writes them
    return os.str();
  } else {
    return std::to_string(v);
  }
}

ConfigCheck any() { return {}; }
ConfigCheck range(double min, double max) { return {true, min, max, {}}; }
ConfigCheck one_of(std::vector<std::string> words) { return {false, 0, 0, std::move(words)}; }

/// A row that takes a value.
template <auto Member>
ConfigOption option(std::string_view flag, std::string_view env, std::string_view unit, ConfigCheck check,
                    std::string_view help, std::string_view unset = {}) {
  ConfigOption row;
  row.flag = flag;
  row.env = env;
  row.unit = unit;
  row.check = std::move(check);
  row.help = help;
  row.unset = unset;
  row.add_to = &add_member<Member>;
  row.value_of = &member_text<Member>;
  return row;
}

/// A row that is a switch: present = on (the env variable takes true/false).
template <auto Member>
ConfigOption toggle(std::string_view flag, std::string_view env, std::string_view help) {
  ConfigOption row = option<Member>(flag, env, "", any(), help);
  row.is_switch = true;
  return row;
}

using Table = std::vector<ConfigOption>;

void add(Table& table, std::string_view group, std::initializer_list<ConfigOption> rows) {
  for (ConfigOption row : rows) {
    row.group = group;
    table.push_back(std::move(row));
  }
}

void add_network(Table& t) {
  add(t, "Network",
      {option<&Config::bind>("--bind", "QBOT_BIND", "", any(), "UDP bind address"),
       option<&Config::port>("--port", "QBOT_PORT", "", any(), "UDP game port (0 = ephemeral)"),
       option<&Config::public_host>("--public-host", "QBOT_PUBLIC_HOST", "", any(),
                                    "Address advertised to clients via the registry (with Agones: the GameServer's "
                                    "address)"),
       option<&Config::public_port>("--public-port", "QBOT_PUBLIC_PORT", "", any(),
                                    "UDP port advertised to clients via the registry, when a NAT or container maps "
                                    "--port to another (0 = --port; with Agones: the GameServer's port)"),
       option<&Config::max_clients>("--max-clients", "QBOT_MAX_CLIENTS", "", range(1, 4095),
                                    "Players on this server (ENet gets 32 spare slots to refuse more)"),
       option<&Config::connections_per_ip>("--connections-per-ip", "QBOT_CONNECTIONS_PER_IP", "", range(1, 4095),
                                           "Simultaneous connections from one IP"),
       option<&Config::hello_timeout_ms>("--hello-timeout-ms", "QBOT_HELLO_TIMEOUT_MS", "ms", range(100, 60000),
                                         "Time a new connection has to send Hello"),
       option<&Config::peer_timeout_ms>("--peer-timeout-ms", "QBOT_PEER_TIMEOUT_MS", "ms", range(1000, 120000),
                                        "Time without acks before a peer is dropped (ENet doubles its retransmit "
                                        "interval, so short timeouts trip on lossy links)"),
       option<&Config::max_packets_per_s>("--max-packets-per-s", "QBOT_MAX_PACKETS_PER_S", "packets/s",
                                          range(0, 100000), "Per-client packet rate limit (0 = 4 x tick rate)"),
       option<&Config::max_bad_messages>("--max-bad-messages", "QBOT_MAX_BAD_MESSAGES", "", range(1, 1000),
                                         "Undecodable or out-of-place packets tolerated after Welcome"),
       toggle<&Config::compress>("--compress", "QBOT_COMPRESS",
                                 "ENet range-coder compression (clients must use it too)")});
}

void add_admission(Table& t) {
  add(t, "Admission (docs/SECURITY.md)",
      {option<&Config::require_cookie>("--require-cookie", "QBOT_REQUIRE_COOKIE", "", any(),
                                       "A CONNECT must carry the cookie of its source address (docs/PROTOCOL.md); "
                                       "false accepts clients without the exchange (refused with --production)"),
       option<&Config::max_unwelcomed>("--max-unwelcomed", "QBOT_MAX_UNWELCOMED", "", range(1, 4095),
                                       "Connections not yet welcomed (half-open included), all addresses; a full "
                                       "pool evicts the oldest of the address holding the most"),
       option<&Config::max_unwelcomed_per_ip>("--max-unwelcomed-per-ip", "QBOT_MAX_UNWELCOMED_PER_IP", "",
                                              range(1, 4095), "Connections not yet welcomed from one IP"),
       option<&Config::handshake_timeout_ms>("--handshake-timeout-ms", "QBOT_HANDSHAKE_TIMEOUT_MS", "ms",
                                             range(100, 60000),
                                             "A connection whose ENet handshake is not complete "
                                             "this long after its CONNECT is reset"),
       option<&Config::dead_peer_ms>("--dead-peer-ms", "QBOT_DEAD_PEER_MS", "ms", range(500, 120000),
                                     "A connected peer that acknowledged nothing this long is dropped (ENet pings "
                                     "every 500 ms)"),
       option<&Config::max_transport_per_s>("--max-transport-per-s", "QBOT_MAX_TRANSPORT_PER_S", "commands/s",
                                            range(8, 100000),
                                            "ENet pings, bandwidth and throttle settings and commands on unknown "
                                            "channels per peer; more is a flood and the peer is cut"),
       option<&Config::max_parked_per_ip>("--max-parked-per-ip", "QBOT_MAX_PARKED_PER_IP", "", range(0, 4095),
                                          "Dropped players kept for a reconnect per IP; beyond it a drop frees the "
                                          "slot at once")});
}

void add_simulation(Table& t) {
  add(t, "Simulation",
      {option<&Config::tick_rate>("--tick-rate", "QBOT_TICK_RATE", "Hz", range(10, 128), "Simulation rate"),
       option<&Config::snapshot_interval>("--snapshot-interval", "QBOT_SNAPSHOT_INTERVAL", "ticks", range(1, 16),
                                          "Send a snapshot every N ticks"),
       option<&Config::max_catch_up_ticks>("--max-catch-up-ticks", "QBOT_MAX_CATCH_UP_TICKS", "ticks", range(1, 64),
                                           "Ticks run back-to-back after a stall"),
       option<&Config::arena_size>("--arena-size", "QBOT_ARENA_SIZE", "",
                                   range(1, static_cast<double>(proto::kMaxArenaPlayers)),
                                   "Players per arena (new arenas open as they fill)"),
       option<&Config::workers>("--workers", "QBOT_WORKERS", "", range(1, kMaxWorkers),
                                "Threads stepping arenas (and encoding their snapshots) in parallel, the tick thread "
                                "included; ENet keeps its own thread"),
       option<&Config::realtime_priority>(
           "--realtime-priority", "QBOT_REALTIME_PRIORITY", "", range(0, 99),
           "Run the tick thread and workers under SCHED_FIFO at this priority and lock the process's memory (heap "
           "grown 64 MiB at a time); needs root or CAP_SYS_NICE + CAP_IPC_LOCK (logs a warning and carries on "
           "without); 0 = ordinary scheduling"),
       option<&Config::seed>("--seed", "QBOT_SEED", "", any(), "Simulation seed (0 = derived from the server id)")});
}

void add_content(Table& t) {
  add(t, "Content and matches",
      {option<&Config::catalog>("--catalog", "QBOT_CATALOG", "", any(), "Parts catalog JSON (docs/CATALOG.md)",
                                "<prefix>/share/qbot-arena/catalog.json when installed, else shared/data/catalog.json"),
       option<&Config::maps_dir>("--maps-dir", "QBOT_MAPS_DIR", "", any(),
                                 "Directory of map JSON files, rotated by name",
                                 "<prefix>/share/qbot-arena/maps when installed, else shared/data/maps"),
       option<&Config::map>("--map", "QBOT_MAP", "", any(), "Play only this map", "rotate through all maps"),
       option<&Config::mode>("--mode", "QBOT_MODE", "", one_of({"ffa", "tdm"}),
                             "Game mode: ffa (free-for-all) or tdm (team deathmatch, no friendly fire)"),
       option<&Config::match_duration_s>("--match-duration", "QBOT_MATCH_DURATION", "s", range(10, 7200),
                                         "Battle length"),
       option<&Config::score_limit>("--score-limit", "QBOT_SCORE_LIMIT", "", range(0, 10000),
                                    "Kills (team kills in tdm) that end a battle; 0 = none"),
       option<&Config::min_players>("--min-players", "QBOT_MIN_PLAYERS", "",
                                    range(1, static_cast<double>(proto::kMaxArenaPlayers)),
                                    "Players needed to start the countdown (at most --arena-size)"),
       option<&Config::countdown_s>("--countdown", "QBOT_COUNTDOWN", "s", range(0, 120), "Countdown before a battle"),
       option<&Config::results_s>("--results-time", "QBOT_RESULTS_TIME", "s", range(1, 120),
                                  "Results shown before the arena resets"),
       option<&Config::max_lag_comp_ms>("--max-lag-comp-ms", "QBOT_MAX_LAG_COMP_MS", "ms", range(0, 500),
                                        "How far hitscan may rewind to the shooter's view"),
       option<&Config::respawn_delay_s>("--respawn-delay", "QBOT_RESPAWN_DELAY", "s", range(0, 30),
                                        "Dead time before respawn"),
       option<&Config::spawn_protection_s>("--spawn-protection", "QBOT_SPAWN_PROTECTION", "s", range(0, 10),
                                           "Invulnerability after spawning (ends on firing)"),
       option<&Config::record_dir>("--record-dir", "QBOT_RECORD_DIR", "", any(),
                                   "Write a replay (.qreplay) of every battle into this directory", "off")});
}

void add_netcode(Table& t) {
  add(t, "Netcode",
      {toggle<&Config::full_snapshots>("--full-snapshots", "QBOT_FULL_SNAPSHOTS",
                                       "Send every snapshot full, without interest or budget (comparison baseline)"),
       option<&Config::interest_radius_m>("--interest-radius", "QBOT_INTEREST_RADIUS", "m", range(0, 1000),
                                          "Entities farther than this are not sent; own bot, teammates and own "
                                          "projectiles always are (0 = all)"),
       option<&Config::client_budget_bytes_per_s>("--client-budget", "QBOT_CLIENT_BUDGET", "bytes/s",
                                                  range(0, 10000000),
                                                  "Snapshot data per client; nearest entities first (0 = unlimited)"),
       option<&Config::reconnect_grace_s>("--reconnect-grace", "QBOT_RECONNECT_GRACE", "s", range(0, 3600),
                                          "How long a dropped player's bot waits for a reconnect (0 = free at once)")});
}

void add_store(Table& t) {
  add(t, "Store and registry",
      {option<&Config::redis>("--redis", "QBOT_REDIS", "", any(), "Redis to keep state in: redis://host:port[/db]",
                              "in-memory store (one process, nothing persists)"),
       option<&Config::redis_sentinel>("--redis-sentinel", "QBOT_REDIS_SENTINEL", "", any(),
                                       "Redis Sentinels (host:port,host:port,...) that name the primary to use "
                                       "(docs/REDIS.md \"High "
                                       "availability\"); --redis then gives only the password and db",
                                       "no sentinels: --redis is the one Redis"),
       option<&Config::redis_master>("--redis-master", "QBOT_REDIS_MASTER", "", any(),
                                     "Name of the primary the sentinels watch (with --redis-sentinel)"),
       option<&Config::redis_wait_replicas>(
           "--redis-wait-replicas", "QBOT_REDIS_WAIT_REPLICAS", "", range(0, 16),
           "A match result counts as stored (and leaves the journal) only once this many replicas acknowledged "
           "it (WAIT); 1 with a replicated primary keeps a failover from losing results"),
       option<&Config::redis_prefix>("--redis-prefix", "QBOT_REDIS_PREFIX", "", any(),
                                     "Prefix of every Redis key (1..32 characters)"),
       option<&Config::server_id>("--server-id", "QBOT_SERVER_ID", "", any(), "Registry id", "<hostname>-<port>"),
       option<&Config::region>("--region", "QBOT_REGION", "", any(), "Region advertised in the registry"),
       option<&Config::heartbeat_ms>("--heartbeat-ms", "QBOT_HEARTBEAT_MS", "ms", range(100, 60000),
                                     "Registry heartbeat period"),
       option<&Config::registry_ttl_ms>("--registry-ttl-ms", "QBOT_REGISTRY_TTL_MS", "ms", range(500, 600000),
                                        "Registry entry TTL (at least 2 x --heartbeat-ms)")});
}

void add_matchmaking(Table& t) {
  add(t, "Matchmaking, garage, results",
      {option<&Config::token_secret>("--token-secret", "QBOT_TOKEN_SECRET", "", any(),
                                     "Fleet secret (>= 16 bytes) signing join and account tokens; every server of a "
                                     "fleet needs the same one. Prefer the environment variable",
                                     "a random key, valid in this process only (logged as a warning)"),
       toggle<&Config::production>("--production", "QBOT_PRODUCTION",
                                   "Refuse to start without --token-secret or with --require-cookie false"),
       option<&Config::matchmaker>("--matchmaker", "QBOT_MATCHMAKER", "", any(),
                                   "Run a matchmaker in this process, true/false (any number may run)"),
       option<&Config::matchmaker_interval_ms>("--matchmaker-interval-ms", "QBOT_MATCHMAKER_INTERVAL_MS", "ms",
                                               range(10, 60000), "Pause between matchmaking passes (+-20 % jitter)"),
       option<&Config::max_bots>("--max-bots", "QBOT_MAX_BOTS", "",
                                 range(1, static_cast<double>(proto::kMaxGarageBots)), "Q-Bots per player garage"),
       option<&Config::ticket_ttl_ms>("--ticket-ttl-ms", "QBOT_TICKET_TTL_MS", "ms", range(1000, 600000),
                                      "A queued client's ticket expires this long after its last refresh (at least "
                                      "2 x --queue-poll-ms)"),
       option<&Config::queue_poll_ms>("--queue-poll-ms", "QBOT_QUEUE_POLL_MS", "ms", range(50, 60000),
                                      "How often queued tickets are refreshed and QueueStatus sent"),
       option<&Config::join_token_ttl_s>("--join-token-ttl", "QBOT_JOIN_TOKEN_TTL", "s", range(5, 3600),
                                         "Join tokens of a match assignment expire this long after the match was made"),
       option<&Config::match_join_timeout_s>("--match-join-timeout", "QBOT_MATCH_JOIN_TIMEOUT", "s", range(1, 600),
                                             "A matchmade battle starts with whoever joined after this"),
       option<&Config::journal_dir>("--journal-dir", "QBOT_JOURNAL_DIR", "", any(),
                                    "Every finished match's result is written (fsync) here first and removed once "
                                    "the store has it"),
       option<&Config::results_stream_max>("--results-stream-max", "QBOT_RESULTS_STREAM_MAX", "", any(),
                                           "How many of the newest match results the store's results stream keeps "
                                           "(0 = all); ratings, bot stats and exactly-once markers are kept "
                                           "regardless")});
}

void add_observability(Table& t) {
  add(t, "Observability",
      {option<&Config::metrics_bind>("--metrics-bind", "QBOT_METRICS_BIND", "", any(),
                                     "Prometheus /metrics bind address"),
       option<&Config::metrics_port>("--metrics-port", "QBOT_METRICS_PORT", "", any(),
                                     "HTTP TCP port: /metrics (Prometheus), /healthz, /readyz, and the spectator "
                                     "pages with --max-spectators (0 = disabled; must differ from --port)"),
       option<&Config::log_level>("--log-level", "QBOT_LOG_LEVEL", "",
                                  one_of({"trace", "debug", "info", "warn", "error"}), "Log level")});
}

void add_spectators(Table& t) {
  add(t, "Spectators",
      {option<&Config::spectator_rate>("--spectator-rate", "QBOT_SPECTATOR_RATE", "Hz", range(1, 60),
                                       "Spectator frames per second per watched arena (at most the tick rate)"),
       option<&Config::spectator_delay_s>("--spectator-delay", "QBOT_SPECTATOR_DELAY", "s", range(0, 600),
                                          "Spectators see the battle this long after it happened"),
       option<&Config::
                  max_spectators>("--max-spectators", "QBOT_MAX_SPECTATORS", "", range(0, 1000),
                                  "Spectators at once, served on the HTTP port (--metrics-bind:--metrics-port: GET /, "
                                  "/watch, /api/arenas, WebSocket /ws); more are refused with a message (0 = "
                                  "spectating off; ops/run.sh uses 32)")});
}

void add_hosting(Table& t) {
  add(t, "Hosting",
      {option<&Config::drain_timeout_s>("--drain-timeout", "QBOT_DRAIN_TIMEOUT", "s", range(0, 86400),
                                        "On SIGTERM (or an Agones shutdown) battles in progress get this long to "
                                        "finish before the server exits; a second signal cuts it short (set the "
                                        "orchestrator's grace period a little longer)"),
       toggle<&Config::agones>("--agones", "QBOT_AGONES",
                               "Report to the Agones SDK sidecar: Ready, Health, players and arenas counters, "
                               "labels, Shutdown (on by itself when AGONES_SDK_HTTP_PORT is set)"),
       option<&Config::agones_sdk_port>("--agones-sdk-port", "QBOT_AGONES_SDK_PORT", "", any(),
                                        "The Agones sidecar's REST port on localhost (0 = AGONES_SDK_HTTP_PORT, which "
                                        "Agones sets, else 9358); setting either turns --agones on"),
       option<&Config::agones_health_ms>("--agones-health-ms", "QBOT_AGONES_HEALTH_MS", "ms", range(100, 60000),
                                         "Agones Health ping period (sent only while ticks complete; keep it well "
                                         "under the Fleet's health periodSeconds)")});
}

void add_testing(Table& t) {
  add(t, "Testing",
      {option<&Config::debug_stall_tick_after_s>("--debug-stall-tick-after", "QBOT_DEBUG_STALL_TICK_AFTER", "s",
                                                 range(0, 86400),
                                                 "Tests only: this long after start the tick loop stalls as a stuck "
                                                 "tick would (no ticks, /healthz 503, no "
                                                 "Agones Health) until a signal, which drains as usual (0 = never)")});
}

Table make_table() {
  Table t;
  add_network(t);
  add_admission(t);
  add_simulation(t);
  add_content(t);
  add_netcode(t);
  add_store(t);
  add_matchmaking(t);
  add_observability(t);
  add_spectators(t);
  add_hosting(t);
  add_testing(t);
  return t;
}

}  // namespace

std::span<const ConfigOption> config_options() {
  static const Table table = make_table();
  return table;
}

std::string config_description(const ConfigOption& row) {
  std::string out(row.help);
  if (!row.unit.empty()) out += " [" + std::string(row.unit) + "]";
  if (!row.unset.empty()) out += "; unset: " + std::string(row.unset);
  return out;
}

namespace {

std::string number_text(double v) {
  if (v == static_cast<double>(static_cast<std::int64_t>(v))) return std::to_string(static_cast<std::int64_t>(v));
  std::ostringstream os;
  os << v;
  return os.str();
}

/// Markdown-safe cell text: a `|` would end the cell, `<...>` would be taken
/// for HTML.
std::string cell(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '|' || c == '<' || c == '>') out += '\\';
    out += c;
  }
  return out;
}

std::string default_cell(const ConfigOption& row, const Config& defaults) {
  const std::string value = row.value_of(defaults);
  if (row.is_switch) return value == "true" ? "on" : "off";
  if (value.empty()) return row.unset.empty() ? "(empty)" : cell(row.unset);  // literal values are in backticks
  return "`" + cell(value) + "`";
}

}  // namespace

std::string config_allowed(const ConfigOption& row) {
  if (row.check.ranged) return number_text(row.check.min) + ".." + number_text(row.check.max);
  std::string out;
  for (const std::string& word : row.check.words) out += (out.empty() ? "" : ", ") + word;
  return out;
}

std::string config_markdown() {
  const Config defaults;
  std::string out = "| Flag | Env | Default | Unit | Allowed | Meaning |\n|---|---|---|---|---|---|\n";
  for (const ConfigOption& row : config_options()) {
    out += "| `" + std::string(row.flag) + "` | `" + std::string(row.env) + "` | " + default_cell(row, defaults) +
           " | " + cell(row.unit) + " | " + cell(config_allowed(row)) + " | " + cell(row.help) + " |\n";
  }
  return out;
}

}  // namespace qbot::server
