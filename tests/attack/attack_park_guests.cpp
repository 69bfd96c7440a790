// park-guests: one address logs in guests (Hello with a name) and drops
// each one right after its Welcome without the quit code, so the server
// parks the player for its reconnect grace. libenet's own client (through
// net::NetHost), `in_flight` handshakes at once. By default the drop is an
// ENet disconnect with data 0; --silent destroys the client host instead
// (the server learns nothing until its peer timeout).
#include <map>
#include <thread>

#include "attacks.h"
#include "net/net_host.h"
#include "proto/codec.h"
#include "proto/version.h"

namespace qbot::attack {
namespace {

struct Counts {
  std::uint64_t started = 0;
  std::uint64_t welcomed = 0;
  std::uint64_t failed = 0;  // no Welcome and no Reject: refused or timed out
  std::map<std::string, std::uint64_t> rejects;
};

/// The guests in flight on one client host, by connection number.
class GuestHost {
 public:
  GuestHost(std::unique_ptr<net::NetHost> host, const Target& target) : host_(std::move(host)), target_(target) {}

  bool start(std::uint64_t id) {
    auto p = host_->connect({target_.ip.text(), target_.port}, id);
    if (!p) return false;
    pending_[id] = *p;
    return true;
  }
  /// Handles what arrived: Hellos after Connect, drops after Welcome.
  void service(bool silent, proto::Encoder& encoder, Counts& n);
  std::size_t in_flight() const { return pending_.size(); }
  /// Every guest started on this host was welcomed (silent mode) or is gone.
  bool settled() const {
    for (const auto& [id, ref] : pending_) {
      if (ref) return false;
    }
    return true;
  }
  net::NetHost& host() { return *host_; }

 private:
  void on_packet(const net::NetEvent& ev, bool silent, Counts& n);

