// worker.hpp — one OS thread of a Runtime, and the state it owns.
#pragma once

#include <atomic>
#include <cstdint>
#include <thread>
#include <vector>

#include <boost/context/detail/fcontext.hpp>

#include "goro/algo/idle.hpp"
#include "goroutine.hpp"
#include "os_thread.hpp"
#include "policy.hpp"
#include "rng.hpp"
#include "stack_pool.hpp"
#include "timers.hpp"

namespace goro::detail {

// IdleSlot: the idle protocol's per-worker state; the wake word is a futex word (idle.cpp).
using IdleSlot = algo::IdleSlot<RuntimeSync, std::atomic<std::uint32_t>>;

// What a goroutine asks its worker to do once it is off the goroutine's stack.
enum class SwitchAction : std::uint8_t { none, yield, park, exit };

struct WorkerCounters {
  std::atomic<std::uint64_t> context_switches{0};
  std::atomic<std::uint64_t> worker_sleeps{0};  // Stats::worker_parks
  std::atomic<std::uint64_t> worker_wakes{0};
  std::atomic<std::uint64_t> worker_spins{0};
  std::atomic<std::uint64_t> worker_spins_empty{0};
  std::atomic<std::uint64_t> goroutine_parks{0};
  std::atomic<std::uint64_t> yields{0};
  std::atomic<std::uint64_t> goroutines_created{0};
  std::atomic<std::uint64_t> timers_fired{0};
  // bump() — written by the owning worker only, read by stats(): no RMW needed.
  static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
};

class Worker {
 public:
  Worker(Scheduler* scheduler, unsigned index, TimerHeap::armed_count& armed_timers, std::uint64_t seed)
      : scheduler(scheduler), index(index), rng(seed), timers(armed_timers) {}

  Scheduler* const scheduler;
  const unsigned index;

  // --- owned by this worker's thread ---
  boost::context::detail::fcontext_t sched_context = nullptr;  // where running goroutines return to
  G* current = nullptr;
  SwitchAction action = SwitchAction::none;  // set by the goroutine right before it switches out
  WaitContext* park_ctx = nullptr;
  void (*park_unlock)(void*) = nullptr;
  void* park_unlock_arg = nullptr;
  std::vector<Stack> stack_cache;
  Rng rng;
  WorkerCounters counters;          // written by this thread only; stats() reads them (relaxed)
  PolicyCounters policy_counters;   // likewise

  // --- shared: this worker's timer heap, under the heap's own lock (goro/algo/timers.hpp): a
  //     goroutine arms its timers on its current worker's heap, and any idle worker fires due
  //     timers from every heap ---
  TimerHeap timers;

  // --- the idle protocol's part of this worker (goro/algo/idle.hpp): its futex word and its
  //     links in the sleeper set (guarded by the protocol's lock) ---
  IdleSlot idle;

  // This thread's C++ exception state (libsupc++'s per-thread globals), looked up once.
  ExceptionState* exception_state = nullptr;

  // --- sanitizer bookkeeping for the worker's own (thread) stack ---
  void* tsan_fiber = nullptr;
  void* asan_fake_stack = nullptr;
  const void* thread_stack_bottom = nullptr;
  std::size_t thread_stack_size = 0;

  OsThread thread;
};

}  // namespace goro::detail
