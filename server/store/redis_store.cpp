// The registry on Redis (docs/REDIS.md "Server registry") and the calls
// every part of RedisStore makes its round trips through.
#include "server/store/redis_store.h"

#include <algorithm>
#include <cstdio>
#include <map>

#include "core/text.h"
#include "qbot/store/lua_scripts.h"
#include "server/store/record_codec.h"

namespace qbot::server {
namespace {

// Bounds on a registry entry read back from Redis: anything longer is
// hostile. Region and version are looser than a ticket's region
// (kMaxRegionBytes): heartbeat_server does not check them, and a server is
// listed even if no ticket can name its region.
constexpr std::size_t kMaxServerRegionBytes = 64;
constexpr std::size_t kMaxServerVersionBytes = 64;
constexpr std::size_t kMaxKeyFingerprintBytes = 64;
/// HGETALL elements (fields and values) of one server hash: it has 11
/// fields (heartbeat_server's 9, heartbeat_ms, pending_seats); room to spare.
constexpr std::size_t kMaxServerHashElements = 64;
/// Digits of a queue member (the largest u64 has 20).
constexpr int kQueueMemberDigits = 20;

/// Parses one HGETALL reply into ServerInfo; false if anything is off.
bool parse_server(std::string_view id, const redisReply* fields, ServerInfo& out) {
  if (!reply::is_array(fields) || reply::size(fields) % 2 != 0 || reply::size(fields) > kMaxServerHashElements) {
    return false;
  }
  std::map<std::string_view, std::string_view> kv;
  for (std::size_t i = 0; i + 1 < reply::size(fields); i += 2) {
    const auto* k = reply::at(fields, i);
    const auto* v = reply::at(fields, i + 1);
    if (!reply::is_string(k) || !reply::is_string(v)) return false;
    kv[reply::str(k)] = reply::str(v);
  }
  out.id = std::string(id);
  if (!valid_server_id(out.id)) return false;
  auto text = [&](const char* key, std::string& dst, std::size_t max) {
    auto it = kv.find(key);
    if (it == kv.end() || it->second.size() > max) return false;
    dst = std::string(it->second);
    return true;
  };
  auto num = [&](const char* key, auto& dst) {
    auto it = kv.find(key);
    return it != kv.end() && parse_decimal(it->second, dst);
  };
  // The key fingerprint is optional (servers of older versions do not write
  // one: they are treated as holding another key), a code when present.
  if (auto fp = kv.find("key_fp"); fp != kv.end()) {
    if (!fp->second.empty() && !core::is_code(fp->second, 1, kMaxKeyFingerprintBytes)) return false;
    out.key_fingerprint = std::string(fp->second);
  }
  return text("host", out.host, kMaxHostBytes) && text("region", out.region, kMaxServerRegionBytes) &&
         text("version", out.version, kMaxServerVersionBytes) && num("port", out.port) &&
         num("capacity", out.capacity) && num("players", out.players) && num("arenas", out.arenas) &&
         num("heartbeat_ms", out.heartbeat_ms) && num("pending_seats", out.pending_seats);
}

}  // namespace

RedisStore::RedisStore(RedisUrl url, std::string prefix, std::chrono::milliseconds timeout)
    : prefix_(std::move(prefix)), url_description_(url.describe()), conn_(std::move(url), timeout) {}

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

StoreResult<bool> RedisStore::heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) {
  if (!valid_server_id(info.id)) return core::Err{StoreError{"invalid server id '" + info.id + "'"}};
  const std::string keys[] = {server_key(info.id), servers_key(), pending_key(info.id)};
  const std::string fields[] = {"id",       info.id,
                                "host",     info.host,
                                "port",     std::to_string(info.port),
                                "region",   info.region,
                                "capacity", std::to_string(info.capacity),
                                "players",  std::to_string(info.players),
                                "arenas",   std::to_string(info.arenas),
                                "version",  info.version,
                                "key_fp",   info.key_fingerprint};
  std::vector<std::string> args{std::to_string(ttl_ms), info.id, std::to_string(std::size(fields))};
  args.insert(args.end(), std::begin(fields), std::end(fields));
  for (MatchId id : info.counted_matches) args.push_back(std::to_string(id));
  auto r = run_script(lua::kHeartbeat, keys, args);
  if (!r) return io_error<bool>(r.error());
  return true;
}

StoreResult<bool> RedisStore::deregister_server(const std::string& id) {
  if (!valid_server_id(id)) return core::Err{StoreError{"invalid server id '" + id + "'"}};
  auto r = run_pipeline({{"DEL", server_key(id)}, {"ZREM", servers_key(), id}, {"DEL", pending_key(id)}});
  if (!r) return io_error<bool>(r.error());
  return (*r)[0].integer() > 0;
}

StoreResult<std::vector<ServerInfo>> RedisStore::live_servers() {
  const std::string keys[] = {servers_key()};
  const std::string args[] = {prefix_ + "server:", prefix_ + "pending:"};
  auto r = run_script(lua::kLiveServers, keys, args);
  if (!r) return io_error<std::vector<ServerInfo>>(r.error());
  std::vector<ServerInfo> out;
  if (!r->is_array() || r->size() % 2 != 0) {
    malformed_ += 1;
    return out;
  }
  for (std::size_t i = 0; i + 1 < r->size(); i += 2) {
    ServerInfo info;
    const auto* id = r->at(i);
    if (!reply::is_string(id) || !parse_server(reply::str(id), r->at(i + 1), info)) {
      malformed_ += 1;
      continue;
    }
    out.push_back(std::move(info));
  }
  // The zset is ordered by expiry; the contract promises ascending id.
  std::sort(out.begin(), out.end(), [](const ServerInfo& a, const ServerInfo& b) { return a.id < b.id; });
  return out;
}

}  // namespace qbot::server
