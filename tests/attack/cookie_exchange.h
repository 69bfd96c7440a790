#pragma once
// The hook for the pre-connect address proof (a stateless cookie the server
// hands out before it allocates an ENet peer; the client puts it in the
// 32-bit connect data of its CONNECT). With --cookie-exchange every attack
// that connects first obtains a cookie through this function, from the same
// socket it will connect from: the tool then acts as a legitimate but
// hostile client that has proven its address.
//
// The exchange is the one docs/PROTOCOL.md ("Connect cookie") documents;
// a server without it never answers, and --cookie-exchange then fails
// loudly rather than attacking silently without a cookie.
#include <chrono>
#include <cstdint>
#include <string>

#include "core/result.h"
#include "loopback.h"
#include "udp_socket.h"

namespace qbot::attack {

/// The connect data that proves `socket`'s address to `server`, or why it
/// could not be obtained (not implemented yet, no answer within `timeout`,
/// an answer that does not parse).
core::Result<std::uint32_t, std::string> exchange_cookie(UdpSocket& socket, const Target& server,
                                                         std::chrono::milliseconds timeout);

}  // namespace qbot::attack
