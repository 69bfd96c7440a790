#include "server/results/result_journal.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fstream>

#include <spdlog/spdlog.h>

#include "server/store/result_codec.h"

namespace qbot::server {
namespace {

constexpr const char* kExtension = ".result";

std::string errno_text() { return std::strerror(errno); }

/// Writes all of `bytes` to a new file and fsyncs it.
core::Result<bool, std::string> write_synced(const std::filesystem::path& path, std::string_view bytes) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return core::Err{"create " + path.string() + ": " + errno_text()};
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = errno_text();
      ::close(fd);
      return core::Err{"write " + path.string() + ": " + why};
    }
    done += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    const std::string why = errno_text();
    ::close(fd);
    return core::Err{"fsync " + path.string() + ": " + why};
  }
  if (::close(fd) != 0) return core::Err{"close " + path.string() + ": " + errno_text()};
  return true;
}

/// Makes a rename in `dir` durable (the new directory entry itself).
core::Result<bool, std::string> sync_dir(const std::filesystem::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return core::Err{"open " + dir.string() + ": " + errno_text()};
  const int rc = ::fsync(fd);
  const std::string why = rc != 0 ? errno_text() : std::string();
  ::close(fd);
  if (rc != 0) return core::Err{"fsync " + dir.string() + ": " + why};
  return true;
}

/// The match id of a journal file name (`{digits}.result`), or 0.
MatchId match_id_of(const std::filesystem::path& file) {
  if (file.extension() != kExtension) return 0;
  const std::string stem = file.stem().string();
  MatchId id = 0;
  const auto [end, ec] = std::from_chars(stem.data(), stem.data() + stem.size(), id);
  if (ec != std::errc() || end != stem.data() + stem.size() || stem.empty() || stem[0] == '0') return 0;
  return id;
}

core::Result<std::string, std::string> read_small_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return core::Err{std::string("cannot open")};
  // One byte more than any valid result, so that a longer file is detected
  // without reading all of it.
  std::string bytes(kMaxEncodedResult + 1, '\0');
  in.read(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (in.bad()) return core::Err{std::string("cannot read")};
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

}  // namespace

ResultJournal::ResultJournal(std::filesystem::path dir) : dir_(std::move(dir)) {}

std::filesystem::path ResultJournal::path_of(MatchId id) const { return dir_ / (std::to_string(id) + kExtension); }

core::Result<bool, std::string> ResultJournal::save(const MatchResult& result) {
  if (auto problem = result_problem(result)) return core::Err{"not a storable result: " + *problem};
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) return core::Err{"create " + dir_.string() + ": " + ec.message()};
  const std::filesystem::path final_path = path_of(result.match_id);
  std::filesystem::path tmp = final_path;
  tmp += ".tmp";  // never listed by pending(): only a renamed file counts as saved
  if (auto w = write_synced(tmp, encode_result(result)); !w) return core::Err{w.error()};
  std::filesystem::rename(tmp, final_path, ec);
  if (ec) return core::Err{"rename " + tmp.string() + ": " + ec.message()};
  if (auto s = sync_dir(dir_); !s) return core::Err{s.error()};
  return true;
}

std::vector<MatchResult> ResultJournal::pending() {
  std::vector<MatchResult> out;
  std::error_code ec;
  std::filesystem::directory_iterator it(dir_, ec);
  if (ec) return out;  // no directory yet: nothing was ever saved
  std::vector<std::filesystem::path> files;
  for (; it != std::filesystem::directory_iterator(); it.increment(ec)) {
    if (ec) break;
    if (it->path().extension() == kExtension) files.push_back(it->path());
  }
  for (const auto& file : files) {
    const MatchId named = match_id_of(file);
    if (named == 0) {
      quarantine(file, "file name is not a match id");
      continue;
    }
    auto bytes = read_small_file(file);
    if (!bytes) {
      quarantine(file, bytes.error());
      continue;
    }
    auto result = decode_result(*bytes);
    if (!result) {
      quarantine(file, result.error());
      continue;
    }
    if (result->match_id != named) {
      quarantine(file, "holds match " + std::to_string(result->match_id));
      continue;
    }
    out.push_back(std::move(*result));
  }
  std::sort(out.begin(), out.end(), [](const MatchResult& a, const MatchResult& b) {
    return a.ended_ms != b.ended_ms ? a.ended_ms < b.ended_ms : a.match_id < b.match_id;
  });
  return out;
}

bool ResultJournal::remove(MatchId id) {
  std::error_code ec;
  const bool removed = std::filesystem::remove(path_of(id), ec);
  if (ec) spdlog::warn("result journal: cannot remove {}: {}", path_of(id).string(), ec.message());
  return removed;
}

void ResultJournal::set_aside(MatchId id, const std::string& reason) { quarantine(path_of(id), reason); }

void ResultJournal::quarantine(const std::filesystem::path& file, const std::string& reason) {
  std::filesystem::path bad = file;
  bad += ".bad";
  std::error_code ec;
  std::filesystem::rename(file, bad, ec);
  bad_files_ += 1;
  if (ec) {
    spdlog::error("result journal: {} is unusable ({}) and cannot be renamed: {}", file.string(), reason, ec.message());
  } else {
    spdlog::error("result journal: {} is unusable ({}); renamed to {}", file.string(), reason, bad.string());
  }
}

}  // namespace qbot::server
