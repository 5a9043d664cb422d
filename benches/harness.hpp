// harness.hpp — what every backend and workload shares: the per-op runtime counters, RSS
// measurement, and the driver that builds a backend, runs one workload in it and reports.
#pragma once

#include <benchmark/benchmark.h>
#include <malloc.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <exception>
#include <stdexcept>
#include <string>

namespace benches {

// Unsupported is thrown by a backend that cannot run a workload (its message starts with
// "unsupported:"); the harness reports it with that message, which the reports show as
// "unsupported" rather than as a failure.
struct Unsupported : std::invalid_argument {
  explicit Unsupported(const std::string& what) : std::invalid_argument("unsupported: " + what) {}
};

// OpStats is the subset of a runtime's cumulative counters the report explains results with.
// Backends without such counters (thread, Boost.Fiber) report none.
struct OpStats {
  std::uint64_t context_switches = 0;
  std::uint64_t steals = 0;
  std::uint64_t goroutine_parks = 0;
  std::uint64_t worker_parks = 0;
  std::uint64_t worker_wakes = 0;
  std::uint64_t worker_spins_empty = 0;
};

// resident_bytes() is the process's resident set size, from /proc/self/statm (field 2, pages).
inline std::int64_t resident_bytes() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (!f) return -1;
  long size = 0, resident = 0;
  int got = std::fscanf(f, "%ld %ld", &size, &resident);
  std::fclose(f);
  if (got != 2) return -1;
  return static_cast<std::int64_t>(resident) * sysconf(_SC_PAGESIZE);
}

// release_free_heap() hands freed malloc memory back to the OS (glibc madvises free pages in
// every arena), so an RSS delta taken next counts memory a workload touches, even when it
// reuses heap an earlier benchmark freed.
inline void release_free_heap() { malloc_trim(0); }

// workers_of_this_run() is the worker count of the benchmark running now (set by run_workload()
// before the workload starts): the open-loop workload sizes its arrival rate by it.
inline unsigned& workers_of_this_run() {
  static unsigned workers = 1;
  return workers;
}

// HasWakeLatency: a backend whose runtime records wake-up latency (goro with
// Options::wake_latency): wake_latency() is a cumulative goro::LatencyHistogram.
template <class B>
concept HasWakeLatency = requires(const B& b) { b.wake_latency().since(b.wake_latency()).percentile(0.5); };

// report_wake_latency() adds wake_p50_ns / wake_p99_ns / wake_p999_ns (the time from ready() to
// running, over the whole run) when anything was recorded; the Go twin reports the same names
// from Go's /sched/latencies:seconds.
template <class Histogram>
void report_wake_latency(benchmark::State& state, const Histogram& h) {
  if (h.total() == 0) return;
  state.counters["wake_p50_ns"] = double(h.percentile(0.5));
  state.counters["wake_p99_ns"] = double(h.percentile(0.99));
  state.counters["wake_p999_ns"] = double(h.percentile(0.999));
}

// run_workload() builds a Backend for `workers` (and the backend's own config, e.g. goro's
// policy), runs Workload inside it, and reports the backend's counters per iteration.
// Exceptions (deadlock, channel misuse) become errors.
template <class Backend, class Workload, class... Config>
void run_workload(benchmark::State& state, unsigned workers, Workload workload, const Config&... config) {
  try {
    workers_of_this_run() = workers;
    Backend backend(workers, config...);
    const OpStats before = backend.stats();
    auto wake_before = [&] {
      if constexpr (HasWakeLatency<Backend>) return backend.wake_latency(); else return 0;
    }();
    backend.run([&] { workload(state); });
    const OpStats after = backend.stats();
    if constexpr (HasWakeLatency<Backend>) report_wake_latency(state, backend.wake_latency().since(wake_before));
    if constexpr (Backend::kHasStats) {
      using benchmark::Counter;
      state.counters["context_switches_per_op"] =
          Counter(double(after.context_switches - before.context_switches), Counter::kAvgIterations);
      state.counters["steals_per_op"] = Counter(double(after.steals - before.steals), Counter::kAvgIterations);
      state.counters["parks_per_op"] =
          Counter(double(after.goroutine_parks - before.goroutine_parks), Counter::kAvgIterations);
      state.counters["worker_parks_per_op"] =
          Counter(double(after.worker_parks - before.worker_parks), Counter::kAvgIterations);
      state.counters["worker_wakes_per_op"] =
          Counter(double(after.worker_wakes - before.worker_wakes), Counter::kAvgIterations);
      state.counters["spins_empty_per_op"] =
          Counter(double(after.worker_spins_empty - before.worker_spins_empty), Counter::kAvgIterations);
    }
  } catch (const Unsupported& e) {
    state.SkipWithError(e.what());  // "unsupported: ...": reported as such, never as a failure
  } catch (const std::exception& e) {
    state.SkipWithError((std::string("exception: ") + e.what()).c_str());
  }
}

}  // namespace benches
