#include "redis_server.h"

#include <hiredis/hiredis.h>
#include <signal.h>

#include <stdexcept>

#include "ports.h"
#include "wait.h"

#ifndef QBOT_REDIS_SERVER_BIN
#define QBOT_REDIS_SERVER_BIN "redis-server"
#endif

namespace qbot::test {
namespace {
std::string render(const redisReply* r) {
  if (r == nullptr) return "(error)";
  switch (r->type) {
    case REDIS_REPLY_STRING:
    case REDIS_REPLY_STATUS:
    case REDIS_REPLY_ERROR: return std::string(r->str, r->len);
    case REDIS_REPLY_INTEGER: return std::to_string(r->integer);
    case REDIS_REPLY_NIL: return "(nil)";
    case REDIS_REPLY_ARRAY: {
      std::string s;
      for (std::size_t i = 0; i < r->elements; ++i) s += (i ? " " : "") + render(r->element[i]);
      return s;
    }
    default: return "?";
  }
}
}  // namespace

RedisServer::RedisServer() : port_(free_tcp_port()), dir_(temp_dir("redis")) { start(); }

void RedisServer::start() {
  process_.reset();
  process_ = std::make_unique<Process>(QBOT_REDIS_SERVER_BIN,
                                       std::vector<std::string>{"--port", std::to_string(port_), "--bind", "127.0.0.1",
                                                                "--save", "", "--appendonly", "no", "--dir", dir_},
                                       dir_ + "/redis.log");
  const bool up = eventually([&] { return command({"PING"}) == "PONG"; }, std::chrono::seconds(10));
  if (!up) throw std::runtime_error("redis-server did not start: " + process_->log());
}

void RedisServer::stop() {
  process_->signal(SIGTERM);
  if (!process_->wait(std::chrono::seconds(10))) process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(5));
}

std::string RedisServer::command(const std::vector<std::string>& args) const {
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port_, tv);
  if (c == nullptr || c->err) {
    if (c) redisFree(c);
    return "(connect error)";
  }
  std::vector<const char*> argv;
  std::vector<size_t> lens;
  for (const auto& a : args) {
    argv.push_back(a.data());
    lens.push_back(a.size());
  }
  auto* r = static_cast<redisReply*>(redisCommandArgv(c, static_cast<int>(argv.size()), argv.data(), lens.data()));
  std::string out = render(r);
  if (r) freeReplyObject(r);
  redisFree(c);
  return out;
}

}  // namespace qbot::test
