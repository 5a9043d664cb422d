// scheduler.cpp — a Runtime's scheduler: construction, run() and its outcome (the Host of the
// run-end protocol, goro/algo/run_end.hpp), statistics. The other jobs have a file each:
// spawn.cpp (goroutine life-cycle), parking.cpp (switching out and back: the park protocol's
// Host), idle.cpp (the worker loop: the idle protocol's Host).
#include "scheduler.hpp"

#include <unistd.h>

#include <stdexcept>
#include <string>

#include "futex.hpp"
#include "goro/errors.hpp"
#include "overflow_guard.hpp"

namespace goro::detail {

Scheduler::Scheduler(const Options& options) : options_(options), stacks_(options.stack_size) {
  if (options_.workers == 0 || options_.workers > 1024) {
    throw std::invalid_argument("goro: Options::workers must be between 1 and 1024, got " + std::to_string(options_.workers));
  }
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
  const std::uint64_t seed = 0x6A09E667F3BCC908ull;  // the same run for the same schedule seed
#else
  const std::uint64_t seed = 0x6A09E667F3BCC908ull ^ static_cast<std::uint64_t>(::getpid());
#endif
  policy_ = options_.policy.registration().make(options_.workers, seed);
  if (policy_ == nullptr) {
    throw std::invalid_argument("goro: the factory of policy '" + std::string(options_.policy.name()) + "' returned no policy");
  }
  for (unsigned i = 0; i < options_.workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(this, i, armed_timers_, seed + 0x9E37ull * (i + 1)));
  }
  if (!options_.trace.empty()) start_trace();
  if (options_.wake_latency) wake_latency_ = std::make_unique<WakeLatency>(options_.workers);
  install_overflow_guard(&stacks_);
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
  sync::det::add_runtime(this, [](void* self, std::string& out) { static_cast<Scheduler*>(self)->describe_stopped(out); });
#endif
  for (auto& w : workers_) {
    Worker* worker = w.get();
    worker->thread = OsThread::start([this, worker] { worker_main(*worker); });
  }
}

Scheduler::~Scheduler() {
  idle_.shutdown();
  for (auto& w : workers_) w->thread.join();
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
  sync::det::remove_runtime(this);
#endif
  remove_overflow_guard(&stacks_);
}

// ---------------------------------------------------------------- run() and its outcome

void Scheduler::run(void (*fn)(void*), void* arg) {
  if (this_worker() != nullptr) throw std::logic_error("goro: Runtime::run called from inside a goroutine");
  std::lock_guard run_lock(run_mutex_);
  const std::uint32_t epoch = run_end_.begin_run();
  first_exception_ = nullptr;
  deadlocked_goroutines_ = 0;

  struct Main {
    void (*fn)(void*);
    void* arg;
    Scheduler* scheduler;
    void operator()() {
      fn(arg);
      scheduler->begin_wind_down();  // like Go's main returning: the rest of the program stops
    }
  };
  // Through the idle protocol's lock: a worker deciding "deadlock" (live goroutines, nothing
  // queued) must never see main counted as live but not yet queued.
  idle_.submit_external([&] {
    void* storage = nullptr;
    G* main = begin_spawn(nullptr, sizeof(Main), alignof(Main), &storage);
    ::new (storage) Main{fn, arg, this};
    publish_spawn(nullptr, main, &invoke_closure<Main>, &destroy_closure<Main>);
  });

  run_end_.wait(epoch);

  for (auto& w : workers_) w->timers.purge();
  std::size_t deadlocked;
  std::exception_ptr error;
  {
    std::lock_guard lock(outcome_mutex_);
    deadlocked = deadlocked_goroutines_;
    error = first_exception_;
    first_exception_ = nullptr;
  }
  if (error) std::rethrow_exception(error);
  if (deadlocked > 0) throw deadlock_error(deadlocked);
}

void Scheduler::wait_for_run_end(std::atomic<std::uint32_t>& word, std::uint32_t seen) { futex_wait(word, seen, nullptr); }

void Scheduler::wake_run_waiter(std::atomic<std::uint32_t>& word) { futex_wake(word, 1); }

void Scheduler::record_exception(std::exception_ptr error) {
  {
    std::lock_guard lock(outcome_mutex_);
    if (!first_exception_) first_exception_ = std::move(error);
  }
  begin_wind_down();
}

#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
void Scheduler::describe_stopped(std::string& out) {
  std::size_t count = 0;
  registry_.for_each_stopped([&](G* g) {
    const algo::GoroutineState state = g->park.state.peek();
    out += "  goroutine " + std::to_string(g->id) + ": " + std::string(algo::to_string(state));
    if (state == algo::GoroutineState::running && g->worker != nullptr) {
      out += " on worker " + std::to_string(g->worker->index);
    }
    out += "\n";
    ++count;
  });
  out += "  (" + std::to_string(count) + " live goroutine" + (count == 1 ? "" : "s") + " in runtime of policy " +
         std::string(options_.policy.name()) + ", " + std::to_string(options_.workers) + " workers)\n";
}
#endif

Stats Scheduler::stats() const {
  Stats s;
  s.policy = options_.policy.name();
  for (const auto& w : workers_) {
    s.goroutines_created += w->counters.goroutines_created.load(std::memory_order_relaxed);
    s.context_switches += w->counters.context_switches.load(std::memory_order_relaxed);
    s.worker_parks += w->counters.worker_sleeps.load(std::memory_order_relaxed);
    s.worker_wakes += w->counters.worker_wakes.load(std::memory_order_relaxed);
    s.worker_spins += w->counters.worker_spins.load(std::memory_order_relaxed);
    s.worker_spins_empty += w->counters.worker_spins_empty.load(std::memory_order_relaxed);
    s.goroutine_parks += w->counters.goroutine_parks.load(std::memory_order_relaxed);
    s.yields += w->counters.yields.load(std::memory_order_relaxed);
    s.timers_fired += w->counters.timers_fired.load(std::memory_order_relaxed);
    s.steals += w->policy_counters.steals.load(std::memory_order_relaxed);
    s.global_queue_pops += w->policy_counters.global_queue_pops.load(std::memory_order_relaxed);
  }
  s.goroutines_created += external_created_.load(std::memory_order_relaxed);
  s.worker_wakes += external_wakes_.load(std::memory_order_relaxed);
  s.stacks_mapped = stacks_.stacks_mapped();
  if (wake_latency_) s.wake_latency = wake_latency_->histogram();
  return s;
}

void Scheduler::release_memory() { stacks_.release_memory(); }

}  // namespace goro::detail
