// Tickets on Redis, the front door's side: enqueue, cancel/remove, poll.
// Layout: docs/REDIS.md "Tickets, queues and matches"; scripts in lua/.
// Every operation is one round trip, whatever the batch size (a front door
// polls all of its waiting clients at once).
#include "qbot/store/lua_scripts.h"
#include "server/store/record_codec.h"
#include "server/store/record_tags.h"
#include "server/store/redis_store.h"

namespace qbot::server {

StoreResult<Ticket> RedisStore::enqueue(const Ticket& ticket, std::uint32_t ttl_ms) {
  if (auto why = ticket_problem(ticket)) return core::Err{invalid_argument(*why)};
  if (ttl_ms == 0) return core::Err{invalid_argument("ticket ttl 0")};
  Ticket stored = ticket;
  stored.created_ms = 0;  // the `created` field holds Redis TIME
  const std::string account = std::to_string(ticket.account);
  const std::string keys[] = {ticket_key(ticket.account), queue_key(ticket.mode, ticket.region)};
  const std::string args[] = {std::to_string(ttl_ms), queue_member(ticket.account), ticket.mode, ticket.region,
                              seal_.seal(tags::kTicket, account, encode_ticket(stored))};
  auto r = run_script(lua::kEnqueue, keys, args);
  if (!r) return io_error<Ticket>(r.error());
  if (!note_problems(*r, RecordKind::Ticket) || !reply::is_integer(r->at(1))) {
    return io_error<Ticket>(RedisError{"enqueue: unexpected reply", false});
  }
  if (reply::integer(r->at(1)) < 0) return core::Err{ticket_held(ticket.account)};
  stored.created_ms = static_cast<std::uint64_t>(reply::integer(r->at(1)));
  return stored;
}

StoreResult<bool> RedisStore::cancel_ticket(AccountId account) {
  const std::string keys[] = {ticket_key(account)};
  const std::string args[] = {prefix_ + "queue:", queue_member(account), "0"};  // '0': waiting tickets only
  auto r = run_script(lua::kDropTicket, keys, args);
  if (!r) return io_error<bool>(r.error());
  note_problems(*r, RecordKind::Ticket);
  return reply::integer(r->at(1)) > 0;
}

StoreResult<bool> RedisStore::remove_ticket(AccountId account) {
  const std::string keys[] = {ticket_key(account)};
  const std::string args[] = {prefix_ + "queue:", queue_member(account), "1"};  // '1': in any state
  auto r = run_script(lua::kDropTicket, keys, args);
  if (!r) return io_error<bool>(r.error());
  note_problems(*r, RecordKind::Ticket);
  return reply::integer(r->at(1)) > 0;
}

/// One ticket of the poll's reply: its status, nullopt when gone; a ticket
/// whose reply is malformed, or whose assignment's tag does not verify, is
/// counted and reads as gone (the client queues again).
std::optional<TicketStatus> RedisStore::checked_status(AccountId account, const redisReply* entry) {
  const std::string who = "ticket of account " + std::to_string(account);
  auto polled = replies::parse_polled(entry);
  if (!polled) {
    reject(RecordKind::Ticket, who + ": " + polled.error());
    return std::nullopt;
  }
  if (!*polled) return std::nullopt;
  replies::PolledTicket& p = **polled;
  if (p.repaired) health_.repaired_ticket(who + " was missing from its queue; put back in its place");
  if (p.status.state == TicketState::Assigned && !tags::assignment_ok(seal_, account, p.status, p.assignment_tag)) {
    reject(RecordKind::Ticket, who + ": assignment tag does not verify (not written by a matchmaker of this fleet)");
    return std::nullopt;
  }
  return std::move(p.status);
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
  // A reply of the wrong shape says nothing about any one ticket: the poll
  // failed (tickets live on for their TTL; the next poll tries again).
  if (!note_problems(*r, RecordKind::Ticket)) return io_error<Out>(RedisError{"poll: unexpected reply", false});
  if (r->size() != accounts.size() + 1) {
    reject(RecordKind::Ticket, "poll: reply has the wrong number of tickets");
    return io_error<Out>(RedisError{"poll: reply has the wrong number of tickets", false});
  }
  Out out(accounts.size());
  for (std::size_t i = 0; i < accounts.size(); ++i) out[i] = checked_status(accounts[i], r->at(i + 1));
  return out;
}

}  // namespace qbot::server
