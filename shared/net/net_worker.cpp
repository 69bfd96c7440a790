#include "net/net_worker.h"

namespace qbot::net {

core::Result<std::unique_ptr<NetWorker>, std::string> NetWorker::create(const HostConfig& cfg, Mode mode,
                                                                        QueueLimits limits) {
  auto host = NetHost::create(cfg);
  if (!host) return core::Err{host.error()};
  return std::unique_ptr<NetWorker>(new NetWorker(std::move(host.value()), mode, limits));
}

NetWorker::NetWorker(std::unique_ptr<NetHost> host, Mode mode, QueueLimits limits)
    : host_(std::move(host)), mode_(mode), limits_(limits), port_(host_->port()) {
  if (mode_ == Mode::Thread) thread_ = std::thread([this] { run(); });
}

NetWorker::~NetWorker() {
  stop_.store(true);
  out_cv_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void NetWorker::send(PeerRef peer, std::uint8_t channel, std::span<const std::uint8_t> bytes, Delivery delivery) {
  if (mode_ == Mode::Inline) {
    if (!host_->send(peer, channel, bytes, delivery)) send_failures_.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  outbox_.commands.push_back({Command::Kind::Send, peer, channel, delivery, 0, outbox_.bytes.size(), bytes.size()});
  outbox_.bytes.insert(outbox_.bytes.end(), bytes.begin(), bytes.end());
}

void NetWorker::disconnect_later(PeerRef peer, std::uint32_t data) {
  if (mode_ == Mode::Inline) return host_->disconnect_later(peer, data);
  outbox_.commands.push_back({Command::Kind::DisconnectLater, peer, 0, Delivery::Reliable, data, 0, 0});
}

void NetWorker::disconnect_now(PeerRef peer, std::uint32_t data) {
  if (mode_ == Mode::Inline) return host_->disconnect_now(peer, data);
  outbox_.commands.push_back({Command::Kind::DisconnectNow, peer, 0, Delivery::Reliable, data, 0, 0});
}

void NetWorker::apply(Batch& batch) {
  for (const Command& c : batch.commands) {
    switch (c.kind) {
      case Command::Kind::Send:
        if (!host_->send(c.peer, c.channel, {batch.bytes.data() + c.offset, c.size}, c.delivery)) {
          send_failures_.fetch_add(1, std::memory_order_relaxed);
        }
        break;
      case Command::Kind::DisconnectLater: host_->disconnect_later(c.peer, c.data); break;
      case Command::Kind::DisconnectNow: host_->disconnect_now(c.peer, c.data); break;
    }
  }
  host_->flush();
}

void NetWorker::flush() {
  if (mode_ == Mode::Inline) {
    host_->flush();
    publish_counters();
    return;
  }
  if (outbox_.commands.empty()) return;
  {
    std::lock_guard lock(mu_);
    bound_outbox();
    pending_out_.push_back(std::move(outbox_));
    if (!spare_.empty()) {
      outbox_ = std::move(spare_.back());
      spare_.pop_back();
    } else {
      outbox_ = Batch{};
    }
  }
  out_cv_.notify_one();
}

/// The network thread has fallen behind by pending_out_bytes_: drop what
/// the protocol can lose from the batch being handed over, and count it.
/// Disconnects always go through (they free slots and are a few bytes).
void NetWorker::bound_outbox() {
  std::size_t bytes = 0;
  std::erase_if(outbox_.commands, [&](const Command& c) {
    if (c.kind != Command::Kind::Send) return false;
    const std::size_t after = pending_out_bytes_ + bytes + c.size;
    const bool reliable = c.delivery == Delivery::Reliable;
    if (after > (reliable ? limits_.outbox_bytes_reliable : limits_.outbox_bytes)) {
      (reliable ? drops_.outbox_reliable : drops_.outbox_unreliable) += 1;
      return true;
    }
    bytes += c.size;
    return false;
  });
  pending_out_bytes_ += bytes;
}

/// Moves the network thread's events into the tick's inbox, bounded: when
/// limits_.inbox_packets received packets are already waiting, further packets
/// are dropped and new peers are disconnected at once (the tick never hears
/// of them, so no session is half made). Disconnects are always delivered.
void NetWorker::hand_over(std::vector<NetEvent>& received) {
  for (NetEvent& ev : received) {
    const bool full = inbox_packets_ >= limits_.inbox_packets;
    if (full && ev.type == NetEvent::Type::Receive) {
      drops_.inbox_packets += 1;
      continue;  // the packet is released with `received`
    }
    if (full && ev.type == NetEvent::Type::Connect) {
      host_->disconnect_now(ev.peer, 0);
      drops_.refused_connects += 1;
      continue;
    }
    inbox_packets_ += ev.type == NetEvent::Type::Receive ? 1 : 0;
    inbox_.push_back(std::move(ev));
  }
  received.clear();
}

QueueDrops NetWorker::queue_drops() const {
  std::lock_guard lock(mu_);
  return drops_;
}

bool NetWorker::service_into(std::vector<NetEvent>& out, std::uint32_t wait_ms) {
  bool any = false;
  NetEvent ev;
  while (host_->service(ev, wait_ms)) {
    wait_ms = 0;
    if (ev.type == NetEvent::Type::None) continue;
    if (ev.type == NetEvent::Type::Connect) {
      ev.user_data = next_connection_id_++;
      host_->set_user_data(ev.peer, ev.user_data);
      ev.address = host_->peer_info(ev.peer).address;
    }
    out.push_back(std::move(ev));
    any = true;
    if (out.size() >= 4096) break;  // hand over in bounded batches
  }
  return any;
}

void NetWorker::publish_counters() {
  connected_.store(host_->connected_peers(), std::memory_order_relaxed);
  if (rtts_requested_.exchange(false, std::memory_order_acq_rel)) sample_rtts();
  std::lock_guard lock(totals_mu_);
  totals_ = host_->totals();
}

void NetWorker::sample_rtts() {
  std::vector<std::uint32_t> sample;
  host_->connected_rtts(sample);
  std::lock_guard lock(totals_mu_);
  rtts_.swap(sample);
  rtts_fresh_ = true;
}

void NetWorker::request_rtts() {
  if (mode_ == Mode::Inline) return sample_rtts();
  rtts_requested_.store(true, std::memory_order_release);
}

bool NetWorker::take_rtts(std::vector<std::uint32_t>& out) {
  std::lock_guard lock(totals_mu_);
  if (!rtts_fresh_) return false;
  out.swap(rtts_);
  rtts_.clear();
  rtts_fresh_ = false;
  return true;
}

HostTotals NetWorker::totals() const {
  std::lock_guard lock(totals_mu_);
  return totals_;
}

void NetWorker::poll(std::vector<NetEvent>& out, std::chrono::milliseconds max_wait) {
  if (mode_ == Mode::Inline) {
    service_into(out, static_cast<std::uint32_t>(max_wait.count()));
    publish_counters();
    return;
  }
  std::unique_lock lock(mu_);
  if (inbox_.empty() && max_wait.count() > 0) inbox_cv_.wait_for(lock, max_wait, [&] { return !inbox_.empty(); });
  if (out.empty()) {
    out.swap(inbox_);
  } else {
    std::move(inbox_.begin(), inbox_.end(), std::back_inserter(out));
    inbox_.clear();
  }
  inbox_packets_ = 0;
}

void NetWorker::run() {
  std::vector<Batch> to_send;
  std::vector<NetEvent> received;
  while (!stop_.load()) {
    {
      // Sleep until the tick hands over packets, at most 1 ms: incoming
      // traffic waits in the socket buffer meanwhile and is read in one
      // batch below (the tick only looks at it once per tick anyway).
      std::unique_lock lock(mu_);
      out_cv_.wait_for(lock, std::chrono::milliseconds(1), [&] { return !pending_out_.empty() || stop_.load(); });
      to_send.swap(pending_out_);
    }
    std::size_t sent_bytes = 0;
    for (Batch& b : to_send) {
      apply(b);
      for (const Command& c : b.commands) sent_bytes += c.kind == Command::Kind::Send ? c.size : 0;
    }
    if (service_into(received, 0) || !to_send.empty()) {
      std::lock_guard lock(mu_);
      pending_out_bytes_ -= std::min(pending_out_bytes_, sent_bytes);
      for (Batch& b : to_send) {
        b.clear();
        if (spare_.size() < 4) spare_.push_back(std::move(b));
      }
      if (!received.empty()) {
        hand_over(received);
        inbox_cv_.notify_one();
      }
    }
    to_send.clear();
    publish_counters();
  }
  // Last words: whatever was queued (e.g. the shutdown Rejects) goes out.
  std::lock_guard lock(mu_);
  for (Batch& b : pending_out_) apply(b);
  pending_out_.clear();
}

}  // namespace qbot::net
