// model_timer.cpp — the timers (goro/algo/timers.hpp: TimerHeap's add/stop/reset/run_due, the
// firing protocol, SleepTimer over the park protocol, ChanTimer over the shipped channel) —
// the code sleep_for, after(), Timer and Ticker run — under Relacy, on the tick clock of
// model_clock.hpp. A thread calling run_due() is a worker firing due timers; the timer's owner
// is another thread.
//
// Properties (each scenario asserts conservation): an arming ends exactly once — it fired (its
// value is in its channel, once) or stop() disarmed it, never both, never neither, and stop()
// returns only once no fire is running; a reset timer fires only at its new deadline, and
// reset() reports it armed exactly when the old arming had not fired; a timer firing into a
// select that another case already won leaves that select untouched (the timer's value waits in
// its channel, the other case's value was received once); a sleep racing the runtime's
// wind-down is woken exactly once — by its timer or by the wind-down — and leaves no timer armed;
// the final purge racing a fire leaves each arming fired at most once and nothing armed.
#include <span>

#include "goro/algo/select.hpp"
#include "goro/algo/timers.hpp"
#include "model_clock.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

using algo::OpStatus;
using time_point = ModelClock::time_point;

template <class Sync>
using Heap = algo::TimerHeap<Sync, ModelTimerHost>;
template <class Sync>
using Node = algo::TimerNode<Sync, ModelTimerHost>;

// TimeChan is the channel handle a ChanTimer sends on: the shipped channel (always over the
// faithful policy: the channels have models of their own), buffer of one, with goro::Chan's
// try_send.
struct TimeChan {
  using core_type = algo::Channel<time_point, RelacySync>;
  core_type core{1};
  bool try_send(time_point& value) {
    core_type::slot_type slot;
    slot.store(value);
    return core.send(slot, false) == OpStatus::ok;
  }
};

template <class Sync>
using ChanTimer = algo::ChanTimer<Sync, ModelTimerHost, TimeChan>;

// check_disarmed() — nothing is left armed: the shared count and the heap agree.
template <class Sync>
void check_disarmed(typename Heap<Sync>::armed_count& armed, const Heap<Sync>& heap) {
  GORO_MODEL_CHECK(armed.load() == 0, "no timer is left armed");
  GORO_MODEL_CHECK(heap.next_deadline() == Heap<Sync>::never(), "the heap's earliest deadline says empty");
}

// FireRacesStop: a Timer armed for tick 1; a worker runs the heap's due timers at tick 5 while
// the owner stops it.
template <class Sync>
struct FireRacesStop : ModelTest<FireRacesStop<Sync>, 2> {
  typename Heap<Sync>::armed_count armed{0};
  Heap<Sync> heap{armed};
  ChanTimer<Sync> timer;
  bool stopped = false;
  unsigned fires = 0;

  void before() { heap.add(&timer, at_tick(1)); }
  void thread(unsigned index) {
    if (index == 0) {
      stopped = Heap<Sync>::stop(&timer);
      // stop() waits for a fire in progress: what it answered is already visible in the channel.
      GORO_MODEL_CHECK(stopped == (timer.chan.core.length() == 0), "stopped, or fired once: never both, never neither");
    } else {
      heap.run_due(at_tick(5), [this] { ++fires; });
    }
  }
  void after() {
    GORO_MODEL_CHECK(fires == (stopped ? 0u : 1u), "the worker fired it exactly when stop() found it disarmed");
    check_disarmed<Sync>(armed, heap);
  }
};

// FireRacesReset: a Timer armed for tick 1; a worker runs the due timers at tick 5 while the
// owner resets it to tick 10.
template <class Sync>
struct FireRacesReset : ModelTest<FireRacesReset<Sync>, 2> {
  typename Heap<Sync>::armed_count armed{0};
  Heap<Sync> heap{armed};
  ChanTimer<Sync> timer;
  bool was_armed = false;
  unsigned fires = 0;

  void before() { heap.add(&timer, at_tick(1)); }
  void thread(unsigned index) {
    if (index == 0) {
      was_armed = Heap<Sync>::reset(&timer, heap, at_tick(10)).was_armed;
    } else {
      heap.run_due(at_tick(5), [this] { ++fires; });
    }
  }
  void after() {
    GORO_MODEL_CHECK(was_armed == (fires == 0), "reset() found the timer armed exactly when it had not fired");
    GORO_MODEL_CHECK(timer.chan.core.length() == fires, "every fire delivered its value, once");
    GORO_MODEL_CHECK(heap.next_deadline() == at_tick(10) && armed.load() == 1, "the reset timer is armed at its new deadline");
  }
};

