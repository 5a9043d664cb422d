// goroutine.hpp — the goroutine control block (G) and its life-cycle.
//
// A G lives at the top of its own stack mapping (stack_pool.hpp), followed downwards by its
// closure and then its call frames, so a parked goroutine typically costs one page.
//
// Life-cycle (every transition goes through G::transition(), which asserts the state it leaves):
//
//   runnable ──(worker switches in)──► running ──(yield)──────────► runnable
//                                        │ ──(park committed)────► waiting ──(ready)──► runnable
//                                        └──(function returned)──► dead (stack back to the pool)
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
#include "goro/sync/runtime_sync.hpp"
#include "exception_state.hpp"
#include "stack_pool.hpp"

namespace goro::detail {

namespace ctx = boost::context::detail;

class Worker;

enum class GState : std::uint8_t { runnable, running, waiting, dead };

constexpr std::string_view to_string(GState state) noexcept {
  switch (state) {
    case GState::runnable: return "runnable";
    case GState::running: return "running";
    case GState::waiting: return "waiting";
    case GState::dead: return "dead";
  }
  return "?";
}

using WaitCtx = algo::WaitContext<RuntimeSync>;

struct G {
  // --- owned by whoever runs or resumes the goroutine (one thread at a time) ---
  ctx::fcontext_t context = nullptr;  // saved registers while not running
  Worker* worker = nullptr;           // the worker running it (valid while running)
  Stack stack;                        // the mapping this G sits at the top of
  Scheduler* scheduler = nullptr;
  std::uint64_t id = 0;
  ClosureEntry entry = nullptr;
  void* closure = nullptr;
  G* queue_next = nullptr;            // intrusive link for the locked queues holding it
  ExceptionState exception_state;     // its caught-exception chain while it is switched out
  std::atomic<std::uint64_t> queued_at{0};  // policy's arrival stamp (steal.cpp); relaxed, heuristic

  // --- state, shared ---
  std::atomic<GState> state{GState::runnable};

  // --- parking: the commit / resume / wind-down hand-shake (goro/algo/park.hpp) ---
  algo::ParkSlot<RuntimeSync> park_slot;

  // --- registry of live goroutines: guarded by the registry shard's lock ---
  G* registry_prev = nullptr;
  G* registry_next = nullptr;
  std::uint32_t registry_shard = 0;

  // --- sanitizer fiber state ---
  void* tsan_fiber = nullptr;
  void* asan_fake_stack = nullptr;

  // transition() moves from `from` to `to`; anything else is internal corruption.
  // (Release builds store without reading: the exchange is a locked instruction on every switch.)
  void transition([[maybe_unused]] GState from, GState to) noexcept {
#ifndef NDEBUG
    GState old = state.exchange(to, std::memory_order_acq_rel);
    assert(old == from && "goroutine state transition from an unexpected state");
#else
    state.store(to, std::memory_order_release);
#endif
  }
};

}  // namespace goro::detail
