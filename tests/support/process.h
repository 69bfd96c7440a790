#pragma once
// A child process started from a test (qbot-server, redis-server, ...),
// with stdout+stderr captured in a log file. Killed on destruction.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <sys/types.h>

namespace qbot::test {

class Process {
 public:
  Process(std::string program, std::vector<std::string> args, std::string log_path);
  ~Process();
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;

  bool running();
  void signal(int sig);
  /// Waits for exit up to `timeout`; the exit code (or 128+signal).
  std::optional<int> wait(std::chrono::milliseconds timeout);
  std::string log() const;
  const std::string& log_path() const { return log_path_; }
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::string log_path_;
};

/// A fresh temporary directory for one test.
std::string temp_dir(const std::string& tag);

/// The whole file ("" if it cannot be read).
std::string read_text(const std::string& path);

}  // namespace qbot::test
