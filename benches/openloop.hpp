// openloop.hpp — the open-loop load–latency workload: requests arrive on a Poisson schedule fixed
// in advance, each is served by a task, and the response time is completion − *scheduled*
// arrival, so a slow server cannot slow the arrivals (no coordinated omission).
//
//   openloop/<mode>/<service>/load:<percent>/<backend>/workers:N
//     mode     spawn — one task per request (go(), a fiber, a thread, a goroutine)
//              pool  — 4 × N long-lived tasks receive request numbers from a channel (cap 1024)
//     service  exp     — exponential service times, mean 10 µs
//              bimodal — 99.5 % × 5 µs, 0.5 % × 500 µs (mean 7.475 µs)
//     load     offered load ρ per worker, in percent: arrival rate = ρ × N / mean service
//
// One benchmark = one load point = one iteration lasting GORO_OPENLOOP_SECONDS (default 0.5 s) of
// schedule. Counters: p50_ns, p99_ns, p999_ns (over the requests after the first 10 % of the
// schedule: warm-up), offered_per_second, achieved_per_second, reached (1 or 0), slo_ns (10× the
// mean service time). A point the design cannot sustain — the queue grew through the run, so its
// achieved rate is below 97 % of the offered one — has reached = 0 and the label
// "not reached": its percentiles describe a growing backlog, not a latency, and the reports show
// "not reached" instead of a number.
//
// Rules shared with the Go twin (benches/go/openloop.go), so every design sees the same requests:
//   - the schedule and the service times come from splitmix64 seeded by the point's name hash
//     (stream 1 for arrivals, stream 2 for service), the same in both languages;
//   - service is CPU work: hash_rounds() calibrated once per process to rounds per nanosecond
//     (best of 5 timings), never a clock spin, so a preempted request takes longer, as real
//     work would;
//   - a dispatcher task releases every request whose time has come, then yield()s: it is a task
//     of the design under test, like a real server's accept loop, and its lateness counts in the
//     response time. Polling keeps one task always runnable, so cpu_wall is ~N here by design.
// Rejected: sleeping until the next arrival (timer resolution differs per design and would be
// measured instead of the scheduler), a generator thread outside the runtime (Go has none).
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <vector>

#include "harness.hpp"
#include "workloads.hpp"

namespace benches {

enum class OpenLoopMode { spawn, pool };
enum class ServiceDistribution { exponential, bimodal };

// The load points every design runs at (percent of capacity per worker) and the service
// distributions' constants; benches/go/openloop.go has the same.
inline constexpr int kOpenLoopLoads[] = {10, 30, 50, 70, 80, 90, 95};
inline constexpr double kExpMeanNs = 10'000;
inline constexpr double kBimodalShortNs = 5'000, kBimodalLongNs = 500'000, kBimodalLongShare = 0.005;
inline constexpr double kSloFactor = 10;  // the SLO: p99 <= 10 × mean service time
inline constexpr double kReachedShare = 0.97;  // achieved / offered below this: not reached

inline double mean_service_ns(ServiceDistribution d) {
  return d == ServiceDistribution::exponential
             ? kExpMeanNs
             : (1 - kBimodalLongShare) * kBimodalShortNs + kBimodalLongShare * kBimodalLongNs;
}

// SplitMix64 (Steele, Lea and Flood, 2014): the twin's generator is the same function.
struct SplitMix64 {
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return double(next() >> 11) * 0x1.0p-53; }       // [0, 1)
  double exponential(double mean) { return -std::log1p(-uniform()) * mean; }
};

// openloop_seconds() is GORO_OPENLOOP_SECONDS (0.01..60), default 0.5.
inline double openloop_seconds() {
  const char* env = std::getenv("GORO_OPENLOOP_SECONDS");
  if (env == nullptr) return 0.5;
  char* end = nullptr;
  const double s = std::strtod(env, &end);
  if (end == env || *end != '\0' || !(s >= 0.01 && s <= 60))
    throw std::invalid_argument(std::string("GORO_OPENLOOP_SECONDS must be seconds from 0.01 to 60, got '") + env + "'");
  return s;
}

// rounds_per_ns() is hash_rounds()'s speed on this machine, measured once (best of 5).
inline double rounds_per_ns() {
  static const double speed = [] {
    constexpr int kRounds = 200'000;
    double best = 1e300;
    for (int i = 0; i < 5; ++i) {
      const auto t0 = std::chrono::steady_clock::now();
      benchmark::DoNotOptimize(hash_rounds(std::uint64_t(i) + 1, kRounds));
      best = std::min(best, double(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                       std::chrono::steady_clock::now() - t0).count()));
    }
    return kRounds / std::max(best, 1.0);
  }();
  return speed;
}

// OpenLoopSchedule: request i arrives at arrival_ns[i] (since the start) and needs rounds[i].
struct OpenLoopSchedule {
  std::vector<std::uint64_t> arrival_ns;
  std::vector<std::uint64_t> rounds;
};

inline OpenLoopSchedule make_schedule(double rate_per_ns, double seconds, ServiceDistribution d, std::uint64_t seed) {
  OpenLoopSchedule s;
  SplitMix64 arrivals{seed ^ 1}, service{seed ^ 2};
  const double end_ns = seconds * 1e9, speed = rounds_per_ns();
  for (double t = arrivals.exponential(1 / rate_per_ns); t < end_ns; t += arrivals.exponential(1 / rate_per_ns)) {
    double ns = d == ServiceDistribution::exponential
                    ? service.exponential(kExpMeanNs)
                    : (service.uniform() < kBimodalLongShare ? kBimodalLongNs : kBimodalShortNs);
    s.arrival_ns.push_back(std::uint64_t(t));
    s.rounds.push_back(std::max<std::uint64_t>(1, std::uint64_t(ns * speed)));
  }
  return s;
}

