#pragma once
// The spectator families, registered on the server's registry. Updated from
// the tick thread (frames built) and the HTTP server's threads (connections,
// drops): Prometheus metrics are atomics.
#include <prometheus/counter.h>
#include <prometheus/gauge.h>
#include <prometheus/registry.h>

namespace qbot::server::spectator {

/// Why a spectator was dropped (the label of qbot_spectators_dropped_total).
enum class DropReason { QueueFull, NoAck, Silent, SendFailed };

class SpectatorMetrics {
 public:
  explicit SpectatorMetrics(prometheus::Registry& registry);

  prometheus::Gauge& connected;       // spectators receiving frames
  prometheus::Counter& frames_built;  // once per watched arena per spectator tick
  prometheus::Counter& frames_sent;   // messages written to spectators
  prometheus::Counter& refused;       // over --max-spectators, or no such arena
  prometheus::Counter& dropped_queue_full;
  prometheus::Counter& dropped_no_ack;
  prometheus::Counter& dropped_silent;
  prometheus::Counter& dropped_send_failed;

  prometheus::Counter& dropped(DropReason reason);
};

}  // namespace qbot::server::spectator
