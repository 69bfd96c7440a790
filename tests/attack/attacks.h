#pragma once
// The attacks, one function each (one .cpp each). Every one is bounded in
// count and time (its options, clamped by --max-seconds), sends only to the
// Target, and returns its report line, or why it could not run.
#include <cstdint>
#include <string>

#include "attack_common.h"

namespace qbot::attack {

using Outcome = core::Result<Json, std::string>;

/// CONNECTs from distinct sources that never complete the handshake.
struct HalfOpenOptions {
  std::uint32_t sources = 4000;  // one CONNECT from each of base+1 .. base+sources
  double over_s = 10;            // spread over this long (0 = at once)
  std::string base = "127.1.0.0";
  double sustain_rate = 0;  // then this many CONNECTs per second (new sources) ...
  double sustain_s = 0;     // ... for this long
};
Outcome half_open(const Common& c, const HalfOpenOptions& o);

/// Full ENet handshakes that never send a Hello (each answers the server, so it stays up).
struct NoHelloOptions {
  std::uint32_t addresses = 20;  // client hosts on base+1 .. base+addresses
  std::string base = "127.20.0.0";
  std::uint32_t peers = 1100;  // at most this many at once, spread over the addresses
  double rate = 210;           // handshakes started per second
  double duration_s = 20;
};
Outcome no_hello(const Common& c, const NoHelloOptions& o);

/// One address logs in guests and drops them without the quit code.
struct ParkGuestsOptions {
  std::string address = "127.30.0.1";
  std::uint32_t logins = 1024;
  double rate = 0;      // logins per second, 0 = as fast as the server answers
  bool silent = false;  // vanish (close the socket) instead of an ENet disconnect without quit
  double duration_s = 60;
};
Outcome park_guests(const Common& c, const ParkGuestsOptions& o);

/// Reliable fragment sets that never complete.
struct FragmentOptions {
  std::string pattern = "huge";  // huge: a claimed fragmentCount with a tiny total; descending: tiny sets, last first
  std::uint32_t sets = 0;        // 0 = the pattern's default (huge 6000, descending 56000)
  std::uint32_t fragment_count = 0;  // 0 = the pattern's default (huge 1048576, descending 2)
  std::uint32_t total_length = 1;
  bool after_welcome = false;     // log in as a guest first
  std::uint32_t connections = 1;  // sets are split among this many peers (one address each)
  std::string base = "127.50.0.0";
  double hold_s = 3;  // stay connected (acknowledging) this long after the last set
};
Outcome fragment_bitmap(const Common& c, const FragmentOptions& o);

/// ENet transport commands in bulk from one connected peer.
struct TransportFloodOptions {
  std::uint64_t commands = 272000;
  double over_s = 10;
  std::string kind = "ping";        // ping | bandwidth | throttle | mixed
  std::uint32_t per_datagram = 32;  // ENet's own maximum of commands per datagram
  bool after_welcome = true;
  std::string address = "127.60.0.1";
};
Outcome transport_flood(const Common& c, const TransportFloodOptions& o);

/// Reply bytes against request bytes towards an address that proved nothing.
struct AmplificationOptions {
  std::string variant = "all";     // connect | bad-hello | cookie | all
  double listen_s = 4;             // how long replies are counted
  std::string base = "127.2.0.0";  // sources base+1 (connect), +2 (bad-hello), +3 (cookie)
};
Outcome amplification(const Common& c, const AmplificationOptions& o);

/// A handshake completed with guessed acknowledgements, never reading.
struct BlindHandshakeOptions {
  std::string source = "127.3.0.1";
  std::uint32_t peer_id_guesses = 1100;
  std::uint32_t ack_delay_ms = 100;    // after the CONNECT: the server must have sent its VERIFY_CONNECT
  std::uint32_t hello_delay_ms = 100;  // after the acknowledgements
  double listen_s = 2;                 // afterwards, read what came to see whether the session was ours
};
Outcome blind_handshake(const Common& c, const BlindHandshakeOptions& o);

/// Logged-in clients that stop answering (but the tool keeps counting).
struct StopReadingOptions {
  std::uint32_t clients = 20;
  std::string base = "127.40.0.0";
  double play_s = 2;       // logged in and answering first
  double observe_s = 100;  // then watch at most this long (ENet timeout + reconnect grace)
  double quiet_s = 3;      // done when nothing came for this long (and, with --metrics-url, freed)
};
Outcome stop_reading(const Common& c, const StopReadingOptions& o);

/// One well-behaved raw client: handshake, Hello, snapshots, quit. A check
/// that the tool speaks ENet (and the cookie exchange) correctly.
struct ProbeOptions {
  std::string address = "127.70.0.1";
  double seconds = 2;
};
Outcome probe(const Common& c, const ProbeOptions& o);

}  // namespace qbot::attack
