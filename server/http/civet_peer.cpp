#include "server/http/civet_peer.h"

#include <arpa/inet.h>
#include <civetweb.h>
#include <netinet/in.h>
#include <spdlog/spdlog.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <array>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <system_error>

#include "core/quoted.h"

namespace qbot::server {
namespace {

/// The address and port of one end of a socket, as civetweb prints them
/// ("127.0.0.1", "::1"); false when it is no IPv4/IPv6 socket or `end` fails.
bool endpoint_of(int fd, bool peer, std::string& address, int& port) {
  sockaddr_storage sa{};
  socklen_t len = sizeof sa;
  auto* addr = reinterpret_cast<sockaddr*>(&sa);
  if ((peer ? ::getpeername(fd, addr, &len) : ::getsockname(fd, addr, &len)) != 0) return false;
  std::array<char, INET6_ADDRSTRLEN> text{};
  if (sa.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&sa);
    port = ntohs(in->sin_port);
    if (::inet_ntop(AF_INET, &in->sin_addr, text.data(), text.size()) == nullptr) return false;
  } else if (sa.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&sa);
    port = ntohs(in6->sin6_port);
    if (::inet_ntop(AF_INET6, &in6->sin6_addr, text.data(), text.size()) == nullptr) return false;
  } else {
    return false;
  }
  address = text.data();
  return true;
}

/// The descriptor of this process's TCP socket connected from
/// `remote_addr`:`remote_port` to local port `local_port`: civetweb does not
/// hand out its sockets, and a connection's two ends identify it. Returns -1
/// when none, or more than one, matches (then nothing may be shut down).
int socket_of(const char* remote_addr, int remote_port, int local_port) {
  int found = -1;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const int fd = std::atoi(entry.path().filename().c_str());
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISSOCK(st.st_mode)) continue;
    std::string local, remote;
    int lport = 0, rport = 0;
    if (!endpoint_of(fd, false, local, lport) || lport != local_port) continue;
    if (!endpoint_of(fd, true, remote, rport) || rport != remote_port || remote != remote_addr) continue;
    if (found >= 0) return -1;
    found = fd;
  }
  return found;
}

int socket_of(mg_connection* conn) {
  const mg_request_info* info = mg_get_request_info(conn);
  if (info == nullptr) return -1;
  return socket_of(info->remote_addr, info->remote_port, info->server_port);
}

}  // namespace

CivetPeer::CivetPeer(mg_connection* conn, CloseDeadlines& deadlines)
    : conn_(conn), deadlines_(deadlines), socket_(socket_of(conn)) {
  if (socket_ < 0) {
    const mg_request_info* info = mg_get_request_info(conn);
    spdlog::warn(
        "http: cannot find the socket of the WebSocket from {}: it outlives a close frame until its peer "
        "closes",
        core::quoted(info != nullptr ? info->remote_addr : "?"));
  }
}

bool CivetPeer::send_text(std::string_view text) {
  if (closing()) return false;  // nothing may follow a close frame
  return mg_websocket_write(conn_, MG_WEBSOCKET_OPCODE_TEXT, text.data(), text.size()) > 0;
}

void CivetPeer::send_close(std::string_view reason) {
  if (closing_.exchange(true)) return;  // one close frame
  // Armed before the write, which can block while the peer does not read.
  deadlines_.arm(*this);
  // A close frame's payload: a 2-byte status (1008, policy violation) and the reason.
  std::string payload{'\x03', '\xF0'};
  payload.append(reason.substr(0, kMaxCloseReasonBytes));
  mg_websocket_write(conn_, MG_WEBSOCKET_OPCODE_CONNECTION_CLOSE, payload.data(), payload.size());
}

void CivetPeer::end_within_grace() { deadlines_.arm(*this); }

void CivetPeer::force_close() {
  std::lock_guard lock(socket_mutex_);
  if (socket_ < 0) return;
  // Abortive: when civetweb closes the socket the peer gets a reset and the
  // bytes it never read are discarded, not kept by the kernel behind a FIN
  // that a peer with a full window would never receive.
  const linger abort_on_close{1, 0};
  ::setsockopt(socket_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
  // Shut down, not closed: the descriptor stays civetweb's (it closes it after
  // its close handler), and its blocked poll, recv and send return at once.
  ::shutdown(socket_, SHUT_RDWR);
}

void CivetPeer::closed() {
  {
    std::lock_guard lock(socket_mutex_);
    socket_ = -1;
  }
  deadlines_.disarm(*this);
}

}  // namespace qbot::server
