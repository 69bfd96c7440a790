#include "client_headless/interpolation.h"

#include <cmath>

namespace qbot::client {

proto::Frame blend(const proto::Frame& a, const proto::Frame& b, float alpha) {
  proto::Frame out = b;
  out.tick = a.tick + static_cast<core::Tick>(std::lround(alpha * static_cast<float>(b.tick - a.tick)));
  std::size_t i = 0;
  for (proto::EntityState& e : out.entities) {
    while (i < a.entities.size() && a.entities[i].id < e.id) ++i;
    if (i == a.entities.size() || a.entities[i].id != e.id) continue;
    for (proto::Field f : {proto::kX, proto::kY}) {
      const float from = static_cast<float>(a.entities[i].f[f]);
      const float to = static_cast<float>(e.f[f]);
      e.f[f] = static_cast<std::int32_t>(std::lround(from + (to - from) * alpha));
    }
  }
  return out;
}

void InterpolationBuffer::put(proto::Frame frame) {
  const core::Tick tick = frame.tick;
  // A frame a whole ring older than the newest would take the slot of a
  // newer one (slots are tick % kCapacity): it is too late to matter.
  if (tick == 0 || tick + kCapacity <= newest_) return;
  if (tick > newest_) newest_ = tick;
  frames_.reuse(tick) = std::move(frame);
}

const proto::Frame* InterpolationBuffer::view() {
  if (newest_ == 0) return nullptr;
  const core::Tick want = view_tick();
  if (const proto::Frame* exact = frames_.find(want)) return exact;
  // Lost: blend the nearest frames on both sides (bounded search).
  const proto::Frame* before = nullptr;
  const proto::Frame* after = nullptr;
  for (core::Tick d = 1; d < kCapacity && (before == nullptr || after == nullptr); ++d) {
    if (before == nullptr && want > d) before = frames_.find(want - d);
    if (after == nullptr && want + d <= newest_) after = frames_.find(want + d);
  }
  if (before != nullptr && after != nullptr) {
    const float alpha = static_cast<float>(want - before->tick) / static_cast<float>(after->tick - before->tick);
    blended_ = blend(*before, *after, alpha);
    return &blended_;
  }
  return after != nullptr ? after : before;
}

}  // namespace qbot::client