  std::unique_ptr<net::NetHost> host_;
  Target target_;
  std::map<std::uint64_t, net::PeerRef> pending_;  // connecting or awaiting the Welcome
};

void GuestHost::service(bool silent, proto::Encoder& encoder, Counts& n) {
  net::NetEvent ev;
  while (host_->service(ev, 0)) {
    if (ev.type == net::NetEvent::Type::Connect) {
      proto::Hello hello;
      hello.protocol_version = proto::kProtocolVersion;
      hello.guest_name = "park" + std::to_string(ev.user_data);
      host_->send(ev.peer, net::kControlChannel, encoder.encode(hello), net::Delivery::Reliable);
      host_->flush();
    } else if (ev.type == net::NetEvent::Type::Receive && ev.channel == net::kControlChannel) {
      on_packet(ev, silent, n);
    } else if (ev.type == net::NetEvent::Type::Disconnect) {
      const auto it = pending_.find(ev.user_data);
      if (it == pending_.end()) continue;
      if (it->second) n.failed += 1;  // not welcomed yet
      pending_.erase(it);
    }
  }
}

void GuestHost::on_packet(const net::NetEvent& ev, bool silent, Counts& n) {
  auto m = proto::decode(ev.packet.bytes(), proto::Sender::Server, net::kControlChannel);
  if (!m) return;
  if (std::holds_alternative<proto::Welcome>(*m)) {
    n.welcomed += 1;
    if (!silent) {
      host_->disconnect_now(ev.peer, 0);  // not kDisconnectQuit: a drop, the player is parked
      pending_.erase(ev.user_data);
    } else {
      pending_[ev.user_data] = net::PeerRef{};  // welcomed: kept (a live ENet peer) until the host goes
    }
  } else if (const auto* r = std::get_if<proto::Reject>(&*m)) {
    n.rejects[std::string(proto::reject_reason_name(r->reason))] += 1;
    pending_.erase(ev.user_data);
  }
}

core::Result<std::unique_ptr<GuestHost>, std::string> open_host(const Common& c, LoopbackIp ip, std::uint32_t peers) {
  net::HostConfig hc;
  hc.bind_host = ip.text();
  hc.max_peers = peers;
  auto h = net::NetHost::create(hc);
  if (!h) return core::Err{h.error()};
  return std::make_unique<GuestHost>(std::move(h.value()), c.target);
}

struct Run {
  proto::Encoder encoder;
  Counts n;
  Traffic traffic;
  Clock::time_point start = Clock::now();
};

void add_host_traffic(Run& r, GuestHost& h) {
  const auto& t = h.host().totals();
  r.traffic += Traffic{t.datagrams_sent, t.bytes_sent, t.datagrams_received, t.bytes_received};
}

/// Notice mode: one host, up to `in_flight` logins at once, paced by --rate.
core::Result<bool, std::string> run_with_notice(const Common& c, const ParkGuestsOptions& o, LoopbackIp ip, Run& r) {
  auto host = open_host(c, ip, o.in_flight);
  if (!host) return core::Err{host.error()};
  const auto end = deadline_after(c, o.duration_s);
  const double spread_s = o.rate > 0 ? static_cast<double>(o.logins) / o.rate : 0.0;
  while (Clock::now() < end && (r.n.started < o.logins || (*host)->in_flight() > 0)) {
    const std::uint64_t due = due_by(r.start, Clock::now(), o.logins, spread_s);
    while (r.n.started < due && (*host)->in_flight() < o.in_flight && (*host)->start(r.n.started + 1)) {
      r.n.started += 1;
    }
    (*host)->service(false, r.encoder, r.n);
    std::this_thread::sleep_for(Millis(1));  // the client host's pace, not an event wait
  }
  add_host_traffic(r, **host);
  return true;
}

/// Silent mode: batches of `in_flight` logins on a fresh host each; once a
/// batch is welcomed (or 10 s passed) its host is destroyed without a word.
core::Result<bool, std::string> run_silently(const Common& c, const ParkGuestsOptions& o, LoopbackIp ip, Run& r) {
  const auto end = deadline_after(c, o.duration_s);
  while (Clock::now() < end && r.n.started < o.logins) {
    auto host = open_host(c, ip, o.in_flight);
    if (!host) return core::Err{host.error()};
    while (r.n.started < o.logins && (*host)->in_flight() < o.in_flight && (*host)->start(r.n.started + 1)) {
      r.n.started += 1;
    }
    const auto batch_end = std::min(end, Clock::now() + std::chrono::seconds(10));
    while (Clock::now() < batch_end && !(*host)->settled()) {
      (*host)->service(true, r.encoder, r.n);
      std::this_thread::sleep_for(Millis(1));  // the client host's pace, not an event wait
    }
    add_host_traffic(r, **host);
  }
  return true;
}

}  // namespace

Outcome park_guests(const Common& c, const ParkGuestsOptions& o) {
  if (c.cookie_exchange) {
    return core::Err{
        std::string("park-guests drives libenet's client, which has no cookie exchange here yet "
                    "(tests/attack/cookie_exchange.h)")};
  }
  auto ip = LoopbackIp::parse(o.address);
  if (!ip) return core::Err{"--address: " + ip.error()};
  if (o.in_flight == 0 || o.in_flight > 4095) return core::Err{std::string("--in-flight must be 1..4095")};
  Run r;
  auto ran = o.silent ? run_silently(c, o, *ip, r) : run_with_notice(c, o, *ip, r);
  if (!ran) return core::Err{ran.error()};
  Json j = report(c, "park-guests");
  j["address"] = o.address;
  j["drop"] = o.silent ? "silent" : "notice";
  j["logins_started"] = r.n.started;
  j["welcomed_and_dropped"] = r.n.welcomed;
  j["failed"] = r.n.failed;
  Json rejects = Json::object();
  for (const auto& [reason, count] : r.n.rejects) rejects[reason] = count;
  j["rejects"] = std::move(rejects);
  j["elapsed_s"] = seconds_since(r.start);
  j["logins_per_s"] = static_cast<double>(r.n.welcomed) / std::max(1e-3, seconds_since(r.start));
  add_traffic(j, r.traffic);
  return j;
}

}  // namespace qbot::attack
