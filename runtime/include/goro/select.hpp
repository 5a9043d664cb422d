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
// For cases known only at run time (Go's reflect.Select), select_any() takes a span of
// SelectCase<T> — receives, sends and an optional default — and select_recv_any() receives from
// whichever of a span of channels is ready first (the fan-in of the benchmarks). Both run the
// same algorithm as select() (goro/algo/select.hpp).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
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

// CaseChan is the channel of a select case. Built from a named handle it refers to that handle
// (no reference-count traffic per select: a case lives only inside its select call); built from
// a temporary handle it keeps its own copy, so a case never outlives the channel it names.
template <class T>
class CaseChan {
 public:
  CaseChan() = default;  // the nil channel
  CaseChan(const Chan<T>& borrowed) : borrowed_(&borrowed) {}  // implicit: RecvCase{ch, f} still reads as before
  CaseChan(Chan<T>&& owned) : owned_(std::move(owned)) {}
  auto* core() const { return borrowed_ != nullptr ? borrowed_->core() : owned_.core(); }

 private:
  const Chan<T>* borrowed_ = nullptr;
  Chan<T> owned_;
};
}  // namespace detail

template <class T, class F>
struct RecvCase {
  detail::CaseChan<T> chan;
  F handler;
  typename Chan<T>::slot_type slot{};
};

template <class T, class F>
struct SendCase {
  detail::CaseChan<T> chan;
  F handler;
  typename Chan<T>::slot_type slot{};
};

template <class F>
struct DefaultCase {
  F handler;
};

// case_recv() — receive from ch; handler(std::optional<T>) gets nullopt when ch is closed.
// A case built from a named channel refers to it: build cases inside the select call, as above.
template <class T, class F = detail::NoHandler>
RecvCase<T, F> case_recv(const Chan<T>& ch, F handler = {}) {
  return RecvCase<T, F>{detail::CaseChan<T>(ch), std::move(handler)};
}
template <class T, class F = detail::NoHandler>
RecvCase<T, F> case_recv(Chan<T>&& ch, F handler = {}) {
  return RecvCase<T, F>{detail::CaseChan<T>(std::move(ch)), std::move(handler)};
}

// case_send() — send value on ch; handler() runs if this case is the one chosen.
template <class T, class V, class F = detail::NoHandler>
SendCase<T, F> case_send(const Chan<T>& ch, V&& value, F handler = {}) {
  SendCase<T, F> c{detail::CaseChan<T>(ch), std::move(handler)};
  c.slot.store(std::optional<T>(std::forward<V>(value)));
  return c;
}
template <class T, class V, class F = detail::NoHandler>
SendCase<T, F> case_send(Chan<T>&& ch, V&& value, F handler = {}) {
  SendCase<T, F> c{detail::CaseChan<T>(std::move(ch)), std::move(handler)};
  c.slot.store(std::optional<T>(std::forward<V>(value)));
  return c;
}

