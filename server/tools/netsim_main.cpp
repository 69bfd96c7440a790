// qbot-netsim: a userspace UDP relay that makes loopback behave like a bad
// network (kernel netem is not available everywhere). Every client address
// that sends to --listen gets its own upstream socket to --target; datagrams
// in each direction are dropped, delayed (with jitter), duplicated or
// reordered as configured.
//   qbot-netsim --listen 127.0.0.1:7000 --target 127.0.0.1:7777 --loss 0.1 --delay-ms 60 --jitter-ms 15
// Per-direction overrides: --loss-up / --loss-down, --delay-ms-up, ... ("up" =
// client to server). Prints counters every --stats-s seconds and on exit.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

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
  std::uint64_t queue_full = 0;  // dropped because --max-queued datagrams were already waiting
};

struct Pending {
  Clock::time_point due;
  std::uint64_t order;  // FIFO among equal due times
  int fd;
  sockaddr_in to;
  std::vector<std::uint8_t> bytes;
  Counters* counters;  // the direction it belongs to (counts `out`)
  bool operator>(const Pending& o) const { return due != o.due ? due > o.due : order > o.order; }
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

/// The impairment itself: decides each datagram's fate and holds the delayed
/// ones (at most `max_queued`; more are dropped and counted) until due.
class Relay {
 public:
  Relay(std::uint64_t seed, std::size_t max_queued) : rng_(seed), max_queued_(max_queued) {}

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
      if (queue_.size() >= max_queued_) {
        c.queue_full += 1;
        continue;
      }
      double ms = imp.delay_ms + (imp.jitter_ms > 0 ? uniform(-imp.jitter_ms, imp.jitter_ms) : 0.0);
      if (chance(imp.reorder)) {
        c.reordered += 1;
        ms += imp.delay_ms / 2 + imp.jitter_ms + 1.0;
      }
      const auto due = Clock::now() + std::chrono::microseconds(static_cast<std::int64_t>(std::max(0.0, ms) * 1000.0));
      queue_.push({due, order_++, fd, to, std::vector<std::uint8_t>(data, data + n), &c});
    }
  }

  /// Sends what is due; returns ms until the next datagram is due (or -1).
  int flush() {
    const auto now = Clock::now();
    while (!queue_.empty() && queue_.top().due <= now) {
      const Pending& p = queue_.top();
      ::sendto(p.fd, p.bytes.data(), p.bytes.size(), 0, reinterpret_cast<const sockaddr*>(&p.to), sizeof p.to);
      p.counters->out += 1;
      queue_.pop();
    }
    if (queue_.empty()) return -1;
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(queue_.top().due - now).count();
    return static_cast<int>(std::max<std::int64_t>(0, wait));
  }

 private:
  bool chance(double p) { return p > 0 && std::uniform_real_distribution<double>(0, 1)(rng_) < p; }
  double uniform(double lo, double hi) { return std::uniform_real_distribution<double>(lo, hi)(rng_); }

  std::mt19937_64 rng_;
  std::size_t max_queued_;
  std::priority_queue<Pending, std::vector<Pending>, std::greater<>> queue_;
  std::uint64_t order_ = 0;
};

/// One upstream socket per client address, at most `max` of them; datagrams
/// from further addresses are dropped and counted in `refused`.
class Flows {
 public:
  explicit Flows(std::size_t max) : max_(max) {}
  ~Flows() {
    for (const auto& [fd, client] : by_fd_) ::close(fd);
  }
  Flows(const Flows&) = delete;
  Flows& operator=(const Flows&) = delete;

  /// The upstream socket for `client`, or -1 (table full, or no socket left).
  int upstream_for(const sockaddr_in& client) {
    if (const auto it = by_client_.find(key_of(client)); it != by_client_.end()) return it->second;
    if (by_client_.size() >= max_) {
      refused_ += 1;
      return -1;
    }
    const int fd = ::socket(AF_INET, SOCK_DGRAM, 0);
    if (fd < 0) {
      refused_ += 1;
      return -1;
    }
    by_client_[key_of(client)] = fd;
    by_fd_[fd] = client;
    return fd;
  }
  const sockaddr_in& client_of(int upstream_fd) const { return by_fd_.at(upstream_fd); }
  /// Appends one pollfd per upstream socket.
  void add_pollfds(std::vector<pollfd>& fds) const {
    for (const auto& [fd, client] : by_fd_) fds.push_back({fd, POLLIN, 0});
  }
  std::size_t size() const { return by_client_.size(); }
  std::uint64_t refused() const { return refused_; }

