// idle.cpp — the worker loop, and the Scheduler as the Host of the idle protocol
// (goro/algo/idle.hpp: spinning, the sleeper set, the notify/sleep handshake, the deadlock
// decision): the OS parts — the worker thread, the futex, the clock, the timer heaps.
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <ctime>

#include "context.hpp"
#include "futex.hpp"
#include "overflow_guard.hpp"
#include "scheduler.hpp"

namespace goro::detail {

void Scheduler::worker_main(Worker& w) {
  set_this_worker(&w);
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
  while (!idle_.shutting_down()) {
    G* g = idle_.find_work(&w);
    if (g != nullptr) run_goroutine(w, g);
  }
  set_this_worker(nullptr);
}

void Scheduler::add_timer(TimerNode* node) {
  Worker* w = this_worker();
  Worker& target = (w != nullptr && w->scheduler == this) ? *w : *workers_.front();
  if (target.timers.add(node)) idle_.timer_added();
}

// ---------------------------------------------------------------- the idle protocol's Host

void Scheduler::run_due_timers(Worker* w, bool all_heaps) {
  const TimersSpan traced(tracer_.get(), w);
  if (!all_heaps) {
    const Clock::time_point now = Clock::now();
    if (w->timers.maybe_due(now)) w->timers.run_due(now, w->counters.timers_fired);
    return;
  }
  const Clock::time_point now = Clock::now();
  for (auto& other : workers_) {
    if (other->timers.maybe_due(now)) other->timers.run_due(now, w->counters.timers_fired);
  }
}

Clock::time_point Scheduler::earliest_deadline() const {
  Clock::time_point earliest = Clock::time_point::max();
  for (const auto& w : workers_) earliest = std::min(earliest, w->timers.next_deadline());
  return earliest;
}

void Scheduler::wait(IdleSlot& slot, Clock::time_point deadline) {
  const SleepSpan traced(tracer_.get(), this_worker(), deadline != Clock::time_point::max());
  if (deadline == Clock::time_point::max()) {
    futex_wait(slot.wake_word, 0, nullptr);
    return;
  }
  const auto wait = std::max<Clock::duration>(deadline - Clock::now(), Clock::duration::zero());
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(wait).count();
  timespec relative{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
  futex_wait(slot.wake_word, 0, &relative);
}

void Scheduler::wake(IdleSlot& slot) {
  if (tracer_) trace_wake(slot);
  futex_wake(slot.wake_word, 1);
}

void Scheduler::deadlocked(std::size_t goroutines) {
  {
    std::lock_guard lock(outcome_mutex_);
    deadlocked_goroutines_ = goroutines;
  }
  begin_wind_down();
}

void Scheduler::count_wake() {
  Worker* self = this_worker();
  if (self != nullptr && self->scheduler == this) {
    WorkerCounters::bump(self->counters.worker_wakes);
  } else {
    external_wakes_.fetch_add(1, std::memory_order_relaxed);
  }
}

}  // namespace goro::detail
