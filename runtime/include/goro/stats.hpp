// stats.hpp — counters a Runtime keeps so a benchmark can explain *why* one policy wins.
#pragma once

#include <cstdint>
#include <string_view>

#include "goro/latency_histogram.hpp"

namespace goro {

struct Stats {
  std::string_view policy;               // the scheduler policy's registered name ("go", yours)
  std::uint64_t goroutines_created = 0;  // go() calls, plus each run()'s main goroutine
  std::uint64_t context_switches = 0;    // switches from a worker into a goroutine
  std::uint64_t steals = 0;              // successful steals (a batch counts once)
  // worker_parks: an idle worker went to sleep on its futex (one futex wait). A worker *sleeps*;
  // a goroutine *parks* (goroutine_parks). The field keeps its name, as do the benchmarks'
  // worker_parks_per_op counter and the reports that read them.
  std::uint64_t worker_parks = 0;
  std::uint64_t worker_wakes = 0;        // a sleeping worker was woken for new work (one futex wake)
  std::uint64_t worker_spins = 0;        // an idle worker spun (polled the queues) before sleeping
  std::uint64_t worker_spins_empty = 0;  // ... and the spin found nothing: it held a core for the spin time
  std::uint64_t goroutine_parks = 0;     // a goroutine blocked (channel, select, mutex, sleep, ...)
  std::uint64_t yields = 0;              // yield() calls
  std::uint64_t global_queue_pops = 0;   // goroutines taken from a policy's shared/global queue
  std::uint64_t timers_fired = 0;        // timers (sleep_for, after, Timer, Ticker) that fired
  std::uint64_t stacks_mapped = 0;       // stacks ever mapped (the rest were reused from the pool)
  // wake_latency: time from ready() to the goroutine running, every wake-up since the Runtime
  // began; empty unless Options::wake_latency (GORO_WAKE_LATENCY=1) turned the recording on.
  LatencyHistogram wake_latency;
};

}  // namespace goro
