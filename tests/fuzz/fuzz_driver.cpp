// Deterministic driver for fuzz targets when libFuzzer is not in use (gcc
// builds, CI): runs the seeds, then N mutations of them (bit flips, byte
// sets, truncations, splices, random tails) from a fixed RNG seed.
//   fuzz_x [--iterations N] [--seed S] [--write-corpus DIR] [FILE...]
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <vector>

#include "core/rng.h"
#include "fuzz_seeds.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
std::vector<std::uint8_t> mutate(qbot::core::Rng& rng, std::vector<std::uint8_t> in,
                                 const std::vector<std::vector<std::uint8_t>>& pool) {
  const int rounds = 1 + static_cast<int>(rng.below(4));
  for (int r = 0; r < rounds; ++r) {
    switch (rng.below(6)) {
      case 0:
        if (!in.empty())
          in[rng.below(static_cast<std::uint32_t>(in.size()))] ^= static_cast<std::uint8_t>(1u << rng.below(8));
        break;
      case 1:
        if (!in.empty())
          in[rng.below(static_cast<std::uint32_t>(in.size()))] = static_cast<std::uint8_t>(rng.next_u32());
        break;
      case 2:
        if (!in.empty()) in.resize(rng.below(static_cast<std::uint32_t>(in.size())));
        break;
      case 3: {
        const auto& other = pool[rng.below(static_cast<std::uint32_t>(pool.size()))];
        if (!other.empty()) {
          const auto at = rng.below(static_cast<std::uint32_t>(other.size()));
          in.insert(in.end(), other.begin() + at, other.end());
        }
        break;
      }
      case 4:
        for (std::uint32_t n = rng.below(16); n > 0; --n) in.push_back(static_cast<std::uint8_t>(rng.next_u32()));
        break;
      default:
        if (in.size() >= 4) {
          // Interesting integers at a random aligned offset.
          static const std::uint32_t kInteresting[] = {0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0xffffffff};
          const std::uint32_t v = kInteresting[rng.below(8)];
          const auto at = rng.below(static_cast<std::uint32_t>(in.size() - 3)) & ~3u;
          std::memcpy(in.data() + at, &v, 4);
        }
    }
  }
  return in;
}
}  // namespace

int main(int argc, char** argv) {
  std::uint64_t iterations = 100000, seed = 1;
  std::vector<std::string> files;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--iterations" && i + 1 < argc) iterations = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--seed" && i + 1 < argc) seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--write-corpus" && i + 1 < argc) {
      const std::string dir = argv[++i];
      int n = 0;
      for (const auto& s : qbot_fuzz_seeds()) {
        std::ofstream(dir + "/seed-" + std::to_string(n++), std::ios::binary)
            .write(reinterpret_cast<const char*>(s.data()), static_cast<std::streamsize>(s.size()));
      }
      return 0;
    } else files.push_back(a);
  }
  std::vector<std::vector<std::uint8_t>> pool = qbot_fuzz_seeds();
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    pool.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  for (const auto& s : pool) LLVMFuzzerTestOneInput(s.data(), s.size());
  qbot::core::Rng rng(seed);
  for (std::uint64_t i = 0; i < iterations; ++i) {
    auto input = mutate(rng, pool[rng.below(static_cast<std::uint32_t>(pool.size()))], pool);
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::printf("%llu inputs (%zu seeds + %llu mutations) without a crash\n",
              static_cast<unsigned long long>(pool.size() + iterations), pool.size(),
              static_cast<unsigned long long>(iterations));
  return 0;
}
