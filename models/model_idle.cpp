// model_idle.cpp — the idle/wake protocol (goro/algo/idle.hpp: spinning, the sleeper set, the
// notify/sleep handshake, the deadlock decision, sleeping until the earliest timer) — the code
// Scheduler::worker_main runs — over IdleHost, the model's Host: the run queue is a counter of
// queued goroutines, the futex a condition variable, the clock a tick counter, and the timers
// the shipped TimerHeap (goro/algo/timers.hpp) on model_clock.hpp's tick clock.
//
// Properties: work pushed while a worker decides to sleep is always run (a lost wake-up leaves
// the pushing goroutine waiting forever for work nobody takes: a Relacy deadlock); at most
// max_spinning workers spin (checked at every scheduling point by invariant()); a deadlock is
// never reported while a goroutine is queued or being submitted, or while a timer is armed (in
// these scenarios no goroutine ever parks, so any deadlock report is false).
#include "goro/algo/idle.hpp"
#include "goro/algo/timers.hpp"
#include "model_clock.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

// How the model's outside thread submits its goroutine.
enum class Submit {
  through_protocol,  // IdleProtocol::submit_external, as Scheduler::run does
  unlocked,          // planted wiring: counted alive, then queued, outside the protocol's lock
};

// IdleHost is the idle protocol's Host for `workers` Relacy threads.
template <class Sync>
class IdleHost {
 public:
  using worker = unsigned;
  using goroutine = unsigned;  // 1 = a goroutine was popped, 0 = none
  using time_point = ModelClock::time_point;
  using timer_heap = algo::TimerHeap<Sync, ModelTimerHost>;
  using wake_word = typename Sync::template atomic<std::uint32_t>;
  using idle_slot = algo::IdleSlot<Sync, wake_word>;
  using Protocol = algo::IdleProtocol<Sync, IdleHost>;

  // max_spinning 0: idle workers go straight to sleep (the handshake scenarios: fewer steps).
  // poll: sleepers poll while another worker is awake (the runtime's tuning); off where every
  // push must wake a sleeper by the handshake alone, so a lost wake-up stays a deadlock.
  IdleHost(unsigned workers, unsigned max_spinning, bool poll = false)
      : protocol(*this, algo::IdleTuning{workers, max_spinning, /*polls_per_clock_read=*/1, poll}) {}

  Protocol protocol;
  typename Sync::template atomic<unsigned> queued{0};  // the run queue: goroutines waiting to run
  unsigned live = 0;              // goroutines alive (Relacy threads are fibers: plain is exact)
  typename timer_heap::armed_count armed_timers{0};
  timer_heap timers{armed_timers};  // one heap: both workers run its due timers, as idle workers run every heap's
  unsigned deadlock_reports = 0;

  // push() queues one goroutine (the policy's push: a release increment).
  void push() { queued.fetch_add(1, std::memory_order_release); }

  // --- the Host interface (goro/algo/idle.hpp) ---
  idle_slot& sleeper(worker w) { return slots_[w]; }
  goroutine pop(worker) {
    unsigned n = queued.load(std::memory_order_acquire);
    while (n > 0) {
      if (queued.compare_exchange_weak(n, n - 1, std::memory_order_acq_rel, std::memory_order_acquire)) return 1;
    }
    return 0;
  }
  // arm_wake_timer() arms a timer whose fire readies a goroutine (a sleep's, in the runtime);
  // true when it became the heap's earliest (Scheduler::arm_timer then calls timer_added()).
  bool arm_wake_timer(time_point when) { return timers.add(&wake_timer_, when); }

