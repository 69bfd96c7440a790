// ReplyLimits: what one Redis reply may make hiredis 0.14 allocate. On a
// bare reader (the bytes a broken or hostile Redis could send) and through
// RedisConnection against a loopback socket that answers like one.
#include "server/store/reply_limits.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <hiredis/hiredis.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "server/store/redis_connection.h"

using namespace qbot::server;
using namespace std::chrono_literals;

namespace {

struct Parsed {
  int status = REDIS_ERR;
  std::unique_ptr<redisReply, void (*)(redisReply*)> reply{nullptr, [](redisReply* r) { freeReplyObject(r); }};
  std::string refused;
};

/// Feeds `bytes` to a limited reader and takes one reply.
Parsed parse_limited(const std::string& bytes) {
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader(redisReaderCreate(), &redisReaderFree);
  ReplyLimits limits(reader.get());
  Parsed p;
  if (redisReaderFeed(reader.get(), bytes.data(), bytes.size()) != REDIS_OK) return p;
  void* raw = nullptr;
  p.status = redisReaderGetReply(reader.get(), &raw);
  p.reply.reset(static_cast<redisReply*>(raw));
  p.refused = limits.refused();
  return p;
}

/// "*n\r\n" and n integer elements.
std::string array_of_integers(std::size_t n) {
  std::string s = "*" + std::to_string(n) + "\r\n";
  s.reserve(s.size() + 4 * n);
  for (std::size_t i = 0; i < n; ++i) s += ":0\r\n";
  return s;
}

}  // namespace

TEST(ReplyLimits, AnArrayHeaderPastTheBoundIsRefusedBeforeItsTableIsAllocated) {
  // Found by fuzz_redis_replies: hiredis asked malloc for 5.6 GB.
  const Parsed p = parse_limited("*700000000\r\n:0\r\n");
  EXPECT_EQ(p.status, REDIS_ERR);
  EXPECT_EQ(p.reply, nullptr);
  EXPECT_EQ(p.refused, "reply refused: more than 1048576 array elements");
}

TEST(ReplyLimits, NestedArraysShareOneBudgetPerReply) {
  // Each array alone is under the bound; together (2 + 1,048,000 + 1,000) they are not.
  const Parsed p = parse_limited("*2\r\n" + array_of_integers(1'048'000) + "*1000\r\n");
  EXPECT_EQ(p.status, REDIS_ERR);
  EXPECT_NE(p.refused.find("array elements"), std::string::npos) << p.refused;
}

TEST(ReplyLimits, AReplyExactlyAtTheBoundIsParsedAndTheNextReplyStartsAfresh) {
  const std::string at_bound = array_of_integers(ReplyLimits::kMaxElements);
  std::unique_ptr<redisReader, void (*)(redisReader*)> reader(redisReaderCreate(), &redisReaderFree);
  ReplyLimits limits(reader.get());
  const std::string two = at_bound + at_bound;
  ASSERT_EQ(redisReaderFeed(reader.get(), two.data(), two.size()), REDIS_OK);
  for (int i = 0; i < 2; ++i) {
    void* raw = nullptr;
    ASSERT_EQ(redisReaderGetReply(reader.get(), &raw), REDIS_OK) << "reply " << i << ": " << limits.refused();
    ASSERT_NE(raw, nullptr);
    EXPECT_EQ(static_cast<redisReply*>(raw)->elements, ReplyLimits::kMaxElements);
    EXPECT_EQ(limits.refused(), "");
    freeReplyObject(raw);
  }
}

TEST(ReplyLimits, ScalarRepliesPassThroughUnchanged) {
  const Parsed s = parse_limited("$5\r\nhello\r\n");
  ASSERT_EQ(s.status, REDIS_OK);
  ASSERT_NE(s.reply, nullptr);
  EXPECT_EQ(std::string(s.reply->str, s.reply->len), "hello");
  const Parsed n = parse_limited(":-42\r\n");
  ASSERT_NE(n.reply, nullptr);
  EXPECT_EQ(n.reply->integer, -42);
  const Parsed nil = parse_limited("$-1\r\n");
  ASSERT_NE(nil.reply, nullptr);
  EXPECT_EQ(nil.reply->type, REDIS_REPLY_NIL);
}

