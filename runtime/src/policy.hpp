// policy.hpp — the scheduler-policy interface: where runnable goroutines wait, and which one a
// worker runs next (after Boost.Fiber's `algorithm`, narrowed to what goro needs).
//
// A policy owns its ready queues. Idle workers' spinning and sleeping, timers and deadlock
// detection are shared by all policies (idle.hpp, timers.hpp), so a comparison of policies
// compares queueing and stealing, nothing else.
//
// Adding a policy: write runtime/src/policies/<name>.cpp implementing SchedulerPolicy with a
// factory function, add the enumerator to goro::Policy (options.hpp) and one line to the table in
// policy_registry.cpp. The README walks through it.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string_view>

#include "goro/options.hpp"
#include "global_queue.hpp"
#include "goroutine.hpp"
#include "rng.hpp"

namespace goro::detail {

// The worker index used for pushes from threads that are not workers of this runtime.
inline constexpr unsigned kNoWorker = ~0u;

class TraceRing;
void record_steal(TraceRing& ring, unsigned victim) noexcept;  // trace.cpp

// Counters a policy bumps; each worker owns one (relaxed atomics: written by the owner, read by stats()).
struct PolicyCounters {
  std::atomic<std::uint64_t> steals{0};
  std::atomic<std::uint64_t> global_queue_pops{0};
  TraceRing* trace = nullptr;  // the worker's trace ring while traced (GORO_TRACE), else null
  void add(std::atomic<std::uint64_t>& counter, std::uint64_t n = 1) {
    counter.store(counter.load(std::memory_order_relaxed) + n, std::memory_order_relaxed);
  }
  // stole() counts one successful steal from `victim` (and traces it): every policy's steal path.
  void stole(unsigned victim) noexcept {
    add(steals);
    if (trace != nullptr) record_steal(*trace, victim);
  }
};

// pop_global() takes the global queue's head, counting it.
inline G* pop_global(GlobalQueue& queue, PolicyCounters& counters) {
  G* g = queue.pop();
  if (g != nullptr) counters.add(counters.global_queue_pops);
  return g;
}

// steal_from_victims() offers every other worker, starting at a random one, to try_steal(victim)
// until one yields a goroutine; counts the steal. nullptr when none did.
template <class TrySteal>
G* steal_from_victims(unsigned worker, unsigned workers, Rng& rng, PolicyCounters& counters, TrySteal&& try_steal) {
  if (workers < 2) return nullptr;
  const auto start = static_cast<unsigned>(rng.below(workers));
  for (unsigned k = 0; k < workers; ++k) {
    const unsigned victim = (start + k) % workers;
    if (victim == worker) continue;
    if (G* g = try_steal(victim)) {
      counters.stole(victim);
      return g;
    }
  }
  return nullptr;
}

class SchedulerPolicy {
 public:
  enum class Reason { spawned, woken, yielded };

  virtual ~SchedulerPolicy() = default;
  // push() makes g runnable. `worker` is the calling worker, or kNoWorker from another thread.
  virtual void push(unsigned worker, G* g, Reason reason) = 0;
  // pop() returns the goroutine `worker` should run next (stealing, if the policy steals), or
  // nullptr when it found none. Called by that worker only.
  virtual G* pop(unsigned worker, PolicyCounters& counters) = 0;
  // has_work() is a cheap, possibly stale "is anything queued anywhere?", used to decide whether
  // an idle worker may sleep (it re-checks after announcing itself, so staleness is safe).
  virtual bool has_work() const = 0;
};

using PolicyFactory = std::unique_ptr<SchedulerPolicy> (*)(unsigned workers, std::uint64_t seed);

struct PolicyRegistration {
  Policy policy;
  std::string_view name;
  PolicyFactory make;
};

// The registered policies (policy_registry.cpp).
const PolicyRegistration* policy_registry_begin() noexcept;
const PolicyRegistration* policy_registry_end() noexcept;

// Each policy file defines one factory.
std::unique_ptr<SchedulerPolicy> make_fifo_policy(unsigned workers, std::uint64_t seed);
std::unique_ptr<SchedulerPolicy> make_steal_policy(unsigned workers, std::uint64_t seed);
std::unique_ptr<SchedulerPolicy> make_go_policy(unsigned workers, std::uint64_t seed);

}  // namespace goro::detail