  void run_timers(worker, bool) {
    const time_point t = now();
    if (timers.maybe_due(t)) timers.run_due(t, [] {});
  }
  bool has_work() const { return queued.load(std::memory_order_acquire) > 0; }
  bool has_work_for(int) const { return has_work(); }
  time_point now() { return at_tick(++ticks_); }
  static constexpr ModelClock::duration spin_time() { return ModelClock::duration(2); }
  static constexpr ModelClock::duration idle_poll_time() { return ModelClock::duration(2); }
  time_point earliest_deadline() const { return timers.next_deadline(); }
  bool timers_armed() const { return armed_timers.load(std::memory_order_seq_cst) != 0; }
  std::size_t live_goroutines() const { return live; }
  bool winding_down() const { return false; }
  void wait(idle_slot& slot, time_point deadline) {
    if (deadline != timer_heap::never()) return;  // a timed futex wait: it may always time out first
    futex_lock_.lock($);
    while (slot.wake_word.load(std::memory_order_acquire) == 0) futex_.wait(futex_lock_, $);
    futex_lock_.unlock($);
  }
  void wake(idle_slot&) {
    futex_lock_.lock($);
    futex_.notify_all($);
    futex_lock_.unlock($);
  }
  void deadlocked(std::size_t) {
    ++deadlock_reports;
    GORO_MODEL_CHECK(false, "a deadlock is reported only when every goroutine is parked (none ever parks here)");
  }
  void count_sleep(worker) {}
  void count_wake() {}
  void count_spin(worker, bool) {}

 private:
  // WakeTimer's fire readies a goroutine from the firing worker (the runtime's SleepTimer readies
  // a parked one; here goroutines are a count).
  struct WakeTimer : algo::TimerNode<Sync, ModelTimerHost> {
    explicit WakeTimer(IdleHost& host) : host(host) { this->fire = &ready_one; }
    static void ready_one(algo::TimerNode<Sync, ModelTimerHost>* self, time_point now) {
      IdleHost& host = static_cast<WakeTimer*>(self)->host;
      timer_heap::finish_firing(self, now);
      ++host.live;
      host.push();
      host.protocol.notify(true);
    }
    IdleHost& host;
  };
  WakeTimer wake_timer_{*this};
  idle_slot slots_[3];
  long ticks_ = 0;
  rl::mutex futex_lock_;
  rl::condition_variable futex_;
};

// Invariant shared by the scenarios: never more spinners than the tuning allows.
template <class Sync>
void check_spinners(const IdleHost<Sync>& host) {
  if (host.protocol.spinning() > host.protocol.tuning().max_spinning) {
    rl::ctx().fail_test("invariant broken: more than max_spinning workers spin", rl::test_result_user_invariant_failed, RL_INFO);
  }
}

// BusyUntilSecondRuns is the shape two scenarios share: two workers, one goroutine queued.
// Whichever worker runs it makes a second goroutine runnable (Scenario::start_second(): a
// spawn, a timer...) and then computes until that one has run — its worker stays busy, so the
// other worker must be woken for the second one while it decides to sleep. A lost wake-up
// leaves both waiting for ever: a Relacy deadlock.
template <class Sync, class Scenario, unsigned kMaxSpinning, bool kPoll = false>
struct BusyUntilSecondRuns : ModelTest<Scenario, 2> {
  IdleHost<Sync> host{2, kMaxSpinning, kPoll};
  unsigned started = 0;
  bool second_done = false;
  rl::mutex done_lock;
  rl::condition_variable done;

  void before() {
    host.live = 1;
    host.push();
  }
  void thread(unsigned w) {
    while (host.protocol.find_work(w)) {
      if (++started == 1) {
        static_cast<Scenario*>(this)->start_second();
        done_lock.lock($);
        while (!second_done) done.wait(done_lock, $);  // busy with a long computation
        done_lock.unlock($);
      } else {
        done_lock.lock($);
        second_done = true;
        done.notify_all($);
        done_lock.unlock($);
        host.protocol.shutdown();
      }
      --host.live;
    }
  }
  void invariant() { check_spinners(host); }
  void after() {
    GORO_MODEL_CHECK(started == 2, "both goroutines ran");
    GORO_MODEL_CHECK(host.deadlock_reports == 0, "no deadlock reported");
  }
};

// PushRacesSleep: the second goroutine is spawned (pushed, then notify()).
template <class Sync, unsigned kMaxSpinning>
struct PushRacesSleep : BusyUntilSecondRuns<Sync, PushRacesSleep<Sync, kMaxSpinning>, kMaxSpinning> {
  void start_second() {
    ++this->host.live;
    this->host.push();
    this->host.protocol.notify(true);
  }
};

