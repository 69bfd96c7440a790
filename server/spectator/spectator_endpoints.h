#pragma once
// The spectator's HTTP surface, on the server's HTTP port (HttpServer):
//   GET /             the arena list page (index.html)
//   GET /watch        the live view page (?arena=N)
//   GET /view.js, /live.js, /style.css   the page's code, embedded at build time
//   GET /api/arenas   the arena list as JSON (map, mode, phase, players, scores)
//   WS  /ws?arena=N   the arena's frames (README.md: the wire format)
// A refused WebSocket gets {"type":"refused","reason":...} and a close frame
// with the same reason, so the page can say why.
#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "server/http/http_server.h"
#include "server/http/websocket_endpoint.h"
#include "server/spectator/spectator_hub.h"

namespace qbot::server::spectator {

/// The arena number of a query string "arena=N" (other keys ignored);
/// nullopt if absent, not a number, or beyond 32 bits.
std::optional<std::uint32_t> arena_of_query(std::string_view query);

/// The WebSocket endpoint: one hub spectator per connection.
class SpectatorSocket final : public WebSocketEndpoint {
 public:
  explicit SpectatorSocket(SpectatorHub& hub) : hub_(hub) {}
  void on_open(SocketPeer& peer, std::string_view query) override;
  void on_message(SocketPeer& peer, std::string_view text) override;
  void on_close(SocketPeer& peer) override;

 private:
  std::optional<SpectatorHub::Id> id_of(SocketPeer& peer);
  SpectatorHub& hub_;
  std::mutex mutex_;
  std::map<SocketPeer*, SpectatorHub::Id> ids_;
};

/// The HTTP port's threads for scrapes, probes, pages and WebSockets still
/// closing: a refused or dropped spectator holds one for at most the close
/// grace (HttpListen::close_grace) after its close frame.
inline constexpr int kHttpBaseThreads = 8;
/// More spectators than this never get a thread each (the option's range is smaller).
inline constexpr std::size_t kMaxSpectatorThreads = 1000;
/// civetweb's thread count for `max_spectators` (0: spectating off): the
/// base plus one per spectator, as an open WebSocket holds its thread for
/// its lifetime, so watching spectators never take the probes' threads.
int http_threads(std::size_t max_spectators);

/// Routes the pages, the arena list and the WebSocket onto `http`.
/// `socket` and `hub` must outlive `http`. Fails (the pages routed, the
/// WebSocket not) when `http` cannot serve WebSockets.
core::Result<bool, std::string> serve_spectators(HttpServer& http, SpectatorHub& hub, SpectatorSocket& socket);

}  // namespace qbot::server::spectator
