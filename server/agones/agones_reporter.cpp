#include "server/agones/agones_reporter.h"

#include <algorithm>

namespace qbot::server {

AgonesReporter::AgonesReporter(AgonesSettings settings, Sink sink)
    : settings_(std::move(settings)), sink_(std::move(sink)) {
  sink_(AgonesCall::label("region", label_value(settings_.region)));
  sink_(AgonesCall::label("protocol-version", std::to_string(settings_.protocol_version)));
  post_count("players", -1, settings_.player_capacity);
  post_count("arenas", -1, settings_.arena_capacity);
}

bool AgonesReporter::post(AgonesCall::Kind kind) { return sink_(AgonesCall::lifecycle(kind)); }

bool AgonesReporter::post_count(const char* name, std::int64_t count, std::int64_t capacity) {
  return sink_(AgonesCall::counter(name, count, capacity));
}

void AgonesReporter::update(Nanos now, const AgonesView& view) {
  if (shut_down_) return;
  if (view.live && (!next_health_ || now >= *next_health_)) {
    post(AgonesCall::Kind::Health);
    next_health_ = now + settings_.health_period;
  }
  if (state_ == State::Starting && view.ready && post(AgonesCall::Kind::Ready)) state_ = State::Ready;
  if (state_ != State::Starting && !view.draining) update_allocation(now, view);
  update_counters(now, view);
}

void AgonesReporter::update_allocation(Nanos now, const AgonesView& view) {
  if (view.busy) {
    idle_since_.reset();
    if (state_ == State::Ready && post(AgonesCall::Kind::Allocate)) state_ = State::Allocated;
    return;
  }
  if (state_ != State::Allocated) return;
  if (!idle_since_) idle_since_ = now;
  if (now - *idle_since_ >= settings_.idle_before_ready && view.ready && post(AgonesCall::Kind::Ready)) {
    state_ = State::Ready;
    idle_since_.reset();
  }
}

void AgonesReporter::update_counters(Nanos now, const AgonesView& view) {
  if (next_counters_ && now < *next_counters_) return;
  next_counters_ = now + settings_.counter_period;
  // A count above the capacity would be refused (OUT_OF_RANGE): report it full.
  const std::int64_t players = std::min<std::int64_t>(view.players, settings_.player_capacity);
  const std::int64_t arenas = std::min<std::int64_t>(view.arenas, settings_.arena_capacity);
  if (players != sent_players_ && post_count("players", players, -1)) sent_players_ = players;
  if (arenas != sent_arenas_ && post_count("arenas", arenas, -1)) sent_arenas_ = arenas;
}

void AgonesReporter::shutdown() {
  if (shut_down_) return;
  shut_down_ = true;
  post(AgonesCall::Kind::Shutdown);
}

}  // namespace qbot::server
