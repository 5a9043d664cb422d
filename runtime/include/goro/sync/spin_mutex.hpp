// spin_mutex.hpp — the short lock that guards a channel, a semaphore root or a global queue.
//
// Critical sections under it are a few dozen instructions and never park, so a test-and-test-
// and-set spin with a pause beats a futex mutex (a system call costs ~1 µs on these machines).
// After kSpinsBeforeYield failed polls the holder was probably descheduled by the OS: yield the
// thread instead of burning the quantum it needs to finish.
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
    for (;;) {
      if (!locked_.exchange(true, std::memory_order_acquire)) return;
      int spins = 0;
      while (locked_.load(std::memory_order_relaxed)) {
        if (++spins < kSpinsBeforeYield) {
          spin_pause();
        } else {
          std::this_thread::yield();
          spins = 0;
        }
      }
    }
  }
  bool try_lock() noexcept {
    return !locked_.load(std::memory_order_relaxed) && !locked_.exchange(true, std::memory_order_acquire);
  }
  void unlock() noexcept { locked_.store(false, std::memory_order_release); }

 private:
  // 128 polls ≈ 1–4 µs with pause: longer than any critical section we have, shorter than a quantum.
  static constexpr int kSpinsBeforeYield = 128;
  std::atomic<bool> locked_{false};
};

}  // namespace goro::sync
