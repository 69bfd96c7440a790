#include "server/matchmaking/memory_store.h"

// TEMPORARY STUBS (being implemented): every function returns Invalid.
namespace qbot::server {

StoreResult<BotRecord> MemoryStore::create_bot(AccountId /*account*/, const BotRecord& /*bot*/, std::uint32_t /*max_bots*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<BotRecord>> MemoryStore::list_bots(AccountId /*account*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<BotRecord> MemoryStore::update_bot(AccountId /*account*/, const BotRecord& /*bot*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<bool> MemoryStore::delete_bot(AccountId /*account*/, std::uint32_t /*bot_id*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }

}  // namespace qbot::server
