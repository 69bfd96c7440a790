#include "cookie_exchange.h"

namespace qbot::attack {

core::Result<std::uint32_t, std::string> exchange_cookie(UdpSocket& /*socket*/, const Target& server,
                                                         std::chrono::milliseconds /*timeout*/) {
  return core::Err{"--cookie-exchange: the pre-connect exchange with " + server.text() +
                   " is not implemented yet (tests/attack/cookie_exchange.cpp: implement it from docs/PROTOCOL.md)"};
}

}  // namespace qbot::attack
