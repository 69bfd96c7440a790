#pragma once
// The handshake decision: what a Hello gets, as a pure function of the Hello
// and a read-only view of the server. No I/O, no clock, no randomness: the
// caller carries the decision out (places the player, resumes its bot,
// opens the lobby, checks a join token against the hosted matches, or sends
// the Reject). The order of the checks is part of the protocol
// (docs/PROTOCOL.md, "Handshake"): version first, then shutting down, then
// the kind of Hello (reconnect, matchmade join, lobby, direct guest); while
// the server drains, lobby and guest Hellos are refused with ShuttingDown.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/ids.h"
#include "proto/messages.h"
#include "server/session/session_table.h"
#include "sim/catalog.h"
#include "sim/loadout.h"
#include "token/token.h"

namespace qbot::server {

/// What the server knows when a Hello arrives.
struct HandshakeView {
  const Session& session;          // the session that sent the Hello
  const SessionTable& sessions;    // for reconnect tokens
  const sim::Catalog& catalog;     // for the guest's loadout
  const token::Key& key;           // for account tokens
  bool draining = false;           // shutting down: nobody new
  bool admitting = true;           // false while draining: only joins to hosted matches and reconnects
  std::size_t players = 0;         // players in arenas (orphans included)
  std::size_t lobby_sessions = 0;  // sessions in the lobby
  std::size_t max_clients = 0;
};

namespace handshake {

/// A direct-join guest: plays `loadout` in an arena with room.
struct AdmitGuest {
  std::string name;
  sim::Loadout loadout;
};
/// A reconnect: the session `old` (orphaned or still thought connected) hands its bot over.
struct Resume {
  SessionId old = 0;
};
/// Into the lobby; nullopt account = a new guest account (the caller draws its id).
struct EnterLobby {
  std::optional<AccountId> account;
};
/// A matchmade join: the token still has to be checked against the matches hosted here.
struct JoinMatch {
  std::vector<std::uint8_t> token;
};
/// A second Hello while the first one's match is awaited: nothing to do.
struct Ignore {};
struct Refuse {
  proto::RejectReason reason = proto::RejectReason::BadMessage;
  std::string text;
};

}  // namespace handshake

using HandshakeDecision = std::variant<handshake::AdmitGuest, handshake::Resume, handshake::EnterLobby,
                                       handshake::JoinMatch, handshake::Ignore, handshake::Refuse>;

/// Decides what `hello` gets. Never fails: every refusal is a Refuse with
/// the reason and a text for the client.
HandshakeDecision decide_hello(const proto::Hello& hello, const HandshakeView& view);

}  // namespace qbot::server
