#include "proto/codec_wire.h"

// The lobby: garage requests and replies, the matchmaking queue, MatchAssigned.
namespace qbot::proto {

namespace codec_detail {

DecodeResult decode_garage_request(const w::GarageRequest& h) {
  GarageRequest m;
  m.request_id = h.request_id();
  if (h.op() > w::GarageOp::MAX) return bad("op");
  m.op = static_cast<GarageOp>(h.op());
  m.bot_id = h.bot_id();
  if (const auto* l = h.loadout()) {
    std::string field;
    if (!decode_loadout(*l, m.loadout.emplace(), field)) return bad(field);
  }
  const bool needs_loadout = m.op == GarageOp::Create || m.op == GarageOp::Update;
  if (needs_loadout && !m.loadout) return bad("loadout");
  if ((m.op == GarageOp::Update || m.op == GarageOp::Delete) && m.bot_id == 0) return bad("bot_id");
  return Message{std::move(m)};
}

DecodeResult decode_garage_reply(const w::GarageReply& h) {
  GarageReply m;
  m.request_id = h.request_id();
  if (h.status() > w::GarageStatus::MAX) return bad("status");
  m.status = static_cast<GarageStatus>(h.status());
  if (!take_string(h.text(), kMaxRejectTextBytes, m.text)) return bad("text");
  if (const auto* bots = h.bots()) {
    if (bots->size() > kMaxGarageBots) return bad("bots");
    for (fb::uoffset_t i = 0; i < bots->size(); ++i) {
      const w::GarageBot* b = bots->Get(i);
      if (b == nullptr) return bad("bots");
      GarageBot out{b->bot_id(), {}, b->matches(), b->wins(), b->kills(), b->deaths()};
      if (const auto* l = b->loadout()) {
        std::string field;
        if (!decode_loadout(*l, out.loadout, field)) return bad("bots." + field);
      }
      m.bots.push_back(std::move(out));
    }
  }
  m.rating = h.rating();
  m.rating_deviation = h.rating_deviation();
  m.rated_matches = h.rated_matches();
  m.bot = h.bot();
  return Message{std::move(m)};
}

DecodeResult decode_queue_request(const w::QueueRequest& h) {
  QueueRequest m;
  if (h.mode() > w::GameMode::MAX) return bad("mode");
  m.mode = static_cast<GameMode>(h.mode());
  // Character sets are the lobby's call (it answers Refused with the reason).
  if (!take_string(h.region(), kMaxRegionBytes, m.region)) return bad("region");
  m.bot_id = h.bot_id();
  if (!take_string(h.party(), kMaxRegionBytes, m.party)) return bad("party");
  m.party_size = h.party_size();
  if (m.party_size < 1 || m.party_size > kMaxPartySize) return bad("party_size");
  return Message{std::move(m)};
}

DecodeResult decode_queue_status(const w::QueueStatus& h) {
  QueueStatus m;
  if (h.state() > w::QueueState::MAX) return bad("state");
  m.state = static_cast<QueueState>(h.state());
  m.position = h.position();
  m.queue_length = h.queue_length();
  m.waited_ms = h.waited_ms();
  m.estimated_wait_ms = h.estimated_wait_ms();
  if (!take_string(h.text(), kMaxRejectTextBytes, m.text)) return bad("text");
  return Message{std::move(m)};
}

DecodeResult decode_match_assigned(const w::MatchAssigned& h) {
  MatchAssigned m;
  if (!take_string(h.host(), kMaxHostBytes, m.host) || m.host.empty()) return bad("host");
  m.port = h.port();
  if (m.port == 0) return bad("port");
  m.match_id = h.match_id();
  if (m.match_id == 0) return bad("match_id");
  if (!take_bytes(h.join_token(), kMaxJoinTokenBytes, m.join_token) || m.join_token.empty()) return bad("join_token");
  if (h.mode() > w::GameMode::MAX) return bad("mode");
  m.mode = static_cast<GameMode>(h.mode());
  m.team = h.team();
  return Message{std::move(m)};
}

}  // namespace codec_detail

std::span<const std::uint8_t> Encoder::encode(const GarageRequest& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto loadout = m.loadout ? impl_->loadout(*m.loadout) : 0;
  return impl_->finish(w::Message::GarageRequest,
                       w::CreateGarageRequest(f, m.request_id, static_cast<w::GarageOp>(m.op), m.bot_id, loadout));
}

std::span<const std::uint8_t> Encoder::encode(const GarageReply& m) {
  auto& f = impl_->fbb;
  f.Clear();
  std::vector<fb::Offset<w::GarageBot>> bots;
  const std::size_t n = std::min(m.bots.size(), kMaxGarageBots);
  bots.reserve(n);
  for (std::size_t i = 0; i < n; ++i) {
    const GarageBot& b = m.bots[i];
    const auto loadout = impl_->loadout(b.loadout);
    bots.push_back(w::CreateGarageBot(f, b.bot_id, loadout, b.matches, b.wins, b.kills, b.deaths));
  }
  const auto vec = f.CreateVector(bots);
  const auto text = m.text.empty() ? 0 : impl_->str(m.text, kMaxRejectTextBytes);
  return impl_->finish(w::Message::GarageReply,
                       w::CreateGarageReply(f, m.request_id, static_cast<w::GarageStatus>(m.status), text, vec,
                                            m.rating, m.rating_deviation, m.rated_matches, m.bot));
}

std::span<const std::uint8_t> Encoder::encode(const QueueRequest& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto region = m.region.empty() ? 0 : impl_->str(m.region, kMaxRegionBytes);
  const auto party = m.party.empty() ? 0 : impl_->str(m.party, kMaxRegionBytes);
  return impl_->finish(w::Message::QueueRequest, w::CreateQueueRequest(f, static_cast<w::GameMode>(m.mode), region,
                                                                       m.bot_id, party, m.party_size));
}

std::span<const std::uint8_t> Encoder::encode(const CancelQueue& m) {
  auto& f = impl_->fbb;
  f.Clear();
  return impl_->finish(w::Message::CancelQueue, w::CreateCancelQueue(f, m.request_id));
}

std::span<const std::uint8_t> Encoder::encode(const QueueStatus& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto text = m.text.empty() ? 0 : impl_->str(m.text, kMaxRejectTextBytes);
  return impl_->finish(w::Message::QueueStatus,
                       w::CreateQueueStatus(f, static_cast<w::QueueState>(m.state), m.position, m.queue_length,
                                            m.waited_ms, m.estimated_wait_ms, text));
}

std::span<const std::uint8_t> Encoder::encode(const MatchAssigned& m) {
  auto& f = impl_->fbb;
  f.Clear();
  const auto host = impl_->str(m.host, kMaxHostBytes);
  const auto token = f.CreateVector(m.join_token.data(), std::min(m.join_token.size(), kMaxJoinTokenBytes));
  return impl_->finish(w::Message::MatchAssigned, w::CreateMatchAssigned(f, host, m.port, m.match_id, token,
                                                                         static_cast<w::GameMode>(m.mode), m.team));
}

}  // namespace qbot::proto
