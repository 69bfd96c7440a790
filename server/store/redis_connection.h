#pragma once
// One synchronous hiredis connection, used by one thread. Implements the
// PITFALLS for hiredis 0.14: a context with c->err set is dead and is
// replaced (never reused); the command timeout and keepalive are re-applied
// after every connect; every non-NULL reply is freed exactly once.
#include <chrono>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/result.h"
#include "server/store/redis_url.h"

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
  RedisConnection(RedisUrl url, std::chrono::milliseconds timeout);
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
  const RedisUrl& url() const { return url_; }

 private:
  core::Result<bool, RedisError> ensure_connected();
  void drop();

  RedisUrl url_;
  std::chrono::milliseconds timeout_;
  redisContext* ctx_ = nullptr;
  std::unordered_map<std::string, std::string> script_shas_;  // script text -> SHA
};

}  // namespace qbot::server
