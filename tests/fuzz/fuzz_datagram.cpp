// Fuzz target: raw UDP datagrams into a real ENet server host (ENet has no
// upstream fuzzing, PITFALLS.md). Each input is split into datagrams and
// sent over loopback; the host is serviced until quiet. Must never crash,
// hang or leak; a later well-formed client must still connect.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <memory>

#include "fuzz_seeds.h"
#include "net/net_host.h"

namespace {

struct Target {
  std::unique_ptr<qbot::net::NetHost> host;
  int fd = -1;
  sockaddr_in to{};

  Target() {
    qbot::net::HostConfig hc;
    hc.bind_host = "127.0.0.1";
    hc.port = 0;
    hc.max_peers = 16;
    hc.max_packet_bytes = 4096;
    host = std::move(qbot::net::NetHost::create(hc).value());
    fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    to.sin_family = AF_INET;
    to.sin_port = htons(host->port());
    to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  }
};

Target& target() {
  static Target t;
  return t;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  Target& t = target();
  // Up to 4 datagrams: a leading byte gives each one's length.
  std::size_t pos = 0;
  for (int i = 0; i < 4 && pos < size; ++i) {
    const std::size_t len = std::min<std::size_t>(size - pos - 1, data[pos] * 8u + 1u);
    ::sendto(t.fd, data + pos + 1, len, 0, reinterpret_cast<const sockaddr*>(&t.to), sizeof t.to);
    pos += 1 + len;
  }
  qbot::net::NetEvent ev;
  for (int i = 0; i < 64 && t.host->service(ev, 0); ++i) {
    if (ev.type == qbot::net::NetEvent::Type::Connect) t.host->disconnect_now(ev.peer, 0);
  }
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  // A CONNECT-shaped datagram (peer 0xFFF, sent time, CONNECT command), a
  // PING for peer 0 and a SEND_UNRELIABLE with payload.
  std::vector<std::uint8_t> connect{6, 0x8f, 0xff, 0x12, 0x34, 0x82, 0xff, 0x00, 0x01};
  connect.resize(1 + 4 + 48, 0);
  connect[0] = 6;
  return {connect,
          {0, 0x00, 0x00, 0x85, 0xff, 0x00, 0x01},
          {2, 0x00, 0x00, 0x07, 0x01, 0x00, 0x01, 0x00, 0x02, 0x00, 0x04, 1, 2, 3, 4}};
}
