// goroutine.hpp — the goroutine control block (G) and its life-cycle.
//
// A G lives at the top of its own stack mapping (stack_pool.hpp), followed downwards by its
// closure and then its call frames, so a parked goroutine typically costs one page.
//
// Life-cycle: the state machine of goro/algo/park.hpp (algo::GoroutineState, every transition
// through algo::ParkProtocol, which asserts the state it leaves); G::park holds its state.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <string_view>

#include <boost/context/detail/fcontext.hpp>

#include "goro/algo/park.hpp"
#include "goro/algo/waiter.hpp"
#include "goro/detail/spawn.hpp"
#include "goro/policy.hpp"
#include "goro/sync/runtime_sync.hpp"
#include "exception_state.hpp"
#include "stack_pool.hpp"

namespace goro::detail {

namespace ctx = boost::context::detail;

class Worker;

using WaitContext = algo::WaitContext<RuntimeSync>;

// G is the runtime's control block; its public base, goro::Goroutine, is what a scheduler policy
// sees (the run-queue link and arrival stamp live there).
struct G : Goroutine {
  // --- owned by whoever runs or resumes the goroutine (one thread at a time) ---
  ctx::fcontext_t context = nullptr;  // saved registers while not running
  Worker* worker = nullptr;           // the worker running it (valid while running)
  Stack stack;                        // the mapping this G sits at the top of
  Scheduler* scheduler = nullptr;
  std::uint64_t id = 0;
  ClosureEntry entry = nullptr;
  void* closure = nullptr;
  ExceptionState exception_state;     // its caught-exception chain while it is switched out
  std::uint64_t readied_ns = 0;       // when it was last readied; 0: not (wake_latency.hpp, only when recording)

  // --- state and parking, shared: the park protocol's per-goroutine part (goro/algo/park.hpp) ---
  algo::ParkState<RuntimeSync> park;

  // --- registry of live goroutines: guarded by the registry shard's lock ---
  G* registry_prev = nullptr;
  G* registry_next = nullptr;
  std::uint32_t registry_shard = 0;

  // --- sanitizer fiber state ---
  void* tsan_fiber = nullptr;
  void* asan_fake_stack = nullptr;
};

}  // namespace goro::detail
