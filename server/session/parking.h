#pragma once
// How long a dropped player's bot waits for its player (the reconnect
// grace), as a pure function of the session and the server's counts. The
// grace is a slot held for someone who is not there: it is bounded like a
// live connection is (docs/SECURITY.md, "Parked players").
//  - A guest who never played (no Input with commands since its Welcome)
//    has nothing to come back to: no grace.
//  - At most --max-parked-per-ip parked players per address and one per
//    account: beyond that a drop frees the slot at once.
//  - Near capacity the grace shrinks: full up to 90 % of --max-clients,
//    then linearly down to none at 100 %.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>

#include "server/session/session_table.h"

namespace qbot::server {

/// Parked players one account may hold (an account plays one match at a time).
constexpr std::size_t kMaxParkedPerAccount = 1;

enum class ParkingRefusal : std::uint8_t { NeverPlayed, PerIp, PerAccount, Capacity };
const char* parking_refusal_name(ParkingRefusal r);  // never_played | per_ip | per_account | capacity

struct ParkingView {
  const Session& session;        // the Active session whose peer just dropped
  const SessionTable& sessions;  // parked counts per address and account
  std::size_t players = 0;       // players in arenas, parked ones and this one included
  std::size_t max_clients = 0;
  std::uint32_t grace_s = 0;  // --reconnect-grace
  std::size_t max_parked_per_ip = 0;
};

struct ParkingDecision {
  std::chrono::milliseconds grace{0};     // 0 = remove the bot now
  std::optional<ParkingRefusal> refused;  // why there is no grace (none if --reconnect-grace is 0)
};

/// Never fails. A refusal comes with grace 0.
ParkingDecision decide_parking(const ParkingView& view);

}  // namespace qbot::server
