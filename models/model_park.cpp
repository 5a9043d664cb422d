// model_park.cpp — the park protocol: Go's gopark(unlockf), as goro commits it — the shipped
// algo::ParkProtocol (goro/algo/park.hpp, which Scheduler::park, commit_park, ready and
// begin_wind_down run) over the model's Host (ModelHost, goro/verify/relacy/scheduler.hpp), driven through
// the shipped SemaRoot (goro/algo/sema.hpp) and WaitContext claim (goro/algo/waiter.hpp).
//
// Properties: a wake-up racing the park is never lost (a lost one is a Relacy deadlock); a goroutine
// is never readied while it still runs on its stack (the waiting → runnable transition asserts
// it); the wind-down scan and a racing park commit agree — a parked goroutine is cancelled exactly
// once, and a goroutine parking after the scan cancels itself; a wake-up and a cancellation racing
// for the same goroutine are decided by one claim.
#include "goro/algo/sema.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

using algo::OpStatus;

// Event is the smallest thing that parks: a flag guarded by the SemaRoot's lock.
template <class Sync>
struct Event {
  algo::SemaRoot<Sync> root;
  typename Sync::template var<bool> set;

  // wait() parks until set() (or until the goroutine is cancelled by the wind-down).
  OpStatus wait() {
    root.lock_.lock();
    if (set.load()) {
      root.lock_.unlock();
      return OpStatus::ok;
    }
    return root.park_locked();  // unlocks off-stack
  }
  // signal() sets the flag and wakes the waiter, readying it after the lock is dropped.
  void signal() {
    root.lock_.lock();
    set.store(true);
    algo::ReadyList<Sync> to_ready;
    root.wake_one_locked(to_ready);
    root.lock_.unlock();
    to_ready.ready_all();
  }
};

// WakeRacesPark: one goroutine waits, another signals.
template <class Sync>
struct WakeRacesPark : ModelTest<WakeRacesPark<Sync>, 2> {
  Event<Sync> event;
  OpStatus status = OpStatus::would_block;

  void thread(unsigned index) {
    if (index == 0) status = event.wait();
    if (index == 1) event.signal();
  }
  void after() {
    GORO_MODEL_CHECK(status == OpStatus::ok, "the waiter is woken exactly once, with ok");
    GORO_MODEL_CHECK(event.root.empty_locked(), "no waiter left");
  }
};

// WindDownRacesPark: one goroutine parks with nobody to wake it; the runtime winds down.
template <class Sync>
struct WindDownRacesPark : ModelTest<WindDownRacesPark<Sync>, 2> {
  Event<Sync> event;
  OpStatus status = OpStatus::would_block;

  void thread(unsigned index) {
    if (index == 0) status = event.wait();
    if (index == 1) Sync::begin_wind_down();
  }
  void after() {
    GORO_MODEL_CHECK(status == OpStatus::cancelled, "the parked (or parking) goroutine is cancelled, never lost");
    GORO_MODEL_CHECK(event.root.empty_locked(), "the cancelled waiter unlinked itself");
  }
};

// WakeAndWindDownRacePark: a wake-up and the wind-down race for the same parking goroutine.
template <class Sync>
struct WakeAndWindDownRacePark : ModelTest<WakeAndWindDownRacePark<Sync>, 3> {
  Event<Sync> event;
  OpStatus status = OpStatus::would_block;

  void thread(unsigned index) {
    if (index == 0) status = event.wait();
    if (index == 1) event.signal();
    if (index == 2) Sync::begin_wind_down();
  }
  void after() {
    GORO_MODEL_CHECK(status == OpStatus::ok || status == OpStatus::cancelled, "woken once: by the signal or by the wind-down");
    GORO_MODEL_CHECK(event.root.empty_locked(), "no waiter left");
  }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("park", argc, argv);
  driver.scenario<WakeRacesPark<RelacySync>>(
      "wake_races_park", "a wake-up racing the park is never lost, never readies a running goroutine",
      {rl::random_scheduler_type, 100000}, {rl::fair_full_search_scheduler_type});
  driver.scenario<WindDownRacesPark<RelacySync>>(
      "wind_down_races_park", "wind-down scan vs park commit: the goroutine is cancelled exactly once",
      {rl::random_scheduler_type, 100000}, {rl::fair_full_search_scheduler_type});
  driver.scenario<WakeAndWindDownRacePark<RelacySync>>(
      "wake_and_wind_down_race_park", "wake-up and wind-down race for one parking goroutine: one claim decides",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.planted<WakeRacesPark<BasicRelacySync<UnlockBeforeCommit>>>(
      "unlock_before_commit", "unlock(arg) runs before the park is committed: the waker readies a running goroutine",
      Kind::assertion, {rl::random_scheduler_type, 20000});
  driver.planted<WakeRacesPark<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup", "ready() loses the wake-up: the waiter sleeps forever", Kind::deadlock, {rl::random_scheduler_type, 20000});
  driver.planted<WindDownRacesPark<BasicRelacySync<NoParkLock>>>(
      "no_park_lock", "the park commit and the wind-down scan without the ParkSlot's lock: wait_ctx_ races", Kind::data_race,
      {rl::random_scheduler_type, 20000});
  return driver.run();
}
