// timers.hpp — per-worker timer heaps: sleep_for, after, Timer and Ticker all end up here.
//
// Each worker owns a min-heap of TimerNodes ordered by deadline. Its scheduling loop runs the
// due ones; idle workers also run other workers' due timers (the owner may be busy in a long
// goroutine), and a sleeping worker sleeps until the earliest deadline of all heaps.
//
// Firing protocol (after Go's timerRunning): run_due() unlinks a due node under the heap lock
// and marks it `firing`, then calls node->fire(node) with no lock held. fire() must call
// finish_firing() before doing anything that may free the node (readying a sleeper, whose stack
// holds the node); remove() waits while a node is firing. So an owner that stops or destroys a
// timer never frees it under a running fire(), and fire() never touches a node after hand-off.
//
// Lock order: a goroutine's ParkSlot lock (goro/algo/park.hpp) → TimerHeap::lock_ (arming a sleep from a park commit); the heap lock
// is otherwise a leaf.
#pragma once

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

#include "goro/go.hpp"
#include "goro/sync/runtime_sync.hpp"

namespace goro::detail {

class TimerHeap;

struct TimerNode {
  static constexpr std::size_t kNotQueued = std::numeric_limits<std::size_t>::max();

  Clock::time_point when{};
  Clock::duration period{0};                // > 0: re-armed after each firing (Ticker)
  void (*fire)(TimerNode* self) = nullptr;  // see the firing protocol above
  void (*discard)(TimerNode* self) = nullptr;  // purge() of a node nobody else owns (after()): frees it
  // Guarded by the heap lock of `heap`:
  TimerHeap* heap = nullptr;
  std::size_t index = kNotQueued;
  bool firing = false;
};

class TimerHeap {
 public:
  // `armed` counts pending timers across all heaps of a scheduler (for deadlock detection).
  explicit TimerHeap(RuntimeSync::atomic<std::int64_t>& armed) : armed_(armed) {}

  // add() queues node (which must not be queued); returns true if it became this heap's earliest.
  bool add(TimerNode* node);
  // remove() unqueues node if queued, waiting while it fires; true if it was pending.
  static bool remove(TimerNode* node);
  // finish_firing() ends a firing: re-arms periodic nodes, clears `firing`. Called by fire().
  static void finish_firing(TimerNode* node, Clock::time_point now);
  // run_due() fires every node due at `now`, adding each to `fired` before firing it (so a
  // stats snapshot taken after the woken goroutine's run() returned already counts it).
  void run_due(Clock::time_point now, std::atomic<std::uint64_t>& fired);
  // next_deadline() is the earliest deadline (time_point::max() when empty); lock-free, may be stale.
  Clock::time_point next_deadline() const {
    return Clock::time_point(Clock::duration(next_ns_.load(std::memory_order_acquire)));
  }
  bool maybe_due(Clock::time_point now) const { return next_deadline() <= now; }
  // purge() unqueues everything (end of a run); nodes are not fired; heap-owned ones are discarded.
  void purge();

 private:
  void sift_up(std::size_t i);
  void sift_down(std::size_t i);
  void erase_at(std::size_t i);
  void publish_next();
  void place(std::size_t i, TimerNode* node) {
    heap_[i] = node;
    node->index = i;
  }

  RuntimeSync::mutex lock_;        // guards heap_ and the queued nodes' heap/index/firing
  std::vector<TimerNode*> heap_;
  // Cross-thread state through the Sync policy (the chaos build perturbs it):
  RuntimeSync::atomic<Clock::rep> next_ns_{std::numeric_limits<Clock::rep>::max()};  // written under lock_
  RuntimeSync::atomic<std::int64_t>& armed_;  // the scheduler's count of pending timers
};

}  // namespace goro::detail
