#include "server/matchmaking/fleet_keys.h"

namespace qbot::server {

FleetKeyCheck check_fleet_keys(const RegistryView& registry, const std::string& self_id,
                               const std::string& fingerprint) {
  FleetKeyCheck out;
  auto note = [&out](const std::string& id, const std::string& claimed) {
    if (out.others++ > 0) return;
    out.example = id;
    out.example_fingerprint = claimed;
  };
  for (const ServerInfo& s : registry.live) {
    if (s.id != self_id && s.key_fingerprint != fingerprint) note(s.id, s.key_fingerprint);
  }
  for (const UnverifiedServer& s : registry.unverified) {
    if (s.id == self_id) continue;
    out.unverified += 1;
    note(s.id, s.claimed_fingerprint);
  }
  return out;
}

std::optional<std::string> fleet_key_refusal(const FleetKeyCheck& check, const std::string& fingerprint,
                                             bool random_key) {
  if (check.others == 0) return std::nullopt;
  const std::string ours = random_key ? "this server has no --token-secret and made up a random key"
                                      : "this server's --token-secret differs from theirs";
  const std::string unverified =
      check.unverified == 0
          ? ""
          : "; " + std::to_string(check.unverified) + " of them write registry entries that do not verify with our key";
  const std::string theirs = check.example_fingerprint.empty() ? "none" : check.example_fingerprint;
  return std::to_string(check.others) + " live server(s) in this registry (e.g. '" + check.example + "', fingerprint " +
         theirs + ") sign tokens with another key (our key fingerprint " + fingerprint + unverified + "; " + ours +
         "): players matched across them would be refused with invalid_token. Give every server sharing this "
         "Redis the same --token-secret (QBOT_TOKEN_SECRET, e.g. from a Kubernetes Secret), or give this server its "
         "own --redis-prefix";
}

}  // namespace qbot::server
