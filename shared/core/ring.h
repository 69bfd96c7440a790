#pragma once
// Fixed-capacity ring keyed by a monotonically increasing number (a tick or a
// sequence): slot = key % N. A lookup checks the stored key, so a stale slot
// is never mistaken for a newer one.
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>

namespace qbot::core {

template <class T, std::size_t N>
class KeyedRing {
  static_assert(N > 0);

 public:
  T& put(std::uint32_t key, T value) {
    Slot& s = slots_[key % N];
    s.key = key;
    s.used = true;
    s.value = std::move(value);
    return s.value;
  }

  /// Claims the slot for `key` and returns its (old) value for reuse, so a
  /// caller can refill it without reallocating.
  T& reuse(std::uint32_t key) {
    Slot& s = slots_[key % N];
    s.key = key;
    s.used = true;
    return s.value;
  }

  T* find(std::uint32_t key) {
    Slot& s = slots_[key % N];
    return (s.used && s.key == key) ? &s.value : nullptr;
  }
  const T* find(std::uint32_t key) const {
    const Slot& s = slots_[key % N];
    return (s.used && s.key == key) ? &s.value : nullptr;
  }

  void clear() {
    for (auto& s : slots_) s.used = false;
  }

  static constexpr std::size_t capacity() { return N; }

 private:
  struct Slot {
    std::uint32_t key = 0;
    bool used = false;
    T value{};
  };
  std::array<Slot, N> slots_{};
};

}  // namespace qbot::core
