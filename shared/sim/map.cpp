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
    for (Vec2 p : {Vec2{6, 6}, Vec2{58, 58}, Vec2{6, 58}, Vec2{58, 6}, Vec2{32, 6}, Vec2{32, 58}, Vec2{6, 32},
                   Vec2{58, 32}, Vec2{20, 24}, Vec2{44, 40}, Vec2{20, 40}, Vec2{44, 24}, Vec2{24, 10}, Vec2{40, 54},
                   Vec2{10, 44}, Vec2{54, 20}}) {
      m.spawns.push_back({p, 0});
    }
    return m;
  }();
  return map;
}

}  // namespace qbot::sim
