// global_queue.hpp — a locked FIFO of goroutines, linked through an intrusive link of theirs:
// the scheduler policies' global run queue (the only queue of `fifo`; the overflow and
// outside-submission queue of `steal` and `go`), written over a Sync policy so model_global_queue
// checks the same code.
//
// Invariants (whenever lock_ is free): size_ equals the number of linked nodes; head_ is null
// exactly when tail_ is; tail_'s link is null; a node is linked at most once.
// empty() is a lock-free peek (acquire): a racy answer is fine — callers that must not miss
// work (an idle worker going to sleep) re-check after the idle protocol's handshake, and every
// size_ write is a release under lock_ after the links are in place.
// Lock order: lock_ is a leaf; never ready a goroutine while holding it.
//
// Usage:  algo::GlobalRunQueue<Sync, G, &G::queue_next> queue;  queue.push(g);  G* g = queue.pop();
#pragma once

#include <atomic>
#include <cstddef>
#include <span>

namespace goro::algo {

template <class Sync, class Node, typename Sync::template var<Node*> Node::*Next>
class GlobalRunQueue {
 public:
  void push(Node* node) {
    (node->*Next).store(nullptr);
    lock_.lock();
    link_locked(node);
    size_.store(size_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
    lock_.unlock();
  }

  void push_batch(std::span<Node*> batch) {
    lock_.lock();
    for (Node* node : batch) {
      (node->*Next).store(nullptr);
      link_locked(node);
    }
    size_.store(size_.load(std::memory_order_relaxed) + batch.size(), std::memory_order_release);
    lock_.unlock();
  }

  Node* pop() {
    if (empty()) return nullptr;
    lock_.lock();
    Node* node = pop_locked();
    lock_.unlock();
    return node;
  }

  // pop_batch() takes up to out.size() nodes; returns how many.
  std::size_t pop_batch(std::span<Node*> out) {
    if (empty()) return 0;
    lock_.lock();
    std::size_t n = 0;
    while (n < out.size()) {
      Node* node = pop_locked();
      if (node == nullptr) break;
      out[n++] = node;
    }
    lock_.unlock();
    return n;
  }

  bool empty() const { return size_.load(std::memory_order_acquire) == 0; }
  std::size_t size() const { return size_.load(std::memory_order_relaxed); }

  // invariants_hold() — the invariants above; lock_ must be held or the queue quiescent.
  bool invariants_hold() const {
    std::size_t linked = 0;
    Node* last = nullptr;
    for (Node* node = head_.load(); node != nullptr; node = (node->*Next).load()) {
      last = node;
      if (++linked > size_.load(std::memory_order_relaxed)) return false;
    }
    return linked == size_.load(std::memory_order_relaxed) && last == tail_.load();
  }

  typename Sync::mutex lock_;  // guards head_, tail_, the links of linked nodes and writes of size_

 private:
  void link_locked(Node* node) {
    if (Node* tail = tail_.load()) {
      (tail->*Next).store(node);
    } else {
      head_.store(node);
    }
    tail_.store(node);
  }
  Node* pop_locked() {
    Node* node = head_.load();
    if (node == nullptr) return nullptr;
    Node* next = (node->*Next).take();
    head_.store(next);
    if (next == nullptr) tail_.store(nullptr);
    size_.store(size_.load(std::memory_order_relaxed) - 1, std::memory_order_release);
    return node;
  }

  typename Sync::template var<Node*> head_;  // guarded by lock_
  typename Sync::template var<Node*> tail_;  // guarded by lock_
  typename Sync::template atomic<std::size_t> size_{0};
};

}  // namespace goro::algo
