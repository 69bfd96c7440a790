#include "sim/loadout.h"

#include <algorithm>

#include "core/quoted.h"
#include "core/text.h"

namespace qbot::sim {
namespace {

template <class Parts>
PartIndex cheapest(const Parts& parts) {
  std::size_t best = 0;
  for (std::size_t i = 1; i < parts.size(); ++i) {
    if (parts[i].cost < parts[best].cost) best = i;
  }
  return static_cast<PartIndex>(best);
}

/// A requested part id for the reason text: it comes from the client and
/// goes back in a Reject and into logs.
std::string quoted(const std::string& id) { return core::quoted(id, 32); }

}  // namespace

std::int32_t loadout_cost(const Catalog& c, const Loadout& l) {
  return c.chassis[l.chassis].cost + c.weapons[l.primary].cost + c.weapons[l.secondary].cost + c.modules[l.module].cost;
}

core::Result<Loadout, std::string> resolve_loadout(const Catalog& c, const LoadoutRequest& r) {
  using Fail = core::Err<std::string>;
  if (r.name.empty()) return Fail{"bot name is empty"};
  if (r.name.size() > kMaxBotNameBytes) {
    return Fail{"bot name longer than " + std::to_string(kMaxBotNameBytes) + " bytes"};
  }
  if (!core::is_display_text(r.name, kMaxBotNameBytes))
    return Fail{"bot name has characters that are not printable ASCII"};
  if (r.paint > 0xffffffu) return Fail{"paint above 0xFFFFFF"};
  Loadout l;
  l.name = r.name;
  l.paint = r.paint;
  if (auto i = c.find_chassis(r.chassis)) l.chassis = *i;
  else return Fail{"unknown chassis " + quoted(r.chassis)};
  if (auto i = c.find_weapon(r.primary)) l.primary = *i;
  else return Fail{"unknown primary weapon " + quoted(r.primary)};
  if (auto i = c.find_weapon(r.secondary)) l.secondary = *i;
  else return Fail{"unknown secondary weapon " + quoted(r.secondary)};
  if (auto i = c.find_module(r.module)) l.module = *i;
  else return Fail{"unknown module " + quoted(r.module)};
  const std::int32_t cost = loadout_cost(c, l);
  if (cost > c.point_budget) {
    return Fail{"over budget: cost " + std::to_string(cost) + " > budget " + std::to_string(c.point_budget)};
  }
  return l;
}

Loadout default_loadout(const Catalog& c, std::string name) {
  Loadout l;
  l.name = std::move(name);
  l.chassis = cheapest(c.chassis);
  l.primary = cheapest(c.weapons);
  l.secondary = l.primary;
  l.module = cheapest(c.modules);
  return l;
}

Loadout random_loadout(const Catalog& c, core::Rng& rng, std::string name) {
  const auto pick = [&](std::size_t n) { return static_cast<PartIndex>(rng.below(static_cast<std::uint32_t>(n))); };
  for (int attempt = 0; attempt < 64; ++attempt) {
    Loadout l;
    l.chassis = pick(c.chassis.size());
    l.primary = pick(c.weapons.size());
    l.secondary = pick(c.weapons.size());
    l.module = pick(c.modules.size());
    if (loadout_cost(c, l) <= c.point_budget) {
      l.name = std::move(name);
      return l;
    }
  }
  return default_loadout(c, std::move(name));
}

}  // namespace qbot::sim
