#include "sim/catalog.h"

namespace qbot::sim {
namespace {
template <class Parts>
std::optional<PartIndex> find_part(const Parts& parts, std::string_view id) {
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (parts[i].id == id) return static_cast<PartIndex>(i);
  }
  return std::nullopt;
}
}  // namespace

std::optional<PartIndex> Catalog::find_chassis(std::string_view id) const { return find_part(chassis, id); }
std::optional<PartIndex> Catalog::find_weapon(std::string_view id) const { return find_part(weapons, id); }
std::optional<PartIndex> Catalog::find_module(std::string_view id) const { return find_part(modules, id); }

}  // namespace qbot::sim
