// algorithm.hpp — the algorithm contract: what a channel or a run queue written over a Sync policy
// (goro/sync/contract.hpp) must offer for goro's verification kit (<goro/verify/...>,
// goro_add_algorithm_checks() in GoroVerify.cmake) to model-check, test, stress and benchmark it
// with the scenarios goro checks its own algorithms with.
//
// A channel is a class template over the policy and the element: `template <class Sync, class T>
// class MyChan`. ChannelAlgorithm<MyChan<Sync, T>, T> states its API:
//   MyChan(std::size_t capacity)   capacity 0 is unbuffered (a send completes only when a receiver
//                                  takes the value), capacity n > 0 holds up to n values
//   send(T& v) -> SendStatus       blocks until v is delivered (sent: v was moved from) or the
//                                  channel is closed (closed: v is untouched); never `full`
//   recv(T& out) -> RecvStatus     blocks until a value arrives (received: out holds it) or the
//                                  channel is closed and drained (closed); never `empty`
//   try_send(T& v) -> SendStatus   never blocks: sent, full (would block) or closed
//   try_recv(T& out) -> RecvStatus never blocks: received, empty (would block) or closed (and drained)
//   close() -> bool                true for the call that closed the channel, false after; every
//                                  blocked sender returns closed, every blocked receiver returns
//                                  closed once the values sent before the close are received
//   len(), cap() -> std::size_t    values buffered now (a snapshot), and the capacity
// Blocking operations block by parking through Sync::park / Sync::ready with an
// algo::WaitContext (goro/algo/waiter.hpp), never by spinning or an OS primitive: that is what
// lets the runtime run other goroutines meanwhile and the models see the wait.
//
// A run queue holds pointers (the runtime queues goroutines): RunQueueAlgorithm<Q, Item*>:
//   push(Item* p) -> bool   owner only: false when full (the caller spills elsewhere)
//   pop() -> Item*          owner only: an item, or nullptr when empty
//   steal() -> Item*        any thread (a thief): an item, or nullptr when it found none
// Each pushed item is taken exactly once, by pop or by steal; a pop or steal that starts after a
// push became visible to it does not report empty while that item is still in the queue.
//
// check_channel_algorithm<MyChan>() and check_run_queue_algorithm<MyQueue>() test the concepts one
// requirement at a time and fail with one static_assert naming the first one missing, instead of
// a page of template errors; the kit calls them before it instantiates any scenario.
#pragma once

#include <concepts>
#include <cstddef>
#include <type_traits>

#include "goro/sync/contract.hpp"

