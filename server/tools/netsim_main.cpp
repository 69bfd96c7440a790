// qbot-netsim: a userspace UDP relay that makes loopback behave like a bad
// network (kernel netem is not available everywhere). Every client address
// that sends to --listen gets its own upstream socket to --target; datagrams
// in each direction are dropped, delayed (with jitter), duplicated or
// reordered as configured.
//   qbot-netsim --listen 127.0.0.1:7000 --target 127.0.0.1:7777 --loss 0.1 --delay-ms 60 --jitter-ms 15
// Per-direction overrides: --loss-up / --loss-down, --delay-ms-up, ... ("up" =
// client to server). Prints counters every --stats-s seconds and on exit.
#include <CLI/CLI.hpp>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>
#include <queue>
#include <random>
#include <vector>

#include "net/address.h"

namespace {

using Clock = std::chrono::steady_clock;

std::atomic<bool> g_stop{false};
void on_signal(int) { g_stop.store(true); }

struct Impairment {
  double loss = 0.0;       // probability a datagram is dropped
  double delay_ms = 0.0;   // one-way base delay
  double jitter_ms = 0.0;  // +- uniform
  double duplicate = 0.0;  // probability a datagram is sent twice
  double reorder = 0.0;    // probability a datagram is held back an extra delay_ms/2 + jitter
};

struct Counters {
  std::uint64_t in = 0, dropped = 0, duplicated = 0, reordered = 0, out = 0;
};

struct Pending {
  Clock::time_point due;
  std::uint64_t order;  // FIFO among equal due times
  int fd;
  sockaddr_in to;
  std::vector<std::uint8_t> bytes;
  bool operator>(const Pending& o) const { return due != o.due ? due > o.due : order > o.order; }
};

struct Flow {
  int upstream_fd = -1;  // socket towards the target, one per client address
  sockaddr_in client{};
  Clock::time_point last_seen;
};

bool to_sockaddr(const qbot::net::Endpoint& e, sockaddr_in& out) {
  std::memset(&out, 0, sizeof out);
  out.sin_family = AF_INET;
  out.sin_port = htons(e.port);
  return inet_pton(AF_INET, e.host.c_str(), &out.sin_addr) == 1;
}

std::uint64_t key_of(const sockaddr_in& a) {
  return (std::uint64_t{ntohl(a.sin_addr.s_addr)} << 16) | ntohs(a.sin_port);
}

class Relay {
 public:
  Relay(Impairment up, Impairment down, std::uint64_t seed) : up_(up), down_(down), rng_(seed) {}

  void schedule(const Impairment& imp, Counters& c, int fd, const sockaddr_in& to, const std::uint8_t* data,
                std::size_t n) {
    c.in += 1;
    if (chance(imp.loss)) {
      c.dropped += 1;
      return;
    }
    const int copies = chance(imp.duplicate) ? 2 : 1;
    if (copies == 2) c.duplicated += 1;
    for (int i = 0; i < copies; ++i) {
      double ms = imp.delay_ms + (imp.jitter_ms > 0 ? uniform(-imp.jitter_ms, imp.jitter_ms) : 0.0);
      if (chance(imp.reorder)) {
        c.reordered += 1;
        ms += imp.delay_ms / 2 + imp.jitter_ms + 1.0;
      }
      const auto due = Clock::now() + std::chrono::microseconds(static_cast<std::int64_t>(std::max(0.0, ms) * 1000.0));
      queue_.push({due, order_++, fd, to, std::vector<std::uint8_t>(data, data + n)});
    }
  }

  /// Sends what is due; returns ms until the next datagram is due (or -1).
  int flush(Counters& up_c, Counters& down_c, int upstream_marker_fd) {
    const auto now = Clock::now();
    while (!queue_.empty() && queue_.top().due <= now) {
      const Pending& p = queue_.top();
      ::sendto(p.fd, p.bytes.data(), p.bytes.size(), 0, reinterpret_cast<const sockaddr*>(&p.to), sizeof p.to);
      (p.fd == upstream_marker_fd ? down_c : up_c).out += 1;
      queue_.pop();
    }
    if (queue_.empty()) return -1;
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(queue_.top().due - now).count();
    return static_cast<int>(std::max<std::int64_t>(0, wait));
  }

