// fan_out_fan_in — spread work over several goroutines, then merge their results.
//
//                    +--> worker 1 --+
//   source --numbers-+--> worker 2 --+--merged--> main
//                    +--> worker 3 --+
//
// Fan-out: all workers receive from the same channel; each number goes to exactly one of them.
// Fan-in: every worker sends to one merged channel. A WaitGroup tells a closer goroutine when
// the last worker has finished, so it can close `merged` and end main's loop. Each stage is a
// function whose parameters are directional channels, as in Go's pipelines article.
#include <cstdio>
#include <memory>

#include <goro/goro.hpp>

namespace {

constexpr int kNumbers = 1'000;
constexpr int kWorkers = 3;

struct Result {
  int worker;
  long long square;
};

// Each stage takes the directions it uses (Go's `chan<- T` / `<-chan T`), so its signature
// shows where values flow; a Chan<T> converts to either view where the goroutine is started.

// source sends 1..n, then closes `out`: the workers' loops end once it is drained.
void source(goro::SendChan<int> out, int n) {
  for (int i = 1; i <= n; ++i) out.send(i);
  out.close();
}

// square is one worker. Fan-out: every worker receives from the same `in`, so each number goes
// to exactly one of them. Fan-in: every worker sends to the same `out`.
void square(int worker, goro::RecvChan<int> in, goro::SendChan<Result> out, std::shared_ptr<goro::WaitGroup> done) {
  for (int n : in) out.send(Result{worker, static_cast<long long>(n) * n});
  done->done();
}

// close_when_done closes `out` once every worker has finished, which ends main's loop.
void close_when_done(std::shared_ptr<goro::WaitGroup> done, goro::SendChan<Result> out) {
  done->wait();
  out.close();
}

}  // namespace

int main() {
  goro::Runtime runtime;
  struct Totals {
    long long sum_of_squares = 0;
    int results = 0;
    int per_worker[kWorkers] = {};
  };
  const Totals totals = runtime.run([] {
    auto numbers = goro::make_chan<int>();
    auto merged = goro::make_chan<Result>(kWorkers);
    goro::go(source, numbers, kNumbers);

    // The WaitGroup is shared by goroutines that outlive this scope's statements, so it lives
    // in a shared_ptr (in Go, the garbage collector does this for you).
    auto workers_done = std::make_shared<goro::WaitGroup>();
    workers_done->add(kWorkers);
    for (int w = 0; w < kWorkers; ++w) goro::go(square, w, numbers, merged, workers_done);
    goro::go(close_when_done, workers_done, merged);

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
