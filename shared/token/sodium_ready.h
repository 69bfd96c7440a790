#pragma once
// Internal to shared/token: libsodium's one-time initialisation.
namespace qbot::token::detail {

/// Calls sodium_init once per process (thread-safe; later calls cost one
/// atomic load). Aborts if libsodium has no usable RNG: nothing secure can run.
void ensure_sodium();

}  // namespace qbot::token::detail
