// park.hpp — the park protocol: a goroutine's state machine, Go's gopark(unlockf) with its
// commit after the switch, ready(), and the wind-down claim — the part of the scheduler that
// races other threads, written once over a Sync policy and a Host (the runtime's Scheduler,
// and the few dozen lines of goro/verify/relacy/scheduler.hpp's ModelHost, both run exactly this code).
//
// A goroutine ("g" in Go's runtime; always "goroutine" here) moves through
//
//   runnable ──(started)──► running ──(yielded)──────────► runnable
//                             │ ──(park committed)────► waiting ──(ready)──► runnable
//                             └──(exited)─────────────► dead
//
// and every transition goes through ParkState::transition(), which asserts the state it leaves
// (debug builds and the models; release builds only store).
//
// Parking, in three steps on two stacks:
//   1. park() on the goroutine's stack: if the runtime is winding down, do not sleep at all;
//      else ask the Host to switch off the stack (Host::switch_out);
//   2. commit() on the Host's side of the switch (the worker's stack):
//        slot lock ─ publish ctx (for the wind-down scan) ─ running → waiting ─ unlock(arg): from
//        here on wakers can find the waiters ─ if winding down, claim ctx ourselves ─ slot unlock
//   3. once some waker has claimed ctx and called ready() (waiting → runnable, Host::enqueue)
//      and the Host has started the goroutine again (runnable → running), park() returns
//      through resumed(): wait for a commit still in progress, unpublish ctx.
//
// Invariants:
//   - unlock(arg) runs only after the goroutine is off its stack and marked waiting, so a
//     waker that finds a waiter never readies a goroutine that is still running (the lost or
//     duplicated wake-up gopark exists to prevent);
//   - the slot lock is held from publishing ctx until unlock(arg) has returned. resumed() takes
//     it first, so a woken goroutine cannot run ahead of its own commit (unlock(arg) may still
//     read the goroutine's stack, e.g. select's lock list); cancel() takes it too, so it never
//     claims a context whose owner has already returned;
//   - wait_ctx_ is non-null exactly between a commit and the matching resumed();
//   - Dekker with the wind-down: begin_wind_down() sets the flag (seq_cst), then cancel()s
//     every slot; a commit publishes ctx, then reads the flag (seq_cst) — at least one of the
//     two sees the other, and the context claim (WaitContext::try_claim) decides who readies.
// Lock order: slot lock → whatever unlock(arg) releases (it only releases) → leaf locks (the
// Host's run queues, a timer heap arming a sleep). Never ready a goroutine under a slot lock:
// begin_wind_down() collects the claimed goroutines and readies them after the scan.
//
// The Host supplies what is not a race between goroutines (the Scheduler in runtime/src/):
//   ParkState& park_state(goroutine)       the per-goroutine state below
//   void switch_out(goroutine, ctx, unlock, arg)
//                                          leave the goroutine's stack, have commit() run on the
//                                          other side, return once the goroutine runs again
//   void enqueue(goroutine)                put a goroutine just made runnable on a run queue
//   void for_each_goroutine(f)             call f(goroutine) for every live goroutine (under
//                                          whatever lock keeps the set stable; f never readies)
#pragma once

#include <atomic>  // std::memory_order
#include <cassert>
#include <cstdint>
#include <string_view>

namespace goro::algo {

enum class GoroutineState : std::uint8_t { runnable, running, waiting, dead };

constexpr std::string_view to_string(GoroutineState state) noexcept {
  switch (state) {
    case GoroutineState::runnable: return "runnable";
    case GoroutineState::running: return "running";
    case GoroutineState::waiting: return "waiting";
    case GoroutineState::dead: return "dead";
  }
  return "?";
}

namespace detail {
// claim_for_cancel() claims a blocked operation's context for the wind-down (its type erased,
// so a ParkSlot can hold a channel's, a select's or a sleep's context alike).
template <class Ctx>
bool claim_for_cancel(void* erased) {
  auto* ctx = static_cast<Ctx*>(erased);
  if (!ctx->try_claim()) return false;
  ctx->cancelled.store(true);
  return true;
}
}  // namespace detail

// ParkSlot is the commit / resume / cancel hand-shake of one goroutine (see the file comment).
template <class Sync, class Lock = typename Sync::mutex>
class ParkSlot {
 public:
  // commit() — step 2. mark_waiting() performs running → waiting; winding_down() reads the
  // wind-down flag. Returns true when the commit claimed ctx for cancellation itself: the caller
  // must then ready the goroutine.
  template <class Ctx, class MarkWaiting, class WindingDown>
  bool commit(Ctx& ctx, void (*unlock)(void*), void* arg, MarkWaiting&& mark_waiting, WindingDown&& winding_down) {
    lock_.lock();
    wait_ctx_.store(static_cast<void*>(&ctx));
    cancel_.store(&detail::claim_for_cancel<Ctx>);
    mark_waiting();
    unlock(arg);  // from here on, wakers can find the goroutine
    const bool cancel_now = winding_down() && detail::claim_for_cancel<Ctx>(&ctx);
    lock_.unlock();
    return cancel_now;
  }

  // resumed() is the woken goroutine's first act: wait for a commit still in progress, unpublish ctx.
  void resumed() {
    lock_.lock();
    wait_ctx_.store(nullptr);
    lock_.unlock();
  }