// select2() runs a blocking two-case select of receives.
algo::SelectOutcome select2(algo::SelectCase<RelacySync> (&cases)[2]) {
  algo::Waiter<RelacySync> waiters[2];
  std::uint32_t poll_order[2];
  std::uint32_t lock_order[2];
  algo::SelectScratch<RelacySync> scratch{std::span(waiters), std::span(poll_order), std::span(lock_order)};
  return algo::select<RelacySync>(std::span<algo::SelectCase<RelacySync>>(cases), scratch, true);
}

// FireIntoWonSelect: a select receives from an after()-style timer's channel or from `other`
// (buffer of one); one thread sends on `other` while a worker fires the timer at tick 5.
template <class Sync>
struct FireIntoWonSelect : ModelTest<FireIntoWonSelect<Sync>, 3> {
  typename Heap<Sync>::armed_count armed{0};
  Heap<Sync> heap{armed};
  ChanTimer<Sync> timer;
  TimeChan::core_type other{1};
  std::size_t winner = algo::SelectOutcome::kNone;
  unsigned fires = 0;

  void before() { heap.add(&timer, at_tick(1)); }
  void thread(unsigned index) {
    if (index == 0) {
      TimeChan::core_type::slot_type from_timer, from_other;
      algo::SelectCase<RelacySync> cases[2] = {{&timer.chan.core, false, &from_timer}, {&other, false, &from_other}};
      const algo::SelectOutcome outcome = select2(cases);
      GORO_MODEL_CHECK(outcome.status == OpStatus::ok && outcome.index < 2, "the select completes one case");
      winner = outcome.index;
      GORO_MODEL_CHECK((winner == 0 ? from_timer : from_other).load().has_value(), "the winning case received its value");
      GORO_MODEL_CHECK(!(winner == 0 ? from_other : from_timer).load().has_value(), "the losing case received nothing");
      if (winner == 0) GORO_MODEL_CHECK(from_timer.load() == std::optional(at_tick(5)), "the timer delivered its firing time");
    } else if (index == 1) {
      TimeChan::core_type::slot_type value;
      value.store(at_tick(7));
      GORO_MODEL_CHECK(other.send(value, true) == OpStatus::ok, "the send completes (into the buffer, or to the select)");
    } else {
      heap.run_due(at_tick(5), [this] { ++fires; });
    }
  }
  void after() {
    GORO_MODEL_CHECK(fires == 1, "the timer fired exactly once");
    // The loser's value waits in its own channel: neither lost nor delivered to the won select.
    GORO_MODEL_CHECK(timer.chan.core.length() == (winner == 0 ? 0u : 1u), "the timer's value waits unless it won");
    GORO_MODEL_CHECK(other.length() == (winner == 1 ? 0u : 1u), "the other case's value waits unless it won");
    check_disarmed<Sync>(armed, heap);
  }
};

// SleepRacesWindDown: a goroutine sleeps until tick 3 (its park commit arms the timer); a worker
// fires the heap's due timers at tick 5 once the sleep is armed; the runtime winds down.
template <class Sync>
struct SleepRacesWindDown : ModelTest<SleepRacesWindDown<Sync>, 3> {
  typename Heap<Sync>::armed_count armed{0};
  Heap<Sync> heap{armed};
  bool armed_once = false;  // model gate: the worker fires only once there is something to fire
  bool slept = false, woke = false;
  unsigned fires = 0;

  // arm() is the sleep's Arm (the runtime's picks the worker's heap and wakes an idle worker).
  static void arm(void* self, Node<Sync>* timer, time_point when) {
    auto* test = static_cast<SleepRacesWindDown*>(self);
    test->heap.add(timer, when);
    test->armed_once = true;
  }

  void thread(unsigned index) {
    if (index == 0) {
      algo::SleepTimer<Sync, ModelTimerHost> timer;
      slept = timer.sleep(at_tick(3), &arm, this);
      woke = true;
      // Cancelled: the timer was stopped before this frame goes — no fire may still run in it.
      if (!slept) check_disarmed<Sync>(armed, heap);
    } else if (index == 1) {
      while (!armed_once) rl::yield(1, $);
      heap.run_due(at_tick(5), [this] { ++fires; });
    } else {
      Sync::begin_wind_down();
    }
  }
  void after() {
    GORO_MODEL_CHECK(woke, "the sleeper was woken");
    GORO_MODEL_CHECK(!slept || fires == 1, "a sleep woken by its timer: the timer fired once");
    check_disarmed<Sync>(armed, heap);
  }
};

