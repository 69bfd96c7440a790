#include "server/session/handshake.h"

#include "core/text.h"
#include "proto/limits.h"
#include "proto/version.h"

namespace qbot::server {
namespace {

using handshake::Refuse;
using proto::RejectReason;

HandshakeDecision decide_resume(const proto::Hello& hello, const HandshakeView& view) {
  const std::string token(hello.reconnect_token.begin(), hello.reconnect_token.end());
  const Session* old = view.sessions.find_by_reconnect_token(token);
  if (old == nullptr || old->id == view.session.id ||
      (old->state != SessionState::Orphaned && old->state != SessionState::Active)) {
    return Refuse{RejectReason::InvalidToken, "unknown reconnect token or the grace period is over"};
  }
  return handshake::Resume{old->id};
}

HandshakeDecision decide_lobby(const proto::Hello& hello, const HandshakeView& view) {
  std::optional<AccountId> account;
  if (!hello.account_token.empty()) {
    auto claims = token::verify_account(view.key, hello.account_token);
    if (!claims)
      return Refuse{RejectReason::InvalidToken, std::string("account token ") + token::to_string(claims.error())};
    account = claims->account_id;
  }
  if (view.players + view.lobby_sessions >= view.max_clients) return Refuse{RejectReason::ServerFull, "server is full"};
  return handshake::EnterLobby{account};
}

HandshakeDecision decide_guest(const proto::Hello& hello, const HandshakeView& view) {
  if (!core::is_display_text(hello.guest_name, proto::kMaxGuestNameBytes)) {
    return Refuse{RejectReason::InvalidName, "guest_name must be 1..24 printable ASCII characters"};
  }
  sim::Loadout loadout = sim::default_loadout(view.catalog, hello.guest_name);
  if (hello.loadout) {
    auto resolved = sim::resolve_loadout(view.catalog, *hello.loadout);
    if (!resolved) return Refuse{RejectReason::InvalidLoadout, resolved.error()};
    loadout = std::move(resolved.value());
  }
  if (view.players >= view.max_clients) return Refuse{RejectReason::ServerFull, "server is full"};
  return handshake::AdmitGuest{hello.guest_name, std::move(loadout)};
}

}  // namespace

HandshakeDecision decide_hello(const proto::Hello& hello, const HandshakeView& view) {
  if (hello.protocol_version != proto::kProtocolVersion) {
    return Refuse{RejectReason::ProtocolMismatch, "server speaks protocol " + std::to_string(proto::kProtocolVersion) +
                                                      ", client " + std::to_string(hello.protocol_version)};
  }
  if (view.draining) return Refuse{RejectReason::ShuttingDown, "server is shutting down"};
  if (!hello.reconnect_token.empty()) return decide_resume(hello, view);
  if (!view.session.parked_join.empty()) return handshake::Ignore{};
  if (!hello.join_token.empty()) return handshake::JoinMatch{hello.join_token};
  if (!view.admitting) return Refuse{RejectReason::ShuttingDown, "server is shutting down"};
  if (hello.lobby) return decide_lobby(hello, view);
  return decide_guest(hello, view);
}

}  // namespace qbot::server
