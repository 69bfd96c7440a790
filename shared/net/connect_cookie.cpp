#include "net/connect_cookie.h"

#include <algorithm>

namespace qbot::net {
namespace {

constexpr std::array<std::uint8_t, 6> kRequestPrefix{0xFF, 0xFF, 'Q', 'B', 'C', 'Q'};
constexpr std::array<std::uint8_t, 6> kReplyPrefix{0xFF, 0xFF, 'Q', 'B', 'C', 'C'};

bool starts_with(std::span<const std::uint8_t> d, const std::array<std::uint8_t, 6>& prefix) {
  return d.size() >= prefix.size() && std::equal(prefix.begin(), prefix.end(), d.begin());
}

void put_be32(std::uint8_t* out, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out[i] = static_cast<std::uint8_t>(v >> (24 - 8 * i));
}

std::uint32_t get_be32(const std::uint8_t* p) {
  return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

bool is_cookie_datagram(std::span<const std::uint8_t> d) {
  return d.size() >= 5 && d[0] == 0xFF && d[1] == 0xFF && d[2] == 'Q' && d[3] == 'B' && d[4] == 'C';
}

CookieRequest make_cookie_request() {
  CookieRequest r{};
  std::copy(kRequestPrefix.begin(), kRequestPrefix.end(), r.begin());
  r[kRequestPrefix.size()] = kCookieVersion;
  return r;
}

bool is_cookie_request(std::span<const std::uint8_t> d) {
  return d.size() >= kCookieRequestBytes && starts_with(d, kRequestPrefix) &&
         d[kRequestPrefix.size()] == kCookieVersion;
}

CookieReply make_cookie_reply(std::uint32_t cookie, std::uint32_t window) {
  CookieReply r{};
  std::copy(kReplyPrefix.begin(), kReplyPrefix.end(), r.begin());
  put_be32(r.data() + 6, cookie);
  put_be32(r.data() + 10, window);
  return r;
}

std::optional<ParsedCookieReply> parse_cookie_reply(std::span<const std::uint8_t> d) {
  if (d.size() != kCookieReplyBytes || !starts_with(d, kReplyPrefix)) return std::nullopt;
  return ParsedCookieReply{get_be32(d.data() + 6), get_be32(d.data() + 10)};
}

CookieJar::Entry& CookieJar::entry(UdpAddress server, std::uint64_t now_ms) {
  if (entries_.size() >= kMaxServers && entries_.find(key(server)) == entries_.end()) {
    // Bounded: forget the server we asked least recently.
    const auto oldest = std::min_element(entries_.begin(), entries_.end(), [](const auto& a, const auto& b) {
      return std::max(a.second.got_ms, a.second.last_request_ms) < std::max(b.second.got_ms, b.second.last_request_ms);
    });
    entries_.erase(oldest);
  }
  Entry& e = entries_[key(server)];
  if (e.have && now_ms - e.got_ms >= kCookieFreshMs) e = Entry{};  // stale: ask again
  return e;
}

CookieJar::Step CookieJar::step(UdpAddress server, std::uint64_t now_ms) {
  Entry& e = entry(server, now_ms);
  if (e.arrived) {
    e.arrived = false;
    e.have = true;
    e.got_ms = now_ms;
  }
  if (e.have) return {Next::Connect, e.fallback ? 0u : e.cookie};
  if (e.requests >= kCookieAttempts && now_ms - e.last_request_ms >= kCookieRetryMs) {
    // Nobody answers: a server from before connect cookies (it accepts any CONNECT).
    e = Entry{0, now_ms, now_ms, 0, true, true, false};
    return {Next::Connect, 0};
  }
  if (e.requests > 0 && now_ms - e.last_request_ms < kCookieRetryMs) return {Next::Wait, 0};
  e.requests += 1;
  e.last_request_ms = now_ms;
  return {Next::SendRequest, 0};
}

bool CookieJar::on_datagram(UdpAddress from, std::span<const std::uint8_t> datagram) {
  const auto reply = parse_cookie_reply(datagram);
  if (!reply) return false;
  const auto it = entries_.find(key(from));
  if (it == entries_.end() || it->second.requests == 0) return false;
  it->second = Entry{reply->cookie, 0, it->second.last_request_ms, 0, false, false, true};
  return true;
}

}  // namespace qbot::net
