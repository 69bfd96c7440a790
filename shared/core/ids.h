#pragma once
// Every id the project passes around, in one place. 0 means "none" for all.
#include <cstdint>

namespace qbot {

using SessionId = std::uint64_t;  // one connection to one server process, numbered from 1 by the network layer
using ArenaId = std::uint32_t;    // an arena within one server process, from 1
using PlayerId = std::uint32_t;   // a player within one server process, from 1 (sent in Welcome)
using AccountId = std::uint64_t;  // a player account, fleet-wide (guests get a random one)
using MatchId = std::uint64_t;    // a matchmade match, fleet-wide
using BotId = std::uint32_t;      // a Q-Bot in one account's garage, from 1

namespace sim {
/// Entity id inside one world, as on the wire: bots 1..255, projectiles 256..65535.
using EntityId = std::uint16_t;
}  // namespace sim

}  // namespace qbot
