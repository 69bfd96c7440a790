#include "cookie_connect.h"

namespace qbot::test {

std::uint64_t steady_ms() {
  return static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch())
          .count());
}

std::optional<std::uint32_t> fetch_cookie(net::NetHost& client, const net::Endpoint& server,
                                          const std::function<void()>& pump, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    auto cookie = client.connect_cookie(server, steady_ms());
    if (!cookie) return std::nullopt;
    if (cookie.value()) return *cookie.value();
    if (pump) pump();
    net::NetEvent ev;
    client.service(ev, pump ? 0 : 5);  // the reply is read by the intercept hook inside service()
  }
  return std::nullopt;
}

std::optional<net::PeerRef> connect_with_cookie(net::NetHost& client, const net::Endpoint& server,
                                                std::uint64_t user_data, const std::function<void()>& pump,
                                                std::chrono::milliseconds timeout) {
  const auto cookie = fetch_cookie(client, server, pump, timeout);
  if (!cookie) return std::nullopt;
  auto peer = client.connect(server, user_data, *cookie);
  if (!peer) return std::nullopt;
  return *peer;
}

}  // namespace qbot::test
