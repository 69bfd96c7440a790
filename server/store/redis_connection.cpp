#include "server/store/redis_connection.h"

#include <hiredis/hiredis.h>

namespace qbot::server {
namespace {
/// What SCRIPT LOAD answers: the script's SHA-1 in hex.
constexpr std::size_t kScriptShaHexChars = 40;

timeval timeval_of(std::chrono::milliseconds t) {
  timeval tv{};
  tv.tv_sec = static_cast<decltype(tv.tv_sec)>(t.count() / 1000);
  tv.tv_usec = static_cast<decltype(tv.tv_usec)>((t.count() % 1000) * 1000);
  return tv;
}

/// Error replies that mean this node is not (or not yet) a usable primary:
/// the next command reconnects (and, with sentinels, asks them again).
bool primary_gone(std::string_view error) {
  for (const std::string_view prefix : {"READONLY", "LOADING", "MASTERDOWN"}) {
    if (error.substr(0, prefix.size()) == prefix) return true;
  }
  return false;
}

/// One sentinel's answer to SENTINEL get-master-addr-by-name, over a
/// connection of its own; the reason if it has none.
core::Result<HostPort, std::string> ask_sentinel(const HostPort& sentinel, const std::string& master,
                                                 std::chrono::milliseconds timeout) {
  const timeval tv = timeval_of(timeout);
  redisContext* c = redisConnectWithTimeout(sentinel.host.c_str(), sentinel.port, tv);
  if (c == nullptr) return core::Err{sentinel.describe() + ": cannot allocate a context"};
  std::unique_ptr<redisContext, void (*)(redisContext*)> owned(c, &redisFree);
  if (c->err != 0) return core::Err{sentinel.describe() + ": " + c->errstr};
  redisSetTimeout(c, tv);
  ReplyLimits limits(c->reader);
  const char* argv[] = {"SENTINEL", "get-master-addr-by-name", master.c_str()};
  const std::size_t lens[] = {8, 23, master.size()};
  RedisReply r(limits.command(c, 3, argv, lens));
  if (r.get() == nullptr) {
    return core::Err{sentinel.describe() + ": " + (limits.refused().empty() ? "no reply" : limits.refused())};
  }
  if (!r.is_array() || r.size() != 2 || !reply::is_string(r.at(0)) || !reply::is_string(r.at(1))) {
    return core::Err{sentinel.describe() + ": does not know '" + master + "'"};
  }
  constexpr std::size_t kMaxHostBytes = 253;  // a DNS name
  auto port = parse_host_ports(std::string(reply::str(r.at(0))) + ":" + std::string(reply::str(r.at(1))));
  if (!port || port->size() != 1 || port->front().host.size() > kMaxHostBytes) {
    return core::Err{sentinel.describe() + ": answered an unusable address"};
  }
  return port->front();
}
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
bool is_nil(const redisReply* r) { return r != nullptr && r->type == REDIS_REPLY_NIL; }
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
RedisConnection::RedisConnection(RedisEndpoint endpoint, std::chrono::milliseconds timeout, Clock clock)
    : endpoint_(std::move(endpoint)), timeout_(timeout), clock_(std::move(clock)) {}

RedisConnection::~RedisConnection() { drop(); }

void RedisConnection::drop() {
  if (ctx_ != nullptr) redisFree(ctx_);
  ctx_ = nullptr;
  limits_.reset();
}

std::string RedisConnection::read_error() const {
  if (limits_ && !limits_->refused().empty()) return limits_->refused();
  return ctx_ != nullptr && ctx_->err != 0 ? ctx_->errstr : "no reply";
}

core::Result<bool, RedisError> RedisConnection::ensure_connected() {
  if (ctx_ != nullptr && ctx_->err == 0) return endpoint_.uses_sentinels() ? recheck_primary() : true;
  drop();
  HostPort where{endpoint_.url.host, endpoint_.url.port};
  if (endpoint_.uses_sentinels()) {
    auto primary = ask_sentinels();
    if (!primary) return core::Err{primary.error()};
    where = std::move(*primary);
  }
  if (auto opened = open(where); !opened) return opened;
  if (endpoint_.uses_sentinels()) {
    if (auto role = check_role(); !role) {
      drop();
      return role;
    }
    next_recheck_ms_ = clock_ ? clock_() + kPrimaryRecheckMs : UINT64_MAX;
  }
  return true;
}

core::Result<bool, RedisError> RedisConnection::open(const HostPort& where) {
  const timeval tv = timeval_of(timeout_);
  redisContext* c = redisConnectWithTimeout(where.host.c_str(), where.port, tv);
  if (c == nullptr) return core::Err{RedisError{"cannot allocate redis context", true}};
  if (c->err != 0) {
    RedisError e{"connect " + where.describe() + ": " + c->errstr, true};
    redisFree(c);
    return core::Err{e};
  }
  // PITFALLS: the timeout and keepalive do not survive a reconnect.
  redisSetTimeout(c, tv);
  redisEnableKeepAlive(c);
  ctx_ = c;
  limits_ = std::make_unique<ReplyLimits>(c->reader);
  connected_to_ = where;
  const RedisUrl& url = endpoint_.url;
  if (!url.password.empty()) {
    const std::string_view auth[] = {"AUTH", url.password};
    if (auto r = run(auth); !r) {
      drop();
      return core::Err{RedisError{"AUTH failed: " + r.error().message, true}};
    }
  }
  if (url.db != 0) {
    const std::string db = std::to_string(url.db);
    const std::string_view select[] = {"SELECT", db};
    if (auto r = run(select); !r) {
      drop();
      return core::Err{RedisError{"SELECT " + db + " failed: " + r.error().message, true}};
    }
  }
  return true;
}

/// Asks each sentinel in turn (the last one that answered first) for the
/// primary's address. Fails (Io) if none knows it.
core::Result<HostPort, RedisError> RedisConnection::ask_sentinels() {
  std::string why;
  const std::size_t n = endpoint_.sentinels.size();
  for (std::size_t i = 0; i < n; ++i) {
    const std::size_t at = (sentinel_ + i) % n;
    auto answer = ask_sentinel(endpoint_.sentinels[at], endpoint_.master, timeout_);
    if (answer) {
      sentinel_ = at;
      return std::move(*answer);
    }
    why += (why.empty() ? "" : "; ") + answer.error();
  }
  return core::Err{RedisError{"no sentinel names a primary for '" + endpoint_.master + "': " + why, true}};
}

/// ROLE of the connected node must be "master": a replica, or a demoted
/// primary the sentinels have not reconfigured yet, is never written to.
core::Result<bool, RedisError> RedisConnection::check_role() {
  const std::string_view role[] = {"ROLE"};
  auto r = run(role);
  if (!r) return core::Err{RedisError{"ROLE of " + connected_to_.describe() + ": " + r.error().message, true}};
  const std::string_view what = reply::str(r->at(0));
  if (what != "master") {
    return core::Err{
        RedisError{connected_to_.describe() + " is not the primary (ROLE " + std::string(what.substr(0, 16)) + ")",
                   true}};
  }
  return true;
}

/// Sentinel mode, connected: once per kPrimaryRecheckMs, asks where the
/// primary is and checks ROLE; a moved primary means a new connection.
core::Result<bool, RedisError> RedisConnection::recheck_primary() {
  if (!clock_ || clock_() < next_recheck_ms_) return true;
  next_recheck_ms_ = clock_() + kPrimaryRecheckMs;
  auto primary = ask_sentinels();
  if (primary && *primary != connected_to_) {
    drop();  // a failover: connect to the promoted primary
    return ensure_connected();
  }
  // Sentinels unreachable: keep the connection, but only while ROLE agrees.
  if (auto role = check_role(); !role) {
    drop();
    return role;
  }
  return true;
}

core::Result<RedisReply, RedisError> RedisConnection::run(std::span<const std::string_view> args) {
  std::vector<const char*> argv;
  std::vector<std::size_t> lens;
  argv.reserve(args.size());
  lens.reserve(args.size());
  for (auto a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  redisReply* raw = limits_->command(ctx_, static_cast<int>(argv.size()), argv.data(), lens.data());
  if (raw == nullptr) {
    RedisError e{"I/O: " + read_error(), true};
    drop();  // PITFALLS: a context with err set is dead
    return core::Err{e};
  }
  RedisReply reply(raw);
  if (reply.is_error()) return core::Err{RedisError{std::string(reply.str()), false}};
  return reply;
}

core::Result<RedisReply, RedisError> RedisConnection::command(std::span<const std::string_view> args) {
  if (auto ok = ensure_connected(); !ok) return core::Err{ok.error()};
  auto r = run(args);
  if (!r && !r.error().io && primary_gone(r.error().message)) drop();
  return r;
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
  bool stale = false;  // a reply said this node is not a usable primary
  for (std::size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (limits_->get_reply(ctx_, &raw) != REDIS_OK || raw == nullptr) {
      RedisError e{"I/O: " + read_error(), true};
      drop();
      return core::Err{e};
    }
    replies.emplace_back(static_cast<redisReply*>(raw));
    if (replies.back().is_error() && primary_gone(replies.back().str())) stale = true;
  }
  if (stale) drop();
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