  const Impairment up_, down_;

 private:
  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }

  std::mt19937_64 rng_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  std::uint64_t order_ = 0;
};

void print_stats(const Counters& up, const Counters& down, std::size_t flows) {
  std::printf("netsim flows %zu | up in %llu out %llu dropped %llu dup %llu reord %llu | down in %llu out %llu dropped "
              "%llu dup %llu reord %llu\n",
              flows, static_cast<unsigned long long>(up.in), static_cast<unsigned long long>(up.out),
              static_cast<unsigned long long>(up.dropped), static_cast<unsigned long long>(up.duplicated),
              static_cast<unsigned long long>(up.reordered), static_cast<unsigned long long>(down.in),
              static_cast<unsigned long long>(down.out), static_cast<unsigned long long>(down.dropped),
              static_cast<unsigned long long>(down.duplicated), static_cast<unsigned long long>(down.reordered));
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen = "127.0.0.1:7000", target = "127.0.0.1:7777";
  Impairment both;
  std::optional<double> loss_up, loss_down, delay_up, delay_down, jitter_up, jitter_down, dup_up, dup_down, reorder_up,
      reorder_down;
  std::uint64_t seed = 1;
  double stats_s = 0;
  std::size_t max_flows = 4096;

  CLI::App app{"qbot-netsim: UDP relay with loss, delay, jitter, duplication and reordering"};
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", listen, "Address clients send to (host:port)");
  app.add_option("--target", target, "Server address (host:port)");
  app.add_option("--loss", both.loss, "Drop probability, both directions (0..1)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay-ms", both.delay_ms, "One-way delay, ms, both directions")->check(CLI::Range(0.0, 10000.0));
  app.add_option("--jitter-ms", both.jitter_ms, "Uniform +- jitter on the delay, ms")->check(CLI::Range(0.0, 10000.0));
  app.add_option("--duplicate", both.duplicate, "Duplicate probability (0..1)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--reorder", both.reorder, "Probability a datagram is held back behind later ones (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--loss-up", loss_up, "Override --loss client->server")->check(CLI::Range(0.0, 1.0));
  app.add_option("--loss-down", loss_down, "Override --loss server->client")->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay-ms-up", delay_up, "Override --delay-ms client->server");
  app.add_option("--delay-ms-down", delay_down, "Override --delay-ms server->client");
  app.add_option("--jitter-ms-up", jitter_up, "Override --jitter-ms client->server");
  app.add_option("--jitter-ms-down", jitter_down, "Override --jitter-ms server->client");
  app.add_option("--duplicate-up", dup_up, "Override --duplicate client->server");
  app.add_option("--duplicate-down", dup_down, "Override --duplicate server->client");
  app.add_option("--reorder-up", reorder_up, "Override --reorder client->server");
  app.add_option("--reorder-down", reorder_down, "Override --reorder server->client");
  app.add_option("--seed", seed, "Random seed (runs are repeatable in what they drop)");
  app.add_option("--stats-s", stats_s, "Print counters every N seconds (0 = only at exit)");
  app.add_option("--max-flows", max_flows, "Client addresses relayed at once")->check(CLI::Range(1, 65536));
  CLI11_PARSE(app, argc, argv);

  Impairment up = both, down = both;
  if (loss_up) up.loss = *loss_up;
  if (loss_down) down.loss = *loss_down;
  if (delay_up) up.delay_ms = *delay_up;
  if (delay_down) down.delay_ms = *delay_down;
  if (jitter_up) up.jitter_ms = *jitter_up;
  if (jitter_down) down.jitter_ms = *jitter_down;
  if (dup_up) up.duplicate = *dup_up;
  if (dup_down) down.duplicate = *dup_down;
  if (reorder_up) up.reorder = *reorder_up;
  if (reorder_down) down.reorder = *reorder_down;

  auto listen_ep = qbot::net::parse_endpoint(listen);
  auto target_ep = qbot::net::parse_endpoint(target);
  sockaddr_in listen_addr{}, target_addr{};
  if (!listen_ep || !to_sockaddr(*listen_ep, listen_addr)) {
    std::fprintf(stderr, "--listen: expected IPv4 host:port, got '%s'\n", listen.c_str());
    return 2;
  }
  if (!target_ep || !to_sockaddr(*target_ep, target_addr)) {
    std::fprintf(stderr, "--target: expected IPv4 host:port, got '%s'\n", target.c_str());
    return 2;
  }
  const int front = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (front < 0 || ::bind(front, reinterpret_cast<sockaddr*>(&listen_addr), sizeof listen_addr) != 0) {
    std::fprintf(stderr, "--listen: cannot bind %s: %s\n", listen.c_str(), std::strerror(errno));
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::printf("qbot-netsim %s -> %s | up: loss %.3f delay %.0f+-%.0f ms dup %.3f reorder %.3f | down: loss %.3f delay "
              "%.0f+-%.0f ms dup %.3f reorder %.3f\n",
              listen.c_str(), target.c_str(), up.loss, up.delay_ms, up.jitter_ms, up.duplicate, up.reorder, down.loss,
              down.delay_ms, down.jitter_ms, down.duplicate, down.reorder);
  std::fflush(stdout);

  Relay relay(up, down, seed);
  Counters up_c, down_c;
  std::map<std::uint64_t, Flow> flows;       // by client address
  std::map<int, std::uint64_t> flow_by_fd;   // upstream socket -> client key
  std::vector<std::uint8_t> buf(65536);
  auto next_stats = Clock::now() + std::chrono::milliseconds(static_cast<std::int64_t>(stats_s * 1000));

  while (!g_stop.load()) {
    std::vector<pollfd> fds{{front, POLLIN, 0}};
    for (const auto& [fd, key] : flow_by_fd) fds.push_back({fd, POLLIN, 0});
    const int wait = relay.flush(up_c, down_c, front);
    ::poll(fds.data(), fds.size(), wait < 0 ? 50 : std::min(wait, 50));

    if (fds[0].revents & POLLIN) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const auto n = ::recvfrom(front, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n > 0) {
        auto it = flows.find(key_of(from));
        if (it == flows.end() && flows.size() < max_flows) {
          Flow f;
          f.client = from;
          f.upstream_fd = ::socket(AF_INET, SOCK_DGRAM, 0);
          if (f.upstream_fd >= 0) {
            it = flows.emplace(key_of(from), f).first;
            flow_by_fd[f.upstream_fd] = key_of(from);
          }
        }
        if (it != flows.end()) {
          it->second.last_seen = Clock::now();
          relay.schedule(relay.up_, up_c, it->second.upstream_fd, target_addr, buf.data(), static_cast<std::size_t>(n));
        }
      }
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      const auto n = ::recv(fds[i].fd, buf.data(), buf.size(), 0);
      if (n <= 0) continue;
      const Flow& f = flows.at(flow_by_fd.at(fds[i].fd));
      // Replies go out of the front socket so the client sees the relay's address.
      relay.schedule(relay.down_, down_c, front, f.client, buf.data(), static_cast<std::size_t>(n));
    }
    if (stats_s > 0 && Clock::now() >= next_stats) {
      next_stats += std::chrono::milliseconds(static_cast<std::int64_t>(stats_s * 1000));
      print_stats(up_c, down_c, flows.size());
    }
  }
  print_stats(up_c, down_c, flows.size());
  for (const auto& [fd, key] : flow_by_fd) ::close(fd);
  ::close(front);
  return 0;
}
