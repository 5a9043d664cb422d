// model_mutex.cpp — goro::algo::Mutex (Go's two-mode mutex over a token semaphore,
// goro/algo/mutex.hpp), under Relacy.
//
// Properties: mutual exclusion (the critical section's plain counter never races and ends at
// the number of critical sections); no lost wake-up (a parked locker always gets the mutex: a
// lost one is a deadlock); no starvation (a waiter that has waited past the threshold is woken
// at most twice before it owns the mutex: once in normal mode, where it may lose to a barger,
// then by the starvation-mode hand-off); the mutex ends unlocked, with no waiter counted and
// normal mode restored — also when waiters are cancelled at wind-down.
//
// The Mutex's Host is model wiring (MutexHost below): whether lockers may spin (each round of
// spinning is one rl::yield) and a clock the model drives — FrozenClock never advances (no
// waiter ever starves: normal mode only), LeapingClock advances 2 ms at every reading (every
// waiter that was woken has starved). Each reading is counted per task: a waiter reads the
// clock once when it first parks and once per wake-up, which is how the no-starvation property
// counts wake-ups without looking inside the algorithm.
#include <cstdint>

#include "goro/algo/mutex.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

using algo::OpStatus;

// ClockReadings counts Host::now_ns() calls per task; reset by every execution's test.
struct ClockReadings {
  static unsigned* per_task() {
    static unsigned readings[World::kMaxGoroutines] = {};
    return readings;
  }
  static void reset() {
    for (unsigned i = 0; i < World::kMaxGoroutines; ++i) per_task()[i] = 0;
  }
  static std::int64_t record() { return ++per_task()[rl::thread_index()]; }
};

struct FrozenClock {
  static std::int64_t now_ns() {
    ClockReadings::record();
    return 0;
  }
};

struct LeapingClock {
  static std::int64_t now_ns() { return ClockReadings::record() * 2'000'000; }  // per task: 2 ms a reading
};

template <bool kMaySpin, class Clock>
struct MutexHost {
  static std::int64_t now_ns() { return Clock::now_ns(); }
  static bool spinning_may_pay() { return kMaySpin; }
  static void spin() { rl::yield(1, $); }
};

using NoSpinNormal = MutexHost<false, FrozenClock>;
using SpinNormal = MutexHost<true, FrozenClock>;
using NoSpinStarving = MutexHost<false, LeapingClock>;

// MutexTest holds what every scenario shares: the mutex, the guarded counter, the end checks.
template <class Derived, unsigned kThreads, class Sync, class Host>
struct MutexTest : ModelTest<Derived, kThreads> {
  algo::Mutex<Sync, Host> mutex;
  typename Sync::template var<int> counter;

  void before() { ClockReadings::reset(); }

  void critical_section() { counter.store(counter.load() + 1); }  // race-checked: exclusion

  void check_ends_clean(int critical_sections) {
    GORO_MODEL_CHECK(counter.load() == critical_sections, "every critical section ran, one at a time");
    GORO_MODEL_CHECK(!mutex.locked(), "the mutex ends unlocked");
    GORO_MODEL_CHECK(mutex.waiters() == 0, "no waiter is left counted");
    GORO_MODEL_CHECK(!mutex.starving(), "the mutex ends in normal mode");
  }
};

// HandOff: two tasks lock; each owner keeps the mutex until the other has registered as a
// waiter (or finished), so the park / wake / re-compete path runs in every execution.
template <class Sync, class Host = NoSpinNormal>
struct HandOff : MutexTest<HandOff<Sync, Host>, 2, Sync, Host> {
  bool done[2] = {false, false};

  void thread(unsigned index) {
    GORO_MODEL_CHECK(this->mutex.lock() == OpStatus::ok, "lock returns ok");
    const unsigned other = 1 - index;
    while (!done[other] && this->mutex.waiters() == 0) rl::yield(1, $);
    this->critical_section();
    done[index] = true;
    this->mutex.unlock();
  }

  void after() { this->check_ends_clean(2); }
};

// ThreeLockers: three tasks contend once each, spinning allowed: barging arrivals, spinners
// that set kWoken, woken waiters that lose and re-queue at the front.
template <class Sync, class Host = SpinNormal>
struct ThreeLockers : MutexTest<ThreeLockers<Sync, Host>, 3, Sync, Host> {
  void thread(unsigned) {
    GORO_MODEL_CHECK(this->mutex.lock() == OpStatus::ok, "lock returns ok");
    this->critical_section();
    this->mutex.unlock();
  }

  void after() { this->check_ends_clean(3); }
};

// Barging: normal mode with re-locking — two tasks lock twice each, a third once, spinning
// allowed; try_lock() races them in the third task's second step.
template <class Sync, class Host = SpinNormal>
struct Barging : MutexTest<Barging<Sync, Host>, 3, Sync, Host> {
  int extra = 0;  // critical sections entered through try_lock(); read in after() only

  void thread(unsigned index) {
    const int rounds = index < 2 ? 2 : 1;
    for (int r = 0; r < rounds; ++r) {
      GORO_MODEL_CHECK(this->mutex.lock() == OpStatus::ok, "lock returns ok");
      this->critical_section();
      this->mutex.unlock();
    }
    if (index == 2 && this->mutex.try_lock()) {
      this->critical_section();
      ++extra;
      this->mutex.unlock();
    }
  }

