// model_run_end.cpp — the run-end protocol (goro/algo/run_end.hpp, which Scheduler::run and
// goroutine_exited run) under Relacy: two runs back to back on one Runtime, the exits of the
// first racing its end and the start of the second.
//
// Properties: run() returns only after its own program is over — every goroutine of the run
// finished its body, whichever exit saw the run over and however late a second "over" of the
// previous run lands (an assertion), and their results are visible to run() (a Relacy data race
// otherwise); and every run ends (a run that never learns it is over is a deadlock). The planted
// protocol bugs run the scenario that checks only "finished", so they are found as what they
// break — run() returning early — and not, depending on the interleaving, as the race it causes.
//
// The wind-down is the runtime's own: algo::ParkProtocol::begin_wind_down() over a Host with
// no parked goroutine (the park model checks the claim). The registry is one shard per
// goroutine, each under its own lock, summed by live_goroutines() as the runtime sums its shards.
#include "goro/algo/park.hpp"
#include "goro/algo/run_end.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

// The Relacy threads: 0 is the thread that calls run() twice; 1 and 2 are run 1's goroutines
// (its main and one it spawned); 3 is run 2's main.
constexpr unsigned kRunner = 0, kMain1 = 1, kOther1 = 2, kMain2 = 3, kThreads = 4;

// How run 1's second goroutine ends.
enum class Other {
  exits,   // returns whenever it runs: its exit may come before, during or after main's wind-down
  throws,  // throws: it begins the wind-down itself (Scheduler::record_exception), racing main's
};

// RunEndHost is the run-end protocol's Host (the runtime's is the Scheduler): the registry's
// shards, the futex run() sleeps on (a condition variable over the word), and the gate that
// starts a run's goroutines once run() registered them.
template <class Sync>
class RunEndHost {
 public:
  using Protocol = algo::RunEnd<Sync, RunEndHost>;
  using word = typename Sync::template atomic<std::uint32_t>;

  // --- the registry (Scheduler::register_g / unregister_g / live_goroutines) ---
  void register_g(unsigned shard) { add(shard, +1); }
  void unregister_g(unsigned shard) { add(shard, -1); }
  std::size_t live_goroutines() {
    std::size_t live = 0;
    for (Shard& shard : shards_) {
      shard.lock.lock();
      live += static_cast<std::size_t>(shard.members.load());
      shard.lock.unlock();
    }
    return live;
  }

  // --- the futex (Scheduler::wait_for_run_end / wake_run_waiter) ---
  void wait_for_run_end(word& w, std::uint32_t seen) {
    futex_lock_.lock($);
    while (w.load(std::memory_order_relaxed) == seen) futex_.wait(futex_lock_, $);
    futex_lock_.unlock($);
  }
  void wake_run_waiter(word& w) {
    const std::uint32_t done = w.load(std::memory_order_relaxed);
    if (done > highest_signalled) highest_signalled = done;
    futex_lock_.lock($);
    futex_.notify_all($);
    futex_lock_.unlock($);
  }

  std::uint32_t highest_signalled = 0;  // the highest epoch an exit signalled (plain: fibers)

  // --- the park protocol's Host, for begin_wind_down(): no goroutine is ever parked here ---
  template <class Visit>
  void for_each_goroutine(Visit&&) {}
  static auto& park_state(Goroutine* g) { return g->park; }
  static void enqueue(Goroutine*) { GORO_MODEL_CHECK(false, "no goroutine parks in this model: the wind-down readies none"); }

  // --- the gate: run() starts run r's goroutines; each waits until its run started ---
  void start(unsigned run) {
    gate_lock_.lock($);
    started_ = run;
    gate_.notify_all($);
    gate_lock_.unlock($);
  }
  void wait_started(unsigned run) {
    gate_lock_.lock($);
    while (started_ < run) gate_.wait(gate_lock_, $);
    gate_lock_.unlock($);
  }

 private:
  struct Shard {
    typename Sync::mutex lock;
    typename Sync::template var<int> members;
  };
  void add(unsigned shard, int delta) {
    Shard& s = shards_[shard];
    s.lock.lock();
    s.members.store(s.members.load() + delta);
    s.lock.unlock();
  }

  Shard shards_[kThreads];
  rl::mutex futex_lock_;
  rl::condition_variable futex_;
  rl::mutex gate_lock_;
  rl::condition_variable gate_;
  unsigned started_ = 0;  // guarded by gate_lock_
};

// What run() reads of its goroutines once wait() returned.
enum class Reads {
  finished_and_results,  // whether each finished (exact), then its result (race-checked)
  finished,              // only whether each finished: a run returning early is always an assertion
};

// BackToBackRuns: run 1 (main + one goroutine, wound down by main or by both) then run 2 (its
// main alone) on the same protocol. Each goroutine writes its result and then marks itself
// finished as its body's last acts; run() checks both once wait() returned.
template <class Sync, Other other, Reads reads = Reads::finished_and_results>
struct BackToBackRuns : ModelTest<BackToBackRuns<Sync, other, reads>, kThreads> {
  RunEndHost<Sync> host;
  typename RunEndHost<Sync>::Protocol run_end{host};
  algo::ParkProtocol<Sync, RunEndHost<Sync>> parking{host, run_end.winding_down_flag()};
  bool finished[kThreads] = {};               // Relacy threads are fibers: a plain flag is exact
  typename Sync::template var<int> result[kThreads];

