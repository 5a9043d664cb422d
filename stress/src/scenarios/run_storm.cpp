// run_storm.cpp — one Runtime running thousands of short programs back to back.
//
// A Runtime may run() many programs, one at a time, its workers sleeping in between. Each trial
// runs one tiny program: an empty main; a main that returns a value; a main that spawns a few
// goroutines and joins them; a main that returns while goroutines are still parked (they are
// wound down). Between runs the workers are going to sleep exactly while run() creates the next
// main from outside the workers, which is the window this scenario aims at.
// Invariants: every run() returns normally with main's value (never deadlock_error — a program
// that finished cannot have been deadlocked — never another exception); wound-down goroutines'
// destructors ran (live counter back to zero after each run).
#include <atomic>
#include <string>

#include "../stress.hpp"

namespace goro_stress {
namespace {

std::uint64_t round(const RoundContext& ctx) {
  goro::Runtime rt(ctx.options());
  Watched watched(rt);
  Rng rng(ctx.seed);
  std::atomic<std::int64_t> live{0};
  std::uint64_t runs = 0;
  do {
    for (int batch = 0; batch < 64; ++batch, ++runs) {
      const unsigned kind = static_cast<unsigned>(rng.below(4));
      const unsigned children = static_cast<unsigned>(rng.between(1, 8));
      // A random gap of 0–80 µs between runs, so that run() sometimes creates the next main
      // exactly while the workers are deciding to sleep (they spin ~30 µs first).
      const auto gap_end = Clock::now() + std::chrono::microseconds(rng.below(80));
      while (Clock::now() < gap_end) {
      }
      std::uint64_t result = 0;
      try {
        result = rt.run([&]() -> std::uint64_t {
          switch (kind) {
            case 0: return 1;
            case 1: goro::yield(); return 2;
            case 2: {
              goro::WaitGroup wg;
              wg.add(static_cast<int>(children));
              for (unsigned c = 0; c < children; ++c) goro::go([&wg] { wg.done(); });
              wg.wait();
              return 3;
            }
            default: {
              auto never = goro::make_chan<int>();
              for (unsigned c = 0; c < children; ++c) {
                goro::go([never, &live]() mutable {
                  Tracked held(live);
                  (void)never.recv();
                });
              }
              goro::yield();
              return 4;
            }
          }
        });
      } catch (const goro::deadlock_error& e) {
        require(false, "run " + std::to_string(runs) + " (kind " + std::to_string(kind) +
                           ") of a program that finished threw deadlock_error: " + e.what());
      }
      require(result == kind + 1, "run() returned main's value");
      require(live.load() == 0, "goroutines parked when main returned were wound down");
      progressed();
    }
  } while (ctx.time_left());
  return runs;
}

}  // namespace

const Scenario run_storm_scenario{
    "run-storm",
    "one Runtime running thousands of tiny programs back to back (empty, yield, spawn+join, return while others park)",
    "each run() returns main's value, never deadlock_error; parked goroutines wound down (live counter 0)",
    &round,
};

}  // namespace goro_stress
