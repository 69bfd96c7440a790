// park-guests: one address logs in guests (Hello with a name) and drops
// each one right after its Welcome without the quit code, so the server
// parks the player for its reconnect grace. One login at a time, each from
// a new socket (a new port) of the same address, paced by --rate. By
// default the drop is an ENet DISCONNECT with data 0 (not the quit code);
// --silent closes the socket instead (the server learns nothing until its
// peer timeout). With --cookie-exchange each socket proves its address.
#include <map>
#include <thread>

#include "attacks.h"
#include "guest_login.h"
#include "proto/codec.h"
#include "raw_peer.h"

namespace qbot::attack {
namespace {

struct Counts {
  std::uint64_t started = 0;
  std::uint64_t welcomed = 0;
  std::uint64_t failed = 0;  // no handshake, no cookie, or no answer to the Hello
  std::map<std::string, std::uint64_t> rejects;
  Traffic traffic;
};

constexpr Millis kStepTimeout{3000};

/// One guest: connect, Hello, and the drop once welcomed.
void park_one(const Common& c, const ParkGuestsOptions& o, LoopbackIp ip, std::mt19937& rng, proto::Encoder& encoder,
              Counts& n) {
  n.started += 1;
  auto socket = UdpSocket::bind(ip);
  if (!socket) {
    n.failed += 1;
    return;
  }
  auto data = connect_data(c, *socket);
  if (!data) {
    n.failed += 1;
    n.traffic += socket->traffic();
    return;
  }
  RawPeer peer(std::move(*socket), c.target, static_cast<std::uint32_t>(rng()));
  if (!peer.connect(kStepTimeout, *data)) {
    n.failed += 1;
    n.traffic += peer.traffic();
    return;
  }
  const auto login = login_guest(peer, encoder, "park" + std::to_string(n.started), kStepTimeout);
  if (login.outcome == LoginOutcome::Welcomed) {
    n.welcomed += 1;
    if (!o.silent) peer.disconnect(0);  // not the quit code: a drop, the player is parked
  } else if (login.outcome == LoginOutcome::TimedOut) {
    n.failed += 1;
  } else {
    n.rejects[std::string(proto::reject_reason_name(login.reason))] += 1;
  }
  n.traffic += peer.traffic();
}

}  // namespace

Outcome park_guests(const Common& c, const ParkGuestsOptions& o) {
  auto ip = LoopbackIp::parse(o.address);
  if (!ip) return core::Err{"--address: " + ip.error()};
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  proto::Encoder encoder;
  Counts n;
  const auto start = Clock::now();
  const auto end = deadline_after(c, o.duration_s);
  const double spread_s = o.rate > 0 ? static_cast<double>(o.logins) / o.rate : 0.0;
  while (Clock::now() < end && n.started < o.logins) {
    if (n.started >= due_by(start, Clock::now(), o.logins, spread_s)) {
      std::this_thread::sleep_for(Millis(1));  // pacing, not waiting for an event
      continue;
    }
    park_one(c, o, *ip, rng, encoder, n);
  }
  Json j = report(c, "park-guests");
  j["address"] = o.address;
  j["drop"] = o.silent ? "silent" : "notice";
  j["logins_started"] = n.started;
  j["welcomed_and_dropped"] = n.welcomed;
  j["failed"] = n.failed;
  Json rejects = Json::object();
  for (const auto& [reason, count] : n.rejects) rejects[reason] = count;
  j["rejects"] = std::move(rejects);
  j["elapsed_s"] = seconds_since(start);
  j["logins_per_s"] = static_cast<double>(n.welcomed) / std::max(1e-3, seconds_since(start));
  add_traffic(j, n.traffic);
  return j;
}

}  // namespace qbot::attack