// PurgeRacesFire: the end of a run — run() purges every heap while a worker, still looking for
// work, fires the due timers of the same heap. A Timer due at tick 1 and one due at tick 9; the
// worker runs the heap at tick 5.
template <class Sync>
struct PurgeRacesFire : ModelTest<PurgeRacesFire<Sync>, 2> {
  typename Heap<Sync>::armed_count armed{0};
  Heap<Sync> heap{armed};
  ChanTimer<Sync> due, later;
  unsigned fires = 0;

  void before() {
    heap.add(&due, at_tick(1));
    heap.add(&later, at_tick(9));
  }
  void thread(unsigned index) {
    if (index == 0) {
      heap.run_due(at_tick(5), [this] { ++fires; });
    } else {
      heap.purge();
    }
  }
  void after() {
    GORO_MODEL_CHECK(fires == due.chan.core.length(), "the due timer fired at most once, and its value is in its channel");
    GORO_MODEL_CHECK(later.chan.core.length() == 0, "a timer not yet due never fires: purge disarmed it");
    GORO_MODEL_CHECK(!Heap<Sync>::stop(&due) && !Heap<Sync>::stop(&later), "purge left nothing armed to stop");
    check_disarmed<Sync>(armed, heap);
  }
};

// Planted bugs (policy or wiring; the two that neither can express are textual mutations of a
// scratch copy of timers.hpp, models/CMakeLists.txt).
struct SplitClaim : Faithful {  // WaitContext::try_claim = a load, then a store
  static constexpr const char* mutate_in = "::try_claim(";
  static constexpr Mutation mutation = Mutation::split_rmw;
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("timer", argc, argv);
  driver.scenario<FireRacesStop<RelacySync>>(
      "fire_races_stop", "fired once or stopped, never both; stop() returns after a fire in progress",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<FireRacesReset<RelacySync>>(
      "fire_races_reset", "a reset timer fires only at its new deadline; reset() says armed iff it had not fired",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<FireIntoWonSelect<RelacySync>>(
      "fire_into_won_select", "a timer firing into a select another case won leaves it untouched; its value waits",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<SleepRacesWindDown<RelacySync>>(
      "sleep_races_wind_down", "a sleep is woken exactly once, by its timer or the wind-down; no timer left armed",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<PurgeRacesFire<RelacySync>>(
      "purge_races_fire", "run()'s final purge vs a worker firing due timers: each fires at most once, none stays armed",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.planted<FireRacesStop<BasicRelacySync<NoLock>>>(
      "no_heap_lock", "the heap's lock excludes nobody: stop() and run_due() race on the node", Kind::data_race,
      {rl::random_scheduler_type, 50000});
  driver.planted<SleepRacesWindDown<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup", "the first ready() is lost: the sleeper sleeps for ever", Kind::deadlock,
      {rl::random_scheduler_type, 50000});
  driver.planted<SleepRacesWindDown<BasicRelacySync<SplitClaim>>>(
      "split_claim", "the sleep's claim made by load + store: the fire and the wind-down both wake it", Kind::assertion,
      {rl::random_scheduler_type, 50000});
#ifdef GORO_MODEL_MUTATION_FIRE_IGNORES_CLAIM
  // Built from a scratch copy of timers.hpp whose fire_sleep() readies the sleeper whether or
  // not it won the claim.
  driver.planted<SleepRacesWindDown<RelacySync>>(
      "fire_ignores_claim", "the sleep's fire readies the sleeper without its claim: woken twice", Kind::assertion,
      {rl::random_scheduler_type, 50000});
#endif
#ifdef GORO_MODEL_MUTATION_RESET_KEEPS_DEADLINE
  // Built from a scratch copy of timers.hpp whose reset() arms the timer at its old deadline.
  driver.planted<FireRacesReset<RelacySync>>(
      "reset_keeps_deadline", "reset() keeps the old deadline: the reset timer fires early", Kind::assertion,
      {rl::random_scheduler_type, 50000});
#endif
  return driver.run();
}
