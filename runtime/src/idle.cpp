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

TimerHeap& Scheduler::timer_heap_here() {
  Worker* w = this_worker();
  return (w != nullptr && w->scheduler == this) ? w->timers : workers_.front()->timers;
}

void Scheduler::arm_timer(TimerNode* node, Clock::time_point when, Clock::duration period) {
  if (timer_heap_here().add(node, when, period)) idle_.timer_added();
}

bool Scheduler::reset_timer(TimerNode* node, Clock::time_point when, Clock::duration period) {
  const TimerHeap::Rearmed rearmed = TimerHeap::reset(node, timer_heap_here(), when, period);
  if (rearmed.earliest) idle_.timer_added();
  return rearmed.was_armed;
}

// ---------------------------------------------------------------- the idle protocol's Host

void Scheduler::run_due_timers(Worker* w, bool all_heaps) {
  const TimersSpan traced(tracer_.get(), w);
  // Counted by the firing worker (its counters have one writer: itself).
  auto counted = [w] { WorkerCounters::bump(w->counters.timers_fired); };
  const Clock::time_point now = Clock::now();
  if (!all_heaps) {
    if (w->timers.maybe_due(now)) w->timers.run_due(now, counted);
    return;
  }
  for (auto& other : workers_) {
    if (other->timers.maybe_due(now)) other->timers.run_due(now, counted);
  }
}

Clock::time_point Scheduler::earliest_deadline() const {
  Clock::time_point earliest = TimerHeap::never();
  for (const auto& w : workers_) earliest = std::min(earliest, w->timers.next_deadline());
  return earliest;
}

void Scheduler::wait(IdleSlot& slot, Clock::time_point deadline) {
  const SleepSpan traced(tracer_.get(), this_worker(), deadline != TimerHeap::never());
  if (deadline == TimerHeap::never()) {
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
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
  sync::det::failure("all goroutines are asleep - deadlock!");  // the failing step a replay stops at
#endif
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
