#include "server/agones/agones_link.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <string_view>

#include "core/quoted.h"

#include "proto/version.h"

namespace qbot::server {
namespace {

AgonesSettings settings_for(const Config& cfg) {
  AgonesSettings s;
  s.region = cfg.region;
  s.protocol_version = proto::kProtocolVersion;
  s.health_period = std::chrono::milliseconds(cfg.agones_health_ms);
  s.player_capacity = static_cast<std::int64_t>(cfg.max_clients);
  // Arenas open as they fill; matchmade ones may hold fewer players, so
  // this is a ceiling for packing decisions, not a hard limit.
  s.arena_capacity = static_cast<std::int64_t>(std::max<std::size_t>(1, cfg.max_clients / cfg.arena_size));
  return s;
}

std::string base_url(const Config& cfg) {
  const std::uint16_t port = cfg.agones_sdk_port != 0 ? cfg.agones_sdk_port : kAgonesDefaultSdkPort;
  return "http://127.0.0.1:" + std::to_string(port);
}

}  // namespace

AgonesLink::AgonesLink(const Config& cfg, Metrics& metrics, std::string url)
    : metrics_(metrics),
      sdk_(AgonesSdkConfig{std::move(url)}),
      reporter_(settings_for(cfg), [this](AgonesCall call) { return sdk_.post(std::move(call)); }) {}

core::Result<bool, std::string> AgonesLink::adopt_sdk_port(Config& cfg, const char* env_value) {
  if (cfg.agones_sdk_port != 0 || env_value == nullptr) return true;
  const std::string_view text(env_value);
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || end != text.data() + text.size() || value < 1 || value > 65535) {
    return core::Err{"AGONES_SDK_HTTP_PORT must be a port 1..65535, got " + core::quoted(text)};
  }
  cfg.agones_sdk_port = static_cast<std::uint16_t>(value);
  return true;
}

core::Result<std::unique_ptr<AgonesLink>, std::string> AgonesLink::connect(Config& cfg, Metrics& metrics,
                                                                           std::chrono::milliseconds within) {
  const std::string url = base_url(cfg);
  auto gs = AgonesSdk::wait_for_game_server(url, within);
  if (!gs) return core::Err{"--agones: no GameServer from the SDK sidecar at " + url + ": " + gs.error()};
  const std::uint16_t port = gs->port_named(kAgonesGamePortName);
  if (port == 0) {
    return core::Err{"--agones: the GameServer has no port named '" + std::string(kAgonesGamePortName) +
                     "' (ops/k8s/fleet.yaml declares it)"};
  }
  cfg.public_host = gs->address;
  cfg.public_port = port;
  spdlog::info("agones: GameServer at {}:{} (state {}); sidecar {}", cfg.public_host, cfg.public_port, gs->state, url);
  return std::make_unique<AgonesLink>(cfg, metrics, url);
}

void AgonesLink::update(Nanos now, const AgonesView& view) {
  reporter_.update(now, view);
  publish(now);
}

void AgonesLink::publish(Nanos now) {
  if (now < next_publish_) return;
  next_publish_ = now + std::chrono::seconds(1);
  publish_totals();
}

void AgonesLink::publish_totals() {
  const AgonesSdk::Totals t = sdk_.totals();
  metrics_.agones("ok").Increment(static_cast<double>(t.ok - published_.ok));
  metrics_.agones("failed").Increment(static_cast<double>(t.failed - published_.failed));
  metrics_.agones("dropped").Increment(static_cast<double>(t.dropped - published_.dropped));
  published_ = t;
}

void AgonesLink::finish(std::chrono::milliseconds within) {
  reporter_.shutdown();
  sdk_.stop(within);
  publish_totals();
}

}  // namespace qbot::server
