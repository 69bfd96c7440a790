#include "server/matchmaking/redis_store.h"

// TEMPORARY STUBS (being implemented): every function returns Invalid.
namespace qbot::server {

StoreResult<Rating> RedisStore::rating(AccountId /*account*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<bool> RedisStore::submit_result(const MatchResult& /*result*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }
StoreResult<std::vector<MatchResult>> RedisStore::results(std::size_t /*after*/, std::size_t /*count*/) { return core::Err{StoreError{"not implemented", StoreError::Kind::Invalid}}; }

}  // namespace qbot::server
