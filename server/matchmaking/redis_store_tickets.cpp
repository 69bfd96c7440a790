#include "server/matchmaking/redis_store.h"

// TEMPORARY STUBS (being implemented): every function returns Invalid.
namespace qbot::server {

StoreResult<Ticket> RedisStore::enqueue(const Ticket& /*ticket*/, std::uint32_t /*ttl_ms*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<bool> RedisStore::cancel_ticket(AccountId /*account*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<bool> RedisStore::remove_ticket(AccountId /*account*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<std::optional<TicketStatus>>> RedisStore::poll_tickets(std::span<const AccountId> /*accounts*/, std::uint32_t /*ttl_ms*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<Ticket>> RedisStore::waiting_tickets(const std::string& /*mode*/, const std::string& /*region*/, std::size_t /*limit*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<MatchId> RedisStore::reserve_match_ids(std::uint32_t /*count*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<bool>> RedisStore::assign_matches(std::span<const MatchAssignment> /*matches*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<MatchAssignment>> RedisStore::take_matches(const std::string& /*server_id*/, std::size_t /*max*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::optional<MatchAssignment>> RedisStore::match(MatchId /*id*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }

}  // namespace qbot::server
