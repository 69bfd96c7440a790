#include "server/session/parking.h"

namespace qbot::server {
namespace {

constexpr double kShrinkFrom = 0.9;  // share of --max-clients above which the grace shrinks

}  // namespace

const char* parking_refusal_name(ParkingRefusal r) {
  switch (r) {
    case ParkingRefusal::NeverPlayed: return "never_played";
    case ParkingRefusal::PerIp: return "per_ip";
    case ParkingRefusal::PerAccount: return "per_account";
    case ParkingRefusal::Capacity: return "capacity";
  }
  return "?";
}

ParkingDecision decide_parking(const ParkingView& v) {
  if (v.grace_s == 0) return {};
  const Session& s = v.session;
  // Matchmade and lobby players (an account) hold a seat in a match: they have played.
  if (s.account == 0 && !s.played) return {std::chrono::milliseconds(0), ParkingRefusal::NeverPlayed};
  if (v.sessions.parked_from_ip(s.ip) >= v.max_parked_per_ip) {
    return {std::chrono::milliseconds(0), ParkingRefusal::PerIp};
  }
  if (s.account != 0 && v.sessions.parked_of_account(s.account) >= kMaxParkedPerAccount) {
    return {std::chrono::milliseconds(0), ParkingRefusal::PerAccount};
  }
  const std::chrono::milliseconds full(std::uint64_t{v.grace_s} * 1000);
  if (v.max_clients == 0) return {full, std::nullopt};
  const double load = static_cast<double>(v.players) / static_cast<double>(v.max_clients);
  if (load <= kShrinkFrom) return {full, std::nullopt};
  const double share = (1.0 - load) / (1.0 - kShrinkFrom);
  const auto grace = std::chrono::milliseconds(static_cast<std::int64_t>(static_cast<double>(full.count()) * share));
  if (grace.count() <= 0) return {std::chrono::milliseconds(0), ParkingRefusal::Capacity};
  return {grace, std::nullopt};
}

}  // namespace qbot::server
