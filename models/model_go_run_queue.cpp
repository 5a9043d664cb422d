// model_go_run_queue.cpp — goro::algo::GoRunQueue (Go's per-P ring + runnext + steal-half,
// runtime/proc.go's runqput/runqget/runqgrab/runqsteal; ring of 4 here) as the go policy ships
// it, under Relacy's C++ memory model.
//
// Properties: every pushed goroutine comes out exactly once — by the owner's pop(), by a thief's
// steal_into() (returned to run, or moved into the thief's own ring and popped there), or in
// an overflow batch for the global queue when the ring is full — and whoever gets it sees what
// the owner wrote before pushing it (a goroutine's state travels with its pointer): each task
// has a plain cell (Sync::var) written before push and read by the thread that got the task, so
// a missing happens-before is a data race. (Added for the memory-order mutants: with bare
// integers as tasks, no order that publishes the pointee could ever be checked.) And the go
// policy's rule for stealing runnext (GoRunQueue::owner_stalled) lets a thief take the runnext of
// an owner that stopped scheduling.
#include <memory>
#include <span>

#include "goro/algo/go_run_queue.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

constexpr int kMaxTasks = 6;

struct Got {
  int values[kMaxTasks * 2] = {};
  int count = 0;
  void add(int v) {
    if (v != 0) values[count++] = v;
  }
};

// OwnerVsStealers: the owner of queue 0 pushes `kPushes` goroutines (the third into runnext),
// then pops until empty; each other thread steals half of queue 0 into its own queue (runnext
// included when the ring is empty) and pops its own queue dry.
template <class Sync, unsigned kThreads, int kPushes>
struct OwnerVsStealers : ModelTest<OwnerVsStealers<Sync, kThreads, kPushes>, kThreads> {
  using Queue = algo::GoRunQueue<int, Sync, 4>;
  std::unique_ptr<Queue> queues[kThreads];
  Got got[kThreads];
  typename Sync::template var<int> state[kMaxTasks + 1];  // task v's "goroutine state", written before push

  // take() records a task this thread got and reads its state (unless the slot was empty).
  void take(Got& mine, int v) {
    if (v == 0) return;
    GORO_MODEL_CHECK(state[v].load() == 10 * v, "a goroutine's state, written before push, is visible to whoever got it");
    mine.add(v);
  }

  OwnerVsStealers() {
    for (auto& q : queues) q = std::make_unique<Queue>();  // over-aligned: built with aligned new
  }

  void thread(unsigned index) {
    Got& mine = got[index];
    Queue& own = *queues[index];
    if (index == 0) {
      int overflow[Queue::kOverflowBatch];
      for (int v = 1; v <= kPushes; ++v) {
        state[v].store(10 * v);
        for (int g : own.push(v, v == 3, std::span<int>(overflow))) take(mine, g);  // overflow: to the global queue
      }
    } else {
      take(mine, own.steal_into(*queues[0], true));
    }
    for (int k = 0; k < kMaxTasks; ++k) take(mine, own.pop());
  }

  void after() {
    int seen[kMaxTasks + 1] = {};
    for (const Got& g : got) {
      for (int k = 0; k < g.count; ++k) {
        GORO_MODEL_CHECK(g.values[k] >= 1 && g.values[k] <= kPushes, "only pushed goroutines come out");
        ++seen[g.values[k]];
      }
    }
    for (int v = 1; v <= kPushes; ++v) GORO_MODEL_CHECK(seen[v] == 1, "each goroutine comes out exactly once");
  }
};

// StealChain: a thief is stolen from in turn. The owner of queue 0 pushes 4 goroutines into its
// ring and pops; thread 1 steals half of queue 0 (one to run, the rest moved into its own ring
// and published by steal_into()'s release store of its tail), then pops its own queue; thread
// 2 steals half of queue 1 and pops its own. A goroutine's state written by the owner must be
// visible to thread 2 through both publications (without the second, thread 2 reads a slot
// thread 1 wrote with no happens-before edge: a race on the state, or the goroutine lost).
template <class Sync>
struct StealChain : ModelTest<StealChain<Sync>, 3> {
  static constexpr int kPushes = 4;
  using Queue = algo::GoRunQueue<int, Sync, 4>;
  std::unique_ptr<Queue> queues[3];
  Got got[3];
  typename Sync::template var<int> state[kMaxTasks + 1];

  void take(Got& mine, int v) {
    if (v == 0) return;
    GORO_MODEL_CHECK(state[v].load() == 10 * v, "a goroutine's state, written before push, is visible to whoever got it");
    mine.add(v);
  }

  StealChain() {
    for (auto& q : queues) q = std::make_unique<Queue>();
  }

  void thread(unsigned index) {
    Got& mine = got[index];
    Queue& own = *queues[index];
    if (index == 0) {
      int overflow[Queue::kOverflowBatch];
      for (int v = 1; v <= kPushes; ++v) {
        state[v].store(10 * v);
        for (int g : own.push(v, false, std::span<int>(overflow))) take(mine, g);
      }
    } else {
      take(mine, own.steal_into(*queues[index - 1], false));
    }
    for (int k = 0; k < kMaxTasks; ++k) take(mine, own.pop());
  }

