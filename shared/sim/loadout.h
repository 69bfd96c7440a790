#pragma once
// Turning what a player asks for (part ids by name) into a Loadout the
// simulation can run, or an exact reason why not. Pure, no I/O.
#include <cstdint>
#include <string>

#include "core/result.h"
#include "core/rng.h"
#include "sim/catalog.h"

namespace qbot::sim {

constexpr std::size_t kMaxBotNameBytes = 24;

struct LoadoutRequest {
  std::string name;
  std::string chassis;
  std::string primary;
  std::string secondary;
  std::string module;
  std::uint32_t paint = 0;

  friend bool operator==(const LoadoutRequest&, const LoadoutRequest&) = default;
};

/// Errors read like `unknown chassis "hovercraft"` or
/// `over budget: cost 130 > budget 100`.
core::Result<Loadout, std::string> resolve_loadout(const Catalog& catalog, const LoadoutRequest& request);

/// The functions below expect a checked catalog (content::*_from_binary
/// guarantees 1..255 parts of each kind) and, for loadout_cost, a loadout
/// whose indices come from that catalog (resolve_loadout or the two below).
std::int32_t loadout_cost(const Catalog& catalog, const Loadout& loadout);

/// The cheapest valid loadout (first part on ties): deterministic.
Loadout default_loadout(const Catalog& catalog, std::string name);

/// Uniform random parts, redrawn until within budget (bounded; falls back
/// to default_loadout).
Loadout random_loadout(const Catalog& catalog, core::Rng& rng, std::string name);

}  // namespace qbot::sim
