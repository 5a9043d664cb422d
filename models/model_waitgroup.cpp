// model_waitgroup.cpp — goro::algo::WaitGroup (Go's sync.WaitGroup, goro/algo/waitgroup.hpp),
// under Relacy: done() racing wait().
//
// Properties: wait() returns only after every done(): the workers' plain writes happen-before
// the waiter's reads (a missing edge is a Relacy data race); a done() racing the waiter's
// check-then-park never loses the wake-up (a lost one is a deadlock); the counter ends at zero
// and no waiter is left queued.
#include "goro/algo/waitgroup.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

using algo::OpStatus;

// How the waiter of DoneRacesWait waits: WaitGroup::wait() itself, or as goro::WaitGroup::wait()
// (runtime/src/sync_api.cpp) does: return at once when count() is already zero, else wait().
enum class Waiting { wait, count_then_wait };

// DoneRacesWait: two workers write a result each and call done(); a third task waits and reads.
template <class Sync, Waiting how = Waiting::wait>
struct DoneRacesWait : ModelTest<DoneRacesWait<Sync, how>, 3> {
  algo::WaitGroup<Sync> group;
  typename Sync::template var<int> result[2];
  int sum = 0;

  void before() { group.add(2); }

  void thread(unsigned index) {
    if (index < 2) {
      result[index].store(static_cast<int>(index) + 1);
      GORO_MODEL_CHECK(group.add(-1) >= 0, "the counter never goes negative");
    } else {
      if (how == Waiting::wait || group.count() != 0) GORO_MODEL_CHECK(group.wait() == OpStatus::ok, "wait returns ok");
      sum = result[0].load() + result[1].load();  // race-checked: must happen after both writes
    }
  }

  void after() {
    GORO_MODEL_CHECK(sum == 3, "the waiter saw both workers' results");
    GORO_MODEL_CHECK(group.count() == 0, "the counter ends at zero");
  }
};

// TwoWaiters: one worker, two waiters (wake_all must reach both).
template <class Sync>
struct TwoWaiters : ModelTest<TwoWaiters<Sync>, 3> {
  algo::WaitGroup<Sync> group;
  typename Sync::template var<int> result;
  int seen[2] = {};

  void before() { group.add(1); }

  void thread(unsigned index) {
    if (index == 0) {
      result.store(42);
      group.add(-1);
    } else {
      GORO_MODEL_CHECK(group.wait() == OpStatus::ok, "wait returns ok");
      seen[index - 1] = result.load();
    }
  }

  void after() { GORO_MODEL_CHECK(seen[0] == 42 && seen[1] == 42, "both waiters woke after the worker's write"); }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("waitgroup", argc, argv);
  driver.scenario<DoneRacesWait<RelacySync>>(
      "done_races_wait", "2 done() vs wait(): no lost wake-up, results visible to the waiter",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<DoneRacesWait<RelacySync, Waiting::count_then_wait>>(
      "done_races_count_fast_path",
      "2 done() vs goro::WaitGroup::wait()'s fast path (count() == 0: return at once): results visible all the same",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<TwoWaiters<RelacySync>>(
      "two_waiters", "1 done() vs 2 wait(): both woken", {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.planted<DoneRacesWait<BasicRelacySync<RelaxedOrders>>>(
      "relaxed_counter", "every memory order relaxed: the waiter reads results without a happens-before edge",
      Kind::data_race, {rl::random_scheduler_type, 20000});
  driver.planted<DoneRacesWait<BasicRelacySync<SplitRmw>>>(
      "split_fetch_add", "the counter's read-modify-write (CAS) split into load+store: two done() lose a decrement, the waiter sleeps forever",
      Kind::deadlock, {rl::random_scheduler_type, 20000});
  driver.planted<TwoWaiters<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup", "ready() loses the first wake-up of wake_all", Kind::deadlock, {rl::random_scheduler_type, 20000});
  return driver.run();
}
