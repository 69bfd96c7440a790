#pragma once
// Connecting as every client must (docs/PROTOCOL.md, "Connecting: the
// address cookie"): the pre-connect exchange through NetHost::connect_cookie,
// then an ENet CONNECT carrying the cookie. Polls with a deadline.
#include <chrono>
#include <functional>
#include <optional>

#include "net/net_host.h"

namespace qbot::test {

/// Milliseconds on the steady clock (the client's clock for the exchange).
std::uint64_t steady_ms();

/// The connect data for `server` once its cookie arrived (0 if it never
/// answers: a server without cookies). `pump` runs between polls (it services
/// the server when that runs on this thread); events the client host sees
/// while waiting are discarded (a fresh host has none). Nullopt if `server`
/// does not resolve or nothing came within `timeout`.
std::optional<std::uint32_t> fetch_cookie(net::NetHost& client, const net::Endpoint& server,
                                          const std::function<void()>& pump = {},
                                          std::chrono::milliseconds timeout = std::chrono::seconds(5));

/// fetch_cookie, then NetHost::connect with the cookie. The Connect event
/// follows from the client's service(). Nullopt on any failure.
std::optional<net::PeerRef> connect_with_cookie(net::NetHost& client, const net::Endpoint& server,
                                                std::uint64_t user_data, const std::function<void()>& pump = {},
                                                std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace qbot::test
