// model_global_queue.cpp — the global run queue (goro/algo/global_queue.hpp: a locked FIFO
// linked through the goroutines' own intrusive links, with a lock-free empty() peek), under
// Relacy: two pushers (one batch) racing a popper.
//
// Properties: every pushed node is popped exactly once; each pusher's nodes come out in push
// order; the invariants (size matches the links, tail's link is null) hold at every unlock;
// the links are plain race-checked cells, so an unguarded link update is a Relacy data race.
#include <span>

#include "goro/algo/global_queue.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

template <class Sync>
struct Node {
  typename Sync::template var<Node*> next;
  int id = 0;
};

// PushersRacePopper: thread 0 pushes node 1, thread 1 pushes nodes 2 and 3 as one batch,
// thread 2 pops until it has all three.
template <class Sync>
struct PushersRacePopper : ModelTest<PushersRacePopper<Sync>, 3> {
  using Queue = algo::GlobalRunQueue<Sync, Node<Sync>, &Node<Sync>::next>;
  Queue queue;
  Node<Sync> nodes[3];
  int popped[3] = {};
  int count = 0;

  void before() {
    for (int k = 0; k < 3; ++k) nodes[k].id = k + 1;
    queue.lock_.check_on_unlock([](const void* q) { return static_cast<const Queue*>(q)->invariants_hold(); }, &queue);
  }
  void thread(unsigned index) {
    if (index == 0) queue.push(&nodes[0]);
    if (index == 1) {
      Node<Sync>* batch[2] = {&nodes[1], &nodes[2]};
      queue.push_batch(std::span<Node<Sync>*>(batch, 2));
    }
    if (index == 2) {
      while (count < 3) {
        if (Node<Sync>* node = queue.pop()) {
          popped[count++] = node->id;
        } else {
          Sync::relax();
        }
      }
    }
  }
  void after() {
    int seen[4] = {};
    for (int k = 0; k < 3; ++k) ++seen[popped[k]];
    GORO_MODEL_CHECK(seen[1] == 1 && seen[2] == 1 && seen[3] == 1, "every node popped exactly once");
    int at[4] = {};
    for (int k = 0; k < 3; ++k) at[popped[k]] = k;
    GORO_MODEL_CHECK(at[2] < at[3], "a batch comes out in push order");
    GORO_MODEL_CHECK(queue.empty() && queue.invariants_hold(), "the queue ends empty and consistent");
  }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("global_queue", argc, argv);
  driver.scenario<PushersRacePopper<RelacySync>>(
      "pushers_race_popper", "two pushers (one batch) vs a popper: each node once, in order, invariants at every unlock",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.planted<PushersRacePopper<BasicRelacySync<NoLock>>>(
      "no_lock", "Sync::mutex excludes nobody: the link and head/tail updates race", Kind::data_race,
      {rl::random_scheduler_type, 20000});
  return driver.run();
}
