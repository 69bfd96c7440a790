// The connect cookie's datagrams (byte for byte, as docs/PROTOCOL.md 1.1
// shows them), the client's CookieJar on virtual time, and the cookie itself.
#include <gtest/gtest.h>

#include <vector>

#include "net/connect_cookie.h"
#include "token/address_cookie.h"

using namespace qbot::net;

namespace {
const UdpAddress kServer{0x0100007F, 7777};
const UdpAddress kOther{0x0200007F, 7777};

std::vector<std::uint8_t> bytes(std::span<const std::uint8_t> s) { return {s.begin(), s.end()}; }
}  // namespace

TEST(ConnectCookie, RequestAndReplyHaveTheDocumentedBytes) {
  std::vector<std::uint8_t> request{0xFF, 0xFF, 'Q', 'B', 'C', 'Q', 0x01};
  request.resize(32, 0);
  EXPECT_EQ(bytes(make_cookie_request()), request);
  const std::vector<std::uint8_t> reply{0xFF, 0xFF, 'Q', 'B', 'C', 'C', 0x9C, 0x0E, 0x41, 0xD7, 0, 0, 0, 0x2A};
  EXPECT_EQ(bytes(make_cookie_reply(0x9C0E41D7, 42)), reply);
  const auto parsed = parse_cookie_reply(reply);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->cookie, 0x9C0E41D7u);
  EXPECT_EQ(parsed->window, 42u);
}

TEST(ConnectCookie, OnlyExactRepliesAndFullLengthRequestsOfVersionOneAreTaken) {
  std::vector<std::uint8_t> reply = bytes(make_cookie_reply(1, 2));
  reply.push_back(0);
  EXPECT_FALSE(parse_cookie_reply(reply).has_value()) << "15 bytes";
  reply.resize(13);
  EXPECT_FALSE(parse_cookie_reply(reply).has_value()) << "13 bytes";

  std::vector<std::uint8_t> request = bytes(make_cookie_request());
  request.push_back(0xAA);
  EXPECT_TRUE(is_cookie_request(request)) << "trailing bytes are ignored";
  request.resize(31);
  EXPECT_FALSE(is_cookie_request(request));
  std::vector<std::uint8_t> v2 = bytes(make_cookie_request());
  v2[6] = 2;
  EXPECT_FALSE(is_cookie_request(v2));
  EXPECT_TRUE(is_cookie_datagram(v2)) << "still not ENet's";
}

TEST(CookieJar, AsksEvery250MsThenConnectsWithTheCookieFromTheAskedServerOnly) {
  CookieJar jar;
  EXPECT_EQ(jar.step(kServer, 0).next, CookieJar::Next::SendRequest);
  EXPECT_EQ(jar.step(kServer, 249).next, CookieJar::Next::Wait);
  EXPECT_EQ(jar.step(kServer, 250).next, CookieJar::Next::SendRequest);
  const auto reply = make_cookie_reply(0xCAFE, 1);
  EXPECT_FALSE(jar.on_datagram(kOther, reply)) << "nothing was asked of that address";
  EXPECT_TRUE(jar.on_datagram(kServer, reply));
  const auto step = jar.step(kServer, 300);
  EXPECT_EQ(step.next, CookieJar::Next::Connect);
  EXPECT_EQ(step.data, 0xCAFEu);
  EXPECT_EQ(jar.step(kOther, 300).next, CookieJar::Next::SendRequest) << "another server: its own cookie";
}

TEST(CookieJar, ReusesACookieForEightSecondsThenAsksAgain) {
  CookieJar jar;
  ASSERT_EQ(jar.step(kServer, 0).next, CookieJar::Next::SendRequest);
  ASSERT_TRUE(jar.on_datagram(kServer, make_cookie_reply(7, 1)));
  EXPECT_EQ(jar.step(kServer, 10).data, 7u);
  EXPECT_EQ(jar.step(kServer, 10 + kCookieFreshMs - 1).next, CookieJar::Next::Connect);
  EXPECT_EQ(jar.step(kServer, 10 + kCookieFreshMs).next, CookieJar::Next::SendRequest);
}

TEST(CookieJar, AServerThatNeverAnswersGetsEightRequestsThenAConnectWithoutCookie) {
  CookieJar jar;
  int requests = 0;
  std::uint64_t t = 0;
  for (; t < 10000; t += 50) {
    const auto step = jar.step(kServer, t);
    if (step.next == CookieJar::Next::SendRequest) ++requests;
    if (step.next == CookieJar::Next::Connect) {
      EXPECT_EQ(step.data, 0u);
      break;
    }
  }
  EXPECT_EQ(requests, static_cast<int>(kCookieAttempts));
  EXPECT_EQ(t, kCookieAttempts * kCookieRetryMs);
}

TEST(AddressCookie, IsStableAndChangesWithIpPortWindowAndKey) {
  const qbot::token::CookieKey master{9, 8, 7};
  const auto k10 = qbot::token::cookie_window_key(master, 10);
  const auto k11 = qbot::token::cookie_window_key(master, 11);
  EXPECT_NE(k10, k11);
  const std::uint32_t c = qbot::token::address_cookie(k10, 0x0100007F, 5000, 10);
  EXPECT_EQ(qbot::token::address_cookie(k10, 0x0100007F, 5000, 10), c);
  EXPECT_NE(qbot::token::address_cookie(k10, 0x0100007F, 5001, 10), c);
  EXPECT_NE(qbot::token::address_cookie(k10, 0x0200007F, 5000, 10), c);
  EXPECT_NE(qbot::token::address_cookie(k11, 0x0100007F, 5000, 11), c);
  const qbot::token::CookieKey other_master{9, 8, 6};
  EXPECT_NE(qbot::token::address_cookie(qbot::token::cookie_window_key(other_master, 10), 0x0100007F, 5000, 10), c);
}
