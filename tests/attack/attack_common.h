#pragma once
// What every attack shares: the common flags, the hard bounds, pacing, the
// connect data (a cookie with --cookie-exchange) and the one-line JSON
// report (what was sent, what was seen).
#include <chrono>
#include <cstdint>
#include <random>
#include <string>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "loopback.h"
#include "udp_socket.h"

namespace qbot::attack {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::steady_clock;
using Millis = std::chrono::milliseconds;

/// Flags of the tool itself (before the subcommand).
struct Common {
  Target target{*LoopbackIp::parse("127.0.0.1"), 7777};
  bool cookie_exchange = false;  // prove the address first (a legitimate but hostile client)
  double max_seconds = 120;      // no attack runs longer, whatever its own flags say
  std::uint64_t seed = 1;        // connect ids and names
  std::string metrics_url;       // the server's /metrics, for attacks that watch it
};

/// The end of an attack's time: its own length, capped by --max-seconds.
Clock::time_point deadline_after(const Common& c, double seconds);
Millis until(Clock::time_point t);

/// Spreads `count` events evenly over `seconds` from `start`: how many are
/// due by `now`. seconds <= 0: all at once.
std::uint64_t due_by(Clock::time_point start, Clock::time_point now, std::uint64_t count, double seconds);

/// The connect data for a connection from `socket`: 0, or with
/// --cookie-exchange the cookie that proves its address (or why not).
core::Result<std::uint32_t, std::string> connect_data(const Common& c, UdpSocket& socket);

/// A report line begun with the attack's name and target.
Json report(const Common& c, const char* attack);
/// "sent_datagrams", "sent_bytes", "received_datagrams", "received_bytes".
void add_traffic(Json& j, const Traffic& t);
double seconds_since(Clock::time_point start);

/// Value of one sample of the server's /metrics (e.g. "qbot_players"),
/// nullopt when --metrics-url is unset, unreachable or lacks it.
std::optional<double> server_metric(const Common& c, const std::string& sample);

}  // namespace qbot::attack
