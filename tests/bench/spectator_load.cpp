// spectator_load: N WebSocket spectators against a qbot-server's HTTP
// port, for ops/spectator-cost.sh. Each opens /ws?arena=K (round robin over
// --arenas), acknowledges every frame as the page does, and at the end the
// tool prints one line: "spectators=N open=O frames=F refused=R".
// With --stall, spectators read nothing and never acknowledge (a page that
// stopped): the server must drop them.
#include <civetweb.h>
#include <CLI/CLI.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

namespace {

struct Spectator {
  mg_connection* conn = nullptr;
  std::atomic<std::uint64_t> frames{0};
  std::atomic<bool> refused{false};
  std::atomic<bool> closed{false};
  bool ack = true;
};

int on_data(mg_connection* conn, int bits, char* data, std::size_t size, void* user) {
  auto* s = static_cast<Spectator*>(user);
  if ((bits & 0xF) != MG_WEBSOCKET_OPCODE_TEXT) return 1;
  const std::string_view text(data, size);
  if (text.starts_with(R"({"type":"refused")")) s->refused = true;
  if (!text.starts_with(R"({"type":"frame")")) return 1;
  const std::uint64_t n = s->frames.fetch_add(1) + 1;
  if (s->ack) {
    const std::string ack = "ack " + std::to_string(n);
    mg_websocket_client_write(conn, MG_WEBSOCKET_OPCODE_TEXT, ack.data(), ack.size());
  }
  return 1;
}

void on_close(const mg_connection*, void* user) { static_cast<Spectator*>(user)->closed = true; }

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"spectator_load: WebSocket spectators for ops/spectator-cost.sh"};
  std::string host = "127.0.0.1";
  int port = 0;
  std::size_t count = 32;
  std::uint32_t arenas = 1;
  double seconds = 30;
  bool stall = false;
  app.add_option("--host", host, "Spectator host");
  app.add_option("--port", port, "The server's HTTP port (--metrics-port)")->required();
  app.add_option("--spectators", count, "How many");
  app.add_option("--arenas", arenas, "Arena ids 1..N, round robin");
  app.add_option("--seconds", seconds, "How long to watch");
  app.add_flag("--stall", stall, "Never acknowledge (a page that stopped reading)");
  CLI11_PARSE(app, argc, argv);
  mg_init_library(0);
  std::vector<Spectator> spectators(count);
  for (std::size_t i = 0; i < count; ++i) {
    Spectator& s = spectators[i];
    s.ack = !stall;
    const std::string path = "/ws?arena=" + std::to_string(1 + i % arenas);
    char error[256] = {0};
    s.conn = mg_connect_websocket_client(host.c_str(), port, 0, error, sizeof error, path.c_str(), nullptr, &on_data,
                                         &on_close, &s);
    if (s.conn == nullptr) std::fprintf(stderr, "spectator %zu: %s\n", i, error);
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // the watching itself, not a wait for an event
  std::uint64_t frames = 0;
  std::size_t open = 0, refused = 0;
  for (Spectator& s : spectators) {
    frames += s.frames.load();
    open += (s.conn != nullptr && !s.closed.load()) ? 1 : 0;
    refused += s.refused.load() ? 1 : 0;
  }
  std::printf("spectators=%zu open=%zu frames=%llu refused=%zu\n", count, open, static_cast<unsigned long long>(frames),
              refused);
  for (Spectator& s : spectators) {
    if (s.conn != nullptr) mg_close_connection(s.conn);
  }
  return 0;
}
