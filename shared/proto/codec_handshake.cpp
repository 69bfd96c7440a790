#include "proto/codec_wire.h"

// The handshake: Hello, Welcome, Reject (decoders and encoders).
namespace qbot::proto {

namespace codec_detail {

DecodeResult decode_hello(const w::Hello& h) {
  Hello m;
  m.protocol_version = h.protocol_version();
  if (const auto* t = h.join_token()) {
    if (t->size() > kMaxJoinTokenBytes) return bad("join_token");
    m.join_token.assign(t->begin(), t->end());
  }
  // Name content (printable, non-empty) is judged by the session so that it
  // can answer with InvalidName; here we only bound the size.
  if (!take_string(h.guest_name(), kMaxGuestNameBytes * 4, m.guest_name)) return bad("guest_name");
  if (!take_string(h.client_build(), kMaxClientBuildBytes, m.client_build)) return bad("client_build");
  if (const auto* l = h.loadout()) {
    std::string field;
    if (!decode_loadout(*l, m.loadout.emplace(), field)) return bad(field);
  }
  if (const auto* t = h.reconnect_token()) {
    if (t->size() != kReconnectTokenBytes) return bad("reconnect_token");
    m.reconnect_token.assign(t->begin(), t->end());
  }
  m.lobby = h.lobby();
  if (!take_bytes(h.account_token(), kMaxAccountTokenBytes, m.account_token)) return bad("account_token");
  return Message{std::move(m)};
}

DecodeResult decode_welcome(const w::Welcome& h) {
  Welcome m;
  m.protocol_version = h.protocol_version();
  m.player_id = h.player_id();
  m.arena_id = h.arena_id();
  m.entity_id = h.entity_id();
  m.tick_rate = h.tick_rate();
  m.snapshot_interval = h.snapshot_interval();
  m.server_tick = h.server_tick();
  if (m.tick_rate == 0) return bad("tick_rate");
  if (m.snapshot_interval == 0) return bad("snapshot_interval");
  if (!take_string(h.map_name(), kMaxNameBytes, m.map_name)) return bad("map_name");
  if (!take_string(h.server_id(), kMaxNameBytes * 2, m.server_id)) return bad("server_id");
  if (h.mode() > w::GameMode::MAX) return bad("mode");
  m.mode = static_cast<GameMode>(h.mode());
  m.team = h.team();
  m.catalog_version = h.catalog_version();
  if (const auto* t = h.reconnect_token()) {
    if (t->size() != kReconnectTokenBytes) return bad("reconnect_token");
    m.reconnect_token.assign(t->begin(), t->end());
  }
  m.reconnected = h.reconnected();
  m.account_id = h.account_id();
  if (!take_bytes(h.account_token(), kMaxAccountTokenBytes, m.account_token)) return bad("account_token");
  m.lobby = h.lobby();
  m.match_id = h.match_id();
  m.map_hash = h.map_hash();
  return Message{std::move(m)};
}

DecodeResult decode_reject(const w::Reject& h) {
  Reject m;
  const auto reason = static_cast<std::size_t>(h.reason());
  if (reason >= kRejectReasonCount) return bad("reason");
  m.reason = static_cast<RejectReason>(reason);
  if (!take_string(h.text(), kMaxRejectTextBytes, m.text)) return bad("text");
  return Message{std::move(m)};
}

}  // namespace codec_detail

std::span<const std::uint8_t> Encoder::encode(const Hello& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto token = m.join_token.empty() ? 0 : f.CreateVector(m.join_token);
  const auto name = m.guest_name.empty() ? 0 : f.CreateString(m.guest_name);
  const auto build = m.client_build.empty() ? 0 : impl_->str(m.client_build, kMaxClientBuildBytes);
  const auto loadout = m.loadout ? impl_->loadout(*m.loadout) : 0;
  const auto reconnect = m.reconnect_token.empty() ? 0 : f.CreateVector(m.reconnect_token);
  const auto account = m.account_token.empty() ? 0 : f.CreateVector(m.account_token);
  return impl_->finish(w::Message::Hello,
                       w::CreateHello(f, m.protocol_version, token, name, build, loadout, reconnect, m.lobby, account));
}

std::span<const std::uint8_t> Encoder::encode(const Welcome& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto map = impl_->str(m.map_name, kMaxNameBytes);
  const auto sid = impl_->str(m.server_id, kMaxNameBytes * 2);
  const auto reconnect = m.reconnect_token.empty() ? 0 : f.CreateVector(m.reconnect_token);
  const auto account = m.account_token.empty() ? 0 : f.CreateVector(m.account_token);
  return impl_->finish(w::Message::Welcome,
                       w::CreateWelcome(f, m.protocol_version, m.player_id, m.arena_id, m.entity_id, m.tick_rate,
                                        m.snapshot_interval, m.server_tick, map, sid, static_cast<w::GameMode>(m.mode),
                                        m.team, m.catalog_version, reconnect, m.reconnected, m.account_id, account,
                                        m.lobby, m.match_id, m.map_hash));
}

std::span<const std::uint8_t> Encoder::encode(const Reject& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto text = m.text.empty() ? 0 : impl_->str(m.text, kMaxRejectTextBytes);
  return impl_->finish(w::Message::Reject, w::CreateReject(f, static_cast<w::RejectReason>(m.reason), text));
}

}  // namespace qbot::proto
