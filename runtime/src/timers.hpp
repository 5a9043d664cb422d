// timers.hpp — the runtime's instantiation of the timers (goro/algo/timers.hpp: the heaps, the
// firing protocol, SleepTimer and ChanTimer): its Host is the steady clock and the OS yield.
// Each worker owns a TimerHeap (worker.hpp); idle.cpp runs due timers and sleeps until the
// earliest deadline; timer_api.cpp is sleep_for, after(), Timer and Ticker.
#pragma once

#include <thread>

#include "goro/algo/timers.hpp"
#include "goro/go.hpp"
#include "goro/sync/runtime_sync.hpp"

namespace goro::detail {

// RuntimeTimerHost: what the timer algorithm asks of the OS.
struct RuntimeTimerHost {
  using clock = Clock;
  // wait_for_fire(): a stop() found the timer firing on another worker — a few dozen
  // instructions, unless the OS preempted that worker, so give it the core.
  // (In the deterministic world a spin-wait: the firing worker gets the baton.)
  static void wait_for_fire() noexcept {
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
    RuntimeSync::relax();
#else
    std::this_thread::yield();
#endif
  }
};

using TimerNode = algo::TimerNode<RuntimeSync, RuntimeTimerHost>;
using TimerHeap = algo::TimerHeap<RuntimeSync, RuntimeTimerHost>;
using SleepTimer = algo::SleepTimer<RuntimeSync, RuntimeTimerHost>;

}  // namespace goro::detail
