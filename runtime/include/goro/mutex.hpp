// mutex.hpp — a mutual-exclusion lock for goroutines; usable with std::lock_guard/unique_lock.
//
//   goro::Mutex m;
//   { std::lock_guard lock(m); ++shared_counter; }
//
// lock() spins briefly or parks the goroutine (never the worker thread) until it gets the mutex.
// Like Go's sync.Mutex it has two modes: normally a woken waiter competes with arriving
// goroutines (fast under contention), and a waiter that has waited more than 1 ms switches the
// mutex to direct hand-off in FIFO order until the queue drains (no waiter starves). unlock()
// of an unlocked Mutex throws std::logic_error. Destroy a Mutex only after every goroutine that
// used it has returned from its last call. The algorithm and its invariants are in
// goro/algo/mutex.hpp.
#pragma once

#include "goro/algo/mutex.hpp"
#include "goro/sync/runtime_sync.hpp"

namespace goro {

class Mutex {
 public:
  // lock() takes the mutex, spinning briefly or parking while another goroutine holds it. The
  // uncontended path is inline: one CAS.
  void lock() {
    if (!mutex_.try_lock()) lock_contended();
  }
  // try_lock() takes the mutex only if it is free right now.
  bool try_lock() { return mutex_.try_lock(); }
  // unlock() releases the mutex (wakes a waiter to compete for it, or hands it to the longest
  // waiter in starvation mode).
  void unlock() {
    if (!mutex_.locked()) throw_unlock_of_unlocked();
    mutex_.unlock();
  }

 private:
  void lock_contended();  // sync_api.cpp: outside a goroutine → logic_error; cancelled → throws
  [[noreturn]] static void throw_unlock_of_unlocked();
  algo::Mutex<detail::RuntimeSync, detail::RuntimeMutexHost> mutex_;
};

}  // namespace goro
