// chan.hpp — Go's channel algorithm (after runtime/chan.go), written once over a Sync policy.
//
// A channel is a lock, an optional ring buffer, and two FIFO queues of blocked goroutines:
// recvq (receivers waiting for a value) and sendq (senders waiting for room or a partner).
//
// Invariants (hold whenever lock_ is free; checked by invariants_hold() in debug builds and in
// the Relacy models):
//   at least one of sendq and recvq is empty — a waiting sender and a waiting receiver would
//     have met — except when one select waits to both send and receive on the same unbuffered
//     channel (as in Go): then both queues hold waiters of that one WaitContext;
//   for buffered channels (capacity > 0):
//     count > 0 implies recvq is empty — a receiver would have taken a buffered value;
//     count < capacity implies sendq is empty — a sender would have used the free slot;
//   for unbuffered channels count == 0 always; values pass straight from a sender's waiter slot
//     to a receiver's (the direct hand-off: the buffer is never touched);
//   closed implies sendq and recvq are empty — close() wakes everyone and nobody waits after;
//   0 <= count <= capacity.
//
// Lock order: a goroutine holds at most one channel lock, except select, which locks all of its
// channels in increasing address order (select.hpp), so two selects can never wait on each other.
// Never ready another goroutine while holding lock_: tasks to wake are collected in a ReadyList
// and readied after unlock (the woken goroutine may otherwise run on another worker and spin on
// the very lock we hold).
//
// Fast paths: a non-blocking send or receive that would certainly block answers from atomics
// without taking the lock (Go's "fast path: check for failed non-blocking operation"); it may
// be stale, which is fine because a non-blocking operation may observe any state the channel
// passed through while the check ran — the slow path re-checks everything under the lock.
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "goro/algo/waiter.hpp"

namespace goro::algo {

// The outcome of one channel operation. `cancelled` means the runtime claimed the waiter to wind
// the goroutine down; the API layer turns it into goro::cancelled.
enum class OpStatus { ok, closed, would_block, cancelled };

// ChannelBase is the type-erased part of a channel that select() drives.
template <class Sync>
class ChannelBase {
 public:
  explicit ChannelBase(std::size_t capacity) : capacity_(capacity) {}
  virtual ~ChannelBase() = default;
  ChannelBase(const ChannelBase&) = delete;
  ChannelBase& operator=(const ChannelBase&) = delete;

  // try_send_locked() completes a send now if it can, moving the value out of *slot
  // (a Sync::var<std::optional<T>>). Returns ok, closed or would_block. lock_ must be held.
  virtual OpStatus try_send_locked(void* slot, ReadyList<Sync>& to_ready) = 0;
  // try_recv_locked() completes a receive now if it can, storing the value (or nullopt when
  // closed) into *slot. Returns ok, closed or would_block. lock_ must be held.
  virtual OpStatus try_recv_locked(void* slot, ReadyList<Sync>& to_ready) = 0;

  // The lock-free checks of the fast paths (and of select's pass 1a): stale answers are fine,
  // because whoever acts on "would not block" re-checks under lock_.
  // send_would_block_unlocked() — Go's full(): no receiver to hand to and no room.
  bool send_would_block_unlocked() const {
    if (this->closed_.load(std::memory_order_relaxed)) return false;  // the slow path reports closed
    if (this->capacity_ == 0) return this->recvq_.empty_unlocked();
    return this->count_.load(std::memory_order_relaxed) == this->capacity_;
  }
  // recv_would_block_unlocked() — Go's empty(): no sender to take from and nothing buffered
  // (closed or not: a receive on a closed channel completes, so callers check closed_ too).
  bool recv_would_block_unlocked() const {
    if (this->capacity_ == 0) return this->sendq_.empty_unlocked();
    return this->count_.load(std::memory_order_acquire) == 0;
  }

  std::size_t capacity() const { return capacity_; }
  std::size_t length() const { return count_.load(std::memory_order_relaxed); }
  bool closed_unlocked() const { return closed_.load(std::memory_order_acquire); }

  // invariants_hold() checks the Invariants block. lock_ must be held.
  bool invariants_hold() const {
    const std::size_t count = count_.load(std::memory_order_relaxed);
    const bool closed = closed_.load(std::memory_order_relaxed);
    if (!sendq_.empty_locked() && !recvq_.empty_locked() &&
        sendq_.first_locked()->ctx != recvq_.first_locked()->ctx)
      return false;
    if (count > capacity_) return false;
    if (capacity_ > 0 && count > 0 && !recvq_.empty_locked()) return false;
    if (capacity_ > 0 && count < capacity_ && !sendq_.empty_locked()) return false;
    if (capacity_ == 0 && count != 0) return false;
    if (closed && (!sendq_.empty_locked() || !recvq_.empty_locked())) return false;
    return true;
  }

