// The registry on Redis (docs/REDIS.md "Server registry") and the calls
// every part of RedisStore makes its round trips through.
#include "server/store/redis_store.h"

#include <algorithm>
#include <cstdio>

#include "qbot/store/lua_scripts.h"
#include "server/store/record_codec.h"
#include "server/store/record_tags.h"

namespace qbot::server {
namespace {

/// Digits of a queue member (the largest u64 has 20).
constexpr int kQueueMemberDigits = 20;

std::uint64_t system_unix_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count());
}

}  // namespace

RedisStore::RedisStore(RedisEndpoint endpoint, RedisOptions options)
    : prefix_(std::move(options.prefix)),
      url_description_(endpoint.describe()),
      seal_(options.record_key),
      unix_ms_(options.unix_ms ? std::move(options.unix_ms) : system_unix_ms),
      wait_replicas_(options.wait_replicas),
      conn_(std::move(endpoint), options.timeout, unix_ms_) {}

std::string RedisStore::queue_member(AccountId account) {
  char buf[kQueueMemberDigits + 1];
  std::snprintf(buf, sizeof buf, "%0*llu", kQueueMemberDigits, static_cast<unsigned long long>(account));
  return buf;
}

core::Result<RedisReply, RedisError> RedisStore::run_script(const char* script, std::span<const std::string> keys,
                                                            std::span<const std::string> args) {
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  return conn_.eval(script, keys, args);
}

core::Result<RedisReply, RedisError> RedisStore::run_command(std::initializer_list<std::string_view> args) {
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  return conn_.command(args);
}

core::Result<std::vector<RedisReply>, RedisError> RedisStore::run_pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  return conn_.pipeline(commands);
}

bool RedisStore::note_problems(const RedisReply& r, RecordKind kind) {
  auto problems = replies::problems_of(r.get());
  if (!problems) {
    reject(kind, "script reply: " + problems.error());
    return false;
  }
  for (const std::string& p : *problems) reject(kind, p);
  return true;
}

// ---------------------------------------------------------------------------
// Registry
// ---------------------------------------------------------------------------
std::vector<std::string> RedisStore::registry_fields(const ServerInfo& info, std::uint32_t ttl_ms) const {
  const tags::RegistryParts p = tags::registry_parts(info, unix_ms_(), ttl_ms);
  return {"id",       p.id,       "host",    p.host,    "port",   p.port,   "region",  p.region,
          "capacity", p.capacity, "players", p.players, "arenas", p.arenas, "version", p.version,
          "key_fp",   p.key_fp,   "sent_ms", p.sent_ms, "ttl_ms", p.ttl_ms, "mac",     tags::registry(seal_, p)};
}

StoreResult<bool> RedisStore::heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) {
  if (!valid_server_id(info.id)) return core::Err{StoreError{"invalid server id '" + info.id + "'"}};
  const std::string keys[] = {server_key(info.id), servers_key(), pending_key(info.id)};
  const std::vector<std::string> fields = registry_fields(info, ttl_ms);
  std::vector<std::string> args{std::to_string(ttl_ms), info.id, std::to_string(fields.size())};
  args.insert(args.end(), fields.begin(), fields.end());
  for (MatchId id : info.counted_matches) args.push_back(std::to_string(id));
  auto r = run_script(lua::kHeartbeat, keys, args);
  if (!r) return io_error<bool>(r.error());
  note_problems(*r, RecordKind::Registry);
  return true;
}

StoreResult<bool> RedisStore::deregister_server(const std::string& id) {
  if (!valid_server_id(id)) return core::Err{StoreError{"invalid server id '" + id + "'"}};
  auto r = run_pipeline({{"DEL", server_key(id)}, {"ZREM", servers_key(), id}, {"DEL", pending_key(id)}});
  if (!r) return io_error<bool>(r.error());
  return (*r)[0].integer() > 0;
}

/// An entry counts only if its tag verifies (a forged or planted entry does
/// not) and both clocks say it is recent: Redis's heartbeat time within its
/// TTL, and its tagged send time within TTL + kMaxClockSkewMs of Redis's now
/// (a valid entry copied back later does not come alive again). An entry
/// whose tag fails but whose heartbeat is recent is Unverified: another
/// fleet key's server (or a forgery) that the fleet-key check must see.
/// Every entry that is not Live is counted and logged.
RedisStore::EntryVerdict RedisStore::judge_registry_entry(const replies::RegistryFields& e, std::uint64_t now_ms) {
  const std::string who = "entry " + e.info.id;
  const bool recent = now_ms < e.info.heartbeat_ms + e.ttl_ms;
  if (!tags::registry_ok(seal_, tags::registry_parts(e.info, e.sent_ms, e.ttl_ms), e.tag)) {
    reject(RecordKind::Registry, who + ": tag does not verify (forged, or another fleet's key)");
    return recent ? EntryVerdict::Unverified : EntryVerdict::Dead;
  }
  if (!recent) {
    reject(RecordKind::Registry, who + ": last heartbeat is older than its TTL");
    return EntryVerdict::Dead;
  }
  if (e.sent_ms + e.ttl_ms + kMaxClockSkewMs <= now_ms || e.sent_ms > now_ms + kMaxClockSkewMs) {
    reject(RecordKind::Registry, who + ": sent at " + std::to_string(e.sent_ms) + " ms, Redis says " +
                                     std::to_string(now_ms) + " (clock skew, or an old entry written back)");
    return EntryVerdict::Dead;
  }
  return EntryVerdict::Live;
}

StoreResult<RegistryView> RedisStore::registry_view() {
  const std::string keys[] = {servers_key()};
  const std::string args[] = {prefix_ + "server:", prefix_ + "pending:", prefix_ + "match:",
                              std::to_string(kMaxServers), std::to_string(kPendingSeatsMs)};
  auto r = run_script(lua::kLiveServers, keys, args);
  if (!r) return io_error<RegistryView>(r.error());
  RegistryView out;
  if (!note_problems(*r, RecordKind::Registry)) return out;
  if (!reply::is_integer(r->at(1)) || r->size() % 2 != 0) {
    reject(RecordKind::Registry, "live servers: reply is not [now, id, fields, ...]");
    return out;
  }
  const auto now = static_cast<std::uint64_t>(reply::integer(r->at(1)));
  for (std::size_t i = 2; i + 1 < r->size(); i += 2) {
    auto entry = replies::parse_server(reply::str(r->at(i)), r->at(i + 1));
    if (!entry) {
      reject(RecordKind::Registry, "entry " + std::string(reply::str(r->at(i))) + ": " + entry.error());
      continue;
    }
    switch (judge_registry_entry(*entry, now)) {
      case EntryVerdict::Live: out.live.push_back(std::move(entry->info)); break;
      case EntryVerdict::Unverified:
        out.unverified.push_back({std::move(entry->info.id), std::move(entry->info.key_fingerprint)});
        break;
      case EntryVerdict::Dead: break;
    }
  }
  // The zset is ordered by expiry; the contract promises ascending id.
  std::sort(out.live.begin(), out.live.end(), [](const ServerInfo& a, const ServerInfo& b) { return a.id < b.id; });
  std::sort(out.unverified.begin(), out.unverified.end(),
            [](const UnverifiedServer& a, const UnverifiedServer& b) { return a.id < b.id; });
  return out;
}

StoreResult<std::vector<ServerInfo>> RedisStore::live_servers() {
  auto view = registry_view();
  if (!view) return core::Err{view.error()};
  return std::move(view->live);
}

}  // namespace qbot::server
