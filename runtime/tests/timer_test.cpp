// timer_test.cpp — sleep_for, after(), Timer and Ticker (issue 3).
//
// Timing rule of this suite: assert lower bounds only ("not early"). A shared 2-core machine can
// pause any thread for a long time, so "not late" can never be asserted without flakes.
#include <atomic>
#include <chrono>
#include <mutex>
#include <stdexcept>
#include <vector>

#include "goro_test.hpp"

namespace goro::testing {
namespace {

using Timers = RuntimeTest;
GORO_INSTANTIATE(Timers);

using std::chrono::milliseconds;

TEST_P(Timers, SleepForSleepsAtLeastTheDuration) {
  run([] {
    for (auto d : {milliseconds(1), milliseconds(15)}) {
      const auto start = Clock::now();
      sleep_for(d);
      EXPECT_GE(Clock::now() - start, d);
    }
  });
}

TEST_P(Timers, SleepForZeroOrNegativeReturns) {
  run([] {
    sleep_for(Clock::duration::zero());
    sleep_for(milliseconds(-5));
    sleep_until(Clock::now() - milliseconds(1));
  });
}

TEST_P(Timers, SleepUntilWakesNotBeforeTheDeadline) {
  run([] {
    const auto deadline = Clock::now() + milliseconds(10);
    sleep_until(deadline);
    EXPECT_GE(Clock::now(), deadline);
  });
}

// Many concurrent sleepers: every one wakes, none early (exercises the timer heaps of every
// worker and a worker sleeping until the next deadline).
TEST_P(Timers, ManySleepersAllWakeNotEarly) {
  const int sleepers = static_cast<int>(scaled(2'000));
  std::atomic<int> early{0};
  std::atomic<int> woke{0};
  run([&] {
    WaitGroup wg;
    wg.add(sleepers);
    for (int i = 0; i < sleepers; ++i) {
      go([&, i] {
        const auto d = milliseconds(1 + i % 20);
        const auto start = Clock::now();
        sleep_for(d);
        if (Clock::now() - start < d) early.fetch_add(1);
        woke.fetch_add(1);
        wg.done();
      });
    }
    wg.wait();
  });
  EXPECT_EQ(woke.load(), sleepers);
  EXPECT_EQ(early.load(), 0);
}

// Timers fire in deadline order: sleepers started latest-deadline first (so each new timer is
// earlier than every one already in the heap) wake earliest-deadline first. Asserted on one
// worker, whose single timer heap decides the order; with two, each worker has its own heap and
// the OS may delay either, so there only every wake-up is checked.
TEST_P(Timers, SleepersWakeInDeadlineOrder) {
  std::vector<int> order;
  std::mutex order_lock;  // held for a push_back only: never across a goroutine switch
  run([&] {
    WaitGroup wg;
    for (int i : {3, 2, 1}) {
      wg.add(1);
      go([&, i] {
        sleep_for(milliseconds(15 * i));
        {
          std::lock_guard lock(order_lock);
          order.push_back(i);
        }
        wg.done();
      });
    }
    wg.wait();
  });
  ASSERT_EQ(order.size(), 3u);
  if (GetParam().workers == 1) EXPECT_EQ(order, (std::vector<int>{1, 2, 3})) << "a later deadline fired first";
}

// While one goroutine sleeps, the others keep running: here, on one worker, a sleeper waits for
// a flag that only a runnable goroutine sets, so a sleep that blocked the worker would never end.
TEST_P(Timers, ASleepingGoroutineDoesNotHoldItsWorker) {
  run([] {
    std::atomic<bool> flag{false};
    go([&] {
      for (int i = 0; i < 5; ++i) yield();
      flag.store(true);
    });
    while (!flag.load()) sleep_for(milliseconds(1));
  });
}

// ---------------------------------------------------------------- after()

TEST_P(Timers, AfterFiresNotEarlyAndDeliversTheFiringTime) {
  run([] {
    const auto start = Clock::now();
    auto ch = after(milliseconds(10));
    EXPECT_EQ(ch.cap(), 1u);
    const std::optional<Clock::time_point> fired = ch.recv();
    ASSERT_TRUE(fired.has_value());
    EXPECT_GE(*fired - start, milliseconds(10));
    EXPECT_GE(Clock::now(), *fired);
  });
}

TEST_P(Timers, AfterAsATimeoutInSelect) {
  run([] {
    auto never = make_chan<int>();
    const auto start = Clock::now();
    bool timed_out = false;
    const std::size_t fired =
        select(case_recv(never), case_recv(after(milliseconds(10)), [&](auto) { timed_out = true; }));
    EXPECT_EQ(fired, 1u);
    EXPECT_TRUE(timed_out);
    EXPECT_GE(Clock::now() - start, milliseconds(10));
  });
}

// A result that is ready wins over a pending timeout, and a long timer left pending does not
// keep run() from returning (pending timers are discarded when the program ends).
TEST_P(Timers, AReadyResultBeatsATimeoutAndPendingTimersDoNotDelayTheEnd) {
  run([] {
    auto result = make_chan<int>();
    go([result]() mutable { result.send(1); });
    int got = 0;
    const std::size_t fired = select(case_recv(result, [&](std::optional<int> v) { got = *v; }),
                                     case_recv(after(std::chrono::hours(1))));
    EXPECT_EQ(fired, 0u);
    EXPECT_EQ(got, 1);
    Timer forgotten(std::chrono::hours(1));  // still pending when main returns
  });
}

// ---------------------------------------------------------------- Timer

TEST_P(Timers, TimerFiresOnceNotEarly) {
  run([] {
    const auto start = Clock::now();
    Timer timer(milliseconds(5));
    ASSERT_TRUE(timer.chan().recv().has_value());
    EXPECT_GE(Clock::now() - start, milliseconds(5));
    sleep_for(milliseconds(10));
    auto ch = timer.chan();
    EXPECT_EQ(ch.try_recv(), std::nullopt) << "a Timer fires once";
    EXPECT_FALSE(timer.stop()) << "stop() after firing reports it had fired";
  });
}

TEST_P(Timers, StoppedTimerNeverFires) {
  run([] {
    Timer timer(milliseconds(5));
    EXPECT_TRUE(timer.stop());
    EXPECT_FALSE(timer.stop()) << "second stop()";
    sleep_for(milliseconds(15));
    auto ch = timer.chan();
    EXPECT_EQ(ch.try_recv(), std::nullopt);
  });
}

// Blocking on a stopped timer's channel is a deadlock: no timer is pending any more.
TEST_P(Timers, WaitingOnAStoppedTimerIsADeadlock) {
  EXPECT_THROW(run([] {
                 Timer timer(milliseconds(5));
                 timer.stop();
                 auto ch = timer.chan();
                 ch.recv();
               }),
               deadlock_error);
}

TEST_P(Timers, TimerResetRearms) {
  run([] {
    Timer timer(std::chrono::hours(1));
    const auto reset_at = Clock::now();
    EXPECT_TRUE(timer.reset(milliseconds(5))) << "it was pending";
    ASSERT_TRUE(timer.chan().recv().has_value());
    EXPECT_GE(Clock::now() - reset_at, milliseconds(5));
    // Reset after it fired: it fires again.
    const auto again_at = Clock::now();
    EXPECT_FALSE(timer.reset(milliseconds(5))) << "it had fired";
    ASSERT_TRUE(timer.chan().recv().has_value());
    EXPECT_GE(Clock::now() - again_at, milliseconds(5));
    // Reset after stop: fires.
    EXPECT_FALSE(timer.stop());
    timer.reset(milliseconds(1));
    ASSERT_TRUE(timer.chan().recv().has_value());
  });
}

TEST_P(Timers, TimerDestroyedBeforeFiringIsHarmless) {
  run([] {
    for (int i = 0; i < 100; ++i) Timer timer(milliseconds(1 + i % 3));
    sleep_for(milliseconds(10));  // their deadlines pass with the timers gone
  });
}

TEST_P(Timers, StatsCountFiredTimers) {
  const Stats before = runtime().stats();
  run([] {
    sleep_for(milliseconds(1));
    after(milliseconds(1)).recv();
  });
  EXPECT_GE(runtime().stats().timers_fired - before.timers_fired, 2u);
}

// ---------------------------------------------------------------- Ticker

TEST_P(Timers, TickerTicksEveryPeriodNotEarly) {
  run([] {
    const auto period = milliseconds(3);
    const auto start = Clock::now();
    Ticker ticker(period);
    Clock::time_point previous = start;
    for (int k = 1; k <= 5; ++k) {
      const std::optional<Clock::time_point> tick = ticker.chan().recv();
      ASSERT_TRUE(tick.has_value());
      // The k-th tick received is at least the k-th tick (a slow receiver misses some).
      EXPECT_GE(*tick - start, k * period) << "tick " << k;
      EXPECT_GT(*tick, previous);
      previous = *tick;
    }
  });
}

TEST_P(Timers, StoppedTickerStopsTicking) {
  run([] {
    Ticker ticker(milliseconds(2));
    ticker.chan().recv();
    ticker.stop();
    auto ch = ticker.chan();
    ch.try_recv();  // a tick may have been buffered before the stop
    sleep_for(milliseconds(10));
    EXPECT_EQ(ch.try_recv(), std::nullopt);
  });
}

TEST_P(Timers, TickerResetChangesThePeriod) {
  run([] {
    Ticker ticker(std::chrono::hours(1));
    const auto start = Clock::now();
    ticker.reset(milliseconds(2));
    for (int k = 1; k <= 3; ++k) {
      ASSERT_TRUE(ticker.chan().recv().has_value());
      EXPECT_GE(Clock::now() - start, k * milliseconds(2));
    }
  });
}

TEST_P(Timers, TickerRejectsANonPositivePeriod) {
  run([] {
    EXPECT_THROW(Ticker(Clock::duration::zero()), std::invalid_argument);
    EXPECT_THROW(Ticker(milliseconds(-1)), std::invalid_argument);
    Ticker ticker(milliseconds(1));
    EXPECT_THROW(ticker.reset(Clock::duration::zero()), std::invalid_argument);
  });
}

}  // namespace
}  // namespace goro::testing
