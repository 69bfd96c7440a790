// Fuzz target: what the store and the journal decode from bytes someone
// else wrote: bot, ticket and match records (record_codec.h), match results
// (result_codec.h: the stream's `r` field and every journal file), join and
// account tokens (token.h) and record tags. The first byte picks the
// decoder. A decoded record must encode back to the same bytes' meaning
// (decode(encode(x)) == x), or the target aborts.
#include <cstdint>
#include <cstdlib>
#include <span>
#include <string>
#include <string_view>

#include "fuzz_seeds.h"
#include "server/store/record_codec.h"
#include "server/store/result_codec.h"
#include "token/record_mac.h"
#include "token/token.h"

using namespace qbot;
using namespace qbot::server;

namespace {

const token::Key& fuzz_key() {
  static const token::Key key = token::derive_key("fuzz fleet secret");
  return key;
}

template <class Decode, class Encode>
void round_trip(std::string_view bytes, Decode decode, Encode encode) {
  auto first = decode(bytes);
  if (!first) return;
  auto second = decode(encode(*first));
  if (!second || !(*second == *first)) std::abort();  // a decoded record must survive its own encoding
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const std::span<const std::uint8_t> raw(data + 1, size - 1);
  switch (data[0] % 6) {
    case 0: round_trip(bytes, decode_bot, encode_bot); break;
    case 1: round_trip(bytes, decode_ticket, encode_ticket); break;
    case 2: round_trip(bytes, decode_match, encode_match); break;
    case 3: round_trip(bytes, decode_result, encode_result); break;
    case 4:
      (void)token::verify_join(fuzz_key(), raw, 0);
      (void)token::verify_account(fuzz_key(), raw);
      break;
    default: (void)token::from_hex32(bytes); (void)token::record_mac_verifies(fuzz_key(), {"server", bytes}, raw);
  }
  return 0;
}

std::vector<std::vector<std::uint8_t>> qbot_fuzz_seeds() {
  std::vector<std::vector<std::uint8_t>> out;
  auto add = [&out](std::uint8_t selector, const std::string& bytes) {
    std::vector<std::uint8_t> s{selector};
    s.insert(s.end(), bytes.begin(), bytes.end());
    out.push_back(std::move(s));
  };
  add(0, encode_bot(BotRecord{}));
  Ticket ticket;
  ticket.account = 42;
  ticket.mode = "ffa";
  ticket.region = "eu";
  ticket.front_door = "s";
  add(1, encode_ticket(ticket));
  MatchAssignment match;
  match.id = 7;
  match.mode = "ffa";
  match.region = "eu";
  match.server_id = "s";
  match.host = "10.0.0.1";
  match.port = 7777;
  match.slots.push_back({});
  match.slots.back().account = 42;
  add(2, encode_match(match));
  MatchResult result;
  result.match_id = 7;
  result.server_id = "s";
  result.mode = "ffa";
  result.rows.push_back({});
  result.rows.back().account = 42;
  result.rows.back().placement = 1;
  add(3, encode_result(result));
  token::JoinClaims join{1, 7, 42, "s", 1};
  add(4, token::sign_join(fuzz_key(), join));
  add(4, token::sign_account(fuzz_key(), {42, 1}));
  add(5, std::string(64, 'a'));
  return out;
}
