#pragma once
// A stand-in for the Agones SDK sidecar (sdk-server), written from Agones'
// "REST Game Server Client API": the one fake in our tests, because the real
// sidecar cannot run here. civetweb serves, on 127.0.0.1:<port>:
//   POST /ready /allocate /health /shutdown      {} or an empty body -> {}
//   PUT  /metadata/label | /metadata/annotation   {"key","value"} -> {}
//   GET  /gameserver                              a GameServer (status.state,
//                                                 status.address, status.ports)
//   PATCH /v1beta1/counters/{name}                {"count"|"capacity"|"countDiff"}
//                                                 as int64 JSON strings -> the Counter
// Every request is recorded (method, path, body, arrival time). While
// set_up(false) every request is answered 503 (a sidecar not up yet) and
// still recorded, so tests can see the retries. Bodies that break the API
// (not JSON, an int64 given as a number) are answered 400 and recorded.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

struct mg_context;
struct mg_connection;

namespace qbot::test {

class FakeAgonesSidecar {
 public:
  struct Call {
    std::string method;
    std::string path;
    std::string body;
    int status = 0;  // what the fake answered
    std::chrono::steady_clock::time_point at;
  };

  /// Listens on 127.0.0.1 (an ephemeral port); the GameServer it describes
  /// has `address` and one port named "game" = `game_port`.
  FakeAgonesSidecar(std::string address, std::uint16_t game_port);
  ~FakeAgonesSidecar();
  FakeAgonesSidecar(const FakeAgonesSidecar&) = delete;
  FakeAgonesSidecar& operator=(const FakeAgonesSidecar&) = delete;

  std::uint16_t port() const { return port_; }
  /// false: answer every request 503 (the sidecar is still starting).
  void set_up(bool up);
  /// The GameServer's state as GET /gameserver reports it ("Shutdown" asks the server to drain).
  void set_state(std::string state);

  std::vector<Call> calls() const;
  /// Calls to `path` that were answered 2xx.
  std::vector<Call> accepted(const std::string& path) const;
  /// A Counter as PATCHes left it (count, capacity); -1 when never set.
  std::pair<std::int64_t, std::int64_t> counter(const std::string& name) const;
  std::map<std::string, std::string> labels() const;

 private:
  static int handle(mg_connection* conn, void* self);
  int serve(mg_connection* conn);
  int answer(mg_connection* conn, const std::string& method, const std::string& path, const std::string& body);
  std::string game_server_json() const;                                 // mu_ held
  int patch_counter(const std::string& name, const std::string& body);  // mu_ held

  mg_context* ctx_ = nullptr;
  std::uint16_t port_ = 0;
  std::string address_;
  std::uint16_t game_port_;
  mutable std::mutex mu_;
  bool up_ = true;
  std::string state_ = "Scheduled";
  std::vector<Call> calls_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> counters_;
  std::map<std::string, std::string> labels_;
};

}  // namespace qbot::test
