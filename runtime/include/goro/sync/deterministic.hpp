// deterministic.hpp — the Sync policy of the deterministic world: every synchronisation point is
// a possible switch, chosen by a seeded scheduler, and exactly one thread runs at a time.
//
// The runtime built on this policy (the goro::deterministic flavour, GORO_DETERMINISTIC=1) keeps
// its worker threads, but they run one at a time: a thread holds the baton and passes it only at
// a synchronisation point — each atomic operation and lock acquisition the algorithms make
// through this policy, a spin-wait (relax()), a worker's sleep (the futex, futex.hpp) and a
// thread's start and end. At each point the scheduler (runtime/src/deterministic.cpp) picks the
// thread that runs next: a uniform random walk, PCT (Burckhardt et al., ASPLOS 2010: random
// priorities and d−1 priority change points) or "none" (switch only when blocked), seeded, so
// the same seed and program give the same execution, step for step, and a hash of the schedule
// proves it. The OS threads are only stacks: which one runs is the scheduler's decision alone.
//
// Invariants:
//   - one runner: a controlled thread runs only between being handed the baton and handing it
//     on; all others wait on their own condition variable. So plain shared data needs no fence
//     here, and a check of a futex word followed by blocking is atomic.
//   - no spinning: a lock that is held blocks its waiter on the lock (woken by unlock()); a
//     spin-wait (relax()) hands the baton to another runnable thread when there is one. So spin
//     locks and spinning workers cannot livelock the single runner.
//   - virtual time: Clock::now() (goro::Clock is DeterministicClock in this build) reads the
//     scheduler's virtual clock. It moves only when every controlled thread is blocked and one
//     waits with a deadline — it jumps to the earliest deadline, as Go's testing/synctest does —
//     and by kRelaxTick per spin-wait, so a spin bounded by time ends after a fixed number of
//     polls. A timer-heavy program runs in no real time and deterministically.
//   - heap addresses: select locks its channels in address order, so an address that depends
//     on the OS's timing (glibc's per-thread caches and arenas, freed when threads exit) changes
//     the path. GLIBC_TUNABLES=glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1 pins them
//     (glibc reads it at start-up only: the program must start with it; the reproduce line and
//     scripts/suite explore set it, and the scheduler warns when it is missing). Threads the
//     program starts itself are adopted at their first point, arriving when the OS says: such a
//     run is safe but not exactly replayable (the report counts them).
//   - a hang is every controlled thread blocked with no deadline: the process prints the states
//     and one reproducing line, and exits with kExitHang; more than GORO_DET_MAX_STEPS points is a
//     livelock (kExitLivelock). Bad GORO_DET_* values exit with 2.
//   - a stop shows the world as it is: the threads' states and every live goroutine's (id and
//     life-cycle state, read from each runtime's registry without a lock or a synchronisation
//     point — no other thread runs). A failing step is where the scheduler stopped a hang or
//     livelock, where a goroutine's exception escaped (failure(): the report's failing_step), or
//     the abort; GORO_DET_STOP_AT=N stops a replay there (kExitStopped), which is how
//     `scripts/suite explore --replay` shows the goroutines of a failing schedule.
//
// The environment (read once, at the first synchronisation point):
//   GORO_DET_SEED (default 1), GORO_DET_STRATEGY (random|pct|none, default random),
//   GORO_DET_PCT_DEPTH (d, default 3), GORO_DET_PCT_STEPS (k, the expected number of points,
//   default 20000), GORO_DET_MAX_STEPS (default 100000000), GORO_DET_REPLAY (a schedule file: run
//   exactly it), GORO_DET_RECORD (write the schedule there at exit), GORO_DET_REPORT (write a
//   JSON summary there at exit: steps, switches, hash, threads, virtual time, the PCT bound, the
//   failing step), GORO_DET_STOP_AT (stop at that step, or at the failure recorded there, and
//   print the threads and goroutines).
// A schedule file lists the decisions that differ from the default choice (stay on the running
// thread; after a spin-wait or when it blocks, the next runnable thread in id order), one
// "<step> <thread>" per line, so dropping a line is a shorter schedule: the shrinker's move.
// Built into the goro::deterministic flavour (and the `deterministic` preset); never in release
// builds of goro::goro.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <type_traits>

#include "goro/sync/contract.hpp"
#include "goro/sync/native.hpp"

