#include "server_process.h"

#include <signal.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <algorithm>

#include "http/http_client.h"
#include "ports.h"
#include "wait.h"

namespace qbot::test {
namespace {
/// The server's /metrics page, or nullopt while it does not answer 200.
std::optional<std::string> metrics_page(std::uint16_t port) {
  auto response = http::Client().get("http://127.0.0.1:" + std::to_string(port) + "/metrics");
  if (!response || !response->ok()) return std::nullopt;
  return std::move(response->body);
}
}  // namespace

ServerProcess::ServerProcess(std::vector<std::string> extra, const std::string& tag, std::uint16_t port)
    : port_(port != 0 ? port : free_udp_port()), metrics_port_(free_tcp_port()), dir_(temp_dir(tag)) {
  std::vector<std::string> args{"--bind",         "127.0.0.1", "--port",         std::to_string(port_),
                                "--metrics-bind", "127.0.0.1", "--metrics-port", std::to_string(metrics_port_),
                                "--log-level",    "debug"};
  // Its own result journal, not one shared in the working directory.
  if (std::find(extra.begin(), extra.end(), "--journal-dir") == extra.end()) {
    args.insert(args.end(), {"--journal-dir", dir_ + "/journal"});
  }
  args.insert(args.end(), extra.begin(), extra.end());
  process_ = std::make_unique<Process>(QBOT_SERVER_BIN, args, dir_ + "/server.log");
  const bool up = eventually([&] { return !process_->running() || metrics_page(metrics_port_).has_value(); },
                             std::chrono::seconds(15));
  if (!up || !process_->running()) throw std::runtime_error("qbot-server did not start:\n" + process_->log());
}

ServerProcess::~ServerProcess() {
  process_->signal(SIGTERM);
  process_->wait(std::chrono::seconds(5));
}

std::string ServerProcess::scrape() const { return metrics_page(metrics_port_).value_or(""); }

std::optional<double> ServerProcess::metric(const std::string& sample) const { return sample_value(scrape(), sample); }

std::optional<double> sample_value(const std::string& text, const std::string& sample) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    if (line.size() > sample.size() && line.compare(0, sample.size(), sample) == 0 && line[sample.size()] == ' ') {
      return std::strtod(line.c_str() + sample.size() + 1, nullptr);
    }
  }
  return std::nullopt;
}

RunResult run_program(const std::string& program, std::vector<std::string> args, const std::string& tag,
                      std::chrono::milliseconds timeout, const std::string& stdin_file) {
  const std::string dir = temp_dir(tag);
  RunResult r;
  if (!stdin_file.empty()) {
    // promtool reads metrics from stdin: run it through a shell redirect.
    std::string cmd = program;
    for (const auto& a : args) cmd += " '" + a + "'";
    cmd += " < '" + stdin_file + "'";
    args = {"-c", cmd};
    Process p("/bin/sh", args, dir + "/out.log");
    r.exit_code = p.wait(timeout).value_or(-1);
    r.output = p.log();
    return r;
  }
  Process p(program, args, dir + "/out.log");
  r.exit_code = p.wait(timeout).value_or(-1);
  r.output = p.log();
  return r;
}

std::vector<std::string> fast_fleet_flags(const std::string& server_id, const std::string& token_secret,
                                          int match_duration_s) {
  return {"--token-secret",
          token_secret,
          "--server-id",
          server_id,
          "--region",
          "local",
          "--match-duration",
          std::to_string(match_duration_s),
          "--countdown",
          "1",
          "--results-time",
          "1",
          "--matchmaker-interval-ms",
          "200",
          "--connections-per-ip",
          "1024",
          "--max-unwelcomed-per-ip",
          "1024",
          "--match-join-timeout",
          "5",
          "--heartbeat-ms",
          "500",
          "--registry-ttl-ms",
          "1500"};
}

std::optional<double> json_number(const std::string& json, const std::string& key) {
  const std::string needle = "\"" + key + "\":";
  const auto pos = json.find(needle);
  if (pos == std::string::npos) return std::nullopt;
  return std::strtod(json.c_str() + pos + needle.size(), nullptr);
}

}  // namespace qbot::test