// RunsNextFoundByPoll: spinning off; the second goroutine is pushed into the busy worker's
// runnext (notify's runs_next: no wake-up) and that worker then computes instead of running it.
// Only the other worker's poll can find it: with kPoll off (the planted twin) it sleeps for ever
// and the busy worker waits for ever — a deadlock.
template <class Sync, bool kPoll>
struct RunsNextFoundByPoll : BusyUntilSecondRuns<Sync, RunsNextFoundByPoll<Sync, kPoll>, 0, kPoll> {
  void start_second() {
    ++this->host.live;
    this->host.push();
    this->host.protocol.notify(true, /*runs_next=*/true);
  }
};

// TimerAddedWakesSleeper: spinning off; the second goroutine is readied by a timer the first
// arms, so only the other worker can fire it — and that worker may already be asleep with no
// deadline, or be deciding to sleep, reading the earliest deadline as the timer is added.
// timer_added() must wake it to re-plan (Scheduler::arm_timer calls it when the timer is its
// heap's earliest).
template <class Sync>
struct TimerAddedWakesSleeper : BusyUntilSecondRuns<Sync, TimerAddedWakesSleeper<Sync>, 0> {
  void start_second() {
    if (this->host.arm_wake_timer(this->host.now() + ModelClock::duration(2))) this->host.protocol.timer_added();
  }
};

// ExternalSubmit: one worker; a thread that is not a worker submits the first goroutine (as
// run() does) while the worker decides between sleeping and reporting a deadlock.
template <class Sync, Submit submit>
struct ExternalSubmit : ModelTest<ExternalSubmit<Sync, submit>, 2> {
  IdleHost<Sync> host{1, 1};
  unsigned ran = 0;

  void thread(unsigned index) {
    if (index == 0) {
      while (host.protocol.find_work(0)) {
        ++ran;
        --host.live;
        host.protocol.shutdown();
      }
      return;
    }
    if constexpr (submit == Submit::through_protocol) {
      host.protocol.submit_external([this] {
        ++host.live;
        host.push();
      });
    } else {
      ++host.live;  // planted: alive but not yet queued, outside the protocol's lock
      host.push();
      host.protocol.notify(false);
    }
  }
  void invariant() { check_spinners(host); }
  void after() { GORO_MODEL_CHECK(ran == 1, "the submitted goroutine ran"); }
};

// SubmitToSleepers: two workers with nothing to do spin (one at a time), then both sleep; then
// a thread that is not a worker submits a goroutine: one of them must be woken for it.
template <class Sync>
struct SubmitToSleepers : ModelTest<SubmitToSleepers<Sync>, 3> {
  IdleHost<Sync> host{2, 1};
  unsigned ran = 0;

  void thread(unsigned index) {
    if (index < 2) {
      while (host.protocol.find_work(index)) {
        ++ran;
        --host.live;
        host.protocol.shutdown();
      }
      return;
    }
    while (host.protocol.sleeping() < 2) rl::yield(1, $);  // model gate: both workers asleep
    host.protocol.submit_external([this] {
      ++host.live;
      host.push();
    });
  }
  void invariant() { check_spinners(host); }
  void after() { GORO_MODEL_CHECK(ran == 1, "the submitted goroutine ran"); }
};

// TimerWakes: two workers, no goroutine yet, one timer armed: the workers sleep until its
// deadline (never "deadlocked": a timer is armed), one fires it and the goroutine it readies runs.
template <class Sync>
struct TimerWakes : ModelTest<TimerWakes<Sync>, 2> {
  IdleHost<Sync> host{2, 1};
  unsigned ran = 0;

  void before() { host.arm_wake_timer(at_tick(4)); }
  void thread(unsigned w) {
    while (host.protocol.find_work(w)) {
      ++ran;
      --host.live;
      host.protocol.shutdown();
    }
  }
  void invariant() { check_spinners(host); }
  void after() {
    GORO_MODEL_CHECK(ran == 1, "the goroutine the timer readied ran");
    GORO_MODEL_CHECK(host.deadlock_reports == 0, "no deadlock reported while a timer was armed");
  }
};

