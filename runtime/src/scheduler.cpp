// scheduler.cpp — see scheduler.hpp for the design (idle workers, deadlock, wind-down).
#include "scheduler.hpp"

#include <linux/futex.h>
#include <pthread.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cassert>
#include <climits>
#include <cstdio>
#include <ctime>
#include <stdexcept>

#include "context.hpp"
#include "goro/errors.hpp"
#include "overflow_guard.hpp"

namespace goro::detail {

namespace {

// initial-exec: a direct %fs-relative access instead of a __tls_get_addr call on every switch
// (libgoro is linked into executables or loaded at start-up, never dlopen()ed late).
[[gnu::tls_model("initial-exec")]] thread_local Worker* tls_worker = nullptr;

void futex_wait(std::atomic<std::uint32_t>& word, std::uint32_t expected, const timespec* relative) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAIT_PRIVATE, expected, relative, nullptr, 0);
}
void futex_wake(std::atomic<std::uint32_t>& word, int count) {
  syscall(SYS_futex, reinterpret_cast<std::uint32_t*>(&word), FUTEX_WAKE_PRIVATE, count, nullptr, nullptr, 0);
}

// What a goroutine's entry calls: the closure (entry) or, when it never started before the
// wind-down, only its destructor. Both stored at the bottom of the G by finish_spawn().
struct ClosureCalls {
  ClosureEntry run;
  ClosureEntry destroy;
};

}  // namespace

Worker* this_worker() noexcept {
  Worker* w = tls_worker;
  asm volatile("" ::: "memory");
  return w;
}

Scheduler::Scheduler(const Options& options) : options_(options), stacks_(options.stack_size) {
  if (options_.workers == 0 || options_.workers > 1024) {
    throw std::invalid_argument("goro: Options::workers must be between 1 and 1024, got " + std::to_string(options_.workers));
  }
  const PolicyRegistration* found = nullptr;
  for (const PolicyRegistration* r = policy_registry_begin(); r != policy_registry_end(); ++r) {
    if (r->policy == options_.policy) found = r;
  }
  if (found == nullptr) throw std::invalid_argument("goro: Options::policy is not a registered policy");
  const std::uint64_t seed = 0x6A09E667F3BCC908ull ^ static_cast<std::uint64_t>(::getpid());
  policy_ = found->make(options_.workers, seed);
  registry_ = std::vector<RegistryShard>(options_.workers + 1);
  for (unsigned i = 0; i < options_.workers; ++i) {
    workers_.push_back(std::make_unique<Worker>(this, i, armed_timers_, seed + 0x9E37ull * (i + 1)));
  }
  install_overflow_guard(&stacks_);
  for (auto& w : workers_) {
    Worker* worker = w.get();
    worker->thread = std::thread([this, worker] { worker_main(*worker); });
  }
}

Scheduler::~Scheduler() {
  shutdown_.store(true, std::memory_order_seq_cst);
  wake_all();
  for (auto& w : workers_) w->thread.join();
  remove_overflow_guard(&stacks_);
}

// ---------------------------------------------------------------- run() and its outcome

