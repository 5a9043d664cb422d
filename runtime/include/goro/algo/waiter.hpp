// waiter.hpp — how a blocked operation waits: Go's sudog, and the claim that decides who wakes it.
//
// A goroutine that blocks creates one WaitContext (on its own stack) and one Waiter per
// channel operation it waits for (one for send/recv, one per case for select). Each Waiter is
// linked into its channel's WaitQueue. Whoever wants to complete the operation — a partner on
// the channel, close(), a timer, or the runtime cancelling the goroutine — must first win
// ctx.try_claim(); exactly one does. The winner records what happened (fired, success,
// cancelled) and then calls Sync::ready(ctx.goroutine). Waiters of a claimed context that are still
// queued elsewhere are stale: dequeue() skips and unlinks them, and their owner unlinks the rest
// when it wakes (select's pass 3). Go claims only select waiters (g.selectDone); goro claims all,
// so that cancellation at wind-down and deadlock can wake any blocked goroutine the same way.
//
// Invariants:
//   - ctx.state goes waiting → claimed once; only the claimer writes fired/cancelled and the
//     waiter's success flag, and it does so before ready(), which publishes them to the owner.
//   - a Waiter is in at most one queue; `queued` is true exactly while it is linked. The links
//     (prev, next, queued, WaitQueue::last_) are Sync::var cells: under Relacy a link touched
//     without the owner's lock is a data race.
//   - the Waiter and its WaitContext live on the owner's stack: the owner does not return before
//     every one of its Waiters is unlinked (guaranteed by pass 3 / the cancel path).
//
// Locking: a WaitQueue is guarded by the lock of the object that owns it (a channel, a
// semaphore root). `first` is additionally an atomic so that the lock-free "would I block?"
// checks (chan.hpp) can peek at it without the lock; it is written only under the lock.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>

namespace goro::algo {

template <class Sync>
struct Waiter;

// WaitReason says what a parked goroutine waits for: only the execution tracer reads it
// (runtime/src/trace.hpp), so a model or an unnamed wait may leave it `other`.
enum class WaitReason : std::uint8_t { other, chan_send, chan_recv, select, mutex, waitgroup, sleep, nil_chan };

constexpr const char* to_string(WaitReason reason) noexcept {
  constexpr const char* names[] = {"other", "chan send", "chan recv", "select", "mutex", "waitgroup", "sleep", "nil chan"};
  return names[static_cast<std::uint8_t>(reason)];
}

template <class Sync>
struct WaitContext {
  static constexpr std::uint32_t kWaiting = 0;
  static constexpr std::uint32_t kClaimed = 1;

  typename Sync::template atomic<std::uint32_t> state{kWaiting};
  typename Sync::goroutine goroutine{};
  WaitReason reason = WaitReason::other;  // written by the owner before it parks; read by its worker's tracer
  // Written by the claimer before ready(); read by the owner after it wakes.
  typename Sync::template var<Waiter<Sync>*> fired;
  typename Sync::template var<bool> cancelled;

  // try_claim() is the one place that decides who completes this blocked operation.
  bool try_claim() {
    std::uint32_t expected = kWaiting;
    return state.compare_exchange_strong(expected, kClaimed, std::memory_order_acq_rel, std::memory_order_acquire);
  }
};

template <class Sync>
struct Waiter {
  WaitContext<Sync>* ctx = nullptr;
  void* slot = nullptr;          // the operation's value cell: Sync::var<std::optional<T>>
  std::size_t case_index = 0;    // which select case this waiter stands for
  // The links: guarded by the queue owner's lock (Sync::var, so the models race-check them).
  typename Sync::template var<Waiter*> prev;
  typename Sync::template var<Waiter*> next;  // also ReadyList's link, once claimed and unlinked
  typename Sync::template var<bool> queued;   // true exactly while linked in a WaitQueue
  typename Sync::template var<bool> success;  // set by the claimer: true = value moved, false = closed
};

// WaitQueue is a FIFO of Waiters: Go's waitq. The owner's lock must be held for every call.
template <class Sync>
class WaitQueue {
 public:
  void enqueue(Waiter<Sync>* w) {
    assert(!w->queued.load() && "Waiter enqueued twice");
    Waiter<Sync>* last = last_.load();
    w->next.store(nullptr);
    w->prev.store(last);
    if (last != nullptr) {
      last->next.store(w);
    } else {
      first_.store(w, std::memory_order_relaxed);
    }
    last_.store(w);
    w->queued.store(true);
  }

  // enqueue_front() links w at the head: a waiter that already waited once and lost the race
  // for its object keeps its seniority (the Mutex's woken waiter, as Go's semacquire lifo).
  void enqueue_front(Waiter<Sync>* w) {
    assert(!w->queued.load() && "Waiter enqueued twice");
    Waiter<Sync>* head = first_.load(std::memory_order_relaxed);
    w->prev.store(nullptr);
    w->next.store(head);
    if (head != nullptr) {
      head->prev.store(w);
    } else {
      last_.store(w);
    }
    first_.store(w, std::memory_order_relaxed);
    w->queued.store(true);
  }

  // remove() unlinks w if it is still queued (a no-op when a dequeue() already unlinked it).
  void remove(Waiter<Sync>* w) {
    if (!w->queued.load()) return;
    Waiter<Sync>* prev = w->prev.load();
    Waiter<Sync>* next = w->next.load();
    if (prev != nullptr) {
      prev->next.store(next);
    } else {
      first_.store(next, std::memory_order_relaxed);
    }
    if (next != nullptr) {
      next->prev.store(prev);
    } else {
      last_.store(prev);
    }
    w->prev.store(nullptr);
    w->next.store(nullptr);
    w->queued.store(false);
  }

  // dequeue() unlinks and returns the first waiter whose context this call managed to claim,
  // unlinking (and skipping) stale waiters of contexts claimed by someone else. nullptr if none.
  Waiter<Sync>* dequeue() {
    for (;;) {
      Waiter<Sync>* w = first_.load(std::memory_order_relaxed);
      if (w == nullptr) return nullptr;
      remove(w);
      if (w->ctx->try_claim()) return w;
    }
  }

  Waiter<Sync>* first_locked() const { return first_.load(std::memory_order_relaxed); }
  bool empty_locked() const { return first_.load(std::memory_order_relaxed) == nullptr; }
  // empty_unlocked() is the lock-free peek used by the non-blocking fast paths: a racy answer
  // is fine there because the slow path re-checks under the lock.
  bool empty_unlocked() const { return first_.load(std::memory_order_acquire) == nullptr; }

 private:
  typename Sync::template atomic<Waiter<Sync>*> first_{nullptr};  // written under the owner's lock
  typename Sync::template var<Waiter<Sync>*> last_;                // guarded by the owner's lock
};

// ReadyList collects claimed tasks to ready after the lock is dropped ("never ready another
// goroutine while holding a channel lock": the readied goroutine could run on another worker
// and contend for the very lock we hold). Intrusive through Waiter::next.
template <class Sync>
class ReadyList {
 public:
  void push(Waiter<Sync>* w) {
    w->next.store(head_);
    head_ = w;
  }
  bool empty() const { return head_ == nullptr; }
  // ready_all() readies every collected goroutine; call it with no lock held.
  void ready_all() {
    Waiter<Sync>* w = head_;
    head_ = nullptr;
    while (w != nullptr) {
      Waiter<Sync>* next = w->next.load();
      Sync::ready(w->ctx->goroutine);  // after this line w may be gone (its owner may have returned)
      w = next;
    }
  }

 private:
  Waiter<Sync>* head_ = nullptr;
};

}  // namespace goro::algo
