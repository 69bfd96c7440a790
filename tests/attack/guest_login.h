#pragma once
// A guest's Hello over a RawPeer, and what the server answered: the part of
// the protocol (docs/PROTOCOL.md §2) the attacks that need a logged-in guest
// share.
#include <chrono>
#include <cstdint>
#include <string>

#include "proto/codec.h"
#include "raw_peer.h"

namespace qbot::attack {

enum class LoginOutcome : std::uint8_t { Welcomed, Rejected, Disconnected, TimedOut };

struct LoginResult {
  LoginOutcome outcome = LoginOutcome::TimedOut;
  proto::RejectReason reason = proto::RejectReason::Unknown;  // Rejected / Disconnected
};

/// Sends Hello{protocol_version, guest_name} on channel 0 of a connected
/// peer and waits up to `timeout` for Welcome, a Reject or the disconnect.
LoginResult login_guest(RawPeer& peer, proto::Encoder& encoder, const std::string& name,
                        std::chrono::milliseconds timeout);

/// Counts Snapshots among delivered packets (channel 1 that decode as one).
std::uint64_t count_snapshots(const std::vector<Delivered>& packets);

}  // namespace qbot::attack
