// policy.hpp — bring your own scheduler: the interface a scheduling policy implements, the
// contract it must keep, and the building blocks goro's own policies are made of.
//
// A policy owns the ready queues: where a runnable goroutine waits, and which one a worker runs
// next (after Boost.Fiber's `algorithm`, narrowed to what goro needs). Idle workers' spinning and
// sleeping, timers, deadlock detection and wind-down are the scheduler's, shared by every policy,
// so a comparison of policies compares queueing and stealing, nothing else.
//
//   class Lifo final : public goro::SchedulerPolicy {
//    public:
//     void push(unsigned, goro::Goroutine* g, Reason) override { queue_.push(g); }
//     goro::Goroutine* pop(unsigned, goro::PolicyCounters& c) override { return goro::pop_global(queue_, c); }
//     bool has_work() const override { return !queue_.empty(); }
//    private:
//     goro::GlobalRunQueue queue_;
//   };
//   std::unique_ptr<goro::SchedulerPolicy> make_lifo(unsigned workers, std::uint64_t seed);
//   goro::Runtime rt({.workers = 2, .policy = goro::register_policy("lifo", &make_lifo)});
//
// The contract — what a policy owes the scheduler. Each item is checked by the conformance kit
// (<goro/conformance.hpp>, goro_add_policy_conformance() in CMake), test named in brackets:
//
//   C1 exactly once. Every pushed goroutine is returned by pop() exactly once — to any worker —
//      before it is pushed again: never lost, never duplicated, also when workers steal from
//      each other [EveryGoroutineRunsExactlyOnce, StealsNeverLoseOrDuplicate].
//   C2 yield gives way. A goroutine pushed with Reason::yielded must not be popped again, on the
//      worker that pushed it, before the goroutines that were runnable there when it yielded —
//      with one worker, two yielding goroutines strictly alternate [YieldGivesWayToOthers].
//   C3 no starvation. A goroutine pushed while others keep readying each other (a channel
//      ping-pong pair that never blocks for long) runs within a bounded number of pops: woken by
//      a goroutine [WokenGoroutineNotStarvedByPingPong], and pushed from a thread that is not a
//      worker (`worker == kNoWorker`) or spilled to a global queue [InjectedGoroutineNotStarved].
//   C4 has_work is never a false negative. After a push() has returned, has_work() is true until
//      some pop() returned that goroutine; it may be stale the other way (say true when empty),
//      which costs an idle worker one more look [DeadlockDetected, WindDownFinishes].
//   C5 memory is given back. What a policy allocates for a burst of goroutines it frees (or
//      reuses) once they are gone: resident memory may not grow by more than 8 MiB between two
//      identical bursts [MemoryGivenBackAfterBurst] (the stress driver allows the same).
//   C6 threads. push() is called by any worker, or from any other thread with kNoWorker; pop()
//      for worker i only by worker i; has_work() by anyone. All three may run concurrently, and
//      none may block on a goroutine (a policy is below the goroutines: take only leaf locks).
//   C7 counters. pop() may bump its worker's PolicyCounters (steals through stole(), which also
//      traces the steal; global_queue_pops); they appear in Runtime::stats(), the benchmarks'
//      *_per_op counters and the trace, nothing else reads them.
//
// The building blocks below are the very templates goro's policies use (goro/algo/), over the
// Sync policy the runtime was built with (PolicySync); instantiate them with the Relacy Sync
// policy (<goro/verify/relacy/sync.hpp>) to model-check your own queue the way models/ checks goro's.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "goro/algo/chase_lev_deque.hpp"
#include "goro/algo/global_queue.hpp"
#include "goro/algo/go_run_queue.hpp"
#include "goro/algo/owner_fifo.hpp"
#include "goro/options.hpp"
#include "goro/rng.hpp"
#include "goro/sync/runtime_sync.hpp"

namespace goro {

// PolicySync is goro::RuntimeSync (goro/sync/runtime_sync.hpp), kept as an alias for policies
// written before the Sync contract became public.
using PolicySync = RuntimeSync;

// kNoWorker is push()'s `worker` when the caller is not a worker of this runtime (a timer thread,
// a plain std::thread doing try_send, the thread calling Runtime::run()).
inline constexpr unsigned kNoWorker = ~0u;

// Goroutine is the opaque handle a policy queues: the scheduler's control block derives from it.
// A policy may use the two fields below while it holds the goroutine (between its push and the
// pop that returns it), and must not touch anything else.
class Goroutine {
 public:
  Goroutine(const Goroutine&) = delete;
  Goroutine& operator=(const Goroutine&) = delete;

  PolicySync::var<Goroutine*> queue_next;   // intrusive link: guarded by the run queue holding it
  std::atomic<std::uint64_t> queued_at{0};  // a stamp the policy may keep (steal: arrival order); relaxed

