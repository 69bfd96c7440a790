#include "server/session/session_table.h"

#include "proto/limits.h"
#include "token/token.h"

namespace qbot::server {

Session& SessionTable::add(Session&& session) {
  const SessionId id = session.id;
  const auto [it, added] = sessions_.try_emplace(id, std::move(session));
  if (added) by_ip_[it->second.ip].sessions += 1;
  return it->second;
}

Session* SessionTable::find(SessionId id) {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

const Session* SessionTable::find(SessionId id) const {
  auto it = sessions_.find(id);
  return it == sessions_.end() ? nullptr : &it->second;
}

void SessionTable::erase(SessionId id) {
  Session* s = find(id);
  if (s == nullptr) return;
  revoke_reconnect_token(*s);
  const auto ip = by_ip_.find(s->ip);
  if (ip != by_ip_.end()) {
    ip->second.sessions -= 1;
    if (s->counted_parked) ip->second.parked -= 1;
    if (ip->second.sessions == 0) by_ip_.erase(ip);
  }
  if (s->counted_parked) {
    parked_ -= 1;
    const auto account = parked_by_account_.find(s->account);
    if (account != parked_by_account_.end() && --account->second == 0) parked_by_account_.erase(account);
  }
  sessions_.erase(id);
}

void SessionTable::park(Session& s) {
  s.state = SessionState::Orphaned;
  if (s.counted_parked) return;
  s.counted_parked = true;
  by_ip_[s.ip].parked += 1;
  parked_by_account_[s.account] += 1;
  parked_ += 1;
}

std::size_t SessionTable::from_ip(std::uint32_t ip) const {
  const auto it = by_ip_.find(ip);
  return it == by_ip_.end() ? 0 : it->second.sessions;
}

std::size_t SessionTable::parked_from_ip(std::uint32_t ip) const {
  const auto it = by_ip_.find(ip);
  return it == by_ip_.end() ? 0 : it->second.parked;
}

std::size_t SessionTable::parked_of_account(AccountId account) const {
  const auto it = parked_by_account_.find(account);
  return it == parked_by_account_.end() ? 0 : it->second;
}

void SessionTable::issue_reconnect_token(Session& s) {
  revoke_reconnect_token(s);
  std::string token(proto::kReconnectTokenBytes, '\0');
  token::random_bytes({reinterpret_cast<std::uint8_t*>(token.data()), token.size()});
  by_reconnect_token_[token] = s.id;
  s.reconnect_token = std::move(token);
}

void SessionTable::revoke_reconnect_token(Session& s) {
  if (s.reconnect_token.empty()) return;
  auto it = by_reconnect_token_.find(s.reconnect_token);
  if (it != by_reconnect_token_.end() && it->second == s.id) by_reconnect_token_.erase(it);
  s.reconnect_token.clear();
}

Session* SessionTable::find_by_reconnect_token(std::string_view token) {
  auto it = by_reconnect_token_.find(std::string(token));
  return it == by_reconnect_token_.end() ? nullptr : find(it->second);
}

const Session* SessionTable::find_by_reconnect_token(std::string_view token) const {
  auto it = by_reconnect_token_.find(std::string(token));
  return it == by_reconnect_token_.end() ? nullptr : find(it->second);
}

void SessionTable::due(std::chrono::nanoseconds now, std::vector<SessionId>& out) const {
  out.clear();
  for (const auto& [id, s] : sessions_) {
    if (now >= s.deadline) out.push_back(id);
  }
}

void SessionTable::in_state(SessionState state, std::vector<SessionId>& out) const {
  out.clear();
  for (const auto& [id, s] : sessions_) {
    if (s.state == state) out.push_back(id);
  }
}

}  // namespace qbot::server
