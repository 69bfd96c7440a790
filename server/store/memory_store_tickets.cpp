#include <algorithm>
#include <unordered_map>

#include "server/store/memory_store.h"
#include "server/store/record_codec.h"

namespace qbot::server {
namespace {

/// Takes a waiting ticket out of its queue (dropping the queue when empty).
template <class Queues>
void leave_queue(Queues& queues, const Ticket& t) {
  auto q = queues.find({t.mode, t.region});
  if (q == queues.end()) return;
  q->second.erase({t.created_ms, t.account});
  if (q->second.empty()) queues.erase(q);
}

}  // namespace

void MemoryStore::expire_tickets(std::chrono::milliseconds now) {
  for (auto it = tickets_.begin(); it != tickets_.end();) {
    auto next = std::next(it);
    if (it->second.expires <= now) erase_ticket(it);
    it = next;
  }
}

void MemoryStore::erase_ticket(std::map<AccountId, TicketEntry>::iterator it) {
  if (it->second.status.state == TicketState::Waiting) leave_queue(queues_, it->second.ticket);
  tickets_.erase(it);
}

StoreResult<Ticket> MemoryStore::enqueue(const Ticket& ticket, std::uint32_t ttl_ms) {
  if (auto why = ticket_problem(ticket)) return core::Err{invalid_argument(*why)};
  if (ttl_ms == 0) return core::Err{invalid_argument("ticket ttl 0")};
  const auto now = clock_();
  std::lock_guard lock(mu_);
  expire_tickets(now);
  if (tickets_.contains(ticket.account)) return core::Err{ticket_held(ticket.account)};
  TicketEntry& e = tickets_[ticket.account];
  e.ticket = ticket;
  e.ticket.created_ms = static_cast<std::uint64_t>(now.count());
  e.status = TicketStatus{};
  e.status.created_ms = e.ticket.created_ms;
  e.expires = now + std::chrono::milliseconds(ttl_ms);
  queues_[{ticket.mode, ticket.region}].insert({e.ticket.created_ms, ticket.account});
  return e.ticket;
}

StoreResult<bool> MemoryStore::cancel_ticket(AccountId account) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  expire_tickets(now);
  auto it = tickets_.find(account);
  if (it == tickets_.end() || it->second.status.state != TicketState::Waiting) return false;
  erase_ticket(it);
  return true;
}

StoreResult<bool> MemoryStore::remove_ticket(AccountId account) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  expire_tickets(now);
  auto it = tickets_.find(account);
  if (it == tickets_.end()) return false;
  erase_ticket(it);
  return true;
}

StoreResult<std::vector<std::optional<TicketStatus>>> MemoryStore::poll_tickets(std::span<const AccountId> accounts,
                                                                                std::uint32_t ttl_ms) {
  if (ttl_ms == 0) return core::Err{invalid_argument("ticket ttl 0")};
  const auto now = clock_();
  std::lock_guard lock(mu_);
  expire_tickets(now);
  // Places in each queue polled, counted in one walk per queue (not one per
  // ticket: a front door polls all of its waiting clients at once).
  std::map<QueueKey, std::unordered_map<AccountId, std::uint32_t>> places;
  auto place = [&](const Ticket& t) -> std::pair<std::uint32_t, std::uint32_t> {
    const QueueKey key{t.mode, t.region};
    auto q = queues_.find(key);
    if (q == queues_.end()) return {0, 0};  // unreachable: a waiting ticket is queued
    auto [p, fresh] = places.try_emplace(key);
    if (fresh) {
      std::uint32_t rank = 0;
      for (const auto& [created, account] : q->second) p->second[account] = rank++;
    }
    const auto length = static_cast<std::uint32_t>(q->second.size());
    auto r = p->second.find(t.account);
    return {r == p->second.end() ? length : r->second, length};
  };
  std::vector<std::optional<TicketStatus>> out;
  out.reserve(accounts.size());
  for (const AccountId account : accounts) {
    auto it = tickets_.find(account);
    if (it == tickets_.end()) {
      out.emplace_back(std::nullopt);
      continue;
    }
    TicketEntry& e = it->second;
    e.expires = now + std::chrono::milliseconds(ttl_ms);
    if (e.status.state == TicketState::Waiting) {
      std::tie(e.status.position, e.status.queue_length) = place(e.ticket);
    }
    out.emplace_back(e.status);
  }
  return out;
}

