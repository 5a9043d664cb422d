// worker_pool — a fixed number of workers serve a queue of jobs (Go by Example's worker pool).
//
// Jobs go into a buffered `jobs` channel; each of the pool's goroutines loops over it (a
// RecvChan: it can only receive jobs), and sends a result per job (a SendChan). A Mutex protects a shared tally the workers update, to show the
// goroutine Mutex (it parks goroutines, never the worker thread).
#include <algorithm>
#include <cstdio>
#include <mutex>
#include <vector>

#include <goro/goro.hpp>

namespace {

// The "work": the number of steps the Collatz sequence of n takes to reach 1.
int collatz_steps(long long n) {
  int steps = 0;
  while (n != 1) {
    n = n % 2 == 0 ? n / 2 : 3 * n + 1;
    ++steps;
  }
  return steps;
}

}  // namespace

int main() {
  constexpr int kJobs = 2'000;
  constexpr int kPoolSize = 4;
  goro::Runtime runtime;

  struct Job {
    int id;
    long long n;
  };
  struct Result {
    int id;
    int steps;
  };
  goro::Mutex tally_lock;
  std::vector<int> jobs_per_worker(kPoolSize, 0);  // guarded by tally_lock

  const std::vector<int> steps = runtime.run([&] {
    auto jobs = goro::make_chan<Job>(64);
    auto results = goro::make_chan<Result>(64);
    goro::WaitGroup pool;

    // A worker only receives jobs and only sends results (Go by Example's
    // `func worker(id int, jobs <-chan int, results chan<- int)`).
    auto worker = [&](int id, goro::RecvChan<Job> jobs, goro::SendChan<Result> results) {
      for (Job job : jobs) {
        results.send(Result{job.id, collatz_steps(job.n)});
        std::lock_guard lock(tally_lock);
        ++jobs_per_worker[id];
      }
      pool.done();
    };
    pool.add(kPoolSize);
    for (int w = 0; w < kPoolSize; ++w) goro::go(worker, w, jobs, results);

    // Submit the jobs from their own goroutine, so main can collect results meanwhile.
    goro::go([](goro::SendChan<Job> queue) {
      for (int id = 0; id < kJobs; ++id) queue.send(Job{id, id + 1});
      queue.close();  // workers' loops end once the queue is drained
    }, jobs);

    std::vector<int> by_id(kJobs, -1);
    for (int received = 0; received < kJobs; ++received) {
      const Result r = *results.recv();
      by_id[r.id] = r.steps;
    }
    pool.wait();  // every worker has finished its tally update
    return by_id;
  });

  int wrong = 0;
  for (int id = 0; id < kJobs; ++id) wrong += steps[id] != collatz_steps(id + 1);
  int tallied = 0;
  std::printf("%d jobs on %d workers; jobs per worker:", kJobs, kPoolSize);
  for (int count : jobs_per_worker) {
    std::printf(" %d", count);
    tallied += count;
  }
  std::printf("\nlongest Collatz run below %d: %d steps; %d wrong results\n", kJobs + 1,
              *std::max_element(steps.begin(), steps.end()), wrong);
  const bool ok = wrong == 0 && tallied == kJobs;
  std::printf("%s\n", ok ? "OK" : "WRONG");
  return ok ? 0 : 1;
}
