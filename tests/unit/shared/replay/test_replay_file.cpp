// .qreplay decoding on damaged and hostile files: every truncation, a bit
// flipped at every offset, a wrong identifier or format version, vectors
// that claim more elements than the file holds, a buffer at an odd address
// and a struct vector the Verifier lets through misaligned. Each is refused
// with an error (or, where the damage leaves a valid file, decodes to a
// recording the replayer handles): never a crash or undefined behaviour
// (run under QBOT_SANITIZE for the latter).
#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "qbot/schemas/replay_generated.h"
#include "replay/replay_file.h"
#include "replay/replayer.h"
#include "sim/step.h"
#include "sim/world_hash.h"
#include "sim_fixture.h"

using namespace qbot::replay;
namespace sim = qbot::sim;
namespace fb = flatbuffers;
namespace r = qbot::qreplay;

namespace {

/// A real 90-tick match of two bots, recorded as the server records one.
Recording small_match() {
  const sim::Catalog catalog = qbot::test::test_catalog();
  const sim::Map map = qbot::test::test_map();
  Recording rec;
  rec.match_id = 0x1234;
  rec.server_id = "test-1";
  rec.catalog_binary = qbot::content::catalog_to_binary(catalog);
  rec.map_binary = qbot::content::map_to_binary(map);
  rec.rules.tick_rate = 30;
  rec.seed = 99;
  rec.start_tick = 10;
  rec.end_tick = 100;
  sim::World world = sim::make_world(catalog, map, rec.rules, rec.seed);
  world.tick = rec.start_tick;
  for (const sim::EntityId bot : {sim::EntityId{1}, sim::EntityId{2}}) {
    RosterChange join;
    join.tick = rec.start_tick;
    join.bot = bot;
    join.team = 0;
    join.name = "bot" + std::to_string(bot);
    join.loadout = qbot::test::loadout(qbot::test::kScout, qbot::test::kBlaster, qbot::test::kLaser, qbot::test::kDash);
    EXPECT_TRUE(sim::add_bot(world, join.bot, join.team, join.loadout));
    rec.roster.push_back(join);
  }
  while (world.tick < rec.end_tick) {
    std::vector<sim::BotCommand> commands;
    for (const sim::EntityId bot : {sim::EntityId{1}, sim::EntityId{2}}) {
      sim::Command c;
      c.move_x = bot == 1 ? 127 : -127;
      c.move_y = static_cast<std::int8_t>(world.tick % 50);
      c.aim = static_cast<std::uint16_t>(world.tick * 700u);
      c.buttons = world.tick % 3 == 0 ? sim::kFirePrimary : 0;
      commands.push_back({bot, c});
      rec.commands.push_back({world.tick + 1, {bot, c}});
    }
    sim::step(world, commands);
    if (world.tick % 30 == 0 || world.tick == rec.end_tick)
      rec.checkpoints.push_back({world.tick, sim::world_hash(world)});
  }
  for (const sim::Bot& b : world.bots) {
    rec.results.push_back({b.id, b.id, "bot" + std::to_string(b.id), b.team, b.kills, b.deaths,
                           static_cast<std::uint32_t>(b.damage_dealt), b.score, static_cast<std::uint8_t>(b.id), 0});
  }
  return rec;
}

const std::vector<std::uint8_t>& good_file() {
  static const std::vector<std::uint8_t> bytes = encode_recording(small_match());
  return bytes;
}

/// Offset of a vector's length field inside `bytes`.
std::size_t offset_of(const std::vector<std::uint8_t>& bytes, const void* vector) {
  return static_cast<std::size_t>(static_cast<const std::uint8_t*>(vector) - bytes.data());
}

void put_u32(std::vector<std::uint8_t>& bytes, std::size_t at, std::uint32_t v) { std::memcpy(&bytes[at], &v, 4); }

void expect_same(const Recording& a, const Recording& b) {
  EXPECT_EQ(a.match_id, b.match_id);
  EXPECT_EQ(a.server_id, b.server_id);
  EXPECT_EQ(a.catalog_binary, b.catalog_binary);
  EXPECT_EQ(a.map_binary, b.map_binary);
  EXPECT_EQ(a.seed, b.seed);
  EXPECT_EQ(a.start_tick, b.start_tick);
  EXPECT_EQ(a.end_tick, b.end_tick);
  ASSERT_EQ(a.commands.size(), b.commands.size());
  for (std::size_t i = 0; i < a.commands.size(); ++i) {
    EXPECT_EQ(a.commands[i].tick, b.commands[i].tick);
    EXPECT_EQ(a.commands[i].command.bot, b.commands[i].command.bot);
    EXPECT_EQ(a.commands[i].command.cmd.aim, b.commands[i].command.cmd.aim);
  }
  ASSERT_EQ(a.checkpoints.size(), b.checkpoints.size());
  for (std::size_t i = 0; i < a.checkpoints.size(); ++i) {
    EXPECT_EQ(a.checkpoints[i].tick, b.checkpoints[i].tick);
    EXPECT_EQ(a.checkpoints[i].hash, b.checkpoints[i].hash);
  }
  EXPECT_EQ(a.results, b.results);
}

}  // namespace

