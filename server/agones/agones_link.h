#pragma once
// Agones for one qbot-server process: whether it is on (--agones, or
// AGONES_SDK_HTTP_PORT set), where the sidecar is, the GameServer's public
// address and port (advertised in the registry instead of --public-host /
// --public-port), the SDK thread, the reporter that decides what to tell
// Agones, and the qbot_agones_requests_total counters.
#include <chrono>
#include <memory>
#include <string>

#include "core/result.h"
#include "server/agones/agones_reporter.h"
#include "server/agones/agones_sdk.h"
#include "server/config.h"
#include "server/metrics/metrics.h"

namespace qbot::server {

/// The GameServer port that is the game's UDP port (ops/k8s/fleet.yaml names it so).
inline constexpr const char* kAgonesGamePortName = "game";
inline constexpr std::uint16_t kAgonesDefaultSdkPort = 9358;

class AgonesLink {
 public:
  using Nanos = std::chrono::nanoseconds;

  static bool enabled(const Config& cfg) { return cfg.agones || cfg.agones_sdk_port != 0; }
  /// Without --agones-sdk-port, takes the port from `env_value` (the
  /// AGONES_SDK_HTTP_PORT that Agones sets; null = unset). Fails naming the
  /// variable if it is set but not a port 1..65535.
  static core::Result<bool, std::string> adopt_sdk_port(Config& cfg, const char* env_value);

  /// Startup, before the tick exists (it blocks): waits up to `within` for
  /// the sidecar's GameServer to have an address, and puts that address and
  /// the host port of its `game` port into cfg.public_host / public_port.
  /// Fails with the reason if the sidecar never answers with one.
  static core::Result<std::unique_ptr<AgonesLink>, std::string> connect(Config& cfg, Metrics& metrics,
                                                                        std::chrono::milliseconds within);

  /// Once per loop iteration (after the due ticks): see AgonesReporter.
  void update(Nanos now, const AgonesView& view);
  /// Agones moved the GameServer to Shutdown: the server should drain.
  bool shutdown_requested() const { return sdk_.shutdown_requested(); }
  /// Posts Shutdown (the last call) and gives the SDK thread up to `within`
  /// to send what is queued.
  void finish(std::chrono::milliseconds within);

  AgonesLink(const Config& cfg, Metrics& metrics, std::string base_url);

 private:
  void publish(Nanos now);
  void publish_totals();

  Metrics& metrics_;
  AgonesSdk sdk_;
  AgonesReporter reporter_;
  AgonesSdk::Totals published_{};
  Nanos next_publish_{0};
};

}  // namespace qbot::server
