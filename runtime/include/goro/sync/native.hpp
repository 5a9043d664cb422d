// native.hpp — the Sync policy the runtime ships with: std::atomic, plain cells, a spin lock,
// and parking mapped onto the goroutine scheduler.
//
// A Sync policy is the only door through which the shared algorithms (goro/algo/*.hpp) reach
// atomics, plain shared data, locks and parking. The same algorithm headers are instantiated with
//   NativeSync  — here, for the runtime;
//   ChaosSync   — goro/sync/chaos.hpp, native plus seeded perturbation, for stress;
//   RelacySync  — models/relacy_sync.hpp, for the model checker.
// What a Sync policy provides (the contract the algorithms rely on):
//   atomic<T>        std::atomic-like: load/store/exchange/compare_exchange_*/fetch_add/fetch_sub
//   var<T>           a plain (non-atomic) shared cell: load(), store(T), take() (move out, leave T{})
//                    — under Relacy every access is race-checked
//   mutex            lock()/unlock()/try_lock()
//   goroutine        what parks and is readied (a goroutine here, a Relacy thread in models)
//   current_goroutine()   the calling goroutine
//   park(ctx, unlock, arg)
//                    parks the calling goroutine until some other goroutine wins ctx.try_claim() and calls
//                    ready(ctx.goroutine). unlock(arg) runs once the goroutine is off its stack (Go's
//                    gopark(unlockf)): a waker can only find the waiter after that, so the wake-up
//                    can never be lost and never resumes a goroutine that is still running.
//   ready(goroutine) makes a parked goroutine runnable again
//   random(n)        a uniformly distributed number in [0, n) (select's poll order)
//   relax()          a spin-wait hint
//   fence(order)     std::atomic_thread_fence
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

#include "goro/sync/spin_mutex.hpp"

namespace goro::detail {
struct G;
}

namespace goro::algo {
template <class Sync>
struct WaitContext;
}

namespace goro::sync {

// PlainVar is var<T> for the native policies: a value with the var API and no overhead.
template <class T>
class PlainVar {
 public:
  PlainVar() = default;
  template <class... Args>
  explicit PlainVar(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...) {}
  T load() const { return value_; }
  void store(T value) { value_ = std::move(value); }
  T take() { return std::exchange(value_, T{}); }

 private:
  T value_{};
};

struct NativeSync {
  template <class T>
  using atomic = std::atomic<T>;
  template <class T>
  using var = PlainVar<T>;
  using mutex = SpinMutex;
  using goroutine = detail::G*;

  static goroutine current_goroutine() noexcept;
  static void park(algo::WaitContext<NativeSync>& ctx, void (*unlock)(void*), void* arg);
  static void ready(goroutine t) noexcept;
  static std::uint64_t random(std::uint64_t bound) noexcept;
  static void relax() noexcept { spin_pause(); }
  static void fence(std::memory_order order) noexcept { std::atomic_thread_fence(order); }
};

}  // namespace goro::sync
