// global_queue.hpp — a locked FIFO of goroutines, linked through G::queue_next.
//
// Used by every policy: as the only queue (fifo), as the overflow and external-submission queue
// (steal, go). Invariant: size_ equals the number of linked goroutines whenever lock_ is free.
#pragma once

#include <atomic>
#include <cstddef>
#include <span>

#include "goro/sync/spin_mutex.hpp"
#include "goroutine.hpp"

namespace goro::detail {

class GlobalQueue {
 public:
  void push(G* g) {
    g->queue_next = nullptr;
    std::lock_guard lock(lock_);
    link_locked(g);
    size_.store(size_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }

  void push_batch(std::span<G*> batch) {
    std::lock_guard lock(lock_);
    for (G* g : batch) {
      g->queue_next = nullptr;
      link_locked(g);
    }
    size_.store(size_.load(std::memory_order_relaxed) + batch.size(), std::memory_order_release);
  }

  G* pop() {
    if (empty()) return nullptr;
    std::lock_guard lock(lock_);
    return pop_locked();
  }

  // pop_batch() takes up to out.size() goroutines; returns how many.
  std::size_t pop_batch(std::span<G*> out) {
    if (empty()) return 0;
    std::lock_guard lock(lock_);
    std::size_t n = 0;
    while (n < out.size()) {
      G* g = pop_locked();
      if (g == nullptr) break;
      out[n++] = g;
    }
    return n;
  }

  bool empty() const { return size_.load(std::memory_order_acquire) == 0; }
  std::size_t size() const { return size_.load(std::memory_order_relaxed); }

 private:
  void link_locked(G* g) {
    if (tail_ != nullptr) {
      tail_->queue_next = g;
    } else {
      head_ = g;
    }
    tail_ = g;
  }
  G* pop_locked() {
    G* g = head_;
    if (g == nullptr) return nullptr;
    head_ = g->queue_next;
    if (head_ == nullptr) tail_ = nullptr;
    g->queue_next = nullptr;
    size_.store(size_.load(std::memory_order_relaxed) - 1, std::memory_order_release);
    return g;
  }

  sync::SpinMutex lock_;  // guards head_, tail_ and writes of size_
  G* head_ = nullptr;
  G* tail_ = nullptr;
  std::atomic<std::size_t> size_{0};
};

}  // namespace goro::detail
