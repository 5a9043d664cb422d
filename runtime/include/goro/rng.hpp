// rng.hpp — a small, fast, seedable generator (xorshift64*) for victim selection and select's
// poll order. Not for anything security-related.
//
//   goro::Rng rng(seed);
//   unsigned victim = static_cast<unsigned>(rng.below(workers));
#pragma once

#include <cstdint>

namespace goro {

class Rng {
 public:
  explicit Rng(std::uint64_t seed = 0x9E3779B97F4A7C15ull) : state_(seed == 0 ? 0x9E3779B97F4A7C15ull : seed) {}
  std::uint64_t next() {
    state_ ^= state_ >> 12;
    state_ ^= state_ << 25;
    state_ ^= state_ >> 27;
    return state_ * 0x2545F4914F6CDD1Dull;
  }
  // below() is uniform in [0, bound) (Lemire's multiply-shift; the bias is < bound / 2^64).
  std::uint64_t below(std::uint64_t bound) {
    __extension__ using u128 = unsigned __int128;
    return static_cast<std::uint64_t>((static_cast<u128>(next()) * bound) >> 64);
  }

 private:
  std::uint64_t state_;
};

}  // namespace goro
