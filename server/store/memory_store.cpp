#include "server/store/memory_store.h"

#include <algorithm>

namespace qbot::server {

StoreResult<bool> MemoryStore::heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) {
  if (!valid_server_id(info.id)) return core::Err{StoreError{"invalid server id '" + info.id + "'"}};
  const auto now = clock_();
  std::lock_guard lock(mu_);
  ServerEntry& e = servers_[info.id];
  e.info = info;
  e.info.heartbeat_ms = static_cast<std::uint64_t>(now.count());
  e.info.pending_seats = 0;
  e.info.counted_matches.clear();
  e.expires = now + std::chrono::milliseconds(ttl_ms);
  if (auto p = pending_.find(info.id); p != pending_.end()) {
    for (MatchId id : info.counted_matches) p->second.erase(id);
  }
  return true;
}

StoreResult<bool> MemoryStore::deregister_server(const std::string& id) {
  std::lock_guard lock(mu_);
  pending_.erase(id);
  return servers_.erase(id) > 0;
}

StoreResult<std::vector<ServerInfo>> MemoryStore::live_servers() {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  std::erase_if(servers_, [&](const auto& kv) { return kv.second.expires <= now; });
  for (auto it = pending_.begin(); it != pending_.end();) {
    std::erase_if(it->second, [&](const auto& seats) { return seats.second.deadline <= now; });
    it = it->second.empty() ? pending_.erase(it) : std::next(it);
  }
  std::vector<ServerInfo> out;
  out.reserve(servers_.size());
  for (const auto& [id, e] : servers_) {
    out.push_back(e.info);
    if (auto p = pending_.find(id); p != pending_.end()) {
      for (const auto& [match, seats] : p->second) out.back().pending_seats += seats.seats;
    }
  }
  return out;
}

}  // namespace qbot::server
