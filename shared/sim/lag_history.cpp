#include "sim/lag_history.h"

namespace qbot::sim {

void LagHistory::record(core::Tick tick, const std::vector<PastBot>& bots) {
  Entry& e = entries_[tick % kCapacity];
  e.tick = tick;
  e.bots.assign(bots.begin(), bots.end());  // reuses capacity: no allocation in steady state
}

const std::vector<PastBot>* LagHistory::at(core::Tick tick) const {
  const Entry& e = entries_[tick % kCapacity];
  return (tick != 0 && e.tick == tick) ? &e.bots : nullptr;
}

}  // namespace qbot::sim