StoreResult<std::vector<Ticket>> MemoryStore::waiting_tickets(const std::string& mode, const std::string& region,
                                                              std::size_t limit) {
  if (!valid_mode(mode) || !valid_region(region)) {
    return core::Err{invalid_argument("invalid queue " + mode + ":" + region)};
  }
  const auto now = clock_();
  std::lock_guard lock(mu_);
  expire_tickets(now);
  std::vector<Ticket> out;
  auto q = queues_.find({mode, region});
  if (q == queues_.end()) return out;
  out.reserve(std::min(limit, q->second.size()));
  for (const auto& [created, account] : q->second) {
    if (out.size() >= limit) break;
    out.push_back(tickets_.at(account).ticket);
  }
  return out;
}

StoreResult<MatchId> MemoryStore::reserve_match_ids(std::uint32_t count) {
  if (count == 0) return core::Err{invalid_argument("reserve 0 match ids")};
  // As RedisStore: above the clock in microseconds too, so a restarted
  // process (whose journal may still hold results of the last one) never
  // hands out an id again.
  const auto now_us = static_cast<MatchId>(clock_().count()) * 1000;
  std::lock_guard lock(mu_);
  const MatchId first = std::max(next_match_id_, now_us + 1);
  if (first + count - 1 > kMaxMatchId) return core::Err{StoreError{"match ids exhausted", StoreError::Kind::Io}};
  next_match_id_ = first + count;
  return first;
}

StoreResult<std::vector<bool>> MemoryStore::assign_matches(std::span<const MatchAssignment> matches) {
  for (const auto& m : matches) {
    if (auto why = match_problem(m)) return core::Err{invalid_argument("match " + std::to_string(m.id) + ": " + *why)};
  }
  const auto now = clock_();
  std::lock_guard lock(mu_);
  expire_tickets(now);
  std::erase_if(matches_, [&](const auto& kv) { return kv.second.expires <= now; });
  std::vector<bool> out;
  out.reserve(matches.size());
  for (const auto& m : matches) {
    const bool claimable = !matches_.contains(m.id) && std::all_of(m.slots.begin(), m.slots.end(), [&](auto& s) {
      auto it = tickets_.find(s.account);
      return it != tickets_.end() && it->second.status.state == TicketState::Waiting;
    });
    out.push_back(claimable);
    if (!claimable) continue;
    for (const auto& s : m.slots) {
      auto it = tickets_.find(s.account);
      leave_queue(queues_, it->second.ticket);  // only waiting tickets are queued
      TicketStatus& st = it->second.status;
      st.state = TicketState::Assigned;
      st.position = 0;
      st.queue_length = 0;
      st.match_id = m.id;
      st.host = m.host;
      st.port = m.port;
      st.token = s.token;
    }
    matches_[m.id] = MatchEntry{m, now + std::chrono::milliseconds(kMatchRecordTtlMs)};
    inboxes_[m.server_id].push_back(m.id);
    pending_[m.server_id][m.id] = {static_cast<std::uint32_t>(m.slots.size()),
                                   now + std::chrono::milliseconds(kPendingSeatsMs)};
  }
  return out;
}

StoreResult<std::vector<MatchAssignment>> MemoryStore::take_matches(const std::string& server_id, std::size_t max) {
  if (!valid_server_id(server_id)) return core::Err{invalid_argument("invalid server id '" + server_id + "'")};
  const auto now = clock_();
  std::lock_guard lock(mu_);
  std::vector<MatchAssignment> out;
  auto inbox = inboxes_.find(server_id);
  if (inbox == inboxes_.end()) return out;
  for (std::size_t popped = 0; popped < max && !inbox->second.empty(); ++popped) {
    auto m = matches_.find(inbox->second.front());
    inbox->second.pop_front();
    if (m != matches_.end() && m->second.expires > now) out.push_back(m->second.record);
  }
  if (inbox->second.empty()) inboxes_.erase(inbox);
  return out;
}

StoreResult<std::optional<MatchAssignment>> MemoryStore::match(MatchId id) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  auto m = matches_.find(id);
  if (m == matches_.end() || m->second.expires <= now) return std::optional<MatchAssignment>{};
  return std::optional<MatchAssignment>{m->second.record};
}

}  // namespace qbot::server
