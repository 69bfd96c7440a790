// Fuzz target: where the store's Redis is, from configuration or the
// environment (server/store/redis_url.h): parse_redis_url and
// parse_host_ports (the --redis-sentinel list). What parses must parse
// again from its own description to the same place, or the target aborts.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_seeds.h"
#include "server/store/redis_url.h"

using namespace qbot::server;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  if (auto url = parse_redis_url(text)) {
    auto again = parse_redis_url(url->describe());  // describe() leaves the password out
    if (!again || again->host != url->host || again->port != url->port || again->db != url->db) std::abort();
  }
  if (auto list = parse_host_ports(text)) {
    if (list->empty() || list->size() > 16) std::abort();
    RedisEndpoint where;
    where.sentinels = *list;
    where.master = "m";
    (void)where.describe();
    for (const HostPort& hp : *list) {
      auto again = parse_host_ports(hp.describe());
      if (!again || again->size() != 1 || !(again->front() == hp)) std::abort();
    }
  }
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  std::vector<std::vector<std::uint8_t>> out;
  for (const std::string s :
       {"redis://127.0.0.1:6379/0", "redis://:secret@redis.internal:6380/3", "redis://user:p@ss@h", "redis://h/",
        "127.0.0.1:26379,127.0.0.1:26380,127.0.0.1:26381", "[::1]:26379", "h:0", "redis://h:65536/1001"}) {
    out.emplace_back(s.begin(), s.end());
  }
  return out;
}