  void after() {
    int seen[kMaxTasks + 1] = {};
    for (const Got& g : got) {
      for (int k = 0; k < g.count; ++k) ++seen[g.values[k]];
    }
    for (int v = 1; v <= kPushes; ++v) GORO_MODEL_CHECK(seen[v] == 1, "each goroutine comes out exactly once");
  }
};

// StalledOwner: the go policy's runnext rule (GoRunQueue::owner_stalled) against an owner that
// stopped scheduling. The owner of queue 0 pops once (its tick moves: it was scheduling),
// pushes a goroutine into runnext, then computes and never pops again. A thief waits until the
// push is visible and, as a spinning worker's pop() calls do, runs the policy's steal rounds
// twice: runnext only in the last round and only if the rule allows (its wait: a few relax()
// calls). It must get the goroutine: a rule that never lets a thief take runnext leaves it
// waiting for an owner that computes. (Twice: the first look at a relaxed tick may read the
// owner's older count, so that the tick seems to move; the next look cannot read it again.)
template <class Sync>
struct StalledOwner : ModelTest<StalledOwner<Sync>, 2> {
  static constexpr int kStealRounds = 4;  // as the go policy's pop()
  static constexpr int kPops = 2;         // a spinning thief's pop() calls
  using Queue = algo::GoRunQueue<int, Sync, 4>;
  std::unique_ptr<Queue> queues[2];
  typename Sync::template atomic<std::uint32_t> tick{0};  // the owner's pops (GoPolicy's Local::tick)
  typename Sync::template atomic<bool> pushed{false};
  typename Sync::template var<int> state;
  int got = 0;

  StalledOwner() {
    for (auto& q : queues) q = std::make_unique<Queue>();
  }

  void thread(unsigned index) {
    if (index == 0) {
      tick.store(tick.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      GORO_MODEL_CHECK(queues[0]->pop() == 0, "the owner's queue starts empty");
      state.store(10);
      int overflow[Queue::kOverflowBatch];
      GORO_MODEL_CHECK(queues[0]->push(1, true, std::span<int>(overflow)).empty(), "no overflow");
      pushed.store(true, std::memory_order_release);
      // From here the owner computes: it never pops again, and its tick stays.
    } else {
      while (!pushed.load(std::memory_order_acquire)) Sync::relax();
      for (int round = 0; round < kPops * kStealRounds && got == 0; ++round) {
        const bool last = round % kStealRounds == kStealRounds - 1;
        got = queues[1]->steal_into(*queues[0], last && Queue::owner_stalled(*queues[0], tick, [] {
                                                  for (int i = 0; i < 2; ++i) Sync::relax();
                                                }));
      }
      if (got != 0) GORO_MODEL_CHECK(state.load() == 10, "the stolen goroutine's state is visible to the thief");
    }
  }

  void after() { GORO_MODEL_CHECK(got == 1, "a stalled owner's runnext is taken by a spinning thief"); }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("go_run_queue", argc, argv);
  driver.scenario<OwnerVsStealers<RelacySync, 2, 3>>(
      "owner_vs_stealer", "3 pushes (one into runnext) vs a steal-half: each goroutine exactly once",
      {rl::random_scheduler_type, 250000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<OwnerVsStealers<RelacySync, 3, 6>>(
      "overflow_vs_two_stealers", "6 pushes into a ring of 4 (overflow batch) vs 2 stealers: each goroutine exactly once",
      {rl::random_scheduler_type, 250000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<StealChain<RelacySync>>(
      "steal_chain", "4 pushes; a thief steals half, a second thief steals from the first: each goroutine exactly once",
      {rl::random_scheduler_type, 250000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<StalledOwner<RelacySync>>(
      "stalled_owner", "the runnext rule (owner_stalled): a thief takes the runnext of an owner that stopped scheduling",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.planted<OwnerVsStealers<BasicRelacySync<RelaxedOrders>, 2, 3>>(
      "relaxed_orders", "every order relaxed: the stealer reads a slot before the owner's write is visible",
      Kind::assertion, {rl::random_scheduler_type, 200000});
  driver.planted<OwnerVsStealers<BasicRelacySync<SplitRmw>, 3, 6>>(
      "split_cas", "head's CAS split into load+store: owner and stealer both commit the same slots", Kind::assertion,
      {rl::random_scheduler_type, 200000});
#ifdef GORO_MODEL_MUTATION_NEVER_STEALS_RUNNEXT
  // Built from a scratch copy of go_run_queue.hpp (models/CMakeLists.txt) in which
  // owner_stalled() never lets a thief take runnext (as property mutant go-never-steals-runnext).
  driver.planted<StalledOwner<RelacySync>>(
      "never_steals_runnext", "owner_stalled() always says the owner is scheduling: a stalled owner's runnext is never taken",
      Kind::assertion, {rl::random_scheduler_type, 10000});
#endif
  return driver.run();
}
