// Fuzz target: the replay reader (shared/replay/replay_file.h) on any file
// bytes: a replay is downloaded, copied and opened by tools, so it is
// hostile. FlatBuffers verification, then every section's own checks; the
// reader must refuse, never crash or read misaligned (UBSan).
#include <cstdint>
#include <span>

#include "fuzz_seeds.h"
#include "replay/replay_file.h"

using namespace qbot;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  (void)replay::decode_recording(std::span<const std::uint8_t>(data, size));
  // The same bytes at an odd address (a caller's framing): copied, not misread.
  if (size > 0 && size < 65536) {
    std::vector<std::uint8_t> shifted(size + 1);
    std::copy(data, data + size, shifted.begin() + 1);
    (void)replay::decode_recording(std::span<const std::uint8_t>(shifted.data() + 1, size));
  }
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  replay::Recording rec;
  rec.match_id = 7;
  rec.server_id = "seed";
  rec.rules.tick_rate = 30;
  rec.start_tick = 10;
  rec.end_tick = 40;
  replay::RosterChange join;
  join.tick = 10;
  join.bot = 1;
  join.name = "bot1";
  rec.roster.push_back(join);
  for (core::Tick t = 11; t < 40; t += 3) {
    replay::TickCommand c;
    c.tick = t;
    c.command.bot = 1;
    c.command.cmd.move_x = 100;
    rec.commands.push_back(c);
    rec.checkpoints.push_back({t, t * 977u});
  }
  return {replay::encode_recording(rec)};
}
