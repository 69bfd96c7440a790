#pragma once
// In-process Store: the embedded default for a single server with no Redis.
// Thread-safe. Time comes from the injected clock (tests use virtual time).
#include <chrono>
#include <functional>
#include <map>
#include <mutex>

#include "server/matchmaking/store.h"

namespace qbot::server {

class MemoryStore final : public Store {
 public:
  using Clock = std::function<std::chrono::milliseconds()>;
  explicit MemoryStore(Clock clock) : clock_(std::move(clock)) {}

  StoreResult<bool> heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) override;
  StoreResult<bool> deregister_server(const std::string& id) override;
  StoreResult<std::vector<ServerInfo>> live_servers() override;
  std::string describe() const override { return "memory"; }

 private:
  struct Entry {
    ServerInfo info;
    std::chrono::milliseconds expires{0};
  };
  Clock clock_;
  std::mutex mu_;
  std::map<std::string, Entry> servers_;
};

}  // namespace qbot::server
