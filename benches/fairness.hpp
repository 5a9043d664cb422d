// fairness.hpp — starvation and fairness pathologies, each a workload with the one number that
// shows it (the Go twin is benches/go/fairness.go):
//
//   fairness/runnext_wait   a task readied while two others ping-pong through a hand-off slot
//                           (Go's runnext, a LIFO slot): victim_wait_ns = how long it waited to
//                           run; wait_share = that wait over the ping-pong's length (1 = starved
//                           for the whole ping-pong). op: one episode of 2,000 round trips.
//   fairness/cpu_hog        a task computes 20 ms without blocking or yielding while a peer is
//                           runnable: peer_delay_ns = how long the peer waited. goro is
//                           cooperative — a task that never blocks or yields keeps its worker, so
//                           at one worker the peer waits the whole 20 ms; Go preempts a goroutine
//                           after ~10 ms. op: one episode.
//   fairness/mutex/tasks:N  N = 1, 4, 16, 64 tasks take one mutex 6,400 times in all: time per
//                           acquisition as contention grows, and max_acquire_ns = the longest
//                           any lock() waited (over the whole run). op: 6,400 acquisitions.
//   fairness/pool_jain      16 pool tasks receive 20,000 jobs from one channel: jain_index over
//                           the jobs each processed (1 = perfectly even, 1/16 = one task did all).
// Jain's index of x_1..x_n is (Σx)² / (n Σx²) (Jain, Chiu and Hawe, 1984).
#pragma once

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <vector>

#include "harness.hpp"
#include "openloop.hpp"
#include "workloads.hpp"

namespace benches {

inline double jain_index(const std::vector<double>& x) {
  double sum = 0, squares = 0;
  for (double v : x) {
    sum += v;
    squares += v * v;
  }
  return squares > 0 ? sum * sum / (double(x.size()) * squares) : 1;
}

inline std::uint64_t steady_ns() {
  return std::uint64_t(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count());
}

template <class B>
void fairness_runnext_wait(benchmark::State& state) {
  constexpr int kRounds = 2000, kReadyAfter = 100;
  double wait_total = 0, share_total = 0;
  for (auto _ : state) {
    auto ping = B::template make_chan<int>(0);
    auto pong = B::template make_chan<int>(0);
    auto readied = B::template make_chan<std::uint64_t>(1);  // buffered: the pinger never blocks on it
    std::atomic<std::uint64_t> pingpong_end{0};
    std::uint64_t pingpong_start = 0;
    typename B::WaitGroup wg;
    wg.add(2);
    B::spawn([ping, pong, &wg]() mutable {
      while (auto v = ping.recv()) pong.send(*v);
      wg.done();
    });
    B::spawn([ping, pong, readied, &wg, &pingpong_end, &pingpong_start]() mutable {
      pingpong_start = steady_ns();
      for (int i = 0; i < kRounds; ++i) {
        if (i == kReadyAfter) readied.send(steady_ns());  // readies the measuring task
        ping.send(i);
        (void)pong.recv();
      }
      pingpong_end.store(steady_ns());
      ping.close();
      wg.done();
    });
    const std::uint64_t at = *readied.recv();  // parks until the pinger readies it mid-ping-pong
    const std::uint64_t ran = steady_ns();
    wg.wait();
    wait_total += double(ran - at);
    share_total += double(ran - at) / double(std::max<std::uint64_t>(1, pingpong_end.load() - pingpong_start));
  }
  state.counters["victim_wait_ns"] = wait_total / double(state.iterations());
  state.counters["wait_share"] = share_total / double(state.iterations());
}

template <class B>
void fairness_cpu_hog(benchmark::State& state) {
  const int hog_rounds = int(20e6 * rounds_per_ns());  // 20 ms of work, never blocking or yielding
  double delay_total = 0;
  std::uint64_t sink = 0;
  for (auto _ : state) {
    typename B::WaitGroup wg;
    wg.add(1);
    std::atomic<bool> hog_started{false};
    B::spawn([&] {
      hog_started.store(true);
      sink += hash_rounds(sink + 1, hog_rounds);
      wg.done();
    });
    const std::uint64_t t0 = steady_ns();
    while (!hog_started.load()) B::yield();  // the peer (this task) is runnable throughout: the
                                            // yield that returns after the hog began is the delay
    delay_total += double(steady_ns() - t0);
    wg.wait();
  }
  benchmark::DoNotOptimize(sink);
  state.counters["peer_delay_ns"] = delay_total / double(state.iterations());
}

template <class B>
void fairness_mutex(benchmark::State& state, int tasks) {
  constexpr int kAcquisitions = 6400;
  typename B::Mutex mutex;
  std::uint64_t counter = 0;
  std::vector<std::uint64_t> longest(std::size_t(tasks), 0);  // per task: its longest lock() wait
  for (auto _ : state) {
    typename B::WaitGroup wg;
    wg.add(tasks);
    for (int t = 0; t < tasks; ++t)
      B::spawn([&, t] {
        std::uint64_t worst = 0;
        for (int i = 0; i < kAcquisitions / tasks; ++i) {
          const std::uint64_t asked = steady_ns();
          mutex.lock();
          worst = std::max(worst, steady_ns() - asked);
          ++counter;
          mutex.unlock();
        }
        longest[std::size_t(t)] = std::max(longest[std::size_t(t)], worst);
        wg.done();
      });
    wg.wait();
  }
  if (counter != std::uint64_t(state.iterations()) * std::uint64_t(kAcquisitions / tasks * tasks))
    fail(state, "fairness/mutex: lost increments");
  state.counters["max_acquire_ns"] = double(*std::max_element(longest.begin(), longest.end()));
  state.SetItemsProcessed(state.iterations() * (kAcquisitions / tasks * tasks));
}

template <class B>
void fairness_pool_jain(benchmark::State& state) {
  constexpr int kTasks = 16, kJobs = 20'000;
  double jain_total = 0;
  for (auto _ : state) {
    auto jobs = B::template make_chan<std::uint64_t>(128);
    std::vector<double> done(kTasks, 0);
    typename B::WaitGroup wg;
    wg.add(kTasks);
    for (int t = 0; t < kTasks; ++t)
      B::spawn([jobs, &done, &wg, t]() mutable {
        std::uint64_t sink = 0;
        while (auto j = jobs.recv()) {
          sink += work(*j);
          done[std::size_t(t)] += 1;
        }
        benchmark::DoNotOptimize(sink);
        wg.done();
      });
    for (std::uint64_t j = 0; j < kJobs; ++j) jobs.send(j);
    jobs.close();
    wg.wait();
    jain_total += jain_index(done);
  }
  state.counters["jain_index"] = jain_total / double(state.iterations());
  state.SetItemsProcessed(state.iterations() * kJobs);
}

template <class B, class Row>
void add_fairness_workloads(std::vector<Row>& rows) {
  rows.push_back({"fairness/runnext_wait", fairness_runnext_wait<B>});
  rows.push_back({"fairness/cpu_hog", fairness_cpu_hog<B>, true});
  for (int tasks : {1, 4, 16, 64})
    rows.push_back({"fairness/mutex/tasks:" + std::to_string(tasks), [tasks](benchmark::State& s) { fairness_mutex<B>(s, tasks); }});
  rows.push_back({"fairness/pool_jain", fairness_pool_jain<B>});
}

}  // namespace benches
