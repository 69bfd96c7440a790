#include "sentinel_cluster.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "ports.h"
#include "wait.h"

#ifndef QBOT_REDIS_SERVER_BIN
#define QBOT_REDIS_SERVER_BIN "redis-server"
#endif

namespace qbot::test {
namespace {

std::string sentinel_config(std::uint16_t port, const std::string& dir, std::uint16_t primary,
                            const SentinelCluster::Options& o) {
  const std::string m = SentinelCluster::kMaster;
  std::ostringstream c;
  c << "port " << port << "\nbind 127.0.0.1\ndir " << dir << "\n"
    << "sentinel monitor " << m << " 127.0.0.1 " << primary << " " << o.quorum << "\n"
    << "sentinel down-after-milliseconds " << m << " " << o.down_after_ms << "\n"
    << "sentinel failover-timeout " << m << " " << o.failover_timeout_ms << "\n"
    << "sentinel parallel-syncs " << m << " 1\n";
  return c.str();
}

}  // namespace

std::string reply_field(const std::string& rendered, const std::string& field) {
  std::istringstream in(rendered);
  std::string key, value;
  while (in >> key >> value) {
    if (key == field) return value;
  }
  return "";
}

SentinelCluster::SentinelCluster() : SentinelCluster(Options{}) {}

SentinelCluster::SentinelCluster(Options options) : options_(options), dir_(temp_dir("sentinel")) {
  primary_ = std::make_unique<RedisServer>();
  if (options_.replica) {
    RedisServer::Options r;
    r.extra = {"--replicaof", "127.0.0.1", std::to_string(primary_->port())};
    replica_ = std::make_unique<RedisServer>(r);
  }
  for (int i = 0; i < options_.sentinels; ++i) {
    const std::uint16_t port = free_tcp_port();
    const std::string dir = dir_ + "/s" + std::to_string(i);
    std::filesystem::create_directories(dir);
    const std::string conf = dir + "/sentinel.conf";
    std::ofstream(conf) << sentinel_config(port, dir, primary_->port(), options_);
    sentinel_ports_.push_back(port);
    sentinels_.push_back(
        std::make_unique<Process>(QBOT_REDIS_SERVER_BIN, std::vector<std::string>{conf, "--sentinel"}, dir + "/log"));
  }
  if (!eventually([&] { return ready(); }, std::chrono::seconds(30), std::chrono::milliseconds(100))) {
    throw std::runtime_error("the sentinels did not see the replica and each other within 30 s:\n" + logs());
  }
}

SentinelCluster::~SentinelCluster() = default;

bool SentinelCluster::ready() const {
  if (replica_ && replica_->command({"INFO", "replication"}).find("master_link_status:up") == std::string::npos) {
    return false;
  }
  for (const std::uint16_t port : sentinel_ports_) {
    const std::string master = redis_command(port, {"SENTINEL", "MASTER", kMaster});
    if (reply_field(master, "num-other-sentinels") != std::to_string(options_.sentinels - 1)) return false;
    if (replica_ && reply_field(master, "num-slaves") != "1") return false;
  }
  return true;
}

std::string SentinelCluster::sentinel_list() const {
  std::string out;
  for (const std::uint16_t port : sentinel_ports_)
    out += (out.empty() ? "" : ",") + ("127.0.0.1:" + std::to_string(port));
  return out;
}

std::optional<std::uint16_t> SentinelCluster::named_primary(std::size_t i) const {
  const std::string addr = redis_command(sentinel_ports_.at(i), {"SENTINEL", "get-master-addr-by-name", kMaster});
  const auto space = addr.find(' ');
  if (space == std::string::npos) return std::nullopt;
  try {
    return static_cast<std::uint16_t>(std::stoul(addr.substr(space + 1)));
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

bool SentinelCluster::all_name(std::uint16_t port) const {
  for (std::size_t i = 0; i < sentinel_ports_.size(); ++i) {
    if (named_primary(i) != port) return false;
  }
  return true;
}

std::string SentinelCluster::logs() const {
  std::string out;
  for (std::size_t i = 0; i < sentinels_.size(); ++i) {
    out += "--- sentinel " + std::to_string(i) + "\n" + sentinels_[i]->log().substr(0, 3000);
  }
  return out;
}

}  // namespace qbot::test
