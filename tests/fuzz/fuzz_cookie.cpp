// Fuzz target: the connect cookie's two datagrams and the client's cookie
// jar (net/connect_cookie.h). A server answers requests and a client takes
// replies from the internet, so both parsers see hostile bytes. Must never
// crash; a reply is accepted only from the address a request went to, and
// only when it is exactly one reply.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <vector>

#include "fuzz_seeds.h"
#include "net/connect_cookie.h"

using namespace qbot::net;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> d(data, size);
  (void)is_cookie_datagram(d);
  if (is_cookie_request(d) && size < kCookieRequestBytes) std::abort();
  const auto reply = parse_cookie_reply(d);
  if (reply && size != kCookieReplyBytes) std::abort();

  CookieJar jar;
  const UdpAddress server{0x7F000001u, 7777};
  const UdpAddress stranger{0x7F000002u, 7777};
  if (jar.on_datagram(server, d)) std::abort();  // nothing was asked yet
  const auto first = jar.step(server, 1000);
  if (first.next != CookieJar::Next::SendRequest) std::abort();
  if (jar.on_datagram(stranger, d)) std::abort();  // not asked of that address
  const bool taken = jar.on_datagram(server, d);
  if (taken != reply.has_value()) std::abort();
  const auto next = jar.step(server, 1001);
  if (taken && (next.next != CookieJar::Next::Connect || next.data != reply->cookie)) std::abort();
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  const CookieRequest request = make_cookie_request();
  const CookieReply reply = make_cookie_reply(0xDEADBEEF, 42);
  return {{request.begin(), request.end()}, {reply.begin(), reply.end()}, {0xFF, 0xFF, 'Q', 'B', 'C'}};
}