// name_seed() is FNV-1a of a point's workload name: the same schedule for every design.
inline std::uint64_t name_seed(const std::string& name) {
  std::uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : name) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

// percentile_of() is the q-quantile of sorted values (nearest rank).
inline double percentile_of(const std::vector<std::uint64_t>& sorted, double q) {
  if (sorted.empty()) return 0;
  std::size_t rank = std::size_t(std::ceil(q * double(sorted.size())));
  return double(sorted[std::clamp<std::size_t>(rank, 1, sorted.size()) - 1]);
}

template <class B>
void openloop(benchmark::State& state, const std::string& name, OpenLoopMode mode, ServiceDistribution d, int load) {
  const unsigned workers = workers_of_this_run();
  const double seconds = openloop_seconds();
  const double rate_per_ns = load / 100.0 * workers / mean_service_ns(d);
  const OpenLoopSchedule schedule = make_schedule(rate_per_ns, seconds, d, name_seed(name));
  const std::size_t n = schedule.arrival_ns.size();
  std::vector<std::uint64_t> completed_ns(n, 0);  // since the start; written by request i only
  using Clock = std::chrono::steady_clock;
  Clock::time_point start;
  auto since_start = [&start] {
    return std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  };
  auto serve = [&](std::size_t i) {
    benchmark::DoNotOptimize(hash_rounds(i + 1, int(schedule.rounds[i])));
    completed_ns[i] = since_start();
  };

  for (auto _ : state) {
    typename B::WaitGroup wg;
    wg.add(long(n));
    const unsigned pool_size = 4 * workers;
    auto requests = B::template make_chan<std::uint64_t>(mode == OpenLoopMode::pool ? 1024 : 0);
    typename B::WaitGroup pool_done;
    if (mode == OpenLoopMode::pool) {
      pool_done.add(long(pool_size));
      for (unsigned p = 0; p < pool_size; ++p)
        B::spawn([requests, &serve, &wg, &pool_done]() mutable {
          while (auto i = requests.recv()) {
            serve(std::size_t(*i));
            wg.done();
          }
          pool_done.done();
        });
    }
    start = Clock::now();
    // The dispatcher: release every request whose time has come, then give way.
    for (std::size_t next = 0; next < n;) {
      const std::uint64_t now = since_start();
      for (; next < n && schedule.arrival_ns[next] <= now; ++next) {
        if (mode == OpenLoopMode::pool) {
          requests.send(next);
        } else {
          B::spawn([&serve, &wg, i = next] {
            serve(i);
            wg.done();
          });
        }
      }
      if (next < n) B::yield();
    }
    wg.wait();
    if (mode == OpenLoopMode::pool) {
      requests.close();
      pool_done.wait();
    }
  }

  // Percentiles over the requests after the warm-up (the first 10 % of the schedule).
  std::vector<std::uint64_t> latency;
  latency.reserve(n);
  std::uint64_t last_completion = 0;
  for (std::size_t i = 0; i < n; ++i) {
    if (completed_ns[i] == 0) {
      fail(state, "openloop: a request never completed");
      return;
    }
    last_completion = std::max(last_completion, completed_ns[i]);
    if (schedule.arrival_ns[i] >= seconds * 1e8) latency.push_back(completed_ns[i] - std::min(completed_ns[i], schedule.arrival_ns[i]));
  }
  std::sort(latency.begin(), latency.end());
  const double span_ns = n > 1 ? double(schedule.arrival_ns[n - 1] - schedule.arrival_ns[0]) : 1;
  const double offered = n > 1 ? (n - 1) / span_ns * 1e9 : 0;
  const double achieved = n > 1 ? (n - 1) / double(last_completion - schedule.arrival_ns[0]) * 1e9 : 0;
  const bool reached = achieved >= kReachedShare * offered;
  state.counters["p50_ns"] = percentile_of(latency, 0.5);
  state.counters["p99_ns"] = percentile_of(latency, 0.99);
  state.counters["p999_ns"] = percentile_of(latency, 0.999);
  state.counters["offered_per_second"] = offered;
  state.counters["achieved_per_second"] = achieved;
  state.counters["reached"] = reached ? 1 : 0;
  state.counters["slo_ns"] = kSloFactor * mean_service_ns(d);
  if (!reached) state.SetLabel("not reached: the backlog grew (achieved < 97% of offered)");
  state.SetItemsProcessed(std::int64_t(n));
}

// openloop_points() is every open-loop workload: {spawn, pool} × {exp, bimodal} × the loads.
template <class B, class Row>
void add_openloop_points(std::vector<Row>& rows) {
  for (OpenLoopMode mode : {OpenLoopMode::spawn, OpenLoopMode::pool})
    for (ServiceDistribution d : {ServiceDistribution::exponential, ServiceDistribution::bimodal})
      for (int load : kOpenLoopLoads) {
        const std::string name = std::string("openloop/") + (mode == OpenLoopMode::spawn ? "spawn" : "pool") + "/" +
                                 (d == ServiceDistribution::exponential ? "exp" : "bimodal") + "/load:" +
                                 std::to_string(load);
        rows.push_back({name, [=](benchmark::State& s) { openloop<B>(s, name, mode, d, load); }, true});
      }
}

}  // namespace benches
