// model_owner_fifo.cpp — the owner-only FIFO of goroutines (goro/algo/owner_fifo.hpp: the steal
// policy's queue of yielded goroutines, public to user policies as goro::OwnerRunQueue), under
// Relacy: its owner pushes and pops while another worker asks empty(), as has_work() does.
//
// Properties: nodes come out in push order, each exactly once, also after the FIFO ran empty
// and filled again; head/tail/count agree after every owner operation (invariants_hold()); an
// observer that learned of a push through a release/acquire pair (as the idle handshake gives a
// sleeper) never sees the FIFO empty — has_work() is never a false negative after a visible
// push; and the links are plain race-checked cells, so only the owner may touch them: a
// non-owner pop is a Relacy data race.
#include "goro/verify/relacy/sync.hpp"
#include "goro/algo/owner_fifo.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

struct Node {
  RelacySync::var<Node*> next;
  int id = 0;
};
using Fifo = algo::OwnerFifo<RelacySync, Node, &Node::next>;

enum class Observer { peeks, pops };

// OwnerRacesObserver: thread 0 owns the FIFO: pushes 1 and 2, publishes `pushed`, pops 1 and 2
// (the FIFO runs empty), pushes 3 and pops it. Thread 1 peeks at empty() throughout; once it has
// acquired `pushed` and before the owner's first pop (`checked` holds the owner back), empty()
// must be false. With Observer::pops the observer then pops too, unordered with the owner's
// pops — the misuse the links forbid.
template <Observer kObserver>
struct OwnerRacesObserver : ModelTest<OwnerRacesObserver<kObserver>, 2> {
  Fifo fifo;
  Node nodes[3];
  RelacySync::atomic<bool> pushed{false};
  RelacySync::atomic<bool> checked{false};
  int order[3] = {};
  int popped = 0;

  void before() {
    for (int k = 0; k < 3; ++k) nodes[k].id = k + 1;
  }
  void pop_expecting(int id) {
    Node* node = fifo.pop();
    GORO_MODEL_CHECK(node != nullptr, "a pushed node is popped by its owner");
    GORO_MODEL_CHECK(fifo.invariants_hold(), "head, tail and count agree after a pop");
    if (node != nullptr) order[popped++] = node->id;
    GORO_MODEL_CHECK(node == nullptr || node->id == id, "nodes come out in push order");
  }
  void thread(unsigned index) {
    if (index == 0) {
      fifo.push(&nodes[0]);
      fifo.push(&nodes[1]);
      GORO_MODEL_CHECK(fifo.invariants_hold(), "head, tail and count agree after a push");
      pushed.store(true, std::memory_order_release);
      while (!checked.load(std::memory_order_acquire)) RelacySync::relax();
      pop_expecting(1);
      pop_expecting(2);
      GORO_MODEL_CHECK(fifo.front() == nullptr, "the FIFO ran empty");
      fifo.push(&nodes[2]);
      pop_expecting(3);
    } else {
      (void)fifo.empty();  // a racing peek: any answer, but never a race
      while (!pushed.load(std::memory_order_acquire)) RelacySync::relax();
      GORO_MODEL_CHECK(!fifo.empty(), "empty() is not a false negative after a visible push");
      checked.store(true, std::memory_order_release);
      (void)fifo.empty();
      if constexpr (kObserver == Observer::pops) (void)fifo.pop();  // races the owner's pops
    }
  }
  void after() {
    if constexpr (kObserver == Observer::peeks) {
      GORO_MODEL_CHECK(popped == 3, "every node popped exactly once");
    }
    GORO_MODEL_CHECK(fifo.empty() && fifo.front() == nullptr, "the FIFO ends empty");
  }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("owner_fifo", argc, argv);
  driver.scenario<OwnerRacesObserver<Observer::peeks>>(
      "owner_races_observer",
      "the owner pushes, pops it empty and refills while a worker peeks: push order, once each, no false empty",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.planted<OwnerRacesObserver<Observer::pops>>(
      "observer_pops", "a non-owner pops (a policy that steals from the yielded FIFO): the links race",
      Kind::data_race, {rl::random_scheduler_type, 20000});
#ifdef GORO_MODEL_MUTATION_STALE_TAIL
  // Built from a scratch copy of owner_fifo.hpp (models/CMakeLists.txt) whose pop() leaves tail_
  // pointing at the node it just removed when the FIFO runs empty: the next push links behind a
  // node nobody will pop again, and the owner never gets it back.
  driver.planted<OwnerRacesObserver<Observer::peeks>>(
      "stale_tail", "pop() keeps a stale tail when the FIFO runs empty: the refill is lost",
      Kind::assertion, {rl::random_scheduler_type, 1000});
#endif
  return driver.run();
}
