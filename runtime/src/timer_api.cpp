// timer_api.cpp — sleep_for/sleep_until, after(), Timer and Ticker: the public API over the
// timers (goro/algo/timers.hpp), armed on the calling worker's heap (Scheduler::arm_timer).
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

// arm_sleep() is a SleepTimer's Arm: the park commit runs it on the sleeper's worker.
void arm_sleep(void* scheduler, TimerNode* timer, Clock::time_point when) {
  static_cast<Scheduler*>(scheduler)->arm_timer(timer, when);
}

}  // namespace

// A timer that sends on a channel (after(), Timer, Ticker), and the scheduler it re-arms on.
struct ChanTimer : algo::ChanTimer<RuntimeSync, RuntimeTimerHost, Chan<Clock::time_point>> {
  explicit ChanTimer(Scheduler& scheduler) : scheduler(&scheduler) { chan = make_chan<Clock::time_point>(1); }
  Scheduler* const scheduler;

  // discard_heap_owned() is after()'s TimerNode::discard: frees a node nobody holds.
  static void discard_heap_owned(TimerNode* node) { delete static_cast<ChanTimer*>(node); }
};

}  // namespace detail

void sleep_until(Clock::time_point deadline) {
  detail::Scheduler& scheduler = detail::current_scheduler("sleep_for/sleep_until");
  if (scheduler.winding_down()) throw cancelled();
  if (deadline <= Clock::now()) {
    yield();  // Go's Sleep(0) returns at once; we still let others run, which is never wrong
    return;
  }
  // Armed by the park commit (algo::ParkProtocol, through the Sync policy like every blocking
  // operation), once we are off our stack: it cannot fire earlier.
  detail::SleepTimer timer;
  if (!timer.sleep(deadline, &detail::arm_sleep, &scheduler)) throw cancelled();
}

void sleep_for(Clock::duration duration) { sleep_until(Clock::now() + duration); }

Chan<Clock::time_point> after(Clock::duration duration) {
  detail::Scheduler& scheduler = detail::current_scheduler("after()");
  auto* timer = new detail::ChanTimer(scheduler);
  timer->discard = &detail::ChanTimer::discard_heap_owned;
  Chan<Clock::time_point> result = timer->chan;  // before arming: from then on it may fire and free itself
  scheduler.arm_timer(timer, Clock::now() + duration);
  return result;
}

Timer::Timer(Clock::duration duration)
    : state_(std::make_unique<detail::ChanTimer>(detail::current_scheduler("Timer"))) {
  state_->scheduler->arm_timer(state_.get(), Clock::now() + duration);
}

Timer::~Timer() { detail::TimerHeap::stop(state_.get()); }

Chan<Clock::time_point> Timer::chan() const { return state_->chan; }

bool Timer::stop() { return detail::TimerHeap::stop(state_.get()); }

bool Timer::reset(Clock::duration duration) {
  return state_->scheduler->reset_timer(state_.get(), Clock::now() + duration);
}

Ticker::Ticker(Clock::duration period) {
  if (period <= Clock::duration::zero()) throw std::invalid_argument("goro: Ticker period must be positive");
  state_ = std::make_unique<detail::ChanTimer>(detail::current_scheduler("Ticker"));
  state_->scheduler->arm_timer(state_.get(), Clock::now() + period, period);
}

Ticker::~Ticker() { detail::TimerHeap::stop(state_.get()); }

Chan<Clock::time_point> Ticker::chan() const { return state_->chan; }

void Ticker::stop() { detail::TimerHeap::stop(state_.get()); }

void Ticker::reset(Clock::duration period) {
  if (period <= Clock::duration::zero()) throw std::invalid_argument("goro: Ticker period must be positive");
  state_->scheduler->reset_timer(state_.get(), Clock::now() + period, period);
}

}  // namespace goro