  typename Sync::mutex lock_;  // guards the queues, the buffer, count_ and closed_ (writes)
  WaitQueue<Sync> recvq_;      // guarded by lock_
  WaitQueue<Sync> sendq_;      // guarded by lock_

 protected:
  // Written only under lock_; atomics so that len() and the fast paths can read them without it.
  typename Sync::template atomic<std::size_t> count_{0};
  typename Sync::template atomic<bool> closed_{false};
  const std::size_t capacity_;
};

// Ring is the channel buffer: `capacity` value cells in a circle. Guarded by the channel lock.
template <class T, class Sync, bool = std::is_empty_v<T>>
class Ring {
 public:
  using cell = typename Sync::template var<std::optional<T>>;
  explicit Ring(std::size_t capacity) : cells_(capacity > 0 ? std::make_unique<cell[]>(capacity) : nullptr), capacity_(capacity) {}
  // push() stores at the tail; the caller checked there is room (count < capacity).
  void push(std::size_t count, std::optional<T> value) { cells_[(head_.load() + count) % capacity_].store(std::move(value)); }
  // pop() takes the head; the caller checked count > 0.
  std::optional<T> pop() {
    const std::size_t head = head_.load();
    std::optional<T> value = cells_[head].take();
    head_.store(head + 1 == capacity_ ? 0 : head + 1);
    return value;
  }

 private:
  std::unique_ptr<cell[]> cells_;
  typename Sync::template var<std::size_t> head_;  // guarded by the channel lock (race-checked in the models)
  const std::size_t capacity_;
};

// A zero-size element carries no information: the buffer is just the count (no memory at all).
template <class T, class Sync>
class Ring<T, Sync, true> {
 public:
  static_assert(std::is_default_constructible_v<T>, "zero-size channel elements must be default-constructible");
  explicit Ring(std::size_t) {}
  void push(std::size_t, std::optional<T>) {}
  std::optional<T> pop() { return T{}; }
};

template <class T, class Sync>
class Channel final : public ChannelBase<Sync> {
 public:
  using slot_type = typename Sync::template var<std::optional<T>>;
  using ChannelBase<Sync>::recv_would_block_unlocked;
  using ChannelBase<Sync>::send_would_block_unlocked;

  explicit Channel(std::size_t capacity) : ChannelBase<Sync>(capacity), ring_(capacity) {}

  ~Channel() override {
    // Nobody can be waiting: every waiter holds a handle to the channel.
    assert(this->recvq_.empty_locked() && this->sendq_.empty_locked() && "channel destroyed with waiters");
  }

  // send() is Go's chansend: deliver *value (moved from only on success) or, when block is
  // false, give up instead of parking. A sender parked when the channel closes gets `closed`.
  OpStatus send(slot_type& value, bool block) {
    if (!block && send_would_block_unlocked()) return OpStatus::would_block;
    this->lock_.lock();
    ReadyList<Sync> to_ready;
    OpStatus status = try_send_locked_typed(value, to_ready);
    if (status != OpStatus::would_block || !block) {
      this->lock_.unlock();
      to_ready.ready_all();
      return status;
    }
    return park_locked(this->sendq_, &value);  // unlocks
  }

  // recv() is Go's chanrecv: receive into *out (nullopt once closed and drained) or, when block
  // is false, give up instead of parking.
  OpStatus recv(slot_type& out, bool block) {
    if (!block && recv_would_block_unlocked()) {
      // Go's ordering: observe "empty", then "not closed": the channel was open and empty at the
      // moment of the second load. If it is closed, re-check emptiness: a value sent before the
      // close must still be received.
      if (!this->closed_.load(std::memory_order_acquire)) return OpStatus::would_block;
      if (recv_would_block_unlocked()) return OpStatus::closed;
    }
    this->lock_.lock();
    ReadyList<Sync> to_ready;
    OpStatus status = try_recv_locked_typed(out, to_ready);
    if (status != OpStatus::would_block || !block) {
      this->lock_.unlock();
      to_ready.ready_all();
      return status;
    }
    return park_locked(this->recvq_, &out);  // unlocks
  }

