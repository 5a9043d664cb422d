// select.hpp — Go's select statement.
//
//   std::size_t fired = goro::select(
//       goro::case_recv(jobs, [](std::optional<Job> job) { ... }),  // nullopt: jobs is closed
//       goro::case_send(results, value, [] { ... }),
//       goro::case_default([] { ... }));                              // optional: never blocks
//
// select() completes exactly one case and returns its index (in argument order); the handler of
// that case runs after the channel operation. Ready cases are chosen uniformly at random; cases on
// nil channels are never ready; without a default, select parks until a case can proceed (with
// only nil cases, forever — the deadlock detector reports it). A send case on a closed channel
// throws closed_channel_error, as Go panics. Handlers are optional.
//
// For a number of channels known only at run time, select_recv_any() receives from whichever of
// a span of channels is ready first (the fan-in of the benchmarks and of Go's reflect.Select).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "goro/algo/select.hpp"
#include "goro/chan.hpp"
#include "goro/direction.hpp"

namespace goro {

namespace detail {
struct NoHandler {
  template <class... Args>
  void operator()(Args&&...) const {}
};
}  // namespace detail

template <class T, class F>
struct RecvCase {
  Chan<T> chan;
  F handler;
  typename Chan<T>::slot_type slot{};
};

template <class T, class F>
struct SendCase {
  Chan<T> chan;
  F handler;
  typename Chan<T>::slot_type slot{};
};

template <class F>
struct DefaultCase {
  F handler;
};

// case_recv() — receive from ch; handler(std::optional<T>) gets nullopt when ch is closed.
template <class T, class F = detail::NoHandler>
RecvCase<T, F> case_recv(const Chan<T>& ch, F handler = {}) {
  return RecvCase<T, F>{ch, std::move(handler)};
}

// case_send() — send value on ch; handler() runs if this case is the one chosen.
template <class T, class V, class F = detail::NoHandler>
SendCase<T, F> case_send(const Chan<T>& ch, V&& value, F handler = {}) {
  SendCase<T, F> c{ch, std::move(handler)};
  c.slot.store(std::optional<T>(std::forward<V>(value)));
  return c;
}

// The directional views (direction.hpp) take part as their direction allows.
template <class T, class F = detail::NoHandler>
RecvCase<T, F> case_recv(const RecvChan<T>& ch, F handler = {}) {
  return case_recv(detail::ChanAccess::chan(ch), std::move(handler));
}
template <class T, class V, class F = detail::NoHandler>
SendCase<T, F> case_send(const SendChan<T>& ch, V&& value, F handler = {}) {
  return case_send(detail::ChanAccess::chan(ch), std::forward<V>(value), std::move(handler));
}
template <class T, class F = detail::NoHandler>
RecvCase<T, F> case_recv(const SendChan<T>&, F = {}) {
  static_assert(detail::kDirectionMisuse<T>,
                "goro::case_recv on a SendChan<T>: it is send-only (Go's chan<- T) and cannot receive");
  return {};
}
template <class T, class V, class F = detail::NoHandler>
SendCase<T, F> case_send(const RecvChan<T>&, V&&, F = {}) {
  static_assert(detail::kDirectionMisuse<T>,
                "goro::case_send on a RecvChan<T>: it is receive-only (Go's <-chan T) and cannot send");
  return {};
}

// case_default() — run handler() instead of blocking when no other case is ready.
template <class F = detail::NoHandler>
DefaultCase<F> case_default(F handler = {}) {
  return DefaultCase<F>{std::move(handler)};
}

namespace detail {

template <class C>
struct is_default_case : std::false_type {};
template <class F>
struct is_default_case<DefaultCase<F>> : std::true_type {};

template <class T, class F>
algo::SelectCase<RuntimeSync> to_algo_case(RecvCase<T, F>& c) {
  return {c.chan.core(), false, &c.slot};
}
template <class T, class F>
algo::SelectCase<RuntimeSync> to_algo_case(SendCase<T, F>& c) {
  return {c.chan.core(), true, &c.slot};
}

template <class T, class F>
void run_handler(RecvCase<T, F>& c, algo::OpStatus) {
  c.handler(c.slot.take());
}
template <class T, class F>
void run_handler(SendCase<T, F>& c, algo::OpStatus status) {
  if (status == algo::OpStatus::closed) throw closed_channel_error("goro: send on closed channel");
  c.handler();
}

void require_goroutine_for_select();

}  // namespace detail

template <class... Cases>
std::size_t select(Cases&&... cases) {
  constexpr std::size_t kDefaults = (std::size_t{0} + ... + detail::is_default_case<std::decay_t<Cases>>::value);
  static_assert(kDefaults <= 1, "goro::select: at most one case_default");
  constexpr std::size_t kChannelCases = sizeof...(Cases) - kDefaults;
  constexpr bool kBlock = kDefaults == 0;

  auto all = std::forward_as_tuple(cases...);
  // Map channel-case positions to argument positions, and build the algorithm's case array.
  std::array<algo::SelectCase<detail::RuntimeSync>, kChannelCases == 0 ? 1 : kChannelCases> algo_cases{};
  std::array<std::size_t, kChannelCases == 0 ? 1 : kChannelCases> argument_index{};
  std::size_t default_index = 0;
  {
    std::size_t k = 0;
    std::size_t arg = 0;
    auto collect = [&](auto& c) {
      if constexpr (detail::is_default_case<std::decay_t<decltype(c)>>::value) {
        default_index = arg;
      } else {
        algo_cases[k] = detail::to_algo_case(c);
        argument_index[k] = arg;
        ++k;
      }
      ++arg;
    };
    std::apply([&](auto&... c) { (collect(c), ...); }, all);
  }
  if constexpr (kBlock) detail::require_goroutine_for_select();

  std::array<algo::Waiter<detail::RuntimeSync>, kChannelCases == 0 ? 1 : kChannelCases> waiters{};
  std::array<std::uint32_t, kChannelCases == 0 ? 1 : kChannelCases> poll_order{};
  std::array<std::uint32_t, kChannelCases == 0 ? 1 : kChannelCases> lock_order{};
  const algo::SelectOutcome outcome = algo::select<detail::RuntimeSync>(
      std::span(algo_cases.data(), kChannelCases),
      {std::span(waiters.data(), kChannelCases), std::span(poll_order.data(), kChannelCases),
       std::span(lock_order.data(), kChannelCases)},
      kBlock);

  if (outcome.status == algo::OpStatus::cancelled) detail::throw_cancelled();
  std::size_t fired_argument = default_index;
  if (outcome.index != algo::SelectOutcome::kNone) fired_argument = argument_index[outcome.index];
  std::size_t arg = 0;
  auto dispatch = [&](auto& c) {
    if (arg++ != fired_argument) return;
    if constexpr (detail::is_default_case<std::decay_t<decltype(c)>>::value) {
      c.handler();
    } else {
      detail::run_handler(c, outcome.status);
    }
  };
  std::apply([&](auto&... c) { (dispatch(c), ...); }, all);
  return fired_argument;
}

// select_recv_any() receives from whichever channel of `chans` is ready (uniformly at random
// among the ready ones), blocking until one is. Returns the channel's index and the value, or
// nullopt if that channel is closed. Nil channels are never chosen.
namespace detail {
template <class T>
auto* core_of(const Chan<T>& ch) { return ch.core(); }
template <class T>
auto* core_of(const RecvChan<T>& ch) { return ChanAccess::chan(ch).core(); }

template <class T, class C>
std::pair<std::size_t, std::optional<T>> select_recv_any_of(std::span<const C> chans) {
  detail::require_goroutine_for_select();
  const std::size_t n = chans.size();
  constexpr std::size_t kInline = 16;
  std::array<algo::SelectCase<detail::RuntimeSync>, kInline> cases_inline;
  std::array<typename Chan<T>::slot_type, kInline> slots_inline;
  std::array<algo::Waiter<detail::RuntimeSync>, kInline> waiters_inline;
  std::array<std::uint32_t, kInline> poll_inline, lock_inline;
  std::vector<algo::SelectCase<detail::RuntimeSync>> cases_heap;
  std::vector<typename Chan<T>::slot_type> slots_heap;
  std::vector<algo::Waiter<detail::RuntimeSync>> waiters_heap;
  std::vector<std::uint32_t> poll_heap, lock_heap;
  std::span<algo::SelectCase<detail::RuntimeSync>> cases(cases_inline.data(), std::min(n, kInline));
  std::span<typename Chan<T>::slot_type> slots(slots_inline.data(), std::min(n, kInline));
  std::span<algo::Waiter<detail::RuntimeSync>> waiters(waiters_inline.data(), std::min(n, kInline));
  std::span<std::uint32_t> poll(poll_inline.data(), std::min(n, kInline));
  std::span<std::uint32_t> lock(lock_inline.data(), std::min(n, kInline));
  if (n > kInline) {
    cases_heap.resize(n);
    slots_heap.resize(n);
    waiters_heap.resize(n);
    poll_heap.resize(n);
    lock_heap.resize(n);
    cases = cases_heap;
    slots = slots_heap;
    waiters = waiters_heap;
    poll = poll_heap;
    lock = lock_heap;
  }
  for (std::size_t i = 0; i < n; ++i) cases[i] = {core_of(chans[i]), false, &slots[i]};
  const algo::SelectOutcome outcome = algo::select<detail::RuntimeSync>(cases, {waiters, poll, lock}, true);
  if (outcome.status == algo::OpStatus::cancelled) detail::throw_cancelled();
  return {outcome.index, slots[outcome.index].take()};
}
}  // namespace detail

template <class T>
std::pair<std::size_t, std::optional<T>> select_recv_any(std::span<const Chan<T>> chans) {
  return detail::select_recv_any_of<T>(chans);
}

template <class T>
std::pair<std::size_t, std::optional<T>> select_recv_any(std::span<Chan<T>> chans) {
  return select_recv_any(std::span<const Chan<T>>(chans.data(), chans.size()));
}

template <class T>
std::pair<std::size_t, std::optional<T>> select_recv_any(std::span<const RecvChan<T>> chans) {
  return detail::select_recv_any_of<T>(chans);
}

template <class T>
std::pair<std::size_t, std::optional<T>> select_recv_any(std::span<RecvChan<T>> chans) {
  return detail::select_recv_any_of<T>(std::span<const RecvChan<T>>(chans.data(), chans.size()));
}

}  // namespace goro
