// timer.hpp — Go's time.After, time.Timer and time.Ticker, on the runtime's timer heaps.
//
//   goro::select(goro::case_recv(results, on_result),
//                goro::case_recv(goro::after(std::chrono::milliseconds(50)), on_timeout));
//   goro::Ticker tick(std::chrono::milliseconds(10));
//   for (int i = 0; i < 3; ++i) tick.chan().recv();
//
// A timer delivers the time it fired on a channel with a buffer of one; a Ticker drops ticks a
// slow receiver missed, as Go's does. Timers must be created inside a goroutine and must not
// outlive their Runtime; pending timers are discarded when run() returns.
#pragma once

#include <memory>

#include "goro/chan.hpp"
#include "goro/go.hpp"

namespace goro {

namespace detail {
struct ChanTimer;
}

// after() returns a channel that receives the time once `duration` has passed.
Chan<Clock::time_point> after(Clock::duration duration);

class Timer {
 public:
  // Timer() fires once, `duration` from now.
  explicit Timer(Clock::duration duration);
  ~Timer();
  Timer(const Timer&) = delete;
  Timer& operator=(const Timer&) = delete;

  // chan() is where the firing time is delivered (a handle: `timer.chan().recv()` works).
  Chan<Clock::time_point> chan() const;
  // stop() prevents the timer from firing; false if it had already fired or been stopped.
  bool stop();
  // reset() re-arms the timer to fire `duration` from now; returns whether it was still pending.
  bool reset(Clock::duration duration);

 private:
  std::unique_ptr<detail::ChanTimer> state_;
};

class Ticker {
 public:
  // Ticker() delivers the time every `period` (period must be positive).
  explicit Ticker(Clock::duration period);
  ~Ticker();
  Ticker(const Ticker&) = delete;
  Ticker& operator=(const Ticker&) = delete;

  Chan<Clock::time_point> chan() const;
  // stop() turns the ticker off; no more ticks are sent.
  void stop();
  // reset() stops the ticker and restarts it with a new period.
  void reset(Clock::duration period);

 private:
  std::unique_ptr<detail::ChanTimer> state_;
};

}  // namespace goro
