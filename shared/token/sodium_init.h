#pragma once
// Private to shared/token: libsodium must be initialised before any other
// call (docs/PITFALLS.md). Not part of the module's interface.
#include <sodium.h>

#include <cstdlib>

namespace qbot::token::detail {

// sodium_init is idempotent and thread-safe, but a function-local static makes
// the cost one atomic load after the first call. Without it libsodium may pick
// an unoptimized implementation and randombytes may not be seeded.
inline void ensure_sodium() {
  static const bool ready = [] {
    if (sodium_init() < 0) std::abort();  // no usable RNG: nothing secure can run
    return true;
  }();
  (void)ready;
}

}  // namespace qbot::token::detail
