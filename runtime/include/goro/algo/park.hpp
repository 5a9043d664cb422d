// park.hpp — the commit half of Go's gopark(unlockf), the woken goroutine's hand-shake, and the
// wind-down claim: the part of parking that races other threads, written once over a Sync policy
// (the runtime's Scheduler and the Relacy park model both call this code).
//
// A goroutine that parks switches off its stack first; its worker then commit()s the park:
//
//   lock_ ─ publish ctx (for the wind-down scan) ─ mark the task waiting ─ unlock(arg): from
//   here on wakers can find its waiters ─ if winding down, claim ctx ourselves ─ unlock lock_
//
// Invariants:
//   - unlock(arg) runs only after the task is off its stack and marked waiting, so a waker that
//     finds a waiter never readies a task that is still running (the lost/duplicated wake-up
//     gopark exists to prevent);
//   - lock_ is held from publishing ctx until unlock(arg) has returned. resumed() takes it first,
//     so a woken task cannot run ahead of its own commit (unlock(arg) may still read the task's
//     stack, e.g. select's lock list); cancel() takes it too, so it never claims a context whose
//     owner has already returned;
//   - wait_ctx_ is non-null exactly between a commit and the matching resumed();
//   - Dekker with the wind-down: the scanner sets the flag, then cancel()s every slot; a commit
//     publishes ctx, then reads the flag — at least one of the two sees the other, and the
//     context claim decides who readies the task.
// Lock order: lock_ → whatever unlock(arg) releases (it only releases) → leaf locks.
#pragma once

namespace goro::algo {

template <class Sync, class Lock = typename Sync::mutex>
class ParkSlot {
 public:
  // commit() — see the file comment. mark_waiting() performs the task's running → waiting
  // transition; winding_down() reads the wind-down flag. Returns true when the commit claimed
  // ctx for cancellation itself: the caller must then ready the task.
  template <class Ctx, class MarkWaiting, class WindingDown>
  bool commit(Ctx& ctx, void (*unlock)(void*), void* arg, MarkWaiting&& mark_waiting, WindingDown&& winding_down) {
    lock_.lock();
    wait_ctx_.store(static_cast<void*>(&ctx));
    cancel_ = &claim_for_cancel<Ctx>;
    mark_waiting();
    unlock(arg);  // from here on, wakers can find the task
    const bool cancel_now = winding_down() && claim_for_cancel<Ctx>(&ctx);
    lock_.unlock();
    return cancel_now;
  }

  // resumed() is the woken task's first act: wait for a commit still in progress, unpublish ctx.
  void resumed() {
    lock_.lock();
    wait_ctx_.store(nullptr);
    lock_.unlock();
  }

  // cancel() is the wind-down scan's step for one task: claims its published context, if any.
  // Returns true when the caller must ready the task.
  bool cancel() {
    lock_.lock();
    void* ctx = wait_ctx_.load();
    const bool claimed = ctx != nullptr && cancel_(ctx);
    lock_.unlock();
    return claimed;
  }

  // cancel_before_parking() is the park that never happens: the runtime is already winding down,
  // and nobody can have seen the caller's waiters yet (it still holds their locks).
  template <class Ctx>
  static bool cancel_before_parking(Ctx& ctx, void (*unlock)(void*), void* arg) {
    const bool claimed = claim_for_cancel<Ctx>(&ctx);  // false: someone saw a waiter too early
    unlock(arg);
    return claimed;
  }

 private:
  template <class Ctx>
  static bool claim_for_cancel(void* erased) {
    auto* ctx = static_cast<Ctx*>(erased);
    if (!ctx->try_claim()) return false;
    ctx->cancelled.store(true);
    return true;
  }

  Lock lock_;
  typename Sync::template var<void*> wait_ctx_;  // guarded by lock_
  bool (*cancel_)(void*) = nullptr;              // guarded by lock_: claims wait_ctx_ (its type erased)
};

}  // namespace goro::algo
