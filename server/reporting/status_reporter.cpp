#include "server/reporting/status_reporter.h"

#include <spdlog/spdlog.h>
#include <sys/resource.h>

#include "qbot/version.h"

namespace qbot::server {
namespace {

constexpr std::size_t kScoreboardArenas = 4;  // arenas shown per scoreboard; the rest are summed up

double counter_delta(std::uint64_t now, std::uint64_t before) { return static_cast<double>(now - before); }

}  // namespace

StatusReporter::StatusReporter(const Config& cfg, Metrics& metrics, net::NetWorker& net, IoWorker& io,
                               const core::FixedStep& step, const Clients& clients, ArenaDirectory& arenas,
                               const MatchHost& matches, HealthSignals* health, std::string key_fingerprint)
    : cfg_(cfg),
      metrics_(metrics),
      net_(net),
      io_(io),
      step_(step),
      clients_(clients),
      arenas_(arenas),
      matches_(matches),
      health_(health),
      key_fingerprint_(std::move(key_fingerprint)) {
  metrics_.player_capacity.Set(static_cast<double>(cfg_.max_clients));
  metrics_.tick_period.Set(1.0 / static_cast<double>(cfg_.tick_rate));
}

// ---------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------
void StatusReporter::publish(const TickCounts& c, std::uint64_t tick) {
  metrics_.inputs_applied.Increment(static_cast<double>(c.inputs_applied));
  metrics_.inputs_late.Increment(static_cast<double>(c.inputs_late));
  metrics_.snapshots_full.Increment(static_cast<double>(c.snapshots_full));
  metrics_.snapshots_delta.Increment(static_cast<double>(c.snapshots_delta));
  metrics_.packets_out.Increment(static_cast<double>(c.snapshots_full + c.snapshots_delta));
  publish_network();
  metrics_.ticks_skipped.Increment(counter_delta(step_.dropped_ticks(), published_skipped_));
  published_skipped_ = step_.dropped_ticks();
  if (tick % cfg_.tick_rate == 0) {  // once a second is plenty for CPU time and RTTs
    publish_cpu();
    publish_rtts();
  }
  metrics_.players.Set(static_cast<double>(clients_.players()));
  metrics_.arenas.Set(static_cast<double>(arenas_.size()));
}

void StatusReporter::publish_network() {
  const net::HostTotals t = net_.totals();
  const std::uint64_t failures = net_.send_failures();
  metrics_.send_failures.Increment(counter_delta(failures, published_send_failures_));
  published_send_failures_ = failures;
  const net::HostTotals& p = published_totals_;
  metrics_.bytes_in.Increment(counter_delta(t.bytes_received, p.bytes_received));
  metrics_.bytes_out.Increment(counter_delta(t.bytes_sent, p.bytes_sent));
  metrics_.datagrams_in.Increment(counter_delta(t.datagrams_received, p.datagrams_received));
  metrics_.datagrams_out.Increment(counter_delta(t.datagrams_sent, p.datagrams_sent));
  metrics_.malformed_datagrams.Increment(counter_delta(t.malformed_datagrams, p.malformed_datagrams));
  const net::QueueDrops d = net_.queue_drops();
  const net::QueueDrops& pd = published_drops_;
  metrics_.net_dropped_inbox_packets.Increment(counter_delta(d.inbox_packets, pd.inbox_packets));
  metrics_.net_refused_connects.Increment(counter_delta(d.refused_connects, pd.refused_connects));
  metrics_.net_dropped_unreliable.Increment(counter_delta(d.outbox_unreliable, pd.outbox_unreliable));
  metrics_.net_dropped_reliable.Increment(counter_delta(d.outbox_reliable, pd.outbox_reliable));
  published_drops_ = d;
  metrics_.clients_connected.Set(static_cast<double>(net_.connected_peers()));
  publish_gate(t.gate, p.gate);
  published_totals_ = t;
}

void StatusReporter::publish_gate(const net::GateCounters& g, const net::GateCounters& before) {
  for (std::size_t i = 0; i < g.dropped.size(); ++i) {
    metrics_.net_dropped(static_cast<net::DropReason>(i)).Increment(counter_delta(g.dropped[i], before.dropped[i]));
  }
  for (std::size_t i = 0; i < g.cut.size(); ++i) {
    metrics_.net_cut(static_cast<net::CutReason>(i)).Increment(counter_delta(g.cut[i], before.cut[i]));
  }
  metrics_.net_cookie_replies.Increment(counter_delta(g.cookie_replies, before.cookie_replies));
  metrics_.net_half_open_peers.Set(static_cast<double>(g.half_open));
  metrics_.net_unwelcomed_peers.Set(static_cast<double>(g.unwelcomed));
}

void StatusReporter::publish_cpu() {
  rusage ru{};
  ::getrusage(RUSAGE_SELF, &ru);
  const auto secs = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  const double cpu = secs(ru.ru_utime) + secs(ru.ru_stime);
  if (cpu > published_cpu_s_) metrics_.cpu_seconds.Increment(cpu - published_cpu_s_);
  published_cpu_s_ = cpu;
}

/// The sample asked for a second ago (the network thread takes it), then the next.
void StatusReporter::publish_rtts() {
  if (net_.take_rtts(rtt_scratch_)) {
    for (const std::uint32_t ms : rtt_scratch_) metrics_.client_rtt.Observe(static_cast<double>(ms) / 1000.0);
  }
  net_.request_rtts();
}

// ---------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------
ServerInfo StatusReporter::registry_info() const {
  ServerInfo info;
  info.id = cfg_.server_id;
  info.host = cfg_.public_host;
  info.port = cfg_.public_port != 0 ? cfg_.public_port : net_.port();
  info.region = cfg_.region;
  info.capacity = static_cast<std::uint32_t>(cfg_.max_clients);
  // Seats of matches assigned here but not yet joined count as taken, so
  // matchmakers do not overbook us between heartbeats.
  info.players = static_cast<std::uint32_t>(clients_.players() + matches_.open_seats());
  info.counted_matches = matches_.hosted_ids();  // no longer pending in the store
  info.arenas = static_cast<std::uint32_t>(arenas_.size());
  info.version = kVersion;
  info.key_fingerprint = key_fingerprint_;
  return info;
}

void StatusReporter::heartbeat() {
  if (deregistered_ || clients_.draining()) return;
  const ServerInfo info = registry_info();
  const std::uint32_t ttl = cfg_.registry_ttl_ms;
  const bool check_fleet = beats_++ % kFleetCheckBeats == 0;
  Metrics& m = metrics_;
  HealthSignals* health = health_;
  auto mismatches = fleet_mismatches_;
  const bool queued = io_.post([info, ttl, check_fleet, &m, health, mismatches](Store& store) {
    auto r = store.heartbeat_server(info, ttl);
    if (health != nullptr) health->set_store_reachable(r.ok());
    if (!r) {
      spdlog::warn("registry heartbeat failed: {}", r.error().message);
      return;
    }
    if (check_fleet) check_fleet_keys(store, info, m, *mismatches);
  });
  if (!queued) metrics_.store_jobs_dropped.Increment();
}

/// On the IoWorker: counts the live servers whose token key differs from
/// ours, publishes the count and logs an error when it changes.
void StatusReporter::check_fleet_keys(Store& store, const ServerInfo& self, Metrics& m, std::atomic<int>& last) {
  auto registry = store.registry_view();  // with the entries our key cannot verify
  if (!registry) return;                  // counted and logged by the store (CountedStore)
  const FleetKeyCheck check = qbot::server::check_fleet_keys(*registry, self.id, self.key_fingerprint);
  const int others = static_cast<int>(check.others);
  const std::string& example = check.example;
  m.fleet_key_mismatches.Set(others);
  if (last.exchange(others) == others) return;
  if (others > 0) {
    spdlog::error(
        "fleet: {} live server(s) in this registry (e.g. '{}') sign tokens with another key than ours "
        "(fingerprint {}): players matched across them would be refused (invalid_token), so matchmakers keep them "
        "apart. Give every server sharing this Redis the same --token-secret (QBOT_TOKEN_SECRET)",
        others, example, self.key_fingerprint);
  } else {
    spdlog::info("fleet: every live server in the registry holds our token key (fingerprint {})", self.key_fingerprint);
  }
}

void StatusReporter::deregister() {
  deregistered_ = true;
  const std::string id = cfg_.server_id;
  const bool queued = io_.post([id](Store& store) {
    if (auto r = store.deregister_server(id); !r) {
      spdlog::warn("registry deregister failed: {}", r.error().message);
    }
  });
  if (!queued) metrics_.store_jobs_dropped.Increment();
}

// ---------------------------------------------------------------------------
// Log
// ---------------------------------------------------------------------------
void StatusReporter::log_scoreboard() {
  spdlog::info("players {} | arenas {} | sessions {}", clients_.players(), arenas_.size(), clients_.sessions().size());
  std::size_t shown = 0;
  for (const auto& [id, arena] : arenas_.arenas()) {
    if (++shown > kScoreboardArenas) {
      spdlog::info("  ... and {} more arenas", arenas_.size() - kScoreboardArenas);
      break;
    }
    std::string line;
    for (const ArenaPlayer& p : arena->players()) {
      const sim::Bot* bot = sim::find_bot(arena->world(), p.entity);
      if (bot == nullptr) continue;
      line += " " + p.name + " " + std::to_string(bot->kills) + "/" + std::to_string(bot->deaths);
    }
    spdlog::info("  arena {} [{}/{}] {} on {} tick {} (kills/deaths):{}", id, arena->players().size(),
                 arena->capacity(), proto::match_phase_name(arena->phase()), arena->map().name, arena->world().tick,
                 line);
  }
}

}  // namespace qbot::server
