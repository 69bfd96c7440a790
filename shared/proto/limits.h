#pragma once
// Hard bounds on what we accept from the network. Anything larger is hostile
// by definition and is rejected before it is looked at further.
#include <cstddef>
#include <cstdint>

namespace qbot::proto {

/// Largest packet a client may send (every legitimate one is < 1 KiB).
constexpr std::size_t kMaxClientPacketBytes = 2048;
/// Largest packet a server sends (a full snapshot of a crowded arena).
constexpr std::size_t kMaxServerPacketBytes = 16384;

constexpr std::size_t kMaxGuestNameBytes = 24;
constexpr std::size_t kMaxClientBuildBytes = 64;
constexpr std::size_t kMaxJoinTokenBytes = 256;
constexpr std::size_t kReconnectTokenBytes = 16;
constexpr std::size_t kMaxRejectTextBytes = 120;
constexpr std::size_t kMaxNameBytes = 32;     // names inside server messages
constexpr std::size_t kMaxInputCommands = 8;  // redundancy window per Input
constexpr std::size_t kMaxSnapshotEntities = 1024;
constexpr std::size_t kMaxPartIdBytes = 24;        // catalog ids in a Loadout
constexpr std::size_t kMaxMatchResults = 256;      // players in one MatchEnded
constexpr std::size_t kMaxAccountTokenBytes = 64;  // account tokens are 49 bytes (docs/TOKENS.md)
constexpr std::size_t kMaxRegionBytes = 32;        // matchmaking region / party code
constexpr std::size_t kMaxHostBytes = 253;         // a DNS name or an IP address
constexpr std::size_t kMaxGarageBots = 64;         // bots in one GarageReply (servers cap garages lower)
constexpr std::uint8_t kMaxPartySize = 4;          // players queueing together
constexpr std::size_t kMaxArenaPlayers = 64;       // players in one arena = seats in one match = rows in one result
constexpr std::size_t kMaxServerIdBytes = 64;      // server ids: 1..64 of [A-Za-z0-9._-]

/// FlatBuffers Verifier bounds for client input: our deepest client message
/// is Envelope -> body -> one nested table, so these leave no room for
/// "billion laughs" style buffers.
constexpr std::uint32_t kClientVerifierMaxDepth = 8;
constexpr std::uint32_t kClientVerifierMaxTables = 64;
constexpr std::uint32_t kServerVerifierMaxDepth = 16;
constexpr std::uint32_t kServerVerifierMaxTables = 4096;

}  // namespace qbot::proto
