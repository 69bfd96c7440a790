#include "server/matchmaking/fleet_keys.h"

namespace qbot::server {

FleetKeyCheck check_fleet_keys(const std::vector<ServerInfo>& live, const std::string& self_id,
                               const std::string& fingerprint) {
  FleetKeyCheck out;
  for (const ServerInfo& s : live) {
    if (s.id == self_id || s.key_fingerprint == fingerprint) continue;
    if (out.others++ == 0) out.example = s.id;
  }
  return out;
}

std::optional<std::string> fleet_key_refusal(const FleetKeyCheck& check, const std::string& fingerprint,
                                             bool random_key) {
  if (check.others == 0) return std::nullopt;
  const std::string ours = random_key ? "this server has no --token-secret and made up a random key"
                                      : "this server's --token-secret differs from theirs";
  return std::to_string(check.others) + " live server(s) in this registry (e.g. '" + check.example +
         "') sign tokens with another key (our key fingerprint " + fingerprint + "; " + ours +
         "): players matched across them would be refused with invalid_token. Give every server sharing this "
         "Redis the same --token-secret (QBOT_TOKEN_SECRET, e.g. from a Kubernetes Secret), or give this server its "
         "own --redis-prefix";
}

}  // namespace qbot::server
