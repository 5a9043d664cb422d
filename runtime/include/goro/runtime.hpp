// runtime.hpp — a Runtime owns the worker threads and runs a Go-style program on them.
//
//   goro::Runtime rt({.workers = 2, .policy = goro::Policy::steal});
//   int answer = rt.run([] {
//     auto ch = goro::make_chan<int>();
//     goro::go([ch]() mutable { ch.send(42); });
//     return *ch.recv();
//   });
//
// run() executes `main` as the first goroutine and returns its result, the way Go's main does:
// when main returns, every other goroutine is wound down — its next blocking call or yield()
// throws goro::cancelled, so its destructors run — and run() returns once all have finished.
// The first exception escaping any goroutine is rethrown from run() after the wind-down. When
// every goroutine is blocked and no timer is pending, run() throws goro::deadlock_error.
// A Runtime may run() many programs, one at a time; its workers sleep between runs.
#pragma once

#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

#include "goro/detail/spawn.hpp"
#include "goro/options.hpp"
#include "goro/stats.hpp"

namespace goro {

class Runtime {
 public:
  explicit Runtime(Options options = {});
  ~Runtime();
  Runtime(const Runtime&) = delete;
  Runtime& operator=(const Runtime&) = delete;

  // run() executes main as the first goroutine; see the file comment for how it ends.
  template <class F>
  auto run(F main) -> std::invoke_result_t<F&> {
    using R = std::invoke_result_t<F&>;
    if constexpr (std::is_void_v<R>) {
      auto body = [&main] { main(); };
      run_erased(&call<decltype(body)>, &body);
    } else {
      std::optional<R> result;
      auto body = [&main, &result] { result.emplace(main()); };
      run_erased(&call<decltype(body)>, &body);
      return std::move(*result);
    }
  }

  // stats() sums the counters of every worker since the Runtime was built.
  Stats stats() const;

  // options() is what the Runtime was built with (after the environment was applied).
  const Options& options() const noexcept;

  // release_memory() returns the resident pages of pooled, unused goroutine stacks to the
  // kernel. Stacks are otherwise kept for reuse (a fresh page is costly to touch); call it
  // between large bursts of goroutines if their peak memory should not stay resident.
  void release_memory();

 private:
  template <class Body>
  static void call(void* body) { (*static_cast<Body*>(body))(); }
  void run_erased(void (*fn)(void*), void* arg);

  std::unique_ptr<detail::Scheduler> scheduler_;
};

}  // namespace goro
