#include "server/agones/agones_sdk.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "core/quoted.h"

namespace qbot::server {
namespace {

using std::chrono::steady_clock;

constexpr std::size_t kMaxLoggedBody = 200;

http::Options sidecar_options() {
  http::Options o;
  o.connect_timeout = std::chrono::milliseconds(500);
  o.total_timeout = std::chrono::milliseconds(2000);
  o.max_response_bytes = 64u << 10;  // a GameServer is a few KiB
  return o;
}

std::string excerpt(const std::string& body) { return core::quoted(body.substr(0, kMaxLoggedBody)); }

}  // namespace

AgonesSdk::AgonesSdk(AgonesSdkConfig config) : config_(std::move(config)), thread_([this] { run(); }) {}

AgonesSdk::~AgonesSdk() { stop(std::chrono::milliseconds(0)); }

bool AgonesSdk::post(AgonesCall call) {
  {
    std::lock_guard lock(mu_);
    if (stopping_) {
      totals_.dropped += 1;
      return false;
    }
    if (merge(call)) return true;
    if (queue_.size() >= config_.queue_capacity) {
      totals_.dropped += 1;
      return false;
    }
    queue_.push_back(std::move(call));
  }
  wake_.notify_one();
  return true;
}

/// A Health while one waits says nothing new; a Counter update overrides a
/// waiting one for the same counter. The call on the wire is left alone.
bool AgonesSdk::merge(const AgonesCall& call) {
  const auto first = queue_.begin() + (sending_front_ ? 1 : 0);
  for (auto it = first; it != queue_.end(); ++it) {
    if (it->kind != call.kind) continue;
    if (call.kind == AgonesCall::Kind::Health) return true;
    if (call.kind == AgonesCall::Kind::Counter && it->name == call.name) {
      if (call.count >= 0) it->count = call.count;
      if (call.capacity >= 0) it->capacity = call.capacity;
      return true;
    }
  }
  return false;
}

void AgonesSdk::stop(std::chrono::milliseconds within) {
  {
    std::lock_guard lock(mu_);
    if (!stopping_) {
      stopping_ = true;
      stop_by_ = steady_clock::now() + within;
    }
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

AgonesSdk::Totals AgonesSdk::totals() const {
  std::lock_guard lock(mu_);
  return totals_;
}

void AgonesSdk::finish_front(Outcome outcome) {
  queue_.pop_front();
  (outcome == Outcome::Ok ? totals_.ok : totals_.failed) += 1;
}

void AgonesSdk::run() {
  http::Client client(sidecar_options());
  auto backoff = config_.backoff_min;
  bool complained = false;
  auto next_watch = steady_clock::now() + config_.watch_period;
  std::unique_lock lock(mu_);
  while (true) {
    if (queue_.empty()) {
      if (stopping_) break;
      wake_.wait_until(lock, next_watch, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && !stopping_) {
        lock.unlock();
        watch(client);
        lock.lock();
        next_watch = steady_clock::now() + config_.watch_period;
      }
      continue;
    }
    if (stopping_ && steady_clock::now() >= stop_by_) break;
    const AgonesCall call = queue_.front();
    sending_front_ = true;
    lock.unlock();
    const Outcome outcome = send(client, call);
    lock.lock();
    sending_front_ = false;
    if (outcome == Outcome::NotTaken && call.kind != AgonesCall::Kind::Health) {
      if (!complained) {
        spdlog::warn("agones: the SDK sidecar at {} does not take {} yet; retrying with backoff", config_.base_url,
                     agones_call_name(call.kind));
        complained = true;
      }
      auto until = steady_clock::now() + backoff;
      if (stopping_) until = std::min(until, stop_by_);
      wake_.wait_until(lock, until, [&] { return stopping_ && steady_clock::now() >= stop_by_; });
      backoff = std::min(backoff * 2, config_.backoff_max);
      continue;
    }
    if (outcome == Outcome::Ok && complained) {
      spdlog::info("agones: the SDK sidecar answers");
      complained = false;
    }
    backoff = config_.backoff_min;
    finish_front(outcome);
  }
  if (!queue_.empty()) spdlog::warn("agones: {} call(s) not sent before the stop", queue_.size());
  totals_.dropped += queue_.size();
  queue_.clear();
}

AgonesSdk::Outcome AgonesSdk::send(http::Client& client, const AgonesCall& call) {
  const AgonesRequest req = agones_request(call);
  auto r = client.send(req.method, config_.base_url + req.path, req.body, "application/json");
  if (!r) {
    spdlog::debug("agones: {} {}: {}", http::method_name(req.method), req.path, r.error().message);
    return Outcome::NotTaken;
  }
  if (r->ok()) return Outcome::Ok;
  if (r->status >= 500 || r->status == 429) return Outcome::NotTaken;
  spdlog::warn("agones: the sidecar refused {} {} {}: HTTP {} {}", http::method_name(req.method), req.path,
               excerpt(req.body), r->status, excerpt(r->body));
  return Outcome::Refused;
}

void AgonesSdk::watch(http::Client& client) {
  auto r = client.get(config_.base_url + "/gameserver");
  if (!r || !r->ok()) return;  // the next call or watch tries again
  auto gs = parse_game_server(r->body);
  if (!gs) {
    spdlog::warn("agones: GET /gameserver: {}", gs.error());
    return;
  }
  if (gs->state == "Shutdown" && !shutdown_requested_.exchange(true)) {
    spdlog::info("agones: the GameServer was moved to Shutdown: draining");
  }
}

core::Result<GameServerStatus, std::string> AgonesSdk::wait_for_game_server(const std::string& base_url,
                                                                            std::chrono::milliseconds within) {
  http::Client client(sidecar_options());
  const auto deadline = steady_clock::now() + within;
  std::chrono::milliseconds backoff{100};
  std::string why = "no answer";
  while (true) {
    auto r = client.get(base_url + "/gameserver");
    if (!r) {
      why = r.error().message;
    } else if (!r->ok()) {
      why = "HTTP " + std::to_string(r->status) + " " + excerpt(r->body);
    } else if (auto gs = parse_game_server(r->body); !gs) {
      why = gs.error();
    } else if (gs->address.empty()) {
      why = "the GameServer has no address yet (state " + core::quoted(gs->state) + ")";
    } else {
      return std::move(*gs);
    }
    if (steady_clock::now() + backoff > deadline) return core::Err{std::move(why)};
    std::this_thread::sleep_for(backoff);  // startup, before the tick exists: nothing else to do
    backoff = std::min(backoff * 2, std::chrono::milliseconds(2000));
  }
}

}  // namespace qbot::server
