// fan_out_fan_in — spread work over several goroutines, then merge their results.
//
//                    +--> worker 1 --+
//   source --numbers-+--> worker 2 --+--merged--> main
//                    +--> worker 3 --+
//
// Fan-out: all workers receive from the same channel; each number goes to exactly one of them.
// Fan-in: every worker sends to one merged channel. A WaitGroup tells a closer goroutine when
// the last worker has finished, so it can close `merged` and end main's loop.
#include <cstdio>
#include <memory>

#include <goro/goro.hpp>

int main() {
  constexpr int kNumbers = 1'000;
  constexpr int kWorkers = 3;
  goro::Runtime runtime;
  struct Totals {
    long long sum_of_squares = 0;
    int results = 0;
    int per_worker[kWorkers] = {};
  };
  const Totals totals = runtime.run([] {
    auto numbers = goro::make_chan<int>();
    struct Result {
      int worker;
      long long square;
    };
    auto merged = goro::make_chan<Result>(kWorkers);

    goro::go([numbers]() mutable {  // the source
      for (int n = 1; n <= kNumbers; ++n) numbers.send(n);
      numbers.close();
    });

    // The WaitGroup is shared by goroutines that may outlive this scope's statements, so it
    // lives in a shared_ptr (in Go, the garbage collector does this for you).
    auto workers_done = std::make_shared<goro::WaitGroup>();
    workers_done->add(kWorkers);
    for (int w = 0; w < kWorkers; ++w) {
      goro::go([=]() mutable {  // fan-out: each worker takes numbers until the source closes
        for (int n : numbers) merged.send(Result{w, static_cast<long long>(n) * n});
        workers_done->done();
      });
    }
    goro::go([=]() mutable {  // the closer: fan-in ends when every worker has finished
      workers_done->wait();
      merged.close();
    });

    Totals t;
    for (Result r : merged) {
      t.sum_of_squares += r.square;
      ++t.results;
      ++t.per_worker[r.worker];
    }
    return t;
  });

  const long long expected = static_cast<long long>(kNumbers) * (kNumbers + 1) * (2 * kNumbers + 1) / 6;
  std::printf("%d results, sum of squares %lld (expected %lld); per worker:", totals.results, totals.sum_of_squares,
              expected);
  for (int count : totals.per_worker) std::printf(" %d", count);
  const bool ok = totals.results == kNumbers && totals.sum_of_squares == expected;
  std::printf("\n%s\n", ok ? "OK" : "WRONG");
  return ok ? 0 : 1;
}
