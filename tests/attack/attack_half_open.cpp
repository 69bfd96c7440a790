// half-open: one CONNECT from each of many source addresses, never
// completed. Each source's socket is closed right after its CONNECT, so the
// server's VERIFY_CONNECT retransmissions go nowhere (an unconnected UDP
// socket gets no ICMP errors) and each allocated ENet peer waits for its
// timeout. Then, optionally, a sustained rate from new sources. With
// --cookie-exchange each source first proves its address (on the same
// socket), and then still never completes.
#include <thread>

#include "attacks.h"
#include "raw_peer.h"

namespace qbot::attack {
namespace {
// 127.x.0.1 .. 127.x.255.254: a /16 without its network and broadcast-looking ends.
constexpr std::uint32_t kSourcesPerBase = 65534;

struct Sent {
  std::uint64_t connects = 0;
  std::uint64_t failures = 0;  // bind, cookie or send failures
  Traffic traffic;
};

/// One CONNECT from the `index`th source address.
void connect_from(const Common& c, LoopbackIp base, std::uint64_t index, std::mt19937& rng, Sent& sent) {
  auto source = LoopbackIp::offset(base, 1 + static_cast<std::uint32_t>(index % kSourcesPerBase));
  if (!source) {
    sent.failures += 1;
    return;
  }
  auto socket = UdpSocket::bind(*source);
  if (!socket) {
    sent.failures += 1;
    return;
  }
  auto data = connect_data(c, *socket);
  if (!data) {
    sent.failures += 1;
    return;
  }
  RawPeer peer(std::move(*socket), c.target, static_cast<std::uint32_t>(rng()));
  if (peer.send_connect(*data)) sent.connects += 1;
  else sent.failures += 1;
  sent.traffic += peer.traffic();
}

/// `count` CONNECTs spread over `seconds`, numbering sources from `first`.
void paced_connects(const Common& c, LoopbackIp base, std::uint64_t first, std::uint64_t count, double seconds,
                    Clock::time_point deadline, std::mt19937& rng, Sent& sent) {
  const auto start = Clock::now();
  for (std::uint64_t i = 0; i < count && Clock::now() < deadline;) {
    const std::uint64_t due = due_by(start, Clock::now(), count, seconds);
    if (i >= due) {
      std::this_thread::sleep_for(Millis(1));  // pacing, not waiting for an event
      continue;
    }
    for (; i < due; ++i) connect_from(c, base, first + i, rng, sent);
  }
}
}  // namespace

Outcome half_open(const Common& c, const HalfOpenOptions& o) {
  auto base = LoopbackIp::parse(o.base);
  if (!base) return core::Err{"--base: " + base.error()};
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  const auto start = Clock::now();
  const auto deadline = deadline_after(c, o.over_s + o.sustain_s + 1);
  Sent sent;
  paced_connects(c, *base, 0, o.sources, o.over_s, deadline, rng, sent);
  const double burst_s = seconds_since(start);
  const auto sustained = static_cast<std::uint64_t>(o.sustain_rate * o.sustain_s);
  paced_connects(c, *base, o.sources, sustained, o.sustain_s, deadline, rng, sent);

  Json j = report(c, "half-open");
  j["sources"] = o.sources;
  j["burst_s"] = burst_s;
  j["sustained_connects"] = sustained;
  j["connects_sent"] = sent.connects;
  j["failures"] = sent.failures;
  j["elapsed_s"] = seconds_since(start);
  add_traffic(j, sent.traffic);
  return j;
}

}  // namespace qbot::attack
