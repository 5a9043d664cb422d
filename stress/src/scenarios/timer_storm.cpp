// timer_storm.cpp — sleeps, after(), Timer stop/reset races and Tickers, hundreds at a time.
//
// Each trial starts 50–300 goroutines, each doing one of: sleep_for / sleep_until; a select on
// after(d) and a channel nobody sends on; a Timer whose stop() races another goroutine (on
// another worker when there is one); a Timer whose reset() races the firing; a Ticker received a
// few times, then stopped. Durations are 0–3 ms so that many timers are pending at once and the
// per-worker heaps, the scheduler's timer checks and a sleeping worker's deadline all get used.
// Invariants: no timer fires early (a sleep returns no earlier than its deadline; a delivered
// time is >= the deadline that armed it and <= the time it was received); none is lost (a
// pending timer always delivers — a lost one ends in a hang or a deadlock_error); a stop() that
// returned true means nothing is ever delivered; after a reset() that found the timer pending,
// the only delivery is >= the new deadline; the k-th tick of a Ticker is >= start + k·period and
// ticks are increasing; a stopped Ticker delivers at most the one tick already buffered.
#include <atomic>
#include <chrono>
#include <string>

#include "../stress.hpp"

namespace goro_stress {
namespace {

using std::chrono::microseconds;
using TimePoint = goro::Clock::time_point;

struct Tally {
  std::atomic<std::uint64_t> operations{0};
  std::atomic<bool> failed{false};
  std::string first_failure;  // written by the first goroutine that flips `failed`
  void fail(std::string what) {
    if (!failed.exchange(true)) first_failure = std::move(what);
  }
  void expect(bool ok, const char* what) {
    if (!ok) fail(what);
  }
};

// chan_of() copies a timer's channel handle: Timer::chan() is const, Chan::recv() is not.
template <class T>
goro::Chan<TimePoint> chan_of(const T& timer) {
  return timer.chan();
}

microseconds draw(Rng& r, unsigned max_us) { return microseconds(r.below(max_us + 1)); }

void sleeper(Rng r, Tally& t) {
  const microseconds d = draw(r, 3000);
  const TimePoint start = goro::Clock::now();
  if (r.chance(2)) {
    goro::sleep_for(d);
  } else {
    goro::sleep_until(start + d);
  }
  t.expect(goro::Clock::now() >= start + d, "sleep returned before its deadline");
  t.operations.fetch_add(1);
}

void after_in_select(Rng r, Tally& t, const goro::Chan<int>& never) {
  const microseconds d = draw(r, 3000);
  const TimePoint start = goro::Clock::now();
  std::optional<TimePoint> fired;
  goro::select(goro::case_recv(goro::after(d), [&](std::optional<TimePoint> v) { fired = v; }),
               goro::case_recv(never, [&](std::optional<int>) { t.fail("received on a channel nobody sends on"); }));
  const TimePoint now = goro::Clock::now();
  t.expect(fired.has_value(), "after() channel delivered no value");
  t.expect(fired && *fired >= start + d, "after() fired before its deadline");
  t.expect(fired && *fired <= now, "after() delivered a time later than its receipt");
  t.operations.fetch_add(1);
}

void stop_race(Rng r, Tally& t) {
  const microseconds d = draw(r, 2000);
  const TimePoint start = goro::Clock::now();
  goro::Timer timer(d);
  auto done = goro::make_chan<bool>(1);
  const unsigned yields = static_cast<unsigned>(r.below(20));
  goro::go([&timer, done, yields]() mutable {
    for (unsigned i = 0; i < yields; ++i) goro::yield();
    done.send(timer.stop());
  });
  const bool stopped = *done.recv();
  if (stopped) {
    goro::sleep_until(start + d + microseconds(500));
    t.expect(!chan_of(timer).try_recv().has_value(), "a Timer delivered although stop() returned true");
  } else {
    const std::optional<TimePoint> v = chan_of(timer).recv();  // must come: stop() found it fired
    t.expect(v && *v >= start + d, "Timer fired before its deadline (stop race)");
    t.expect(v && *v <= goro::Clock::now(), "Timer delivered a time later than its receipt");
  }
  t.operations.fetch_add(2);
}

void reset_race(Rng r, Tally& t) {
  const microseconds d1 = draw(r, 2000);
  const microseconds d2 = draw(r, 2000);
  const TimePoint start = goro::Clock::now();
  goro::Timer timer(d1);
  auto done = goro::make_chan<std::pair<bool, TimePoint>>(1);
  const unsigned yields = static_cast<unsigned>(r.below(20));
  goro::go([&timer, done, yields, d2]() mutable {
    for (unsigned i = 0; i < yields; ++i) goro::yield();
    const TimePoint before = goro::Clock::now();
    done.send({timer.reset(d2), before});
  });
  const auto [was_pending, reset_at] = *done.recv();
  const std::optional<TimePoint> v = chan_of(timer).recv();  // the first delivery must come
  t.expect(v && *v <= goro::Clock::now(), "Timer delivered a time later than its receipt");
  if (was_pending) {
    t.expect(v && *v >= reset_at + d2, "after reset() found the timer pending, it fired before the new deadline");
  } else {
    t.expect(v && *v >= start + d1, "Timer fired before its deadline (reset race)");
    // The re-armed timer fires again; its delivery may be dropped only if the buffer was full.
    std::optional<TimePoint> again;
    goro::select(goro::case_recv(timer.chan(), [&](std::optional<TimePoint> w) { again = w; }),
                 goro::case_recv(goro::after(d2 + microseconds(3000))));
    t.expect(!again || *again >= reset_at + d2, "re-armed Timer fired before its new deadline");
  }
  t.operations.fetch_add(2);
}

void ticker(Rng r, Tally& t) {
  const microseconds period(r.between(100, 1000));
  const unsigned ticks = static_cast<unsigned>(r.between(1, 4));
  const TimePoint start = goro::Clock::now();
  goro::Ticker tick(period);
  TimePoint last{};
  for (unsigned k = 1; k <= ticks; ++k) {
    const std::optional<TimePoint> v = chan_of(tick).recv();
    t.expect(v && *v >= start + k * period, "k-th tick earlier than start + k*period");
    t.expect(v && *v > last, "ticks are not increasing");
    if (v) last = *v;
    if (r.chance(3)) goro::sleep_for(period * 2);  // a slow receiver: the ticker drops ticks
  }
  tick.stop();
  const TimePoint stopped = goro::Clock::now();
  goro::sleep_for(period * 3);
  unsigned late = 0;
  while (auto v = chan_of(tick).try_recv()) {
    ++late;
    t.expect(*v <= stopped, "a tick was delivered after stop()");
  }
  t.expect(late <= 1, "a stopped Ticker delivered more than the one buffered tick");
  t.operations.fetch_add(ticks + 1);
}

std::uint64_t trial(Rng& rng) {
  Tally tally;
  auto never = goro::make_chan<int>();
  const unsigned goroutines = static_cast<unsigned>(rng.between(50, 300));
  goro::WaitGroup wg;
  wg.add(static_cast<int>(goroutines));
  for (unsigned i = 0; i < goroutines; ++i) {
    goro::go([&, r = Rng(rng.next()), kind = rng.below(5)]() mutable {
      switch (kind) {
        case 0: sleeper(r, tally); break;
        case 1: after_in_select(r, tally, never); break;
        case 2: stop_race(r, tally); break;
        case 3: reset_race(r, tally); break;
        default: ticker(r, tally);
      }
      wg.done();
    });
  }
  wg.wait();
  require(!tally.failed.load(), tally.first_failure);
  return tally.operations.load();
}

std::uint64_t round(const RoundContext& ctx) { return trials_on_one_runtime(ctx, &trial); }

}  // namespace

const Scenario timer_storm_scenario{
    "timer-storm",
    "hundreds of concurrent sleeps, after() in selects, Timer stop/reset races and Tickers (0-3 ms)",
    "nothing fires early; nothing is lost; stop()==true means no delivery; reset() of a pending timer delivers only after the new deadline; ticks k*period apart",
    &round,
};

}  // namespace goro_stress