namespace goro::sync {

// Exit codes of a run the deterministic scheduler stopped.
inline constexpr int kExitHang = 86;      // every thread blocked, no deadline: a lost wake-up or deadlock
inline constexpr int kExitLivelock = 87;  // more than GORO_DET_MAX_STEPS synchronisation points
inline constexpr int kExitStopped = 88;   // GORO_DET_STOP_AT reached: the world was shown and stopped

namespace det {
// point() — a synchronisation point: the scheduler may hand the baton to another thread.
void point() noexcept;
// relax() — a spin-wait: hand the baton to another runnable thread if there is one; the virtual
// clock moves by one tick.
void relax() noexcept;
// wait() — block the calling thread while word == expected, until wake(&word) or, when
// timeout_ns >= 0, until the virtual clock passes now + timeout_ns. Futex semantics.
void wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected, std::int64_t timeout_ns) noexcept;
// wake() — make up to count threads waiting on address runnable (lowest id first).
void wake(const void* address, int count) noexcept;
// Threads: the creator announces one (its id), the thread begins with it and ends; join waits.
unsigned announce_thread() noexcept;
void begin_thread(unsigned id) noexcept;
void end_thread() noexcept;
void join_thread(unsigned id) noexcept;
// now_ns() — the virtual clock.
std::int64_t now_ns() noexcept;
// active() — is the calling thread controlled by the scheduler?
bool active() noexcept;
// failure() — the program fails here: a goroutine's exception escaped (what() of it). The first
// one's step is the report's failing_step; at GORO_DET_STOP_AT's step the run stops here.
void failure(const char* what) noexcept;
// Describer appends one runtime's live goroutines to out; called only while the world is stopped.
using Describer = void (*)(void* runtime, std::string& out);
// add_runtime() / remove_runtime() — a Scheduler announces itself for the stops' goroutine states.
void add_runtime(void* runtime, Describer describe) noexcept;
void remove_runtime(void* runtime) noexcept;
}  // namespace det

// DeterministicClock is goro::Clock in the deterministic world: the scheduler's virtual clock.
struct DeterministicClock {
  using rep = std::int64_t;
  using period = std::nano;
  using duration = std::chrono::nanoseconds;
  using time_point = std::chrono::time_point<DeterministicClock>;
  static constexpr bool is_steady = true;
  static time_point now() noexcept { return time_point(duration(det::now_ns())); }
};

// DeterministicAtomic is std::atomic with a synchronisation point before each operation.
template <class T>
class DeterministicAtomic {
 public:
  DeterministicAtomic() noexcept = default;
  constexpr DeterministicAtomic(T value) noexcept : value_(value) {}  // NOLINT: mirrors std::atomic
  // peek() reads without a synchronisation point: only for showing a stopped world.
  T peek() const noexcept { return value_.load(std::memory_order_relaxed); }
  T load(std::memory_order order = std::memory_order_seq_cst) const noexcept {
    det::point();
    return value_.load(order);
  }
  void store(T value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    det::point();
    value_.store(value, order);
  }
  T exchange(T value, std::memory_order order = std::memory_order_seq_cst) noexcept {
    det::point();
    return value_.exchange(value, order);
  }
  bool compare_exchange_strong(T& expected, T desired, std::memory_order success = std::memory_order_seq_cst,
                               std::memory_order failure = std::memory_order_seq_cst) noexcept {
    det::point();
    return value_.compare_exchange_strong(expected, desired, success, failure);
  }
  // Never fails spuriously here: a spurious failure would be a choice the seed does not make.
  bool compare_exchange_weak(T& expected, T desired, std::memory_order success = std::memory_order_seq_cst,
                             std::memory_order failure = std::memory_order_seq_cst) noexcept {
    det::point();
    return value_.compare_exchange_strong(expected, desired, success, failure);
  }
  T fetch_add(T delta, std::memory_order order = std::memory_order_seq_cst) noexcept
    requires std::is_integral_v<T>
  {
    det::point();
    return value_.fetch_add(delta, order);
  }
  T fetch_sub(T delta, std::memory_order order = std::memory_order_seq_cst) noexcept
    requires std::is_integral_v<T>
  {
    det::point();
    return value_.fetch_sub(delta, order);
  }

 private:
  std::atomic<T> value_{};
};

// DeterministicMutex blocks a waiter on the lock instead of spinning (see the invariants).
class DeterministicMutex {
 public:
  void lock() noexcept {
    det::point();
    while (locked_.load(std::memory_order_relaxed) != 0) det::wait(locked_, 1, -1);
    locked_.store(1, std::memory_order_relaxed);
  }
  bool try_lock() noexcept {
    det::point();
    if (locked_.load(std::memory_order_relaxed) != 0) return false;
    locked_.store(1, std::memory_order_relaxed);
    return true;
  }
  void unlock() noexcept {
    locked_.store(0, std::memory_order_relaxed);
    det::wake(&locked_, 1);
    det::point();
  }

 private:
  std::atomic<std::uint32_t> locked_{0};
};

struct DeterministicSync {
  template <class T>
  using atomic = DeterministicAtomic<T>;
  template <class T>
  using var = PlainVar<T>;
  using mutex = DeterministicMutex;
  using goroutine = detail::G*;

  static goroutine current_goroutine() noexcept;
  static void park(algo::WaitContext<DeterministicSync>& ctx, void (*unlock)(void*), void* arg);
  static void ready(goroutine t) noexcept;
  static std::uint64_t random(std::uint64_t bound) noexcept;
  static void relax() noexcept { det::relax(); }
  static void fence(std::memory_order order) noexcept { std::atomic_thread_fence(order); }
};

static_assert(SyncPolicy<DeterministicSync>, "the deterministic policy satisfies the Sync contract (goro/sync/contract.hpp)");

}  // namespace goro::sync
