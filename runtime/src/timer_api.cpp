// timer_api.cpp — sleep_for/sleep_until, after(), Timer and Ticker on the scheduler's timer heaps.
#include <stdexcept>

#include "goro/errors.hpp"
#include "goro/go.hpp"
#include "goro/timer.hpp"
#include "scheduler.hpp"
#include "timers.hpp"

namespace goro {

namespace detail {

namespace {

Scheduler& current_scheduler(const char* what) {
  G* g = current_g();
  if (g == nullptr) throw std::logic_error(std::string("goro: ") + what + " called outside a goroutine");
  return *g->scheduler;
}

// A sleeping goroutine's timer: lives on the sleeper's stack.
struct SleepTimer : TimerNode {
  WaitContext* ctx = nullptr;
  Scheduler* scheduler = nullptr;
};

void fire_sleep(TimerNode* node) {
  auto* timer = static_cast<SleepTimer*>(node);
  WaitContext* ctx = timer->ctx;
  const bool claimed = ctx->try_claim();
  TimerHeap::finish_firing(node, Clock::now());  // after this the node may be freed
  if (claimed) RuntimeSync::ready(ctx->goroutine);  // the park protocol's ready(), as every waker's
}

void arm_sleep(void* node) {
  auto* timer = static_cast<SleepTimer*>(node);
  timer->scheduler->add_timer(timer);
}

}  // namespace

// A timer that sends on a channel: after(), Timer, Ticker.
struct ChanTimer : TimerNode {
  Chan<Clock::time_point> chan;
  Scheduler* scheduler = nullptr;
  bool owned_by_heap = false;  // after(): nobody holds a handle; the firing deletes it

  static void fire_and_send(TimerNode* node) {
    auto* timer = static_cast<ChanTimer*>(node);
    const Clock::time_point now = Clock::now();
    Clock::time_point value = now;
    timer->chan.try_send(value);  // capacity 1: a slow receiver misses ticks, as in Go
    const bool delete_after = timer->owned_by_heap;
    TimerHeap::finish_firing(node, now);
    if (delete_after) delete timer;
  }
  static void discard_unfired(TimerNode* node) { delete static_cast<ChanTimer*>(node); }
};

}  // namespace detail

void sleep_until(Clock::time_point deadline) {
  detail::Scheduler& scheduler = detail::current_scheduler("sleep_for/sleep_until");
  if (scheduler.winding_down()) throw cancelled();
  if (deadline <= Clock::now()) {
    yield();  // Go's Sleep(0) returns at once; we still let others run, which is never wrong
    return;
  }
  detail::WaitContext ctx;
  ctx.goroutine = detail::current_g();
  ctx.reason = algo::WaitReason::sleep;
  detail::SleepTimer timer;
  timer.when = deadline;
  timer.fire = &detail::fire_sleep;
  timer.ctx = &ctx;
  timer.scheduler = &scheduler;
  // The timer is armed by the park commit (algo::ParkProtocol, through the Sync policy like
  // every blocking operation), once we are off our stack: it cannot fire earlier.
  detail::RuntimeSync::park(ctx, &detail::arm_sleep, &timer);
  if (ctx.cancelled.load()) {
    detail::TimerHeap::remove(&timer);
    throw cancelled();
  }
}

void sleep_for(Clock::duration duration) { sleep_until(Clock::now() + duration); }

Chan<Clock::time_point> after(Clock::duration duration) {
  detail::Scheduler& scheduler = detail::current_scheduler("after()");
  auto* timer = new detail::ChanTimer;
  timer->chan = make_chan<Clock::time_point>(1);
  timer->when = Clock::now() + duration;
  timer->fire = &detail::ChanTimer::fire_and_send;
  timer->scheduler = &scheduler;
  timer->owned_by_heap = true;
  timer->discard = &detail::ChanTimer::discard_unfired;
  Chan<Clock::time_point> result = timer->chan;
  scheduler.add_timer(timer);
  return result;
}

Timer::Timer(Clock::duration duration) : state_(std::make_unique<detail::ChanTimer>()) {
  detail::Scheduler& scheduler = detail::current_scheduler("Timer");
  state_->chan = make_chan<Clock::time_point>(1);
  state_->when = Clock::now() + duration;
  state_->fire = &detail::ChanTimer::fire_and_send;
  state_->scheduler = &scheduler;
  scheduler.add_timer(state_.get());
}

Timer::~Timer() { detail::TimerHeap::remove(state_.get()); }

Chan<Clock::time_point> Timer::chan() const { return state_->chan; }

bool Timer::stop() { return detail::TimerHeap::remove(state_.get()); }

bool Timer::reset(Clock::duration duration) {
  const bool was_pending = detail::TimerHeap::remove(state_.get());
  state_->when = Clock::now() + duration;
  state_->scheduler->add_timer(state_.get());
  return was_pending;
}

Ticker::Ticker(Clock::duration period) : state_(std::make_unique<detail::ChanTimer>()) {
  if (period <= Clock::duration::zero()) throw std::invalid_argument("goro: Ticker period must be positive");
  detail::Scheduler& scheduler = detail::current_scheduler("Ticker");
  state_->chan = make_chan<Clock::time_point>(1);
  state_->when = Clock::now() + period;
  state_->period = period;
  state_->fire = &detail::ChanTimer::fire_and_send;
  state_->scheduler = &scheduler;
  scheduler.add_timer(state_.get());
}

Ticker::~Ticker() { detail::TimerHeap::remove(state_.get()); }

Chan<Clock::time_point> Ticker::chan() const { return state_->chan; }

void Ticker::stop() { detail::TimerHeap::remove(state_.get()); }

void Ticker::reset(Clock::duration period) {
  if (period <= Clock::duration::zero()) throw std::invalid_argument("goro: Ticker period must be positive");
  detail::TimerHeap::remove(state_.get());
  state_->period = period;
  state_->when = Clock::now() + period;
  state_->scheduler->add_timer(state_.get());
}

}  // namespace goro
