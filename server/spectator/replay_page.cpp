#include "server/spectator/replay_page.h"

#include <algorithm>
#include <map>

#include "content/map_loader.h"
#include "proto/messages.h"
#include "qbot/spectator/web_assets.h"
#include "replay/replayer.h"
#include "server/spectator/spectator_frame.h"

namespace qbot::server::spectator {
namespace {

/// Who is who at the current tick: the roster applied up to it.
class RosterNames {
 public:
  explicit RosterNames(const replay::Recording& rec) : rec_(rec) {}
  void advance(core::Tick tick) {
    for (; next_ < rec_.roster.size() && rec_.roster[next_].tick <= tick; ++next_) {
      const replay::RosterChange& c = rec_.roster[next_];
      if (c.joined) {
        names_[c.bot] = {c.bot, c.name, c.loadout.paint};
      } else {
        names_.erase(c.bot);
      }
    }
    labels_.clear();
    for (const auto& [id, label] : names_) labels_.push_back(label);
  }
  std::string_view name(sim::EntityId id) const {
    const auto it = names_.find(id);
    return it == names_.end() ? std::string_view{"?"} : it->second.name;
  }
  std::span<const BotLabel> labels() const { return labels_; }

 private:
  const replay::Recording& rec_;
  std::size_t next_ = 0;
  std::map<sim::EntityId, BotLabel> names_;
  std::vector<BotLabel> labels_;
};

void write_results(const replay::Recording& rec, JsonWriter& w) {
  w.key("results");
  w.open_array();
  for (const proto::PlayerResult& r : rec.results) {
    w.open_object();
    w.key("placement");
    w.number(r.placement);
    w.key("name");
    w.string(r.name);
    w.key("team");
    w.number(r.team);
    w.key("kills");
    w.number(r.kills);
    w.key("deaths");
    w.number(r.deaths);
    w.key("damage");
    w.number(r.damage);
    w.key("score");
    w.number(r.score);
    w.close_object();
  }
  w.close_array();
}

/// Replaces the one `marker` in `page` by `text`; false if it is missing.
bool fill(std::string& page, std::string_view marker, std::string_view text) {
  const std::size_t at = page.find(marker);
  if (at == std::string::npos) return false;
  page.replace(at, marker.size(), text);
  return true;
}

}  // namespace

core::Result<std::string, std::string> replay_page(const replay::Recording& rec) {
  auto map = content::map_from_binary(rec.map_binary);
  if (!map) return core::Err{"embedded map: " + map.error().message};
  const std::uint32_t every = std::max<std::uint32_t>(1, rec.rules.tick_rate / kReplayFrameRate);
  RosterNames names(rec);
  FrameTrack track;
  JsonWriter frame;
  std::string frames;  // frame texts, comma separated
  const std::string_view mode = proto::game_mode_code(rec.mode);
  auto observe = [&](const sim::World& world, std::span<const sim::Event> events) {
    names.advance(world.tick);
    for (const sim::Event& e : events) {
      if (e.kind != sim::Event::Kind::Kill || e.part >= world.catalog->weapons.size()) continue;
      track.on_kill(world.tick, names.name(e.actor), names.name(e.target), world.catalog->weapons[e.part].id);
    }
    if ((world.tick - rec.start_tick) % every != 0 && world.tick != rec.end_tick) return;
    const FrameScene scene{world, names.labels(), 0, "battle", rec.end_tick, rec.match_id, mode};
    track.write_frame(scene, frame);
    if (!frames.empty()) frames += ',';
    frames += frame.text();
  };
  auto report = replay::verify_recording(rec, observe);
  if (!report) return core::Err{report.error()};

  JsonWriter doc;
  doc.open_object();
  doc.key("match");
  doc.hex(rec.match_id);
  doc.key("server");
  doc.string(rec.server_id);
  doc.key("mode");
  doc.string(mode);
  doc.key("tickRate");
  doc.number(rec.rules.tick_rate);
  doc.key("verified");
  doc.boolean(report.value().ok && report.value().results_match);
  write_results(rec, doc);
  doc.key("map");
  doc.raw(map_message(map.value()));
  doc.key("frames");
  doc.raw("[" + frames + "]");
  doc.close_object();
  const std::string& data = doc.text();

  std::string page(web::kReplayHtml);
  const bool filled = fill(page, "/*QBOT_STYLE*/", web::kStyleCss) && fill(page, "/*QBOT_VIEW_JS*/", web::kViewJs) &&
                      fill(page, "/*QBOT_REPLAY_JS*/", web::kReplayJs) && fill(page, "QBOT_DATA_JSON", data);
  if (!filled) return core::Err{std::string("replay.html lacks one of its markers (a build error)")};
  return page;
}

}  // namespace qbot::server::spectator
