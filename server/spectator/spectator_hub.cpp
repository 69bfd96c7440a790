#include "server/spectator/spectator_hub.h"

#include <algorithm>
#include <charconv>

namespace qbot::server::spectator {
namespace {
using Clock = std::chrono::steady_clock;
}  // namespace

struct SpectatorHub::Spectator {
  Spectator(std::uint32_t arena_, SocketPeer& peer_) : arena(arena_), peer(peer_) {}
  const std::uint32_t arena;
  SocketPeer& peer;
  std::mutex mutex;  // queue, stop, dropped
  std::condition_variable wake;
  std::deque<FramePtr> queue;
  bool stop = false;
  std::optional<DropReason> dropped;
  std::atomic<std::uint64_t> sent{0};                                      // frames written
  std::atomic<std::uint64_t> acked{0};                                     // frames the page says it received
  std::atomic<Clock::rep> heard{Clock::now().time_since_epoch().count()};  // the page's last word
  std::thread writer;

  Clock::time_point silent_after(std::chrono::milliseconds limit) const {
    return Clock::time_point(Clock::duration(heard.load())) + limit;
  }
};

namespace {

std::string_view drop_text(DropReason r) {
  switch (r) {
    case DropReason::QueueFull: return "too slow: frames queued beyond the limit";
    case DropReason::NoAck: return "too slow: frames not acknowledged";
    case DropReason::Silent: return "silent: nothing heard from the page for too long";
    case DropReason::SendFailed: break;
  }
  return "send failed";
}

}  // namespace

SpectatorHub::SpectatorHub(const HubLimits& limits, SpectatorMetrics& metrics) : limits_(limits), metrics_(metrics) {}

SpectatorHub::~SpectatorHub() {
  std::map<Spectator*, std::unique_ptr<Spectator>> all;
  {
    std::lock_guard lock(mutex_);
    all.swap(spectators_);
  }
  for (auto& [id, s] : all) {
    {
      std::lock_guard lock(s->mutex);
      s->stop = true;
    }
    s->wake.notify_one();
    if (s->writer.joinable()) s->writer.join();
  }
}

core::Result<SpectatorHub::Id, std::string> SpectatorHub::attach(SocketPeer& peer, std::uint32_t arena) {
  std::lock_guard lock(mutex_);
  if (receiving_ >= limits_.max_spectators) {
    metrics_.refused.Increment();
    return core::Err{"spectator limit reached: " + std::to_string(limits_.max_spectators) +
                     " spectators are watching (--max-spectators); try again later"};
  }
  if (std::find(arena_ids_.begin(), arena_ids_.end(), arena) == arena_ids_.end()) {
    metrics_.refused.Increment();
    return core::Err{"no arena " + std::to_string(arena) + " on this server"};
  }
  auto s = std::make_unique<Spectator>(arena, peer);
  Spectator& ref = *s;
  spectators_.emplace(&ref, std::move(s));
  receiving_ += 1;
  metrics_.connected.Set(static_cast<double>(receiving_));
  ref.writer = std::thread([this, &ref] { write_loop(ref); });
  return &ref;
}

void SpectatorHub::on_message(Id id, std::string_view text) {
  constexpr std::string_view kAck = "ack ";
  if (id == nullptr) return;
  const auto heard_now = [id] { id->heard.store(Clock::now().time_since_epoch().count()); };
  if (text == "ping") return heard_now();
  if (text.size() > 32 || !text.starts_with(kAck)) return;
  std::uint64_t n = 0;
  const std::string_view digits = text.substr(kAck.size());
  const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
  if (r.ec != std::errc{} || r.ptr != digits.data() + digits.size()) return;
  if (n > id->sent.load()) return;               // cannot have received more than was sent
  if (n > id->acked.load()) id->acked.store(n);  // only this connection's thread writes it
  heard_now();
}

void SpectatorHub::detach(Id id) {
  std::unique_ptr<Spectator> s;
  {
    std::lock_guard lock(mutex_);
    const auto it = spectators_.find(id);
    if (it == spectators_.end()) return;
    s = std::move(it->second);
    spectators_.erase(it);
    std::lock_guard slock(s->mutex);
    if (!s->dropped) receiving_ -= 1;
    s->stop = true;
    metrics_.connected.Set(static_cast<double>(receiving_));
  }
  s->wake.notify_one();
  if (s->writer.joinable()) s->writer.join();
}

void SpectatorHub::publish(std::uint32_t arena, const FramePtr& frame) {
  std::lock_guard lock(mutex_);
  for (auto& [id, s] : spectators_) {
    if (s->arena != arena) continue;
    std::lock_guard slock(s->mutex);
    if (s->dropped || s->stop) continue;
    if (s->queue.size() >= limits_.queue_frames) {
      drop(*s, DropReason::QueueFull);
    } else if (s->sent.load() > s->acked.load() + limits_.ack_window) {
      drop(*s, DropReason::NoAck);
    } else {
      s->queue.push_back(frame);
    }
    s->wake.notify_one();
  }
}

void SpectatorHub::drop(Spectator& s, DropReason reason) {
  // Now, not when the writer gets to its close frame: the writer may be
  // blocked on this very spectator's full socket.
  s.peer.end_within_grace();
  s.dropped = reason;
  s.queue.clear();
  receiving_ -= 1;
  metrics_.connected.Set(static_cast<double>(receiving_));
  metrics_.dropped(reason).Increment();
}

void SpectatorHub::drop_if_receiving(Spectator& s, DropReason reason) {
  std::lock_guard lock(mutex_);
  std::lock_guard slock(s.mutex);
  if (!s.dropped && !s.stop) drop(s, reason);
}

/// Sends the spectator's frames in order until it is stopped (detach,
/// shutdown) or dropped (by publish, for silence, or a failed send), then
/// ends the connection.
void SpectatorHub::write_loop(Spectator& s) {
  std::shared_ptr<const std::string> map_sent;
  while (const FramePtr frame = next_frame(s)) {
    if (!send_frame(s, *frame, map_sent)) {
      drop_if_receiving(s, DropReason::SendFailed);
      break;
    }
  }
  end(s);
}

/// The next frame to send, waiting for one; nullptr once the spectator is
/// stopped or dropped. Drops it as silent when its page has said nothing
/// for the silence limit (checked while the writer is idle: while frames
/// flow, the ack window catches a page that stopped).
FramePtr SpectatorHub::next_frame(Spectator& s) {
  std::unique_lock lock(s.mutex);
  while (!s.stop && !s.dropped && s.queue.empty()) {
    const auto deadline = s.silent_after(limits_.silence_limit);
    if (Clock::now() < deadline) {
      s.wake.wait_until(lock, deadline);
      continue;
    }
    lock.unlock();  // the table's lock comes first
    drop_if_receiving(s, DropReason::Silent);
    lock.lock();
  }
  if (s.stop || s.dropped) return nullptr;
  FramePtr frame = std::move(s.queue.front());
  s.queue.pop_front();
  return frame;
}

/// Writes `frame`, preceded by its map message when the map changed since
/// `map_sent`. False when a write failed.
bool SpectatorHub::send_frame(Spectator& s, const SpectatorFrame& frame, std::shared_ptr<const std::string>& map_sent) {
  if (frame.map != map_sent && frame.map != nullptr && !s.peer.send_text(*frame.map)) return false;
  map_sent = frame.map;
  // Counted before the send: the page can receive and acknowledge a frame
  // before send_text returns, and an ack beyond `sent` is ignored.
  s.sent.fetch_add(1);
  if (!s.peer.send_text(frame.json)) return false;
  metrics_.frames_sent.Increment();
  return true;
}

/// A dropped spectator is told why in a close frame (from then on the HTTP
/// server ends the connection within its close grace, even if the page never
/// answers or this write blocks); a stopped one is closing already.
void SpectatorHub::end(Spectator& s) {
  std::optional<DropReason> why;
  {
    std::lock_guard lock(s.mutex);
    if (s.stop) return;
    why = s.dropped;
  }
  s.peer.send_close(drop_text(why.value_or(DropReason::SendFailed)));
}

std::vector<std::uint32_t> SpectatorHub::watched() const {
  std::vector<std::uint32_t> out;
  std::lock_guard lock(mutex_);
  for (const auto& [id, s] : spectators_) {
    if (std::find(out.begin(), out.end(), s->arena) == out.end()) out.push_back(s->arena);
  }
  return out;
}

void SpectatorHub::set_arenas(std::string list_json, std::vector<std::uint32_t> ids) {
  std::lock_guard lock(mutex_);
  arena_list_ = std::move(list_json);
  arena_ids_ = std::move(ids);
}

std::string SpectatorHub::arena_list() const {
  std::lock_guard lock(mutex_);
  return arena_list_;
}

std::size_t SpectatorHub::connected() const {
  std::lock_guard lock(mutex_);
  return receiving_;
}

}  // namespace qbot::server::spectator
