// workloads.hpp — every benchmark workload, written once as a template over a backend B.
//
// A backend provides: run(body) (executes body inside its runtime and waits for every spawned
// task), spawn(f), spawn_depth_first(f), yield(), Chan<T> with make_chan<T>(cap) / send / recv
// (nullopt when closed and drained) / close, WaitGroup (add/done/wait), Mutex (lock/unlock),
// select2(a, b) and select_any(span) receiving from whichever channel is ready, plus the
// constants kSelectUnsupported and kSkynetUnsupported (nullptr, or the "unsupported: ..." reason
// the workload reports instead of running), kParkedTasks, and release_free_memory().
//
// Every workload checks its result (sums, counts) after the timed loop and fails the benchmark
// with SkipWithError when it is wrong. The body runs inside B::run(): the timed region is the
// range-for over `state` only — backend start-up, and the final close/join, are outside it.
// benches/README.md lists what each workload measures and what one iteration ("op") is.
#pragma once

#include <benchmark/benchmark.h>

#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "harness.hpp"

namespace benches {

inline void fail(benchmark::State& state, const std::string& what) { state.SkipWithError(what.c_str()); }

// hash_rounds() is `rounds` rounds of an xorshift-multiply hash: the unit of "work" the
// workloads spend per item. The Go twin computes the same function (benches/go/workloads.go).
inline std::uint64_t hash_rounds(std::uint64_t x, int rounds) {
  for (int i = 0; i < rounds; ++i) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 29;
  }
  return x;
}

// work() is the "little work per item" of fanout_fanin and worker_pool: 64 rounds.
inline std::uint64_t work(std::uint64_t x) { return hash_rounds(x, 64); }

// spawn_join — op: spawn 100 tasks that each add their index to a shared sum, and wait for all
// of them with a wait group.
template <class B>
void spawn_join(benchmark::State& state) {
  constexpr std::uint64_t kTasks = 100;
  std::atomic<std::uint64_t> sum{0};
  for (auto _ : state) {
    typename B::WaitGroup wg;
    wg.add(kTasks);
    for (std::uint64_t i = 0; i < kTasks; ++i)
      B::spawn([&sum, &wg, i] {
        sum.fetch_add(i, std::memory_order_relaxed);
        wg.done();
      });
    wg.wait();
  }
  const std::uint64_t expected = std::uint64_t(state.iterations()) * (kTasks * (kTasks - 1) / 2);
  if (sum.load() != expected) fail(state, "spawn_join: wrong sum");
  state.SetItemsProcessed(state.iterations() * kTasks);
}

// yield_pingpong — op: one yield() by the measuring task while a partner task yields in a loop.
template <class B>
void yield_pingpong(benchmark::State& state) {
  std::atomic<bool> stop{false}, started{false};
  std::atomic<std::uint64_t> partner_yields{0};
  typename B::WaitGroup wg;
  wg.add(1);
  B::spawn([&] {
    started.store(true);
    std::uint64_t n = 0;
    while (!stop.load(std::memory_order_relaxed)) {
      B::yield();
      ++n;
    }
    partner_yields.store(n);
    wg.done();
  });
  while (!started.load()) B::yield();
  std::uint64_t mine = 0;
  for (auto _ : state) {
    B::yield();
    ++mine;
  }
  stop.store(true);
  wg.wait();
  if (mine != std::uint64_t(state.iterations())) fail(state, "yield_pingpong: lost iterations");
  state.SetItemsProcessed(state.iterations());
  state.counters["partner_yields_per_op"] =
      benchmark::Counter(double(partner_yields.load()), benchmark::Counter::kAvgIterations);
}

