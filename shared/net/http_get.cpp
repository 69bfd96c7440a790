#include "net/http_get.h"

#include <netdb.h>
#include <sys/socket.h>
#include <unistd.h>

#include <charconv>
#include <memory>

namespace qbot::net {

core::Result<HttpUrl, std::string> parse_http_url(const std::string& url) {
  constexpr std::string_view scheme = "http://";
  if (url.rfind(scheme, 0) != 0) return core::Err{"expected http://host[:port][/path], got '" + url + "'"};
  HttpUrl out;
  std::string rest = url.substr(scheme.size());
  if (const auto slash = rest.find('/'); slash != std::string::npos) {
    out.path = rest.substr(slash);
    rest.resize(slash);
  }
  if (const auto colon = rest.rfind(':'); colon != std::string::npos) {
    unsigned port = 0;
    const std::string p = rest.substr(colon + 1);
    const auto [end, ec] = std::from_chars(p.data(), p.data() + p.size(), port);
    if (ec != std::errc() || end != p.data() + p.size() || port == 0 || port > 65535) {
      return core::Err{"bad port in '" + url + "'"};
    }
    out.port = static_cast<std::uint16_t>(port);
    rest.resize(colon);
  }
  if (rest.empty()) return core::Err{"no host in '" + url + "'"};
  out.host = rest;
  return out;
}

core::Result<std::string, std::string> http_get(const HttpUrl& url, std::chrono::milliseconds timeout,
                                                std::size_t max_bytes) {
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(url.port);
  if (::getaddrinfo(url.host.c_str(), port.c_str(), &hints, &found) != 0 || found == nullptr) {
    return core::Err{"cannot resolve " + url.host};
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> guard(found, ::freeaddrinfo);
  const int fd = ::socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) return core::Err{std::string("socket failed")};
  std::unique_ptr<int, void (*)(int*)> closer(new int(fd), [](int* f) {
    ::close(*f);
    delete f;
  });
  const auto ms = timeout.count();
  timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  if (::connect(fd, found->ai_addr, found->ai_addrlen) != 0) {
    return core::Err{"cannot connect to " + url.host + ":" + port};
  }
  const std::string req = "GET " + url.path + " HTTP/1.0\r\nHost: " + url.host + "\r\nConnection: close\r\n\r\n";
  if (::send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) {
    return core::Err{std::string("send failed")};
  }
  std::string resp;
  char buf[16384];
  for (;;) {
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0) return core::Err{std::string("timed out or failed while reading")};
    if (n == 0) break;
    resp.append(buf, static_cast<std::size_t>(n));
    if (resp.size() > max_bytes) return core::Err{"response larger than " + std::to_string(max_bytes) + " bytes"};
  }
  if (resp.rfind("HTTP/1.", 0) != 0) return core::Err{std::string("not an HTTP response")};
  const auto line_end = resp.find("\r\n");
  if (resp.substr(0, line_end).find(" 200 ") == std::string::npos) {
    return core::Err{"HTTP status: " + resp.substr(0, std::min<std::size_t>(line_end, 80))};
  }
  const auto body = resp.find("\r\n\r\n");
  if (body == std::string::npos) return core::Err{std::string("no body")};
  return resp.substr(body + 4);
}

}  // namespace qbot::net
