// go.hpp — starting goroutines and giving up the worker: go(), yield(), sleep_for(), this_goroutine.
//
//   goro::go([](int n) { std::printf("%d\n", n); }, 7);   // like Go's `go f(7)`
//   goro::yield();                                          // let others run
//   goro::sleep_for(std::chrono::milliseconds(5));          // parks; the worker runs others
//
// All of them must be called from inside a goroutine (std::logic_error otherwise). While the
// runtime winds down, yield() and sleep_for() throw goro::cancelled.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <tuple>
#include <type_traits>
#include <utility>

#include "goro/detail/spawn.hpp"
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
#include "goro/sync/deterministic.hpp"
#endif

namespace goro {

#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
// The deterministic world's virtual clock (goro/sync/deterministic.hpp).
using Clock = sync::DeterministicClock;
#else
using Clock = std::chrono::steady_clock;
#endif

// go() starts f(args...) as a new goroutine. Arguments are decay-copied (moved when rvalues),
// as std::thread does; the closure lives on the new goroutine's stack, so a spawn allocates no heap.
template <class F, class... Args>
void go(F&& f, Args&&... args) {
  detail::spawn_closure(
      [fn = std::forward<F>(f), tuple = std::make_tuple(std::forward<Args>(args)...)]() mutable {
        std::apply(std::move(fn), std::move(tuple));
      });
}

// yield() puts the calling goroutine at the back of the runnable goroutines and runs another.
void yield();

// sleep_for() parks the calling goroutine for at least `duration` (on the runtime's timers).
void sleep_for(Clock::duration duration);

// sleep_until() parks the calling goroutine until `deadline` has passed.
void sleep_until(Clock::time_point deadline);

namespace this_goroutine {
// id() is the calling goroutine's number: 1 for run()'s main, then increasing with each go().
std::uint64_t id();
}  // namespace this_goroutine

}  // namespace goro