  void after() { this->check_ends_clean(5 + extra); }
};

// Starvation: two hammerers re-lock in a loop while a third task (the waiter) wants the lock
// once. With the leaping clock the waiter has starved whenever it is woken, so after losing at
// most one normal-mode race it switches the mutex to hand-off: it reads the clock at most three
// times (first park, at most two wake-ups). The hammerers stop when the waiter is done (or
// after kHammerRounds, to keep a broken mutex's executions finite).
template <class Sync, class Host = NoSpinStarving>
struct Starvation : MutexTest<Starvation<Sync, Host>, 3, Sync, Host> {
  static constexpr unsigned kWaiter = 2;
  static constexpr int kHammerRounds = 8;
  bool waiter_done = false;
  int sections = 0;

  void thread(unsigned index) {
    if (index == kWaiter) {
      GORO_MODEL_CHECK(this->mutex.lock() == OpStatus::ok, "lock returns ok");
      GORO_MODEL_CHECK(ClockReadings::per_task()[kWaiter] <= 3,
                       "a starving waiter gets the mutex by the second wake-up (hand-off)");
      this->critical_section();
      ++sections;
      waiter_done = true;
      this->mutex.unlock();
      return;
    }
    for (int r = 0; r < kHammerRounds && !waiter_done; ++r) {
      GORO_MODEL_CHECK(this->mutex.lock() == OpStatus::ok, "lock returns ok");
      this->critical_section();
      ++sections;
      this->mutex.unlock();
    }
  }

  void after() {
    GORO_MODEL_CHECK(waiter_done, "the waiter got the mutex");
    this->check_ends_clean(sections);
  }
};

// CancelledWaiters: task 0 holds the mutex while tasks 1 and 2 lock; task 0 starts the
// wind-down, then unlocks. Each waiter returns ok (and unlocks) or cancelled (not holding it);
// either way nothing of it is left in the mutex: no count, no token, no kWoken, normal mode.
template <class Sync, class Host>
struct CancelledWaiters : MutexTest<CancelledWaiters<Sync, Host>, 3, Sync, Host> {
  int sections = 0;

  void thread(unsigned index) {
    if (index == 0) {
      GORO_MODEL_CHECK(this->mutex.lock() == OpStatus::ok, "lock returns ok");
      this->critical_section();
      ++sections;
      Sync::begin_wind_down();
      this->mutex.unlock();
      return;
    }
    if (this->mutex.lock() == OpStatus::ok) {
      this->critical_section();
      ++sections;
      this->mutex.unlock();
    }
  }

  void after() { this->check_ends_clean(sections); }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("mutex", argc, argv);
  driver.scenario<HandOff<RelacySync>>(
      "hand_off", "a parked locker is woken and gets the mutex: exclusion, no lost wake-up",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<ThreeLockers<RelacySync>>(
      "three_lockers", "three contending lockers, spinning allowed: exclusion", {rl::random_scheduler_type, 25000},
      {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<Barging<RelacySync>>(
      "barging", "normal mode: re-locking lockers and try_lock barge past a woken waiter: exclusion, clean end",
      {rl::random_scheduler_type, 25000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<Starvation<RelacySync>>(
      "starvation", "a waiter past the 1 ms threshold gets the mutex by its second wake-up, against two hammerers",
      {rl::random_scheduler_type, 25000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<CancelledWaiters<RelacySync, NoSpinNormal>>(
      "cancelled_waiters", "waiters cancelled at wind-down leave no count, token or kWoken behind",
      {rl::random_scheduler_type, 25000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<CancelledWaiters<RelacySync, NoSpinStarving>>(
      "cancelled_starving_waiters", "the same in starvation mode: a cancelled waiter handed the mutex unlocks it",
      {rl::random_scheduler_type, 25000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.planted<ThreeLockers<BasicRelacySync<RelaxedOrders>>>(
      "relaxed_orders", "every memory order relaxed: the next owner's critical section races the last one",
      Kind::data_race, {rl::random_scheduler_type, 10000});
  driver.planted<ThreeLockers<BasicRelacySync<SplitRmw>>>(
      "split_cas", "the lock CAS split into load+store: two owners at once", Kind::data_race,
      {rl::random_scheduler_type, 10000});
  driver.planted<HandOff<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup", "ready() loses the wake-up of a parked locker: it never runs", Kind::deadlock,
      {rl::random_scheduler_type, 10000});
  driver.planted<Starvation<RelacySync, MutexHost<false, FrozenClock>>>(
      "no_starvation_mode", "the clock never advances, so no waiter ever starves: the hammerers win race after race",
      Kind::assertion, {rl::random_scheduler_type, 25000});
#ifdef GORO_MODEL_MUTATION_WOKEN_AS_HAND_OFF
  // Built from a scratch copy of mutex.hpp (models/CMakeLists.txt) in which a woken waiter
  // tests kWoken where it must test kStarving: it takes a normal-mode wake-up for a hand-off
  // and claims a mutex that a barger may own.
  driver.planted<ThreeLockers<RelacySync>>(
      "woken_as_hand_off", "a woken waiter mistakes kWoken for a hand-off: two owners (the hand-off assertion)",
      Kind::assertion, {rl::random_scheduler_type, 10000});
#endif
  return driver.run();
}
