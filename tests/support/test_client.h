#pragma once
// A synchronous ENet client for tests: connect, send any message or raw
// bytes, wait (with a deadline) for a message or the disconnect. When the
// server runs in the same thread (virtual-time tests), `pump` is called
// between polls to let it make progress.
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>

#include "net/net_host.h"
#include "proto/codec.h"

namespace qbot::test {

class TestClient {
 public:
  using Pump = std::function<void()>;
  explicit TestClient(Pump pump = {}, bool compress = false);

  /// Does the connect-cookie exchange, then connects with the cookie; with
  /// `connect_data` skips the exchange and connects with that data instead
  /// (0 = no cookie, as a client from before cookies does). True once ENet
  /// reports the connection up within `timeout`.
  bool connect(const net::Endpoint& server, std::chrono::milliseconds timeout = std::chrono::seconds(5),
               std::optional<std::uint32_t> connect_data = std::nullopt);
  void send(const proto::Message& m, std::uint8_t channel = net::kControlChannel,
            net::Delivery delivery = net::Delivery::Reliable);
  void send_raw(std::span<const std::uint8_t> bytes, std::uint8_t channel = net::kControlChannel,
                net::Delivery delivery = net::Delivery::Reliable);

  /// Next decodable message (undecodable packets are counted and skipped).
  /// A returned Snapshot's span stays valid until the next receive.
  std::optional<proto::Message> receive(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  template <class T>
  std::optional<T> receive_a(std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto m =
          receive(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()));
      if (!m) return std::nullopt;
      if (auto* t = std::get_if<T>(&*m)) return *t;
    }
    return std::nullopt;
  }
  /// True once the server has disconnected us; `data` gets ENet's reason.
  bool wait_disconnect(std::chrono::milliseconds timeout = std::chrono::seconds(5), std::uint32_t* data = nullptr);
  /// Sends Hello as a guest and waits for Welcome.
  std::optional<proto::Welcome> join(const std::string& name);

  bool connected() const { return connected_; }
  /// Leaves for good (the server frees the slot at once).
  void disconnect();
  /// Vanishes as a crash would look to the server (disconnect without the
  /// quit code): the server keeps the bot for the reconnect grace period.
  void drop();
  std::uint32_t undecodable() const { return undecodable_; }
  net::NetHost& host() { return *host_; }

 private:
  bool poll_once(std::uint32_t wait_ms);

  Pump pump_;
  std::unique_ptr<net::NetHost> host_;
  net::PeerRef peer_;
  proto::Encoder encoder_;
  bool connected_ = false;
  bool disconnected_ = false;
  std::uint32_t disconnect_data_ = 0;
  std::uint32_t undecodable_ = 0;
  net::Packet pending_;  // one received packet not yet returned
  bool has_pending_ = false;
  std::uint8_t pending_channel_ = 0;
  net::Packet current_;  // keeps the last returned Snapshot's bytes alive
};

}  // namespace qbot::test
