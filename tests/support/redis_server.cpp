#include "redis_server.h"

#include <hiredis/hiredis.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
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

RedisServer::RedisServer() : RedisServer(Options{}) {}

RedisServer::RedisServer(Options options)
    : options_(std::move(options)), port_(free_tcp_port()), dir_(temp_dir("redis")) {
  start();
}

void RedisServer::start() {
  process_.reset();
  std::vector<std::string> args{"--port",       std::to_string(port_),       "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", options_.aof ? "yes" : "no", "--dir",  dir_};
  if (options_.aof) args.insert(args.end(), {"--appendfsync", "everysec"});
  args.insert(args.end(), options_.extra.begin(), options_.extra.end());
  process_ =
      std::make_unique<Process>(QBOT_REDIS_SERVER_BIN, args, dir_ + "/redis-" + std::to_string(++starts_) + ".log");
  const bool up = eventually([&] { return command({"PING"}) == "PONG"; }, std::chrono::seconds(10));
  if (!up) throw std::runtime_error("redis-server did not start: " + process_->log());
}

void RedisServer::stop() {
  process_->signal(SIGTERM);
  if (!process_->wait(std::chrono::seconds(10))) process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(5));
}

void RedisServer::kill() {
  process_->signal(SIGKILL);
  process_->wait(std::chrono::seconds(10));
}

void RedisServer::freeze() { process_->signal(SIGSTOP); }
void RedisServer::thaw() { process_->signal(SIGCONT); }

void RedisServer::wipe_data() {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
    if (entry.path().extension() != ".log") std::filesystem::remove_all(entry.path(), ec);
  }
}

std::vector<std::string> RedisServer::keys(const std::string& pattern) const {
  timeval tv{5, 0};
  std::unique_ptr<redisContext, void (*)(redisContext*)> c(redisConnectWithTimeout("127.0.0.1", port_, tv), &redisFree);
  if (!c || c->err) throw std::runtime_error("keys: cannot connect to redis");
  std::vector<std::string> out;
  std::string cursor = "0";
  for (int round = 0; round < 100000; ++round) {
    const char* argv[] = {"SCAN", cursor.c_str(), "MATCH", pattern.c_str(), "COUNT", "1000"};
    const std::size_t lens[] = {4, cursor.size(), 5, pattern.size(), 5, 4};
    std::unique_ptr<redisReply, void (*)(void*)> r(static_cast<redisReply*>(redisCommandArgv(c.get(), 6, argv, lens)),
                                                   &freeReplyObject);
    if (!r || r->type != REDIS_REPLY_ARRAY || r->elements != 2) throw std::runtime_error("keys: SCAN failed");
    cursor.assign(r->element[0]->str, r->element[0]->len);
    for (std::size_t i = 0; i < r->element[1]->elements; ++i) {
      out.emplace_back(r->element[1]->element[i]->str, r->element[1]->element[i]->len);
    }
    if (cursor == "0") return out;
  }
  throw std::runtime_error("keys: SCAN did not finish");
}

std::vector<std::uint64_t> RedisServer::match_ids() const {
  std::vector<std::uint64_t> ids;
  for (const std::string& key : keys("qbot:match:*")) ids.push_back(std::stoull(key.substr(11)));
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::string RedisServer::command(const std::vector<std::string>& args) const { return redis_command(port_, args); }

std::string redis_command(std::uint16_t port, const std::vector<std::string>& args) {
  timeval tv{2, 0};
  redisContext* c = redisConnectWithTimeout("127.0.0.1", port, tv);
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
