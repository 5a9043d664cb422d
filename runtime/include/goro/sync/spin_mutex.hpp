// spin_mutex.hpp — the short lock that guards a channel, a semaphore root or a global queue.
//
// Critical sections under it are a few dozen instructions and never park, so a test-and-test-
// and-set spin with a pause beats a futex mutex, whose every contended call is a system call
// (benches/README, "Machine costs").
//
// Under contention a waiter backs off exponentially between polls (Anderson's backoff lock),
// from kFirstBackoff to kMaxBackoff pauses. A waiter that polls after every pause reads the
// lock's cache line out of the holder's core during each critical section and wins the lock at
// the first gap between two of the holder's operations, so the lock — and the channel data
// behind it — crosses cores on nearly every operation, each crossing a cache-line transfer that
// costs more than the operation. With backoff the holding core runs bursts of operations on
// warm lines and the lock changes cores a few times per backoff period instead (the
// measurements and the rejected bounds: benches/README, "Spin lock backoff"). Backoff is unfair,
// which is fine for a lock held for nanoseconds: a waiter still polls every kMaxBackoff pauses
// and the holder leaves gaps between operations.
//
// After kPausesBeforeYield pauses the holder was probably descheduled by the OS: yield the
// thread instead of burning the quantum it needs to finish.
#pragma once

#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace goro::sync {

#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
namespace det {
void relax() noexcept;
}
inline void spin_wait_deterministic() noexcept { det::relax(); }
#endif

inline void spin_pause() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  _mm_pause();
#elif defined(__aarch64__)
  asm volatile("yield");
#endif
}

class SpinMutex {
 public:
  void lock() noexcept {
    if (!locked_.exchange(true, std::memory_order_acquire)) return;
    lock_contended();
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) && !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  // Out of line and cold: the uncontended lock() is one exchange, and callers' code does not
  // depend on this loop's size.
  [[gnu::noinline, gnu::cold]] void lock_contended() noexcept {
    unsigned backoff = kFirstBackoff;  // pauses between polls: doubles per failed poll, up to kMaxBackoff
    unsigned paused = 0;
    for (;;) {
      while (locked_.load(std::memory_order_relaxed)) {
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
        spin_wait_deterministic();  // the holder needs the baton to unlock
        continue;
#endif
        for (unsigned i = 0; i < backoff; ++i) spin_pause();
        paused += backoff;
        if (backoff < kMaxBackoff) backoff *= 2;
        if (paused >= kPausesBeforeYield) {
          std::this_thread::yield();
          paused = 0;
        }
      }
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
    }
  }
  static constexpr unsigned kFirstBackoff = 4;          // a critical section plus a cache miss
  static constexpr unsigned kMaxBackoff = 256;          // ~6 µs of pauses (2026-12, 3a1fdcb)
  static constexpr unsigned kPausesBeforeYield = 1024;  // far beyond any critical section
  std::atomic<bool> locked_{false};
};

}  // namespace goro::sync
