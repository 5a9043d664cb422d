// retry_chan.hpp — a buffered channel whose blocked goroutines are woken to *retry*, written
// outside goro's tree against goro's Sync contract (<goro/sync/contract.hpp>) and channel concept
// (goro::ChannelAlgorithm, <goro/algorithm.hpp>).
//
// Design (unlike goro's channel, which hands a value straight to a parked partner): one lock, a
// ring of `capacity` cells, and two queues of parked goroutines used like condition variables —
// not_empty_ (receivers) and not_full_ (senders). A send that finds room stores into the ring and
// wakes one parked receiver, which re-takes the lock and retries; a receive that takes a value
// wakes one parked sender the same way. Nothing is ever handed over outside the ring, so a woken
// goroutine may find its chance taken and park again. Capacity >= 1 (no unbuffered mode).
//
// Invariants (whenever lock_ is free):
//   0 <= count_ <= capacity; the ring holds exactly count_ values starting at head_;
//   closed_ implies both waiter queues are empty (close() wakes everyone; nobody parks after);
//   every push wakes one parked receiver and every pop one parked sender, if any is parked: a
//   receiver parks only after seeing count_ == 0 under the lock, so a later push sees it queued.
// Lock order: one lock; goroutines are readied only after it is released.
// Memory orders: count_ and closed_ are written under the lock and read without it by len() and
// try_recv's fast path; closed_ is stored with release and loaded with acquire, so a poller that
// sees "closed" also sees every count_ written before the close (no "closed" with a value left).
#pragma once

#include <cassert>
#include <cstddef>
#include <memory>
#include <optional>
#include <utility>

#include <goro/algo/waiter.hpp>
#include <goro/algorithm.hpp>

namespace retry {

template <class Sync, class T>
class Chan {
  using Waiter = goro::algo::Waiter<Sync>;
  using Queue = goro::algo::WaitQueue<Sync>;
  using ReadyList = goro::algo::ReadyList<Sync>;
  using Cell = typename Sync::template var<std::optional<T>>;

 public:
  explicit Chan(std::size_t capacity) : cells_(std::make_unique<Cell[]>(capacity)), capacity_(capacity) {
    assert(capacity >= 1 && "retry::Chan is buffered only");
  }

  goro::SendStatus send(T& value) { return send(value, true); }
  goro::SendStatus try_send(T& value) { return send(value, false); }
  goro::RecvStatus recv(T& out) { return recv(out, true); }

  goro::RecvStatus try_recv(T& out) {
    // Fast path: empty and open answers without the lock ("empty", then "not closed": the channel
    // was open and empty when closed_ was read); closed re-checks the count it now must see.
    if (count_.load(std::memory_order_acquire) == 0) {
      if (!closed_.load(std::memory_order_acquire)) return goro::RecvStatus::empty;
      if (count_.load(std::memory_order_acquire) == 0) return goro::RecvStatus::closed;
    }
    return recv(out, false);
  }

  bool close() {
    lock_.lock();
    if (closed_.load(std::memory_order_relaxed)) {
      lock_.unlock();
      return false;
    }
    closed_.store(true, std::memory_order_release);
    ReadyList to_ready;
    while (Waiter* w = not_empty_.dequeue()) to_ready.push(w);
    while (Waiter* w = not_full_.dequeue()) to_ready.push(w);
    lock_.unlock();
    to_ready.ready_all();
    return true;
  }

  std::size_t len() const { return count_.load(std::memory_order_relaxed); }
  std::size_t cap() const { return capacity_; }

 private:
  goro::SendStatus send(T& value, bool block) {
    lock_.lock();
    for (;;) {
      if (closed_.load(std::memory_order_relaxed)) {
        lock_.unlock();
        return goro::SendStatus::closed;
      }
      const std::size_t count = count_.load(std::memory_order_relaxed);
      if (count < capacity_) {
        cells_[(head_.load() + count) % capacity_].store(std::move(value));
        count_.store(count + 1, std::memory_order_release);
        unlock_waking(not_empty_);
        return goro::SendStatus::sent;
      }
      if (!block) {
        lock_.unlock();
        return goro::SendStatus::full;
      }
      park_locked(not_full_);  // returns with lock_ held again
    }
  }

  goro::RecvStatus recv(T& out, bool block) {
    lock_.lock();
    for (;;) {
      const std::size_t count = count_.load(std::memory_order_relaxed);
      if (count > 0) {
        const std::size_t head = head_.load();
        out = std::move(*cells_[head].take());
        head_.store(head + 1 == capacity_ ? 0 : head + 1);
        count_.store(count - 1, std::memory_order_release);
        unlock_waking(not_full_);
        return goro::RecvStatus::received;
      }
      if (closed_.load(std::memory_order_relaxed)) {
        lock_.unlock();
        return goro::RecvStatus::closed;
      }
      if (!block) {
        lock_.unlock();
        return goro::RecvStatus::empty;
      }
      park_locked(not_empty_);
    }
  }

  // unlock_waking() releases lock_ and readies one goroutine parked on queue, if any.
  void unlock_waking(Queue& queue) {
    ReadyList to_ready;
    if (Waiter* w = queue.dequeue()) to_ready.push(w);
    lock_.unlock();
    to_ready.ready_all();
  }

  static void unlock_chan(void* chan) { static_cast<Chan*>(chan)->lock_.unlock(); }

  // park_locked() parks the caller on queue until a waker or close() readies it; lock_ must be
  // held, is released once the goroutine is off its stack, and is held again on return.
  void park_locked(Queue& queue) {
    goro::algo::WaitContext<Sync> ctx;
    ctx.goroutine = Sync::current_goroutine();
    Waiter waiter;
    waiter.ctx = &ctx;
    queue.enqueue(&waiter);
    Sync::park(ctx, &unlock_chan, this);
    lock_.lock();
    queue.remove(&waiter);  // a no-op: whoever claimed us unlinked us
  }

  typename Sync::mutex lock_;
  std::unique_ptr<Cell[]> cells_;                    // guarded by lock_
  typename Sync::template var<std::size_t> head_;    // guarded by lock_
  typename Sync::template atomic<std::size_t> count_{0};  // written under lock_
  typename Sync::template atomic<bool> closed_{false};    // written under lock_
  Queue not_empty_;  // parked receivers; guarded by lock_
  Queue not_full_;   // parked senders; guarded by lock_
  const std::size_t capacity_;
};

}  // namespace retry
