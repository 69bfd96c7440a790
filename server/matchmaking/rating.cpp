#include "server/matchmaking/rating.h"
// TEMPORARY STUB (being implemented)
namespace qbot::server {
std::vector<Rating> rate_match(std::span<const RatedPlayer> players) {
  std::vector<Rating> out;
  for (auto& p : players) out.push_back(p.before);
  return out;
}
}  // namespace qbot::server
