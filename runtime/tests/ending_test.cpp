// ending_test.cpp — how a program ends (issue 2): main returning winds the others down,
// exceptions escape run(), deadlocks are reported instead of hanging. In every ending, the
// destructors of parked goroutines run (counted here with an RAII probe; ASan/LSan checks the
// memory side in the sanitizer builds).
#include <atomic>
#include <chrono>
#include <memory>
#include <stdexcept>
#include <string>

#include "goro_test.hpp"

namespace goro::testing {
namespace {

using Ending = RuntimeTest;
GORO_INSTANTIATE(Ending);

// Probe counts constructions and destructions, so a test can tell that every goroutine's
// stack was unwound.
struct Probe {
  std::atomic<int>* alive;
  explicit Probe(std::atomic<int>& counter) : alive(&counter) { alive->fetch_add(1); }
  Probe(const Probe& other) : alive(other.alive) { alive->fetch_add(1); }
  ~Probe() { alive->fetch_sub(1); }
};

// started() waits (yielding) until `count` goroutines have reached their blocking call.
void wait_until_started(const std::atomic<int>& started, int count) {
  while (started.load() < count) yield();
}

// ---------------------------------------------------------------- main returns: wind-down

// When main returns, goroutines parked anywhere are woken with goro::cancelled, their stacks
// unwind (destructors run) and run() returns — the way Go's main ending ends the program.
TEST_P(Ending, MainReturningUnwindsGoroutinesParkedAnywhere) {
  std::atomic<int> alive{0};
  std::atomic<int> cancelled_seen{0};
  // What the goroutines block on outlives run(): they are still unwinding out of these objects
  // after main has returned (Go's garbage collector gives that for free; in C++ it is the
  // program's job).
  std::atomic<int> started{0};
  auto nobody_sends = make_chan<int>();
  auto nobody_receives = make_chan<int>();
  auto full = make_chan<int>(1);
  auto never = make_chan<int>();
  WaitGroup never_done;
  Mutex held;
  run([&] {
    full.send(0);
    never_done.add(1);
    held.lock();
    // Each goroutine: a probe on its stack, then one blocking call that never completes.
    auto park_in = [&](auto blocking_call) {
      go([&, blocking_call]() mutable {
        Probe probe(alive);
        started.fetch_add(1);
        try {
          blocking_call();
        } catch (const cancelled&) {
          cancelled_seen.fetch_add(1);
          throw;  // let the runtime finish the goroutine
        }
        ADD_FAILURE() << "a blocking call returned normally during the wind-down";
      });
    };
    park_in([&] { nobody_sends.recv(); });
    park_in([&] { nobody_receives.send(1); });
    park_in([&] { full.send(2); });
    park_in([&] { select(case_recv(never), case_recv(Chan<int>{})); });
    park_in([&] { never_done.wait(); });
    park_in([&] { held.lock(); });
    park_in([&] { sleep_for(std::chrono::hours(1)); });
    park_in([&] { Chan<int>{}.recv(); });
    park_in([&] { Chan<int>{}.send(1); });
    park_in([&] { after(std::chrono::hours(1)).recv(); });
    park_in([&] { for (;;) yield(); });
    constexpr int kParked = 11;
    wait_until_started(started, kParked);
    EXPECT_EQ(alive.load(), kParked);
  });
  EXPECT_EQ(alive.load(), 0) << "every parked goroutine's destructors ran";
  EXPECT_EQ(cancelled_seen.load(), 11) << "each blocking call threw goro::cancelled";
}

// Goroutines spawned but never started when main returns are not run, but what their closures
// captured is destroyed.
TEST_P(Ending, GoroutinesThatNeverStartedHaveTheirClosuresDestroyed) {
  std::atomic<int> alive{0};
  std::atomic<int> ran{0};
  run([&] {
    for (int i = 0; i < 100; ++i) {
      go([probe = Probe(alive), &ran] { ran.fetch_add(1); });
    }
    // main returns at once: with one worker none of them ran yet; with two, some may have.
  });
  EXPECT_EQ(alive.load(), 0);
  EXPECT_LE(ran.load(), 100);
}

// Cancellation is sticky: a goroutine that swallows goro::cancelled gets it again from every
// later blocking call, and cannot spawn new goroutines.
TEST_P(Ending, CancellationIsStickyForAGoroutineThatCatchesIt) {
  std::atomic<int> cancellations{0};
  std::atomic<bool> spawn_refused{false};
  run([&] {
    std::atomic<bool> started{false};
    go([&] {
      started.store(true);
      auto never = make_chan<int>();
      try {
        never.recv();
      } catch (const cancelled&) {
        cancellations.fetch_add(1);
      }
      try {
        yield();
      } catch (const cancelled&) {
        cancellations.fetch_add(1);
      }
      try {
        sleep_for(std::chrono::milliseconds(1));
      } catch (const cancelled&) {
        cancellations.fetch_add(1);
      }
      try {
        go([] {});
      } catch (const cancelled&) {
        spawn_refused.store(true);
      }
    });
    while (!started.load()) yield();
  });
  EXPECT_EQ(cancellations.load(), 3);
  EXPECT_TRUE(spawn_refused.load());
}

// ---------------------------------------------------------------- exceptions

TEST_P(Ending, ExceptionFromMainIsRethrownFromRun) {
  EXPECT_THROW(run([]() -> int { throw std::out_of_range("from main"); }), std::out_of_range);
}

TEST_P(Ending, ExceptionFromAGoroutineIsRethrownFromRunAndTheRestIsWoundDown) {
  std::atomic<int> alive{0};
  try {
    run([&] {
      auto never = make_chan<int>();
      std::atomic<int> parked{0};
      // Bystanders blocked forever: the first exception must wind them down, and they must not
      // get to throw exceptions of their own.
      for (int i = 0; i < 10; ++i) {
        go([&, never]() mutable {
          Probe probe(alive);
          parked.fetch_add(1);
          never.recv();
          throw std::runtime_error("bystander");  // unreachable: recv throws cancelled
        });
      }
      wait_until_started(parked, 10);
      go([] { throw std::runtime_error("first"); });
      never.recv();  // main too is parked, and wound down
    });
    FAIL() << "run() returned normally";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()), "first");
  }
  EXPECT_EQ(alive.load(), 0);
}

