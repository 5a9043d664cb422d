// sync.hpp — the Relacy Sync policy (<goro/verify/relacy/sync.hpp>): goro's shared algorithms (goro/algo/*.hpp), unchanged,
// run inside Dmitry Vyukov's Relacy Race Detector, which explores their interleavings under the
// C++ memory model (relaxed atomics included) and reports data races, failed assertions,
// deadlocks and livelocks with a trace that points at the algorithm's own source lines.
//
// The contract this policy satisfies is goro/sync/contract.hpp (SyncPolicy). Mapping:
//   atomic<T>   Atomic<T, Bugs>: rl::atomic<T>; std::memory_order → rl::mo_*; every call takes a
//               defaulted std::source_location *after* its memory orders, so algorithm code such as
//               `state.load(std::memory_order_acquire)` compiles unchanged and Relacy's history
//               names the algorithm line, not this file.
//   var<T>      Var<T>: the value lives in a plain member; every access goes through an rl::var
//               "access cell", so Relacy race-checks each load/store/take of channel buffers,
//               waiter slots and the WaitContext's fired/cancelled fields.
//   mutex       Mutex: rl::mutex, plus an optional check that runs at every unlock (the channel
//               models install chan.hpp's invariants_hold() there: "the invariants hold whenever
//               lock_ is free", checked at every release, not just at the end).
//   goroutine   Goroutine*: one per Relacy thread, with the park protocol's per-goroutine state.
//   park/ready  the runtime's own algo::ParkProtocol (goro/algo/park.hpp: the goroutine state
//               machine, the commit after the switch, ready, the wind-down claim) over ModelHost,
//               the model's Host (a few dozen lines): the switch is a call on the same thread and
//               the run queue a condition variable (the run queues have models of their own).
//   random(n)   rl::rand(n): the full-search scheduler explores every poll order select can pick.
//   relax()     rl::yield(): tells the fair schedulers the thread is spinning.
//   fence(o)    rl::atomic_thread_fence.
//   orders      each atomic call's orders pass through order_mutant.hpp first: GORO_ORDER_MUTANT can
//               weaken one call's order (or drop one fence) at run time, for the memory-order mutants.
//
// Planted bugs: a model must be able to fail. BasicRelacySync<Bugs> takes a set of knobs
// (struct Faithful below, and the variants each model derives from it) that break the *policy*
// or the *wiring* — never the shipped algorithm: every memory order downgraded to relaxed,
// fences dropped, read-modify-writes split into a load and a store, no-op locks, a park that
// publishes the waiter before the goroutine is off its stack, a ready() that loses a wake-up. Each
// model's ctest asserts that Relacy reports its planted bugs, and as which kind.
//
// Include this header (it includes relacy/relacy.hpp) before the algorithm headers. Only
// relacy/relacy.hpp is used: relacy_std.hpp shadows std:: names and clashes with libstdc++ 12.
#pragma once

#include <relacy/relacy.hpp>

// relacy.hpp redefines new/delete/malloc/free (to track allocations), assert, and the
// std::memory_order_* names (to its own "mo_x, $" argument pairs). The algorithms are ordinary
// C++ over a Sync policy: undo all of it, so they compile exactly as the runtime compiles them.
#undef new
#undef delete
#undef malloc
#undef calloc
#undef realloc
#undef free
#undef assert
#undef memory_order_relaxed
#undef memory_order_consume
#undef memory_order_acquire
#undef memory_order_release
#undef memory_order_acq_rel
#undef memory_order_seq_cst
#include <cassert>  // restores the standard assert; driver.hpp routes its failures to Relacy

#include <atomic>
#include <cstdint>
#include <ostream>
#include <source_location>
#include <string_view>
#include <type_traits>
#include <utility>

#include "goro/algo/park.hpp"
#include "goro/algo/waiter.hpp"
#include "goro/sync/contract.hpp"
#include "goro/verify/relacy/order_mutant.hpp"

namespace goro::algo {
// Relacy prints the values atomics held in its histories.
inline std::ostream& operator<<(std::ostream& out, GoroutineState state) { return out << to_string(state); }
}  // namespace goro::algo