// chan_pingpong — op: one round trip over two unbuffered channels (send i, receive i+1).
template <class B>
void chan_pingpong(benchmark::State& state) {
  auto ping = B::template make_chan<std::uint64_t>(0);
  auto pong = B::template make_chan<std::uint64_t>(0);
  typename B::WaitGroup wg;
  wg.add(1);
  B::spawn([ping, pong, &wg]() mutable {
    while (auto v = ping.recv()) pong.send(*v + 1);
    wg.done();
  });
  std::uint64_t i = 0;
  bool ok = true;
  for (auto _ : state) {
    ping.send(i);
    auto back = pong.recv();
    ok &= back && *back == i + 1;
    ++i;
  }
  ping.close();
  wg.wait();
  if (!ok) fail(state, "chan_pingpong: wrong reply");
  state.SetItemsProcessed(state.iterations());
}

// chan_prodcons/cap:C — op: one value sent by the measuring task to a consumer task over a
// channel of capacity C; the consumer sums, the sum is checked after close.
template <class B>
void chan_prodcons(benchmark::State& state, std::size_t capacity) {
  auto ch = B::template make_chan<std::uint64_t>(capacity);
  std::uint64_t consumed = 0;
  typename B::WaitGroup wg;
  wg.add(1);
  B::spawn([ch, &consumed, &wg]() mutable {
    std::uint64_t sum = 0;
    while (auto v = ch.recv()) sum += *v;
    consumed = sum;
    wg.done();
  });
  std::uint64_t i = 0;
  for (auto _ : state) ch.send(++i);
  ch.close();
  wg.wait();
  if (consumed != i * (i + 1) / 2) fail(state, "chan_prodcons: wrong sum");
  state.SetItemsProcessed(state.iterations());
}

// chan_mpmc/cap:C — op: 4 producers each send 1,000 values through one channel of capacity C to
// 4 consumers (all 8 spawned per op); the consumers' total is checked.
template <class B>
void chan_mpmc(benchmark::State& state, std::size_t capacity) {
  constexpr int kProducers = 4, kConsumers = 4;
  constexpr std::uint64_t kPerProducer = 1000;
  std::atomic<std::uint64_t> total{0};
  for (auto _ : state) {
    auto ch = B::template make_chan<std::uint64_t>(capacity);
    typename B::WaitGroup producers, consumers;
    producers.add(kProducers);
    consumers.add(kConsumers);
    for (int c = 0; c < kConsumers; ++c)
      B::spawn([ch, &total, &consumers]() mutable {
        std::uint64_t sum = 0;
        while (auto v = ch.recv()) sum += *v;
        total.fetch_add(sum, std::memory_order_relaxed);
        consumers.done();
      });
    for (int p = 0; p < kProducers; ++p)
      B::spawn([ch, &producers]() mutable {
        for (std::uint64_t v = 1; v <= kPerProducer; ++v) ch.send(v);
        producers.done();
      });
    producers.wait();
    ch.close();
    consumers.wait();
  }
  const std::uint64_t expected = std::uint64_t(state.iterations()) * kProducers * (kPerProducer * (kPerProducer + 1) / 2);
  if (total.load() != expected) fail(state, "chan_mpmc: wrong sum");
  state.SetItemsProcessed(state.iterations() * kProducers * kPerProducer);
}

// Feeders for the select workloads: each sends 1, 2, 3, ... on its own channel (unbuffered, or of
// capacity `cap`) until told to stop, then closes it and reports what it sent. The measuring task
// drains afterwards.
template <class B>
struct SelectFeeders {
  std::vector<typename B::template Chan<std::uint64_t>> chans;
  std::atomic<bool> stop{false};
  std::atomic<std::uint64_t> sent{0};
  typename B::WaitGroup wg;

  explicit SelectFeeders(std::size_t n, std::size_t cap = 0) {
    wg.add(long(n));
    for (std::size_t i = 0; i < n; ++i) chans.push_back(B::template make_chan<std::uint64_t>(cap));
    for (std::size_t i = 0; i < n; ++i)
      B::spawn([this, ch = chans[i]]() mutable {
        std::uint64_t v = 0, sum = 0;
        while (!stop.load(std::memory_order_relaxed)) {
          ch.send(++v);
          sum += v;
        }
        ch.close();
        sent.fetch_add(sum);
        wg.done();
      });
  }
  // finish() stops the feeders, drains every channel until closed, and returns the drained sum.
  std::uint64_t finish() {
    stop.store(true);
    std::uint64_t sum = 0;
    for (auto& ch : chans)
      while (auto v = ch.recv()) sum += *v;
    wg.wait();
    return sum;
  }
};

