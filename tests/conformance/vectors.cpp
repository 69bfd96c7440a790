#include "vectors.h"

#include <algorithm>
#include <bit>
#include <map>
#include <memory>

#include "message_json.h"
#include "proto/codec.h"
#include "proto/snapshot_codec.h"
#include "proto/version.h"
#include "sim/movement.h"
#include "sim_fixture.h"

namespace qbot::conformance {
namespace {

using namespace proto;

// ---------------------------------------------------------------------------
// Messages: one vector per kind (and per MatchEvent body).
// ---------------------------------------------------------------------------
struct MessageCase {
  std::string name;
  Message message;
  Sender sender;
  std::uint8_t channel;
};

Loadout sample_loadout() { return Loadout{"Rusty", "striker", "blaster", "laser", "shield", 0x12ab34}; }

std::vector<MessageCase> handshake_cases() {
  Hello hello;
  hello.protocol_version = kProtocolVersion;
  hello.guest_name = "ada";
  hello.client_build = "conformance";
  hello.loadout = sample_loadout();
  Welcome welcome;
  welcome.protocol_version = kProtocolVersion;
  welcome.player_id = 7;
  welcome.arena_id = 3;
  welcome.entity_id = 2;
  welcome.tick_rate = 60;
  welcome.snapshot_interval = 1;
  welcome.server_tick = 1234;
  welcome.map_name = "foundry";
  welcome.server_id = "srv-1";
  welcome.mode = GameMode::TeamDeathmatch;
  welcome.team = 2;
  welcome.catalog_version = 5;
  welcome.reconnect_token.assign(kReconnectTokenBytes, 0xa5);
  welcome.account_id = 9007199254740991ULL;
  welcome.match_id = 0x1122334455667788ULL;
  welcome.map_hash = 0xcbf29ce484222325ULL;
  Input input;
  input.ack_snapshot = 100;
  input.count = 2;
  input.commands[0] = sim::Command{41, 98, 16384, 127, 0, 1};
  input.commands[1] = sim::Command{42, 99, 65535, -127, 127, 4};
  return {{"message_hello", hello, Sender::Client, 0},
          {"message_welcome", welcome, Sender::Server, 0},
          {"message_reject", Reject{RejectReason::ProtocolMismatch, "server speaks protocol 3, client 2"},
           Sender::Server, 0},
          {"message_input", input, Sender::Client, 1}};
}

// The Snapshot.data of PROTOCOL.md §5.7 example A (a full snapshot, one bot).
constexpr std::uint8_t kExampleSnapshotData[] = {0x20, 0x15, 0x21, 0xe0, 0x01, 0xca, 0x00,
                                                 0x0f, 0x00, 0x07, 0x68, 0xc8, 0x06, 0x00};

std::vector<MessageCase> match_cases() {
  // input_queue and inputs_dropped not 0, so a decoder that skips them fails.
  const Snapshot snapshot{100, kExampleSnapshotData, 2, 7};
  MatchEnded ended{0xfeedULL, EndReason::ScoreLimit, 1, {}};
  ended.results.push_back(PlayerResult{7, 1, "ada", 1, 20, 3, 1800, 20, 1, 42});
  ended.results.push_back(PlayerResult{8, 2, "bob", 2, 3, 20, 400, 3, 2, 0});
  return {{"message_snapshot", snapshot, Sender::Server, 1},
          {"message_event_player_joined", MatchEvent{10, PlayerJoined{7, 1, "Rusty", 1, sample_loadout()}},
           Sender::Server, 0},
          {"message_event_player_left", MatchEvent{11, PlayerLeft{7, 1}}, Sender::Server, 0},
          {"message_event_phase_changed",
           MatchEvent{12, PhaseChanged{MatchPhase::Battle, 18020, 0xfeedULL, "crossfire", 0x0123456789abcdefULL}},
           Sender::Server, 0},
          {"message_event_kill", MatchEvent{13, Kill{1, 2, "laser"}}, Sender::Server, 0},
          {"message_event_match_ended", MatchEvent{14, ended}, Sender::Server, 0}};
}

std::vector<MessageCase> lobby_cases() {
  GarageReply reply{5, GarageStatus::Ok, "", {}, 1612.5, 87.25, 12, 3};
  reply.bots.push_back(GarageBot{3, sample_loadout(), 12, 4, 30, 25});
  MatchAssigned assigned{"127.0.0.1", 7801, 99, {1, 2, 3, 4, 250}, GameMode::FreeForAll, 0};
  return {{"message_garage_request", GarageRequest{5, GarageOp::Create, 0, sample_loadout()}, Sender::Client, 0},
          {"message_garage_reply", reply, Sender::Server, 0},
          {"message_queue_request", QueueRequest{GameMode::TeamDeathmatch, "eu-west", 3, "friends.1", 2},
           Sender::Client, 0},
          {"message_cancel_queue", CancelQueue{6}, Sender::Client, 0},
          {"message_queue_status", QueueStatus{QueueState::Waiting, 2, 5, 1500, 8500, ""}, Sender::Server, 0},
          {"message_match_assigned", assigned, Sender::Server, 0}};
}

Vector message_vector(const MessageCase& c, Encoder& enc) {
  const auto bytes = enc.encode(c.message);
  Vector v{c.name, {bytes.begin(), bytes.end()}, Json()};
  v.description = Json{{"kind", "message"},
                       {"channel", c.channel},
                       {"sender", c.sender == Sender::Client ? "client" : "server"},
                       {"expected", message_json(c.message)}};
  return v;
}

// ---------------------------------------------------------------------------
// Snapshot streams: Snapshot packets (channel 1) in order, each decoded
// against the frame of its baseline tick decoded earlier in the stream.
// ---------------------------------------------------------------------------
struct StreamStep {
  Frame world;              // what the server has at world.tick
  core::Tick baseline = 0;  // 0 = full
  EncodeLimits limits{};
};

EntityState entity(std::uint16_t id, std::initializer_list<std::pair<Field, std::int32_t>> fields) {
  EntityState e;
  e.id = id;
  for (const auto& [f, v] : fields) e.f[f] = v;
  return e;
}

Frame frame(core::Tick tick, std::uint32_t last_input, std::vector<EntityState> entities) {
  return Frame{tick, last_input, std::move(entities)};
}

Vector stream_vector(const std::string& name, const std::string& what, const std::vector<StreamStep>& steps,
                     Encoder& enc) {
  constexpr std::uint32_t kTickRate = 60;
  Vector v{name, {}, Json{{"kind", "snapshot_stream"}, {"what", what}, {"tick_rate", kTickRate}}};
  std::map<core::Tick, Frame> views;
  Json packets = Json::array();
  for (const StreamStep& s : steps) {
    const Frame* base = s.baseline == 0 ? nullptr : &views.at(s.baseline);
    std::vector<std::uint8_t> data;
    Frame view;
    encode_snapshot(base, s.world, kTickRate, s.limits, data, view);
    const auto packet = enc.encode(Snapshot{s.world.tick, data, 1, 0});
    packets.push_back(Json{{"offset", v.bytes.size()},
                           {"length", packet.size()},
                           {"server_tick", s.world.tick},
                           {"baseline_tick", s.baseline},
                           {"expected", frame_json(view)}});
    v.bytes.insert(v.bytes.end(), packet.begin(), packet.end());
    views[s.world.tick] = std::move(view);
  }
  v.description["packets"] = std::move(packets);
  return v;
}

std::vector<Vector> stream_vectors(Encoder& enc) {
  const EntityState bot1 = entity(1, {{kX, 320}, {kY, 64}, {kAim, 1024}, {kVelX, 64}, {kHp, 100}, {kFlags, 1}});
  const EntityState bot2 = entity(2, {{kX, 900}, {kY, 900}, {kHp, 150}, {kFlags, 3}, {kTeam, 2}});
  const EntityState bullet = entity(300, {{kX, 400}, {kY, 70}, {kVelX, 1280}, {kFlags, 1}, {kKind, 1}, {kOwner, 1}});
  auto moved = [](EntityState e, std::int32_t dx, std::int32_t hp) {
    e.f[kX] += dx;
    e.f[kHp] = hp;
    return e;
  };
  std::vector<Vector> out;
  out.push_back(stream_vector("snapshot_full", "one full snapshot: two bots and a bullet",
                              {{frame(100, 42, {bot1, bot2, bullet}), 0, {}}}, enc));
  out.push_back(stream_vector("snapshot_delta_older_baseline",
                              "full at 100, delta 101 vs 100, then 104 vs 100 (an older baseline), 105 vs 104",
                              {{frame(100, 42, {bot1, bot2}), 0, {}},
                               {frame(101, 43, {moved(bot1, 1, 100), bot2}), 100, {}},
                               {frame(104, 46, {moved(bot1, 5, 90), bot2}), 100, {}},
                               {frame(105, 47, {moved(bot1, 6, 80), bot2}), 104, {}}},
                              enc));
  out.push_back(stream_vector("snapshot_interest", "bot 2 and a bullet enter interest at 201, bot 2 leaves at 202",
                              {{frame(200, 1, {bot1}), 0, {}},
                               {frame(201, 2, {bot1, bot2, bullet}), 200, {}},
                               {frame(202, 3, {bot1, bullet}), 201, {}}},
                              enc));
  EncodeLimits reckoning;
  reckoning.position_tolerance = 6;
  reckoning.aim_tolerance = 12;
  reckoning.velocity_tolerance = 16;
  out.push_back(
      stream_vector("snapshot_dead_reckoning",
                    "the bullet (40 m/s) is left out of 301 and 302 (within tolerance): the client extrapolates it",
                    {{frame(300, 1, {bullet}), 0, {}},
                     {frame(301, 2, {moved(bullet, 21, 0)}), 300, reckoning},
                     {frame(302, 3, {moved(bullet, 43, 0)}), 301, reckoning}},
                    enc));
  auto aimed = [](EntityState e, std::int32_t aim) {
    e.f[kAim] = aim;
    return e;
  };
  out.push_back(stream_vector("snapshot_aim_wrap", "aim 4090 -> 5 (d = +11 across 0) -> 4093 (d = -8 across 0)",
                              {{frame(400, 1, {aimed(bot1, 4090)}), 0, {}},
                               {frame(401, 2, {aimed(bot1, 5)}), 400, {}},
                               {frame(402, 3, {aimed(bot1, 4093)}), 401, {}}},
                              enc));
  const EntityState max1 = entity(255, {{kX, 32767},
                                        {kY, -32768},
                                        {kAim, 4095},
                                        {kVelX, 32767},
                                        {kVelY, -32768},
                                        {kHp, 1023},
                                        {kShield, 1023},
                                        {kFlags, 255},
                                        {kKind, 0},
                                        {kTeam, 7}});
  const EntityState max2 =
      entity(65535,
             {{kX, -32768}, {kY, 32767}, {kVelX, -32768}, {kVelY, 32767}, {kFlags, 255}, {kKind, 2}, {kOwner, 255}});
  EntityState min1 = max1;
  min1.f = {};
  min1.f[kX] = -32768;
  min1.f[kY] = 32767;
  out.push_back(stream_vector("snapshot_max_values",
                              "extreme ids, field values and last_input; then a delta swinging every field across "
                              "its whole range",
                              {{frame(0xfffffff0u, 0xffffffffu, {max1, max2}), 0, {}},
                               {frame(0xfffffff1u, 0, {min1, max2}), 0xfffffff0u, {}}},
                              enc));
  return out;
}

// ---------------------------------------------------------------------------
// Movement: a scout (the shipped catalog's values) stepped by the commands
// of one Input packet; collision with the map edge and a wall.
// ---------------------------------------------------------------------------
struct MoveCase {
  std::string name, what;
  sim::Vec2 pos, vel;
  std::vector<sim::Command> commands;
};

Json float_json(float v) { return Json{{"value", static_cast<double>(v)}, {"bits", std::bit_cast<std::uint32_t>(v)}}; }

Json state_json(const sim::Bot& b) {
  return Json{{"x", float_json(b.pos.x)},
              {"y", float_json(b.pos.y)},
              {"vel_x", float_json(b.vel.x)},
              {"vel_y", float_json(b.vel.y)},
              {"aim", float_json(b.aim)}};
}

sim::Catalog movement_catalog() {
  sim::Catalog c = test::test_catalog();
  c.chassis[test::kScout].max_speed = 10.0f;  // the shipped scout
  c.chassis[test::kScout].acceleration = 60.0f;
  c.chassis[test::kScout].turn_rate = 14.0f;
  c.chassis[test::kScout].radius = 0.7f;
  return c;
}

sim::Map movement_map() {
  sim::Map m;
  m.name = "conformance";
  m.width = 50.0f;
  m.height = 30.0f;
  m.walls = {{{10.0f, 0.0f}, {12.0f, 20.0f}}};
  m.spawns = {{{25.0f, 25.0f}, 0}};
  return m;
}

Json map_json(const sim::Map& m) {
  Json walls = Json::array();
  for (const sim::Box& b : m.walls) walls.push_back(Json{b.min.x, b.min.y, b.max.x, b.max.y});
  return Json{{"width", m.width}, {"height", m.height}, {"walls", std::move(walls)}};
}

/// The world a movement vector runs in: the bot at `pos` with `vel`, aim 0.
struct MoveWorld {
  sim::Catalog catalog;
  sim::Map map;
  sim::World world;
  sim::Bot* bot = nullptr;
};

std::unique_ptr<MoveWorld> move_world(sim::Vec2 pos, sim::Vec2 vel) {
  auto w = std::make_unique<MoveWorld>();
  w->catalog = movement_catalog();
  w->map = movement_map();
  w->world = sim::make_world(w->catalog, w->map, sim::Rules{}, 1);
  sim::add_bot(w->world, 1, 0, test::loadout(test::kScout, test::kBlaster, test::kBlaster, test::kShield));
  w->bot = sim::find_bot(w->world, 1);
  w->bot->pos = pos;
  w->bot->vel = vel;
  w->bot->aim = 0.0f;
  return w;
}

Vector movement_vector(const MoveCase& c, Encoder& enc) {
  Input input;
  input.ack_snapshot = 0;
  input.count = static_cast<std::uint8_t>(c.commands.size());
  std::copy(c.commands.begin(), c.commands.end(), input.commands.begin());
  const auto bytes = enc.encode(input);
  auto w = move_world(c.pos, c.vel);
  const sim::ChassisSpec& chassis = w->catalog.chassis[test::kScout];
  Json steps = Json::array();
  for (std::size_t i = 0; i < c.commands.size(); ++i) {
    sim::move_bot(w->world, static_cast<core::Tick>(i + 1), *w->bot, c.commands[i]);
    steps.push_back(state_json(*w->bot));
  }
  auto start = move_world(c.pos, c.vel);
  Json d{{"kind", "movement"},
         {"what", c.what},
         {"tick_rate", 60},
         {"chassis", Json{{"max_speed", chassis.max_speed},
                          {"acceleration", chassis.acceleration},
                          {"turn_rate", chassis.turn_rate},
                          {"radius", chassis.radius}}},
         {"map", map_json(w->map)},
         {"start", state_json(*start->bot)},
         {"expected", std::move(steps)}};
  return Vector{c.name, {bytes.begin(), bytes.end()}, std::move(d)};
}

std::vector<Vector> movement_vectors(Encoder& enc) {
  auto right = [](std::uint32_t n) {
    std::vector<sim::Command> v;
    for (std::uint32_t i = 1; i <= n; ++i) v.push_back(sim::Command{i, 0, 16384, 127, 0, 0});
    return v;
  };
  const std::vector<MoveCase> cases{
      {"movement_open_floor",
       "from rest, stick +x, aim a quarter turn: accelerate 1 m/s per tick, turn 14 rad/s",
       {25.0f, 25.0f},
       {0.0f, 0.0f},
       right(8)},
      {"movement_map_edge",
       "at top speed into the right edge: x stays at width - radius, velocity is kept",
       {49.0f, 25.0f},
       {10.0f, 0.0f},
       right(4)},
      {"movement_wall",
       "at top speed into a wall face, then along it diagonally",
       {9.0f, 5.0f},
       {10.0f, 0.0f},
       {{1, 0, 0, 127, 0, 0},
        {2, 0, 0, 127, 0, 0},
        {3, 0, 0, 127, 0, 0},
        {4, 0, 0, 90, 90, 0},
        {5, 0, 0, 90, 90, 0},
        {6, 0, 0, -127, 0, 0}}},
  };
  std::vector<Vector> out;
  for (const MoveCase& c : cases) out.push_back(movement_vector(c, enc));
  return out;
}

// ---------------------------------------------------------------------------
// Checking
// ---------------------------------------------------------------------------
/// JSON text for a mismatch message: decoded strings of a corrupted vector
/// may not be UTF-8, which a plain dump() would throw on.
std::string shown(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string check_message(const Json& d, std::span<const std::uint8_t> bytes) {
  const Sender sender = d.at("sender") == "client" ? Sender::Client : Sender::Server;
  auto decoded = decode(bytes, sender, d.at("channel").get<std::uint8_t>());
  if (!decoded) return "decode failed: " + decoded.error().describe();
  const Json got = message_json(decoded.value());
  return got == d.at("expected") ? "" : "decoded " + shown(got) + ", expected " + shown(d.at("expected"));
}

std::string check_stream(const Json& d, std::span<const std::uint8_t> bytes) {
  const auto tick_rate = d.at("tick_rate").get<std::uint32_t>();
  std::map<core::Tick, Frame> frames;
  for (const Json& p : d.at("packets")) {
    const auto offset = p.at("offset").get<std::size_t>(), length = p.at("length").get<std::size_t>();
    if (offset + length > bytes.size()) return "packet beyond the file";
    auto decoded = decode(bytes.subspan(offset, length), Sender::Server, 1);
    if (!decoded || !std::holds_alternative<Snapshot>(decoded.value()))
      return "packet at " + std::to_string(offset) + " is no Snapshot";
    const Snapshot& snap = std::get<Snapshot>(decoded.value());
    auto baseline = snapshot_baseline(snap.data, snap.server_tick);
    if (!baseline) return "bad header: " + baseline.error().describe();
    if (baseline.value() != p.at("baseline_tick").get<core::Tick>()) return "wrong baseline tick";
    const auto base = frames.find(baseline.value());
    if (baseline.value() != 0 && base == frames.end()) return "baseline not decoded earlier";
    auto f = decode_snapshot(baseline.value() == 0 ? nullptr : &base->second, snap.data, snap.server_tick, tick_rate);
    if (!f) return "tick " + std::to_string(snap.server_tick) + ": " + f.error().describe();
    const Json got = frame_json(f.value());
    if (got != p.at("expected")) return "decoded " + shown(got) + ", expected " + shown(p.at("expected"));
    frames[snap.server_tick] = std::move(f.value());
  }
  return "";
}

std::string check_movement(const Json& d, std::span<const std::uint8_t> bytes) {
  auto decoded = decode(bytes, Sender::Client, 1);
  if (!decoded || !std::holds_alternative<Input>(decoded.value())) return "the commands do not decode as an Input";
  const Input& input = std::get<Input>(decoded.value());
  const Json& start = d.at("start");
  const auto bits = [](const Json& v) { return std::bit_cast<float>(v.at("bits").get<std::uint32_t>()); };
  auto w = move_world({bits(start.at("x")), bits(start.at("y"))}, {bits(start.at("vel_x")), bits(start.at("vel_y"))});
  const Json& expected = d.at("expected");
  if (expected.size() != input.count) return "one expected state per command";
  for (std::size_t i = 0; i < input.count; ++i) {
    sim::move_bot(w->world, static_cast<core::Tick>(i + 1), *w->bot, input.commands[i]);
    const Json got = state_json(*w->bot);
    if (got != expected[i])
      return "step " + std::to_string(i + 1) + ": " + shown(got) + ", expected " + shown(expected[i]);
  }
  return "";
}

}  // namespace

std::vector<Vector> build_vectors() {
  Encoder enc;
  std::vector<Vector> out;
  for (const auto& cases : {handshake_cases(), match_cases(), lobby_cases()}) {
    for (const MessageCase& c : cases) out.push_back(message_vector(c, enc));
  }
  for (Vector& v : stream_vectors(enc)) out.push_back(std::move(v));
  for (Vector& v : movement_vectors(enc)) out.push_back(std::move(v));
  return out;
}

std::string description_text(const Json& description) { return description.dump(2) + "\n"; }

std::string check_vector(const Json& d, std::span<const std::uint8_t> bytes) {
  const std::string kind = d.at("kind").get<std::string>();
  if (kind == "message") return check_message(d, bytes);
  if (kind == "snapshot_stream") return check_stream(d, bytes);
  if (kind == "movement") return check_movement(d, bytes);
  return "unknown kind " + kind;
}

}  // namespace qbot::conformance
