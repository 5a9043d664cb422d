// planted_scenarios.cpp — two goro-stress scenarios with a planted defect, each proving one
// verdict of the driver's hang detector (driver.cpp). Never run by --all; named explicitly by
// the stress.planted.* tests with a short --stall-seconds.
//
//   planted-lost-wakeup  a receiver parks on a channel whose only send was a try_send made before
//                        it waited: the wake-up is lost. A keeper goroutine sleeps in a loop, so
//                        a timer is always pending and the runtime cannot call it a deadlock —
//                        the case only the driver can catch. Must be reported as a HANG (exit 3).
//   planted-slowdown     a round that ignores its time box and completes 20 operations of 100 ms
//                        each (a stand-in for a million-goroutine wave on a loaded machine): it
//                        overruns but never stops completing operations. Must be reported as
//                        SLOW, with its rate, and pass (exit 0).
#include <atomic>
#include <chrono>

#include "../src/stress.hpp"

namespace goro_stress {
namespace {

std::uint64_t lost_wakeup_round(const RoundContext& ctx) {
  goro::Runtime rt(ctx.options());
  Watched watched(rt);
  rt.run([] {
    for (int i = 0; i < 100; ++i) {  // some honest work first: progress stops only at the bug
      goro::yield();
      progressed();
    }
    auto wake = goro::make_chan<int>();
    int signal = 1;
    (void)wake.try_send(signal);  // PLANTED: the wake-up is sent before anyone waits, and dropped
    goro::WaitGroup done;
    done.add(1);
    goro::go([&] {
      (void)wake.recv();  // never woken
      progressed();
      done.done();
    });
    std::atomic<bool> finished{false};
    goro::go([&] {  // keeps a timer pending, so the runtime's deadlock check cannot fire
      while (!finished.load()) goro::sleep_for(std::chrono::milliseconds(20));
    });
    done.wait();
    finished = true;
  });
  return 101;
}

std::uint64_t slowdown_round(const RoundContext& ctx) {
  goro::Runtime rt(ctx.options());
  Watched watched(rt);
  constexpr std::uint64_t kOperations = 20;
  rt.run([] {
    for (std::uint64_t i = 0; i < kOperations; ++i) {  // PLANTED: ignores ctx.time_left()
      goro::sleep_for(std::chrono::milliseconds(100));
      progressed();
    }
  });
  return kOperations;
}

}  // namespace

const Scenario planted_lost_wakeup_scenario{
    "planted-lost-wakeup",
    "PLANTED: a receiver whose only wake-up was dropped (a timer stays pending); must be reported as a hang",
    "the driver reports a HANG naming the blocked round (exit 3)",
    &lost_wakeup_round,
};

const Scenario planted_slowdown_scenario{
    "planted-slowdown",
    "PLANTED: a round that overruns its time box but keeps completing operations; must be reported as slow",
    "the driver reports the round as SLOW with its rate, not as a hang (exit 0)",
    &slowdown_round,
};

}  // namespace goro_stress