// select2[/cap:K] — op: one select receiving from whichever of two channels is ready (two feeder
// tasks keep both busy). Unbuffered by default; with K > 0 the feeders fill buffers of capacity K,
// so at 2 workers producers and consumer run apart and every item is a cross-core buffer slot.
template <class B>
void select2(benchmark::State& state, std::size_t cap = 0) {
  if constexpr (B::kSelectUnsupported != nullptr) {
    fail(state, B::kSelectUnsupported);
  } else {
    SelectFeeders<B> feeders(2, cap);
    std::uint64_t sum = 0, got = 0;
    std::array<std::uint64_t, 2> per{};
    for (auto _ : state) {
      auto [index, v] = B::select2(feeders.chans[0], feeders.chans[1]);
      if (v) {
        sum += *v;
        ++got;
        ++per[index];
      }
    }
    sum += feeders.finish();
    if (got != std::uint64_t(state.iterations()) || sum != feeders.sent.load()) fail(state, "select2: lost or invented values");
    state.SetItemsProcessed(state.iterations());
  }
}

// select_fanin/chans:K — op: one select over K unbuffered channels, each fed by its own task.
template <class B>
void select_fanin(benchmark::State& state, std::size_t k) {
  if constexpr (B::kSelectUnsupported != nullptr) {
    fail(state, B::kSelectUnsupported);
  } else {
    SelectFeeders<B> feeders(k);
    std::uint64_t sum = 0, got = 0;
    auto chans = std::span(feeders.chans);
    for (auto _ : state) {
      auto [index, v] = B::select_any(chans);
      if (v) {
        sum += *v;
        ++got;
      }
    }
    sum += feeders.finish();
    if (got != std::uint64_t(state.iterations()) || sum != feeders.sent.load())
      fail(state, "select_fanin: lost or invented values");
    state.SetItemsProcessed(state.iterations());
  }
}

// fanout_fanin — op: the pipeline of the seed tutorial on 1,000 items: a generator sends 1..1000
// on an unbuffered channel, 4 workers read it (fan-out) and each sends work(v) on its own
// channel, 4 forwarders merge those into one channel (fan-in) that a closer task closes when the
// forwarders are done; the measuring task sums the merged results. 13 tasks spawned per op.
template <class B>
void fanout_fanin(benchmark::State& state) {
  constexpr std::uint64_t kItems = 1000;
  constexpr int kWorkers = 4;
  std::uint64_t expected_per_op = 0;
  for (std::uint64_t v = 1; v <= kItems; ++v) expected_per_op += work(v);
  bool ok = true;
  for (auto _ : state) {
    using Chan = typename B::template Chan<std::uint64_t>;
    Chan in = B::template make_chan<std::uint64_t>(0);
    Chan merged = B::template make_chan<std::uint64_t>(0);
    B::spawn([in]() mutable {
      for (std::uint64_t v = 1; v <= kItems; ++v) in.send(v);
      in.close();
    });
    auto forwarders = std::make_shared<typename B::WaitGroup>();
    forwarders->add(kWorkers);
    for (int w = 0; w < kWorkers; ++w) {
      Chan out = B::template make_chan<std::uint64_t>(0);
      B::spawn([in, out]() mutable {
        while (auto v = in.recv()) out.send(work(*v));
        out.close();
      });
      B::spawn([out, merged, forwarders]() mutable {
        while (auto v = out.recv()) merged.send(*v);
        forwarders->done();
      });
    }
    B::spawn([merged, forwarders]() mutable {
      forwarders->wait();
      merged.close();
    });
    std::uint64_t sum = 0;
    while (auto v = merged.recv()) sum += *v;
    ok &= sum == expected_per_op;
  }
  if (!ok) fail(state, "fanout_fanin: wrong sum");
  state.SetItemsProcessed(state.iterations() * kItems);
}

