#include "server/store/counted_store.h"

#include <utility>

namespace qbot::server {

CountedStore::CountedStore(std::unique_ptr<Store> inner, Sink sink, Clock now_ms, std::uint64_t log_period_ms)
    : inner_(std::move(inner)), sink_(std::move(sink)), now_ms_(std::move(now_ms)), throttle_(log_period_ms) {}

void CountedStore::report(std::string_view op, std::uint64_t count, std::string why) {
  StoreFailure f{op, count, std::move(why)};
  {
    std::lock_guard lock(mu_);
    const LogThrottle::Verdict v = throttle_.note(op, now_ms_(), count);
    f.log = v.log;
    f.suppressed = v.suppressed;
  }
  sink_(f);
}

StoreResult<bool> CountedStore::heartbeat_server(const ServerInfo& info, std::uint32_t ttl_ms) {
  return counted("heartbeat_server", [&] { return inner_->heartbeat_server(info, ttl_ms); });
}
StoreResult<bool> CountedStore::deregister_server(const std::string& id) {
  return counted("deregister_server", [&] { return inner_->deregister_server(id); });
}
StoreResult<std::vector<ServerInfo>> CountedStore::live_servers() {
  return counted("live_servers", [&] { return inner_->live_servers(); });
}
StoreResult<RegistryView> CountedStore::registry_view() {
  return counted("registry_view", [&] { return inner_->registry_view(); });
}
StoreResult<BotRecord> CountedStore::create_bot(AccountId account, const BotRecord& bot, std::uint32_t max_bots) {
  return counted("create_bot", [&] { return inner_->create_bot(account, bot, max_bots); });
}
StoreResult<std::vector<BotRecord>> CountedStore::list_bots(AccountId account) {
  return counted("list_bots", [&] { return inner_->list_bots(account); });
}
StoreResult<BotRecord> CountedStore::update_bot(AccountId account, const BotRecord& bot) {
  return counted("update_bot", [&] { return inner_->update_bot(account, bot); });
}
StoreResult<bool> CountedStore::delete_bot(AccountId account, std::uint32_t bot_id) {
  return counted("delete_bot", [&] { return inner_->delete_bot(account, bot_id); });
}
StoreResult<Rating> CountedStore::rating(AccountId account) {
  return counted("rating", [&] { return inner_->rating(account); });
}
StoreResult<Ticket> CountedStore::enqueue(const Ticket& ticket, std::uint32_t ttl_ms) {
  return counted("enqueue", [&] { return inner_->enqueue(ticket, ttl_ms); });
}
StoreResult<bool> CountedStore::cancel_ticket(AccountId account) {
  return counted("cancel_ticket", [&] { return inner_->cancel_ticket(account); });
}
StoreResult<bool> CountedStore::remove_ticket(AccountId account) {
  return counted("remove_ticket", [&] { return inner_->remove_ticket(account); });
}
StoreResult<std::vector<std::optional<TicketStatus>>> CountedStore::poll_tickets(std::span<const AccountId> accounts,
                                                                                 std::uint32_t ttl_ms) {
  return counted("poll_tickets", [&] { return inner_->poll_tickets(accounts, ttl_ms); });
}
StoreResult<std::vector<Ticket>> CountedStore::waiting_tickets(const std::string& mode, const std::string& region,
                                                               std::size_t limit) {
  return counted("waiting_tickets", [&] { return inner_->waiting_tickets(mode, region, limit); });
}
StoreResult<MatchId> CountedStore::reserve_match_ids(std::uint32_t count) {
  return counted("reserve_match_ids", [&] { return inner_->reserve_match_ids(count); });
}
StoreResult<std::vector<bool>> CountedStore::assign_matches(std::span<const MatchAssignment> matches) {
  return counted("assign_matches", [&] { return inner_->assign_matches(matches); });
}
StoreResult<std::vector<MatchAssignment>> CountedStore::take_matches(const std::string& server_id, std::size_t max) {
  return counted("take_matches", [&] { return inner_->take_matches(server_id, max); });
}
StoreResult<std::optional<MatchAssignment>> CountedStore::match(MatchId id) {
  return counted("match", [&] { return inner_->match(id); });
}
StoreResult<bool> CountedStore::submit_result(const MatchResult& result) {
  return counted("submit_result", [&] { return inner_->submit_result(result); });
}
StoreResult<std::vector<MatchResult>> CountedStore::results(std::size_t after, std::size_t count) {
  return counted("results", [&] { return inner_->results(after, count); });
}

}  // namespace qbot::server
