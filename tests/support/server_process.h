#pragma once
// A real qbot-server process on free ports, for integration tests.
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "process.h"

namespace qbot::test {

class ServerProcess {
 public:
  /// Starts qbot-server with `extra` flags on UDP `port` (0: a free one);
  /// waits until /metrics answers.
  explicit ServerProcess(std::vector<std::string> extra = {}, const std::string& tag = "server",
                         std::uint16_t port = 0);
  ~ServerProcess();

  std::uint16_t port() const { return port_; }
  std::uint16_t metrics_port() const { return metrics_port_; }
  std::string endpoint() const { return "127.0.0.1:" + std::to_string(port_); }
  Process& process() { return *process_; }

  /// The /metrics text, or "" if it could not be fetched.
  std::string scrape() const;
  /// Value of one sample, e.g. `qbot_rejects_total{reason="bad_message"}`.
  std::optional<double> metric(const std::string& sample) const;

 private:
  std::uint16_t port_;
  std::uint16_t metrics_port_;
  std::string dir_;
  std::unique_ptr<Process> process_;
};

/// Value of one sample in Prometheus text exposition.
std::optional<double> sample_value(const std::string& text, const std::string& sample);

/// Runs a program to completion (bounded); returns exit code and output.
struct RunResult {
  int exit_code = -1;
  std::string output;
};
RunResult run_program(const std::string& program, std::vector<std::string> args, const std::string& tag,
                      std::chrono::milliseconds timeout = std::chrono::seconds(120),
                      const std::string& stdin_file = "");

/// The flags of a matchmade fleet's server that plays fast enough for a
/// test (10 s matches, 1 s countdown and results, a matchmaking pass every
/// 200 ms, heartbeats every 500 ms, registry entries for 1.5 s, generous
/// per-IP limits for bots on loopback): everything but where Redis is and
/// the journal, which each test adds.
std::vector<std::string> fast_fleet_flags(const std::string& server_id, const std::string& token_secret,
                                          int match_duration_s = 10);

/// Reads a number field from a flat JSON object (our own reports).
std::optional<double> json_number(const std::string& json, const std::string& key);

}  // namespace qbot::test
