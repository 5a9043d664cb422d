// scheduler.hpp — the modelled scheduler the Relacy Sync policy (sync.hpp) parks and readies
// goroutines on (<goro/verify/relacy/scheduler.hpp>): one Goroutine per Relacy thread, the
// per-execution World (what the runtime's Scheduler owns), and ModelHost, the park protocol's Host
// (goro/algo/park.hpp; the runtime's Host is the Scheduler). The policy is the door algorithms go
// through; this is the world behind the door. Its planted bugs are wiring (ParkBug, a no-op park
// slot lock, a lost wake-up), selected by the policy's Bugs knobs.
//
// Included by sync.hpp (after the policy); include either one.
#pragma once

#include "goro/verify/relacy/sync.hpp"

namespace goro::models {

// Goroutine is one Relacy thread seen as a goroutine: the park protocol's state (G::park), and
// a stand-in for the run queue and the worker that starts a runnable goroutine again.
struct Goroutine {
  // A model's threads are running when the execution starts.
  algo::ParkState<ParkSync, Mutex> park{algo::GoroutineState::running};                   // G::park
  algo::ParkState<ParkSync, NoopMutex> park_without_lock{algo::GoroutineState::running};  // NoParkLock
  rl::mutex run_lock;
  rl::condition_variable runnable;
  bool enqueued = false;  // guarded by run_lock: on the stand-in run queue
};

// World is the per-execution scheduler state: what the Scheduler owns in the runtime. A model
// test owns one (as its first member, so it is built inside Relacy's execution) and it
// registers itself as current.
struct World {
  static constexpr unsigned kMaxGoroutines = 4;
  Goroutine goroutines[kMaxGoroutines];
  unsigned goroutine_count;
  ParkSync::atomic<bool> winding_down{false};  // Scheduler::winding_down_
  unsigned ready_calls = 0;                    // for the drop_wakeup planted bug
  unsigned relax_calls[kMaxGoroutines] = {};   // spin polls per goroutine (models gate on them)

  explicit World(unsigned threads) : goroutine_count(threads) { current() = this; }
  ~World() { current() = nullptr; }
  World(const World&) = delete;
  World& operator=(const World&) = delete;

  static World*& current() {
    static World* world = nullptr;  // reset by every execution's World
    return world;
  }
};

// ModelHost is the park protocol's Host in the models (the runtime's is the Scheduler): the
// switch is a call on the same Relacy thread, the run queue a condition variable. Its planted
// bugs are wiring: unlock before the commit, a no-op slot lock, a lost enqueue.
template <class Bugs>
class ModelHost {
 public:
  explicit ModelHost(World& world) : world_(world) {}

  algo::ParkProtocol<ParkSync, ModelHost> protocol() { return {*this, world_.winding_down}; }

  auto& park_state(Goroutine* g) {
    if constexpr (Bugs::noop_park_lock) {
      return g->park_without_lock;  // planted: commit and the wind-down scan unguarded
    } else {
      return g->park;
    }
  }

  // switch_out(): the worker's side of the switch runs commit(); then some worker starts g again.
  template <class Ctx>
  void switch_out(Goroutine* g, Ctx& ctx, void (*unlock)(void*), void* arg) {
    if constexpr (Bugs::park == ParkBug::unlock_before_commit) {
      unlock(arg);  // planted: still on its stack
      unlock = &no_unlock;
    }
    protocol().commit(g, ctx, unlock, arg);
    g->run_lock.lock($);
    while (!g->enqueued) g->runnable.wait(g->run_lock, $);
    g->enqueued = false;
    g->run_lock.unlock($);
    protocol().started(g);
  }

  void enqueue(Goroutine* g) {
    if constexpr (Bugs::drop_wakeup > 0) {
      if (++world_.ready_calls == Bugs::drop_wakeup) return;  // planted: this wake-up is lost
    }
    g->run_lock.lock($);
    g->enqueued = true;
    g->runnable.notify_one($);
    g->run_lock.unlock($);
  }

  template <class Visit>
  void for_each_goroutine(Visit&& visit) {
    for (unsigned i = 0; i < world_.goroutine_count; ++i) visit(&world_.goroutines[i]);
  }

 private:
  static void no_unlock(void*) {}
  World& world_;
};

template <class Bugs>
Goroutine* BasicRelacySync<Bugs>::current_goroutine() {
  return &World::current()->goroutines[rl::thread_index()];
}

template <class Bugs>
template <class Sync>
void BasicRelacySync<Bugs>::park(algo::WaitContext<Sync>& ctx, void (*unlock)(void*), void* arg) {
  ModelHost<Bugs> host(*World::current());
  host.protocol().park(current_goroutine(), ctx, unlock, arg);
}

template <class Bugs>
void BasicRelacySync<Bugs>::ready(Goroutine* g) {
  ModelHost<Bugs> host(*World::current());
  host.protocol().ready(g);
}

template <class Bugs>
void BasicRelacySync<Bugs>::begin_wind_down() {
  ModelHost<Bugs> host(*World::current());
  host.protocol().begin_wind_down();
}

template <class Bugs>
void BasicRelacySync<Bugs>::relax(std::source_location l) {
  ++World::current()->relax_calls[rl::thread_index()];
  rl::yield(1, where(l));
}

}  // namespace goro::models