// worker_pool — op: 1,000 jobs through a pool of 4 long-lived workers (jobs and results
// channels of capacity 128): a feeder task spawned per op sends the jobs, the workers send
// work(job) back, the measuring task sums the 1,000 results.
template <class B>
void worker_pool(benchmark::State& state) {
  constexpr std::uint64_t kJobs = 1000;
  constexpr int kWorkers = 4;
  auto jobs = B::template make_chan<std::uint64_t>(128);
  auto results = B::template make_chan<std::uint64_t>(128);
  typename B::WaitGroup workers;
  workers.add(kWorkers);
  for (int w = 0; w < kWorkers; ++w)
    B::spawn([jobs, results, &workers]() mutable {
      while (auto j = jobs.recv()) results.send(work(*j));
      workers.done();
    });
  std::uint64_t expected_per_op = 0;
  for (std::uint64_t v = 1; v <= kJobs; ++v) expected_per_op += work(v);
  bool ok = true;
  for (auto _ : state) {
    B::spawn([jobs]() mutable {
      for (std::uint64_t v = 1; v <= kJobs; ++v) jobs.send(v);
    });
    std::uint64_t sum = 0;
    for (std::uint64_t i = 0; i < kJobs; ++i) sum += *results.recv();
    ok &= sum == expected_per_op;
  }
  jobs.close();
  workers.wait();
  if (!ok) fail(state, "worker_pool: wrong sum");
  state.SetItemsProcessed(state.iterations() * kJobs);
}

// mutex_contended — op: 4 tasks (spawned per op) each take the backend's mutex 1,000 times to
// increment a shared counter, with `inside` rounds of hash_rounds() on the counter inside the
// critical section and `outside` rounds on a private value after each unlock. Three shapes:
//   mutex_contended                      nothing but the increment: the lock itself, bouncing;
//   mutex_contended/work_inside:16       a little work while holding it (~50 ns here): waiters
//                                        queue up behind a running owner — where spinning pays;
//   mutex_contended/work_outside:64      work between acquisitions (~200 ns, Go's
//                                        BenchmarkMutexWork / BenchmarkMutexSpin shape): the lock
//                                        is often free, and a hand-off convoy costs the most.
// At workers:1 a cooperative runtime never contends (nobody yields inside the lock); at
// workers:2 the lock really bounces.
// (inside and outside are template arguments so that each shape is a function of
// (benchmark::State&) only, which suite/callgrind.py's collection toggles match.)
template <class B, int inside, int outside>
void mutex_contended(benchmark::State& state) {
  constexpr int kTasks = 4;
  constexpr std::uint64_t kPerTask = 1000;
  typename B::Mutex mutex;
  std::uint64_t counter = 0;  // guarded by mutex
  std::uint64_t mixed = 0;    // guarded by mutex: the hash chain of the work inside
  std::atomic<std::uint64_t> outside_sink{0};
  for (auto _ : state) {
    typename B::WaitGroup wg;
    wg.add(kTasks);
    for (int t = 0; t < kTasks; ++t)
      B::spawn([&, t] {
        std::uint64_t local = std::uint64_t(t) + 1;
        for (std::uint64_t i = 0; i < kPerTask; ++i) {
          mutex.lock();
          ++counter;
          if (inside > 0) mixed = hash_rounds(mixed + counter, inside);
          mutex.unlock();
          if (outside > 0) local = hash_rounds(local + i, outside);
        }
        outside_sink.fetch_add(local, std::memory_order_relaxed);
        wg.done();
      });
    wg.wait();
  }
  benchmark::DoNotOptimize(mixed);
  benchmark::DoNotOptimize(outside_sink.load());
  if (counter != std::uint64_t(state.iterations()) * kTasks * kPerTask) fail(state, "mutex_contended: lost increments");
  state.SetItemsProcessed(state.iterations() * kTasks * kPerTask);
}

