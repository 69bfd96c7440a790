#include "sim/map.h"

namespace qbot::sim {

const Map& default_map() {
  static const Map map = [] {
    Map m;
    m.name = "foundry";
    m.width = 64.0f;
    m.height = 64.0f;
    m.walls = {
        {{14.0f, 14.0f}, {20.0f, 16.0f}}, {{44.0f, 14.0f}, {50.0f, 16.0f}},
        {{14.0f, 48.0f}, {20.0f, 50.0f}}, {{44.0f, 48.0f}, {50.0f, 50.0f}},
        {{30.0f, 26.0f}, {34.0f, 38.0f}},
    };
    m.spawns = {{6, 6},   {58, 58}, {6, 58},  {58, 6},  {32, 6},  {32, 58}, {6, 32},  {58, 32},
                {20, 24}, {44, 40}, {20, 40}, {44, 24}, {24, 10}, {40, 54}, {10, 44}, {54, 20}};
    return m;
  }();
  return map;
}

}  // namespace qbot::sim
