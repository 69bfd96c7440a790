#pragma once
// Bounds on what one Redis reply may make hiredis 0.14 allocate. Its reader
// allocates an array's element table as soon as it reads the header "*<n>"
// (no limit: `maxelements` came in hiredis 1.0), so 11 bytes from a broken or
// hostile Redis can ask for gigabytes, and it buffers a reply of any length.
// ReplyLimits caps the array slots of one reply (all levels together) and the
// bytes read for it. Past either bound the reply is refused: the read fails,
// the context is out of step with the stream and must be freed, and
// `refused()` names the bound.
#include <cstddef>
#include <string>

struct redisContext;
struct redisReader;
struct redisReadTask;
struct redisReply;
struct redisReplyObjectFunctions;

namespace qbot::server {

class ReplyLimits {
 public:
  /// Far above any reply of ours (the largest is a queue page of tickets).
  static constexpr std::size_t kMaxElements = std::size_t{1} << 20;
  static constexpr std::size_t kMaxBytes = std::size_t{64} << 20;

  /// Installs the element bound on `reader`; it must not read a reply after
  /// this is destroyed.
  explicit ReplyLimits(redisReader* reader);
  ReplyLimits(const ReplyLimits&) = delete;
  ReplyLimits& operator=(const ReplyLimits&) = delete;

  /// redisGetReply for a blocking context whose reader this limits: flushes
  /// what is queued, then reads until a whole reply is parsed. REDIS_OK with
  /// *reply set, or REDIS_ERR: `refused()` says which bound if one did,
  /// else c->errstr says what failed.
  int get_reply(redisContext* c, void** reply);

  /// redisCommandArgv through get_reply: the reply, or nullptr (see get_reply).
  redisReply* command(redisContext* c, int argc, const char** argv, const std::size_t* lens);

  /// Why the last reply was refused; empty if it was not.
  const std::string& refused() const { return refused_; }

 private:
  static void* create_string(const redisReadTask* task, char* str, std::size_t len);
  static void* create_array(const redisReadTask* task, int elements);
  static void* create_integer(const redisReadTask* task, long long value);
  static void* create_nil(const redisReadTask* task);
  static ReplyLimits& of(const redisReadTask* task);
  /// A new reply starts at the root task: the budgets start again.
  void start_if_root(const redisReadTask* task);

  redisReader* reader_;
  const redisReplyObjectFunctions* inner_;  // hiredis's own builders
  std::size_t elements_ = 0;                // array slots in the reply being read
  std::string refused_;
};

}  // namespace qbot::server
