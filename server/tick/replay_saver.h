#pragma once
// A finished battle's recording, to a `.qreplay` file in --record-dir.
// Encoding is cheap and happens here, on the tick thread; the disk write
// goes to the IoWorker so a slow disk never stalls the tick. Failures (disk
// full, queue full) are logged and counted in qbot_replay_errors_total;
// they never affect the game.
#include <string>

#include "replay/recording.h"
#include "server/io/io_worker.h"
#include "server/metrics/metrics.h"

namespace qbot::server {

void save_replay(IoWorker& io, Metrics& metrics, const std::string& dir, const replay::Recording& recording);

}  // namespace qbot::server
