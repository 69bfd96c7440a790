// Tickets on Redis, the front door's side: enqueue, cancel/remove, poll.
// Layout: docs/REDIS.md "Tickets, queues and matches"; scripts in lua/.
// Every operation is one round trip, whatever the batch size (a front door
// polls all of its waiting clients at once).
#include "qbot/store/lua_scripts.h"
#include "server/store/record_codec.h"
#include "server/store/redis_store.h"

namespace qbot::server {
namespace {

std::optional<std::string> parse_text(const redisReply* r, std::size_t max) {
  if (!reply::is_string(r) || reply::str(r).size() > max) return std::nullopt;
  return std::string(reply::str(r));
}

/// A waiting ticket's {'waiting', created, rank or -1, queue length}.
std::optional<TicketStatus> parse_waiting(const redisReply* r, TicketStatus st) {
  const auto* rank = reply::at(r, 2);
  const auto* length = reply::at(r, 3);
  if (!reply::is_integer(rank) || !reply::is_integer(length) || reply::integer(length) < 0 ||
      reply::integer(length) > UINT32_MAX || reply::integer(rank) >= reply::integer(length)) {
    return std::nullopt;
  }
  st.state = TicketState::Waiting;
  st.queue_length = static_cast<std::uint32_t>(reply::integer(length));
  // Not in its queue (should not happen): report the end of the line.
  st.position = reply::integer(rank) < 0 ? st.queue_length : static_cast<std::uint32_t>(reply::integer(rank));
  return st;
}

/// An assigned ticket's {state, created, match, host, port, token}.
std::optional<TicketStatus> parse_assigned(const redisReply* r, TicketStatus st) {
  auto host = parse_text(reply::at(r, 3), kMaxHostBytes);
  auto token = parse_text(reply::at(r, 5), kMaxTokenBytes);
  if (!host || !token || !reply::is_string(reply::at(r, 2)) || !reply::is_string(reply::at(r, 4)) ||
      !parse_decimal(reply::str(reply::at(r, 2)), st.match_id) || st.match_id == 0 ||
      !parse_decimal(reply::str(reply::at(r, 4)), st.port)) {
    return std::nullopt;
  }
  st.state = TicketState::Assigned;
  st.host = std::move(*host);
  st.token = std::move(*token);
  return st;
}

/// One entry of the poll script's reply; nullopt if it is hostile.
std::optional<TicketStatus> parse_status(const redisReply* r) {
  if (!reply::is_array(r) || reply::size(r) < 2) return std::nullopt;
  const auto* state = reply::at(r, 0);
  TicketStatus st;
  if (!reply::is_string(state) || !reply::is_string(reply::at(r, 1)) ||
      !parse_decimal(reply::str(reply::at(r, 1)), st.created_ms)) {
    return std::nullopt;
  }
  if (reply::str(state) == "waiting" && reply::size(r) == 4) return parse_waiting(r, std::move(st));
  if (reply::str(state) == "assigned" && reply::size(r) == 6) return parse_assigned(r, std::move(st));
  return std::nullopt;
}

}  // namespace

StoreResult<Ticket> RedisStore::enqueue(const Ticket& ticket, std::uint32_t ttl_ms) {
  if (auto why = ticket_problem(ticket)) return core::Err{invalid_argument(*why)};
  if (ttl_ms == 0) return core::Err{invalid_argument("ticket ttl 0")};
  Ticket stored = ticket;
  stored.created_ms = 0;  // the `created` field holds Redis TIME
  const std::string keys[] = {ticket_key(ticket.account), queue_key(ticket.mode, ticket.region)};
  const std::string args[] = {std::to_string(ttl_ms), queue_member(ticket.account), ticket.mode, ticket.region,
                              encode_ticket(stored)};
  auto r = run_script(lua::kEnqueue, keys, args);
  if (!r) return io_error<Ticket>(r.error());
  if (!r->is_integer()) return io_error<Ticket>(RedisError{"enqueue: unexpected reply", false});
  if (r->integer() < 0) return core::Err{ticket_held(ticket.account)};
  stored.created_ms = static_cast<std::uint64_t>(r->integer());
  return stored;
}

StoreResult<bool> RedisStore::cancel_ticket(AccountId account) {
  const std::string keys[] = {ticket_key(account)};
  const std::string args[] = {prefix_ + "queue:", queue_member(account), "0"};  // '0': waiting tickets only
  auto r = run_script(lua::kDropTicket, keys, args);
  if (!r) return io_error<bool>(r.error());
  return r->integer() > 0;
}

StoreResult<bool> RedisStore::remove_ticket(AccountId account) {
  const std::string keys[] = {ticket_key(account)};
  const std::string args[] = {prefix_ + "queue:", queue_member(account), "1"};  // '1': in any state
  auto r = run_script(lua::kDropTicket, keys, args);
  if (!r) return io_error<bool>(r.error());
  return r->integer() > 0;
}

StoreResult<std::vector<std::optional<TicketStatus>>> RedisStore::poll_tickets(std::span<const AccountId> accounts,
                                                                               std::uint32_t ttl_ms) {
  using Out = std::vector<std::optional<TicketStatus>>;
  if (ttl_ms == 0) return core::Err{invalid_argument("ticket ttl 0")};
  if (accounts.size() > kMaxBatch) return core::Err{invalid_argument("too many tickets in one poll")};
  if (accounts.empty()) return Out{};
  std::vector<std::string> keys;
  std::vector<std::string> args;
  keys.reserve(accounts.size());
  args.reserve(accounts.size() + 2);
  args.push_back(std::to_string(ttl_ms));
  args.push_back(prefix_ + "queue:");
  for (const AccountId a : accounts) {
    keys.push_back(ticket_key(a));
    args.push_back(queue_member(a));
  }
  auto r = run_script(lua::kPollTickets, keys, args);
  if (!r) return io_error<Out>(r.error());
  Out out(accounts.size());
  if (!r->is_array() || r->size() != accounts.size()) {
    malformed_ += 1;
    return out;
  }
  for (std::size_t i = 0; i < accounts.size(); ++i) {
    if (reply::is_integer(r->at(i))) continue;  // gone
    out[i] = parse_status(r->at(i));
    if (!out[i]) malformed_ += 1;
  }
  return out;
}

}  // namespace qbot::server
