#pragma once
// Redis under Sentinel on loopback, for the failover tests: a primary, a
// replica of it (`--replicaof`) and `sentinels` redis-server processes in
// sentinel mode watching the primary as kMaster, each on a free port with
// its config file in a temp dir (Sentinel rewrites it). Real processes only.
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process.h"
#include "redis_server.h"

namespace qbot::test {

class SentinelCluster {
 public:
  static constexpr const char* kMaster = "qbot";
  struct Options {
    int sentinels = 3;
    int quorum = 2;
    int down_after_ms = 1000;        // the primary is "subjectively down" after this long without a reply
    int failover_timeout_ms = 3000;  // a failover that stalls is retried after this long
    bool replica = true;             // start the replica
  };
  /// Starts everything and waits (deadline 30 s) until every sentinel sees
  /// the replica in sync and the other sentinels; throws with the logs if not.
  SentinelCluster();
  explicit SentinelCluster(Options options);
  ~SentinelCluster();

  RedisServer& primary() { return *primary_; }
  RedisServer& replica() { return *replica_; }
  /// "127.0.0.1:p1,127.0.0.1:p2,...": the --redis-sentinel value.
  std::string sentinel_list() const;
  std::uint16_t sentinel_port(std::size_t i) const { return sentinel_ports_.at(i); }
  Process& sentinel(std::size_t i) { return *sentinels_.at(i); }
  /// The primary's port as sentinel `i` names it (get-master-addr-by-name);
  /// nullopt if it does not answer or names none.
  std::optional<std::uint16_t> named_primary(std::size_t i = 0) const;
  /// True when every sentinel names `port` as the primary.
  bool all_name(std::uint16_t port) const;
  /// Every sentinel's log, for failure messages.
  std::string logs() const;

 private:
  bool ready() const;
  Options options_;
  std::string dir_;
  std::unique_ptr<RedisServer> primary_;
  std::unique_ptr<RedisServer> replica_;
  std::vector<std::uint16_t> sentinel_ports_;
  std::vector<std::unique_ptr<Process>> sentinels_;
};

/// The value of `field` in a flat field/value reply rendered by
/// redis_command ("name qbot ip 127.0.0.1 ..."), or "" if it is not there.
std::string reply_field(const std::string& rendered, const std::string& field);

}  // namespace qbot::test
