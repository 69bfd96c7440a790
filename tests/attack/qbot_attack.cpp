// qbot-attack: the attacks a server on the internet meets, tried from
// loopback against a qbot-server (tests/attack/README.md). One subcommand per
// attack; each prints one JSON line: what it sent and what it saw.
// Refuses every target outside 127.0.0.0/8; every attack is bounded in count
// (its flags' ranges) and in time (its own length, capped by --max-seconds).
// Exit status: 0 the attack ran, 1 it could not run (the line has "error"),
// 2 bad flags or a refused target.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <functional>

#include "attacks.h"

namespace {

using namespace qbot::attack;

struct Options {
  std::string target = "127.0.0.1:7777";
  Common common;
  HalfOpenOptions half_open;
  NoHelloOptions no_hello;
  ParkGuestsOptions park;
  FragmentOptions fragments;
  TransportFloodOptions transport;
  AmplificationOptions amplification;
  BlindHandshakeOptions blind;
  StopReadingOptions stop_reading;
  ProbeOptions probe;
};

using Runner = std::function<Outcome(const Common&)>;

void add_half_open(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("half-open", "CONNECTs from many sources that never complete the handshake");
  s->add_option("--sources", o.half_open.sources, "One CONNECT from each of this many addresses")
      ->check(CLI::Range(1u, 65534u));
  s->add_option("--over-s", o.half_open.over_s, "Spread over this many seconds (0 = at once)")
      ->check(CLI::Range(0.0, 60.0));
  s->add_option("--base", o.half_open.base, "Sources are base+1, base+2, ... (inside 127.0.0.0/8)");
  s->add_option("--sustain-rate", o.half_open.sustain_rate, "Then CONNECTs per second from new sources")
      ->check(CLI::Range(0.0, 5000.0));
  s->add_option("--sustain-s", o.half_open.sustain_s, "... for this many seconds")->check(CLI::Range(0.0, 120.0));
  s->callback([&] { run = [&](const Common& c) { return half_open(c, o.half_open); }; });
}

void add_no_hello(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("no-hello", "Full ENet handshakes that never send a Hello");
  s->add_option("--addresses", o.no_hello.addresses, "Client hosts on base+1 .. base+N")->check(CLI::Range(1u, 255u));
  s->add_option("--base", o.no_hello.base, "Base address (inside 127.0.0.0/8)");
  s->add_option("--peers", o.no_hello.peers, "At most this many handshakes alive at once")
      ->check(CLI::Range(1u, 20000u));
  s->add_option("--rate", o.no_hello.rate, "Handshakes started per second")->check(CLI::Range(0.1, 5000.0));
  s->add_option("--duration-s", o.no_hello.duration_s, "Run length")->check(CLI::Range(0.1, 300.0));
  s->callback([&] { run = [&](const Common& c) { return no_hello(c, o.no_hello); }; });
}

void add_park(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("park-guests", "One address logs in guests and drops them without quitting");
  s->add_option("--address", o.park.address, "The one source address (inside 127.0.0.0/8)");
  s->add_option("--logins", o.park.logins, "Guests to log in and drop")->check(CLI::Range(1u, 20000u));
  s->add_option("--rate", o.park.rate, "Logins per second (0 = as fast as the server answers)")
      ->check(CLI::Range(0.0, 5000.0));
  s->add_flag("--silent", o.park.silent, "Vanish (close the socket) instead of an ENet disconnect without quit");
  s->add_option("--duration-s", o.park.duration_s, "Give up after this long")->check(CLI::Range(0.1, 300.0));
  s->callback([&] { run = [&](const Common& c) { return park_guests(c, o.park); }; });
}

void add_fragments(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("fragment-bitmap", "Reliable fragment sets that never complete");
  s->add_option("--pattern", o.fragments.pattern,
                "huge (claimed count, tiny total) or descending (tiny sets, last first)")
      ->check(CLI::IsMember({"huge", "descending"}));
  s->add_option("--sets", o.fragments.sets, "Fragment sets (0 = the pattern's default: 6000 / 56000)")
      ->check(CLI::Range(0u, 14000000u));
  s->add_option("--fragment-count", o.fragments.fragment_count, "Claimed fragments per set (0 = default)")
      ->check(CLI::Range(0u, 1048576u));
  s->add_option("--total-length", o.fragments.total_length, "Claimed packet length")->check(CLI::Range(1u, 65535u));
  s->add_flag("--after-welcome", o.fragments.after_welcome, "Log in as a guest first");
  s->add_option("--connections", o.fragments.connections, "Peers (one address each) sharing the sets")
      ->check(CLI::Range(1u, 256u));
  s->add_option("--base", o.fragments.base, "Their addresses are base+1 ... (inside 127.0.0.0/8)");
  s->add_option("--hold-s", o.fragments.hold_s, "Stay connected this long afterwards")->check(CLI::Range(0.0, 120.0));
  s->callback([&] { run = [&](const Common& c) { return fragment_bitmap(c, o.fragments); }; });
}

void add_transport(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("transport-flood", "ENet pings / bandwidth-limit / throttle commands in bulk");
  s->add_option("--commands", o.transport.commands, "Commands to send")->check(CLI::Range(1ull, 10000000ull));
  s->add_option("--over-s", o.transport.over_s, "Spread over this many seconds")->check(CLI::Range(0.0, 120.0));
  s->add_option("--kind", o.transport.kind, "ping, bandwidth, throttle or mixed")
      ->check(CLI::IsMember({"ping", "bandwidth", "throttle", "mixed"}));
  s->add_option("--per-datagram", o.transport.per_datagram, "Commands per datagram")->check(CLI::Range(1u, 255u));
  s->add_option("--after-welcome", o.transport.after_welcome, "Log in as a guest first (true/false)");
  s->add_option("--address", o.transport.address, "Source address (inside 127.0.0.0/8)");
  s->callback([&] { run = [&](const Common& c) { return transport_flood(c, o.transport); }; });
}

void add_amplification(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("amplification", "Reply bytes vs request bytes towards an unproven address");
  s->add_option("--variant", o.amplification.variant, "connect, bad-hello, cookie or all")
      ->check(CLI::IsMember({"connect", "bad-hello", "cookie", "all"}));
  s->add_option("--listen-s", o.amplification.listen_s, "Count replies this long")->check(CLI::Range(0.1, 120.0));
  s->add_option("--base", o.amplification.base, "Sources are base+1 (connect), base+2 (bad-hello), base+3 (cookie)");
  s->callback([&] { run = [&](const Common& c) { return amplification(c, o.amplification); }; });
}

void add_blind(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("blind-handshake", "Complete a handshake with guessed acks, never reading");
  s->add_option("--source", o.blind.source, "Source address (inside 127.0.0.0/8)");
  s->add_option("--peer-id-guesses", o.blind.peer_id_guesses, "Acknowledge as each peer id 0..N-1")
      ->check(CLI::Range(1u, 4095u));
  s->add_option("--ack-delay-ms", o.blind.ack_delay_ms, "Wait after the CONNECT")->check(CLI::Range(0u, 5000u));
  s->add_option("--hello-delay-ms", o.blind.hello_delay_ms, "Wait after the acks")->check(CLI::Range(0u, 5000u));
  s->add_option("--listen-s", o.blind.listen_s, "Then read this long to see whether a Welcome came")
      ->check(CLI::Range(0.1, 60.0));
  s->callback([&] { run = [&](const Common& c) { return blind_handshake(c, o.blind); }; });
}

void add_stop_reading(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("stop-reading", "Logged-in clients that stop answering");
  s->add_option("--clients", o.stop_reading.clients, "Clients (one address each)")->check(CLI::Range(1u, 1000u));
  s->add_option("--base", o.stop_reading.base, "Their addresses are base+1 ... (inside 127.0.0.0/8)");
  s->add_option("--play-s", o.stop_reading.play_s, "Answer normally this long first")->check(CLI::Range(0.0, 60.0));
  s->add_option("--observe-s", o.stop_reading.observe_s, "Then watch at most this long")->check(CLI::Range(0.1, 300.0));
  s->add_option("--quiet-s", o.stop_reading.quiet_s, "Done after this long without a datagram")
      ->check(CLI::Range(0.1, 60.0));
  s->callback([&] { run = [&](const Common& c) { return stop_reading(c, o.stop_reading); }; });
}

void add_probe(CLI::App& app, Options& o, Runner& run) {
  auto* s = app.add_subcommand("probe", "One well-behaved raw client: handshake, Hello, snapshots, quit");
  s->add_option("--address", o.probe.address, "Source address (inside 127.0.0.0/8)");
  s->add_option("--seconds", o.probe.seconds, "Receive snapshots this long")->check(CLI::Range(0.0, 60.0));
  s->callback([&] { run = [&](const Common& c) { return probe(c, o.probe); }; });
}

/// The --metrics-url host must be on loopback too.
bool loopback_url(const std::string& url) {
  const std::string prefix = "http://";
  if (url.rfind(prefix, 0) != 0) return false;
  const auto host_end = url.find_first_of(":/", prefix.size());
  return LoopbackIp::parse(url.substr(prefix.size(), host_end - prefix.size())).ok();
}

}  // namespace

