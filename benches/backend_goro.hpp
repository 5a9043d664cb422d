// backend_goro.hpp — the `goro/<policy>` backends: goro's own runtime, channels, select,
// WaitGroup and Mutex. One Runtime per benchmark run (built before, destroyed after the timed
// region); the measured loop runs inside rt.run(), i.e. as goro's main goroutine, so worker
// start-up is never timed. The Stats deltas of that run become the *_per_op counters.
#pragma once

#include <goro/goro.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <utility>

#include "harness.hpp"

namespace benches {

class GoroBackend {
 public:
  static constexpr const char* kSelectUnsupported = nullptr;
  static constexpr const char* kSkynetUnsupported = nullptr;
  static constexpr std::size_t kParkedTasks = 100'000;
  static constexpr bool kHasStats = true;

  template <class T>
  using Chan = goro::Chan<T>;
  using WaitGroup = goro::WaitGroup;
  using Mutex = goro::Mutex;

  GoroBackend(unsigned workers, goro::Policy policy)
      : runtime_(goro::Options{.workers = workers, .policy = policy, .stack_size = 64 * 1024}) {}

  template <class Body>
  void run(Body&& body) {
    runtime_.run([&] { body(); });
  }

  template <class T>
  static Chan<T> make_chan(std::size_t capacity) {
    return goro::make_chan<T>(capacity);
  }

  template <class F>
  static void spawn(F&& f) {
    goro::go(std::forward<F>(f));
  }
  template <class F>
  static void spawn_depth_first(F&& f) {
    goro::go(std::forward<F>(f));  // goro has one spawn: the child is queued, the parent continues
  }

  static void yield() { goro::yield(); }

  // select2() uses the static form, goro::select with two receive cases.
  template <class T>
  static std::pair<std::size_t, std::optional<T>> select2(Chan<T>& a, Chan<T>& b) {
    std::optional<T> got;
    std::size_t index = goro::select(goro::case_recv(a, [&](std::optional<T> v) { got = std::move(v); }),
                                     goro::case_recv(b, [&](std::optional<T> v) { got = std::move(v); }));
    return {index, std::move(got)};
  }
  // select_any() uses the dynamic form over a span of channels.
  template <class T>
  static std::pair<std::size_t, std::optional<T>> select_any(std::span<Chan<T>> chans) {
    return goro::select_recv_any(chans);
  }

  // release_free_memory(): the Runtime (and its stack pool) is fresh for each run; only the heap.
  static void release_free_memory() { release_free_heap(); }

  // wake_latency() is Stats::wake_latency: empty unless GORO_WAKE_LATENCY=1 (Options default).
  goro::LatencyHistogram wake_latency() const { return runtime_.stats().wake_latency; }

  OpStats stats() const {
    const goro::Stats s = runtime_.stats();
    return {s.context_switches, s.steals, s.goroutine_parks, s.worker_parks, s.worker_wakes, s.worker_spins_empty};
  }

 private:
  goro::Runtime runtime_;
};

}  // namespace benches