// sieve — op: Go's concurrent prime sieve for the first 2,000 primes: a generator sends
// 2..17389 (the 2,000th prime) and each prime found adds a filter task to the chain; closing
// propagates down the chain, so every task ends. Checks the count and the last prime.
template <class B>
void sieve(benchmark::State& state) {
  constexpr std::uint64_t kPrimes = 2000, kLastPrime = 17389;
  using Chan = typename B::template Chan<std::uint64_t>;
  bool ok = true;
  for (auto _ : state) {
    Chan source = B::template make_chan<std::uint64_t>(0);
    B::spawn([source]() mutable {
      for (std::uint64_t n = 2; n <= kLastPrime; ++n) source.send(n);
      source.close();
    });
    std::uint64_t count = 0, last = 0;
    Chan in = source;
    while (auto p = in.recv()) {
      ++count;
      last = *p;
      Chan out = B::template make_chan<std::uint64_t>(0);
      B::spawn([in, out, prime = *p]() mutable {
        while (auto v = in.recv())
          if (*v % prime != 0) out.send(*v);
        out.close();
      });
      in = out;
    }
    ok &= count == kPrimes && last == kLastPrime;
  }
  if (!ok) fail(state, "sieve: wrong primes");
  state.SetItemsProcessed(state.iterations() * kPrimes);
}

// skynet — op: 1,000,000 tasks in a 10-ary tree 6 levels deep; each leaf sends its number, each
// inner node sums its 10 children from a channel of capacity 10 and sends the sum up.
// The root's result must be 499,999,500,000.
template <class B>
void skynet_node(typename B::template Chan<std::uint64_t> out, std::uint64_t num, std::uint64_t size) {
  if (size == 1) {
    out.send(num);
    return;
  }
  auto children = B::template make_chan<std::uint64_t>(10);
  const std::uint64_t step = size / 10;
  for (std::uint64_t i = 0; i < 10; ++i)
    B::spawn_depth_first([children, sub = num + i * step, step] { skynet_node<B>(children, sub, step); });
  std::uint64_t sum = 0;
  for (int i = 0; i < 10; ++i) sum += *children.recv();
  out.send(sum);
}

template <class B>
void skynet(benchmark::State& state) {
  if constexpr (B::kSkynetUnsupported != nullptr) {
    fail(state, B::kSkynetUnsupported);
  } else {
    bool ok = true;
    for (auto _ : state) {
      auto root = B::template make_chan<std::uint64_t>(1);
      B::spawn([root] { skynet_node<B>(root, 0, 1'000'000); });
      ok &= *root.recv() == 499'999'500'000ULL;
    }
    if (!ok) fail(state, "skynet: wrong sum");
    state.SetItemsProcessed(state.iterations() * 1'111'111);  // every node of the tree is a task
  }
}

// parked_memory — op: spawn kParkedTasks tasks (100,000; 2,000 for threads) that each signal a
// wait group and then block receiving from one shared channel; once all have signalled, read
// the RSS; then close the channel and join. Counter rss_bytes_per_task = RSS delta / tasks.
// Registered with a single iteration so each repetition starts from a fresh backend.
template <class B>
void parked_memory(benchmark::State& state) {
  const std::size_t tasks = B::kParkedTasks;
  double bytes_per_task_sum = 0;
  for (auto _ : state) {
    auto gate = B::template make_chan<int>(0);
    typename B::WaitGroup started, finished;
    started.add(long(tasks));
    finished.add(long(tasks));
    B::release_free_memory();
    const std::int64_t before = resident_bytes();
    for (std::size_t i = 0; i < tasks; ++i)
      B::spawn([gate, &started, &finished]() mutable {
        started.done();
        (void)gate.recv();
        finished.done();
      });
    started.wait();
    const std::int64_t parked = resident_bytes();
    gate.close();
    finished.wait();
    bytes_per_task_sum += double(parked - before) / double(tasks);
  }
  state.counters["rss_bytes_per_task"] = benchmark::Counter(bytes_per_task_sum, benchmark::Counter::kAvgIterations);
  state.counters["tasks"] = double(tasks);
  state.SetItemsProcessed(state.iterations() * tasks);
}

}  // namespace benches
