// queue_scenarios.hpp — goro's run-queue scenarios, written once over any queue that satisfies
// goro::RunQueueAlgorithm (<goro/algorithm.hpp>), run under Relacy (<goro/verify/relacy/sync.hpp>).
// A user's queue (goro_add_algorithm_checks(... KIND queue), GoroVerify.cmake) and goro's own
// Chase–Lev deque (through verify/goro_deque.hpp, models/model_chase_lev_deque.cpp) run exactly
// these.
//
// The queue holds pointers to tasks, as the runtime's run queues hold goroutines. Every task
// carries a plain cell (Sync::var) its owner writes before pushing it and whoever takes it reads:
// a goroutine's state travels with its pointer, so a push that does not publish it, or a take
// that does not acquire it, is a Relacy data race (or a wrong value) — not only a lost pointer.
// The properties, in the scenario names and the message of every check:
//   owner_vs_thief         the owner pushes 2, pops 1, pushes 1 more and drains; a thief steals
//                          twice: each task is taken exactly once (a task a full push refused
//                          stays with its owner), only pushed tasks come out, each with the
//                          state its owner wrote
//   owner_vs_two_thieves   the same against two thieves (two steals racing each other)
//   fill_vs_thief          the owner pushes 5 without popping (more than a small ring holds, so
//                          a push must refuse, not overwrite), pops 1, pushes 1 more (into the
//                          slot just freed: a ring wraps around) and drains; a thief steals twice
//   no_false_empty         the owner pushes one task and says so (release/acquire, as the idle
//                          handshake tells a spinning worker); a thief that learned of the push
//                          must steal the task (nothing else can take it meanwhile), and the
//                          owner's own pop after a push of its own must return it
// The concept promises no order between tasks (a LIFO deque and a FIFO ring both satisfy it),
// so no scenario checks one. Failures: a broken check is Relacy's `assertion`; a plain access
// racing another is `data_race`. A run queue never blocks, so no scenario can deadlock.
#pragma once

#include <memory>
#include <string>

#include "goro/algorithm.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::verify::relacy {

using models::Driver;
using models::ModelTest;
using models::Search;

// Task is what the queue holds pointers to: an id, and the state its owner writes before the
// push (Sync::var: race-checked).
template <class Sync>
struct Task {
  typename Sync::template var<int> state;
  int id = 0;  // set before the threads start, never written again
};

// Taken is what one thread got, in order (written by that thread only).
struct Taken {
  int ids[8] = {};
  int count = 0;
  void add(int id) {
    if (count < 8) ids[count++] = id;
  }
};

// QueueScenario is what every scenario shares: the queue, the tasks, who took what, and the
// conservation check. Derived is the scenario (Relacy calls its thread()).
template <class Derived, template <class, class> class Queue, class Sync, unsigned kThreads, int kTasks>
struct QueueScenario : ModelTest<Derived, kThreads> {
  using Q = Queue<Sync, Task<Sync>>;
  std::unique_ptr<Q> queue = std::make_unique<Q>();  // over-aligned queues need aligned new
  Task<Sync> tasks[kTasks + 1];
  Taken taken[kThreads];

  QueueScenario() {
    for (int id = 1; id <= kTasks; ++id) tasks[id].id = id;
  }

  // push() writes task id's state, then pushes it; a refused task stays with the owner.
  void push(int id) {
    tasks[id].state.store(10 * id);
    if (!queue->push(&tasks[id])) taken[0].add(id);
  }

  // take() records a task this thread got from pop() or steal() and reads its state.
  void take(unsigned thread, Task<Sync>* task) {
    if (task == nullptr) return;
    GORO_MODEL_CHECK(task >= &tasks[1] && task <= &tasks[kTasks], "only pushed tasks come out");
    GORO_MODEL_CHECK(task->state.load() == 10 * task->id, "a task's state, written before push, is visible to whoever took it");
    taken[thread].add(task->id);
  }

  void drain() {
    for (int k = 0; k <= kTasks; ++k) take(0, queue->pop());
  }

  void after() {
    int seen[kTasks + 1] = {};
    for (const Taken& t : taken) {
      for (int k = 0; k < t.count; ++k) ++seen[t.ids[k]];
    }
    for (int id = 1; id <= kTasks; ++id) GORO_MODEL_CHECK(seen[id] == 1, "each task is taken exactly once");
  }
};