int main(int argc, char** argv) try {
  CLI::App app{"qbot-attack: attacks on a qbot-server, from and to loopback only"};
  app.require_subcommand(1);
  app.fallthrough();
  Options o;
  Runner run;
  app.add_option("--target", o.target, "The server: 127.x.y.z:port")->required();
  app.add_flag("--cookie-exchange", o.common.cookie_exchange,
               "Prove each source address first (the server's pre-connect exchange): a legitimate but hostile client");
  app.add_option("--max-seconds", o.common.max_seconds, "No attack runs longer")->check(CLI::Range(1.0, 600.0));
  app.add_option("--seed", o.common.seed, "Seed of connect ids");
  app.add_option("--metrics-url", o.common.metrics_url, "The server's /metrics (http://127.x.y.z:port/metrics)");
  add_half_open(app, o, run);
  add_no_hello(app, o, run);
  add_park(app, o, run);
  add_fragments(app, o, run);
  add_transport(app, o, run);
  add_amplification(app, o, run);
  add_blind(app, o, run);
  add_stop_reading(app, o, run);
  add_probe(app, o, run);
  CLI11_PARSE(app, argc, argv);

  auto target = parse_target(o.target);
  if (!target) {
    std::fprintf(stderr, "%s\n", target.error().c_str());
    return 2;
  }
  o.common.target = *target;
  if (!o.common.metrics_url.empty() && !loopback_url(o.common.metrics_url)) {
    std::fprintf(stderr, "--metrics-url: only http://127.x.y.z URLs, got '%s'\n", o.common.metrics_url.c_str());
    return 2;
  }
  const std::string name = app.get_subcommands().front()->get_name();
  auto outcome = run(o.common);
  if (!outcome) {
    Json j = report(o.common, name.c_str());
    j["error"] = outcome.error();
    std::printf("%s\n", j.dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
    return 1;
  }
  std::printf("%s\n", outcome->dump(-1, ' ', false, Json::error_handler_t::replace).c_str());
  return 0;
} catch (const std::exception& e) {
  std::fprintf(stderr, "qbot-attack: %s\n", e.what());
  return 1;
}