namespace goro::models {

// where() turns a caller's source location into Relacy's debug info (file, line, function).
inline rl::debug_info where(const std::source_location& loc) {
  return rl::debug_info(loc.function_name(), loc.file_name(), loc.line());
}

// fail() reports a failure of the given kind at loc; Relacy stops the execution and prints it.
[[noreturn]] inline void fail(const char* what, rl::test_result_e kind, const std::source_location& loc) {
  rl::ctx().fail_test(what, kind, where(loc));
  __builtin_unreachable();  // fail_test switches to Relacy's main fiber and never comes back
}

// ---------------------------------------------------------------- the knobs

// What a park does wrong, if anything.
enum class ParkBug {
  none,
  // unlock(arg) runs before the goroutine has committed to sleep (before it is "off its stack"): a
  // waker can find the waiter and ready() a goroutine that is still running — what gopark's unlockf
  // exists to prevent.
  unlock_before_commit,
};

// What a function-scoped mutation does to the atomic operations made inside one function of an
// algorithm (Faithful::mutate_in names it: a fragment of its std::source_location function name,
// e.g. "::notify(") — a planted bug in one step of a protocol, made by the policy, with no branch
// in the shipped code.
enum class Mutation {
  none,
  relax_orders,  // every atomic operation in the function becomes relaxed
  drop_rmw,      // fetch_add/fetch_sub in the function read but do not write
  split_rmw,     // compare-exchanges and read-modify-writes in the function = a load, then a store
};

// Faithful is the correct policy; each planted bug derives from it and flips one knob.
struct Faithful {
  static constexpr const char* mutate_in = nullptr;  // see Mutation
  static constexpr Mutation mutation = Mutation::none;
  static constexpr bool relaxed_orders = false;  // every atomic op and fence becomes relaxed
  static constexpr bool drop_fences = false;     // Sync::fence() does nothing
  static constexpr bool split_rmw = false;       // CAS/exchange/fetch_add = a load, then a store
  static constexpr bool noop_mutex = false;      // Sync::mutex::lock() does nothing
  static constexpr bool noop_park_lock = false;  // the goroutine's park slot runs without its lock
  static constexpr ParkBug park = ParkBug::none;
  static constexpr unsigned drop_wakeup = 0;     // N > 0: the Nth ready() of an execution is lost
};

// ---------------------------------------------------------------- atomic<T>

template <class Bugs>
constexpr rl::memory_order to_rl(std::memory_order order) {
  if constexpr (Bugs::relaxed_orders) return rl::mo_relaxed;
  switch (order) {
    case std::memory_order_relaxed: return rl::mo_relaxed;
    case std::memory_order_consume: return rl::mo_consume;
    case std::memory_order_acquire: return rl::mo_acquire;
    case std::memory_order_release: return rl::mo_release;
    case std::memory_order_acq_rel: return rl::mo_acq_rel;
    case std::memory_order_seq_cst: return rl::mo_seq_cst;
  }
  return rl::mo_seq_cst;
}

// The load half and the store half of a read-modify-write order (for split_rmw).
constexpr rl::memory_order load_half(rl::memory_order order) {
  return order == rl::mo_release ? rl::mo_relaxed : order == rl::mo_acq_rel ? rl::mo_acquire : order;
}
constexpr rl::memory_order store_half(rl::memory_order order) {
  return order == rl::mo_acquire || order == rl::mo_consume ? rl::mo_relaxed
         : order == rl::mo_acq_rel                          ? rl::mo_release
                                                            : order;
}

// Atomic is std::atomic's API over rl::atomic<T>.
template <class T, class Bugs>
class Atomic {
  using loc = std::source_location;
  using order = std::memory_order;
  static constexpr order sc = std::memory_order_seq_cst;

  // mutated() — is this operation, made at l, inside the function Bugs::mutate_in names?
  static bool mutated(Mutation m, const loc& l) {
    if constexpr (Bugs::mutate_in == nullptr) {
      return false;
    } else {
      return Bugs::mutation == m && std::string_view(l.function_name()).find(Bugs::mutate_in) != std::string_view::npos;
    }
  }
  // rl_order() is the order Relacy runs the call at l with: the shipped one, unless a planted
  // bug or the run-time memory-order mutant (order_mutant.hpp) changes the argument-th order.
  static rl::memory_order rl_order(order o, const loc& l, unsigned argument = 1) {
    return mutated(Mutation::relax_orders, l) ? rl::mo_relaxed : to_rl<Bugs>(order_mutant::order(o, l, argument));
  }
  static bool split(const loc& l) { return Bugs::split_rmw || mutated(Mutation::split_rmw, l); }

