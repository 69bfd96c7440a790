// Fuzz target: the config file reader (server/config.h: `--config FILE`,
// TOML/INI through CLI11, then validate()). The bytes go to a file and
// parse_config reads it as qbot-server would; it must refuse with a message,
// never throw or crash.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_seeds.h"
#include "server/config.h"

using namespace qbot::server;

namespace {
/// One file per process, rewritten for every input.
const std::string& config_path() {
  static const std::string path = [] {
    char name[] = "/tmp/qbot-fuzz-config-XXXXXX";
    const int fd = mkstemp(name);
    if (fd < 0) std::abort();
    close(fd);
    return std::string(name);
  }();
  return path;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::FILE* f = std::fopen(config_path().c_str(), "wb");
  if (f == nullptr) std::abort();
  if (size > 0 && std::fwrite(data, 1, size, f) != size) std::abort();
  std::fclose(f);
  const char* argv[] = {"qbot-server", "--config", config_path().c_str()};
  Config cfg;
  const ParseOutcome out = parse_config(3, argv, cfg);
  if (!out.run && out.exit_code == 0 && out.message.empty()) std::abort();  // a refusal always says why
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  std::vector<std::vector<std::uint8_t>> out;
  for (const std::string s : {
           "port = 7777\nregion = \"eu\"\nredis = \"redis://127.0.0.1:6379/0\"\n",
           "[network]\nport=7000\nbind=\"127.0.0.1\"\n",
           "tick-rate = 30\nspectator-rate = 60\n",
           "redis-sentinel = \"127.0.0.1:26379,127.0.0.1:26380\"\nredis-master = \"qbot\"\n",
           "token-secret = \"0123456789abcdef0123\"\nproduction = true\nrequire-cookie = true\n",
           "maps = [\"a\", \"b\"]\nunknown-option = 1\n",
       }) {
    out.emplace_back(s.begin(), s.end());
  }
  return out;
}
