// owner_fifo.hpp — a FIFO of goroutines owned by one worker (only the owner pushes and pops),
// linked through an intrusive link of theirs; other workers only read its size (has_work()).
// The steal policy keeps yielded goroutines in one, behind its Chase–Lev deque.
//
// Invariants (invariants_hold() checks them; models/model_owner_fifo.cpp runs it after every
// owner operation): head_ is null exactly when tail_ is; tail_'s link is null; count_ equals the
// number of linked nodes after every owner operation.
// Memory order: a non-owner reads only count_, and nothing on the strength of it (the links are
// the owner's), so count_ is relaxed. It may be stale — has_work() callers re-check — and what
// makes a push visible to a worker about to sleep is the idle protocol's handshake, which orders
// the push before that worker's look: a relaxed load then reads the new count by coherence
// (model_owner_fifo's owner_races_observer checks exactly that). The release/acquire pair this
// once had ordered nothing a reader used; the memory-order mutants showed no model needing it,
// and on x86-64 both compile to the same plain mov (steal.cpp.o's code is unchanged).
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
    count_.store(count_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }
  Node* pop() {
    Node* node = head_.load();
    if (node == nullptr) return nullptr;
    Node* next = (node->*Next).take();
    head_.store(next);
    if (next == nullptr) tail_.store(nullptr);
    count_.store(count_.load(std::memory_order_relaxed) - 1, std::memory_order_relaxed);
    return node;
  }
  // front() is the oldest node, or null: the owner only.
  Node* front() const { return head_.load(); }
  // empty() may be called by any thread.
  bool empty() const { return count_.load(std::memory_order_relaxed) == 0; }

  // invariants_hold() walks the links: the owner only (debug checks and the model).
  bool invariants_hold() const {
    std::size_t linked = 0;
    Node* last = nullptr;
    for (Node* node = head_.load(); node != nullptr; node = (node->*Next).load()) {
      last = node;
      ++linked;
    }
    return last == tail_.load() && linked == count_.load(std::memory_order_relaxed);
  }

 private:
  typename Sync::template var<Node*> head_;  // owner only
  typename Sync::template var<Node*> tail_;  // owner only
  typename Sync::template atomic<std::size_t> count_{0};  // written by the owner, read by anyone
};

}  // namespace goro::algo
