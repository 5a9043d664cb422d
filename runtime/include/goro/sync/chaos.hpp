// chaos.hpp — the native Sync policy plus seeded perturbation at every synchronisation point.
//
// Every atomic operation and every lock acquisition made by the shared algorithms first calls
// chaos_point(), which — driven by a per-thread xorshift stream seeded from GORO_CHAOS_SEED
// (default 1) and the thread's arrival order — sometimes spins a few hundred pauses and sometimes
// yields the OS thread. Widening the windows between the steps of an algorithm makes rare
// interleavings common. The same seed makes the same injection decisions on each thread's stream
// (the OS still decides how threads overlap, so a run is perturbed reproducibly, not replayed).
// Built with -DGORO_CHAOS=ON (the `chaos` preset); never in release builds.
#pragma once

#include <atomic>
#include <cstdint>

#include "goro/sync/native.hpp"

namespace goro::sync {

// chaos_point() maybe perturbs the calling thread (see the file comment).
void chaos_point() noexcept;

// ChaosAtomic is std::atomic with a chaos_point() before each operation.
template <class T>
class ChaosAtomic {
 public:
  ChaosAtomic() noexcept = default;
  constexpr ChaosAtomic(T value) noexcept : value_(value) {}  // NOLINT: mirrors std::atomic
  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    chaos_point();
    return value_.load(order);
  }
  void store(T value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    chaos_point();
    value_.store(value, order);
  }
  T exchange(T value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    chaos_point();
    return value_.exchange(value, order);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success = std::memory_order_seq_cst,
                               std::memory_order failure = std::memory_order_seq_cst) noexcept {
    chaos_point();
    return value_.compare_exchange_strong(expected, desired, success, failure);
  }
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success = std::memory_order_seq_cst,
                             std::memory_order failure = std::memory_order_seq_cst) noexcept {
    chaos_point();
    return value_.compare_exchange_weak(expected, desired, success, failure);
  }
  T fetch_add(T delta, std::memory_order order = std::memory_order_seq_cst) noexcept
    requires std::is_integral_v<T>
  {
    chaos_point();
    return value_.fetch_add(delta, order);
  }
  T fetch_sub(T delta, std::memory_order order = std::memory_order_seq_cst) noexcept
    requires std::is_integral_v<T>
  {
    chaos_point();
    return value_.fetch_sub(delta, order);
  }

 private:
  std::atomic<T> value_{};
};

class ChaosMutex {
 public:
  void lock() noexcept {
    chaos_point();
    inner_.lock();
  }
  bool try_lock() noexcept {
    chaos_point();
    return inner_.try_lock();
  }
  void unlock() noexcept {
    inner_.unlock();
    chaos_point();
  }

 private:
  SpinMutex inner_;
};

struct ChaosSync {
  template <class T>
  using atomic = ChaosAtomic<T>;
  template <class T>
  using var = PlainVar<T>;
  using mutex = ChaosMutex;
  using goroutine = detail::G*;

  static goroutine current_goroutine() noexcept;
  static void park(algo::WaitContext<ChaosSync>& ctx, void (*unlock)(void*), void* arg);
  static void ready(goroutine t) noexcept;
  static std::uint64_t random(std::uint64_t bound) noexcept;
  static void relax() noexcept { spin_pause(); }
  static void fence(std::memory_order order) noexcept { std::atomic_thread_fence(order); }
};

}  // namespace goro::sync
