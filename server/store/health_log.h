#pragma once
// RedisStore's tally of hostile or broken records (StoreHealth): counted by
// kind, the latest problem kept for the log. The store never logs itself;
// whoever publishes its health does, at its own pace. Thread-safe.
#include <mutex>
#include <string>
#include <string_view>

#include "core/quoted.h"
#include "server/store/store_types.h"

namespace qbot::server {

class HealthLog {
 public:
  /// Counts one record of `kind` that was skipped, repaired or replaced;
  /// `why` (may hold text read from Redis) becomes the last problem, quoted.
  void reject(RecordKind kind, std::string_view why) {
    std::lock_guard lock(mu_);
    health_.rejected[static_cast<std::size_t>(kind)] += 1;
    note(kind, why);
  }
  /// A waiting ticket that was missing from its queue was put back.
  void repaired_ticket(std::string_view why) {
    std::lock_guard lock(mu_);
    health_.tickets_repaired += 1;
    note(RecordKind::Ticket, why);
  }
  StoreHealth snapshot() const {
    std::lock_guard lock(mu_);
    return health_;
  }
  std::uint64_t rejected_total() const {
    std::lock_guard lock(mu_);
    return health_.rejected_total();
  }

 private:
  /// Longest problem text kept: enough for a key name and a reason.
  static constexpr std::size_t kMaxProblemBytes = 160;
  void note(RecordKind kind, std::string_view why) {
    health_.problems += 1;
    health_.last_problem = std::string(record_kind_name(kind)) + ": " + core::quoted(why, kMaxProblemBytes);
  }
  mutable std::mutex mu_;
  StoreHealth health_;
};

}  // namespace qbot::server
