// ring_queue.hpp — a bounded work-stealing run queue written outside goro's tree against goro's
// Sync contract (<goro/sync/contract.hpp>) and run-queue concept (goro::RunQueueAlgorithm,
// <goro/algorithm.hpp>).
//
// Design (after Go's per-P run queue, runtime/proc.go runqput/runqget/runqsteal, without runnext
// and without stealing half): a ring of kSize slots; the owner appends at tail_, and both the
// owner and the thieves take the oldest task at head_ with a compare-and-swap. So the owner runs
// its tasks in FIFO order — unlike goro's Chase–Lev deque, whose owner takes the newest task and
// races the thieves only for the last one. A full ring refuses the push (the caller spills).
//
// Invariants:
//   head_ only increases, and only by a successful CAS; tail_ is written by the owner only;
//   the live tasks are the slots [head_, tail_) (mod kSize), and tail_ - head_ <= kSize;
//   each pushed task is returned exactly once, by pop() or by steal().
// Memory orders: push() publishes the slot and the task's own state with its release store of
// tail_; a thief's acquire load of tail_ sees both. head_'s CAS is acq_rel: its release tells the
// owner (push's acquire load of head_) that the slot was read and may be reused. A thief's failed
// CAS reloads head_ with acquire: the head it then sees was moved by someone who had seen a tail
// at least that far, and the acquire carries that tail to the thief — relaxed, a stale tail below
// the new head passes the `tail == head` test and the thief takes an empty slot (the memory-order
// mutants find exactly that). The owner's pop() needs less (its slots and tail_ are its own);
// it spells the same orders as steal(), so the two read alike (equivalent_mutants.json says so).
// The slots are atomics (read relaxed), not plain cells: a thief reads a slot before its CAS,
// and if the CAS loses, the owner may already be writing that slot again.
#pragma once

#include <cstddef>
#include <cstdint>

#include <goro/algorithm.hpp>

namespace ring {

template <class Sync, class T, std::size_t kSize = 4>
class Queue {
 public:
  // push() appends a task at the tail; false when the ring is full. Owner only.
  bool push(T* task) {
    const std::uint32_t head = head_.load(std::memory_order_acquire);  // slots before it are free
    const std::uint32_t tail = tail_.load(std::memory_order_relaxed);  // the owner's own
    if (tail - head >= kSize) return false;
    slots_[tail % kSize].store(task, std::memory_order_relaxed);
    tail_.store(tail + 1, std::memory_order_release);  // publishes the slot and the task
    return true;
  }

  // pop() takes the oldest task; nullptr when empty. Owner only (tail_ is its own).
  T* pop() {
    std::uint32_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t tail = tail_.load(std::memory_order_relaxed);
      if (tail == head) return nullptr;
      T* task = slots_[head % kSize].load(std::memory_order_relaxed);
      if (head_.compare_exchange_weak(head, head + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        return task;
      }
    }
  }

  // steal() takes the oldest task; nullptr when it found none. Any thread (a thief).
  T* steal() {
    std::uint32_t head = head_.load(std::memory_order_acquire);
    for (;;) {
      const std::uint32_t tail = tail_.load(std::memory_order_acquire);  // pairs with push's release
      if (tail == head) return nullptr;
      T* task = slots_[head % kSize].load(std::memory_order_relaxed);
      if (head_.compare_exchange_strong(head, head + 1, std::memory_order_acq_rel, std::memory_order_acquire)) {
        return task;
      }
    }
  }

 private:
  typename Sync::template atomic<std::uint32_t> head_{0};  // owner and thieves (CAS)
  typename Sync::template atomic<std::uint32_t> tail_{0};  // written by the owner only
  typename Sync::template atomic<T*> slots_[kSize] = {};    // written by the owner only
};

}  // namespace ring
