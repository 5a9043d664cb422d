// scheduler.hpp — the M:N scheduler behind a Runtime: workers, goroutine life-cycle, parking,
// idle workers, wind-down and deadlock detection. The ready queues belong to the policy.
//
// The Scheduler is the Host of the three protocols the runtime shares with the models:
//   - the run-end protocol (goro/algo/run_end.hpp: when run() is over, across back-to-back
//     runs) — scheduler.cpp supplies the futex, the registry its live count;
//   - the park protocol (goro/algo/park.hpp: goroutine states, park commit, ready, wind-down
//     claim) — parking.cpp supplies the switch, the run queues and the registry scan;
//   - the idle protocol (goro/algo/idle.hpp: spinning, sleepers, the notify/sleep handshake,
//     the deadlock decision, sleeping until the earliest timer) — idle.cpp supplies the futex,
//     the clock and the timer heaps.
//
// Wind-down: once main returns, a goroutine throws, or a deadlock is found, begin_wind_down()
// claims every parked goroutine and readies it with `cancelled` (park.hpp). Runnable goroutines
// throw goro::cancelled at their next blocking call or yield(); goroutines that never started
// are destroyed unrun.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <exception>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "goro/algo/idle.hpp"
#include "goro/algo/park.hpp"
#include "goro/algo/run_end.hpp"
#include "goro/options.hpp"
#include "goro/stats.hpp"
#include "goroutine.hpp"
#include "policy.hpp"
#include "registry.hpp"
#include "stack_pool.hpp"
#include "trace.hpp"
#include "wake_latency.hpp"
#include "worker.hpp"

namespace goro::detail {

class Scheduler {
 public:
  explicit Scheduler(const Options& options);
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  void run(void (*fn)(void*), void* arg);
  Stats stats() const;
  const Options& options() const { return options_; }
  void release_memory();

  // --- called from goroutines (or, for ready/arm_timer, from any thread) ---
  G* begin_spawn(Worker* spawner, std::size_t size, std::size_t align, void** closure);
  void finish_spawn(Worker* spawner, G* g, ClosureEntry entry, ClosureEntry destroy) noexcept;  // publish + notify
  void abort_spawn(Worker* spawner, G* g) noexcept;
  void yield(G* g);
  void park(G* g, WaitContext& ctx, void (*unlock)(void*), void* arg);
  void ready(G* g) noexcept;
  // arm_timer() arms node on the caller's worker's heap (the first worker's from outside);
  // reset_timer() is TimerHeap::reset onto that heap: returns whether the timer was armed.
  void arm_timer(TimerNode* node, Clock::time_point when, Clock::duration period = Clock::duration::zero());
  bool reset_timer(TimerNode* node, Clock::time_point when, Clock::duration period = Clock::duration::zero());
  bool winding_down() const { return parking_.winding_down(); }
  // another_worker_running() — is a worker other than the caller's running goroutines (neither
  // asleep nor spinning for work)? A racy snapshot: the Mutex's spin heuristic (Go's canSpin).
  bool another_worker_running() const noexcept {
    return options_.workers > idle_.sleeping() + idle_.spinning() + 1;
  }

  [[noreturn]] static void goroutine_entry(boost::context::detail::transfer_t in);

  // --- the Host of algo::ParkProtocol (goro/algo/park.hpp); called by the protocol only ---
  static algo::ParkState<RuntimeSync>& park_state(G* g) noexcept { return g->park; }
  void switch_out(G* g, WaitContext& ctx, void (*unlock)(void*), void* arg);
  void enqueue(G* g) noexcept;  // a goroutine just made runnable: queue it, wake a worker for it
  template <class Visit>
  void for_each_goroutine(Visit&& visit) {
    registry_.for_each(visit);
  }

 private:
  void publish_spawn(Worker* spawner, G* g, ClosureEntry entry, ClosureEntry destroy) noexcept;
  void worker_main(Worker& w);
  void notify(bool by_own_worker, bool runs_next) noexcept { idle_.notify(by_own_worker, runs_next); }  // after every push
  void run_goroutine(Worker& w, G* g);
  void commit_park(Worker& w, G* g);
  void goroutine_exited(Worker& w, G* g);
  void record_exception(std::exception_ptr error);
  void begin_wind_down();

 public:
  // --- the Host of algo::IdleProtocol (goro/algo/idle.hpp); called by the protocol only ---
  using worker = Worker*;
  using goroutine = G*;
  using idle_slot = IdleSlot;
  static IdleSlot& sleeper(Worker* w) noexcept { return w->idle; }
  G* pop(Worker* w) {
    G* g = static_cast<G*>(policy_->pop(w->index, w->policy_counters));
    if (tracer_) tracer_->popped(w->index, g != nullptr);
    return g;
  }
  void run_timers(Worker* w, bool all_heaps) {
    // Own heap empty (the common case): no clock read, no call.
    if (!all_heaps && w->timers.next_deadline() == TimerHeap::never()) return;
    run_due_timers(w, all_heaps);
  }
  bool has_work() const { return policy_->has_work(); }
  bool has_work_for(Worker* w) const { return policy_->has_work_for(w->index); }
  static Clock::time_point now() noexcept { return Clock::now(); }
  static constexpr Clock::duration spin_time() noexcept { return kSpinTime; }
  static constexpr Clock::duration idle_poll_time() noexcept { return kIdlePollTime; }
  Clock::time_point earliest_deadline() const;
  bool timers_armed() const { return armed_timers_.load(std::memory_order_seq_cst) != 0; }
  // live_goroutines() — goroutines created and not yet exited: the registry's members. Exact
  // when the idle protocol asks (under its lock, every worker announced asleep: no worker spawns
  // or exits, and an outside spawn registers under that same lock — submit_external()).
  std::size_t live_goroutines() { return registry_.live(); }
  // describe_stopped() appends one line per live goroutine (id, life-cycle state, its worker when
  // running) to out, reading without locks or synchronisation points: only for the deterministic
  // scheduler's stop, where no other thread runs (goro/sync/deterministic.hpp; defined in that
  // flavour only).
  void describe_stopped(std::string& out);
  void wait(IdleSlot& slot, Clock::time_point deadline);
  void wake(IdleSlot& slot);
  void deadlocked(std::size_t goroutines);
  static void count_sleep(Worker* w) noexcept { WorkerCounters::bump(w->counters.worker_sleeps); }
  void count_spin(Worker* w, bool found) noexcept {
    WorkerCounters::bump(w->counters.worker_spins);
    if (!found) WorkerCounters::bump(w->counters.worker_spins_empty);
    if (tracer_) tracer_->spun(w->index, found);
  }
  void count_wake();

