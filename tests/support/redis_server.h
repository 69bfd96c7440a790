#pragma once
// A real redis-server on a free port, in its own temp dir, with no
// persistence. Tests that need Redis start one of these; nothing is faked.
#include <memory>
#include <string>

#include "process.h"

namespace qbot::test {

class RedisServer {
 public:
  RedisServer();  // throws if redis-server cannot start within 10 s
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
  /// Starts it again on the same port, empty (no persistence); throws like
  /// the constructor.
  void start();

 private:
  std::uint16_t port_;
  std::string dir_;
  std::unique_ptr<Process> process_;
};

}  // namespace qbot::test