// ---------------------------------------------------------------- the scenarios

template <template <class, class> class Queue, class Sync, unsigned kThreads>
struct OwnerVsThieves : QueueScenario<OwnerVsThieves<Queue, Sync, kThreads>, Queue, Sync, kThreads, 3> {
  void thread(unsigned index) {
    if (index == 0) {
      this->push(1);
      this->push(2);
      this->take(0, this->queue->pop());
      this->push(3);
      this->drain();
    } else {
      this->take(index, this->queue->steal());
      this->take(index, this->queue->steal());
    }
  }
};

template <template <class, class> class Queue, class Sync>
struct FillVsThief : QueueScenario<FillVsThief<Queue, Sync>, Queue, Sync, 2, 6> {
  void thread(unsigned index) {
    if (index == 0) {
      for (int id = 1; id <= 5; ++id) this->push(id);
      this->take(0, this->queue->pop());
      this->push(6);  // into the slot just freed, while a thief may still be reading it
      this->drain();
    } else {
      this->take(1, this->queue->steal());
      this->take(1, this->queue->steal());
    }
  }
};

template <template <class, class> class Queue, class Sync>
struct NoFalseEmpty : QueueScenario<NoFalseEmpty<Queue, Sync>, Queue, Sync, 2, 2> {
  typename Sync::template atomic<bool> pushed{false};
  typename Sync::template atomic<bool> checked{false};
  void thread(unsigned index) {
    if (index == 0) {
      this->tasks[1].state.store(10);
      GORO_MODEL_CHECK(this->queue->push(&this->tasks[1]), "a push into an empty queue succeeds");
      pushed.store(true, std::memory_order_release);
      while (!checked.load(std::memory_order_acquire)) Sync::relax();  // hold the owner back
      GORO_MODEL_CHECK(this->queue->pop() == nullptr, "a task is taken exactly once (the thief has it)");
      this->tasks[2].state.store(20);
      GORO_MODEL_CHECK(this->queue->push(&this->tasks[2]), "a push into an empty queue succeeds");
      Task<Sync>* own = this->queue->pop();
      GORO_MODEL_CHECK(own != nullptr, "the owner's pop after its own push does not report empty");
      this->take(0, own);
    } else {
      while (!pushed.load(std::memory_order_acquire)) Sync::relax();
      Task<Sync>* stolen = this->queue->steal();
      GORO_MODEL_CHECK(stolen != nullptr, "a steal that starts after a visible push does not report empty");
      this->take(1, stolen);
      checked.store(true, std::memory_order_release);
    }
  }
};

// ---------------------------------------------------------------- registration

// Tiers: quick (random scheduler) for the test command; full (context-bound) for --full.
inline constexpr unsigned kQueueQuickIterations = 50000;

// add_queue_scenarios<Queue, Sync>(driver) registers every scenario (each name followed by
// suffix: a model that has scenarios of its own keeps the names apart). Queue must satisfy
// goro::RunQueueAlgorithm: call it under `if constexpr (goro::check_run_queue_algorithm<Queue>())`
// so that a type that does not gets one readable error.
template <template <class, class> class Queue, class Sync>
void add_queue_scenarios(Driver& driver, const std::string& suffix = "") {
  static_assert(RunQueueAlgorithm<Queue<Sync, Task<Sync>>, Task<Sync>*>,
                "add_queue_scenarios: check_run_queue_algorithm<Queue>() first");
  const Search quick{rl::random_scheduler_type, kQueueQuickIterations};
  driver.scenario<OwnerVsThieves<Queue, Sync, 2>>("owner_vs_thief" + suffix, "owner push/pop vs a thief: each task once, its state visible", quick,
                                                  {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<OwnerVsThieves<Queue, Sync, 3>>("owner_vs_two_thieves" + suffix, "owner push/pop vs two thieves: each task once, its state visible",
                                                  quick, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<FillVsThief<Queue, Sync>>("fill_vs_thief" + suffix, "5 pushes (a full queue refuses), pop, push (wrap around) vs a thief: each task once", quick,
                                            {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<NoFalseEmpty<Queue, Sync>>("no_false_empty" + suffix, "a steal or pop after a visible push does not report empty", quick,
                                             {rl::fair_context_bound_scheduler_type, 0, 3});
}

}  // namespace goro::verify::relacy