  // run() as Scheduler::run does it: begin the run, register its goroutines, start them, wait.
  void run(unsigned number, std::initializer_list<unsigned> goroutines) {
    const std::uint32_t epoch = run_end.begin_run();
    GORO_MODEL_CHECK(epoch == number, "runs are numbered 1, 2, ... in order");
    for (unsigned g : goroutines) host.register_g(g);
    host.start(number);
    run_end.wait(epoch);
    for (unsigned g : goroutines) {
      GORO_MODEL_CHECK(finished[g], "run() returned only after every goroutine of its run finished");
      if (reads == Reads::finished_and_results) {
        GORO_MODEL_CHECK(result[g].load() == static_cast<int>(g), "run() sees the results of its goroutines");
      }
    }
  }

  // A goroutine's body and exit (goroutine_entry, then goroutine_exited after the switch).
  void goroutine(unsigned self, unsigned run, bool winds_down) {
    host.wait_started(run);
    result[self].store(static_cast<int>(self));
    finished[self] = true;
    if (winds_down) parking.begin_wind_down();  // main returned, or the goroutine threw
    host.unregister_g(self);
    run_end.exited();
  }

  void thread(unsigned index) {
    switch (index) {
      case kRunner:
        run(1, {kMain1, kOther1});
        run(2, {kMain2});
        break;
      case kMain1: goroutine(kMain1, 1, true); break;
      case kOther1: goroutine(kOther1, 1, other == Other::throws); break;
      case kMain2: goroutine(kMain2, 2, true); break;
    }
  }

  void after() { GORO_MODEL_CHECK(host.live_goroutines() == 0, "no goroutine outlives its run"); }
};

// LateSignal: run 1 as in BackToBackRuns, then run 2 begins and registers its main, which never
// runs — so run 2 is never over, and no exit may signal it. The smallest shape of the race
// e7afb83 fixed: an exit of run 1 that looks after run 2 began (the flag already reset, the
// epoch already 2, main 2 not yet registered) must not end run 2. Three threads, so the
// quick tier searches it with a context bound: the orders of begin_run() and exited() are
// decided here.
template <class Sync>
struct LateSignal : ModelTest<LateSignal<Sync>, 3> {
  RunEndHost<Sync> host;
  typename RunEndHost<Sync>::Protocol run_end{host};
  algo::ParkProtocol<Sync, RunEndHost<Sync>> parking{host, run_end.winding_down_flag()};

  void thread(unsigned index) {
    if (index == kRunner) {
      GORO_MODEL_CHECK(run_end.begin_run() == 1, "the first run is run 1");
      host.register_g(kMain1);
      host.register_g(kOther1);
      host.start(1);
      run_end.wait(1);
      GORO_MODEL_CHECK(run_end.begin_run() == 2, "the second run is run 2");
      host.register_g(kMain2);  // main 2 never runs: run 2 never ends
    } else {
      host.wait_started(1);
      if (index == kMain1) parking.begin_wind_down();
      host.unregister_g(index);
      run_end.exited();
    }
  }

  void after() { GORO_MODEL_CHECK(host.highest_signalled == 1, "run 1 ended, and no exit ended run 2 (whose main never ran)"); }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("run_end", argc, argv);
  driver.scenario<BackToBackRuns<RelacySync, Other::exits>>(
      "back_to_back", "2 runs, run 1's exits racing its end and run 2's start: each run() returns after its own program",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<BackToBackRuns<RelacySync, Other::throws>>(
      "thrower_races_main", "as back_to_back, run 1's second goroutine begins the wind-down too (it threw)",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<LateSignal<RelacySync>>(
      "late_signal", "run 1's exits racing run 2's start, whose main never runs: no exit of run 1 ends run 2",
      {rl::fair_context_bound_scheduler_type, 0, 2}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.planted<BackToBackRuns<BasicRelacySync<RelaxedOrders>, Other::exits>>(
      "relaxed_orders", "every memory order relaxed: run() reads its goroutines' writes without a happens-before edge",
      Kind::data_race, {rl::random_scheduler_type, 20000});
#ifdef GORO_MODEL_MUTATION_UNNUMBERED_SIGNAL
  // Built from a scratch copy of run_end.hpp (models/CMakeLists.txt) in which an exit signals
  // whichever run is current when its signal lands, not the run it looked at — the signal before
  // e7afb83: a late "over" of run 1 ends run 2 before its main.
  driver.planted<BackToBackRuns<RelacySync, Other::exits, Reads::finished>>(
      "unnumbered_signal", "an exit signals the current run, not the one it saw over: run 2 returns before its main (pre-e7afb83)",
      Kind::assertion, {rl::random_scheduler_type, 100000});
#endif
#ifdef GORO_MODEL_MUTATION_ENDS_ON_ANY_FINISHED_RUN
  // Built from a scratch copy of run_end.hpp in which run() waits for some run to have ended
  // instead of its own: run 2 returns at once.
  driver.planted<BackToBackRuns<RelacySync, Other::exits, Reads::finished>>(
      "ends_on_any_finished_run", "run() waits for any finished run, not its own: run 2 returns before its main",
      Kind::assertion, {rl::random_scheduler_type, 20000});
#endif
  return driver.run();
}
