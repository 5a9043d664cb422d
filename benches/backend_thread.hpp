// backend_thread.hpp — the `thread` backend: one std::thread per spawned task, and the
// mutex/condition_variable channel, select and wait group from baselines/thread_chan.hpp.
//
// workers:N means nothing to the OS scheduler, so run() pins the benchmark thread to the first N
// CPUs with sched_setaffinity (spawned threads inherit the mask) and restores the old mask after:
// a thread run at workers:1 competes for one CPU, like goro, Boost.Fiber and Go at workers:1.
// The measured loop runs on the benchmark's own thread.
#pragma once

#include <sched.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <span>
#include <thread>
#include <utility>

#include "baselines/thread_chan.hpp"
#include "harness.hpp"

namespace benches {

class ThreadBackend {
 public:
  static constexpr const char* kSelectUnsupported = nullptr;
  static constexpr const char* kSkynetUnsupported = "unsupported: 1,000,000 OS threads";
  static constexpr std::size_t kParkedTasks = 2'000;

  template <class T>
  using Chan = baseline::Chan<T>;
  using WaitGroup = baseline::WaitGroup;
  using Mutex = std::mutex;

  explicit ThreadBackend(unsigned workers) : workers_(workers) {}

  // run() pins to `workers` CPUs, runs body on this thread, then waits for every spawned thread.
  template <class Body>
  void run(Body&& body) {
    cpu_set_t saved;
    CPU_ZERO(&saved);
    sched_getaffinity(0, sizeof saved, &saved);
    cpu_set_t pinned;
    CPU_ZERO(&pinned);
    unsigned taken = 0;
    for (int cpu = 0; cpu < CPU_SETSIZE && taken < workers_; ++cpu) {
      if (CPU_ISSET(cpu, &saved)) {
        CPU_SET(cpu, &pinned);
        ++taken;
      }
    }
    sched_setaffinity(0, sizeof pinned, &pinned);
    struct Restore {
      cpu_set_t* saved;
      ~Restore() {
        wait_all_threads();
        sched_setaffinity(0, sizeof *saved, saved);
      }
    } restore{&saved};
    body();
  }

  template <class T>
  static Chan<T> make_chan(std::size_t capacity) {
    return baseline::make_chan<T>(capacity);
  }

  // spawn() starts a detached thread; run() waits for all of them before it returns.
  template <class F>
  static void spawn(F&& f) {
    live().fetch_add(1, std::memory_order_relaxed);
    std::thread([fn = std::forward<F>(f)]() mutable {
      fn();
      std::lock_guard lock(live_mutex());
      if (live().fetch_sub(1, std::memory_order_acq_rel) == 1) live_cv().notify_all();
    }).detach();
  }
  template <class F>
  static void spawn_depth_first(F&& f) {
    spawn(std::forward<F>(f));
  }

  static void yield() { std::this_thread::yield(); }

  template <class T>
  static std::pair<std::size_t, std::optional<T>> select2(Chan<T>& a, Chan<T>& b) {
    Chan<T> both[2] = {a, b};
    return baseline::select_recv<T>(std::span<Chan<T>>(both));
  }
  template <class T>
  static std::pair<std::size_t, std::optional<T>> select_any(std::span<Chan<T>> chans) {
    return baseline::select_recv<T>(chans);
  }

  OpStats stats() const { return {}; }
  static void release_free_memory() { release_free_heap(); }
  static constexpr bool kHasStats = false;

 private:
  static std::atomic<std::size_t>& live() {
    static std::atomic<std::size_t> n{0};
    return n;
  }
  static std::mutex& live_mutex() {
    static std::mutex m;
    return m;
  }
  static std::condition_variable& live_cv() {
    static std::condition_variable cv;
    return cv;
  }
  static void wait_all_threads() {
    std::unique_lock lock(live_mutex());
    live_cv().wait(lock, [] { return live().load(std::memory_order_acquire) == 0; });
  }

  unsigned workers_;
};

}  // namespace benches