TEST(ReplayFile, ARecordedMatchRoundTripsAndVerifies) {
  const Recording rec = small_match();
  auto back = decode_recording(good_file());
  ASSERT_TRUE(back.ok()) << back.error();
  expect_same(rec, back.value());
  auto report = verify_recording(back.value());
  ASSERT_TRUE(report.ok()) << report.error();
  EXPECT_TRUE(report->ok);
  EXPECT_TRUE(report->results_match);
  EXPECT_EQ(report->checkpoints_checked, 4u);
}

TEST(ReplayFile, EveryTruncationIsRefusedUnlessItCutsOnlyPadding) {
  const auto& good = good_file();
  std::size_t still_whole = 0;
  for (std::size_t len = 0; len < good.size(); ++len) {
    const std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<std::ptrdiff_t>(len));
    auto rec = decode_recording(cut);
    if (rec.ok()) {
      // The builder pads the last object it wrote: cutting that padding
      // loses nothing, and the recording must be the whole one.
      expect_same(small_match(), rec.value());
      still_whole += 1;
      continue;
    }
    EXPECT_FALSE(rec.error().empty());
  }
  EXPECT_LT(still_whole, 8u) << "at most the alignment padding";
}

TEST(ReplayFile, AFlippedBitAnywhereIsRefusedOrStillAReplayableFile) {
  const auto& good = good_file();
  std::size_t refused = 0;
  for (std::size_t at = 0; at < good.size(); ++at) {
    std::vector<std::uint8_t> bad = good;
    bad[at] ^= static_cast<std::uint8_t>(1u << (at % 8));
    auto rec = decode_recording(bad);
    if (!rec.ok()) {
      EXPECT_FALSE(rec.error().empty());
      refused += 1;
      continue;
    }
    // The flip hit a value (a hash, a position in a name...): the replayer
    // must cope with whatever that recording says.
    auto report = verify_recording(rec.value());
    if (report.ok()) {
      EXPECT_LE(report->checkpoints_checked, rec->checkpoints.size());
    }
  }
  EXPECT_GT(refused, good.size() / 20) << "structure damage is caught";
  for (std::size_t at = 0; at < 8; ++at) {  // root offset and file identifier
    std::vector<std::uint8_t> bad = good;
    bad[at] ^= 0x40;
    EXPECT_FALSE(decode_recording(bad).ok()) << "header byte " << at;
  }
}

TEST(ReplayFile, AWrongIdentifierIsRefusedByName) {
  std::vector<std::uint8_t> bad = good_file();
  std::memcpy(&bad[4], "QRPX", 4);
  auto rec = decode_recording(bad);
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.error(), "not a qbot replay (file identifier QRPL missing)");
  EXPECT_FALSE(decode_recording(std::vector<std::uint8_t>{}).ok());
  EXPECT_FALSE(decode_recording(std::vector<std::uint8_t>(7, 0)).ok());
}

TEST(ReplayFile, AnotherFormatVersionIsRefusedByName) {
  fb::FlatBufferBuilder f;
  f.Finish(r::CreateReplay(f, kFormatVersion + 1), r::ReplayIdentifier());
  const std::vector<std::uint8_t> bytes(f.GetBufferPointer(), f.GetBufferPointer() + f.GetSize());
  auto rec = decode_recording(bytes);
  ASSERT_FALSE(rec.ok());
  EXPECT_EQ(rec.error(), "replay format 2 is not supported (expected 1)");
}

TEST(ReplayFile, VectorsClaimingMoreElementsThanTheFileHoldsAreRefused) {
  const auto& good = good_file();
  const r::Replay& root = *r::GetReplay(good.data());
  for (const void* vec : {static_cast<const void*>(root.commands()), static_cast<const void*>(root.checkpoints()),
                          static_cast<const void*>(root.roster()), static_cast<const void*>(root.catalog())}) {
    for (std::uint32_t claim : {0x7fffffffu, 0xffffffffu, 0x00100000u}) {
      std::vector<std::uint8_t> bad = good;
      put_u32(bad, offset_of(good, vec), claim);
      auto rec = decode_recording(bad);
      ASSERT_FALSE(rec.ok()) << "claim " << claim << " at " << offset_of(good, vec);
      EXPECT_EQ(rec.error(), "replay is corrupt (FlatBuffers verification failed)");
    }
  }
}

