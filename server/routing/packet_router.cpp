#include "server/routing/packet_router.h"

#include <spdlog/spdlog.h>

#include "server/session/handshake.h"

namespace qbot::server {
namespace {

using proto::RejectReason;

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;  // clang 14 lacks aggregate deduction

}  // namespace

PacketRouter::PacketRouter(const Config& cfg, Clients& clients, Lobby& lobby, MatchHost& matches,
                           ArenaDirectory& arenas, net::NetWorker& net, Metrics& metrics, const sim::Catalog& catalog,
                           const token::Key& key, UnixClock unix_ms, TickCount server_tick)
    : cfg_(cfg),
      clients_(clients),
      lobby_(lobby),
      matches_(matches),
      arenas_(arenas),
      net_(net),
      metrics_(metrics),
      catalog_(catalog),
      key_(key),
      unix_ms_(std::move(unix_ms)),
      server_tick_(std::move(server_tick)) {}

void PacketRouter::route(net::NetEvent& ev, Nanos now) {
  switch (ev.type) {
    case net::NetEvent::Type::Connect: on_connect(ev, now); break;
    case net::NetEvent::Type::Receive: on_receive(ev, now); break;
    case net::NetEvent::Type::Disconnect: route_disconnect(ev, now); break;
    case net::NetEvent::Type::None: break;
  }
}

void PacketRouter::route_disconnect(const net::NetEvent& ev, Nanos now) {
  // Only peer->data (our session id) is meaningful on a disconnect. A peer
  // the network layer cut for abuse is treated as gone for good.
  const bool quit = ev.data == proto::kDisconnectQuit || ev.cause == net::DisconnectCause::Abuse;
  clients_.disconnected(ev.user_data, quit, now);
}

void PacketRouter::on_connect(const net::NetEvent& ev, Nanos now) {
  metrics_.connections.Increment();
  if (clients_.draining()) {
    net_.disconnect_now(ev.peer, static_cast<std::uint32_t>(RejectReason::ShuttingDown));
    metrics_.reject(RejectReason::ShuttingDown).Increment();
    return;
  }
  // The network layer numbers connections; that number is the session id.
  clients_.connect(ev.user_data, ev.peer, ev.ip, now);
  spdlog::debug("session {}: connected from {}", ev.user_data, ev.address);
}

void PacketRouter::on_receive(net::NetEvent& ev, Nanos now) {
  Session* s = clients_.find(ev.user_data);
  if (s == nullptr || s->state == SessionState::Closing) return;
  const auto bytes = ev.packet.bytes();
  s->bytes_received += bytes.size();

  const std::uint32_t limit = cfg_.packets_per_s_limit();
  if (const PacketVerdict verdict = s->admit_packet(now, limit); verdict != PacketVerdict::Accept) {
    metrics_.rate_limited.Increment();
    if (verdict == PacketVerdict::Kick) {
      clients_.reject(*s, RejectReason::RateLimited, "packet rate over " + std::to_string(limit) + "/s", now);
    }
    return;
  }

  auto decoded = proto::decode(bytes, proto::Sender::Client, ev.channel);
  if (!decoded) {
    metrics_.decode_error(decoded.error().kind).Increment();
    on_bad_message(*s, decoded.error().describe(), now);
    return;
  }
  const proto::Message& msg = decoded.value();
  switch (s->state) {
    case SessionState::AwaitingHello:
      if (const auto* hello = std::get_if<proto::Hello>(&msg); hello != nullptr && ev.channel == net::kControlChannel) {
        on_hello(*s, *hello, now);
      } else {
        clients_.reject(*s, RejectReason::NotWelcomed,
                        "expected Hello on channel 0, got " + std::string(proto::message_name(msg)), now);
      }
      break;
    case SessionState::Lobby: on_lobby_message(*s, msg, now); break;
    case SessionState::Active: on_game_message(*s, msg, ev.channel, now); break;
    case SessionState::Orphaned:
    case SessionState::Closing: break;
  }
}

void PacketRouter::on_hello(Session& s, const proto::Hello& hello, Nanos now) {
  const HandshakeView view{s,
                           clients_.sessions(),
                           catalog_,
                           key_,
                           clients_.draining(),
                           clients_.admitting(),
                           clients_.players(),
                           clients_.lobby_sessions(),
                           cfg_.max_clients,
                           cfg_.connections_per_ip};
  HandshakeDecision decision = decide_hello(hello, view);
  std::visit(Overloaded{
                 [&](handshake::AdmitGuest& admit) {
                   s.name = std::move(admit.name);
                   clients_.place(s, arenas_.admit(), admit.loadout, Seat{}, now);
                 },
                 [&](handshake::Resume& resume) { clients_.resume(s, *clients_.find(resume.old), now); },
                 [&](handshake::EnterLobby& lobby) {
                   const AccountId account = lobby.account ? *lobby.account : token::random_account_id();
                   clients_.enter_lobby(s, account, unix_ms_(), server_tick_());
                 },
                 [&](handshake::JoinMatch& join) { matches_.admit_join(s, join.token, now); },
                 [&](handshake::Ignore&) {},
                 [&](handshake::Refuse& refuse) { clients_.reject(s, refuse.reason, std::move(refuse.text), now); },
             },
             decision);
}

void PacketRouter::on_lobby_message(Session& s, const proto::Message& msg, Nanos now) {
  if (const auto* g = std::get_if<proto::GarageRequest>(&msg)) {
    lobby_.on_garage(s.id, s.account, *g);
  } else if (const auto* q = std::get_if<proto::QueueRequest>(&msg)) {
    lobby_.on_queue(s.id, s.account, *q);
  } else if (std::holds_alternative<proto::CancelQueue>(msg)) {
    lobby_.on_cancel(s.id, s.account);
  } else if (std::holds_alternative<proto::Hello>(msg)) {
    clients_.reject(s, RejectReason::DuplicateHello, "Hello after Welcome", now);
  } else {
    on_bad_message(s, "unexpected " + std::string(proto::message_name(msg)) + " in the lobby", now);
  }
}

void PacketRouter::on_game_message(Session& s, const proto::Message& msg, std::uint8_t channel, Nanos now) {
  if (const auto* input = std::get_if<proto::Input>(&msg); input != nullptr && channel == net::kGameChannel) {
    on_input(s, *input);
  } else if (std::holds_alternative<proto::Hello>(msg)) {
    clients_.reject(s, RejectReason::DuplicateHello, "Hello after Welcome", now);
  } else {
    on_bad_message(s, "unexpected " + std::string(proto::message_name(msg)) + " on channel " + std::to_string(channel),
                   now);
  }
}

void PacketRouter::on_input(Session& s, const proto::Input& input) {
  const Arena* arena = arenas_.find(s.arena);
  // A player who steered its bot has a game to lose: a drop keeps the bot for a reconnect.
  if (arena != nullptr && input.count > 0) s.played = true;
  // An ack from the future is hostile or a bug; ignore it, keep the old one.
  if (arena != nullptr && input.ack_snapshot <= arena->world().tick && input.ack_snapshot > s.acked_snapshot) {
    s.acked_snapshot = input.ack_snapshot;
  }
  const auto r = s.inputs.push(input.view(), catch_up_ticks_);
  if (r.overflow > 0) metrics_.inputs_dropped_burst.Increment(r.overflow);
  if (r.duplicate > 0) metrics_.inputs_dropped_duplicate.Increment(r.duplicate);
  if (r.lost > 0) metrics_.inputs_lost.Increment(r.lost);
}

void PacketRouter::on_bad_message(Session& s, const std::string& why, Nanos now) {
  s.bad_messages += 1;
  spdlog::debug("session {}: bad message: {}", s.id, why);
  // Before the handshake one bad packet is enough; afterwards tolerate a few
  // (a client with a bug should see the reason, not a silent drop).
  if (s.state == SessionState::AwaitingHello || s.bad_messages >= cfg_.max_bad_messages) {
    clients_.reject(s, RejectReason::BadMessage, why, now);
  }
}

}  // namespace qbot::server
