// qbot-replay: inspect and verify battle recordings (.qreplay).
//   qbot-replay info FILE     players, duration, result
//   qbot-replay verify FILE   re-simulate and compare the world hash at every checkpoint
//   qbot-replay html FILE -o match.html   one self-contained page that plays the battle
// Exit codes: 0 ok, 1 verification failed, 2 unreadable file or bad usage.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <string>

#include "content/catalog_loader.h"
#include "content/map_loader.h"
#include "replay/replay_file.h"
#include "replay/replayer.h"
#include "server/spectator/replay_page.h"

namespace {

using qbot::replay::Recording;

constexpr std::size_t kMaxReplayBytes = 512u << 20;

const char* end_reason_name(qbot::proto::EndReason r) {
  switch (r) {
    case qbot::proto::EndReason::TimeLimit: return "time limit";
    case qbot::proto::EndReason::ScoreLimit: return "score limit";
    case qbot::proto::EndReason::NotEnoughPlayers: return "not enough players";
  }
  return "?";
}

int print_info(const Recording& rec) {
  auto catalog = qbot::content::catalog_from_binary(rec.catalog_binary);
  auto map = qbot::content::map_from_binary(rec.map_binary);
  const double seconds = static_cast<double>(rec.end_tick - rec.start_tick) / rec.rules.tick_rate;
  std::printf("match      %016llx (server %s)\n", static_cast<unsigned long long>(rec.match_id), rec.server_id.c_str());
  std::printf("mode       %s\n", std::string(qbot::proto::game_mode_name(rec.mode)).c_str());
  std::printf("map        %s\n", map ? map.value().name.c_str() : ("unreadable: " + map.error().message).c_str());
  if (catalog) {
    std::printf("catalog    v%u identity %016llx\n", catalog.value().version,
                static_cast<unsigned long long>(catalog.value().identity));
  } else {
    std::printf("catalog    unreadable: %s\n", catalog.error().message.c_str());
  }
  std::printf("duration   %.1f s (%u ticks at %u Hz, ticks %u..%u), seed %016llx\n", seconds,
              rec.end_tick - rec.start_tick, rec.rules.tick_rate, rec.start_tick, rec.end_tick,
              static_cast<unsigned long long>(rec.seed));
  std::printf("recorded   %zu commands, %zu roster changes, %zu checkpoints\n", rec.commands.size(), rec.roster.size(),
              rec.checkpoints.size());
  std::printf("players\n");
  for (const auto& c : rec.roster) {
    if (!c.joined) {
      std::printf("  tick %-8u bot %-3u left\n", c.tick, c.bot);
      continue;
    }
    std::string parts = "?";
    if (catalog) {
      const auto& cat = catalog.value();
      const auto& l = c.loadout;
      if (l.chassis < cat.chassis.size() && l.primary < cat.weapons.size() && l.secondary < cat.weapons.size() &&
          l.module < cat.modules.size()) {
        parts = cat.chassis[l.chassis].id + " " + cat.weapons[l.primary].id + "+" + cat.weapons[l.secondary].id + " " +
                cat.modules[l.module].id;
      }
    }
    std::printf("  tick %-8u bot %-3u team %u  %-24s %s  #%06x\n", c.tick, c.bot, c.team, c.name.c_str(), parts.c_str(),
                c.loadout.paint);
  }
  std::printf("result     %s%s\n", end_reason_name(rec.end_reason),
              rec.winner_team != 0 ? (", team " + std::to_string(rec.winner_team) + " wins").c_str() : "");
  std::printf("  %-5s %-24s %4s %6s %6s %7s %6s\n", "place", "name", "team", "kills", "deaths", "damage", "score");
  for (const auto& r : rec.results) {
    std::printf("  %-5u %-24s %4u %6u %6u %7u %6d\n", r.placement, r.name.c_str(), r.team, r.kills, r.deaths, r.damage,
                r.score);
  }
  return 0;
}

int verify(const Recording& rec) {
  auto report = qbot::replay::verify_recording(rec);
  if (!report) {
    std::fprintf(stderr, "cannot replay: %s\n", report.error().c_str());
    return 2;
  }
  const auto& r = report.value();
  if (!r.ok) {
    if (r.first_mismatch != 0) {
      std::printf("MISMATCH at tick %u: recorded hash %016llx, replayed %016llx\n", r.first_mismatch,
                  static_cast<unsigned long long>(r.expected_hash), static_cast<unsigned long long>(r.actual_hash));
    } else {
      std::printf("MISMATCH: %u of %zu checkpoints reached\n", r.checkpoints_checked, rec.checkpoints.size());
    }
    return 1;
  }
  if (!r.results_match) {
    std::printf("MISMATCH: replayed kills/deaths/damage differ from the recorded results\n");
    return 1;
  }
  std::printf("OK: %u ticks re-simulated, %u checkpoints match, results match, final hash %016llx\n", r.ticks,
              r.checkpoints_checked, static_cast<unsigned long long>(r.final_hash));
  return 0;
}

/// Writes the replay page of `rec` to `out_path`; 2 if it cannot be made or written.
int write_html(const Recording& rec, const std::string& out_path) {
  auto page = qbot::server::spectator::replay_page(rec);
  if (!page) {
    std::fprintf(stderr, "cannot replay: %s\n", page.error().c_str());
    return 2;
  }
  std::ofstream out(out_path, std::ios::binary | std::ios::trunc);
  out.write(page.value().data(), static_cast<std::streamsize>(page.value().size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "%s: cannot write\n", out_path.c_str());
    return 2;
  }
  std::printf("wrote %s (%zu bytes)\n", out_path.c_str(), page.value().size());
  return 0;
}

}  // namespace

/// The program; main() only adds the last line of defence around it.
int run_program(int argc, char** argv) {
  CLI::App app{"qbot-replay: inspect and verify qbot-arena battle recordings"};
  app.require_subcommand(1);
  std::string file;
  auto* info = app.add_subcommand("info", "Print players, duration and result");
  info->add_option("file", file, "Replay file (.qreplay)")->required();
  auto* verify_cmd = app.add_subcommand("verify", "Re-simulate and compare the world hash at every checkpoint");
  verify_cmd->add_option("file", file, "Replay file (.qreplay)")->required();
  std::string out_path;
  auto* html = app.add_subcommand("html", "Write one self-contained HTML page that plays the battle");
  html->add_option("file", file, "Replay file (.qreplay)")->required();
  html->add_option("-o,--output", out_path, "The page to write (match.html)")->required();
  CLI11_PARSE(app, argc, argv);

  auto bytes = qbot::replay::read_file(file, kMaxReplayBytes);
  if (!bytes) {
    std::fprintf(stderr, "%s\n", bytes.error().c_str());
    return 2;
  }
  auto rec = qbot::replay::decode_recording(bytes.value());
  if (!rec) {
    std::fprintf(stderr, "%s: %s\n", file.c_str(), rec.error().c_str());
    return 2;
  }
  if (html->parsed()) return write_html(rec.value(), out_path);
  return info->parsed() ? print_info(rec.value()) : verify(rec.value());
}

int main(int argc, char** argv) {
  try {
    return run_program(argc, argv);
  } catch (const std::exception& e) {  // out of memory, a library's exception: say what, do not abort
    std::fprintf(stderr, "qbot-replay: fatal: %s\n", e.what());
    return 1;
  }
}
