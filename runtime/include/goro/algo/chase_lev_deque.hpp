// chase_lev_deque.hpp — a bounded work-stealing deque: the owner pushes and takes at the bottom
// (LIFO), thieves steal from the top (FIFO).
//
// After D. Chase and Y. Lev, "Dynamic Circular Work-Stealing Deque" (SPAA 2005); memory orders
// per N. M. Lê, A. Pop, A. Cohen, F. Zappa Nardelli, "Correct and Efficient Work-Stealing for
// Weak Memory Models" (PPoPP 2013), Fig. 1. The array does not grow: a full deque refuses the push
// and the caller spills to its overflow queue (growing needs a reclamation scheme for the old
// array, which a scheduler with a global queue does not need).
//
// Invariants:
//   - top_ only increases, and only by a successful CAS (a thief, or the owner taking the last
//     element); bottom_ is written only by the owner;
//   - the live elements are the cells [top_, bottom_); bottom_ - top_ <= kCapacity;
//   - each pushed element is returned exactly once, by take() or by steal().
// The seq_cst fences in take() and steal() are the ones Lê et al. prove necessary: without them
// the owner and a thief can both take the last element (the models plant exactly that bug).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace goro::algo {

template <class T, class Sync, std::size_t kCapacity = 4096>
class ChaseLevDeque {
  static_assert((kCapacity & (kCapacity - 1)) == 0, "capacity must be a power of two");

 public:
  // push() appends at the bottom; false when full. Owner only.
  bool push(T value) {
    const std::int64_t b = bottom_.load(std::memory_order_relaxed);
    const std::int64_t t = top_.load(std::memory_order_acquire);
    if (b - t >= static_cast<std::int64_t>(kCapacity)) return false;
    cells_[static_cast<std::size_t>(b) & kMask].store(value, std::memory_order_relaxed);
    // Lê et al. use a release fence and a relaxed store; a release store is the same ordering
    // on one location and is visible to ThreadSanitizer, which does not model fences.
    bottom_.store(b + 1, std::memory_order_release);
    return true;
  }

  // take() removes the bottom element (the newest); T{} when empty. Owner only.
  T take() {
    const std::int64_t b = bottom_.load(std::memory_order_relaxed) - 1;
    bottom_.store(b, std::memory_order_relaxed);
    Sync::fence(std::memory_order_seq_cst);
    std::int64_t t = top_.load(std::memory_order_relaxed);
    T value{};
    if (t <= b) {
      value = cells_[static_cast<std::size_t>(b) & kMask].load(std::memory_order_relaxed);
      if (t == b) {
        // The last element: race the thieves for it.
        if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) value = T{};
        bottom_.store(b + 1, std::memory_order_relaxed);
      }
    } else {
      bottom_.store(b + 1, std::memory_order_relaxed);
    }
    return value;
  }

  // steal() removes the top element (the oldest); T{} when empty or when it lost a race.
  // Any thread.
  T steal() {
    std::int64_t t = top_.load(std::memory_order_acquire);
    Sync::fence(std::memory_order_seq_cst);
    const std::int64_t b = bottom_.load(std::memory_order_acquire);
    if (t >= b) return T{};
    T value = cells_[static_cast<std::size_t>(t) & kMask].load(std::memory_order_relaxed);
    if (!top_.compare_exchange_strong(t, t + 1, std::memory_order_seq_cst, std::memory_order_relaxed)) return T{};
    return value;
  }

  // peek_oldest() is the top element without taking it (T{} when empty); it may be stolen the
  // moment after. For scheduling heuristics only. Owner only.
  T peek_oldest() const {
    const std::int64_t t = top_.load(std::memory_order_acquire);
    const std::int64_t b = bottom_.load(std::memory_order_relaxed);
    if (t >= b) return T{};
    return cells_[static_cast<std::size_t>(t) & kMask].load(std::memory_order_relaxed);
  }

  // size_estimate() may be stale by the time it returns; for idle checks and statistics only.
  std::size_t size_estimate() const {
    const std::int64_t b = bottom_.load(std::memory_order_relaxed);
    const std::int64_t t = top_.load(std::memory_order_relaxed);
    return b > t ? static_cast<std::size_t>(b - t) : 0;
  }

 private:
  static constexpr std::size_t kMask = kCapacity - 1;
  alignas(64) typename Sync::template atomic<std::int64_t> top_{0};     // thieves and owner (CAS)
  alignas(64) typename Sync::template atomic<std::int64_t> bottom_{0};  // written by the owner only
  alignas(64) typename Sync::template atomic<T> cells_[kCapacity] = {};
};

}  // namespace goro::algo