 private:
  std::size_t max_;
  std::map<std::uint64_t, int> by_client_;  // client address -> upstream socket
  std::map<int, sockaddr_in> by_fd_;        // upstream socket -> client address
  std::uint64_t refused_ = 0;
};

void print_counters(const char* direction, const Counters& c) {
  std::printf(" | %s in %llu out %llu dropped %llu dup %llu reord %llu full %llu", direction,
              static_cast<unsigned long long>(c.in), static_cast<unsigned long long>(c.out),
              static_cast<unsigned long long>(c.dropped), static_cast<unsigned long long>(c.duplicated),
              static_cast<unsigned long long>(c.reordered), static_cast<unsigned long long>(c.queue_full));
}

void print_stats(const Counters& up, const Counters& down, const Flows& flows) {
  std::printf("netsim flows %zu refused %llu", flows.size(), static_cast<unsigned long long>(flows.refused()));
  print_counters("up", up);
  print_counters("down", down);
  std::printf("\n");
  std::fflush(stdout);
}

/// Everything the command line sets.
struct Options {
  std::string listen = "127.0.0.1:7000", target = "127.0.0.1:7777";
  Impairment both;
  std::optional<double> loss_up, loss_down, delay_up, delay_down, jitter_up, jitter_down, dup_up, dup_down, reorder_up,
      reorder_down;
  std::uint64_t seed = 1;
  double stats_s = 0;
  std::size_t max_flows = 4096;
  std::size_t max_queued = 65536;
};

void add_flags(CLI::App& app, Options& o) {
  app.option_defaults()->always_capture_default();
  app.add_option("--listen", o.listen, "Address clients send to (host:port)");
  app.add_option("--target", o.target, "Server address (host:port)");
  app.add_option("--loss", o.both.loss, "Drop probability, both directions (0..1)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay-ms", o.both.delay_ms, "One-way delay, ms, both directions")->check(CLI::Range(0.0, 10000.0));
  app.add_option("--jitter-ms", o.both.jitter_ms, "Uniform +- jitter on the delay, ms")
      ->check(CLI::Range(0.0, 10000.0));
  app.add_option("--duplicate", o.both.duplicate, "Duplicate probability (0..1)")->check(CLI::Range(0.0, 1.0));
  app.add_option("--reorder", o.both.reorder, "Probability a datagram is held back behind later ones (0..1)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--loss-up", o.loss_up, "Override --loss client->server")->check(CLI::Range(0.0, 1.0));
  app.add_option("--loss-down", o.loss_down, "Override --loss server->client")->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay-ms-up", o.delay_up, "Override --delay-ms client->server");
  app.add_option("--delay-ms-down", o.delay_down, "Override --delay-ms server->client");
  app.add_option("--jitter-ms-up", o.jitter_up, "Override --jitter-ms client->server");
  app.add_option("--jitter-ms-down", o.jitter_down, "Override --jitter-ms server->client");
  app.add_option("--duplicate-up", o.dup_up, "Override --duplicate client->server");
  app.add_option("--duplicate-down", o.dup_down, "Override --duplicate server->client");
  app.add_option("--reorder-up", o.reorder_up, "Override --reorder client->server");
  app.add_option("--reorder-down", o.reorder_down, "Override --reorder server->client");
  app.add_option("--seed", o.seed, "Random seed (runs are repeatable in what they drop)");
  app.add_option("--stats-s", o.stats_s, "Print counters every N seconds (0 = only at exit)");
  app.add_option("--max-flows", o.max_flows, "Client addresses relayed at once")->check(CLI::Range(1, 65536));
  app.add_option("--max-queued", o.max_queued, "Datagrams held back at once (more are dropped and counted)")
      ->check(CLI::Range(1, 1 << 22));
}

/// --loss etc. with the -up / -down overrides applied.
Impairment direction(const Impairment& both, std::optional<double> loss, std::optional<double> delay,
                     std::optional<double> jitter, std::optional<double> duplicate, std::optional<double> reorder) {
  Impairment out = both;
  out.loss = loss.value_or(both.loss);
  out.delay_ms = delay.value_or(both.delay_ms);
  out.jitter_ms = jitter.value_or(both.jitter_ms);
  out.duplicate = duplicate.value_or(both.duplicate);
  out.reorder = reorder.value_or(both.reorder);
  return out;
}

