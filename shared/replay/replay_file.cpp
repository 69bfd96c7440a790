#include "replay/replay_file.h"

#include <flatbuffers/flatbuffers.h>

#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>

#include "qbot/schemas/replay_generated.h"

namespace qbot::replay {
namespace fb = flatbuffers;
namespace r = qbot::qreplay;  // generated from schemas/replay.fbs

static_assert(sizeof(r::RecordedCommand) == 16);

std::vector<std::uint8_t> encode_recording(const Recording& rec) {
  fb::FlatBufferBuilder f(1024 + rec.commands.size() * 16);
  std::vector<fb::Offset<r::RosterChange>> roster;
  roster.reserve(rec.roster.size());
  for (const RosterChange& c : rec.roster) {
    const auto name = f.CreateString(c.name);
    roster.push_back(r::CreateRosterChange(f, c.tick, c.joined, c.bot, c.team, c.player_id, name, c.loadout.chassis,
                                           c.loadout.primary, c.loadout.secondary, c.loadout.module, c.loadout.paint));
  }
  std::vector<r::RecordedCommand> commands;
  commands.reserve(rec.commands.size());
  for (const TickCommand& t : rec.commands) {
    const sim::Command& c = t.command.cmd;
    commands.emplace_back(t.tick, c.view_tick, t.command.bot, c.aim, c.move_x, c.move_y, c.buttons, 0);
  }
  std::vector<r::Checkpoint> checkpoints;
  checkpoints.reserve(rec.checkpoints.size());
  for (const Checkpoint& c : rec.checkpoints) checkpoints.emplace_back(c.tick, c.hash);
  std::vector<fb::Offset<r::ResultRow>> results;
  for (const proto::PlayerResult& p : rec.results) {
    const auto name = f.CreateString(p.name);
    results.push_back(r::CreateResultRow(f, p.player_id, p.entity_id, name, p.team, p.kills, p.deaths, p.damage,
                                         p.score, p.placement));
  }
  const auto server_id = f.CreateString(rec.server_id);
  const auto catalog = f.CreateVector(rec.catalog_binary);
  const auto map = f.CreateVector(rec.map_binary);
  const auto roster_v = f.CreateVector(roster);
  const auto commands_v = f.CreateVectorOfStructs(commands);
  const auto checkpoints_v = f.CreateVectorOfStructs(checkpoints);
  const auto results_v = f.CreateVector(results);
  const sim::Rules& rules = rec.rules;
  f.Finish(r::CreateReplay(f, kFormatVersion, rec.match_id, server_id, static_cast<std::uint8_t>(rec.mode), catalog,
                           map, rules.tick_rate, rules.team_mode, rules.respawn_delay_s, rules.spawn_protection_s,
                           rules.max_rewind_ticks, rules.projectile_radius, rec.seed, rec.start_tick, rec.end_tick,
                           roster_v, commands_v, checkpoints_v, static_cast<std::uint8_t>(rec.end_reason),
                           rec.winner_team, results_v),
           r::ReplayIdentifier());
  return {f.GetBufferPointer(), f.GetBufferPointer() + f.GetSize()};
}

namespace {

using Fail = core::Err<std::string>;
using Step = core::Result<bool, std::string>;

/// Element `i` of a vector of structs, copied out. The Verifier checks such
/// a vector's bounds but not its alignment (a crafted file can place 8-byte
/// Checkpoints at 4 mod 8): reading fields in place would be a misaligned
/// access, memcpy into a local is not.
template <class S>
S struct_at(const fb::Vector<const S*>& v, fb::uoffset_t i) {
  S out;
  std::memcpy(&out, v.Data() + static_cast<std::size_t>(i) * sizeof(S), sizeof(S));
  return out;
}

Step decode_rules(const r::Replay& in, Recording& rec) {
  rec.rules.tick_rate = in.tick_rate();
  rec.rules.team_mode = in.team_mode();
  rec.rules.respawn_delay_s = in.respawn_delay_s();
  rec.rules.spawn_protection_s = in.spawn_protection_s();
  rec.rules.max_rewind_ticks = in.max_rewind_ticks();
  rec.rules.projectile_radius = in.projectile_radius();
  if (rec.rules.tick_rate < 10 || rec.rules.tick_rate > 128) return Fail{"tick_rate: must be 10..128"};
  if (rec.end_tick - rec.start_tick > rec.rules.tick_rate * kMaxRecordedSeconds) {
    return Fail{"end_tick: more than " + std::to_string(kMaxRecordedSeconds) + " s after start_tick"};
  }
  if (rec.rules.max_rewind_ticks >= sim::LagHistory::kCapacity) return Fail{"max_rewind_ticks: too large"};
  if (!(rec.rules.projectile_radius > 0.0f && rec.rules.projectile_radius < 2.0f)) {
    return Fail{"projectile_radius: must be in (0, 2)"};
  }
  if (!(rec.rules.respawn_delay_s >= 0.0f && rec.rules.respawn_delay_s <= 60.0f)) return Fail{"respawn_delay_s"};
  if (!(rec.rules.spawn_protection_s >= 0.0f && rec.rules.spawn_protection_s <= 60.0f)) {
    return Fail{"spawn_protection_s"};
  }
  return true;
}

Step decode_roster(const r::Replay& in, Recording& rec) {
  const auto* roster = in.roster();
  if (roster == nullptr) return true;
  core::Tick prev = 0;
  for (fb::uoffset_t i = 0; i < roster->size(); ++i) {
    const r::RosterChange* c = roster->Get(i);
    const std::string at = "roster[" + std::to_string(i) + "]";
    if (c->tick() < prev || c->tick() < rec.start_tick || c->tick() > rec.end_tick) return Fail{at + ".tick"};
    if (c->bot() == 0 || c->bot() > sim::kMaxBots) return Fail{at + ".bot"};
    prev = c->tick();
    RosterChange out;
    out.tick = c->tick();
    out.joined = c->joined();
    out.bot = c->bot();
    out.team = c->team();
    out.player_id = c->player_id();
    if (c->name() != nullptr) out.name = c->name()->str();
    out.loadout = {out.name, c->chassis(), c->primary(), c->secondary(), c->module_(), c->paint()};
    rec.roster.push_back(std::move(out));
  }
  return true;
}

Step decode_commands(const r::Replay& in, Recording& rec) {
  const auto* cmds = in.commands();
  if (cmds == nullptr) return true;
  rec.commands.reserve(cmds->size());  // verified to fit in the file: at most its size / 16
  core::Tick prev = 0;
  for (fb::uoffset_t i = 0; i < cmds->size(); ++i) {
    const r::RecordedCommand c = struct_at(*cmds, i);
    if (c.tick() < prev || c.tick() <= rec.start_tick || c.tick() > rec.end_tick) {
      return Fail{"commands[" + std::to_string(i) + "].tick"};
    }
    prev = c.tick();
    sim::Command cmd;
    cmd.view_tick = c.view_tick();
    cmd.aim = c.aim();
    cmd.move_x = c.move_x();
    cmd.move_y = c.move_y();
    cmd.buttons = static_cast<std::uint8_t>(c.buttons() & sim::kValidButtons);
    rec.commands.push_back({c.tick(), {c.bot(), cmd}});
  }
  return true;
}

Step decode_checkpoints(const r::Replay& in, Recording& rec) {
  const auto* cps = in.checkpoints();
  if (cps == nullptr) return true;
  core::Tick prev = 0;
  for (fb::uoffset_t i = 0; i < cps->size(); ++i) {
    const r::Checkpoint c = struct_at(*cps, i);
    if (c.tick() <= prev || c.tick() > rec.end_tick) return Fail{"checkpoints[" + std::to_string(i) + "].tick"};
    prev = c.tick();
    rec.checkpoints.push_back({c.tick(), c.hash()});
  }
  return true;
}

Step decode_results(const r::Replay& in, Recording& rec) {
  if (in.end_reason() > 2) return Fail{"end_reason"};
  rec.end_reason = static_cast<proto::EndReason>(in.end_reason());
  rec.winner_team = in.winner_team();
  if (const auto* rows = in.results()) {
    for (fb::uoffset_t i = 0; i < rows->size(); ++i) {
      const r::ResultRow* p = rows->Get(i);
      proto::PlayerResult out{p->player_id(), p->bot(),   p->name() ? p->name()->str() : std::string(),
                              p->team(),      p->kills(), p->deaths(),
                              p->damage(),    p->score(), p->placement()};
      rec.results.push_back(std::move(out));
    }
  }
  return true;
}

/// Everything but the verified header: the match, its content and rules,
/// then the roster, commands, checkpoints and results, each checked.
core::Result<Recording, std::string> decode_verified(const r::Replay& in) {
  Recording rec;
  rec.match_id = in.match_id();
  if (in.server_id() != nullptr) rec.server_id = in.server_id()->str();
  if (in.mode() > 1) return Fail{"mode: unknown game mode " + std::to_string(in.mode())};
  rec.mode = static_cast<proto::GameMode>(in.mode());
  if (in.catalog() == nullptr || in.map() == nullptr) return Fail{"catalog/map: missing"};
  rec.catalog_binary.assign(in.catalog()->begin(), in.catalog()->end());
  rec.map_binary.assign(in.map()->begin(), in.map()->end());
  rec.seed = in.seed();
  rec.start_tick = in.start_tick();
  rec.end_tick = in.end_tick();
  if (rec.end_tick < rec.start_tick) return Fail{"end_tick: before start_tick"};
  for (const auto step : {decode_rules, decode_roster, decode_commands, decode_checkpoints, decode_results}) {
    if (Step ok = step(in, rec); !ok) return Fail{ok.error()};
  }
  return rec;
}

}  // namespace

core::Result<Recording, std::string> decode_recording(std::span<const std::uint8_t> bytes) {
  if (bytes.size() < 8 || !fb::BufferHasIdentifier(bytes.data(), r::ReplayIdentifier())) {
    return Fail{"not a qbot replay (file identifier QRPL missing)"};
  }
  // FlatBuffers reads scalars in place and checks alignment relative to the
  // buffer's start: a buffer at an odd address (a caller's framing) is
  // copied to 8-byte aligned storage first.
  std::vector<std::uint64_t> aligned;
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) != 0) {
    aligned.resize((bytes.size() + sizeof(std::uint64_t) - 1) / sizeof(std::uint64_t));
    std::memcpy(aligned.data(), bytes.data(), bytes.size());
    bytes = {reinterpret_cast<const std::uint8_t*>(aligned.data()), bytes.size()};
  }
  fb::Verifier::Options opts;
  opts.max_depth = 8;
  opts.max_tables = 1u << 22;
  fb::Verifier verifier(bytes.data(), bytes.size(), opts);
  if (!r::VerifyReplayBuffer(verifier)) return Fail{"replay is corrupt (FlatBuffers verification failed)"};
  const r::Replay& in = *r::GetReplay(bytes.data());
  if (in.format_version() != kFormatVersion) {
    return Fail{"replay format " + std::to_string(in.format_version()) + " is not supported (expected " +
                std::to_string(kFormatVersion) + ")"};
  }
  return decode_verified(in);
}

core::Result<bool, std::string> write_file(const std::filesystem::path& path, std::span<const std::uint8_t> bytes) {
  const std::filesystem::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out) return core::Err{"cannot create " + tmp.string()};
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    out.flush();
    if (!out) return core::Err{"cannot write " + tmp.string()};
  }
  std::error_code ec;
  std::filesystem::rename(tmp, path, ec);
  if (ec) return core::Err{"cannot rename " + tmp.string() + ": " + ec.message()};
  return true;
}

core::Result<std::vector<std::uint8_t>, std::string> read_file(const std::filesystem::path& path,
                                                               std::size_t max_bytes) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Err{"cannot open " + path.string()};
  in.seekg(0, std::ios::end);
  const auto size = static_cast<std::size_t>(in.tellg());
  if (size > max_bytes) return core::Err{path.string() + ": larger than " + std::to_string(max_bytes) + " bytes"};
  in.seekg(0);
  std::vector<std::uint8_t> bytes(size);
  in.read(reinterpret_cast<char*>(bytes.data()), static_cast<std::streamsize>(size));
  if (!in) return core::Err{"cannot read " + path.string()};
  return bytes;
}

}  // namespace qbot::replay