namespace goro {

// RecvStatus is the outcome of a receive: `received` (out holds the value), `empty` (nothing
// ready now: only a non-blocking receive, on an open channel), `closed` (closed and drained:
// nothing will ever arrive). crossbeam's TryRecvError::{Empty, Disconnected} and Boost.Fiber's
// channel_op_status::{empty, closed} draw the same line.
enum class RecvStatus { received, empty, closed };

// SendStatus is the outcome of a send: `sent` (the value was moved into the channel or handed to
// a receiver), `full` (only a non-blocking send: it would block), `closed` (nothing delivered).
enum class SendStatus { sent, full, closed };

namespace algorithm_checks {
template <class C>
constexpr bool constructible = std::is_constructible_v<C, std::size_t>;
template <class C, class T>
constexpr bool has_send = requires(C& c, T& v) {
  { c.send(v) } -> std::same_as<SendStatus>;
};
template <class C, class T>
constexpr bool has_recv = requires(C& c, T& v) {
  { c.recv(v) } -> std::same_as<RecvStatus>;
};
template <class C, class T>
constexpr bool has_try_send = requires(C& c, T& v) {
  { c.try_send(v) } -> std::same_as<SendStatus>;
};
template <class C, class T>
constexpr bool has_try_recv = requires(C& c, T& v) {
  { c.try_recv(v) } -> std::same_as<RecvStatus>;
};
template <class C>
constexpr bool has_close = requires(C& c) {
  { c.close() } -> std::same_as<bool>;
};
template <class C>
constexpr bool has_len_cap = requires(const C& c) {
  { c.len() } -> std::convertible_to<std::size_t>;
  { c.cap() } -> std::convertible_to<std::size_t>;
};
template <class Q, class P>
constexpr bool has_push = requires(Q& q, P p) {
  { q.push(p) } -> std::same_as<bool>;
};
template <class Q, class P>
constexpr bool has_pop = requires(Q& q) {
  { q.pop() } -> std::same_as<P>;
};
template <class Q, class P>
constexpr bool has_steal = requires(Q& q) {
  { q.steal() } -> std::same_as<P>;
};
}  // namespace algorithm_checks

// ChannelAlgorithm: C (one instantiation, e.g. MyChan<Sync, int>) is a channel of T.
template <class C, class T>
concept ChannelAlgorithm =
    algorithm_checks::constructible<C> && algorithm_checks::has_send<C, T> && algorithm_checks::has_recv<C, T> &&
    algorithm_checks::has_try_send<C, T> && algorithm_checks::has_try_recv<C, T> && algorithm_checks::has_close<C> &&
    algorithm_checks::has_len_cap<C>;

// RunQueueAlgorithm: Q (e.g. MyQueue<Sync, Item>) is a run queue of the pointer type P.
template <class Q, class P>
concept RunQueueAlgorithm = std::is_pointer_v<P> && std::is_default_constructible_v<Q> &&
                            algorithm_checks::has_push<Q, P> && algorithm_checks::has_pop<Q, P> &&
                            algorithm_checks::has_steal<Q, P>;

// check_channel_algorithm<Chan>() is ChannelAlgorithm<Chan<Sync, T>, T> with one readable error:
// each static_assert fires only when every requirement before it holds. Use it as
// `if constexpr (goro::check_channel_algorithm<MyChan>()) { ...use MyChan... }` so that a type
// that fails it produces that one message and nothing else.
template <template <class, class> class Chan, class Sync = sync::ProbeSync, class T = int>
consteval bool check_channel_algorithm() {
  using C = Chan<Sync, T>;
  namespace ac = algorithm_checks;
  constexpr bool c1 = ac::constructible<C>;
  static_assert(c1, "goro::ChannelAlgorithm: the channel must be constructible from its capacity: Chan(std::size_t)");
  constexpr bool c2 = c1 && ac::has_send<C, T>;
  static_assert(!c1 || c2, "goro::ChannelAlgorithm: the channel needs a blocking send: goro::SendStatus send(T&)");
  constexpr bool c3 = c2 && ac::has_recv<C, T>;
  static_assert(!c2 || c3, "goro::ChannelAlgorithm: the channel needs a blocking receive: goro::RecvStatus recv(T&)");
  constexpr bool c4 = c3 && ac::has_try_send<C, T>;
  static_assert(!c3 || c4, "goro::ChannelAlgorithm: the channel needs a non-blocking send: goro::SendStatus try_send(T&)");
  constexpr bool c5 = c4 && ac::has_try_recv<C, T>;
  static_assert(!c4 || c5, "goro::ChannelAlgorithm: the channel needs a non-blocking receive: goro::RecvStatus try_recv(T&)");
  constexpr bool c6 = c5 && ac::has_close<C>;
  static_assert(!c5 || c6, "goro::ChannelAlgorithm: the channel needs bool close() (true for the call that closed it)");
  constexpr bool c7 = c6 && ac::has_len_cap<C>;
  static_assert(!c6 || c7, "goro::ChannelAlgorithm: the channel needs std::size_t len() const and std::size_t cap() const");
  return c7;
}

// check_run_queue_algorithm<Queue>() is RunQueueAlgorithm<Queue<Sync, Item>, Item*> with one
// readable error, as check_channel_algorithm.
template <template <class, class> class Queue, class Sync = sync::ProbeSync, class Item = int>
consteval bool check_run_queue_algorithm() {
  using Q = Queue<Sync, Item>;
  using P = Item*;
  namespace ac = algorithm_checks;
  constexpr bool c1 = std::is_default_constructible_v<Q>;
  static_assert(c1, "goro::RunQueueAlgorithm: the queue must be default-constructible");
  constexpr bool c2 = c1 && ac::has_push<Q, P>;
  static_assert(!c1 || c2, "goro::RunQueueAlgorithm: the queue needs the owner's bool push(Item*) (false when full)");
  constexpr bool c3 = c2 && ac::has_pop<Q, P>;
  static_assert(!c2 || c3, "goro::RunQueueAlgorithm: the queue needs the owner's Item* pop() (nullptr when empty)");
  constexpr bool c4 = c3 && ac::has_steal<Q, P>;
  static_assert(!c3 || c4, "goro::RunQueueAlgorithm: the queue needs the thieves' Item* steal() (nullptr when it found none)");
  return c4;
}

}  // namespace goro
