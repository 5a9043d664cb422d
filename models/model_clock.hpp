// model_clock.hpp — the timers' Host in the models (goro/algo/timers.hpp; the runtime's is
// RuntimeTimerHost in runtime/src/timers.hpp): a tick clock with std::chrono's types, so the
// shipped TimerHeap compiles unchanged, and Relacy's yield where the runtime yields the OS thread.
#pragma once

#include <chrono>
#include <ratio>

#include "goro/verify/relacy/sync.hpp"

namespace goro::models {

// ModelClock has the types of a std::chrono clock and no now(): a model passes the time in.
struct ModelClock {
  using rep = long;
  using period = std::ratio<1>;
  using duration = std::chrono::duration<rep, period>;
  using time_point = std::chrono::time_point<ModelClock>;
  static constexpr bool is_steady = true;
};

inline constexpr ModelClock::time_point at_tick(long tick) { return ModelClock::time_point(ModelClock::duration(tick)); }

struct ModelTimerHost {
  using clock = ModelClock;
  // wait_for_fire(): stop() found the timer firing — let the firing thread run.
  static void wait_for_fire() { rl::yield(1, $); }
};

}  // namespace goro::models
