// spin_mutex.hpp — the short lock that guards a channel, a semaphore root or a global queue.
//
// Critical sections under it are a few dozen instructions and never park, so a test-and-test-
// and-set spin with a pause beats a futex mutex (a system call costs ~1 µs on these machines).
//
// Under contention a waiter backs off exponentially between polls (Anderson's backoff lock):
// 4 pauses at first (~100 ns here: a critical section plus a cache miss), doubling up to 256
// (~6 µs). A waiter that polls after every pause reads the lock's cache line out of the holder's
// core during each critical section and wins the lock at the first gap between two of the
// holder's operations, so the lock — and the channel data behind it — crosses cores on nearly
// every operation, each crossing a cache-line transfer that costs more than the operation. With
// backoff the holding core runs bursts of operations on warm lines and the lock changes cores a
// few times per backoff period instead. Measured (issue 13, go policy, 2 workers; one
// interleaved run per comparison, so compare within a pair): chan_mpmc cap 128 (4×4 goroutines
// on one channel) 545 → 124 µs per op with a 64-pause cap; cap 64 vs 256: 131 vs 118; cap 256
// vs 1024: 118 vs 117 (saturated); first backoff 1 vs 4 pauses: 116 vs 112. The others
// (select2, fanout_fanin, worker_pool, spawn_join, mutex_contended) within ±4 % in each run.
// Rejected: the lock on its own cache line away from the fields it guards (alignas(64) in the
// channel; within noise, fanout_fanin and worker_pool 5–6 % slower); starting at 8 pauses
// (chan_mpmc −1 % more, select2 +2 %, worker_pool +19 %); a 16-pause cap (chan_mpmc +26 %).
// Backoff is unfair, which is fine for a lock held for nanoseconds: a waiter polls at least
// every ~6 µs and the holder leaves gaps between operations.
//
// After kPausesBeforeYield pauses (~25 µs) the holder was probably descheduled by the OS: yield
// the thread instead of burning the quantum it needs to finish.
#pragma once

#include <atomic>
#include <thread>

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>
#endif

namespace goro::sync {

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
  static constexpr unsigned kFirstBackoff = 4;          // pauses (~100 ns)
  static constexpr unsigned kMaxBackoff = 256;          // pauses (~6 µs at ~24 ns per pause here)
  static constexpr unsigned kPausesBeforeYield = 1024;  // ~25 µs: far beyond any critical section
  std::atomic<bool> locked_{false};
};

}  // namespace goro::sync
