#include "server/matchmaking/memory_store.h"

// TEMPORARY STUBS (being implemented): every function returns Invalid.
namespace qbot::server {

StoreResult<Ticket> MemoryStore::enqueue(const Ticket& /*ticket*/, std::uint32_t /*ttl_ms*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<bool> MemoryStore::cancel_ticket(AccountId /*account*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<bool> MemoryStore::remove_ticket(AccountId /*account*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<std::optional<TicketStatus>>> MemoryStore::poll_tickets(std::span<const AccountId> /*accounts*/, std::uint32_t /*ttl_ms*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<Ticket>> MemoryStore::waiting_tickets(const std::string& /*mode*/, const std::string& /*region*/, std::size_t /*limit*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<MatchId> MemoryStore::reserve_match_ids(std::uint32_t /*count*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<bool>> MemoryStore::assign_matches(std::span<const MatchAssignment> /*matches*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<MatchAssignment>> MemoryStore::take_matches(const std::string& /*server_id*/, std::size_t /*max*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::optional<MatchAssignment>> MemoryStore::match(MatchId /*id*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }

}  // namespace qbot::server
