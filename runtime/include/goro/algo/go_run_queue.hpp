// go_run_queue.hpp — Go's per-P run queue (runtime/proc.go: runqput, runqget, runqgrab,
// runqsteal): a 256-slot ring with one producer (the owning worker) and many consumers, plus a
// `runnext` slot for the goroutine that should run next.
//
// `runnext` gives a goroutine readied by the running one (a channel partner, a new child) the
// next turn, so a send/receive ping-pong stays on one worker and inherits the time slice. When
// the ring is full, push() moves half of it plus the new goroutine out in one batch, for the
// caller to put on the global queue (Go's runqputslow): one lock round-trip per 128 goroutines.
//
// Invariants:
//   - tail_ is written only by the owner; head_ only advances, by CAS (owner or thieves);
//   - the live goroutines are the slots [head_, tail_) and tail_ - head_ <= kSize;
//   - a goroutine is in at most one of {runnext_, the ring}; each pushed goroutine is returned
//     exactly once, by pop(), by a thief's steal_into(), or in an overflow batch.
// Memory orders follow proc.go: head_ load-acquire / CAS-release ("commits consume"), tail_
// store-release ("makes the item available for consumption"); slots are read before the CAS
// that commits the read, so a slot is never overwritten before its reader has committed.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <span>

namespace goro::algo {

template <class T, class Sync, std::uint32_t kSize = 256>
class GoRunQueue {
  static_assert((kSize & (kSize - 1)) == 0, "ring size must be a power of two");

 public:
  static constexpr std::uint32_t kCapacity = kSize;
  static constexpr std::size_t kOverflowBatch = kSize / 2 + 1;

  // push() adds g: into runnext when next is true (the old runnext moves to the ring tail),
  // else at the ring tail. If the ring is full, the returned span (inside `overflow`, which must
  // hold kOverflowBatch) lists goroutines the caller must put on the global queue. Owner only.
  std::span<T> push(T g, bool next, std::span<T> overflow) {
    if (next) {
      T old = runnext_.load(std::memory_order_relaxed);
      while (!runnext_.compare_exchange_weak(old, g, std::memory_order_acq_rel, std::memory_order_relaxed)) {
      }
      if (old == T{}) return {};
      g = old;  // kick the old runnext out to the tail
    }
    for (;;) {
      const std::uint32_t h = head_.load(std::memory_order_acquire);
      const std::uint32_t t = tail_.load(std::memory_order_relaxed);
      if (t - h < kSize) {
        slots_[t & kMask].store(g, std::memory_order_relaxed);
        tail_.store(t + 1, std::memory_order_release);
        return {};
      }
      // Full: move half of the ring and g to the caller's overflow batch.
      const std::uint32_t n = (t - h) / 2;
      for (std::uint32_t i = 0; i < n; ++i) overflow[i] = slots_[(h + i) & kMask].load(std::memory_order_relaxed);
      std::uint32_t expected = h;
      if (!head_.compare_exchange_strong(expected, h + n, std::memory_order_release, std::memory_order_relaxed)) {
        continue;  // thieves took some meanwhile: there may be room now
      }
      overflow[n] = g;
      return overflow.subspan(0, n + 1);
    }
  }

  // pop() takes runnext if set, else the ring head; T{} when empty. Owner only.
  // *from_runnext (if given) tells which.
  T pop(bool* from_runnext = nullptr) {
    T next = runnext_.load(std::memory_order_relaxed);
    if (next != T{} && runnext_.compare_exchange_strong(next, T{}, std::memory_order_acq_rel, std::memory_order_relaxed)) {
      if (from_runnext != nullptr) *from_runnext = true;
      return next;
    }
    if (from_runnext != nullptr) *from_runnext = false;
    return pop_ring();
  }

  // pop_ring() takes the ring head, leaving runnext alone; T{} when the ring is empty. Owner only.
  T pop_ring() {
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      const std::uint32_t t = tail_.load(std::memory_order_relaxed);
      if (t == h) return T{};
      T g = slots_[h & kMask].load(std::memory_order_relaxed);
      if (head_.compare_exchange_strong(h, h + 1, std::memory_order_release, std::memory_order_relaxed)) return g;
    }
  }

