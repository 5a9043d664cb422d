// waitgroup.hpp — Go's sync.WaitGroup: wait() blocks until the counter returns to zero.
//
// Invariants:
//   - counter_ >= 0 (add() that would make it negative is a user error, reported by add());
//   - a waiter is queued only after it read counter_ != 0 under root_.lock_; whoever brings the
//     counter to zero takes root_.lock_ afterwards and wakes the whole queue. Either the waiter's
//     read is ordered after the decrement (it sees zero and returns), or its enqueue is ordered
//     before the waker's lock (the waker finds it): no lost wake-up.
// Lock order: root_.lock_ is a leaf lock.
#pragma once

#include <cstdint>

#include "goro/algo/sema.hpp"

namespace goro::algo {

template <class Sync>
class WaitGroup {
 public:
  // add() changes the counter by delta and returns the new value; when it reaches zero every
  // waiter is woken. A negative result is returned as is (the counter is restored first), for
  // the API layer to report.
  std::int64_t add(std::int64_t delta) {
    const std::int64_t value = counter_.fetch_add(delta, std::memory_order_acq_rel) + delta;
    if (value < 0) {
      counter_.fetch_sub(delta, std::memory_order_acq_rel);
      return value;
    }
    if (value == 0 && delta != 0) {
      root_.lock_.lock();
      ReadyList<Sync> to_ready;
      root_.wake_all_locked(to_ready);
      root_.lock_.unlock();
      to_ready.ready_all();
    }
    return value;
  }

  // wait() parks until the counter is zero. Returns cancelled if the runtime wound us down.
  OpStatus wait() {
    if (counter_.load(std::memory_order_acquire) == 0) return OpStatus::ok;
    root_.lock_.lock();
    if (counter_.load(std::memory_order_acquire) == 0) {
      root_.lock_.unlock();
      return OpStatus::ok;
    }
    return root_.park_locked();
  }

  std::int64_t count() const { return counter_.load(std::memory_order_acquire); }

 private:
  typename Sync::template atomic<std::int64_t> counter_{0};
  SemaRoot<Sync> root_;
};

}  // namespace goro::algo
