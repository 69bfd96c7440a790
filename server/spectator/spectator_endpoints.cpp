#include "server/spectator/spectator_endpoints.h"

#include <algorithm>
#include <charconv>

#include "qbot/spectator/web_assets.h"
#include "server/spectator/json_writer.h"

namespace qbot::server::spectator {

std::optional<std::uint32_t> arena_of_query(std::string_view query) {
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    constexpr std::string_view kKey = "arena=";
    if (!pair.starts_with(kKey)) continue;
    const std::string_view digits = pair.substr(kKey.size());
    std::uint32_t n = 0;
    const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), n);
    if (digits.empty() || r.ec != std::errc{} || r.ptr != digits.data() + digits.size()) return std::nullopt;
    return n;
  }
  return std::nullopt;
}

void SpectatorSocket::on_open(SocketPeer& peer, std::string_view query) {
  const auto arena = arena_of_query(query);
  auto attached = arena ? hub_.attach(peer, *arena)
                        : core::Result<SpectatorHub::Id, std::string>{core::Err{std::string("no ?arena=N given")}};
  if (!attached) {
    JsonWriter w;
    w.open_object();
    w.key("type");
    w.string("refused");
    w.key("reason");
    w.string(attached.error());
    w.close_object();
    peer.send_text(w.text());
    peer.send_close(attached.error());
    return;
  }
  std::lock_guard lock(mutex_);
  ids_[&peer] = attached.value();
}

std::optional<SpectatorHub::Id> SpectatorSocket::id_of(SocketPeer& peer) {
  std::lock_guard lock(mutex_);
  const auto it = ids_.find(&peer);
  if (it == ids_.end()) return std::nullopt;
  return it->second;
}

void SpectatorSocket::on_message(SocketPeer& peer, std::string_view text) {
  if (const auto id = id_of(peer)) hub_.on_message(*id, text);
}

void SpectatorSocket::on_close(SocketPeer& peer) {
  std::optional<SpectatorHub::Id> id;
  {
    std::lock_guard lock(mutex_);
    const auto it = ids_.find(&peer);
    if (it == ids_.end()) return;
    id = it->second;
    ids_.erase(it);
  }
  hub_.detach(*id);
}

int http_threads(std::size_t max_spectators) {
  return kHttpBaseThreads + static_cast<int>(std::min(max_spectators, kMaxSpectatorThreads));
}

core::Result<bool, std::string> serve_spectators(HttpServer& http, SpectatorHub& hub, SpectatorSocket& socket) {
  const auto page = [](const char* type, std::string_view body) {
    return [type, body] { return HttpReply{200, type, std::string(body)}; };
  };
  constexpr const char* kHtml = "text/html; charset=utf-8";
  constexpr const char* kJs = "text/javascript; charset=utf-8";
  http.route("/", page(kHtml, web::kIndexHtml));
  http.route("/watch", page(kHtml, web::kWatchHtml));
  http.route("/view.js", page(kJs, web::kViewJs));
  http.route("/live.js", page(kJs, web::kLiveJs));
  http.route("/style.css", page("text/css; charset=utf-8", web::kStyleCss));
  http.route("/api/arenas", [&hub] { return HttpReply{200, "application/json", hub.arena_list()}; });
  return http.websocket("/ws", socket);
}

}  // namespace qbot::server::spectator
