// stop-reading: logged-in guests that play for a while, then stop answering
// (no acknowledgements, nothing at all), as clients whose process hangs or
// whose network vanished. The tool keeps reading their sockets, so it sees
// how long and how much the server goes on sending to each. The server's
// ENet frees a connection silently when its peer times out, so the last
// datagram that arrives marks that moment ("silent_after_s"). With
// --metrics-url, the server's qbot_orphans_expired_total tells when their
// parked players' slots were freed too.
#include <poll.h>

#include <algorithm>

#include "attacks.h"
#include "guest_login.h"

namespace qbot::attack {
namespace {

/// Waits up to `timeout` until any peer's socket is readable, then reads all.
std::uint64_t poll_all(std::vector<RawPeer>& peers, Millis timeout) {
  std::vector<pollfd> fds;
  fds.reserve(peers.size());
  for (auto& p : peers) fds.push_back(pollfd{p.socket().fd(), POLLIN, 0});
  ::poll(fds.data(), fds.size(), static_cast<int>(timeout.count()));
  std::uint64_t snapshots = 0;
  for (auto& p : peers) snapshots += count_snapshots(p.poll(Millis(0)));
  return snapshots;
}

core::Result<std::vector<RawPeer>, std::string> log_in(const Common& c, const StopReadingOptions& o, LoopbackIp base) {
  std::vector<RawPeer> peers;
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  proto::Encoder encoder;
  for (std::uint32_t i = 0; i < o.clients; ++i) {
    auto ip = LoopbackIp::offset(base, 1 + i);
    if (!ip) return core::Err{ip.error()};
    auto socket = UdpSocket::bind(*ip);
    if (!socket) return core::Err{socket.error()};
    auto data = connect_data(c, *socket);
    if (!data) return core::Err{data.error()};
    RawPeer peer(std::move(*socket), c.target, static_cast<std::uint32_t>(rng()));
    if (!peer.connect(Millis(3000), *data)) continue;
    if (login_guest(peer, encoder, "deaf" + std::to_string(i), Millis(3000)).outcome != LoginOutcome::Welcomed)
      continue;
    peers.push_back(std::move(peer));
  }
  return peers;
}

struct Watch {
  Clock::time_point stopped_at;
  std::optional<double> players_freed_after_s;
  double observed_s = 0;
};

/// After the stop: reads until nothing came for quiet_s (and, when the
/// server's metrics are known, the parked players were freed) or observe_s.
Watch watch(const Common& c, const StopReadingOptions& o, std::vector<RawPeer>& peers) {
  Watch w{Clock::now(), std::nullopt, 0};
  for (auto& p : peers) p.set_acknowledging(false);
  const auto expired_at_stop = server_metric(c, "qbot_orphans_expired_total");
  const auto end = deadline_after(c, o.observe_s);
  auto next_scrape = Clock::now();
  while (Clock::now() < end) {
    poll_all(peers, Millis(50));
    if (expired_at_stop && !w.players_freed_after_s && Clock::now() >= next_scrape) {
      next_scrape = Clock::now() + Millis(250);
      const double expired = server_metric(c, "qbot_orphans_expired_total").value_or(*expired_at_stop);
      if (expired - *expired_at_stop >= static_cast<double>(peers.size())) {
        w.players_freed_after_s = seconds_since(w.stopped_at);
      }
    }
    Clock::time_point last = w.stopped_at;
    for (const auto& p : peers) last = std::max(last, p.last_receive());
    const bool quiet = Clock::now() - last >= std::chrono::duration<double>(o.quiet_s);
    if (quiet && (!expired_at_stop || w.players_freed_after_s)) break;
  }
  w.observed_s = seconds_since(w.stopped_at);
  return w;
}

}  // namespace

Outcome stop_reading(const Common& c, const StopReadingOptions& o) {
  auto base = LoopbackIp::parse(o.base);
  if (!base) return core::Err{"--base: " + base.error()};
  if (o.clients == 0 || o.clients > 1000) return core::Err{std::string("--clients must be 1..1000")};
  auto peers = log_in(c, o, *base);
  if (!peers) return core::Err{peers.error()};
  std::uint64_t snapshots = 0;
  const auto play_end = deadline_after(c, o.play_s);
  while (Clock::now() < play_end) snapshots += poll_all(*peers, until(play_end));
  std::vector<std::uint64_t> bytes_at_stop;
  for (const auto& p : *peers) bytes_at_stop.push_back(p.traffic().received_bytes);
  const Watch w = watch(c, o, *peers);

  std::vector<double> silent_after, bytes_after;
  Traffic t;
  for (std::size_t i = 0; i < peers->size(); ++i) {
    const RawPeer& p = (*peers)[i];
    silent_after.push_back(std::max(0.0, std::chrono::duration<double>(p.last_receive() - w.stopped_at).count()));
    bytes_after.push_back(static_cast<double>(p.traffic().received_bytes - bytes_at_stop[i]));
    t += p.traffic();
  }
  std::sort(silent_after.begin(), silent_after.end());
  std::sort(bytes_after.begin(), bytes_after.end());
  Json j = report(c, "stop-reading");
  j["clients"] = o.clients;
  j["welcomed"] = peers->size();
  j["snapshots_while_playing"] = snapshots;
  j["silent_after_s_max"] = silent_after.empty() ? 0.0 : silent_after.back();
  j["silent_after_s_median"] = silent_after.empty() ? 0.0 : silent_after[silent_after.size() / 2];
  j["bytes_after_stop_max"] = bytes_after.empty() ? 0.0 : bytes_after.back();
  j["bytes_after_stop_min"] = bytes_after.empty() ? 0.0 : bytes_after.front();
  j["players_freed_after_s"] = w.players_freed_after_s ? Json(*w.players_freed_after_s) : Json(nullptr);
  j["observed_s"] = w.observed_s;
  add_traffic(j, t);
  return j;
}

}  // namespace qbot::attack
