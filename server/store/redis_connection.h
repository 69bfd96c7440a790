#pragma once
// One synchronous hiredis connection, used by one thread. Implements the
// PITFALLS for hiredis 0.14: a context with c->err set is dead and is
// replaced (never reused); the command timeout and keepalive are re-applied
// after every connect; every non-NULL reply is freed exactly once.
//
// With sentinels (RedisEndpoint::uses_sentinels) the primary is found by
// asking them (SENTINEL get-master-addr-by-name, over an ordinary connection:
// hiredis 0.14 has no Sentinel client) and every new connection must answer
// ROLE as the primary. The address is asked again, and ROLE checked, at the
// first command after each `kPrimaryRecheckMs`, and the connection is dropped
// on I/O errors and on READONLY / LOADING / MASTERDOWN replies, so after a
// failover the next command goes to the promoted primary and a demoted one is
// never written to (docs/REDIS.md "High availability").
#include <chrono>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "server/store/redis_url.h"
#include "server/store/reply_limits.h"

struct redisContext;
struct redisReply;

namespace qbot::server {

/// Owning handle of a reply tree (freeReplyObject on destruction).
class RedisReply {
 public:
  RedisReply() = default;
  explicit RedisReply(redisReply* r) : r_(r, &free_reply) {}
  const redisReply* get() const { return r_.get(); }

  bool is_error() const;
  bool is_nil() const;
  bool is_array() const;
  bool is_integer() const;
  bool is_string() const;  // bulk string or status
  long long integer() const;
  std::string_view str() const;
  std::size_t size() const;  // array elements
  /// Element `i` of an array as a view (lifetime: this reply).
  const redisReply* at(std::size_t i) const;

 private:
  static void free_reply(redisReply* r);
  std::shared_ptr<redisReply> r_;
};

/// Accessors for nested replies (views into a RedisReply).
namespace reply {
bool is_nil(const redisReply* r);  // a nil reply (not a null pointer)
bool is_string(const redisReply* r);
bool is_integer(const redisReply* r);
bool is_array(const redisReply* r);
std::string_view str(const redisReply* r);
long long integer(const redisReply* r);
std::size_t size(const redisReply* r);
const redisReply* at(const redisReply* r, std::size_t i);
}  // namespace reply

struct RedisError {
  std::string message;
  bool io = false;  // connection-level (retry later) vs. command error
};

class RedisConnection {
 public:
  /// Milliseconds on any steady clock; paces the primary re-check. Empty:
  /// the primary is checked at each connect only.
  using Clock = std::function<std::uint64_t()>;
  static constexpr std::uint64_t kPrimaryRecheckMs = 1000;

  RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout, Clock clock = {});
  ~RedisConnection();
  RedisConnection(const RedisConnection&) = delete;
  RedisConnection& operator=(const RedisConnection&) = delete;

  /// Runs one command (binary-safe args). A Redis error reply is an error.
  core::Result<RedisReply, RedisError> command(std::span<const std::string_view> args);
  core::Result<RedisReply, RedisError> command(std::initializer_list<std::string_view> args) {
    return command(std::span<const std::string_view>(args.begin(), args.size()));
  }
  /// Sends all commands in one round trip and reads every reply. Per-command
  /// error replies are returned as replies (check is_error()).
  core::Result<std::vector<RedisReply>, RedisError> pipeline(const std::vector<std::vector<std::string>>& commands);

  /// Runs a Lua script by SHA, loading it on NOSCRIPT.
  core::Result<RedisReply, RedisError> eval(const std::string& script, std::span<const std::string> keys,
                                            std::span<const std::string> args);

  bool connected() const { return ctx_ != nullptr; }
  const RedisEndpoint& endpoint() const { return endpoint_; }
  /// Where the connection is (or was last), e.g. the primary the sentinels named.
  const HostPort& connected_to() const { return connected_to_; }

 private:
  core::Result<bool, RedisError> ensure_connected();
  core::Result<bool, RedisError> open(const HostPort& where);
  core::Result<bool, RedisError> recheck_primary();
  core::Result<HostPort, RedisError> ask_sentinels();
  core::Result<bool, RedisError> check_role();
  /// The command on the open context; an error reply is a RedisError.
  core::Result<RedisReply, RedisError> run(std::span<const std::string_view> args);
  /// What a failed read says: the bound a reply broke, or hiredis's error.
  std::string read_error() const;
  void drop();

  RedisEndpoint endpoint_;
  std::chrono::milliseconds timeout_;
  Clock clock_;
  redisContext* ctx_ = nullptr;
  std::unique_ptr<ReplyLimits> limits_;  // on ctx_'s reader; freed after it
  HostPort connected_to_;
  std::uint64_t next_recheck_ms_ = 0;
  std::size_t sentinel_ = 0;                                  // the sentinel that answered last: asked first next time
  std::unordered_map<std::string, std::string> script_shas_;  // script text -> SHA
};

}  // namespace qbot::server
