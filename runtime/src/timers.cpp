// timers.cpp — see timers.hpp.
#include "timers.hpp"

#include <mutex>
#include <thread>

namespace goro::detail {

bool TimerHeap::add(TimerNode* node) {
  std::lock_guard lock(lock_);
  node->heap = this;
  heap_.push_back(node);
  node->index = heap_.size() - 1;
  sift_up(node->index);
  armed_.fetch_add(1, std::memory_order_acq_rel);
  publish_next();
  return heap_.front() == node;
}

bool TimerHeap::remove(TimerNode* node) {
  for (;;) {
    TimerHeap* heap = node->heap;
    if (heap == nullptr) return false;  // never armed
    std::unique_lock lock(heap->lock_);
    if (node->firing) {
      lock.unlock();
      std::this_thread::yield();  // fire() is short; it clears `firing` before any hand-off
      continue;
    }
    if (node->index == TimerNode::kNotQueued) return false;
    heap->erase_at(node->index);
    heap->armed_.fetch_sub(1, std::memory_order_acq_rel);
    heap->publish_next();
    return true;
  }
}

void TimerHeap::finish_firing(TimerNode* node, Clock::time_point now) {
  TimerHeap* heap = node->heap;
  std::lock_guard lock(heap->lock_);
  node->firing = false;
  if (node->period > Clock::duration::zero()) {
    // Re-arm on the original grid, skipping ticks we were too late for (Go's Ticker drops them).
    node->when += node->period;
    if (node->when <= now) node->when = now + node->period;
    heap->heap_.push_back(node);
    node->index = heap->heap_.size() - 1;
    heap->sift_up(node->index);
    heap->armed_.fetch_add(1, std::memory_order_acq_rel);
    heap->publish_next();
  }
}

void TimerHeap::run_due(Clock::time_point now, std::atomic<std::uint64_t>& fired) {
  for (;;) {
    TimerNode* node = nullptr;
    {
      std::lock_guard lock(lock_);
      if (heap_.empty() || heap_.front()->when > now) return;
      node = heap_.front();
      erase_at(0);
      node->firing = true;
      armed_.fetch_sub(1, std::memory_order_acq_rel);
      publish_next();
    }
    fired.store(fired.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);  // one writer: the firing worker
    node->fire(node);  // calls finish_firing() itself
  }
}

void TimerHeap::purge() {
  std::vector<TimerNode*> discarded;
  {
    std::lock_guard lock(lock_);
    for (TimerNode* node : heap_) {
      node->index = TimerNode::kNotQueued;
      if (node->discard != nullptr) discarded.push_back(node);
    }
    armed_.fetch_sub(static_cast<std::int64_t>(heap_.size()), std::memory_order_acq_rel);
    heap_.clear();
    publish_next();
  }
  for (TimerNode* node : discarded) node->discard(node);
}

void TimerHeap::sift_up(std::size_t i) {
  TimerNode* node = heap_[i];
  while (i > 0) {
    const std::size_t parent = (i - 1) / 2;
    if (heap_[parent]->when <= node->when) break;
    place(i, heap_[parent]);
    i = parent;
  }
  place(i, node);
}

void TimerHeap::sift_down(std::size_t i) {
  TimerNode* node = heap_[i];
  const std::size_t n = heap_.size();
  for (;;) {
    std::size_t child = 2 * i + 1;
    if (child >= n) break;
    if (child + 1 < n && heap_[child + 1]->when < heap_[child]->when) ++child;
    if (node->when <= heap_[child]->when) break;
    place(i, heap_[child]);
    i = child;
  }
  place(i, node);
}

void TimerHeap::erase_at(std::size_t i) {
  TimerNode* removed = heap_[i];
  TimerNode* last = heap_.back();
  heap_.pop_back();
  removed->index = TimerNode::kNotQueued;
  if (i < heap_.size()) {
    place(i, last);
    sift_down(i);
    sift_up(last->index);
  }
}

void TimerHeap::publish_next() {
  next_ns_.store(heap_.empty() ? std::numeric_limits<Clock::rep>::max() : heap_.front()->when.time_since_epoch().count(),
                 std::memory_order_release);
}

}  // namespace goro::detail