 public:
  Atomic() : impl_(T{}) {}  // value-initialised, like std::atomic<T> in C++20
  Atomic(T value) : impl_(value) {}  // NOLINT: mirrors std::atomic
  Atomic(const Atomic&) = delete;
  Atomic& operator=(const Atomic&) = delete;

  T load(order o = sc, loc l = loc::current()) const {
    // Relacy's invariant() may not touch atomics: read the current value without an event.
    if (rl::ctx().invariant_executing) return impl_.debug_value();
    return impl_.load(rl_order(o, l), where(l));
  }
  void store(T value, order o = sc, loc l = loc::current()) { impl_.store(value, rl_order(o, l), where(l)); }

  T exchange(T value, order o = sc, loc l = loc::current()) {
    if (split(l)) {
      const T old = impl_.load(load_half(rl_order(o, l)), where(l));
      impl_.store(value, store_half(rl_order(o, l)), where(l));
      return old;
    } else {
      return impl_.exchange(value, rl_order(o, l), where(l));
    }
  }

  bool compare_exchange_strong(T& expected, T desired, order success = sc, order failure = sc,
                               loc l = loc::current()) {
    return compare_exchange<false>(expected, desired, success, failure, l);
  }
  bool compare_exchange_weak(T& expected, T desired, order success = sc, order failure = sc,
                             loc l = loc::current()) {
    return compare_exchange<true>(expected, desired, success, failure, l);
  }

  T fetch_add(T delta, order o = sc, loc l = loc::current())
    requires std::is_integral_v<T>
  {
    if (mutated(Mutation::drop_rmw, l)) return impl_.load(rl_order(o, l), where(l));  // planted: no write
    if (split(l)) {
      const T old = impl_.load(load_half(rl_order(o, l)), where(l));
      impl_.store(static_cast<T>(old + delta), store_half(rl_order(o, l)), where(l));
      return old;
    } else {
      return impl_.fetch_add(delta, rl_order(o, l), where(l));
    }
  }
  T fetch_sub(T delta, order o = sc, loc l = loc::current())
    requires std::is_integral_v<T>
  {
    return fetch_add(static_cast<T>(T{} - delta), o, l);
  }

 private:
  template <bool weak>
  bool compare_exchange(T& expected, T desired, order success, order failure, const loc& l) {
    if (split(l)) {
      const T current = impl_.load(load_half(rl_order(success, l)), where(l));
      if (current != expected) {
        expected = current;
        return false;
      }
      impl_.store(desired, store_half(rl_order(success, l)), where(l));
      return true;
    }
    if constexpr (weak) {
      return impl_.compare_exchange_weak(expected, desired, rl_order(success, l), where(l), rl_order(failure, l, 2), where(l));
    } else {
      return impl_.compare_exchange_strong(expected, desired, rl_order(success, l), where(l), rl_order(failure, l, 2), where(l));
    }
  }

  mutable rl::atomic<T> impl_;
};

// ---------------------------------------------------------------- var<T>

// Var is a plain shared cell whose every access Relacy race-checks. The value itself stays in a
// plain member (so any T works, std::optional included); `access_` is an rl::var that each load
// reads and each store/take writes, at the caller's source line.
template <class T>
class Var {
  using loc = std::source_location;

 public:
  Var() : value_{}, access_(0) {}
  template <class... Args>
  explicit Var(std::in_place_t, Args&&... args) : value_(std::forward<Args>(args)...), access_(0) {}
  Var(const Var&) = delete;
  Var& operator=(const Var&) = delete;

  T load(loc l = loc::current()) const {
    (void)access_(where(l)).load();
    return value_;
  }
  void store(T value, loc l = loc::current()) {
    access_(where(l)).store(0);
    value_ = std::move(value);
  }
  T take(loc l = loc::current()) {
    access_(where(l)).store(0);
    return std::exchange(value_, T{});
  }

 private:
  T value_;
  rl::var<int> access_;
};

// ---------------------------------------------------------------- mutex

// Mutex is rl::mutex. check_on_unlock() installs a predicate that must hold at every unlock —
// a model uses it to check an algorithm's lock-protected invariants at every release.
class Mutex {
  using loc = std::source_location;

