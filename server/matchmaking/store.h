#pragma once
// The Store: everything that outlives one process (server registry now;
// tickets, garages and results as matchmaking grows). Two implementations
// pass one contract test suite: RedisStore (a fleet) and MemoryStore (one
// process, no Redis). Calls block: only StoreWorker threads call them,
// never the tick thread.
#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"

namespace qbot::server {

struct StoreError {
  std::string message;
};

template <class T>
using StoreResult = core::Result<T, StoreError>;

/// One server process as advertised in the registry.
struct ServerInfo {
  std::string id;          // unique per process, [A-Za-z0-9._-]{1,64}
  std::string host;        // address clients connect to
  std::uint16_t port = 0;  // UDP game port
  std::string region;
  std::uint32_t capacity = 0;  // player slots
  std::uint32_t players = 0;   // players now
  std::uint32_t arenas = 0;
  std::string version;     // build version
  std::uint64_t heartbeat_ms = 0;  // store time of the last heartbeat (filled by the store)

  friend bool operator==(const ServerInfo&, const ServerInfo&) = default;
};

class Store {
 public:
  virtual ~Store() = default;

  /// Creates or refreshes the entry; it expires `ttl_ms` after this call
  /// unless refreshed again.
  virtual StoreResult<bool> heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) = 0;
  /// Removes the entry now (graceful shutdown). True if it existed.
  virtual StoreResult<bool> deregister_server(const std::string& id) = 0;
  /// Servers whose entries have not expired, ascending id.
  virtual StoreResult<std::vector<ServerInfo>> live_servers() = 0;

  /// "memory" or "redis://host:port/db" (for logs; never the password).
  virtual std::string describe() const = 0;
};

/// True if `id` is a valid server id (used in Redis keys).
bool valid_server_id(const std::string& id);

}  // namespace qbot::server
