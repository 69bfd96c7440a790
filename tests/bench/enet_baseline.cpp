// enet_baseline: the floor our server is measured against (ops/bench.sh).
// A bare ENet server that does what qbot-server does on the network and
// nothing else: it welcomes each client (so qbot-headless bots play against
// it), receives and discards their inputs, and every tick sends each client
// one unreliable packet of --packet-bytes. No simulation, no snapshots.
// Prints its CPU time per client-tick on exit (SIGINT/SIGTERM).
#include <sys/resource.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <vector>

#include "core/fixed_step.h"
#include "net/net_host.h"
#include "proto/codec.h"
#include "proto/version.h"

namespace {
std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }
std::chrono::nanoseconds now() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch());
}
double cpu_seconds() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  const auto s = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  return s(ru.ru_utime) + s(ru.ru_stime);
}
}  // namespace

int main(int argc, char** argv) {
  std::uint16_t port = 7777;
  std::uint32_t tick_rate = 60;
  std::size_t packet_bytes = 64;
  CLI::App app{"enet_baseline: bare ENet traffic with no game logic, for CPU comparisons"};
  app.add_option("--port", port, "UDP port");
  app.add_option("--tick-rate", tick_rate, "Packets per client per second")->check(CLI::Range(10, 128));
  app.add_option("--packet-bytes", packet_bytes, "Size of each packet sent (as a Snapshot message)")
      ->check(CLI::Range(32, 4096));
  CLI11_PARSE(app, argc, argv);

  qbot::net::HostConfig hc;
  hc.bind_host = "0.0.0.0";
  hc.port = port;
  hc.max_peers = 4095;
  hc.connections_per_ip = 4095;
  hc.max_packet_bytes = qbot::proto::kMaxServerPacketBytes;
  auto host = qbot::net::NetHost::create(hc);
  if (!host) {
    std::fprintf(stderr, "%s\n", host.error().c_str());
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);

  qbot::proto::Encoder encoder;
  // A decodable, empty full snapshot padded to the requested size: the bots
  // accept it, and every packet has the same size.
  std::vector<std::uint8_t> data(std::max<std::size_t>(packet_bytes, 40) - 36, 0);
  std::vector<qbot::net::PeerRef> welcomed;
  qbot::core::FixedStep step(tick_rate, 5);
  step.start(now());
  std::uint64_t ticks = 0, client_ticks = 0;
  std::uint32_t next_entity = 1;
  const double cpu_start = cpu_seconds();
  qbot::net::NetEvent ev;
  while (!g_stop.load()) {
    auto wait = static_cast<std::uint32_t>(
        std::max<std::int64_t>(0, std::chrono::ceil<std::chrono::milliseconds>(step.until_next(now())).count()));
    while (host.value()->service(ev, wait)) {
      wait = 0;
      if (ev.type == qbot::net::NetEvent::Type::Receive && ev.channel == qbot::net::kControlChannel) {
        qbot::proto::Welcome w;
        w.protocol_version = qbot::proto::kProtocolVersion;
        w.player_id = next_entity;
        w.entity_id = static_cast<std::uint16_t>(1 + next_entity++ % 200);
        w.tick_rate = static_cast<std::uint16_t>(tick_rate);
        w.server_tick = static_cast<qbot::core::Tick>(ticks + 1);
        w.map_name = "baseline";
        host.value()->send(ev.peer, qbot::net::kControlChannel, encoder.encode(w), qbot::net::Delivery::Reliable);
        welcomed.push_back(ev.peer);
      }
      if (ev.type == qbot::net::NetEvent::Type::Disconnect) std::erase(welcomed, ev.peer);
      if (step.until_next(now()) == std::chrono::nanoseconds{0}) break;  // a tick is due
    }
    for (std::uint32_t due = step.advance(now()); due > 0; --due) {
      ++ticks;
      const auto bytes = encoder.encode(qbot::proto::Snapshot{static_cast<qbot::core::Tick>(ticks + 1), data});
      for (const auto& peer : welcomed) {
        host.value()->send(peer, qbot::net::kGameChannel, bytes, qbot::net::Delivery::Unreliable);
        ++client_ticks;
      }
      host.value()->flush();
    }
  }
  const double cpu = cpu_seconds() - cpu_start;
  std::printf("enet_baseline cpu_s %.3f ticks %llu client_ticks %llu cpu_us_per_client_tick %.3f\n", cpu,
              static_cast<unsigned long long>(ticks), static_cast<unsigned long long>(client_ticks),
              client_ticks > 0 ? cpu * 1e6 / static_cast<double>(client_ticks) : 0.0);
  return 0;
}
