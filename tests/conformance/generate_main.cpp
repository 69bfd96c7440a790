// qbot-conformance-gen DIR: writes every conformance vector (DIR/<name>.bin
// and DIR/<name>.json) with the reference encoder. Run it after a wire change
// and commit the result; the conformance tests fail until then.
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "vectors.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s OUTPUT_DIR\n", argv[0]);
    return 2;
  }
  const std::filesystem::path dir(argv[1]);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    std::fprintf(stderr, "%s: %s\n", argv[1], ec.message().c_str());
    return 1;
  }
  const auto vectors = qbot::conformance::build_vectors();
  for (const auto& v : vectors) {
    std::ofstream bin(dir / (v.name + ".bin"), std::ios::binary | std::ios::trunc);
    bin.write(reinterpret_cast<const char*>(v.bytes.data()), static_cast<std::streamsize>(v.bytes.size()));
    std::ofstream json(dir / (v.name + ".json"), std::ios::trunc);
    json << qbot::conformance::description_text(v.description);
    if (!bin || !json) {
      std::fprintf(stderr, "%s: cannot write %s\n", argv[1], v.name.c_str());
      return 1;
    }
  }
  std::printf("%zu vectors written to %s\n", vectors.size(), argv[1]);
  return 0;
}
