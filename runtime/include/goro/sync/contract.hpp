// contract.hpp — the Sync policy contract: the one door through which an algorithm written over
// Sync (goro's own in goro/algo/*.hpp, or yours: `template <class Sync, class T> class MyChan`)
// reaches atomics, plain shared data, locks and parking.
//
// The same algorithm header is instantiated with
//   goro::RuntimeSync          the runtime's policy (NativeSync, ChaosSync in the chaos build,
//                              DeterministicSync in the deterministic one);
//   goro::sync::NativeSync     std::atomic, plain cells, a spin lock, parking on the scheduler;
//   goro::sync::ChaosSync      native plus seeded perturbation, for stress (goro/sync/chaos.hpp);
//   goro::sync::DeterministicSync  one thread at a time, every point a seeded decision, virtual
//                              time: replayable whole programs (goro/sync/deterministic.hpp);
//   RelacySync                 the model checker's (<goro/verify/relacy/sync.hpp>).
// An algorithm that touches shared state only through Sync runs unchanged in every world: that
// is what lets goro's models, stress runs and benchmarks check a user's code as they check goro's.
//
// What a Sync policy provides (SyncPolicy below checks the shape; the comments are the rules):
//   atomic<T>        std::atomic-like: load/store/exchange/compare_exchange_*/fetch_add/fetch_sub,
//                    each taking std::memory_order arguments as std::atomic does
//   var<T>           a plain (non-atomic) shared cell: load(), store(T), take() (move out, leave T{});
//                    under Relacy every access is race-checked, so every plain datum two goroutines
//                    can reach must be a var
//   mutex            lock()/unlock()/try_lock()
//   goroutine        what parks and is readied (a goroutine in the runtime, a Relacy thread in models)
//   current_goroutine()   the calling goroutine
//   park(ctx, unlock, arg)
//                    parks the calling goroutine until some other goroutine wins ctx.try_claim() and
//                    calls ready(ctx.goroutine). unlock(arg) runs once the goroutine is off its stack
//                    (Go's gopark(unlockf)): a waker can only find the waiter after that, so the
//                    wake-up can never be lost and never resumes a goroutine that is still running.
//   ready(goroutine) makes a parked goroutine runnable again
//   random(n)        a uniformly distributed number in [0, n) (select's poll order)
//   relax()          a spin-wait hint
//   fence(order)     std::atomic_thread_fence
#pragma once

#include <atomic>
#include <concepts>
#include <cstdint>

#include "goro/algo/waiter.hpp"

namespace goro::sync {

// SyncPolicy is the contract above as a concept: the shape, checked at compile time.
template <class S>
concept SyncPolicy =
    requires {
      typename S::template atomic<std::uint32_t>;
      typename S::template var<int>;
      typename S::mutex;
      typename S::goroutine;
    } &&
    requires(typename S::template atomic<std::uint32_t>& a, std::uint32_t& expected, typename S::template var<int>& v,
             typename S::mutex& m, algo::WaitContext<S>& ctx, void (*unlock)(void*), void* arg, typename S::goroutine g) {
      { a.load(std::memory_order_acquire) } -> std::same_as<std::uint32_t>;
      a.store(std::uint32_t{0}, std::memory_order_release);
      { a.exchange(std::uint32_t{1}, std::memory_order_acq_rel) } -> std::same_as<std::uint32_t>;
      { a.compare_exchange_strong(expected, std::uint32_t{1}, std::memory_order_acq_rel, std::memory_order_acquire) } -> std::same_as<bool>;
      { a.compare_exchange_weak(expected, std::uint32_t{1}, std::memory_order_acq_rel, std::memory_order_acquire) } -> std::same_as<bool>;
      { a.fetch_add(std::uint32_t{1}, std::memory_order_acq_rel) } -> std::same_as<std::uint32_t>;
      { a.fetch_sub(std::uint32_t{1}, std::memory_order_acq_rel) } -> std::same_as<std::uint32_t>;
      { v.load() } -> std::same_as<int>;
      v.store(1);
      { v.take() } -> std::same_as<int>;
      m.lock();
      m.unlock();
      { m.try_lock() } -> std::same_as<bool>;
      { S::current_goroutine() } -> std::same_as<typename S::goroutine>;
      S::park(ctx, unlock, arg);
      S::ready(g);
      { S::random(std::uint64_t{2}) } -> std::convertible_to<std::uint64_t>;
      S::relax();
      S::fence(std::memory_order_seq_cst);
    };

// ProbeSync satisfies SyncPolicy and nothing more: the concept checks of <goro/algorithm.hpp>
// instantiate a user's algorithm with it, so a check asks only what the contract promises. Its
// functions are declared, never defined: it exists in unevaluated contexts only.
struct ProbeSync {
  template <class T>
  using atomic = std::atomic<T>;
  template <class T>
  struct var {
    T load() const;
    void store(T);
    T take();
  };
  struct mutex {
    void lock();
    void unlock();
    bool try_lock();
  };
  struct Goroutine;
  using goroutine = Goroutine*;
  static goroutine current_goroutine();
  static void park(algo::WaitContext<ProbeSync>& ctx, void (*unlock)(void*), void* arg);
  static void ready(goroutine g);
  static std::uint64_t random(std::uint64_t bound);
  static void relax();
  static void fence(std::memory_order order);
};
static_assert(SyncPolicy<ProbeSync>);

}  // namespace goro::sync