void Scheduler::run(void (*fn)(void*), void* arg) {
  if (this_worker() != nullptr) throw std::logic_error("goro: Runtime::run called from inside a goroutine");
  std::lock_guard run_lock(run_mutex_);
  winding_down_.store(false, std::memory_order_seq_cst);
  run_done_.store(0, std::memory_order_seq_cst);
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
  {
    // Under idle_mutex_: a worker deciding "deadlock" (live goroutines, nothing queued) must never
    // see main counted as live but not yet queued.
    std::lock_guard idle_lock(idle_mutex_);
    void* storage = nullptr;
    G* main = begin_spawn(nullptr, sizeof(Main), alignof(Main), &storage);
    ::new (storage) Main{fn, arg, this};
    publish_spawn(nullptr, main, &invoke_closure<Main>, &destroy_closure<Main>);
  }
  notify(false);

  while (run_done_.load(std::memory_order_acquire) == 0) futex_wait(run_done_, 0, nullptr);

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

void Scheduler::record_exception(std::exception_ptr error) {
  {
    std::lock_guard lock(outcome_mutex_);
    if (!first_exception_) first_exception_ = std::move(error);
  }
  begin_wind_down();
}

void Scheduler::begin_wind_down() { parking_.begin_wind_down(); }

Stats Scheduler::stats() const {
  Stats s;
  for (const auto& w : workers_) {
    s.goroutines_created += w->counters.goroutines_created.load(std::memory_order_relaxed);
    s.context_switches += w->counters.context_switches.load(std::memory_order_relaxed);
    s.worker_parks += w->counters.worker_parks.load(std::memory_order_relaxed);
    s.worker_wakes += w->counters.worker_wakes.load(std::memory_order_relaxed);
    s.goroutine_parks += w->counters.goroutine_parks.load(std::memory_order_relaxed);
    s.yields += w->counters.yields.load(std::memory_order_relaxed);
    s.timers_fired += w->counters.timers_fired.load(std::memory_order_relaxed);
    s.steals += w->policy_counters.steals.load(std::memory_order_relaxed);
    s.global_queue_pops += w->policy_counters.global_queue_pops.load(std::memory_order_relaxed);
  }
  s.goroutines_created += external_created_.load(std::memory_order_relaxed);
  s.worker_wakes += external_wakes_.load(std::memory_order_relaxed);
  s.stacks_mapped = stacks_.stacks_mapped();
  return s;
}

void Scheduler::release_memory() { stacks_.release_memory(); }

std::uint64_t Scheduler::random_below(std::uint64_t bound) {
  Worker* w = this_worker();
  if (w != nullptr) return w->rng.below(bound);
  thread_local Rng outside(0xD1B54A32D192ED03ull ^ reinterpret_cast<std::uintptr_t>(&outside));
  return outside.below(bound);
}

// ---------------------------------------------------------------- goroutine life-cycle

G* Scheduler::begin_spawn(Worker* spawner, std::size_t size, std::size_t align, void** closure) {
  if (winding_down()) throw cancelled();
  const std::size_t stack_size = stacks_.stack_size();
  if (size > stack_size / 4) throw std::length_error("goro: go() closure larger than a quarter of the stack");
  Stack stack;
  if (spawner != nullptr) {
    stack = stacks_.acquire(spawner->stack_cache);
  } else {
    std::lock_guard lock(external_mutex_);
    stack = stacks_.acquire(external_stack_cache_);
  }
  // Layout from the top of the stack down: G, ClosureCalls, the closure, then call frames.
  auto top = reinterpret_cast<std::uintptr_t>(stack.top());
  auto g_at = (top - sizeof(G)) & ~std::uintptr_t{63};
  G* g = ::new (reinterpret_cast<void*>(g_at)) G;
  auto calls_at = (g_at - sizeof(ClosureCalls)) & ~std::uintptr_t{alignof(ClosureCalls) - 1};
  auto closure_at = (calls_at - size) & ~std::uintptr_t{align - 1};
  auto sp = closure_at & ~std::uintptr_t{15};
  g->stack = stack;
  g->scheduler = this;
  g->closure = reinterpret_cast<void*>(closure_at);
  g->context = boost::context::detail::make_fcontext(reinterpret_cast<void*>(sp), sp - reinterpret_cast<std::uintptr_t>(stack.base),
                                                     &Scheduler::goroutine_entry);
  if (g->stack.tsan_fiber == nullptr) g->stack.tsan_fiber = fiber_annotations::tsan_create();
  g->tsan_fiber = g->stack.tsan_fiber;
  g->id = next_goroutine_id_.fetch_add(1, std::memory_order_relaxed);
  live_.fetch_add(1, std::memory_order_acq_rel);
  register_g(g, spawner != nullptr ? spawner->index : options_.workers);
  *closure = g->closure;
  return g;
}

void Scheduler::finish_spawn(Worker* spawner, G* g, ClosureEntry entry, ClosureEntry destroy) noexcept {
  publish_spawn(spawner, g, entry, destroy);
  notify(spawner != nullptr);
}

void Scheduler::publish_spawn(Worker* spawner, G* g, ClosureEntry entry, ClosureEntry destroy) noexcept {
  auto* calls = reinterpret_cast<ClosureCalls*>((reinterpret_cast<std::uintptr_t>(g) - sizeof(ClosureCalls)) &
                                                ~std::uintptr_t{alignof(ClosureCalls) - 1});
  calls->run = entry;
  calls->destroy = destroy;
  g->entry = entry;
  if (spawner != nullptr) {
    WorkerCounters::bump(spawner->counters.goroutines_created);
  } else {
    external_created_.fetch_add(1, std::memory_order_relaxed);
  }
  policy_->push(spawner != nullptr ? spawner->index : kNoWorker, g, SchedulerPolicy::Reason::spawned);
}

void Scheduler::abort_spawn(Worker* spawner, G* g) noexcept {
  unregister_g(g);
  Stack stack = g->stack;
  g->~G();
  if (spawner != nullptr) {
    stacks_.release(spawner->stack_cache, stack);
  } else {
    std::lock_guard lock(external_mutex_);
    stacks_.release(external_stack_cache_, stack);
  }
  live_.fetch_sub(1, std::memory_order_acq_rel);
}

void Scheduler::goroutine_entry(boost::context::detail::transfer_t in) {
  auto* w = static_cast<Worker*>(in.data);
  w->sched_context = in.fctx;
  fiber_annotations::asan_finish(nullptr, &w->thread_stack_bottom, &w->thread_stack_size);
  G* g = w->current;
  g->worker = w;
  Scheduler* self = g->scheduler;
  auto* calls = reinterpret_cast<ClosureCalls*>((reinterpret_cast<std::uintptr_t>(g) - sizeof(ClosureCalls)) &
                                                ~std::uintptr_t{alignof(ClosureCalls) - 1});
  if (self->winding_down()) {
    calls->destroy(g->closure);  // wound down before it ever ran: Go would never run it either
  } else {
    try {
      calls->run(g->closure);
    } catch (const cancelled&) {
      // the normal end of a goroutine that was wound down
    } catch (...) {
      self->record_exception(std::current_exception());
    }
  }
  Worker* now = g->worker;
  now->action = SwitchAction::exit;
  leave(*g, /*exiting=*/true);
  std::abort();  // unreachable: an exited goroutine is never resumed
}

void Scheduler::goroutine_exited(Worker& w, G* g) {
  unregister_g(g);
  parking_.exited(g);
  Stack stack = g->stack;
  g->~G();
  stacks_.release(w.stack_cache, stack);
  if (live_.fetch_sub(1, std::memory_order_acq_rel) == 1) {
    run_done_.store(1, std::memory_order_release);
    futex_wake(run_done_, 1);
  }
}

void Scheduler::register_g(G* g, unsigned shard_index) {
  RegistryShard& shard = registry_[shard_index];
  g->registry_shard = shard_index;
  std::lock_guard lock(shard.lock);
  g->registry_prev = nullptr;
  g->registry_next = shard.head;
  if (shard.head != nullptr) shard.head->registry_prev = g;
  shard.head = g;
}

void Scheduler::unregister_g(G* g) {
  RegistryShard& shard = registry_[g->registry_shard];
  std::lock_guard lock(shard.lock);
  if (g->registry_prev != nullptr) {
    g->registry_prev->registry_next = g->registry_next;
  } else {
    shard.head = g->registry_next;
  }
  if (g->registry_next != nullptr) g->registry_next->registry_prev = g->registry_prev;
}

// ---------------------------------------------------------------- switching out and back

void Scheduler::yield(G* g) {
  Worker* w = g->worker;
  WorkerCounters::bump(w->counters.yields);
  w->action = SwitchAction::yield;
  leave(*g, false);
}

void Scheduler::park(G* g, WaitCtx& ctx, void (*unlock)(void*), void* arg) { parking_.park(g, ctx, unlock, arg); }

void Scheduler::switch_out(G* g, WaitCtx& ctx, void (*unlock)(void*), void* arg) {
  Worker* w = g->worker;
  w->action = SwitchAction::park;
  w->park_ctx = &ctx;
  w->park_unlock = unlock;
  w->park_unlock_arg = arg;
  leave(*g, false);
}

void Scheduler::commit_park(Worker& w, G* g) {
  WorkerCounters::bump(w.counters.goroutine_parks);
  parking_.commit(g, *w.park_ctx, w.park_unlock, w.park_unlock_arg);
}

void Scheduler::ready(G* g) noexcept { parking_.ready(g); }

void Scheduler::enqueue(G* g) noexcept {
  Worker* w = this_worker();
  const bool ours = w != nullptr && w->scheduler == this;
  policy_->push(ours ? w->index : kNoWorker, g, SchedulerPolicy::Reason::woken);
  notify(ours);
}

void Scheduler::run_goroutine(Worker& w, G* g) {
  w.current = g;
  g->worker = &w;
  parking_.started(g);
  WorkerCounters::bump(w.counters.context_switches);
  w.action = SwitchAction::none;
  enter(w, *g);
  w.current = nullptr;
  switch (w.action) {
    case SwitchAction::yield:
      parking_.yielded(g);
      policy_->push(w.index, g, SchedulerPolicy::Reason::yielded);
      break;
    case SwitchAction::park:
      commit_park(w, g);
      break;
    case SwitchAction::exit:
      goroutine_exited(w, g);
      break;
    case SwitchAction::none:
      assert(false && "a goroutine switched out without saying why");
      break;
  }
}

// ---------------------------------------------------------------- workers and idling

void Scheduler::worker_main(Worker& w) {
  tls_worker = &w;
  install_alternate_signal_stack();
  w.exception_state = current_exception_state();
  w.tsan_fiber = fiber_annotations::tsan_current();
  pthread_attr_t attr;
  if (pthread_getattr_np(pthread_self(), &attr) == 0) {
    void* addr = nullptr;
    std::size_t size = 0;
    pthread_attr_getstack(&attr, &addr, &size);
    w.thread_stack_bottom = addr;
    w.thread_stack_size = size;
    pthread_attr_destroy(&attr);
  }
  while (!shutdown_.load(std::memory_order_acquire)) {
    G* g = find_work(w);
    if (g != nullptr) run_goroutine(w, g);
  }
  tls_worker = nullptr;
}

void Scheduler::run_timers(Worker& w, bool all_heaps) {
  const Clock::time_point now = Clock::now();
  if (!all_heaps) {
    if (w.timers.maybe_due(now)) w.timers.run_due(now, w.counters.timers_fired);
    return;
  }
  for (auto& other : workers_) {
    if (other->timers.maybe_due(now)) other->timers.run_due(now, w.counters.timers_fired);
  }
}

G* Scheduler::find_work(Worker& w) {
  for (;;) {
    if (w.timers.next_deadline() != Clock::time_point::max()) run_timers(w, false);
    if (G* g = policy_->pop(w.index, w.policy_counters)) return g;
    if (shutdown_.load(std::memory_order_acquire)) return nullptr;

    // Spin: poll (and steal) for a short while before paying for a futex sleep.
    if (nspinning_.load(std::memory_order_relaxed) < max_spinning()) {
      nspinning_.fetch_add(1, std::memory_order_seq_cst);
      const auto until = Clock::now() + kSpinTime;
      G* found = nullptr;
      unsigned polls = 0;
      while (found == nullptr) {
        found = policy_->pop(w.index, w.policy_counters);
        if (found != nullptr) break;
        if ((++polls & 15) == 0) {
          run_timers(w, true);
          if (Clock::now() >= until || shutdown_.load(std::memory_order_relaxed)) break;
        }
        sync::spin_pause();
      }
      nspinning_.fetch_sub(1, std::memory_order_seq_cst);
      if (found != nullptr) {
        notify(true);  // we stop spinning: let a sleeper take over, in case there is more work
        return found;
      }
    }
    run_timers(w, true);
    if (G* g = policy_->pop(w.index, w.policy_counters)) return g;
    sleep(w);
  }
}

Clock::time_point Scheduler::earliest_deadline() const {
  Clock::time_point earliest = Clock::time_point::max();
  for (const auto& w : workers_) earliest = std::min(earliest, w->timers.next_deadline());
  return earliest;
}

void Scheduler::sleep(Worker& w) {
  std::size_t deadlocked = 0;
  {
    std::unique_lock lock(idle_mutex_);
    w.in_sleepers = true;
    sleepers_.push_back(&w);
    // A seq_cst read-modify-write: a full barrier between announcing ourselves and re-checking.
    const unsigned sleeping = nsleepers_.fetch_add(1, std::memory_order_seq_cst) + 1;
    const Clock::time_point deadline = earliest_deadline();
    const bool timer_due = deadline <= Clock::now();
    if (policy_->has_work() || shutdown_.load(std::memory_order_seq_cst) || timer_due) {
      sleepers_.erase(std::find(sleepers_.begin(), sleepers_.end(), &w));
      w.in_sleepers = false;
      nsleepers_.fetch_sub(1, std::memory_order_seq_cst);
      return;
    }
    if (sleeping == options_.workers && armed_timers_.load(std::memory_order_seq_cst) == 0 &&
        live_.load(std::memory_order_seq_cst) > 0 && !winding_down_.load(std::memory_order_seq_cst)) {
      // Every worker is here, nothing is queued, no timer can fire: every goroutine is parked.
      deadlocked = live_.load(std::memory_order_seq_cst);
      sleepers_.erase(std::find(sleepers_.begin(), sleepers_.end(), &w));
      w.in_sleepers = false;
      nsleepers_.fetch_sub(1, std::memory_order_seq_cst);
    } else {
      w.futex_word.store(0, std::memory_order_relaxed);
      lock.unlock();
      WorkerCounters::bump(w.counters.worker_parks);
      if (deadline == Clock::time_point::max()) {
        futex_wait(w.futex_word, 0, nullptr);
      } else {
        const auto wait = std::max<Clock::duration>(deadline - Clock::now(), Clock::duration::zero());
        const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
        timespec relative{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
        futex_wait(w.futex_word, 0, &relative);
      }
      lock.lock();
      if (w.in_sleepers) {  // timed out or woke spuriously: nobody removed us
        sleepers_.erase(std::find(sleepers_.begin(), sleepers_.end(), &w));
        w.in_sleepers = false;
        nsleepers_.fetch_sub(1, std::memory_order_seq_cst);
      }
      return;
    }
  }
  {
    std::lock_guard lock(outcome_mutex_);
    deadlocked_goroutines_ = deadlocked;
  }
  begin_wind_down();
}

void Scheduler::notify(bool by_own_worker) noexcept {
  // The only worker pushed it: it is awake and will run it; nobody can be asleep.
  if (by_own_worker && options_.workers == 1) return;
  // The push that precedes us must be visible before we read the idle counts (Dekker with
  // sleep()): a seq_cst read-modify-write is the full barrier (and ThreadSanitizer sees it,
  // where it ignores fences).
  if (nsleepers_.fetch_add(0, std::memory_order_seq_cst) == 0 || nspinning_.load(std::memory_order_seq_cst) > 0) return;
  wake_one_sleeper();
}

void Scheduler::wake_one_sleeper() noexcept {
  Worker* sleeper = nullptr;
  {
    std::lock_guard lock(idle_mutex_);
    if (sleepers_.empty()) return;
    sleeper = sleepers_.back();
    sleepers_.pop_back();
    sleeper->in_sleepers = false;
    nsleepers_.fetch_sub(1, std::memory_order_seq_cst);
    sleeper->futex_word.store(1, std::memory_order_release);
  }
  futex_wake(sleeper->futex_word, 1);
  Worker* self = this_worker();
  if (self != nullptr && self->scheduler == this) {
    WorkerCounters::bump(self->counters.worker_wakes);
  } else {
    external_wakes_.fetch_add(1, std::memory_order_relaxed);
  }
}

void Scheduler::wake_all() noexcept {
  std::lock_guard lock(idle_mutex_);
  for (Worker* sleeper : sleepers_) {
    sleeper->in_sleepers = false;
    sleeper->futex_word.store(1, std::memory_order_release);
    futex_wake(sleeper->futex_word, 1);
  }
  nsleepers_.store(0, std::memory_order_seq_cst);
  sleepers_.clear();
}

void Scheduler::add_timer(TimerNode* node) {
  Worker* w = this_worker();
  Worker& target = (w != nullptr && w->scheduler == this) ? *w : *workers_.front();
  // A new earliest deadline: a sleeping worker may be sleeping past it. Wake one to re-plan.
  if (target.timers.add(node) && nsleepers_.load(std::memory_order_seq_cst) > 0) wake_one_sleeper();
}

}  // namespace goro::detail
