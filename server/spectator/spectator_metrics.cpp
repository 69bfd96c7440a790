#include "server/spectator/spectator_metrics.h"

namespace qbot::server::spectator {
namespace {

prometheus::Counter& dropped_family(prometheus::Registry& r, const char* reason) {
  return prometheus::BuildCounter()
      .Name("qbot_spectators_dropped_total")
      .Help(
          "Spectators disconnected by the server, by reason (queue_full: frames waited beyond the per-spectator "
          "queue; no_ack: the page stopped acknowledging frames; silent: nothing heard from the page for 10 s; "
          "send_failed: the socket failed)")
      .Register(r)
      .Add({{"reason", reason}});
}

}  // namespace

SpectatorMetrics::SpectatorMetrics(prometheus::Registry& r)
    : connected(prometheus::BuildGauge()
                    .Name("qbot_spectators_connected")
                    .Help("Spectators receiving frames")
                    .Register(r)
                    .Add({})),
      frames_built(prometheus::BuildCounter()
                       .Name("qbot_spectator_frames_built_total")
                       .Help("Spectator frames built (once per watched arena per spectator tick)")
                       .Register(r)
                       .Add({})),
      frames_sent(prometheus::BuildCounter()
                      .Name("qbot_spectator_messages_sent_total")
                      .Help("Messages written to spectators")
                      .Register(r)
                      .Add({})),
      refused(prometheus::BuildCounter()
                  .Name("qbot_spectators_refused_total")
                  .Help("Spectator connections refused (over --max-spectators or no such arena)")
                  .Register(r)
                  .Add({})),
      dropped_queue_full(dropped_family(r, "queue_full")),
      dropped_no_ack(dropped_family(r, "no_ack")),
      dropped_silent(dropped_family(r, "silent")),
      dropped_send_failed(dropped_family(r, "send_failed")) {}

prometheus::Counter& SpectatorMetrics::dropped(DropReason reason) {
  switch (reason) {
    case DropReason::QueueFull: return dropped_queue_full;
    case DropReason::NoAck: return dropped_no_ack;
    case DropReason::Silent: return dropped_silent;
    case DropReason::SendFailed: break;
  }
  return dropped_send_failed;
}

}  // namespace qbot::server::spectator
