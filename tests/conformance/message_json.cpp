#include "message_json.h"

namespace qbot::conformance {
namespace {

using Json = nlohmann::ordered_json;

Json bytes_json(const std::vector<std::uint8_t>& b) {
  Json out = Json::array();
  for (std::uint8_t v : b) out.push_back(v);
  return out;
}

Json loadout_json(const proto::Loadout& l) {
  return Json{{"name", l.name},           {"chassis", l.chassis}, {"primary", l.primary},
              {"secondary", l.secondary}, {"module", l.module},   {"paint", l.paint}};
}

Json command_json(const sim::Command& c) {
  return Json{{"sequence", c.sequence}, {"view_tick", c.view_tick}, {"aim", c.aim},
              {"move_x", c.move_x},     {"move_y", c.move_y},       {"buttons", c.buttons}};
}

Json body_json(const proto::Hello& m) {
  Json j{{"protocol_version", m.protocol_version},
         {"join_token", bytes_json(m.join_token)},
         {"guest_name", m.guest_name},
         {"client_build", m.client_build}};
  j["loadout"] = m.loadout ? loadout_json(*m.loadout) : Json();
  j["reconnect_token"] = bytes_json(m.reconnect_token);
  j["lobby"] = m.lobby;
  j["account_token"] = bytes_json(m.account_token);
  return j;
}

Json body_json(const proto::Welcome& m) {
  return Json{{"protocol_version", m.protocol_version},
              {"player_id", m.player_id},
              {"arena_id", m.arena_id},
              {"entity_id", m.entity_id},
              {"tick_rate", m.tick_rate},
              {"snapshot_interval", m.snapshot_interval},
              {"server_tick", m.server_tick},
              {"map_name", m.map_name},
              {"server_id", m.server_id},
              {"mode", static_cast<int>(m.mode)},
              {"team", m.team},
              {"catalog_version", m.catalog_version},
              {"reconnect_token", bytes_json(m.reconnect_token)},
              {"reconnected", m.reconnected},
              {"account_id", m.account_id},
              {"account_token", bytes_json(m.account_token)},
              {"lobby", m.lobby},
              {"match_id", m.match_id},
              {"map_hash", m.map_hash}};
}

Json body_json(const proto::Reject& m) { return Json{{"reason", static_cast<int>(m.reason)}, {"text", m.text}}; }

Json body_json(const proto::Input& m) {
  Json cmds = Json::array();
  for (const sim::Command& c : m.view()) cmds.push_back(command_json(c));
  return Json{{"ack_snapshot", m.ack_snapshot}, {"commands", std::move(cmds)}};
}

Json body_json(const proto::Snapshot& m) {
  return Json{{"server_tick", m.server_tick},
              {"data", bytes_json({m.data.begin(), m.data.end()})},
              {"input_queue", m.input_queue},
              {"inputs_dropped", m.inputs_dropped}};
}

Json event_body_json(const proto::PlayerJoined& b) {
  return Json{{"type", "PlayerJoined"}, {"player_id", b.player_id}, {"entity_id", b.entity_id},
              {"name", b.name},         {"team", b.team},           {"loadout", loadout_json(b.loadout)}};
}
Json event_body_json(const proto::PlayerLeft& b) {
  return Json{{"type", "PlayerLeft"}, {"player_id", b.player_id}, {"entity_id", b.entity_id}};
}
Json event_body_json(const proto::PhaseChanged& b) {
  return Json{{"type", "PhaseChanged"},   {"phase", static_cast<int>(b.phase)},
              {"ends_tick", b.ends_tick}, {"match_id", b.match_id},
              {"map_name", b.map_name},   {"map_hash", b.map_hash}};
}
Json event_body_json(const proto::Kill& b) {
  return Json{{"type", "Kill"}, {"killer", b.killer}, {"victim", b.victim}, {"weapon", b.weapon}};
}
Json event_body_json(const proto::MatchEnded& b) {
  Json rows = Json::array();
  for (const proto::PlayerResult& r : b.results) {
    rows.push_back(Json{{"player_id", r.player_id},
                        {"entity_id", r.entity_id},
                        {"name", r.name},
                        {"team", r.team},
                        {"kills", r.kills},
                        {"deaths", r.deaths},
                        {"damage", r.damage},
                        {"score", r.score},
                        {"placement", r.placement},
                        {"account_id", r.account_id}});
  }
  return Json{{"type", "MatchEnded"},
              {"match_id", b.match_id},
              {"reason", static_cast<int>(b.reason)},
              {"winner_team", b.winner_team},
              {"results", std::move(rows)}};
}

Json body_json(const proto::MatchEvent& m) {
  return Json{{"tick", m.tick}, {"body", std::visit([](const auto& b) { return event_body_json(b); }, m.body)}};
}

Json body_json(const proto::GarageRequest& m) {
  return Json{{"request_id", m.request_id},
              {"op", static_cast<int>(m.op)},
              {"bot_id", m.bot_id},
              {"loadout", m.loadout ? loadout_json(*m.loadout) : Json()}};
}

Json body_json(const proto::GarageReply& m) {
  Json bots = Json::array();
  for (const proto::GarageBot& b : m.bots) {
    bots.push_back(Json{{"bot_id", b.bot_id},
                        {"loadout", loadout_json(b.loadout)},
                        {"matches", b.matches},
                        {"wins", b.wins},
                        {"kills", b.kills},
                        {"deaths", b.deaths}});
  }
  return Json{{"request_id", m.request_id},
              {"status", static_cast<int>(m.status)},
              {"text", m.text},
              {"bots", std::move(bots)},
              {"rating", m.rating},
              {"rating_deviation", m.rating_deviation},
              {"rated_matches", m.rated_matches},
              {"bot", m.bot}};
}

Json body_json(const proto::QueueRequest& m) {
  return Json{{"mode", static_cast<int>(m.mode)},
              {"region", m.region},
              {"bot_id", m.bot_id},
              {"party", m.party},
              {"party_size", m.party_size}};
}

Json body_json(const proto::CancelQueue& m) { return Json{{"request_id", m.request_id}}; }

Json body_json(const proto::QueueStatus& m) {
  return Json{{"state", static_cast<int>(m.state)},       {"position", m.position},
              {"queue_length", m.queue_length},           {"waited_ms", m.waited_ms},
              {"estimated_wait_ms", m.estimated_wait_ms}, {"text", m.text}};
}

Json body_json(const proto::MatchAssigned& m) {
  return Json{{"host", m.host},
              {"port", m.port},
              {"match_id", m.match_id},
              {"join_token", bytes_json(m.join_token)},
              {"mode", static_cast<int>(m.mode)},
              {"team", m.team}};
}

}  // namespace

Json message_json(const proto::Message& m) {
  return Json{{"message", std::string(proto::message_name(m))},
              {"fields", std::visit([](const auto& body) { return body_json(body); }, m)}};
}

Json frame_json(const proto::Frame& f) {
  Json entities = Json::array();
  for (const proto::EntityState& e : f.entities) {
    Json j{{"id", e.id}};
    for (std::size_t i = 0; i < proto::kFieldCount; ++i) j[std::string(proto::kFieldSpecs[i].name)] = e.f[i];
    entities.push_back(std::move(j));
  }
  return Json{{"tick", f.tick}, {"last_input", f.last_input}, {"entities", std::move(entities)}};
}

}  // namespace qbot::conformance
