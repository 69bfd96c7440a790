#include "server/store/redis_store.h"

#include <algorithm>
#include <map>

#include "server/store/record_codec.h"

namespace qbot::server {
namespace {

// Registry heartbeat: expiry is computed from Redis's own clock (TIME), so
// servers with skewed clocks still agree on who is alive.
// The matches whose seats `players` now counts stop being pending, in the
// same step as `players` is written: no moment counts them twice or never.
// KEYS[1] server hash, KEYS[2] live-servers zset, KEYS[3] pending seats;
// ARGV[1] ttl ms, ARGV[2] id, ARGV[3] m, ARGV[4..3+m] field/value pairs,
// then the counted match ids.
constexpr const char* kHeartbeatScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local m = tonumber(ARGV[3])
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'heartbeat_ms', now, unpack(ARGV, 4, 3 + m))
redis.call('PEXPIRE', KEYS[1], ARGV[1])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[1]), ARGV[2])
if #ARGV > 3 + m and redis.call('TYPE', KEYS[3])['ok'] == 'hash' then
  for j = 4 + m, #ARGV, 1000 do redis.call('HDEL', KEYS[3], unpack(ARGV, j, math.min(j + 999, #ARGV))) end
end
return now
)lua";

// Live servers: drop expired members, return [id, HGETALL...] pairs.
// Each server's pending seats (matches assigned but not yet counted by a
// heartbeat) are summed and appended as a `pending_seats` field; entries
// past their deadline, or not of the form 'seats:deadline', are dropped.
// KEYS[1] live-servers zset; ARGV[1] server key prefix, ARGV[2] pending key prefix.
constexpr const char* kLiveServersScript = R"lua(
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local ids = redis.call('ZRANGE', KEYS[1], 0, -1)
local out = {}
for _, id in ipairs(ids) do
  local h = redis.call('HGETALL', ARGV[1] .. id)
  if #h > 0 then
    local pending, stale = 0, {}
    local key = ARGV[2] .. id
    if redis.call('TYPE', key)['ok'] == 'hash' then
      local p = redis.call('HGETALL', key)
      for j = 1, #p, 2 do
        local seats, deadline = string.match(p[j + 1], '^(%d+):(%d+)$')
        if seats and #seats <= 6 and tonumber(deadline) > now then
          pending = pending + tonumber(seats)
        else
          stale[#stale + 1] = p[j]
        end
      end
      for j = 1, #stale, 1000 do redis.call('HDEL', key, unpack(stale, j, math.min(j + 999, #stale))) end
    end
    h[#h + 1] = 'pending_seats'
    h[#h + 1] = tostring(pending)
    out[#out + 1] = id
    out[#out + 1] = h
  end
end
return out
)lua";

/// Parses one HGETALL reply into ServerInfo; false if anything is off.
bool parse_server(std::string_view id, const redisReply* fields, ServerInfo& out) {
  if (!reply::is_array(fields) || reply::size(fields) % 2 != 0 || reply::size(fields) > 64) return false;
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
  return text("host", out.host, 253) && text("region", out.region, 64) && text("version", out.version, 64) &&
         num("port", out.port) && num("capacity", out.capacity) && num("players", out.players) &&
         num("arenas", out.arenas) && num("heartbeat_ms", out.heartbeat_ms) && num("pending_seats", out.pending_seats);
}

}  // namespace

RedisStore::RedisStore(RedisUrl url, std::string prefix, std::chrono::milliseconds timeout)
    : prefix_(std::move(prefix)), url_description_(url.describe()), conn_(std::move(url), timeout) {}

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
                                "version",  info.version};
  std::vector<std::string> args{std::to_string(ttl_ms), info.id, std::to_string(std::size(fields))};
  args.insert(args.end(), std::begin(fields), std::end(fields));
  for (MatchId id : info.counted_matches) args.push_back(std::to_string(id));
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kHeartbeatScript, keys, args);
  if (!r) return io_error<bool>(r.error());
  return true;
}

StoreResult<bool> RedisStore::deregister_server(const std::string& id) {
  if (!valid_server_id(id)) return core::Err{StoreError{"invalid server id '" + id + "'"}};
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.pipeline({{"DEL", server_key(id)}, {"ZREM", servers_key(), id}, {"DEL", pending_key(id)}});
  if (!r) return io_error<bool>(r.error());
  return (*r)[0].integer() > 0;
}

StoreResult<std::vector<ServerInfo>> RedisStore::live_servers() {
  const std::string keys[] = {servers_key()};
  const std::string args[] = {prefix_ + "server:", prefix_ + "pending:"};
  std::lock_guard lock(mu_);
  round_trips_ += 1;
  auto r = conn_.eval(kLiveServersScript, keys, args);
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
