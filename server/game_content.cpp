#include "server/game_content.h"

#include <algorithm>

namespace qbot::server {

core::Result<GameContent, std::string> load_game_content(const Config& cfg) {
  const std::filesystem::path data = content::default_data_dir();
  const std::filesystem::path catalog_path =
      cfg.catalog.empty() ? data / "catalog.json" : std::filesystem::path(cfg.catalog);
  const std::filesystem::path maps_path = cfg.maps_dir.empty() ? data / "maps" : std::filesystem::path(cfg.maps_dir);

  GameContent out;
  auto catalog = content::load_catalog_file(catalog_path);
  if (!catalog) return core::Err{"--catalog: " + catalog.error().message};
  out.catalog = std::move(catalog.value());

  auto maps = content::load_maps_dir(maps_path);
  if (!maps) return core::Err{"--maps-dir: " + maps.error().message};
  out.maps = std::move(maps.value());
  if (!cfg.map.empty()) {
    std::string known;
    for (const auto& m : out.maps) known += (known.empty() ? "" : ", ") + m.map.name;
    std::erase_if(out.maps, [&](const content::MapFile& m) { return m.map.name != cfg.map; });
    if (out.maps.empty())
      return core::Err{"--map: no map named '" + cfg.map + "' in " + maps_path.string() + " (have: " + known + ")"};
  }
  if (out.maps.empty()) return core::Err{"--maps-dir: no maps in " + maps_path.string()};
  return out;
}

ArenaContent arena_content(const GameContent& content) {
  ArenaContent a;
  a.catalog = &content.catalog.catalog;
  a.catalog_binary = content.catalog.binary;
  for (const content::MapFile& m : content.maps) a.maps.push_back({&m.map, m.binary});
  return a;
}

}  // namespace qbot::server