// Several goroutines throw at about the same time: run() rethrows exactly one of them.
TEST_P(Ending, OnlyOneOfSeveralExceptionsIsRethrown) {
  try {
    run([] {
      for (int i = 0; i < 8; ++i) go([i] { throw std::runtime_error("goroutine " + std::to_string(i)); });
      Chan<int>{}.recv();
    });
    FAIL() << "run() returned normally";
  } catch (const std::runtime_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("goroutine ", 0), 0u) << e.what();
  }
}

TEST_P(Ending, RunIsUsableAfterAnException) {
  EXPECT_THROW(run([] { go([] { throw std::logic_error("boom"); }); Chan<int>{}.recv(); }), std::logic_error);
  EXPECT_EQ(run([] {
              auto ch = make_chan<int>();
              go([ch]() mutable { ch.send(5); });
              return *ch.recv();
            }),
            5);
}

// ---------------------------------------------------------------- deadlock detection

TEST_P(Ending, MainBlockedOnAChannelNobodySendsToIsADeadlock) {
  try {
    run([] { make_chan<int>().recv(); });
    FAIL() << "run() returned normally";
  } catch (const deadlock_error& e) {
    EXPECT_EQ(e.asleep(), 1u);
    EXPECT_NE(std::string(e.what()).find("all goroutines are asleep"), std::string::npos) << e.what();
  }
}

TEST_P(Ending, DeadlockErrorCountsEveryBlockedGoroutine) {
  std::atomic<int> alive{0};
  try {
    run([&] {
      auto ch = make_chan<int>();
      for (int i = 0; i < 4; ++i) {
        go([&alive, ch]() mutable {
          Probe probe(alive);
          ch.recv();
        });
      }
      ch.recv();
    });
    FAIL() << "run() returned normally";
  } catch (const deadlock_error& e) {
    EXPECT_EQ(e.asleep(), 5u);
  }
  EXPECT_EQ(alive.load(), 0) << "deadlocked goroutines are unwound too";
}

TEST_P(Ending, ReceiveFromNilChannelIsADeadlock) {
  EXPECT_THROW(run([] { Chan<int>{}.recv(); }), deadlock_error);
  EXPECT_THROW(run([] { Chan<int>{}.send(1); }), deadlock_error);
  EXPECT_THROW(run([] { select(case_recv(Chan<int>{}), case_send(Chan<int>{}, 1)); }), deadlock_error);
}

TEST_P(Ending, GoroutineBlockedOnAMutexIsADeadlock) {
  Mutex m;      // both outlive run(): the goroutine blocked on m is still unwinding when
  WaitGroup wg; // main's frame is gone
  try {
    run([&] {
      m.lock();
      wg.add(1);
      go([&] {
        m.lock();  // never unlocked by main
        wg.done();
      });
      wg.wait();
    });
    FAIL() << "run() returned normally";
  } catch (const deadlock_error& e) {
    EXPECT_EQ(e.asleep(), 2u);
  }
}

TEST_P(Ending, WaitGroupThatNeverReachesZeroIsADeadlock) {
  EXPECT_THROW(run([] {
                 WaitGroup wg;
                 wg.add(1);
                 wg.wait();
               }),
               deadlock_error);
}

// A pending timer is future work: blocked goroutines waiting for it are not deadlocked.
TEST_P(Ending, APendingTimerIsNotADeadlock) {
  run([] {
    auto timeout = after(std::chrono::milliseconds(20));
    EXPECT_TRUE(timeout.recv().has_value());
  });
  run([] {
    auto ch = make_chan<int>();
    go([ch]() mutable {
      sleep_for(std::chrono::milliseconds(20));
      ch.send(1);
    });
    EXPECT_EQ(ch.recv(), 1);
  });
}

TEST_P(Ending, RunIsUsableAfterADeadlock) {
  EXPECT_THROW(run([] { make_chan<int>().recv(); }), deadlock_error);
  EXPECT_EQ(run([] { return 3; }), 3);
}

// One Runtime, many short runs back to back: each run() returns only after its own program
// ended. Every run ends with goroutines parked on a channel, wound down together, so several
// exit at once on different workers and more than one may find the run over; a late "run over"
// from one run must not end the next, which would return before that run's main finished and
// while its goroutines still live.
TEST_P(Ending, BackToBackRunsEachEndAfterTheirOwnProgram) {
  constexpr int kRuns = 2000, kParked = 8;
  std::atomic<int> alive{0};
  for (int r = 0; r < kRuns; ++r) {
    bool main_finished = false;
    const int got = run([&] {
      auto never = make_chan<int>();
      std::atomic<int> started{0};
      for (int i = 0; i < kParked; ++i) {
        go([&, never, probe = Probe(alive)]() mutable {
          started.fetch_add(1);
          never.recv();
        });
      }
      wait_until_started(started, kParked);
      main_finished = true;
      return r;
    });
    ASSERT_EQ(got, r);
    ASSERT_TRUE(main_finished) << "run " << r << " returned before its main did";
    ASSERT_EQ(alive.load(), 0) << "run " << r << " returned with goroutines still live";
  }
}

}  // namespace
}  // namespace goro::testing
