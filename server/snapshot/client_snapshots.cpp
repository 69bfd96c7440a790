#include "server/snapshot/client_snapshots.h"

#include "proto/snapshot_codec.h"

namespace qbot::server {

ClientSnapshots::Built ClientSnapshots::build(const proto::Frame& visible, core::Tick acked,
                                              std::vector<std::uint8_t>& entities) {
  static const proto::Frame kEmpty{};
  Built out;
  const proto::Frame* baseline = nullptr;
  if (!full_only_ && acked != 0 && acked < visible.tick && visible.tick - acked < kHistory) {
    baseline = sent_.find(acked);
  }
  entities.clear();
  proto::encode_entities(baseline ? *baseline : kEmpty, visible, entities);
  out.baseline_tick = baseline ? acked : 0;
  proto::Frame& slot = sent_.reuse(visible.tick);
  slot.tick = visible.tick;
  slot.entities.assign(visible.entities.begin(), visible.entities.end());
  return out;
}

}  // namespace qbot::server
