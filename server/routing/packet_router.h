#pragma once
// Network events in, to whoever owns them: connects and disconnects to
// Clients; every received packet through the rate limit and the decoder
// (decoding is verification) and then, by the session's state, to the
// handshake, the lobby or the player's input buffer. One handler per kind of
// message, one exit for failure: a Reject with the reason, counted. Runs on
// the tick thread.
#include <chrono>
#include <functional>

#include "net/net_worker.h"
#include "server/arena/arena_directory.h"
#include "server/clients/clients.h"
#include "server/config.h"
#include "server/lobby/lobby.h"
#include "server/matchmade/match_host.h"
#include "server/metrics/metrics.h"

namespace qbot::server {

class PacketRouter {
 public:
  using Nanos = std::chrono::nanoseconds;
  using UnixClock = std::function<std::uint64_t()>;
  using TickCount = std::function<core::Tick()>;

  /// Everything passed in must outlive this object.
  PacketRouter(const Config& cfg, Clients& clients, Lobby& lobby, MatchHost& matches, ArenaDirectory& arenas,
               net::NetWorker& net, Metrics& metrics, const sim::Catalog& catalog, const token::Key& key,
               UnixClock unix_ms, TickCount server_tick);

  void route(net::NetEvent& ev, Nanos now);
  /// Only the disconnects (the shutdown drain waits for them).
  void route_disconnect(const net::NetEvent& ev, Nanos now);
  /// Ticks the loop will run back to back after this batch beyond the
  /// usual one (it fell behind): each player's input buffer may take that
  /// many more commands from this batch (InputBuffer::push).
  void set_catch_up_ticks(std::size_t ticks) { catch_up_ticks_ = ticks; }

 private:
  void on_connect(const net::NetEvent& ev, Nanos now);
  void on_receive(net::NetEvent& ev, Nanos now);
  void on_hello(Session& s, const proto::Hello& hello, Nanos now);
  void on_lobby_message(Session& s, const proto::Message& msg, Nanos now);
  void on_game_message(Session& s, const proto::Message& msg, std::uint8_t channel, Nanos now);
  void on_input(Session& s, const proto::Input& input);
  void on_bad_message(Session& s, const std::string& why, Nanos now);

  std::size_t catch_up_ticks_ = 0;
  const Config& cfg_;
  Clients& clients_;
  Lobby& lobby_;
  MatchHost& matches_;
  ArenaDirectory& arenas_;
  net::NetWorker& net_;
  Metrics& metrics_;
  const sim::Catalog& catalog_;
  const token::Key& key_;
  UnixClock unix_ms_;
  TickCount server_tick_;
};

}  // namespace qbot::server
