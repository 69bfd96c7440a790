#pragma once
// The catalog and maps a server plays with, loaded once at startup from the
// data files named in the config (errors name the file and field).
#include <string>
#include <vector>

#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "core/result.h"
#include "server/arena/match_settings.h"
#include "server/config.h"

namespace qbot::server {

struct GameContent {
  content::CatalogFile catalog;
  std::vector<content::MapFile> maps;  // rotation order (by name), or only --map
};

core::Result<GameContent, std::string> load_game_content(const Config& cfg);

/// Views into `content` for the arenas; `content` must outlive them.
ArenaContent arena_content(const GameContent& content);

}  // namespace qbot::server
