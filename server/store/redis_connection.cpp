#include "server/store/redis_connection.h"

#include <hiredis/hiredis.h>

namespace qbot::server {
namespace {
/// What SCRIPT LOAD answers: the script's SHA-1 in hex.
constexpr std::size_t kScriptShaHexChars = 40;
}  // namespace

// ---------------------------------------------------------------------------
// Replies
// ---------------------------------------------------------------------------
void RedisReply::free_reply(redisReply* r) {
  if (r != nullptr) freeReplyObject(r);
}
bool RedisReply::is_error() const { return r_ && r_->type == REDIS_REPLY_ERROR; }
bool RedisReply::is_nil() const { return !r_ || r_->type == REDIS_REPLY_NIL; }
bool RedisReply::is_array() const { return reply::is_array(r_.get()); }
bool RedisReply::is_integer() const { return reply::is_integer(r_.get()); }
bool RedisReply::is_string() const { return reply::is_string(r_.get()); }
long long RedisReply::integer() const { return reply::integer(r_.get()); }
std::string_view RedisReply::str() const { return reply::str(r_.get()); }
std::size_t RedisReply::size() const { return reply::size(r_.get()); }
const redisReply* RedisReply::at(std::size_t i) const { return reply::at(r_.get(), i); }

namespace reply {
bool is_string(const redisReply* r) {
  return r != nullptr && (r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS);
}
bool is_integer(const redisReply* r) { return r != nullptr && r->type == REDIS_REPLY_INTEGER; }
bool is_array(const redisReply* r) { return r != nullptr && r->type == REDIS_REPLY_ARRAY; }
std::string_view str(const redisReply* r) {
  if (r == nullptr || r->str == nullptr) return {};
  if (r->type != REDIS_REPLY_STRING && r->type != REDIS_REPLY_STATUS && r->type != REDIS_REPLY_ERROR) return {};
  return {r->str, r->len};
}
long long integer(const redisReply* r) { return is_integer(r) ? r->integer : 0; }
std::size_t size(const redisReply* r) { return is_array(r) ? r->elements : 0; }
const redisReply* at(const redisReply* r, std::size_t i) {
  return (is_array(r) && i < r->elements) ? r->element[i] : nullptr;
}
}  // namespace reply

// ---------------------------------------------------------------------------
// Connection
// ---------------------------------------------------------------------------
RedisConnection::RedisConnection(RedisUrl url, std::chrono::milliseconds timeout)
    : url_(std::move(url)), timeout_(timeout) {}

RedisConnection::~RedisConnection() { drop(); }

void RedisConnection::drop() {
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
}

core::Result<bool, RedisError> RedisConnection::ensure_connected() {
  if (ctx_ != nullptr && ctx_->err == 0) return true;
  drop();
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(timeout_.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((timeout_.count() % 1000) * 1000);
  redisContext* c = redisConnectWithTimeout(url_.host.c_str(), url_.port, tv);
  if (c == nullptr) return core::Err{RedisError{"cannot allocate redis context", true}};
  if (c->err != 0) {
    RedisError e{"connect " + url_.describe() + ": " + c->errstr, true};
    redisFree(c);
    return core::Err{e};
  }
  // PITFALLS: the timeout and keepalive do not survive a reconnect.
  redisSetTimeout(c, tv);
  redisEnableKeepAlive(c);
  ctx_ = c;
  if (!url_.password.empty()) {
    auto r = command({"AUTH", url_.password});
    if (!r) {
      drop();
      return core::Err{RedisError{"AUTH failed: " + r.error().message, true}};
    }
  }
  if (url_.db != 0) {
    const std::string db = std::to_string(url_.db);
    auto r = command({"SELECT", db});
    if (!r) {
      drop();
      return core::Err{RedisError{"SELECT " + db + " failed: " + r.error().message, true}};
    }
  }
  return true;
}

core::Result<RedisReply, RedisError> RedisConnection::command(std::span<const std::string_view> args) {
  if (auto ok = ensure_connected(); !ok) return core::Err{ok.error()};
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* raw = static_cast<redisReply*>(redisCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()));
  if (raw == nullptr) {
    RedisError e{std::string("I/O: ") + (ctx_->err ? ctx_->errstr : "no reply"), true};
    drop();  // PITFALLS: a context with err set is dead
    return core::Err{e};
  }
  RedisReply reply(raw);
  if (reply.is_error()) return core::Err{RedisError{std::string(reply.str()), false}};
  return reply;
}

core::Result<std::vector<RedisReply>, RedisError> RedisConnection::pipeline(
    const std::vector<std::vector<std::string>>& commands) {
  if (auto ok = ensure_connected(); !ok) return core::Err{ok.error()};
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  for (const auto& cmd : commands) {
    argv.clear();
    lens.clear();
    for (const auto& a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data()) != REDIS_OK) {
      RedisError e{std::string("I/O: ") + ctx_->errstr, true};
      drop();
      return core::Err{e};
    }
  }
  std::vector<RedisReply> replies;
  replies.reserve(commands.size());
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      RedisError e{std::string("I/O: ") + (ctx_->err ? ctx_->errstr : "no reply"), true};
      drop();
      return core::Err{e};
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
  }
  return replies;
}

core::Result<RedisReply, RedisError> RedisConnection::eval(const std::string& script, std::span<const std::string> keys,
                                                           std::span<const std::string> args) {
  // Scripts are named by the SHA that SCRIPT LOAD returns; after a Redis
  // restart (NOSCRIPT) the script is loaded again once.
  for (int attempt = 0; attempt < 2; ++attempt) {
    std::string& sha = script_shas_[script];
    if (sha.empty()) {
      auto loaded = command({"SCRIPT", "LOAD", script});
      if (!loaded) return core::Err{loaded.error()};
      if (!loaded->is_string() || loaded->str().size() != kScriptShaHexChars) {
        return core::Err{RedisError{"SCRIPT LOAD returned no sha", false}};
      }
      sha = std::string(loaded->str());
    }
    const std::string nkeys = std::to_string(keys.size());
    std::vector<std::string_view> argv{"EVALSHA", sha, nkeys};
    argv.reserve(3 + keys.size() + args.size());
    for (const auto& k : keys) argv.push_back(k);
    for (const auto& a : args) argv.push_back(a);
    auto r = command(std::span<const std::string_view>(argv));
    if (r || r.error().io || r.error().message.rfind("NOSCRIPT", 0) != 0) return r;
    sha.clear();
  }
  return core::Err{RedisError{"script could not be loaded", false}};
}

}  // namespace qbot::server
