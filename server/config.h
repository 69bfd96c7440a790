#pragma once
// Every knob of qbot-server and its default (the member initialisers below
// are the only place a default is written). Which flag, environment variable,
// unit, range and meaning each member has is the table in config_options.cpp;
// `qbot-server --help` and README.md's configuration table are printed from it.
//
// Precedence (CLI11): command line > --config file > QBOT_* environment >
// the defaults below. CLI11 reads the config file before the environment and
// never overwrites an option that is already set, so a flag beats the file
// and the file beats the environment.
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace qbot::server {

/// Most threads --workers may ask for.
constexpr std::uint32_t kMaxWorkers = 64;

struct Config {
  // Network
  std::string bind = "0.0.0.0";           // UDP bind address
  std::uint16_t port = 7777;              // UDP port for game clients (0 = ephemeral)
  std::string public_host = "127.0.0.1";  // address advertised in the registry
  std::uint16_t public_port = 0;          // port advertised in the registry; 0 = the bound port
  std::size_t max_clients = 1024;         // ENet peer slots, 1..4095
  std::size_t connections_per_ip = 64;    // simultaneous ENet peers per IP
  std::uint32_t hello_timeout_ms = 5000;  // connect -> Hello deadline (lossy links retransmit)
  std::uint32_t peer_timeout_ms = 30000;  // ENet: no ack for this long = gone (shorter trips over
                                          // ENet's retransmit backoff on lossy links)
  std::uint32_t max_packets_per_s = 0;    // per client; 0 = 4 x tick rate
  std::uint32_t max_bad_messages = 8;     // undecodable packets before a kick
  // Before a peer slot and until Welcome (docs/SECURITY.md)
  bool require_cookie = true;                 // a CONNECT must carry its address's cookie (off: older clients)
  std::size_t max_unwelcomed = 128;           // peers not yet welcomed (half-open included), all addresses
  std::size_t max_unwelcomed_per_ip = 32;     // ... from one IPv4 address (a NAT of players joining at once)
  std::uint32_t handshake_timeout_ms = 2000;  // a half-open ENet peer is reset after this
  std::uint32_t dead_peer_ms = 5000;          // a connected peer that acknowledged nothing this long is dropped
  std::uint32_t max_transport_per_s = 64;     // ENet pings / bandwidth / throttle / unknown-channel commands per peer
  std::size_t max_parked_per_ip = 4;          // dropped players kept for a reconnect, per address
  bool compress = false;                      // ENet range coder (clients must match)
  bool net_thread = true;                     // ENet on its own thread (tests on virtual time: false)

  // Simulation
  std::uint32_t tick_rate = 60;          // Hz, 10..128
  std::uint32_t snapshot_interval = 1;   // send a snapshot every N ticks
  std::uint32_t max_catch_up_ticks = 5;  // ticks run back-to-back after a stall
  std::size_t arena_size = 8;            // players per arena, 1..64
  std::uint64_t seed = 0;                // 0 = derive from server id
  std::uint32_t workers = 1;             // threads stepping arenas in parallel (1 = the tick thread alone)
  int realtime_priority = 0;             // SCHED_FIFO priority of the tick thread and workers (0 = ordinary)

  // Content and matches
  std::string catalog;                   // parts catalog JSON; empty = <data dir>/catalog.json
  std::string maps_dir;                  // directory of map JSON files; empty = <data dir>/maps
  std::string map;                       // play only this map; empty = rotate through all
  std::string mode = "ffa";              // ffa (free-for-all) | tdm (team deathmatch)
  std::uint32_t match_duration_s = 300;  // battle length, s
  std::uint32_t score_limit = 20;        // kills (team kills in tdm) that end a battle; 0 = none
  std::uint32_t min_players = 2;         // players needed to start the countdown
  std::uint32_t countdown_s = 5;         // countdown before a battle, s
  std::uint32_t results_s = 8;           // results shown before the arena resets, s
  std::uint32_t max_lag_comp_ms = 200;   // how far hitscan may rewind to the shooter's view
  float respawn_delay_s = 2.0f;          // dead time before respawn
  float spawn_protection_s = 1.5f;       // invulnerability after spawning (ends on firing)
  std::string record_dir;                // write a replay of every battle here; empty = off

  // Netcode
  bool full_snapshots = false;      // every snapshot full, no interest / budget (baseline for benchmarks)
  float interest_radius_m = 40.0f;  // entities farther than this are not sent (0 = all)
  std::uint32_t client_budget_bytes_per_s = 16000;  // snapshot data budget per client (0 = none)
  std::uint32_t reconnect_grace_s = 30;             // a dropped player's bot is kept this long for a reconnect

  // Store / registry
  std::string redis;                      // redis://host:port[/db]; empty = in-memory
  std::string redis_sentinel;             // host:port[,host:port...]: find the primary through these sentinels
  std::string redis_master = "qbot";      // the primary's name at the sentinels
  std::uint32_t redis_wait_replicas = 0;  // a result counts as stored once this many replicas have it
  std::string redis_prefix = "qbot:";     // prefix of every Redis key
  std::string server_id;                  // default: <hostname>-<port>
  std::string region = "local";
  std::uint32_t heartbeat_ms = 1000;     // registry heartbeat period
  std::uint32_t registry_ttl_ms = 5000;  // registry entry expires after this

  // Matchmaking, garage, results (docs/REDIS.md, docs/TOKENS.md)
  std::string token_secret;                      // fleet secret for join/account tokens (>= 16 bytes); every
                                                 // server of a fleet needs the same one. Empty = a random key
                                                 // (tokens valid in this process only); refused in production
  bool token_secret_is_random = false;           // set by main when it made one up (development)
  bool production = false;                       // refuse to start without token_secret or with require_cookie off
  bool matchmaker = true;                        // run a matchmaker in this process (any number may run)
  std::uint32_t matchmaker_interval_ms = 250;    // pause between matchmaking passes
  std::uint32_t max_bots = 8;                    // Q-Bots per garage
  std::uint32_t ticket_ttl_ms = 10000;           // a queued client's ticket expires this long after its last poll
  std::uint32_t queue_poll_ms = 500;             // how often queued clients' tickets are refreshed / reported
  std::uint32_t join_token_ttl_s = 60;           // a match assignment's join tokens expire after this
  std::uint32_t match_join_timeout_s = 15;       // a matchmade match starts with whoever came after this
  std::string journal_dir = "results-journal";   // match results wait here while the store is unreachable
  std::uint64_t results_stream_max = 1'000'000;  // the results stream keeps this many newest entries (0 = all)

  // Observability
  std::string metrics_bind = "0.0.0.0";
  std::uint16_t metrics_port = 9100;  // HTTP: /metrics, /healthz, /readyz, spectators; 0 disables it
  std::string log_level = "info";     // trace|debug|info|warn|error

  // Spectators (server/spectator)
  std::uint32_t spectator_rate = 15;  // frames per second per watched arena
  float spectator_delay_s = 3.0f;     // frames are shown this long after they happened
  std::size_t max_spectators = 0;     // served on the HTTP port; 0 = spectating off
  // Hosting: the drain, Agones
  std::uint32_t drain_timeout_s = 360;    // SIGTERM: battles in progress get this long to finish
  bool agones = false;                    // talk to the Agones SDK sidecar (also on when agones_sdk_port is set)
  std::uint16_t agones_sdk_port = 0;      // the sidecar's REST port (AGONES_SDK_HTTP_PORT); 0 = 9358
  std::uint32_t agones_health_ms = 1000;  // Health ping period

  // Testing only
  std::uint32_t debug_stall_tick_after_s = 0;  // the tick loop stalls (as if stuck) this long after start; 0 = never

  /// Redis holds the store, found by --redis or through --redis-sentinel (else: in memory).
  bool uses_redis() const { return !redis.empty() || !redis_sentinel.empty(); }
  std::uint32_t packets_per_s_limit() const { return max_packets_per_s != 0 ? max_packets_per_s : 4 * tick_rate; }
};

/// Parses argv (+ --config file + env) into `cfg`, then validate()s it.
/// `run` is true when the server should start. Otherwise `message` says why
/// and `exit_code` is the process's exit status: 0 for --help (the help text)
/// and --print-config-markdown (the option table as Markdown), non-zero for
/// an error, which names the option and its allowed range.
struct ParseOutcome {
  bool run = false;
  int exit_code = 0;
  std::string message;
};
ParseOutcome parse_config(int argc, const char* const* argv, Config& cfg);

/// Cross-field checks (CLI11 validators cover single fields).
core::Result<bool, std::string> validate(const Config& cfg);

}  // namespace qbot::server
