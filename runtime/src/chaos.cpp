// chaos.cpp — the perturbation behind the chaos Sync policy (goro/sync/chaos.hpp).
#include "goro/sync/chaos.hpp"

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <thread>

namespace goro::sync {

namespace {

std::uint64_t chaos_seed() {
  static const std::uint64_t seed = [] {
    const char* env = std::getenv("GORO_CHAOS_SEED");
    return env != nullptr ? std::strtoull(env, nullptr, 10) : 1ull;
  }();
  return seed;
}

std::atomic<std::uint64_t> thread_arrivals{0};

struct ChaosStream {
  std::uint64_t state;
  ChaosStream() : state((chaos_seed() + 1) * 0x9E3779B97F4A7C15ull + thread_arrivals.fetch_add(1) * 0xBF58476D1CE4E5B9ull) {
    if (state == 0) state = 1;
  }
  std::uint64_t next() {
    state ^= state >> 12;
    state ^= state << 25;
    state ^= state >> 27;
    return state * 0x2545F4914F6CDD1Dull;
  }
};

}  // namespace

void chaos_point() noexcept {
  thread_local ChaosStream stream;
  const std::uint64_t r = stream.next();
  // 1 in 16 points spins up to 256 pauses; 1 in 256 yields the OS thread.
  if ((r & 0xFF) == 0) {
    std::this_thread::yield();
  } else if ((r & 0xF) == 0) {
    const unsigned spins = static_cast<unsigned>((r >> 8) & 0xFF);
    for (unsigned i = 0; i < spins; ++i) spin_pause();
  }
}

}  // namespace goro::sync
