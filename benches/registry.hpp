// registry.hpp — the workload table and the registration of one backend: every workload at
// workers 1, 2 and nproc (worker_counts_for()), named <workload>[/<param>]/<backend>/workers:N.
// Each backend registers from its own translation unit (bench_<backend>.cpp), so the headers of
// different runtimes never meet in one file (Boost.Fiber defines a cpu_relax() macro that broke
// goro's former cpu_relax()).
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <regex>
#include <string>
#include <vector>

#include "fairness.hpp"
#include "harness.hpp"
#include "openloop.hpp"
#include "workloads.hpp"

namespace benches {

// Google Benchmark 1.7.1 appends "/process_time", "/real_time" and "/iterations:1" to a name
// when a benchmark uses MeasureProcessCPUTime(), UseRealTime() or Iterations(). The contract is
// the bare <workload>/<backend>/workers:N, so this file does the filtering and listing on the
// bare names itself and reports through CleanNames<>, which drops those suffixes.
struct Filter {
  bool negate = false;
  std::regex regex;
  explicit Filter(std::string spec) {
    if (spec.empty() || spec == "all") spec = ".";
    if (spec[0] == '-') {
      negate = true;
      spec.erase(0, 1);
    }
    // ECMAScript, not Google Benchmark's POSIX extended: the runner (suite/runner.py) ORs the
    // lines of quick.filter as (?:a)|(?:b), which ECMAScript and Go's RE2 both accept.
    try {
      regex = std::regex(spec, std::regex::ECMAScript);
    } catch (const std::regex_error& e) {
      std::fprintf(stderr, "goro_bench: could not compile benchmark filter '%s': %s\n", spec.c_str(), e.what());
      std::exit(1);
    }
  }
  bool matches(const std::string& name) const { return std::regex_search(name, regex) != negate; }
};

// Channels is what a workload asks of the backend's channel: nothing (it measures something
// else), buffered channels only, or an unbuffered one too (capacity 0). A channel of your own
// (backend_channel.hpp) runs the workloads that measure channels, and reports the unbuffered ones
// unsupported when it has no capacity 0.
enum class Channels { none, buffered, unbuffered };

// One row per workload: its name (with parameter), how to run it on backend B, whether it must
// run a single iteration per repetition (parked_memory measures a fresh backend), and whether it
// measures channels.
template <class B>
struct Workload {
  std::string name;
  std::function<void(benchmark::State&)> body;
  bool single_iteration = false;
  Channels channels = Channels::none;
};

template <class B>
std::vector<Workload<B>> workload_table() {
  std::vector<Workload<B>> rows{
      {"spawn_join", spawn_join<B>},
      {"yield_pingpong", yield_pingpong<B>},
      {"chan_pingpong", chan_pingpong<B>, false, Channels::unbuffered},
      {"chan_prodcons/cap:0", [](benchmark::State& s) { chan_prodcons<B>(s, 0); }, false, Channels::unbuffered},
      {"chan_prodcons/cap:1", [](benchmark::State& s) { chan_prodcons<B>(s, 1); }, false, Channels::buffered},
      {"chan_prodcons/cap:128", [](benchmark::State& s) { chan_prodcons<B>(s, 128); }, false, Channels::buffered},
      {"chan_mpmc/cap:128", [](benchmark::State& s) { chan_mpmc<B>(s, 128); }, false, Channels::buffered},
      {"select2", [](benchmark::State& s) { select2<B>(s); }, false, Channels::unbuffered},
      {"select2/cap:128", [](benchmark::State& s) { select2<B>(s, 128); }, false, Channels::buffered},
      {"select_fanin/chans:8", [](benchmark::State& s) { select_fanin<B>(s, 8); }, false, Channels::unbuffered},
      {"fanout_fanin", fanout_fanin<B>, false, Channels::unbuffered},
      {"worker_pool", worker_pool<B>, false, Channels::buffered},
      {"mutex_contended", mutex_contended<B, 0, 0>},
      {"mutex_contended/work_inside:16", mutex_contended<B, 16, 0>},
      {"mutex_contended/work_outside:64", mutex_contended<B, 0, 64>},
      {"sieve", sieve<B>, false, Channels::unbuffered},
      {"skynet", skynet<B>},
      {"parked_memory", parked_memory<B>, true},
  };
  add_openloop_points<B>(rows);  // openloop/<mode>/<service>/load:<percent> (openloop.hpp)
  add_fairness_workloads<B>(rows);  // fairness/... (fairness.hpp)
  return rows;
}

// WorkerCounts is the list of worker counts every workload runs at.
using WorkerCounts = std::vector<unsigned>;

// worker_counts_for(nproc) is {1, 2, nproc}, ascending, without duplicates: one worker (no parallelism:
// the algorithms' own cost), two (the smallest machine where hand-offs cross cores), and the
// whole machine. Every count in between would multiply the full set's run time by nproc / 3
// on a big machine and say little the three do not.
inline WorkerCounts worker_counts_for(unsigned nproc) {
  WorkerCounts counts{1, 2, nproc};
  std::sort(counts.begin(), counts.end());
  counts.erase(std::unique(counts.begin(), counts.end()), counts.end());
  return counts;
}

// register_workloads() registers workload × workers of the given rows for one backend, keeping
// the names `filter` accepts. The workload name goes first, then its parameter, then the backend,
// then workers. `config` is passed to the backend's constructor after the worker count.
template <class B, class... Config>
inline void register_workloads(const std::vector<Workload<B>>& rows, const std::string& backend_name,
                               const WorkerCounts& worker_counts, const Filter& filter,
                               std::vector<std::string>& names, Config... config) {
  for (const auto& w : rows) {
    for (unsigned workers : worker_counts) {
      const std::string name = w.name + "/" + backend_name + "/workers:" + std::to_string(workers);
      if (!filter.matches(name)) continue;
      names.push_back(name);
      auto* b = benchmark::RegisterBenchmark(name.c_str(), [body = w.body, workers, config...](benchmark::State& state) {
        run_workload<B>(state, workers, body, config...);
      });
      b->UseRealTime()->MeasureProcessCPUTime()->Unit(benchmark::kNanosecond);
      if (w.single_iteration) b->Iterations(1);
    }
  }
}

// register_backend() registers every workload of the table for one backend (a channel of your own
// registers only the rows that measure channels: backend_channel.hpp).
template <class B, class... Config>
inline void register_backend(const std::string& backend_name, const WorkerCounts& worker_counts, const Filter& filter,
                             std::vector<std::string>& names, Config... config) {
  register_workloads<B>(workload_table<B>(), backend_name, worker_counts, filter, names, config...);
}

// RegisterBackend registers every workload × worker count of one backend: one per backend
// translation unit (below), and one per channel of your own (backend_channel.hpp).
using RegisterBackend = std::function<void(const WorkerCounts& worker_counts, const Filter& filter,
                                           std::vector<std::string>& names)>;

// One per backend translation unit.
void register_thread(const WorkerCounts& worker_counts, const Filter& filter, std::vector<std::string>& names);
void register_fiber(const WorkerCounts& worker_counts, const Filter& filter, std::vector<std::string>& names);
void register_goro(const WorkerCounts& worker_counts, const Filter& filter, std::vector<std::string>& names);  // bench_goro.cpp, when goro is built

}  // namespace benches
