// contract_test.cpp — what satisfies the algorithm contract: every Sync policy goro ships, and a
// channel and a run queue of the contract's shape. Compiling is the test; main() only reports it.
#include <cstddef>
#include <cstdio>

#include <goro/algorithm.hpp>
#include <goro/policy.hpp>
#include <goro/sync/chaos.hpp>
#include <goro/sync/contract.hpp>
#include <goro/sync/native.hpp>
#include <goro/sync/runtime_sync.hpp>

static_assert(goro::sync::SyncPolicy<goro::RuntimeSync>);
static_assert(goro::sync::SyncPolicy<goro::PolicySync>);  // the alias names the same policy
static_assert(goro::sync::SyncPolicy<goro::sync::NativeSync>);
static_assert(goro::sync::SyncPolicy<goro::sync::ChaosSync>);
static_assert(goro::sync::SyncPolicy<goro::sync::ProbeSync>);
static_assert(!goro::sync::SyncPolicy<int>);

// A channel of the contract's shape (declarations suffice: the concept checks signatures).
template <class Sync, class T>
struct ShapedChan {
  explicit ShapedChan(std::size_t);
  goro::SendStatus send(T&);
  goro::RecvStatus recv(T&);
  goro::SendStatus try_send(T&);
  goro::RecvStatus try_recv(T&);
  bool close();
  std::size_t len() const;
  std::size_t cap() const;
};
static_assert(goro::check_channel_algorithm<ShapedChan>());
static_assert(goro::ChannelAlgorithm<ShapedChan<goro::RuntimeSync, long>, long>);
static_assert(!goro::ChannelAlgorithm<ShapedChan<goro::RuntimeSync, long>, int>);  // element type mismatch

template <class Sync, class Item>
struct ShapedQueue {
  bool push(Item*);
  Item* pop();
  Item* steal();
};
static_assert(goro::check_run_queue_algorithm<ShapedQueue>());
static_assert(!goro::RunQueueAlgorithm<ShapedQueue<goro::RuntimeSync, int>, int>);  // items are pointers

int main() {
  std::puts("contract_test: the Sync policies and the shaped channel and queue satisfy the contract");
  return 0;
}
