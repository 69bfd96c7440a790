#pragma once
// Whether the servers sharing a registry can verify each other's tokens.
// Every server publishes token::key_fingerprint of its token key in its
// registry entry (never the key). A join token signed by one matchmaker is
// refused (invalid_token) by a server holding another key, so a fleet must
// share one --token-secret: a server that finds live servers with another
// fingerprint at startup refuses to start, and matchmakers only assign
// matches to servers whose fingerprint equals theirs.
#include <optional>
#include <string>
#include <vector>

#include "server/store/store_types.h"

namespace qbot::server {

struct FleetKeyCheck {
  std::size_t others = 0;           // live servers (not us) with another key, unverified entries included
  std::size_t unverified = 0;       // of them: entries whose tag fails our fleet key (RegistryView::unverified)
  std::string example;              // the id of one of them
  std::string example_fingerprint;  // its (claimed) fingerprint, "" if it has none
};

/// Counts the live servers other than `self_id` holding another key than
/// `fingerprint` (a server without a fingerprint counts as another key),
/// and every unverified entry other than `self_id`: with tagged records a
/// server of another key cannot pass the tag, so whatever fingerprint it
/// claims it holds another key (or is a forgery, which must not be matched
/// either and is just as worth refusing over).
FleetKeyCheck check_fleet_keys(const RegistryView& registry, const std::string& self_id,
                               const std::string& fingerprint);

/// The startup refusal: nullopt when every other live server holds our key;
/// else the message naming the fix. `random_key`: this server was given no
/// --token-secret and made one up.
std::optional<std::string> fleet_key_refusal(const FleetKeyCheck& check, const std::string& fingerprint,
                                             bool random_key);

}  // namespace qbot::server
