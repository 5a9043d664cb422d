// owner_fifo.hpp — a FIFO of goroutines owned by one worker (only the owner pushes and pops),
// linked through an intrusive link of theirs; other workers only read its size (has_work()).
// The steal policy keeps yielded goroutines in one, behind its Chase–Lev deque.
//
// Invariants: head_ is null exactly when tail_ is; count_ equals the number of linked nodes
// after every owner operation; a non-owner reads only count_ (acquire: a count it sees was
// published after the links, though it may be stale — has_work() callers re-check).
#pragma once

#include <atomic>
#include <cstddef>

namespace goro::algo {

template <class Sync, class Node, typename Sync::template var<Node*> Node::*Next>
class OwnerFifo {
 public:
  // push() and pop(): the owner only.
  void push(Node* node) {
    (node->*Next).store(nullptr);
    if (Node* tail = tail_.load()) {
      (tail->*Next).store(node);
    } else {
      head_.store(node);
    }
    tail_.store(node);
    count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_release);
  }
  Node* pop() {
    Node* node = head_.load();
    if (node == nullptr) return nullptr;
    Node* next = (node->*Next).take();
    head_.store(next);
    if (next == nullptr) tail_.store(nullptr);
    count_.store(count_.load(std::memory_order_relaxed) - 1, std::memory_order_release);
    return node;
  }
  // front() is the oldest node, or null: the owner only.
  Node* front() const { return head_.load(); }
  // empty() may be called by any thread.
  bool empty() const { return count_.load(std::memory_order_acquire) == 0; }

 private:
  typename Sync::template var<Node*> head_;  // owner only
  typename Sync::template var<Node*> tail_;  // owner only
  typename Sync::template atomic<std::size_t> count_{0};  // written by the owner, read by anyone
};

}  // namespace goro::algo
