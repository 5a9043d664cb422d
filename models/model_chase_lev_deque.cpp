// model_chase_lev_deque.cpp — goro::algo::ChaseLevDeque (bounded, capacity 2 here; memory
// orders of Lê et al., PPoPP 2013) as the steal policy ships it, under Relacy's C++ memory model.
//
// Also the verification kit's run-queue scenarios (<goro/verify/relacy/queue_scenarios.hpp>, named
// <scenario>/kit) on the same deque through verify/goro_deque.hpp, as a user's queue runs them.
//
// Property: every pushed task is returned exactly once — by the owner's take(), by a thief's
// steal(), or refused by a full push (the caller keeps it and spills it to its overflow queue).
// The planted bugs are the ones the paper is about: without the seq_cst fences (or with every
// order relaxed, or with a CAS that is not atomic) the owner and a thief both get the last task,
// or a thief reads a slot before the owner's write is visible and a task vanishes.
#include <memory>

#include "goro/algo/chase_lev_deque.hpp"
#include "goro/verify/goro_deque.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"
#include "goro/verify/relacy/queue_scenarios.hpp"

namespace goro::models {
namespace {

constexpr int kTasks = 3;

// Got is what one thread obtained, in order (written by that thread only).
struct Got {
  int values[kTasks + 1] = {};
  int count = 0;
  void add(int v) {
    if (v != 0) values[count++] = v;
  }
};

template <class Sync, unsigned kThreads>
struct OwnerVsThieves : ModelTest<OwnerVsThieves<Sync, kThreads>, kThreads> {
  using Deque = algo::ChaseLevDeque<int, Sync, 2>;
  std::unique_ptr<Deque> deque = std::make_unique<Deque>();  // over-aligned: built with aligned new
  Got got[kThreads];

  void thread(unsigned index) {
    Got& mine = got[index];
    if (index == 0) {
      // The owner: push 1 and 2, take one, push 3 (a full deque refuses: we keep it), drain.
      for (int v = 1; v <= 2; ++v) {
        if (!deque->push(v)) mine.add(v);
      }
      mine.add(deque->take());
      if (!deque->push(3)) mine.add(3);
      for (int k = 0; k < kTasks; ++k) mine.add(deque->take());
    } else {
      mine.add(deque->steal());
      mine.add(deque->steal());
    }
  }

  void after() {
    int seen[kTasks + 1] = {};
    for (const Got& g : got) {
      for (int k = 0; k < g.count; ++k) {
        GORO_MODEL_CHECK(g.values[k] >= 1 && g.values[k] <= kTasks, "only pushed tasks come out");
        ++seen[g.values[k]];
      }
    }
    for (int v = 1; v <= kTasks; ++v) GORO_MODEL_CHECK(seen[v] == 1, "each task is taken exactly once");
  }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("chase_lev_deque", argc, argv);
  driver.scenario<OwnerVsThieves<RelacySync, 2>>(
      "owner_vs_thief", "owner push/take vs 1 thief, capacity 2: each task taken exactly once",
      {rl::random_scheduler_type, 250000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<OwnerVsThieves<RelacySync, 3>>(
      "owner_vs_two_thieves", "owner push/take vs 2 thieves, capacity 2: each task taken exactly once",
      {rl::random_scheduler_type, 250000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  // The verification kit's run-queue scenarios (KIND queue), on goro's deque as on a user's queue.
  goro::verify::relacy::add_queue_scenarios<goro::verify::GoroDeque, RelacySync>(driver, "/kit");
  driver.planted<OwnerVsThieves<BasicRelacySync<NoFences>, 2>>(
      "no_fences", "the seq_cst fences of take()/steal() dropped: owner and thief both take the last task",
      Kind::assertion, {rl::random_scheduler_type, 200000});
  driver.planted<OwnerVsThieves<BasicRelacySync<RelaxedOrders>, 2>>(
      "relaxed_orders", "every order relaxed (and fences gone): a task is lost or taken twice", Kind::assertion,
      {rl::random_scheduler_type, 200000});
  driver.planted<goro::verify::relacy::OwnerVsThieves<goro::verify::GoroDeque, BasicRelacySync<NoFences>, 2>>(
      "kit_no_fences", "the kit's owner_vs_thief on the deque without its seq_cst fences: a task taken twice or lost",
      Kind::assertion, {rl::random_scheduler_type, 200000});
  driver.planted<OwnerVsThieves<BasicRelacySync<SplitRmw>, 3>>(
      "split_cas", "top's CAS split into load+store: two thieves steal the same task", Kind::assertion,
      {rl::random_scheduler_type, 200000});
  return driver.run();
}