namespace {

/// A loopback "Redis" that answers the first command of each connection with
/// `answer`, then waits for the client to hang up. Serves `connections`
/// connections at most, each within 10 s.
class HostileRedis {
 public:
  HostileRedis(std::string answer, int connections) : answer_(std::move(answer)) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (listener_ < 0 || ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        ::listen(listener_, 4) != 0 || ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this, connections] {
      for (int i = 0; i < connections; ++i) serve_one();
    });
  }
  ~HostileRedis() {
    finish();
    if (listener_ >= 0) ::close(listener_);
  }
  /// Waits until every connection was served (each is bounded in time).
  void finish() {
    if (thread_.joinable()) thread_.join();
  }
  HostileRedis(const HostileRedis&) = delete;
  HostileRedis& operator=(const HostileRedis&) = delete;
  std::uint16_t port() const { return port_; }
  std::size_t bytes_sent() const { return sent_.load(); }

 private:
  static bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 10'000) == 1;
  }
  void serve_one() {
    if (!readable(listener_)) return;
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    char command[512];
    if (readable(fd) && ::recv(fd, command, sizeof command, 0) > 0) {
      for (std::size_t at = 0; at < answer_.size();) {
        const ssize_t n = ::send(fd, answer_.data() + at, answer_.size() - at, MSG_NOSIGNAL);
        if (n <= 0) break;  // the client hung up
        at += static_cast<std::size_t>(n);
        sent_ += static_cast<std::size_t>(n);
      }
      while (readable(fd) && ::recv(fd, command, sizeof command, 0) > 0) {
      }
    }
    ::close(fd);
  }

  std::string answer_;
  int listener_ = -1;
  std::uint16_t port_ = 0;
  std::atomic<std::size_t> sent_{0};
  std::thread thread_;
};

RedisConnection connection_to(std::uint16_t port) {
  RedisEndpoint endpoint;
  endpoint.url.host = "127.0.0.1";
  endpoint.url.port = port;
  return RedisConnection(endpoint, 5000ms);
}

}  // namespace

TEST(ReplyLimits, AServerAnnouncingAHugeArrayGetsAnIoErrorNamingTheBoundAndTheConnectionDropped) {
  HostileRedis redis("*700000000\r\n", 1);
  RedisConnection c = connection_to(redis.port());
  const auto r = c.command({"PING"});
  ASSERT_FALSE(r);
  EXPECT_TRUE(r.error().io);
  EXPECT_EQ(r.error().message, "I/O: reply refused: more than 1048576 array elements");
  EXPECT_FALSE(c.connected()) << "the stream is out of step: the context is never reused";
}

TEST(ReplyLimits, AServerSendingAnEndlessBulkIsCutAtTheByteBound) {
  // A bulk announcing 1 GB, and 32 MB more than the bound of it (more than
  // the loopback socket buffers can hold).
  const std::string answer = "$1000000000\r\n" + std::string(ReplyLimits::kMaxBytes + (32u << 20), 'x');
  HostileRedis redis(answer, 1);
  {
    RedisConnection c = connection_to(redis.port());
    const auto r = c.command({"GET", "k"});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "I/O: reply refused: more than 67108864 bytes");
    EXPECT_FALSE(c.connected());
  }
  // The connection is closed once the bound is hit: the rest was never read.
  redis.finish();
  EXPECT_LT(redis.bytes_sent(), answer.size());
}

TEST(ReplyLimits, APipelineStopsAtTheFirstRefusedReply) {
  HostileRedis redis("+OK\r\n*700000000\r\n", 1);
  RedisConnection c = connection_to(redis.port());
  const auto r = c.pipeline({{"SET", "a", "1"}, {"LRANGE", "b", "0", "-1"}});
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "I/O: reply refused: more than 1048576 array elements");
  EXPECT_FALSE(c.connected());
}
