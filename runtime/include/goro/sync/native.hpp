// native.hpp — the Sync policy the runtime ships with: std::atomic, plain cells, a spin lock,
// and parking mapped onto the goroutine scheduler.
//
// The contract a Sync policy satisfies (what the algorithms rely on) is goro/sync/contract.hpp;
// NativeSync is checked against it in goro/sync/runtime_sync.hpp.
#pragma once

#include <atomic>
#include <cstdint>
#include <utility>

#include "goro/sync/spin_mutex.hpp"

namespace goro::detail {
struct G;
}

namespace goro::algo {
template <class Sync>
struct WaitContext;
}

namespace goro::sync {

// PlainVar is var<T> for the native policies: a value with the var API and no overhead.
template <class T>
class PlainVar {
 public:
  PlainVar() = default;
  template <class... Args>
  explicit PlainVar(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...) {}
  T load() const { return value_; }
  void store(T value) { value_ = std::move(value); }
  T take() { return std::exchange(value_, T{}); }

 private:
  T value_{};
};

struct NativeSync {
  template <class T>
  using atomic = std::atomic<T>;
  template <class T>
  using var = PlainVar<T>;
  using mutex = SpinMutex;
  using goroutine = detail::G*;

  static goroutine current_goroutine() noexcept;
  static void park(algo::WaitContext<NativeSync>& ctx, void (*unlock)(void*), void* arg);
  static void ready(goroutine t) noexcept;
  static std::uint64_t random(std::uint64_t bound) noexcept;
  static void relax() noexcept { spin_pause(); }
  static void fence(std::memory_order order) noexcept { std::atomic_thread_fence(order); }
};

}  // namespace goro::sync
