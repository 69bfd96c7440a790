#include "test_client.h"

#include <stdexcept>

#include "cookie_connect.h"
#include "proto/version.h"

namespace qbot::test {

TestClient::TestClient(Pump pump, bool compress) : pump_(std::move(pump)) {
  net::HostConfig hc;
  hc.max_peers = 1;
  hc.compress = compress;
  auto h = net::NetHost::create(hc);
  if (!h) throw std::runtime_error(h.error());
  host_ = std::move(h.value());
}

bool TestClient::poll_once(std::uint32_t wait_ms) {
  if (pump_) pump_();
  net::NetEvent ev;
  if (!host_->service(ev, pump_ ? 0 : wait_ms)) return false;
  switch (ev.type) {
    case net::NetEvent::Type::Connect: connected_ = true; break;
    case net::NetEvent::Type::Disconnect:
      connected_ = false;
      disconnected_ = true;
      disconnect_data_ = ev.data;
      break;
    case net::NetEvent::Type::Receive:
      pending_ = std::move(ev.packet);
      pending_channel_ = ev.channel;
      has_pending_ = true;
      break;
    case net::NetEvent::Type::None: break;
  }
  return true;
}

bool TestClient::connect(const net::Endpoint& server, std::chrono::milliseconds timeout,
                         std::optional<std::uint32_t> connect_data) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  if (!connect_data) connect_data = fetch_cookie(*host_, server, pump_, timeout);
  if (!connect_data) return false;
  auto p = host_->connect(server, 1, *connect_data);
  if (!p) return false;
  peer_ = *p;
  while (!connected_ && !disconnected_ && std::chrono::steady_clock::now() < deadline) poll_once(5);
  // ENet returns the Connect event before sending its ACK of the server's
  // VERIFY_CONNECT; flush so the server sees the connection even if this
  // client is not serviced again (e.g. a deliberately silent client).
  host_->flush();
  return connected_;
}

void TestClient::send(const proto::Message& m, std::uint8_t channel, net::Delivery delivery) {
  send_raw(encoder_.encode(m), channel, delivery);
}

void TestClient::send_raw(std::span<const std::uint8_t> bytes, std::uint8_t channel, net::Delivery delivery) {
  host_->send(peer_, channel, bytes, delivery);
  host_->flush();
}

std::optional<proto::Message> TestClient::receive(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (!has_pending_) {
      if (disconnected_) return std::nullopt;
      poll_once(5);
      continue;
    }
    has_pending_ = false;
    current_ = std::move(pending_);
    auto decoded = proto::decode(current_.bytes(), proto::Sender::Server, pending_channel_);
    if (!decoded) {
      undecodable_ += 1;
      continue;
    }
    return std::move(decoded.value());
  }
  return std::nullopt;
}

bool TestClient::wait_disconnect(std::chrono::milliseconds timeout, std::uint32_t* data) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!disconnected_ && std::chrono::steady_clock::now() < deadline) {
    poll_once(5);
    has_pending_ = false;  // drain packets while waiting
  }
  if (disconnected_ && data != nullptr) *data = disconnect_data_;
  return disconnected_;
}

std::optional<proto::Welcome> TestClient::join(const std::string& name) {
  proto::Hello hello;
  hello.protocol_version = proto::kProtocolVersion;
  hello.guest_name = name;
  send(hello);
  return receive_a<proto::Welcome>();
}

void TestClient::disconnect() {
  if (connected_) host_->disconnect_later(peer_, proto::kDisconnectQuit);
  host_->flush();
}

void TestClient::drop() {
  if (connected_) host_->disconnect_now(peer_, 0);
  connected_ = false;
}

}  // namespace qbot::test
