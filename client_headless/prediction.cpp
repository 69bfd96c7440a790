#include "client_headless/prediction.h"

#include "sim/movement.h"

namespace qbot::client {
namespace {
constexpr std::size_t kMaxPending = 256;  // ~4 s at 60 Hz: beyond that the server is gone anyway
}

Predictor::Predictor(const sim::Catalog& catalog, const sim::Map& map, const sim::Loadout& loadout,
                     std::uint16_t entity, std::uint32_t tick_rate)
    : entity_(entity) {
  sim::Rules rules;
  rules.tick_rate = tick_rate;
  world_ = sim::make_world(catalog, map, rules, 0);
  sim::add_bot(world_, entity, 0, loadout);
}

sim::Vec2 Predictor::position() const {
  const sim::Bot* b = sim::find_bot(world_, entity_);
  return b != nullptr ? b->pos : sim::Vec2{};
}

void Predictor::step_local(const sim::Command& cmd) {
  sim::Bot* b = sim::find_bot(world_, entity_);
  if (b == nullptr || !b->alive) return;
  tick_ += 1;
  sim::move_bot(world_, tick_, *b, cmd);
}

void Predictor::apply(const sim::Command& cmd) {
  step_local(cmd);
  pending_.push_back({cmd, position()});
  while (pending_.size() > kMaxPending) pending_.pop_front();
}

std::optional<float> Predictor::reconcile(const proto::EntityState& server, std::uint32_t last_input,
                                          core::Tick server_tick) {
  sim::Bot* b = sim::find_bot(world_, entity_);
  if (b == nullptr) return std::nullopt;
  const sim::Vec2 server_pos{proto::dequantize_pos(server.f[proto::kX]), proto::dequantize_pos(server.f[proto::kY])};
  const bool alive = (server.f[proto::kFlags] & proto::kAlive) != 0;

  std::optional<float> error;
  if (last_input > acked_) {
    while (!pending_.empty() && pending_.front().cmd.sequence < last_input) pending_.pop_front();
    if (synced_ && alive && b->alive && !pending_.empty() && pending_.front().cmd.sequence == last_input) {
      error = length(pending_.front().predicted - server_pos);
    }
    if (!pending_.empty() && pending_.front().cmd.sequence == last_input) pending_.pop_front();
    acked_ = last_input;
  }

  // Rebase onto the authoritative state, then replay what the server has not seen.
  b->pos = server_pos;
  b->vel = {proto::dequantize_vel(server.f[proto::kVelX]), proto::dequantize_vel(server.f[proto::kVelY])};
  b->aim = proto::dequantize_aim(server.f[proto::kAim]);
  b->alive = alive;
  b->stunned_until = (server.f[proto::kFlags] & proto::kStunned) ? server_tick + 1 : 0;
  b->module_until = 0;  // a running dash is not predicted: its direction is not on the wire
  tick_ = server_tick;
  synced_ = true;
  for (Pending& p : pending_) {
    step_local(p.cmd);
    p.predicted = position();
  }
  return error;
}

}  // namespace qbot::client