  // steal_into() moves half of victim's goroutines into this (empty) queue and returns one of
  // them to run; T{} when there was nothing. With steal_runnext, an empty ring yields the
  // victim's runnext. Called by this queue's owner; victim is another worker's queue.
  T steal_into(GoRunQueue& victim, bool steal_runnext) {
    const std::uint32_t t = tail_.load(std::memory_order_relaxed);
    std::uint32_t n = victim.grab_into(*this, t, steal_runnext);
    if (n == 0) return T{};
    --n;
    T g = slots_[(t + n) & kMask].load(std::memory_order_relaxed);
    if (n == 0) return g;
    tail_.store(t + n, std::memory_order_release);
    return g;
  }

  // runnext_occupied() may be stale; owner_stalled() uses it.
  bool runnext_occupied() const { return runnext_.load(std::memory_order_relaxed) != T{}; }

  // owner_stalled() — the rule for a thief and victim's runnext (steal_into's steal_runnext):
  // take it only if it is empty, or if the owner scheduled nothing while the thief waited —
  // victim_tick, the owner's count of pops, did not move across wait() (Go's runqgrab waits
  // 3 µs before taking a running P's runnext). Reason: runnext holds the goroutine a running
  // owner's channel partner just readied, which that owner runs next itself; stealing it splits
  // the pair across cores. A stalled owner's runnext is still taken, so it never waits for an
  // owner that computes (model_go_run_queue: stalled_owner; goroutine_test's
  // AGoroutineReadiedIntoItsWakersNextSlotRunsWhileTheWakerComputes).
  template <class Tick, class Wait>
  static bool owner_stalled(const GoRunQueue& victim, const Tick& victim_tick, Wait&& wait) {
    if (!victim.runnext_occupied()) return true;  // nothing to protect; steal as Go does
    const auto seen = victim_tick.load(std::memory_order_relaxed);
    wait();
    return victim_tick.load(std::memory_order_relaxed) == seen;
  }

  // empty() may be stale; for idle checks only.
  bool empty() const {
    return head_.load(std::memory_order_acquire) == tail_.load(std::memory_order_acquire) &&
           runnext_.load(std::memory_order_acquire) == T{};
  }
  std::uint32_t size_estimate() const {
    return tail_.load(std::memory_order_relaxed) - head_.load(std::memory_order_relaxed);
  }

 private:
  static constexpr std::uint32_t kMask = kSize - 1;

  // grab_into() copies half of this queue's ring (rounded up) into dst's slots starting at
  // dst_tail and commits by advancing head_. Returns how many were grabbed.
  std::uint32_t grab_into(GoRunQueue& dst, std::uint32_t dst_tail, bool steal_runnext) {
    for (;;) {
      std::uint32_t h = head_.load(std::memory_order_acquire);
      const std::uint32_t t = tail_.load(std::memory_order_acquire);
      std::uint32_t n = t - h;
      n = n - n / 2;
      if (n == 0) {
        if (steal_runnext) {
          T next = runnext_.load(std::memory_order_acquire);
          if (next != T{} && runnext_.compare_exchange_strong(next, T{}, std::memory_order_acq_rel, std::memory_order_relaxed)) {
            dst.slots_[dst_tail & kMask].store(next, std::memory_order_relaxed);
            return 1;
          }
        }
        return 0;
      }
      if (n > kSize / 2) continue;  // read an inconsistent h and t: retry
      for (std::uint32_t i = 0; i < n; ++i) {
        T g = slots_[(h + i) & kMask].load(std::memory_order_relaxed);
        dst.slots_[(dst_tail + i) & kMask].store(g, std::memory_order_relaxed);
      }
      if (head_.compare_exchange_strong(h, h + n, std::memory_order_acq_rel, std::memory_order_relaxed)) return n;
    }
  }

  alignas(64) typename Sync::template atomic<std::uint32_t> head_{0};  // consumers: CAS
  alignas(64) typename Sync::template atomic<std::uint32_t> tail_{0};  // owner only
  alignas(64) typename Sync::template atomic<T> runnext_{T{}};
  typename Sync::template atomic<T> slots_[kSize] = {};
};

}  // namespace goro::algo