// The directional views (direction.hpp) take part as their direction allows (a temporary view
// is copied into its case, as a temporary Chan is).
template <class T, class F = detail::NoHandler>
RecvCase<T, F> case_recv(const RecvChan<T>& ch, F handler = {}) {
  return case_recv(detail::ChanAccess::chan(ch), std::move(handler));
}
template <class T, class F = detail::NoHandler>
RecvCase<T, F> case_recv(RecvChan<T>&& ch, F handler = {}) {
  return case_recv(Chan<T>(detail::ChanAccess::chan(ch)), std::move(handler));
}
template <class T, class V, class F = detail::NoHandler>
SendCase<T, F> case_send(const SendChan<T>& ch, V&& value, F handler = {}) {
  return case_send(detail::ChanAccess::chan(ch), std::forward<V>(value), std::move(handler));
}
template <class T, class V, class F = detail::NoHandler>
SendCase<T, F> case_send(SendChan<T>&& ch, V&& value, F handler = {}) {
  return case_send(Chan<T>(detail::ChanAccess::chan(ch)), std::forward<V>(value), std::move(handler));
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

// SelectCase<T> is one case of a run-time select (Go's reflect.SelectCase): a receive, a send of
// a value, or the default. select_any() takes a span of them, all of one element type.
//
//   std::vector<goro::SelectCase<Job>> cases;
//   for (auto& worker : workers) cases.push_back(goro::SelectCase<Job>::send(worker, job));
//   cases.push_back(goro::SelectCase<Job>::recv(cancel));
//   std::size_t i = goro::select_any(cases);       // the index of the case that completed
//   if (i == cases.size() - 1) { std::optional<Job> v = cases[i].received(); ... }
template <class T>
class SelectCase {
 public:
  SelectCase() = default;  // a receive from the nil channel: never ready

  static SelectCase recv(RecvChan<T> ch) { return SelectCase(detail::ChanAccess::chan(ch), Kind::recv); }
  static SelectCase send(SendChan<T> ch, T value) {
    SelectCase c(detail::ChanAccess::chan(ch), Kind::send);
    c.slot_.store(std::optional<T>(std::move(value)));
    return c;
  }
  // default_case() makes select_any() return at once (with this case's index) when no other
  // case is ready; at most one per select.
  static SelectCase default_case() { return SelectCase(Chan<T>{}, Kind::default_case); }

  // The direction rules of direction.hpp hold here too.
  template <class U = T>
  static SelectCase recv(const SendChan<U>&) {
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::SelectCase<T>::recv on a SendChan<T>: it is send-only (Go's chan<- T) and cannot receive");
    return {};
  }
  template <class U = T>
  static SelectCase send(const RecvChan<U>&, T) {
    static_assert(detail::kDirectionMisuse<U>,
                  "goro::SelectCase<T>::send on a RecvChan<T>: it is receive-only (Go's <-chan T) and cannot send");
    return {};
  }

  bool is_recv() const { return kind_ == Kind::recv; }
  bool is_send() const { return kind_ == Kind::send; }
  bool is_default() const { return kind_ == Kind::default_case; }

  // received() takes what this receive case got when select_any() chose it: the value, or
  // nullopt if the channel was closed and drained (Go's recvOK == false).
  std::optional<T> received() { return slot_.take(); }

 private:
  enum class Kind { recv, send, default_case };
  SelectCase(Chan<T> ch, Kind kind) : chan_(std::move(ch)), kind_(kind) {}

  template <class U>
  friend std::size_t select_any(std::span<SelectCase<U>> cases);

  Chan<T> chan_;
  Kind kind_ = Kind::recv;
  typename Chan<T>::slot_type slot_{};  // a send's value until it is sent; a receive's result
};

namespace detail {

// RunTimeSelectMemory is the working memory of a select over a run-time number of cases: on the
// stack up to kInline cases, in vectors beyond (the algorithm itself never allocates).
class RunTimeSelectMemory {
 public:
  static constexpr std::size_t kInline = 16;
  explicit RunTimeSelectMemory(std::size_t n) {
    const std::size_t inline_n = std::min(n, kInline);
    cases = {cases_inline_.data(), inline_n};
    scratch = {{waiters_inline_.data(), inline_n}, {poll_inline_.data(), inline_n}, {lock_inline_.data(), inline_n}};
    if (n > kInline) {
      cases_heap_.resize(n);
      waiters_heap_.resize(n);
      poll_heap_.resize(n);
      lock_heap_.resize(n);
      cases = cases_heap_;
      scratch = {waiters_heap_, poll_heap_, lock_heap_};
    }
  }
  RunTimeSelectMemory(const RunTimeSelectMemory&) = delete;
  RunTimeSelectMemory& operator=(const RunTimeSelectMemory&) = delete;

  std::span<algo::SelectCase<RuntimeSync>> cases;  // filled by the caller, one per case
  algo::SelectScratch<RuntimeSync> scratch;

 private:
  std::array<algo::SelectCase<RuntimeSync>, kInline> cases_inline_;
  std::array<algo::Waiter<RuntimeSync>, kInline> waiters_inline_;
  std::array<std::uint32_t, kInline> poll_inline_, lock_inline_;
  std::vector<algo::SelectCase<RuntimeSync>> cases_heap_;
  std::vector<algo::Waiter<RuntimeSync>> waiters_heap_;
  std::vector<std::uint32_t> poll_heap_, lock_heap_;
};

template <class T>
auto* core_of(const Chan<T>& ch) { return ch.core(); }
template <class T>
auto* core_of(const RecvChan<T>& ch) { return ChanAccess::chan(ch).core(); }

template <class T, class C>
std::pair<std::size_t, std::optional<T>> select_recv_any_of(std::span<const C> chans) {
  detail::require_goroutine_for_select();
  const std::size_t n = chans.size();
  RunTimeSelectMemory memory(n);
  std::array<typename Chan<T>::slot_type, RunTimeSelectMemory::kInline> slots_inline;
  std::vector<typename Chan<T>::slot_type> slots_heap;
  std::span<typename Chan<T>::slot_type> slots(slots_inline.data(), std::min(n, RunTimeSelectMemory::kInline));
  if (n > RunTimeSelectMemory::kInline) {
    slots_heap.resize(n);
    slots = slots_heap;
  }
  for (std::size_t i = 0; i < n; ++i) memory.cases[i] = {core_of(chans[i]), false, &slots[i]};
  const algo::SelectOutcome outcome = algo::select<detail::RuntimeSync>(memory.cases, memory.scratch, true);
  if (outcome.status == algo::OpStatus::cancelled) detail::throw_cancelled();
  return {outcome.index, slots[outcome.index].take()};
}
}  // namespace detail

// select_any() is select over a run-time list of cases (Go's reflect.Select): it completes
// exactly one case and returns its index. Ready cases are chosen uniformly at random, as by
// select(); without a default case it blocks until one is ready (inside a goroutine only), with
// one it never blocks and returns the default's index when nothing is ready. A chosen receive
// case holds its result for received(); a chosen send case on a closed channel throws
// closed_channel_error; cases on nil channels are never ready. More than one default case is a
// programming error: std::invalid_argument (Go's reflect.Select panics likewise).
template <class T>
std::size_t select_any(std::span<SelectCase<T>> cases) {
  const std::size_t n = cases.size();
  std::size_t default_index = algo::SelectOutcome::kNone;
  for (std::size_t i = 0; i < n; ++i) {
    if (!cases[i].is_default()) continue;
    if (default_index != algo::SelectOutcome::kNone)
      throw std::invalid_argument("goro::select_any: more than one default case");
    default_index = i;
  }
  const bool block = default_index == algo::SelectOutcome::kNone;
  if (block) detail::require_goroutine_for_select();
  // The default case stays in the list as a nil case, never ready: the indices need no mapping.
  detail::RunTimeSelectMemory memory(n);
  for (std::size_t i = 0; i < n; ++i) {
    SelectCase<T>& c = cases[i];
    memory.cases[i] = {c.is_default() ? nullptr : c.chan_.core(), c.is_send(), &c.slot_};
  }
  const algo::SelectOutcome outcome = algo::select<detail::RuntimeSync>(memory.cases, memory.scratch, block);
  if (outcome.status == algo::OpStatus::cancelled) detail::throw_cancelled();
  if (outcome.index == algo::SelectOutcome::kNone) return default_index;
  if (cases[outcome.index].is_send() && outcome.status == algo::OpStatus::closed)
    throw closed_channel_error("goro: send on closed channel");
  return outcome.index;
}

// select_recv_any() receives from whichever channel of `chans` is ready (uniformly at random
// among the ready ones), blocking until one is. Returns the channel's index and the value, or
// nullopt if that channel is closed. Nil channels are never chosen.
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

// Overloads for the containers a run-time select is usually built in: a span parameter does not
// deduce T from a std::vector.
template <class T>
std::size_t select_any(std::vector<SelectCase<T>>& cases) {
  return select_any(std::span<SelectCase<T>>(cases));
}

}  // namespace goro
