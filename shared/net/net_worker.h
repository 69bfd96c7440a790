#pragma once
// ENet on its own thread (or inline, for tests on virtual time). ENet is not
// thread-safe, so one thread owns the NetHost: it services the socket,
// hands received events over in batches, and sends what the tick thread
// queued. The tick thread never makes a network syscall: a slow send or a
// burst of datagrams cannot stretch a tick.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <thread>
#include <vector>

#include "core/result.h"
#include "net/net_host.h"

namespace qbot::net {

/// What the NetWorker's bounded queues dropped, cumulative. The queues only
/// fill when one side stalls (the tick thread for the inbox, the network
/// thread for the outbox); what is dropped first is what the protocol can
/// lose: unreliable sends, then received packets and new connections.
struct QueueDrops {
  std::uint64_t inbox_packets = 0;      // received packets the tick thread had no room for
  std::uint64_t refused_connects = 0;   // new peers disconnected at once: the inbox was full
  std::uint64_t outbox_unreliable = 0;  // snapshots not sent: the network thread fell behind
  std::uint64_t outbox_reliable = 0;    // control messages not sent: it fell far behind
};

/// Bounds of the queues between the tick and the network thread (Thread mode).
struct QueueLimits {
  std::size_t inbox_packets = 65536;              // received packets waiting for the tick: ~1 s of 1,000 clients
  std::size_t outbox_bytes = 32u << 20;           // queued send bytes beyond which unreliable sends are dropped
  std::size_t outbox_bytes_reliable = 64u << 20;  // ... and beyond which every send is dropped
};

class NetWorker {
 public:
  enum class Mode : std::uint8_t {
    Inline,  // everything happens in the caller's thread, in poll()/flush()
    Thread,  // a network thread owns the host
  };
  static core::Result<std::unique_ptr<NetWorker>, std::string> create(const HostConfig& cfg, Mode mode,
                                                                      QueueLimits limits = {});
  ~NetWorker();
  NetWorker(const NetWorker&) = delete;
  NetWorker& operator=(const NetWorker&) = delete;

  /// Received events (Connect events carry a fresh connection id in
  /// user_data and the peer's address; later events of that peer carry the
  /// same id). Waits up to `max_wait` for the first one.
  void poll(std::vector<NetEvent>& out, std::chrono::milliseconds max_wait);

  /// Queue sends and disconnects; they go out at the next flush() (inline:
  /// queued in ENet at once, sent by flush() or the next poll()).
  void send(PeerRef peer, std::uint8_t channel, std::span<const std::uint8_t> bytes, Delivery delivery);
  void disconnect_later(PeerRef peer, std::uint32_t data);
  void disconnect_now(PeerRef peer, std::uint32_t data);
  void flush();

  std::uint16_t port() const { return port_; }
  HostTotals totals() const;
  std::size_t connected_peers() const { return connected_.load(std::memory_order_relaxed); }
  /// Packets ENet refused (stale peer, queue limits), cumulative.
  std::uint64_t send_failures() const { return send_failures_.load(std::memory_order_relaxed); }
  QueueDrops queue_drops() const;

  /// Asks for a sample of every connected peer's round-trip time (ms); the
  /// network thread takes it at its next pass (inline: at once).
  void request_rtts();
  /// Moves the latest sample into `out` (cleared first); false if no new
  /// sample was taken since the last call.
  bool take_rtts(std::vector<std::uint32_t>& out);

 private:
  struct Command {
    enum class Kind : std::uint8_t { Send, DisconnectLater, DisconnectNow } kind;
    PeerRef peer;
    std::uint8_t channel = 0;
    Delivery delivery = Delivery::Unreliable;
    std::uint32_t data = 0;
    std::size_t offset = 0;  // into the batch's bytes
    std::size_t size = 0;
  };
  struct Batch {
    std::vector<Command> commands;
    std::vector<std::uint8_t> bytes;
    void clear() {
      commands.clear();
      bytes.clear();
    }
  };

  NetWorker(std::unique_ptr<NetHost> host, Mode mode, QueueLimits limits);
  void run();                                                            // network thread
  void apply(Batch& batch);                                              // owner of the host only
  bool service_into(std::vector<NetEvent>& out, std::uint32_t wait_ms);  // owner only
  void publish_counters();                                               // owner only
  void sample_rtts();                                                    // owner only
  void hand_over(std::vector<NetEvent>& received);                       // network thread, mu_ held
  void bound_outbox();                                                   // tick thread, mu_ held

  std::unique_ptr<NetHost> host_;
  Mode mode_;
  QueueLimits limits_;
  std::uint16_t port_;
  std::uint64_t next_connection_id_ = 1;  // owner only

  Batch outbox_;           // tick thread fills
  mutable std::mutex mu_;  // guards pending_out_, inbox_, drops_
  std::condition_variable inbox_cv_;
  std::condition_variable out_cv_;     // wakes the network thread for a flushed batch
  std::vector<Batch> pending_out_;     // flushed batches for the network thread
  std::vector<NetEvent> inbox_;        // events for the tick thread
  std::size_t inbox_packets_ = 0;      // Receive events in inbox_
  std::size_t pending_out_bytes_ = 0;  // bytes of the sends in pending_out_
  QueueDrops drops_;                   // guarded by mu_
  std::vector<Batch> spare_;           // recycled batches (their capacity)

  std::atomic<bool> stop_{false};
  std::atomic<std::size_t> connected_{0};
  std::atomic<std::uint64_t> send_failures_{0};
  mutable std::mutex totals_mu_;  // guards totals_, rtts_, rtts_fresh_
  HostTotals totals_{};
  std::atomic<bool> rtts_requested_{false};
  std::vector<std::uint32_t> rtts_;
  bool rtts_fresh_ = false;
  std::thread thread_;
};

}  // namespace qbot::net
