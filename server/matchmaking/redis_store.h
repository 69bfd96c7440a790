#pragma once
// Store on Redis (hiredis, synchronous). Key layout: docs/REDIS.md.
// Every value read back from Redis is treated as hostile: types, counts and
// numbers are checked, and a malformed entry is skipped and counted.
#include <atomic>
#include <chrono>
#include <mutex>

#include "server/matchmaking/redis_connection.h"
#include "server/matchmaking/store.h"

namespace qbot::server {

class RedisStore final : public Store {
 public:
  RedisStore(RedisUrl url, std::string prefix, std::chrono::milliseconds timeout);

  StoreResult<bool> heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) override;
  StoreResult<bool> deregister_server(const std::string& id) override;
  StoreResult<std::vector<ServerInfo>> live_servers() override;
  std::string describe() const override { return url_description_; }

  /// Entries skipped because Redis held something we could not parse.
  std::uint64_t malformed_entries() const { return malformed_.load(); }
  /// Round trips to Redis made so far (benchmarks report per-operation counts).
  std::uint64_t round_trips() const { return round_trips_.load(); }

  const std::string& prefix() const { return prefix_; }
  std::string server_key(const std::string& id) const { return prefix_ + "server:" + id; }
  std::string servers_key() const { return prefix_ + "servers"; }

 private:
  template <class T>
  StoreResult<T> io_error(const RedisError& e) const {
    return core::Err{StoreError{describe() + ": " + e.message}};
  }

  std::string prefix_;
  std::string url_description_;
  std::mutex mu_;  // one connection; the store may be shared by worker threads
  RedisConnection conn_;
  std::atomic<std::uint64_t> malformed_{0};
  std::atomic<std::uint64_t> round_trips_{0};
};

}  // namespace qbot::server