 protected:
  Goroutine() = default;
  ~Goroutine() = default;
};

// PolicyCounters are the counters a policy bumps; each worker owns one (relaxed atomics: written
// by the owner, read by Runtime::stats()).
namespace detail {
class TraceRing;
void record_steal(TraceRing& ring, unsigned victim) noexcept;  // the tracer (runtime/src/trace.cpp)
}  // namespace detail

struct PolicyCounters {
  std::atomic<std::uint64_t> steals{0};             // successful steals (a batch counts once)
  std::atomic<std::uint64_t> global_queue_pops{0};  // goroutines taken from a shared/global queue
  detail::TraceRing* trace = nullptr;               // the worker's trace ring while traced (GORO_TRACE), else null
  void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  // stole() counts one successful steal from `victim` and, when traced, records it: a policy's
  // steal path calls this (steal_from_victims does) rather than bumping `steals` itself.
  void stole(unsigned victim) noexcept {
    add(steals);
    if (trace != nullptr) detail::record_steal(*trace, victim);
  }
};

// SchedulerPolicy is the interface; the contract is at the top of this file.
class SchedulerPolicy {
 public:
  enum class Reason { spawned, woken, yielded };

  virtual ~SchedulerPolicy() = default;
  // push() makes g runnable. `worker` is the calling worker, or kNoWorker from another thread.
  virtual void push(unsigned worker, Goroutine* g, Reason reason) = 0;
  // pop() returns the goroutine `worker` should run next (stealing, if the policy steals), or
  // nullptr when it found none. Called by that worker only.
  virtual Goroutine* pop(unsigned worker, PolicyCounters& counters) = 0;
  // has_work() is a cheap, possibly stale "is anything queued anywhere?", used to decide whether
  // an idle worker may sleep (it re-checks after announcing itself, so staleness is safe).
  virtual bool has_work() const = 0;
  // runs_next(worker) — did `worker`'s last push() leave nothing another worker should take
  // now: it only filled a slot `worker` itself runs next, or queued no more than `worker` soon
  // gets through itself? Then the scheduler wakes no idle worker for it (a sleeper's poll still
  // looks while some worker is awake). Called by that worker right after its push. Default
  // false: every push may wake one.
  virtual bool runs_next(unsigned worker) const { (void)worker; return false; }
  // has_work_for(worker) — is anything queued that `worker`, idle, may take now? What an idle
  // worker's last look before it sleeps asks while another worker is awake (it polls then, so
  // what a busy owner keeps for itself is still looked at). Never a false negative for a
  // goroutine pushed with runs_next() false, nor for one `worker` itself holds; may say true
  // for more. Default: has_work().
  virtual bool has_work_for(unsigned worker) const { (void)worker; return has_work(); }
};

// PolicyFactory builds a policy for `workers` workers; `seed` differs per Runtime (victim choice).
using PolicyFactory = std::unique_ptr<SchedulerPolicy> (*)(unsigned workers, std::uint64_t seed);

// register_policy() adds a policy under `name` (letters, digits, '_' and '-'; shown as
// goro/<name> in benchmark names, in Stats::policy and in reports) and returns it for
// Options::policy. From then on parse_policy(name), GORO_POLICY=name and all_policies() know it.
// Registering the same name with the same factory again returns the same Policy; a different
// factory, a built-in's name or a malformed name throws std::invalid_argument.
Policy register_policy(std::string_view name, PolicyFactory make);

// ---------------------------------------------------------------- building blocks

// kGlobalCheckInterval: every 61st pop of a worker looks at the global queue first (Go's
// schedule()), so local work that keeps readying itself cannot starve what waits there. 61:
// prime, so periodic spawners cannot fall into step with it; small enough that the global queue
// waits a bounded number of turns, large enough that its lock is rarely touched.
inline constexpr std::uint32_t kGlobalCheckInterval = 61;

// GlobalRunQueue: a locked FIFO linked through Goroutine::queue_next (fifo's only queue; steal's
// and go's overflow and outside-submission queue). Leaf lock.
using GlobalRunQueue = algo::GlobalRunQueue<PolicySync, Goroutine, &Goroutine::queue_next>;
// OwnerRunQueue: an unsynchronised FIFO for one worker's own use (steal's yielded goroutines).
using OwnerRunQueue = algo::OwnerFifo<PolicySync, Goroutine, &Goroutine::queue_next>;
// ChaseLevDeque: the bounded work-stealing deque (owner LIFO at the bottom, thieves FIFO at the top).
template <std::size_t kCapacity = 4096>
using ChaseLevDeque = algo::ChaseLevDeque<Goroutine*, PolicySync, kCapacity>;
// GoRunQueue: Go's 256-slot ring + runnext, with steal-half.
using GoRunQueue = algo::GoRunQueue<Goroutine*, PolicySync>;

// pop_global() takes the global queue's head, counting it.
inline Goroutine* pop_global(GlobalRunQueue& queue, PolicyCounters& counters) {
  Goroutine* g = queue.pop();
  if (g != nullptr) counters.add(counters.global_queue_pops);
  return g;
}

// steal_from_victims() offers every other worker, starting at a random one, to try_steal(victim)
// until one yields a goroutine; counts the steal. nullptr when none did.
template <class TrySteal>
Goroutine* steal_from_victims(unsigned worker, unsigned workers, Rng& rng, PolicyCounters& counters,
                              TrySteal&& try_steal) {
  if (workers < 2) return nullptr;
  const auto start = static_cast<unsigned>(rng.below(workers));
  for (unsigned k = 0; k < workers; ++k) {
    const unsigned victim = (start + k) % workers;
    if (victim == worker) continue;
    if (Goroutine* g = try_steal(victim)) {
      counters.stole(victim);
      return g;
    }
  }
  return nullptr;
}

}  // namespace goro
