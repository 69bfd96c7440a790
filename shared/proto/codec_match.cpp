#include <array>

#include "proto/codec_wire.h"

// Match traffic: Input and Snapshot (bare tables on channel 1) and MatchEvent.
namespace qbot::proto {

namespace codec_detail {

DecodeResult decode_input(const w::Input& h) {
  Input m;
  m.ack_snapshot = h.ack_snapshot();
  const auto* cmds = h.commands();
  if (cmds == nullptr || cmds->size() == 0) return bad("commands");
  if (cmds->size() > kMaxInputCommands) return bad("commands");
  std::uint32_t prev_seq = 0;
  for (fb::uoffset_t i = 0; i < cmds->size(); ++i) {
    const w::InputCmd* c = cmds->Get(i);  // i < size(): checked above
    sim::Command& out = m.commands[i];
    out.sequence = c->sequence();
    out.view_tick = c->view_tick();
    out.aim = c->aim();
    out.move_x = c->move_x();
    out.move_y = c->move_y();
    out.buttons = c->buttons();
    const std::string at = "commands[" + std::to_string(i) + "]";
    if (out.sequence == 0 || (i > 0 && out.sequence <= prev_seq)) return bad(at + ".sequence");
    if (out.move_x == -128) return bad(at + ".move_x");
    if (out.move_y == -128) return bad(at + ".move_y");
    if ((out.buttons & ~sim::kValidButtons) != 0) return bad(at + ".buttons");
    prev_seq = out.sequence;
  }
  m.count = static_cast<std::uint8_t>(cmds->size());
  return Message{m};
}

DecodeResult decode_snapshot(const w::Snapshot& h) {
  Snapshot m;
  m.server_tick = h.server_tick();
  if (m.server_tick == 0) return bad("server_tick");
  const auto* d = h.data();
  if (d == nullptr || d->size() == 0) return bad("data");
  m.data = {d->data(), d->size()};
  m.input_queue = h.input_queue();
  m.inputs_dropped = h.inputs_dropped();
  return Message{m};
}

DecodeResult decode_match_event(const w::MatchEvent& h) {
  MatchEvent m;
  m.tick = h.tick();
  switch (h.body_type()) {
    case w::MatchEventBody::PlayerJoined: {
      const auto* b = h.body_as_PlayerJoined();
      if (b == nullptr) return bad("body");
      PlayerJoined j;
      j.player_id = b->player_id();
      j.entity_id = b->entity_id();
      j.team = b->team();
      if (!take_string(b->name(), kMaxNameBytes, j.name)) return bad("body.name");
      if (const auto* l = b->loadout()) {
        std::string field;
        if (!decode_loadout(*l, j.loadout, field)) return bad("body." + field);
      }
      m.body = std::move(j);
      break;
    }
    case w::MatchEventBody::PhaseChanged: {
      const auto* b = h.body_as_PhaseChanged();
      if (b == nullptr) return bad("body");
      if (b->phase() > w::MatchPhase::MAX) return bad("body.phase");
      PhaseChanged pc{static_cast<MatchPhase>(b->phase()), b->ends_tick(), b->match_id(), {}};
      if (!take_string(b->map_name(), kMaxNameBytes, pc.map_name)) return bad("body.map_name");
      pc.map_hash = b->map_hash();
      m.body = std::move(pc);
      break;
    }
    case w::MatchEventBody::Kill: {
      const auto* b = h.body_as_Kill();
      if (b == nullptr) return bad("body");
      Kill k{b->killer(), b->victim(), {}};
      if (!take_string(b->weapon(), kMaxPartIdBytes, k.weapon)) return bad("body.weapon");
      m.body = std::move(k);
      break;
    }
    case w::MatchEventBody::MatchEnded: {
      const auto* b = h.body_as_MatchEnded();
      if (b == nullptr) return bad("body");
      if (b->reason() > w::EndReason::MAX) return bad("body.reason");
      MatchEnded e{b->match_id(), static_cast<EndReason>(b->reason()), b->winner_team(), {}};
      if (const auto* rs = b->results()) {
        if (rs->size() > kMaxMatchResults) return bad("body.results");
        for (fb::uoffset_t i = 0; i < rs->size(); ++i) {
          const w::PlayerResult* r = rs->Get(i);
          if (r == nullptr) return bad("body.results");
          PlayerResult pr{r->player_id(), r->entity_id(), {},         r->team(),      r->kills(),
                          r->deaths(),    r->damage(),    r->score(), r->placement(), r->account_id()};
          if (!take_string(r->name(), kMaxNameBytes, pr.name)) return bad("body.results.name");
          e.results.push_back(std::move(pr));
        }
      }
      m.body = std::move(e);
      break;
    }
    case w::MatchEventBody::PlayerLeft: {
      const auto* b = h.body_as_PlayerLeft();
      if (b == nullptr) return bad("body");
      m.body = PlayerLeft{b->player_id(), b->entity_id()};
      break;
    }
    default: return core::Err{DecodeError{DecodeErrorKind::UnknownMessage, "body"}};
  }
  return Message{std::move(m)};
}

}  // namespace codec_detail

std::span<const std::uint8_t> Encoder::encode(const Input& m) {
  auto& f = impl_->fbb;
  f.Clear();
  std::array<w::InputCmd, kMaxInputCommands> cmds;
  const std::size_t n = std::min<std::size_t>(m.count, kMaxInputCommands);
  for (std::size_t i = 0; i < n; ++i) {
    const sim::Command& c = m.commands[i];
    cmds[i] = w::InputCmd(c.sequence, c.view_tick, c.aim, c.move_x, c.move_y, c.buttons);
  }
  const auto vec = f.CreateVectorOfStructs(cmds.data(), n);
  f.Finish(w::CreateInput(f, m.ack_snapshot, vec));
  return {f.GetBufferPointer(), f.GetSize()};
}

std::span<const std::uint8_t> Encoder::encode(const Snapshot& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto data = f.CreateVector(m.data.data(), m.data.size());
  f.Finish(w::CreateSnapshot(f, m.server_tick, data, m.input_queue, m.inputs_dropped));
  return {f.GetBufferPointer(), f.GetSize()};
}

std::span<const std::uint8_t> Encoder::encode(const MatchEvent& m) {
  auto& f = impl_->fbb;
  f.Clear();
  fb::Offset<void> body;
  w::MatchEventBody type = w::MatchEventBody::NONE;
  if (const auto* j = std::get_if<PlayerJoined>(&m.body)) {
    const auto name = impl_->str(j->name, kMaxNameBytes);
    const auto loadout = impl_->loadout(j->loadout);
    body = w::CreatePlayerJoined(f, j->player_id, j->entity_id, name, j->team, loadout).Union();
    type = w::MatchEventBody::PlayerJoined;
  } else if (const auto* l = std::get_if<PlayerLeft>(&m.body)) {
    body = w::CreatePlayerLeft(f, l->player_id, l->entity_id).Union();
    type = w::MatchEventBody::PlayerLeft;
  } else if (const auto* p = std::get_if<PhaseChanged>(&m.body)) {
    const auto map = impl_->str(p->map_name, kMaxNameBytes);
    body = w::CreatePhaseChanged(f, static_cast<w::MatchPhase>(p->phase), p->ends_tick, p->match_id, map, p->map_hash)
               .Union();
    type = w::MatchEventBody::PhaseChanged;
  } else if (const auto* k = std::get_if<Kill>(&m.body)) {
    const auto weapon = impl_->str(k->weapon, kMaxPartIdBytes);
    body = w::CreateKill(f, k->killer, k->victim, weapon).Union();
    type = w::MatchEventBody::Kill;
  } else if (const auto* e = std::get_if<MatchEnded>(&m.body)) {
    std::vector<fb::Offset<w::PlayerResult>> rows;
    const std::size_t n = std::min(e->results.size(), kMaxMatchResults);
    rows.reserve(n);
    for (std::size_t i = 0; i < n; ++i) {
      const PlayerResult& r = e->results[i];
      const auto name = impl_->str(r.name, kMaxNameBytes);
      rows.push_back(w::CreatePlayerResult(f, r.player_id, r.entity_id, name, r.team, r.kills, r.deaths, r.damage,
                                           r.score, r.placement, r.account_id));
    }
    const auto results = f.CreateVector(rows);
    body = w::CreateMatchEnded(f, e->match_id, static_cast<w::EndReason>(e->reason), e->winner_team, results).Union();
    type = w::MatchEventBody::MatchEnded;
  }
  return impl_->finish(w::Message::MatchEvent, w::CreateMatchEvent(f, m.tick, type, body));
}

}  // namespace qbot::proto