  // --- the Host of algo::RunEnd (goro/algo/run_end.hpp); called by the protocol only ---
  // (live_goroutines() above serves both protocols.)
  static void wait_for_run_end(std::atomic<std::uint32_t>& word, std::uint32_t seen);
  static void wake_run_waiter(std::atomic<std::uint32_t>& word);

 private:
  void run_due_timers(Worker* w, bool all_heaps);
  TimerHeap& timer_heap_here();  // the calling worker's heap, or the first worker's
  void start_trace();                     // trace.cpp: the Tracer, its rings in the policy counters
  void trace_wake(const IdleSlot& slot);  // trace.cpp: the wake instant, naming the woken worker
  // kSpinTime: long enough to cover a channel partner's round trip on the other core, short
  // enough that an idle runtime sleeps promptly; below the cost of a worker's futex sleep + wake
  // pair (benches/README, "Machine costs"), so spinning first always pays.
  static constexpr std::chrono::microseconds kSpinTime{30};
  // kIdlePollTime: how long a worker sleeps while another is awake — the longest a goroutine
  // readied into a computing worker's runnext waits before a sleeper looks (goro/algo/idle.hpp).
  // Ten times a worker's futex sleep + wake pair (benches/README, "Machine costs"): each poll
  // costs a timed-out wait and one look at the queues, a few per cent of an idle core.
  static constexpr std::chrono::microseconds kIdlePollTime{500};
  // idle_tuning() — the idle protocol's settings. In the deterministic world no sleeper polls:
  // on the virtual clock time stands still while any goroutine runs, so a poll could fire only
  // when every goroutine is blocked — where it would only stand in for a missing wake-up, the
  // kind of bug that world is there to find (the models turn it off for the same reason).
  static constexpr algo::IdleTuning idle_tuning(unsigned workers) {
    algo::IdleTuning tuning = algo::IdleTuning::for_workers(workers);
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
    tuning.poll_while_others_run = false;
#endif
    return tuning;
  }

  const Options options_;
  std::unique_ptr<SchedulerPolicy> policy_;
  std::unique_ptr<Tracer> tracer_;  // null unless Options::trace names a file (trace.hpp)
  std::unique_ptr<WakeLatency> wake_latency_;  // null unless Options::wake_latency (wake_latency.hpp)
  StackPool stacks_;
  TimerHeap::armed_count armed_timers_{0};  // armed timers, all heaps (goro/algo/timers.hpp)
  std::vector<std::unique_ptr<Worker>> workers_;

  // --- the current run ---
  std::mutex run_mutex_;                        // one run() at a time
  // the run-end protocol: the wind-down flag, the run's epoch, the futex word run() waits on
  algo::RunEnd<RuntimeSync, Scheduler, std::atomic<std::uint32_t>> run_end_{*this};
  std::mutex outcome_mutex_;                    // guards the two fields below
  std::exception_ptr first_exception_;
  std::size_t deadlocked_goroutines_ = 0;       // > 0 when the run ended in a deadlock
  std::atomic<std::uint64_t> next_goroutine_id_{1};
  std::atomic<std::uint64_t> external_created_{0};  // goroutines created from outside the workers
  std::atomic<std::uint64_t> external_wakes_{0};    // workers woken by threads that are not workers

  // --- goroutines created from outside the workers (run()'s main) ---
  std::mutex external_mutex_;
  std::vector<Stack> external_stack_cache_;     // guarded by external_mutex_

  // --- the goroutines created and not yet exited (registry.hpp): one shard per worker + outside ---
  Registry registry_{options_.workers + 1};

  // --- the park protocol: goroutine states, park commit, ready, wind-down claim ---
  algo::ParkProtocol<RuntimeSync, Scheduler> parking_{*this, run_end_.winding_down_flag()};

  // --- the idle protocol: spinning and sleeping workers, wake-ups, the deadlock decision ---
  algo::IdleProtocol<RuntimeSync, Scheduler> idle_{*this, idle_tuning(options_.workers)};
};

// The worker this thread is, or nullptr. Not inlined: a goroutine may resume on another thread,
// and a compiler may otherwise cache the thread-local's address across the switch.
Worker* this_worker() noexcept;
// set_this_worker() binds the calling thread to its worker (worker_main) or unbinds it.
void set_this_worker(Worker* w) noexcept;

}  // namespace goro::detail