/// Relays until SIGINT / SIGTERM: client datagrams arrive on `front` and go
/// out of their flow's upstream socket to `target`; replies go back out of
/// `front`, so the client sees the relay's address.
void serve(const Options& o, const Impairment& up, const Impairment& down, int front, const sockaddr_in& target) {
  Relay relay(o.seed, o.max_queued);
  Flows flows(o.max_flows);
  Counters up_c, down_c;
  std::vector<std::uint8_t> buf(65536);
  const auto stats_every = std::chrono::milliseconds(static_cast<std::int64_t>(o.stats_s * 1000));
  auto next_stats = Clock::now() + stats_every;
  while (!g_stop.load()) {
    std::vector<pollfd> fds{{front, POLLIN, 0}};
    flows.add_pollfds(fds);
    const int wait = relay.flush();
    ::poll(fds.data(), fds.size(), wait < 0 ? 50 : std::min(wait, 50));
    if (fds[0].revents & POLLIN) {
      sockaddr_in from{};
      socklen_t len = sizeof from;
      const auto n = ::recvfrom(front, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
      const int upstream = n > 0 ? flows.upstream_for(from) : -1;
      if (upstream >= 0) relay.schedule(up, up_c, upstream, target, buf.data(), static_cast<std::size_t>(n));
    }
    for (std::size_t i = 1; i < fds.size(); ++i) {
      if (!(fds[i].revents & POLLIN)) continue;
      const auto n = ::recv(fds[i].fd, buf.data(), buf.size(), 0);
      if (n > 0)
        relay.schedule(down, down_c, front, flows.client_of(fds[i].fd), buf.data(), static_cast<std::size_t>(n));
    }
    if (o.stats_s > 0 && Clock::now() >= next_stats) {
      next_stats += stats_every;
      print_stats(up_c, down_c, flows);
    }
  }
  print_stats(up_c, down_c, flows);
}

}  // namespace

/// The program; main() only adds the last line of defence around it.
int run_program(int argc, char** argv) {
  Options o;
  CLI::App app{"qbot-netsim: UDP relay with loss, delay, jitter, duplication and reordering"};
  add_flags(app, o);
  CLI11_PARSE(app, argc, argv);
  const Impairment up = direction(o.both, o.loss_up, o.delay_up, o.jitter_up, o.dup_up, o.reorder_up);
  const Impairment down = direction(o.both, o.loss_down, o.delay_down, o.jitter_down, o.dup_down, o.reorder_down);

  auto listen_ep = qbot::net::parse_endpoint(o.listen);
  auto target_ep = qbot::net::parse_endpoint(o.target);
  sockaddr_in listen_addr{}, target_addr{};
  if (!listen_ep || !to_sockaddr(*listen_ep, listen_addr)) {
    std::fprintf(stderr, "--listen: expected IPv4 host:port, got '%s'\n", o.listen.c_str());
    return 2;
  }
  if (!target_ep || !to_sockaddr(*target_ep, target_addr)) {
    std::fprintf(stderr, "--target: expected IPv4 host:port, got '%s'\n", o.target.c_str());
    return 2;
  }
  const int front = ::socket(AF_INET, SOCK_DGRAM, 0);
  if (front < 0 || ::bind(front, reinterpret_cast<sockaddr*>(&listen_addr), sizeof listen_addr) != 0) {
    std::fprintf(stderr, "--listen: cannot bind %s: %s\n", o.listen.c_str(), std::strerror(errno));
    return 2;
  }
  std::signal(SIGINT, on_signal);
  std::signal(SIGTERM, on_signal);
  std::printf(
      "qbot-netsim %s -> %s | up: loss %.3f delay %.0f+-%.0f ms dup %.3f reorder %.3f | down: loss %.3f delay "
      "%.0f+-%.0f ms dup %.3f reorder %.3f\n",
      o.listen.c_str(), o.target.c_str(), up.loss, up.delay_ms, up.jitter_ms, up.duplicate, up.reorder, down.loss,
      down.delay_ms, down.jitter_ms, down.duplicate, down.reorder);
  std::fflush(stdout);
  serve(o, up, down, front, target_addr);
  ::close(front);
  return 0;
}

int main(int argc, char** argv) {
  try {
    return run_program(argc, argv);
  } catch (const std::exception& e) {  // out of memory, a library's exception: say what, do not abort
    std::fprintf(stderr, "qbot-netsim: fatal: %s\n", e.what());
    return 1;
  }
}
