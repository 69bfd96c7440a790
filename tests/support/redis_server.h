#pragma once
// A real redis-server on a free port, in its own temp dir, with no
// persistence. Tests that need Redis start one of these; nothing is faked.
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "process.h"

namespace qbot::test {

class RedisServer {
 public:
  struct Options {
    bool aof = false;                // appendonly yes, fsync every second: a kill keeps what was synced
    std::vector<std::string> extra;  // more redis-server arguments
  };
  RedisServer();  // throws if redis-server cannot start within 10 s
  explicit RedisServer(Options options);
  std::uint16_t port() const { return port_; }
  std::string url(int db = 0) const { return "redis://127.0.0.1:" + std::to_string(port_) + "/" + std::to_string(db); }
  /// Runs one command through redis-cli-like hiredis call; returns the reply
  /// rendered as text ("(nil)", integers as digits, arrays space-joined).
  std::string command(const std::vector<std::string>& args) const;
  void flushall() const { command({"FLUSHALL"}); }
  Process& process() { return *process_; }
  /// Shuts the server down (SIGTERM, waits for the exit): clients now get
  /// connection errors, as when Redis is unreachable.
  void stop();
  /// Starts it again on the same port (empty without AOF, else with what the
  /// AOF kept); throws like the constructor.
  void start();
  /// SIGKILL, and waits for the exit: a crash (the AOF keeps what it synced).
  void kill();
  /// SIGSTOP / SIGCONT: Redis stops answering but keeps its connections.
  void freeze();
  void thaw();
  /// Deletes what Redis persisted (AOF, RDB): the next start() is empty. Stopped servers only.
  void wipe_data();
  /// Every key matching `pattern` (SCAN, bounded); throws if Redis does not answer.
  std::vector<std::string> keys(const std::string& pattern) const;
  /// The ids of every `qbot:match:{id}` record.
  std::vector<std::uint64_t> match_ids() const;

 private:
  Options options_;
  std::uint16_t port_;
  std::string dir_;
  int starts_ = 0;  // each start logs to its own file
  std::unique_ptr<Process> process_;
};

/// One command to the Redis (or Sentinel) on 127.0.0.1:port over a fresh
/// connection, rendered as RedisServer::command does; "(connect error)" if
/// nothing answers within 2 s.
std::string redis_command(std::uint16_t port, const std::vector<std::string>& args);

}  // namespace qbot::test
