// Fuzz target: RedisStore's reply parsers (server/store/redis_replies.h) on
// any reply tree Redis could send. The input is RESP bytes; hiredis's own
// reader (the code that parses what a real Redis sends) builds the trees,
// and every tree goes through every parser, with the reply limits
// RedisConnection reads with. A parser must never crash, read past a reply
// or accept what it promises to refuse.
#include <hiredis/hiredis.h>

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fuzz_seeds.h"
#include "server/store/redis_replies.h"
#include "server/store/reply_limits.h"

using namespace qbot::server;

namespace {

/// Every parser on `r` (and, for the list parsers, on its first elements).
void parse_all(const redisReply* r) {
  (void)replies::problems_of(r);
  if (auto s = replies::parse_server("fuzz-server", r); s && (s->info.host.empty() || s->info.port == 0)) std::abort();
  (void)replies::parse_polled(r);
  (void)replies::parse_rating(r);
  (void)replies::stream_result(r);
  (void)replies::decimal<std::uint64_t>(r, "fuzz");
  if (r != nullptr && r->type == REDIS_REPLY_ARRAY && r->elements >= 3) {
    (void)replies::parse_waiting(r->element[0], r->element[1], r->element[2]);
  }
  if (r != nullptr && r->type == REDIS_REPLY_STRING) {
    const std::string_view text(r->str, r->len);
    (void)replies::parse_inbox_entry(text);
    (void)replies::parse_marker(text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  redisReader* reader = redisReaderCreate();
  if (reader == nullptr) return 0;
  // As RedisConnection reads: without the bound, "*700000000" alone makes
  // hiredis 0.14 allocate 5.6 GB.
  ReplyLimits limits(reader);
  if (redisReaderFeed(reader, reinterpret_cast<const char*>(data), size) == REDIS_OK) {
    // A few replies per input at most: the rest is the next reply's bytes.
    for (int i = 0; i < 4; ++i) {
      void* reply = nullptr;
      if (redisReaderGetReply(reader, &reply) != REDIS_OK || reply == nullptr) break;
      parse_all(static_cast<const redisReply*>(reply));
      freeReplyObject(reply);
    }
  }
  redisReaderFree(reader);
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  const std::string tag(64, 'a');
  const char* seeds[] = {
      // A live-servers entry (HGETALL pairs).
      "*28\r\n$2\r\nid\r\n$1\r\ns\r\n$4\r\nhost\r\n$8\r\n10.0.0.1\r\n$4\r\nport\r\n$4\r\n7777\r\n$6\r\nregion\r\n$"
      "2\r\neu\r\n"
      "$8\r\ncapacity\r\n$2\r\n64\r\n$7\r\nplayers\r\n$1\r\n0\r\n$6\r\narenas\r\n$1\r\n1\r\n$7\r\nversion\r\n$5\r\n0.1."
      "0\r\n$6\r\nkey_fp\r\n$16\r\n00112233aabbccdd\r\n$7\r\nsent_ms\r\n$13\r\n1700000000000\r\n$6\r\nttl_ms\r\n$"
      "4\r\n5000"
      "\r\n$3\r\nmac\r\n$2\r\nab\r\n$12\r\nheartbeat_ms\r\n$13\r\n1700000000000\r\n$13\r\npending_seats\r\n$1\r\n0\r\n",
      // Script problems first, then a payload.
      "*2\r\n*1\r\n$21\r\nkey qbot:x is a string\r\n:1700000000000\r\n",
      // poll: waiting and assigned tickets.
      "*5\r\n$7\r\nwaiting\r\n$13\r\n1700000000000\r\n:0\r\n:3\r\n:1\r\n",
      ("*7\r\n$8\r\nassigned\r\n$13\r\n1700000000000\r\n$2\r\n42\r\n$8\r\n10.0.0.1\r\n$4\r\n7777\r\n$5\r\ntoken\r\n"
       "$2\r\nab\r\n"),
      // waiting tickets triple, rating, stream fields.
      "*3\r\n$20\r\n00000000000000000042\r\n$13\r\n1700000000000\r\n$4\r\ndata\r\n",
      "*4\r\n$4\r\n1500\r\n$3\r\n350\r\n$4\r\n0.06\r\n$1\r\n3\r\n",
      "*4\r\n$-1\r\n$-1\r\n$-1\r\n$-1\r\n",
      "*8\r\n$1\r\nr\r\n$3\r\nabc\r\n$5\r\nmatch\r\n$1\r\n7\r\n$6\r\nserver\r\n$1\r\ns\r\n$4\r\nmode\r\n$3\r\nffa\r\n",
      "$18446744073709551615\r\n",
      ":-1\r\n",
      // Once made hiredis ask for 5.6 GB: the bytes after a bulk are skipped
      // unchecked, so this array header follows a comma.
      "*5\r\n$7\r\nwaiting\r\n$13\r\n1700000000000\r,*700000000\r\n:0\r\n:1\r\n",
  };
  std::vector<std::vector<std::uint8_t>> out;
  for (const char* s : seeds) out.emplace_back(s, s + std::string_view(s).size());
  const std::string inbox = "$" + std::to_string(3 + tag.size()) + "\r\n42:" + tag + "\r\n";
  const std::string marker =
      "$" + std::to_string(64 + 1 + 64 + 4) + "\r\n" + std::string(64, 'b') + ":" + tag + ":1-0\r\n";
  out.emplace_back(inbox.begin(), inbox.end());
  out.emplace_back(marker.begin(), marker.end());
  return out;
}
