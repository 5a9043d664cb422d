// waitgroup.hpp — Go's sync.WaitGroup: wait() blocks until the counter returns to zero.
//
// state_ packs the counter (high 32 bits, signed) and the number of parked waiters (low 32
// bits) into one word, as Go's WaitGroup does. That is what makes the usual pattern safe:
//
//   WaitGroup wg; wg.add(n); go(... wg.done() ...); wg.wait();   // then wg goes out of scope
//
// The last done() must not touch the WaitGroup after a waiter may have returned. A waiter that
// sees the counter at zero returns at once, so done() reads the waiter count in the same atomic
// operation that brings the counter to zero: with no waiters it returns without touching the
// root (the object may already be gone); with waiters, those are parked and cannot return before
// done() wakes them, so the root is still alive while done() uses it.
//
// Invariants:
//   - counter >= 0 (add() that would make it negative is a user error, reported by add());
//   - waiters counts goroutines that incremented it under root_.lock_ and are (or are about to
//     be) queued in root_; it is reset to zero by the add() that releases them, and decremented
//     by a waiter that leaves without being released (cancellation);
//   - a waiter increments `waiters` and enqueues itself in one root_.lock_ hold, and the
//     releasing add() takes root_.lock_ after it read waiters > 0: it always finds them queued.
// Lock order: root_.lock_ is a leaf lock.
#pragma once

#include <cstdint>

#include "goro/algo/sema.hpp"

namespace goro::algo {

template <class Sync>
class WaitGroup {
 public:
  // add() changes the counter by delta and returns the new value; when it reaches zero every
  // waiter is woken. A delta that would make it negative is not applied: the negative value is
  // returned for the API layer to report.
  std::int64_t add(std::int64_t delta) {
    const std::uint64_t step = static_cast<std::uint64_t>(delta) << 32;
    // A CAS loop rather than fetch_add: a delta that would make the counter negative is refused
    // without ever being visible (no concurrent done() sees a transient negative count).
    std::uint64_t state = state_.load(std::memory_order_relaxed);
    std::int64_t counter = 0;
    for (;;) {
      counter = counter_of(state) + delta;
      if (counter < 0) return counter;
      if (state_.compare_exchange_weak(state, state + step, std::memory_order_acq_rel, std::memory_order_relaxed)) break;
    }
    state += step;
    if (counter > 0 || waiters_of(state) == 0 || delta == 0) return counter;
    // counter == 0 with parked waiters: release them. No new waiter can join (they see zero).
    state_.store(0, std::memory_order_release);
    root_.lock_.lock();
    ReadyList<Sync> to_ready;
    root_.wake_all_locked(to_ready);
    root_.lock_.unlock();
    to_ready.ready_all();
    return counter;
  }

  // wait() parks until the counter is zero. Returns cancelled if the runtime wound us down.
  OpStatus wait() {
    if (counter_of(state_.load(std::memory_order_acquire)) == 0) return OpStatus::ok;
    root_.lock_.lock();
    std::uint64_t state = state_.load(std::memory_order_acquire);
    for (;;) {
      if (counter_of(state) == 0) {
        root_.lock_.unlock();
        return OpStatus::ok;
      }
      if (state_.compare_exchange_weak(state, state + 1, std::memory_order_acq_rel, std::memory_order_acquire)) break;
    }
    const OpStatus status = root_.park_locked();
    if (status == OpStatus::cancelled) {
      // We leave without being released: take our count back (unless a release reset it).
      root_.lock_.lock();
      std::uint64_t now = state_.load(std::memory_order_acquire);
      while (waiters_of(now) > 0 &&
             !state_.compare_exchange_weak(now, now - 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
      }
      root_.lock_.unlock();
    }
    return status;
  }

  std::int64_t count() const { return counter_of(state_.load(std::memory_order_acquire)); }

 private:
  static std::int64_t counter_of(std::uint64_t state) { return static_cast<std::int32_t>(state >> 32); }
  static std::uint32_t waiters_of(std::uint64_t state) { return static_cast<std::uint32_t>(state); }

  typename Sync::template atomic<std::uint64_t> state_{0};  // counter << 32 | waiters
  SemaRoot<Sync> root_{WaitReason::waitgroup};
};

}  // namespace goro::algo
