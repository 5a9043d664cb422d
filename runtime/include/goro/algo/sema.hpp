// sema.hpp — a lock plus a FIFO of parked goroutines: the root that WaitGroup and Mutex park on
// (Go's semaRoot, without the treap: each WaitGroup or Mutex owns its own root).
//
// Invariants: a Waiter is queued only while its owner is parked or about to park under lock_;
// the queue is guarded by lock_; wakers claim through the WaitContext (waiter.hpp), so a
// cancelled goroutine is skipped, never woken twice.
#pragma once

#include "goro/algo/chan.hpp"  // OpStatus
#include "goro/algo/waiter.hpp"

namespace goro::algo {

template <class Sync>
class SemaRoot {
 public:
  // reason: what a goroutine parked here waits for, as the tracer names it (mutex, waitgroup).
  explicit SemaRoot(WaitReason reason = WaitReason::other) : reason_(reason) {}

  typename Sync::mutex lock_;  // guards queue_; held only for a few instructions, never while readying

  // park_locked() queues the caller (at the back, or at the front when `front`) and parks it.
  // lock_ must be held; it is released off-stack. Returns ok when woken by wake_*(), cancelled
  // when the runtime winds the goroutine down (the caller is then no longer queued).
  OpStatus park_locked(bool front = false) {
    WaitContext<Sync> ctx;
    ctx.goroutine = Sync::current_goroutine();
    ctx.reason = reason_;
    Waiter<Sync> waiter;
    waiter.ctx = &ctx;
    if (front) {
      queue_.enqueue_front(&waiter);
    } else {
      queue_.enqueue(&waiter);
    }
    Sync::park(ctx, &unlock_root, this);
    if (ctx.cancelled.load()) {
      lock_.lock();
      queue_.remove(&waiter);
      lock_.unlock();
      return OpStatus::cancelled;
    }
    return OpStatus::ok;
  }

  // wake_one_locked() claims the longest waiter into to_ready; false if none. lock_ must be held.
  bool wake_one_locked(ReadyList<Sync>& to_ready) {
    Waiter<Sync>* w = queue_.dequeue();
    if (w == nullptr) return false;
    w->success.store(true);
    w->ctx->fired.store(w);
    to_ready.push(w);
    return true;
  }

  // wake_all_locked() claims every waiter into to_ready. lock_ must be held.
  void wake_all_locked(ReadyList<Sync>& to_ready) {
    while (wake_one_locked(to_ready)) {
    }
  }

  bool empty_locked() const { return queue_.empty_locked(); }

 private:
  static void unlock_root(void* root) { static_cast<SemaRoot*>(root)->lock_.unlock(); }
  WaitQueue<Sync> queue_;
  const WaitReason reason_;
};

}  // namespace goro::algo