 public:
  void lock(loc l = loc::current()) {
    impl_.lock(where(l));
    held_ = true;
  }
  bool try_lock(loc l = loc::current()) { return held_ = impl_.try_lock(where(l)); }
  void unlock(loc l = loc::current()) {
    if (check_ != nullptr && !check_(checked_)) {
      fail("the invariants of the object guarded by this lock are broken at unlock", rl::test_result_user_invariant_failed, l);
    }
    held_ = false;
    impl_.unlock(where(l));
  }
  // held() tells a test's invariant() (which Relacy runs at every scheduling point) whether the
  // lock-protected invariants must hold right now: they must whenever the lock is free.
  bool held() const { return held_; }
  void check_on_unlock(bool (*check)(const void*), const void* object) {
    check_ = check;
    checked_ = object;
  }

 private:
  rl::mutex impl_;
  bool held_ = false;  // Relacy threads are fibers of one OS thread: a plain flag is exact
  bool (*check_)(const void*) = nullptr;
  const void* checked_ = nullptr;
};

// NoopMutex is the planted "missing lock": it excludes nobody.
class NoopMutex {
 public:
  void lock() { ++inside_; }
  bool try_lock() {
    ++inside_;
    return true;
  }
  void unlock() { --inside_; }
  bool held() const { return inside_ > 0; }
  void check_on_unlock(bool (*)(const void*), const void*) {}

 private:
  int inside_ = 0;  // goroutines between lock() and unlock(): "held" for the invariant check
};

// ---------------------------------------------------------------- the policy

template <class Bugs>
struct BasicRelacySync;
struct Goroutine;
template <class Bugs>
class ModelHost;

// ParkSync is the policy the park protocol itself runs on in every model: faithful, so that a
// model of another algorithm plants bugs in that algorithm only. (The park model plants its
// bugs in the protocol's wiring: ModelHost, scheduler.hpp.)
using ParkSync = BasicRelacySync<Faithful>;

// BasicRelacySync is the policy; Bugs selects its planted bugs (Faithful: none).
template <class Bugs>
struct BasicRelacySync {
  using bugs = Bugs;
  template <class T>
  using atomic = Atomic<T, Bugs>;
  template <class T>
  using var = Var<T>;
  using mutex = std::conditional_t<Bugs::noop_mutex, NoopMutex, Mutex>;
  using goroutine = Goroutine*;

  static goroutine current_goroutine();
  // park() and ready() are the runtime's own algo::ParkProtocol (goro/algo/park.hpp) over
  // ModelHost<Bugs>: the same park / commit / ready code Scheduler::park, commit_park and
  // ready run.
  template <class Sync>
  static void park(algo::WaitContext<Sync>& ctx, void (*unlock)(void*), void* arg);
  static void ready(goroutine g);
  // begin_wind_down() is Scheduler::begin_wind_down: the protocol's claim of every parked goroutine.
  static void begin_wind_down();

  static std::uint64_t random(std::uint64_t bound) { return rl::rand(static_cast<unsigned>(bound)); }
  static void relax(std::source_location l = std::source_location::current());
  static void fence(std::memory_order order, std::source_location l = std::source_location::current()) {
    if constexpr (Bugs::drop_fences || Bugs::relaxed_orders) return;
    if (order_mutant::dropped(l)) return;
    rl::atomic_thread_fence(to_rl<Bugs>(order_mutant::order(order, l)), where(l));
  }
};

// RelacySync is the faithful policy every model checks the algorithms with.
struct RelacySync : BasicRelacySync<Faithful> {};

// The planted-bug knobs the models share. Each is one broken policy; models pair them with the
// scenario that exposes them.
struct RelaxedOrders : Faithful {
  static constexpr bool relaxed_orders = true;
};
struct NoFences : Faithful {
  static constexpr bool drop_fences = true;
};
struct SplitRmw : Faithful {
  static constexpr bool split_rmw = true;
};
struct NoLock : Faithful {
  static constexpr bool noop_mutex = true;
};
struct NoParkLock : Faithful {
  static constexpr bool noop_park_lock = true;
};
struct UnlockBeforeCommit : Faithful {
  static constexpr ParkBug park = ParkBug::unlock_before_commit;
};
struct DropFirstWakeup : Faithful {
  static constexpr unsigned drop_wakeup = 1;
};

}  // namespace goro::models

// park(), ready() and current_goroutine() run on the modelled scheduler: its World and ModelHost.
#include "goro/verify/relacy/scheduler.hpp"

static_assert(goro::sync::SyncPolicy<goro::models::RelacySync>, "the Relacy policy satisfies the Sync contract");
