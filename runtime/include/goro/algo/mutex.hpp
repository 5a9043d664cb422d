// mutex.hpp — a goroutine mutex that parks goroutines instead of blocking the worker thread.
//
// state_ holds two bits: kLocked (someone owns the mutex) and kHasWaiters (the queue may be
// non-empty, so unlock() must take the slow path). Unlock with waiters hands ownership directly
// to the longest waiter (FIFO, like Go's starvation mode, always): the lock is never free while
// goroutines are queued, so a wake-up can neither be lost nor stolen by a barging locker.
//
// Invariants:
//   - kHasWaiters is set only under root_.lock_, before the locker parks; it is cleared only
//     under root_.lock_ when the queue becomes empty;
//   - state_ & kLocked == 0 implies state_ == 0 (the unlock slow path stores 0 or keeps kLocked);
//   - ownership passes to a woken waiter without the mutex ever reading unlocked.
// Lock order: root_.lock_ is a leaf lock.
//
// Rejected alternative: Go's normal mode (a woken waiter competes with new arrivals) gives more
// throughput under contention, but needs the woken/starving bits and a spinning protocol whose
// correctness is much harder to model-check; hand-off is the reference behaviour, and the
// contended benchmark shows its price.
#pragma once

#include <cstdint>

#include "goro/algo/sema.hpp"

namespace goro::algo {

template <class Sync>
class Mutex {
 public:
  static constexpr std::uint32_t kLocked = 1;
  static constexpr std::uint32_t kHasWaiters = 2;

  // try_lock() takes the mutex if it is free right now.
  bool try_lock() {
    std::uint32_t expected = 0;
    return state_.compare_exchange_strong(expected, kLocked, std::memory_order_acquire, std::memory_order_relaxed);
  }

  // lock() takes the mutex, parking until it is handed over. Returns cancelled if the runtime
  // wound the goroutine down while it waited (the mutex is then not held).
  OpStatus lock() {
    // Spin briefly: most critical sections are short and the owner is running on another worker.
    for (int spin = 0; spin < kSpins; ++spin) {
      if (try_lock()) return OpStatus::ok;
      Sync::relax();
    }
    root_.lock_.lock();
    for (;;) {
      std::uint32_t state = state_.load(std::memory_order_relaxed);
      if ((state & kLocked) == 0) {
        if (state_.compare_exchange_weak(state, kLocked, std::memory_order_acquire, std::memory_order_relaxed)) {
          root_.lock_.unlock();
          return OpStatus::ok;
        }
        continue;
      }
      if ((state & kHasWaiters) != 0 ||
          state_.compare_exchange_weak(state, state | kHasWaiters, std::memory_order_relaxed, std::memory_order_relaxed)) {
        break;
      }
    }
    // Ownership is handed to us by unlock(): an ok wake-up means we hold the mutex. The previous
    // critical section happens-before ours through the park/ready hand-over (Sync's contract).
    const OpStatus status = root_.park_locked();
    if (status == OpStatus::cancelled) {
      // We left the queue without being handed the mutex. If nobody else waits, clear
      // kHasWaiters (under root_.lock_, per the invariant), so unlock() takes its fast path and
      // never touches the Mutex after releasing it.
      root_.lock_.lock();
      if (root_.empty_locked()) {
        std::uint32_t state = state_.load(std::memory_order_relaxed);
        while ((state & kHasWaiters) != 0 &&
               !state_.compare_exchange_weak(state, state & ~kHasWaiters, std::memory_order_relaxed, std::memory_order_relaxed)) {
        }
      }
      root_.lock_.unlock();
    }
    return status;
  }

  // unlock() releases the mutex, or hands it to the longest waiter.
  void unlock() {
    std::uint32_t expected = kLocked;
    if (state_.compare_exchange_strong(expected, 0, std::memory_order_release, std::memory_order_relaxed)) return;
    root_.lock_.lock();
    ReadyList<Sync> to_ready;
    if (root_.wake_one_locked(to_ready)) {
      // Hand-off: stay locked; keep kHasWaiters only while someone is still queued.
      state_.store(root_.empty_locked() ? kLocked : (kLocked | kHasWaiters), std::memory_order_release);
    } else {
      state_.store(0, std::memory_order_release);
    }
    root_.lock_.unlock();
    to_ready.ready_all();
  }

  bool locked() const { return (state_.load(std::memory_order_relaxed) & kLocked) != 0; }

 private:
  // 64 polls ≈ 0.2–1 µs: a little longer than a typical critical section, far below a park.
  static constexpr int kSpins = 64;
  typename Sync::template atomic<std::uint32_t> state_{0};
  SemaRoot<Sync> root_;
};

}  // namespace goro::algo
