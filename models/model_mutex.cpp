// model_mutex.cpp — goro::algo::Mutex (hand-off mutex over a SemaRoot, goro/algo/mutex.hpp),
// under Relacy.
//
// Properties: mutual exclusion (the critical section's plain counter never races and ends at
// the number of critical sections); no lost hand-off (a parked locker always gets the mutex: a
// lost one is a deadlock); the mutex ends unlocked with no waiter.
//
// The lock path spins kSpins (64) times before it parks. Relacy's random scheduler would almost
// never keep an owner away for 64 polls, so the slow path needs help: in HandOff, the owner
// keeps the mutex until the other task has spun out (the Relacy policy counts relax() calls per
// task), after which the other task's slow path — set kHasWaiters, park — races the owner's
// unlock. ThreeLockers lets three tasks contend freely.
#include "goro/algo/mutex.hpp"
#include "model_driver.hpp"
#include "model_test.hpp"

namespace goro::models {
namespace {

using algo::OpStatus;

constexpr unsigned kSpinsBeforePark = 64;  // algo::Mutex::kSpins (private there)

// HandOff: two tasks lock, each holding the mutex until the other has exhausted its spins.
template <class Sync>
struct HandOff : ModelTest<HandOff<Sync>, 2> {
  algo::Mutex<Sync> mutex;
  typename Sync::template var<int> counter;
  bool done[2] = {false, false};

  void thread(unsigned index) {
    GORO_MODEL_CHECK(mutex.lock() == OpStatus::ok, "lock returns ok");
    const unsigned other = 1 - index;
    while (!done[other] && World::current()->relax_calls[other] < kSpinsBeforePark) rl::yield(1, $);
    counter.store(counter.load() + 1);  // race-checked: exclusion
    done[index] = true;
    mutex.unlock();
  }

  void after() {
    GORO_MODEL_CHECK(counter.load() == 2, "both critical sections ran, one at a time");
    GORO_MODEL_CHECK(!mutex.locked(), "the mutex ends unlocked");
  }
};

// ThreeLockers: three tasks contend; no gating.
template <class Sync>
struct ThreeLockers : ModelTest<ThreeLockers<Sync>, 3> {
  algo::Mutex<Sync> mutex;
  typename Sync::template var<int> counter;

  void thread(unsigned) {
    GORO_MODEL_CHECK(mutex.lock() == OpStatus::ok, "lock returns ok");
    counter.store(counter.load() + 1);
    mutex.unlock();
  }

  void after() {
    GORO_MODEL_CHECK(counter.load() == 3, "three critical sections ran, one at a time");
    GORO_MODEL_CHECK(!mutex.locked(), "the mutex ends unlocked");
  }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("mutex", argc, argv);
  driver.scenario<HandOff<RelacySync>>(
      "hand_off", "a locker that spun out parks and is handed the mutex: exclusion, no lost hand-off",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<ThreeLockers<RelacySync>>(
      "three_lockers", "three contending lockers: exclusion", {rl::random_scheduler_type, 25000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.planted<HandOff<BasicRelacySync<RelaxedOrders>>>(
      "relaxed_orders", "every memory order relaxed: the next owner's critical section races the last one",
      Kind::data_race, {rl::random_scheduler_type, 10000});
  driver.planted<ThreeLockers<BasicRelacySync<SplitRmw>>>(
      "split_cas", "try_lock's CAS split into load+store: two owners at once", Kind::data_race,
      {rl::random_scheduler_type, 10000});
  driver.planted<HandOff<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup", "ready() loses the hand-off wake-up: the new owner never runs", Kind::deadlock,
      {rl::random_scheduler_type, 10000});
  return driver.run();
}