// Planted bugs: one step of the protocol broken by the policy (a function-scoped mutation).
struct RelaxedNotify : Faithful {  // the pusher's half of the handshake relaxed
  static constexpr const char* mutate_in = "::notify(";
  static constexpr Mutation mutation = Mutation::relax_orders;
};
struct RelaxedSleep : Faithful {  // the sleeper's half of the handshake relaxed
  static constexpr const char* mutate_in = "::sleep(";
  static constexpr Mutation mutation = Mutation::relax_orders;
};
struct SpinnerNotDecremented : Faithful {  // stop_spinning() forgets to give its slot back
  static constexpr const char* mutate_in = "::stop_spinning(";
  static constexpr Mutation mutation = Mutation::drop_rmw;
};
struct SplitSpinClaim : Faithful {  // start_spinning()'s compare-exchange = a load, then a store
  static constexpr const char* mutate_in = "::start_spinning(";
  static constexpr Mutation mutation = Mutation::split_rmw;
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("idle", argc, argv);
  driver.scenario<PushRacesSleep<RelacySync, 1>>(
      "push_races_sleep", "a push while the other worker decides to sleep is run; at most max_spinning spin",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<ExternalSubmit<RelacySync, Submit::through_protocol>>(
      "external_submit", "a submission from outside the workers is run, never taken for a deadlock",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<PushRacesSleep<RelacySync, 0>>(
      "push_races_sleep_no_spinning", "the same with spinning off: every idle worker goes straight to sleep",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<SubmitToSleepers<RelacySync>>(
      "submit_to_sleepers", "both workers asleep (after spinning): a submission wakes one",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<TimerWakes<RelacySync>>(
      "timer_wakes", "workers sleep until the armed timer's deadline; no deadlock while it is armed",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<TimerAddedWakesSleeper<RelacySync>>(
      "timer_added_wakes_sleeper", "a timer armed by a busy worker wakes the sleeping one to fire it; never lost",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<RunsNextFoundByPoll<RelacySync, true>>(
      "runs_next_found_by_poll", "a runs_next push wakes nobody; the sleeper's poll runs it while its pusher computes",
      {rl::random_scheduler_type, 50000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.planted<RunsNextFoundByPoll<RelacySync, false>>(
      "runs_next_without_poll", "sleepers never poll: a runs_next push behind a computing worker is never run",
      Kind::deadlock, {rl::random_scheduler_type, 50000});
  driver.planted<PushRacesSleep<BasicRelacySync<RelaxedNotify>, 0>>(
      "relaxed_notify", "notify()'s read of the sleeper count relaxed: the wake-up is lost", Kind::deadlock,
      {rl::random_scheduler_type, 100000});
  driver.planted<PushRacesSleep<BasicRelacySync<RelaxedSleep>, 0>>(
      "relaxed_sleep", "sleep()'s announcement relaxed: its last look misses the push", Kind::deadlock,
      {rl::random_scheduler_type, 100000});
  driver.planted<SubmitToSleepers<BasicRelacySync<SpinnerNotDecremented>>>(
      "spinner_not_decremented", "a spinner never gives its slot back: pushes think it will find the work",
      Kind::deadlock, {rl::random_scheduler_type, 100000});
  driver.planted<SubmitToSleepers<BasicRelacySync<SplitSpinClaim>>>(
      "split_spin_claim", "the spinning slot claimed by load + store: more than max_spinning spin", Kind::invariant,
      {rl::random_scheduler_type, 100000});
  driver.planted<ExternalSubmit<RelacySync, Submit::unlocked>>(
      "submit_in_flight", "a goroutine counted alive but not yet queued, outside the lock: a false deadlock",
      Kind::assertion, {rl::fair_context_bound_scheduler_type, 0, 2});
#ifdef GORO_MODEL_MUTATION_TIMER_ADDED_LOADS
  // Built from a scratch copy of idle.hpp (models/CMakeLists.txt) whose timer_added() reads
  // nsleepers_ with a seq_cst load instead of the read-modify-write — the shipped code until the
  // scenario timer_added_wakes_sleeper found the lost wake-up.
  driver.planted<TimerAddedWakesSleeper<RelacySync>>(
      "timer_added_loads", "timer_added() loads the sleeper count: the deadline store and that load pass each other",
      Kind::deadlock, {rl::random_scheduler_type, 50000});
#endif
  return driver.run();
}
