#pragma once
// Every session of the process, by id, the index of reconnect tokens
// (token -> session) that lets a dropped player take its slot back, and the
// counts per address and account that bound parked players. Pure
// bookkeeping: it sends nothing and decides no policy (what an expired
// deadline means is the caller's business).
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "server/session/session.h"

namespace qbot::server {

class SessionTable {
 public:
  /// A fresh AwaitingHello session; an existing one with the same id is kept
  /// (the network layer never reuses ids, so that is a no-op).
  Session& add(Session&& session);
  Session* find(SessionId id);
  const Session* find(SessionId id) const;
  /// Forgets the session and its reconnect token. No-op for an unknown id.
  void erase(SessionId id);
  /// Makes `s` Orphaned: a dropped player whose bot waits for a reconnect.
  /// Counted per address and account until the session is erased.
  void park(Session& s);

  /// Sessions whose peer came from `ip`, in any state (parked ones included).
  std::size_t from_ip(std::uint32_t ip) const;
  /// Parked (Orphaned) sessions of an address, of an account.
  std::size_t parked_from_ip(std::uint32_t ip) const;
  std::size_t parked_of_account(AccountId account) const;
  std::size_t parked() const { return parked_; }
  std::size_t size() const { return sessions_.size(); }
  bool empty() const { return sessions_.empty(); }

  /// Gives `s` a new random reconnect token (replacing and revoking its old one).
  void issue_reconnect_token(Session& s);
  /// Revokes `s`'s token (it can no longer be used to resume).
  void revoke_reconnect_token(Session& s);
  /// The session a reconnect token names; nullptr if none.
  Session* find_by_reconnect_token(std::string_view token);
  const Session* find_by_reconnect_token(std::string_view token) const;

  /// Ids of the sessions whose deadline is at or before `now` (in `out`,
  /// cleared first), and of the sessions in `state`. Ids, not pointers: the
  /// caller may remove sessions while it walks the list.
  void due(std::chrono::nanoseconds now, std::vector<SessionId>& out) const;
  void in_state(SessionState state, std::vector<SessionId>& out) const;

  auto begin() { return sessions_.begin(); }
  auto end() { return sessions_.end(); }
  auto begin() const { return sessions_.begin(); }
  auto end() const { return sessions_.end(); }

 private:
  struct AddressCount {
    std::size_t sessions = 0;
    std::size_t parked = 0;
  };
  std::unordered_map<SessionId, Session> sessions_;
  std::unordered_map<std::string, SessionId> by_reconnect_token_;
  std::unordered_map<std::uint32_t, AddressCount> by_ip_;
  std::unordered_map<AccountId, std::size_t> parked_by_account_;
  std::size_t parked_ = 0;
};

}  // namespace qbot::server