  // cancel() is the wind-down scan's step for one goroutine: claims its published context, if
  // any. Returns true when the caller must ready the goroutine.
  bool cancel() {
    lock_.lock();
    void* ctx = wait_ctx_.load();
    const bool claimed = ctx != nullptr && cancel_.load()(ctx);
    lock_.unlock();
    return claimed;
  }

 private:
  Lock lock_;
  typename Sync::template var<void*> wait_ctx_;               // guarded by lock_
  typename Sync::template var<bool (*)(void*)> cancel_;      // guarded by lock_: claims wait_ctx_
};

// ParkState is what the protocol keeps per goroutine; it lives in the goroutine's control block.
template <class Sync, class Lock = typename Sync::mutex>
struct ParkState {
  using goroutine = typename Sync::goroutine;

  ParkState() = default;
  // A Host whose goroutines exist before it does (a model's threads) starts them running.
  explicit ParkState(GoroutineState initial) : state(initial) {}

  typename Sync::template atomic<GoroutineState> state{GoroutineState::runnable};
  ParkSlot<Sync, Lock> slot;
  // The wind-down's list of goroutines it claimed: written and read only by the thread running
  // begin_wind_down(), between the claim and the ready() (a claimed goroutine is in no queue).
  typename Sync::template var<goroutine> wind_down_next;

  // transition() moves from `from` to `to`; anything else is internal corruption. (Release
  // builds store without reading: the exchange is a locked instruction on every switch.)
  void transition([[maybe_unused]] GoroutineState from, GoroutineState to) noexcept {
#ifndef NDEBUG
    const GoroutineState old = state.exchange(to, std::memory_order_acq_rel);
    assert(old == from && "goroutine state transition from an unexpected state (a ready() of a running goroutine?)");
#else
    state.store(to, std::memory_order_release);
#endif
  }
};

// ParkProtocol is the protocol over one Host; `winding_down` is the Host's wind-down flag (it
// outlives any one call: the Scheduler's per-run flag, the model's per-execution one).
template <class Sync, class Host>
class ParkProtocol {
 public:
  using goroutine = typename Sync::goroutine;

  ParkProtocol(Host& host, typename Sync::template atomic<bool>& winding_down) : host_(host), winding_down_(winding_down) {}

  // winding_down() is true once begin_wind_down() ran: blocking calls throw `cancelled`.
  bool winding_down() const { return winding_down_.load(std::memory_order_acquire); }

  // park() — step 1 and 3 for the calling goroutine g: returns once ctx was claimed and g was
  // readied and started again (or at once, claimed for cancellation, when winding down).
  template <class Ctx>
  void park(goroutine g, Ctx& ctx, void (*unlock)(void*), void* arg) {
    if (winding_down()) {
      // Do not go to sleep at all: nobody else can have seen our waiters yet (we hold their locks).
      [[maybe_unused]] const bool claimed = detail::claim_for_cancel<Ctx>(&ctx);
      unlock(arg);
      assert(claimed && "a waiter was claimed before its owner parked");
      return;
    }
    host_.switch_out(g, ctx, unlock, arg);  // commit() runs on the other side of the switch
    host_.park_state(g).slot.resumed();
  }

  // commit() — step 2, called by the Host once g is off its stack.
  template <class Ctx>
  void commit(goroutine g, Ctx& ctx, void (*unlock)(void*), void* arg) {
    auto& park = host_.park_state(g);
    const bool cancel_now = park.slot.commit(
        ctx, unlock, arg, [&park] { park.transition(GoroutineState::running, GoroutineState::waiting); },
        [this] { return winding_down_.load(std::memory_order_seq_cst); });
    if (cancel_now) ready(g);
  }

  // ready() makes a parked goroutine runnable; its caller won the goroutine's context claim.
  void ready(goroutine g) {
    host_.park_state(g).transition(GoroutineState::waiting, GoroutineState::runnable);
    host_.enqueue(g);
  }

  // started(), yielded(), exited(): the Host's transitions around running a goroutine.
  void started(goroutine g) { host_.park_state(g).transition(GoroutineState::runnable, GoroutineState::running); }
  void yielded(goroutine g) { host_.park_state(g).transition(GoroutineState::running, GoroutineState::runnable); }
  void exited(goroutine g) { host_.park_state(g).transition(GoroutineState::running, GoroutineState::dead); }

  // begin_wind_down() sets the flag and claims and readies (with `cancelled`) every parked
  // goroutine; parks committed after the scan see the flag themselves. Returns false when the
  // wind-down had already begun.
  bool begin_wind_down() {
    if (winding_down_.exchange(true, std::memory_order_seq_cst)) return false;
    goroutine claimed{};
    host_.for_each_goroutine([this, &claimed](goroutine g) {
      auto& park = host_.park_state(g);
      if (park.slot.cancel()) {
        park.wind_down_next.store(claimed);
        claimed = g;
      }
    });
    while (claimed != goroutine{}) {  // readied after the scan: never under the Host's locks
      const goroutine g = claimed;
      claimed = host_.park_state(g).wind_down_next.take();
      ready(g);
    }
    return true;
  }

 private:
  Host& host_;
  typename Sync::template atomic<bool>& winding_down_;
};

}  // namespace goro::algo
