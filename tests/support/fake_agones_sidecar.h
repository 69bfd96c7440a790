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
// Every request is recorded (method, path, body, arrival time, what an
// optional observer saw at that moment). While
// set_up(false) every request is answered 503 (a sidecar not up yet) and
// still recorded, so tests can see the retries. Bodies that break the API
// (not JSON, an int64 given as a number) are answered 400 and recorded.
#include <chrono>
#include <cstdint>
#include <functional>
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
    int status = 0;    // what the fake answered
    std::string seen;  // what the observer returned
    std::chrono::steady_clock::time_point at;
  };

  /// Listens on 127.0.0.1:`listen_port` (0: an ephemeral port; port() is 0
  /// if it cannot listen), answering from the first request as set_up(`up`)
  /// says; the GameServer it describes has `address` and one port named
  /// "game" = `game_port`.
  FakeAgonesSidecar(std::string address, std::uint16_t game_port, std::uint16_t listen_port = 0, bool up = true);
  ~FakeAgonesSidecar();
  FakeAgonesSidecar(const FakeAgonesSidecar&) = delete;
  FakeAgonesSidecar& operator=(const FakeAgonesSidecar&) = delete;

  std::uint16_t port() const { return port_; }
  /// false: answer every request 503 (the sidecar is still starting).
  void set_up(bool up);
  /// The GameServer's state as GET /gameserver reports it ("Shutdown" asks the server to drain).
  void set_state(std::string state);

  /// Called for every request as it arrives, before it is answered; what it
  /// returns is kept in the Call's `seen` (e.g. whether the game port was
  /// listening when Ready came). Set it before the server under test starts.
  using Observer = std::function<std::string(const std::string& method, const std::string& path)>;
  void set_observer(Observer observer);

  std::vector<Call> calls() const;
  /// Calls to `path` that were answered 2xx.
  std::vector<Call> accepted(const std::string& path) const;
  /// A Counter as PATCHes left it (count, capacity); -1 when never set.
  std::pair<std::int64_t, std::int64_t> counter(const std::string& name) const;
  std::map<std::string, std::string> labels() const;

 private:
  static int handle(mg_connection* conn, void* self);
  int serve(mg_connection* conn);
  int answer(mg_connection* conn, const std::string& method, const std::string& path, const std::string& body,
             std::string seen);
  std::string game_server_json() const;                                 // mu_ held
  int patch_counter(const std::string& name, const std::string& body);  // mu_ held

  mg_context* ctx_ = nullptr;
  std::uint16_t port_ = 0;
  std::string address_;
  std::uint16_t game_port_;
  mutable std::mutex mu_;
  bool up_ = true;
  Observer observer_;
  std::string state_ = "Scheduled";
  std::vector<Call> calls_;
  std::map<std::string, std::pair<std::int64_t, std::int64_t>> counters_;
  std::map<std::string, std::string> labels_;
};

}  // namespace qbot::test