  // close() is Go's closechan: wakes every waiting receiver (with nothing) and every waiting
  // sender (with `closed`). Returns closed if the channel was already closed.
  OpStatus close() {
    this->lock_.lock();
    if (this->closed_.load(std::memory_order_relaxed)) {
      this->lock_.unlock();
      return OpStatus::closed;
    }
    this->closed_.store(true, std::memory_order_release);
    ReadyList<Sync> to_ready;
    while (Waiter<Sync>* w = this->recvq_.dequeue()) {
      static_cast<slot_type*>(w->slot)->store(std::nullopt);
      complete(w, false, to_ready);
    }
    while (Waiter<Sync>* w = this->sendq_.dequeue()) complete(w, false, to_ready);
    assert(this->invariants_hold() && "chan invariant broken by close");
    this->lock_.unlock();
    to_ready.ready_all();
    return OpStatus::ok;
  }

  OpStatus try_send_locked(void* slot, ReadyList<Sync>& to_ready) override {
    return try_send_locked_typed(*static_cast<slot_type*>(slot), to_ready);
  }
  OpStatus try_recv_locked(void* slot, ReadyList<Sync>& to_ready) override {
    return try_recv_locked_typed(*static_cast<slot_type*>(slot), to_ready);
  }

 private:
  // complete() records the outcome of a claimed waiter and schedules its wake-up.
  static void complete(Waiter<Sync>* w, bool success, ReadyList<Sync>& to_ready) {
    w->success.store(success);
    w->ctx->fired.store(w);
    to_ready.push(w);
  }

  OpStatus try_send_locked_typed(slot_type& value, ReadyList<Sync>& to_ready) {
    if (this->closed_.load(std::memory_order_relaxed)) return OpStatus::closed;
    // A receiver is waiting: hand the value straight to it (the buffer is empty, by invariant).
    if (Waiter<Sync>* receiver = this->recvq_.dequeue()) {
      static_cast<slot_type*>(receiver->slot)->store(value.take());
      complete(receiver, true, to_ready);
      return OpStatus::ok;
    }
    const std::size_t count = this->count_.load(std::memory_order_relaxed);
    if (count < this->capacity_) {
      ring_.push(count, value.take());
      this->count_.store(count + 1, std::memory_order_release);
      return OpStatus::ok;
    }
    return OpStatus::would_block;
  }

  OpStatus try_recv_locked_typed(slot_type& out, ReadyList<Sync>& to_ready) {
    if (Waiter<Sync>* sender = this->sendq_.dequeue()) {
      auto* sender_value = static_cast<slot_type*>(sender->slot);
      if (this->capacity_ == 0) {
        out.store(sender_value->take());  // direct hand-off
      } else {
        // The buffer is full (a sender waits): take its head, and put the sender's value at the
        // tail, so per-sender FIFO order is kept. count is unchanged.
        out.store(ring_.pop());
        ring_.push(this->capacity_ - 1, sender_value->take());
      }
      complete(sender, true, to_ready);
      return OpStatus::ok;
    }
    const std::size_t count = this->count_.load(std::memory_order_relaxed);
    if (count > 0) {
      out.store(ring_.pop());
      this->count_.store(count - 1, std::memory_order_release);
      return OpStatus::ok;
    }
    if (this->closed_.load(std::memory_order_relaxed)) {
      out.store(std::nullopt);
      return OpStatus::closed;
    }
    return OpStatus::would_block;
  }

  static void unlock_channel(void* channel) { static_cast<Channel*>(channel)->lock_.unlock(); }

  // park_locked() enqueues the caller on `queue`, parks, and reports how it was woken.
  // lock_ must be held; it is released (off-stack) by the park.
  OpStatus park_locked(WaitQueue<Sync>& queue, slot_type* slot) {
    WaitContext<Sync> ctx;
    ctx.goroutine = Sync::current_goroutine();
    ctx.reason = &queue == &this->sendq_ ? WaitReason::chan_send : WaitReason::chan_recv;
    Waiter<Sync> waiter;
    waiter.ctx = &ctx;
    waiter.slot = slot;
    queue.enqueue(&waiter);
    assert(this->invariants_hold() && "chan invariant broken before park");
    Sync::park(ctx, &unlock_channel, this);
    if (ctx.cancelled.load()) {
      // The runtime claimed us to wind down: our waiter may still be linked.
      this->lock_.lock();
      queue.remove(&waiter);
      this->lock_.unlock();
      return OpStatus::cancelled;
    }
    return waiter.success.load() ? OpStatus::ok : OpStatus::closed;
  }

  Ring<T, Sync> ring_;  // guarded by lock_
};

}  // namespace goro::algo
