#pragma once
// Plausibility check of a raw ENet datagram, run from ENet's intercept hook
// before ENet parses it. ENet silently discards malformed datagrams; this
// lets us COUNT them (a flood of garbage is something a host wants to see).
// It never drops anything itself: ENet remains the parser of record.
#include <cstddef>
#include <cstdint>
#include <span>

namespace qbot::net {

/// True if the datagram has a well-formed ENet 1.3 header and command list
/// (compressed datagrams are only checked up to the header, and are
/// implausible when the host has no decompressor, as ENet drops them).
bool plausible_enet_datagram(std::span<const std::uint8_t> datagram, std::size_t peer_count, bool compression);

}  // namespace qbot::net
