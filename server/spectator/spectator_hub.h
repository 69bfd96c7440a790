#pragma once
// The spectators of this server and the frames on their way to them. The
// tick thread publishes each built frame once per arena (`publish`, which
// never waits on a socket); every spectator has its own bounded queue and a
// writer thread that sends from it, so a slow browser delays only itself.
// A spectator is dropped, never buffered without bound:
//   - queue_full: its queue already holds `queue_frames` frames;
//   - no_ack: it has not acknowledged (the page sends "ack <frames received>")
//     more than `ack_window` of the frames sent to it. This catches a page
//     that stopped reading even while the kernel's socket buffers still
//     accept bytes;
//   - silent: nothing heard from the page (an ack or its keep-alive "ping")
//     for `silence_limit` (kSilenceLimit). This catches a socket that was
//     opened and then left silent, which frames alone may never catch: with
//     no frame to send (a long --spectator-delay, an arena between matches)
//     no window and no queue ever fills;
//   - send_failed: the socket failed.
// Past `max_spectators` a new spectator is refused with a message saying so.
// Every drop ends with a close frame, after which the HTTP server ends the
// connection within its close grace, whatever the page does.
//
// Threads: attach / on_message / detach run on the HTTP server's threads,
// publish / set_arenas on the tick thread, the writers on their own. One
// mutex guards the table; each spectator's queue has its own.
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"
#include "core/tick.h"
#include "server/http/socket_peer.h"
#include "server/spectator/spectator_metrics.h"

namespace qbot::server::spectator {

/// One built frame, shared by every spectator of its arena.
struct SpectatorFrame {
  core::Tick tick = 0;
  std::string json;
  std::shared_ptr<const std::string> map;  // the map message of this frame's map
};
using FramePtr = std::shared_ptr<const SpectatorFrame>;

/// How long a spectator may go without a word from its page (an ack, or the
/// "ping" it sends every 2 s while it waits for delayed frames) before it is
/// dropped as silent: five missed keep-alives, so a busy browser tab is not.
inline constexpr std::chrono::milliseconds kSilenceLimit{10000};

struct HubLimits {
  std::size_t max_spectators = 32;
  std::size_t queue_frames = 32;  // frames waiting for one spectator's writer
  std::size_t ack_window = 45;    // frames sent but not acknowledged
  std::chrono::milliseconds silence_limit = kSilenceLimit;
};

class SpectatorHub {
 public:
  struct Spectator;
  /// One attached spectator, valid from attach until detach returns. The
  /// connection's own thread uses it, so acknowledgements take no hub lock
  /// (the tick thread never waits behind a page's message).
  using Id = Spectator*;

  SpectatorHub(const HubLimits& limits, SpectatorMetrics& metrics);
  /// Stops and joins every writer. The HTTP server must be stopped first
  /// (its close handlers call detach).
  ~SpectatorHub();
  SpectatorHub(const SpectatorHub&) = delete;
  SpectatorHub& operator=(const SpectatorHub&) = delete;

  /// A browser opened the live view of `arena`. Fails, with the text to
  /// show, when --max-spectators are already watching or there is no such
  /// arena; nothing is kept then. `peer` must stay valid until detach.
  core::Result<Id, std::string> attach(SocketPeer& peer, std::uint32_t arena);
  /// A message from the page: "ack <n>" (frames received so far) or "ping"
  /// (a keep-alive), both proof that the page is there; anything else, or a
  /// number beyond what was sent, is ignored. Lock-free.
  void on_message(Id id, std::string_view text);
  /// The connection closed: joins the spectator's writer. After it returns
  /// the peer and `id` are no longer used.
  void detach(Id id);

  /// Tick thread: queues `frame` for every spectator of `arena`, dropping
  /// those over their bounds. Never blocks on a socket.
  void publish(std::uint32_t arena, const FramePtr& frame);
  /// The arenas somebody watches (frames are built only for those).
  std::vector<std::uint32_t> watched() const;
  /// Tick thread: the arena list served at /api/arenas, and the arena ids a
  /// spectator may ask for.
  void set_arenas(std::string list_json, std::vector<std::uint32_t> ids);
  std::string arena_list() const;
  std::size_t connected() const;

 private:
  void write_loop(Spectator& s);
  FramePtr next_frame(Spectator& s);
  bool send_frame(Spectator& s, const SpectatorFrame& frame, std::shared_ptr<const std::string>& map_sent);
  void end(Spectator& s);
  void drop_if_receiving(Spectator& s, DropReason reason);  // takes both locks
  void drop(Spectator& s, DropReason reason);               // caller holds mutex_ and s.mutex

  HubLimits limits_;
  SpectatorMetrics& metrics_;
  mutable std::mutex mutex_;  // the fields below
  std::map<Spectator*, std::unique_ptr<Spectator>> spectators_;
  std::size_t receiving_ = 0;  // attached and not dropped
  std::string arena_list_ = R"({"type":"arenas","arenas":[]})";
  std::vector<std::uint32_t> arena_ids_;
};

}  // namespace qbot::server::spectator