TEST(ReplayFile, ABattleLongerThanTheLimitIsRefusedBeforeAnyReplay) {
  Recording rec = small_match();
  rec.end_tick = rec.start_tick + rec.rules.tick_rate * kMaxRecordedSeconds + 1;
  auto bad = decode_recording(encode_recording(rec));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "end_tick: more than 14400 s after start_tick");
  rec.end_tick -= 1;
  rec.checkpoints.back().tick = rec.end_tick;
  EXPECT_TRUE(decode_recording(encode_recording(rec)).ok()) << "the limit itself is allowed";
}

TEST(ReplayFile, OutOfOrderTicksAreRefusedNamingTheField) {
  Recording rec = small_match();
  ASSERT_GT(rec.commands.size(), 50u);
  rec.commands[50].tick = rec.commands[49].tick - 1;
  auto bad = decode_recording(encode_recording(rec));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "commands[50].tick");
  rec = small_match();
  rec.checkpoints[1].tick = rec.checkpoints[0].tick;
  bad = decode_recording(encode_recording(rec));
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error(), "checkpoints[1].tick");
}

TEST(ReplayFile, ABufferAtAnOddAddressDecodesTheSame) {
  const auto& good = good_file();
  for (std::size_t shift : {1u, 2u, 3u, 4u, 5u}) {
    std::vector<std::uint8_t> storage(good.size() + shift);
    std::memcpy(storage.data() + shift, good.data(), good.size());
    auto rec = decode_recording(std::span<const std::uint8_t>(storage.data() + shift, good.size()));
    ASSERT_TRUE(rec.ok()) << "shift " << shift << ": " << rec.error();
    expect_same(small_match(), rec.value());
  }
}

TEST(ReplayFile, AMisalignedCheckpointVectorIsReadWithoutAMisalignedAccess) {
  // The builder always aligns struct vectors; a hostile file need not. Build
  // the 8-byte Checkpoints with 4-byte alignment only, and shift them by 4
  // with a longer server_id written after them: one of the two layouts puts
  // them at 4 mod 8, and the Verifier accepts both.
  const Recording rec = small_match();
  bool made_misaligned = false;
  for (const char* server_id : {"abc", "abcdefg"}) {
    fb::FlatBufferBuilder f;
    const auto catalog = f.CreateVector(rec.catalog_binary);
    const auto map = f.CreateVector(rec.map_binary);
    f.StartVector(rec.checkpoints.size() * sizeof(r::Checkpoint) / 4, 4);
    for (auto it = rec.checkpoints.rbegin(); it != rec.checkpoints.rend(); ++it) {  // built back to front
      const r::Checkpoint c(it->tick, it->hash);
      f.PushBytes(reinterpret_cast<const std::uint8_t*>(&c), sizeof c);
    }
    const fb::Offset<fb::Vector<const r::Checkpoint*>> checkpoints(f.EndVector(rec.checkpoints.size()));
    const auto sid = f.CreateString(server_id);
    r::ReplayBuilder b(f);
    b.add_format_version(kFormatVersion);
    b.add_server_id(sid);
    b.add_catalog(catalog);
    b.add_map(map);
    b.add_tick_rate(30);
    b.add_projectile_radius(0.15f);
    b.add_respawn_delay_s(2.0f);
    b.add_spawn_protection_s(1.5f);
    b.add_start_tick(rec.start_tick);
    b.add_end_tick(rec.end_tick);
    b.add_checkpoints(checkpoints);
    f.Finish(b.Finish(), r::ReplayIdentifier());
    std::vector<std::uint64_t> aligned((f.GetSize() + 7) / 8);
    std::memcpy(aligned.data(), f.GetBufferPointer(), f.GetSize());
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(aligned.data()), f.GetSize());
    const auto* vec = r::GetReplay(bytes.data())->checkpoints();
    ASSERT_NE(vec, nullptr);
    made_misaligned = made_misaligned || reinterpret_cast<std::uintptr_t>(vec->Data()) % 8 != 0;
    auto decoded = decode_recording(bytes);
    ASSERT_TRUE(decoded.ok()) << server_id << ": " << decoded.error();
    ASSERT_EQ(decoded->checkpoints.size(), rec.checkpoints.size());
    for (std::size_t i = 0; i < rec.checkpoints.size(); ++i) {
      EXPECT_EQ(decoded->checkpoints[i].tick, rec.checkpoints[i].tick);
      EXPECT_EQ(decoded->checkpoints[i].hash, rec.checkpoints[i].hash);
    }
  }
  EXPECT_TRUE(made_misaligned) << "one of the two layouts puts the vector at 4 mod 8";
}
