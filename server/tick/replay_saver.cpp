#include "server/tick/replay_saver.h"

#include <spdlog/spdlog.h>

#include <cstdio>
#include <filesystem>
#include <memory>

#include "replay/replay_file.h"

namespace qbot::server {

void save_replay(IoWorker& io, Metrics& metrics, const std::string& dir, const replay::Recording& recording) {
  auto bytes = std::make_shared<std::vector<std::uint8_t>>(replay::encode_recording(recording));
  char name[40];
  std::snprintf(name, sizeof name, "%016llx.qreplay", static_cast<unsigned long long>(recording.match_id));
  const std::filesystem::path path = std::filesystem::path(dir) / name;
  Metrics& m = metrics;
  const bool queued = io.post([bytes, path, &m](Store&) {
    if (auto r = replay::write_file(path, *bytes); !r) {
      m.replay_errors.Increment();
      spdlog::error("replay not written: {}", r.error());
      return;
    }
    m.replays_written.Increment();
    spdlog::info("replay written: {} ({} bytes)", path.string(), bytes->size());
  });
  if (!queued) {
    metrics.replay_errors.Increment();
    spdlog::error("replay {} dropped: side queue full", path.string());
  }
}

}  // namespace qbot::server
