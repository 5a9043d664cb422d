// mutex.hpp — a mutual-exclusion lock for goroutines; usable with std::lock_guard/unique_lock.
//
//   goro::Mutex m;
//   { std::lock_guard lock(m); ++shared_counter; }
//
// lock() parks the goroutine (never the worker thread) until the mutex is handed to it; unlock
// hands it to the longest waiter (FIFO). unlock() of an unlocked Mutex throws std::logic_error.
// The algorithm and its invariants are in goro/algo/mutex.hpp.
#pragma once

#include "goro/algo/mutex.hpp"
#include "goro/sync/runtime_sync.hpp"

namespace goro {

class Mutex {
 public:
  // lock() takes the mutex, parking while another goroutine holds it.
  void lock();
  // try_lock() takes the mutex only if it is free right now.
  bool try_lock() { return mutex_.try_lock(); }
  // unlock() releases the mutex (or hands it to the next waiter).
  void unlock();

 private:
  algo::Mutex<detail::RuntimeSync> mutex_;
};

}  // namespace goro
