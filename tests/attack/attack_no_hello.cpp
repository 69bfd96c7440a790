// no-hello: complete ENet handshakes (libenet's own client, through
// net::NetHost, one host bound to each of several addresses) that never send
// a Hello, started at a steady rate and kept at most `peers` at once; a peer
// the server disconnects is replaced by the next handshake.
#include <map>
#include <set>
#include <thread>

#include "attacks.h"
#include "net/net_host.h"

namespace qbot::attack {
namespace {

struct Counts {
  std::uint64_t started = 0;
  std::uint64_t established = 0;
  std::uint64_t failed = 0;  // disconnected before the handshake completed
  std::uint64_t dropped_by_server = 0;
  std::uint64_t peak_established = 0;
  std::map<std::uint32_t, std::uint64_t> drop_reasons;  // disconnect data -> count
};

struct ClientHost {
  std::unique_ptr<net::NetHost> host;
  std::uint32_t active = 0;  // connecting or connected
};

core::Result<std::vector<ClientHost>, std::string> open_hosts(const NoHelloOptions& o, LoopbackIp base,
                                                              std::uint32_t per_host) {
  std::vector<ClientHost> hosts;
  for (std::uint32_t k = 0; k < o.addresses; ++k) {
    auto ip = LoopbackIp::offset(base, 1 + k);
    if (!ip) return core::Err{ip.error()};
    net::HostConfig hc;
    hc.bind_host = ip->text();
    hc.max_peers = per_host;
    auto h = net::NetHost::create(hc);
    if (!h) return core::Err{h.error()};
    hosts.push_back(ClientHost{std::move(h.value()), 0});
  }
  return hosts;
}

/// Services one host; `connected` holds the ids whose handshake completed.
void service(ClientHost& h, std::set<std::uint64_t>& connected, std::uint64_t& now_established, Counts& n) {
  net::NetEvent ev;
  while (h.host->service(ev, 0)) {
    if (ev.type == net::NetEvent::Type::Connect) {
      connected.insert(ev.user_data);
      n.established += 1;
      now_established += 1;
      n.peak_established = std::max(n.peak_established, now_established);
      h.host->flush();  // the acknowledgement of VERIFY_CONNECT (PITFALLS: Connect comes before it is sent)
    } else if (ev.type == net::NetEvent::Type::Disconnect) {
      h.active -= 1;
      if (connected.erase(ev.user_data) > 0) {
        now_established -= 1;
        n.dropped_by_server += 1;
        n.drop_reasons[ev.data] += 1;
      } else {
        n.failed += 1;
      }
    }
  }
}

}  // namespace

Outcome no_hello(const Common& c, const NoHelloOptions& o) {
  if (c.cookie_exchange) {
    return core::Err{
        std::string("no-hello drives libenet's client, which has no cookie exchange here yet "
                    "(tests/attack/cookie_exchange.h)")};
  }
  auto base = LoopbackIp::parse(o.base);
  if (!base) return core::Err{"--base: " + base.error()};
  if (o.addresses == 0 || o.peers == 0) return core::Err{std::string("--addresses and --peers must be at least 1")};
  const std::uint32_t per_host = std::min<std::uint32_t>((o.peers + o.addresses - 1) / o.addresses, 4095);
  auto hosts = open_hosts(o, *base, per_host);
  if (!hosts) return core::Err{hosts.error()};
  const auto start = Clock::now();
  const auto end = deadline_after(c, o.duration_s);
  const auto budget = static_cast<std::uint64_t>(o.rate * o.duration_s);
  Counts n;
  std::set<std::uint64_t> connected;
  std::uint64_t now_established = 0;
  std::size_t next_host = 0;
  while (Clock::now() < end) {
    const std::uint64_t due = due_by(start, Clock::now(), budget, o.duration_s);
    for (std::size_t tried = 0; n.started < due && tried < hosts->size(); ++tried) {
      ClientHost& h = (*hosts)[next_host];
      next_host = (next_host + 1) % hosts->size();
      if (h.active >= per_host) continue;
      if (h.host->connect({c.target.ip.text(), c.target.port}, n.started + 1)) {
        h.active += 1;
        n.started += 1;
        tried = 0;
      }
    }
    for (auto& h : *hosts) service(h, connected, now_established, n);
    std::this_thread::sleep_for(Millis(1));  // the client hosts' pace, not an event wait
  }
  Json j = report(c, "no-hello");
  j["addresses"] = o.addresses;
  j["handshakes_started"] = n.started;
  j["handshakes_completed"] = n.established;
  j["handshakes_failed"] = n.failed;
  j["dropped_by_server"] = n.dropped_by_server;
  j["peak_established"] = n.peak_established;
  j["established_at_end"] = now_established;
  Json reasons = Json::object();
  for (const auto& [data, count] : n.drop_reasons) reasons[std::to_string(data)] = count;
  j["drop_reasons"] = std::move(reasons);
  Traffic t;
  for (auto& h : *hosts) {
    const auto& totals = h.host->totals();
    t += Traffic{totals.datagrams_sent, totals.bytes_sent, totals.datagrams_received, totals.bytes_received};
  }
  add_traffic(j, t);
  j["elapsed_s"] = seconds_since(start);
  return j;
}

}  // namespace qbot::attack
