// policy_conformance_test.cpp — the policy conformance kit's tests (<goro/conformance.hpp>): one
// test per item of the contract at the top of <goro/policy.hpp>, parametrised over the policies
// under test × {1, 2} workers (names like PolicyConformance.YieldGivesWayToOthers/go_w1).
//
// The kit is compiled into the user's test executable (goro_add_policy_conformance() in CMake),
// so it uses the public API only. Every program runs under a deadline (Deadline below): a broken
// policy makes a test fail with a message naming what was missing, never hang.
//
// Counted in steps, never in time: a starving policy is caught by a bound on exchanges or yields
// that a fair policy stays far below; the deadline is only the backstop for a lost goroutine.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "goro/conformance.hpp"
#include "goro/detail/rss.hpp"
#include "goro/goro.hpp"
#include "goro/policy.hpp"

namespace goro::conformance {

namespace {

std::mutex& policies_mutex() {
  static std::mutex m;
  return m;
}
std::vector<Policy>& chosen_policies() {
  static std::vector<Policy> list;
  return list;
}

}  // namespace

void test_policy(Policy policy) {
  std::lock_guard lock(policies_mutex());
  auto& list = chosen_policies();
  if (std::find(list.begin(), list.end(), policy) == list.end()) list.push_back(policy);
}

std::vector<Policy> policies_under_test() {
  std::lock_guard lock(policies_mutex());
  return chosen_policies().empty() ? all_policies() : chosen_policies();
}

namespace {

struct Config {
  Policy policy;
  unsigned workers;
};

std::vector<Config> configs() {
  std::vector<Config> list;
  for (Policy policy : policies_under_test()) {
    for (unsigned workers : {1u, 2u}) list.push_back({policy, workers});
  }
  return list;
}

// config_name() is "go_w2"; a '-' in a policy name becomes '_' (gtest allows [A-Za-z0-9_] only).
std::string config_name(const ::testing::TestParamInfo<Config>& info) {
  std::string name(info.param.policy.name());
  std::replace(name.begin(), name.end(), '-', '_');
  return name + "_w" + std::to_string(info.param.workers);
}

void PrintTo(const Config& config, std::ostream* os) { *os << config.policy.name() << "_w" << config.workers; }

double deadline_seconds() {
  if (const char* text = std::getenv("GORO_CONFORMANCE_DEADLINE")) {
    const double value = std::atof(text);
    if (value > 0) return value;
  }
  return 30;
}

// Deadline is the backstop against a policy that loses a goroutine (the program then waits
// forever for it): when the test body has not finished within deadline_seconds(), it prints the
// test's name and its progress() and ends the process with status 1. gtest cannot fail a test
// that never returns; ctest would only say "Timeout".
class Deadline {
 public:
  Deadline() : watchdog_([this] { watch(); }) {}
  ~Deadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    wake_.notify_one();
    watchdog_.join();
  }
  void progress(std::function<std::string()> describe) {
    std::lock_guard lock(mutex_);
    describe_ = std::move(describe);
  }

 private:
  void watch() {
    const double seconds = deadline_seconds();
    std::unique_lock lock(mutex_);
    if (wake_.wait_for(lock, std::chrono::duration<double>(seconds), [this] { return done_; })) return;
    const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
    std::fprintf(stderr, "\nconformance: %s.%s did not finish within %g s (GORO_CONFORMANCE_DEADLINE): %s\n",
                 test ? test->test_suite_name() : "?", test ? test->name() : "?", seconds,
                 describe_ ? describe_().c_str() : "no progress reported");
    std::fflush(stderr);
    std::_Exit(1);
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  bool done_ = false;
  std::function<std::string()> describe_;
  std::thread watchdog_;
};

class PolicyConformance : public ::testing::TestWithParam<Config> {
 protected:
  unsigned workers() const { return GetParam().workers; }
  Runtime& runtime() { return runtime_; }
  template <class F>
  auto run(F main) {
    return runtime_.run(std::move(main));
  }
  // progress() tells the deadline what to report if this test never finishes.
  void progress(std::function<std::string()> describe) { deadline_.progress(std::move(describe)); }

 private:
  static Options options() {
    Options o;
    o.policy = GetParam().policy;
    o.workers = GetParam().workers;
    return o;
  }
  Deadline deadline_;
  Runtime runtime_{options()};
};

INSTANTIATE_TEST_SUITE_P(, PolicyConformance, ::testing::ValuesIn(configs()), config_name);

std::size_t count_not_once(const std::vector<std::atomic<std::uint8_t>>& runs) {
  std::size_t wrong = 0;
  for (const auto& r : runs) wrong += r.load() != 1;
  return wrong;
}

// ---------------------------------------------------------------- C1: exactly once

// Every goroutine is pushed several ways — spawned from main (a worker), spawned by other
// goroutines, yielded once, woken once by a channel — and must run each step exactly once.
TEST_P(PolicyConformance, EveryGoroutineRunsExactlyOnce) {
  constexpr std::size_t kGoroutines = 20'000;
  std::vector<std::atomic<std::uint8_t>> started(kGoroutines), finished(kGoroutines);
  std::atomic<std::size_t> done{0};
  progress([&] { return std::to_string(done.load()) + " of " + std::to_string(kGoroutines) + " goroutines finished"; });
  run([&] {
    WaitGroup wg;
    wg.add(static_cast<int>(kGoroutines));
    auto tokens = make_chan<int>(0);
    auto body = [&, tokens](std::size_t i) mutable {
      started[i].fetch_add(1);
      yield();                          // pushed as Reason::yielded
      if (i % 2 == 0) tokens.recv();    // parks; woken by main's send (Reason::woken)
      finished[i].fetch_add(1);
      done.fetch_add(1);
      wg.done();
    };
    for (std::size_t i = 0; i < kGoroutines / 2; ++i) go(body, i);                      // spawned by main
    go([&, body] { for (std::size_t i = kGoroutines / 2; i < kGoroutines; ++i) go(body, i); });  // by a goroutine
    for (std::size_t i = 0; i < kGoroutines; i += 2) tokens.send(1);
    wg.wait();
  });
  EXPECT_EQ(count_not_once(started), 0u) << "goroutines that started zero or several times";
  EXPECT_EQ(count_not_once(finished), 0u) << "goroutines that finished zero or several times";
}

// Steals: main floods its own worker with goroutines that each work a little, so an idle worker
// finds a full queue to steal from (on two workers; one worker exercises the same pushes without
// thieves). Every goroutine must run exactly once, whoever ran it.
TEST_P(PolicyConformance, StealsNeverLoseOrDuplicate) {
  constexpr std::size_t kGoroutines = 20'000;
  std::vector<std::atomic<std::uint8_t>> runs(kGoroutines);
  std::atomic<std::size_t> done{0};
  progress([&] {
    return std::to_string(done.load()) + " of " + std::to_string(kGoroutines) +
           " goroutines ran (the others were lost; steals so far: " + std::to_string(runtime().stats().steals) + ")";
  });
  const std::uint64_t steals_before = runtime().stats().steals;
  run([&] {
    WaitGroup wg;
    wg.add(static_cast<int>(kGoroutines));
    for (std::size_t i = 0; i < kGoroutines; ++i) {
      go([&, i] {
        std::atomic<unsigned> sink{0};
        for (unsigned k = 0; k < 200; ++k) sink.fetch_add(k, std::memory_order_relaxed);  // ~1 µs of work
        runs[i].fetch_add(1);
        done.fetch_add(1);
        wg.done();
      });
      if (i % 64 == 63) yield();  // let a thief in between batches
    }
    wg.wait();
  });
  EXPECT_EQ(count_not_once(runs), 0u) << "goroutines that ran zero or several times";
  RecordProperty("steals", std::to_string(runtime().stats().steals - steals_before));
}

// ---------------------------------------------------------------- C2: yield gives way

// Two goroutines yielding after every step strictly alternate on one worker; on two, every step
// runs. And a goroutine spinning on yield() until another runnable one sets a flag must see it
// (a policy that hands a yielder straight back would spin forever: the deadline reports it).
TEST_P(PolicyConformance, YieldGivesWayToOthers) {
  constexpr int kSteps = 2'000;
  std::mutex log_lock;  // held for a push_back only: never across a goroutine switch
  std::vector<char> log;
  std::atomic<bool> flag_seen{false};
  progress([&] { return std::string(flag_seen ? "alternation" : "a goroutine spinning on yield() never saw the flag set by another"); });
  run([&] {
    std::atomic<bool> flag{false};
    WaitGroup spinner;
    spinner.add(1);
    go([&] {
      while (!flag.load()) yield();
      spinner.done();
    });
    go([&] { flag.store(true); });
    spinner.wait();
    flag_seen.store(true);

    WaitGroup wg;
    wg.add(2);
    for (char name : {'a', 'b'}) {
      go([&, name] {
        for (int i = 0; i < kSteps; ++i) {
          {
            std::lock_guard lock(log_lock);
            log.push_back(name);
          }
          yield();
        }
        wg.done();
      });
    }
    wg.wait();
  });
  ASSERT_EQ(log.size(), 2u * kSteps);
  EXPECT_EQ(std::count(log.begin(), log.end(), 'a'), kSteps);
  if (workers() == 1) {
    std::size_t repeats = 0;
    for (std::size_t i = 1; i < log.size(); ++i) repeats += log[i] == log[i - 1];
    EXPECT_EQ(repeats, 0u) << "on one worker, yield() must hand over to the other runnable goroutine";
  }
}

// ---------------------------------------------------------------- C3: no starvation

// PingPong runs two goroutines that ready each other over unbuffered channels until stop() or
// kMaxExchanges: on one worker their wake-ups are always the newest local work.
constexpr int kMaxExchanges = 200'000;

// A goroutine woken (by a goroutine) while a pair ping-pongs must get a turn within a bounded
// number of exchanges: a LIFO queue with nobody to steal from never gets back to it.
TEST_P(PolicyConformance, WokenGoroutineNotStarvedByPingPong) {
  std::atomic<bool> woken_ran{false};
  std::atomic<int> exchanges{0};
  progress([&] { return std::to_string(exchanges.load()) + " exchanges"; });
  run([&] {
    auto ping = make_chan<int>();
    auto pong = make_chan<int>();
    auto wake = make_chan<int>();
    go([&, ping, pong, wake]() mutable {
      while (!woken_ran.load() && exchanges.load() < kMaxExchanges) {
        if (exchanges.load() == 10) wake.send(0);  // readies main, as a channel partner would
        ping.send(1);
        pong.recv();
        exchanges.fetch_add(1);
      }
      ping.close();
    });
    go([ping, pong]() mutable {
      for (int v : ping) pong.send(v);
    });
    wake.recv();
    woken_ran.store(true);
  });
  EXPECT_LT(exchanges.load(), kMaxExchanges) << "a woken goroutine was starved for " << exchanges.load()
                                             << " exchanges of a ping-pong pair";
}

// A goroutine readied from a thread that is not a worker (push with kNoWorker: a policy's
// global queue) while a pair ping-pongs on the workers must get a turn within a bounded number
// of exchanges. The pair's wake-ups are local pushes, so the local queues never run dry: only a
// policy that looks at its global queue now and then (Go's every-61st-pop check) lets it in.
// Main waits on a channel the injected goroutine closes, so it cannot lend the pair's worker a
// turn; with two workers, both are kept busy by their own pair.
TEST_P(PolicyConformance, InjectedGoroutineNotStarved) {
  std::atomic<bool> injected_ran{false};
  std::atomic<bool> parked{false};
  std::atomic<int> exchanges{0};
  progress([&] { return std::to_string(exchanges.load()) + " exchanges, injected goroutine ran: " + (injected_ran ? "yes" : "no"); });
  std::thread injector;
  run([&] {
    auto inbox = make_chan<int>();
    go([&, inbox]() mutable {  // the goroutine readied from outside
      parked.store(true);
      inbox.recv();
      injected_ran.store(true);
    });
    while (!parked.load()) yield();
    WaitGroup pairs;
    for (unsigned p = 0; p < workers(); ++p) {
      auto ping = make_chan<int>();
      auto pong = make_chan<int>();
      pairs.add(2);
      go([&, ping, pong]() mutable {
        while (!injected_ran.load() && exchanges.load() < kMaxExchanges) {
          ping.send(1);
          pong.recv();
          exchanges.fetch_add(1);
        }
        ping.close();
        pairs.done();
      });
      go([&, ping, pong]() mutable {
        for (int v : ping) pong.send(v);
        pairs.done();
      });
    }
    injector = std::thread([inbox]() mutable {
      int v = 1;
      while (!inbox.try_send(v)) std::this_thread::yield();  // succeeds once the receiver is parked
    });
    pairs.wait();
  });
  injector.join();
  EXPECT_TRUE(injected_ran.load()) << "a goroutine readied from outside the workers never ran during "
                                   << exchanges.load() << " exchanges of busy local pairs";
  EXPECT_LT(exchanges.load(), kMaxExchanges);
}

// ---------------------------------------------------------------- C4: has_work, deadlock, wind-down

// When every goroutine is blocked the scheduler reports a deadlock — which it can only decide if
// the policy's queues are really empty and has_work() says so.
TEST_P(PolicyConformance, DeadlockDetected) {
  progress([] { return std::string("run() neither returned nor reported the deadlock"); });
  for (int round = 0; round < 20; ++round) {
    try {
      run([] {
        auto ch = make_chan<int>();
        for (int i = 0; i < 8; ++i) go([ch]() mutable { ch.recv(); });
        yield();
        ch.recv();
      });
      FAIL() << "run() returned normally";
    } catch (const deadlock_error& e) {
      EXPECT_EQ(e.asleep(), 9u);
    }
  }
}

// When main returns, the rest — parked, runnable, yielding — is wound down and run() returns,
// again and again on the same Runtime (a policy must take and give back goroutines at any time).
TEST_P(PolicyConformance, WindDownFinishes) {
  int round = 0;
  progress([&] { return "wind-down of round " + std::to_string(round) + " never finished"; });
  for (; round < 50; ++round) {
    std::atomic<int> cancelled{0}, started{0};
    run([&] {
      auto never = make_chan<int>();
      for (int i = 0; i < 16; ++i) {
        go([&, i, never]() mutable {
          started.fetch_add(1);
          try {
            if (i % 2 == 0) {
              never.recv();
            } else {
              for (;;) yield();
            }
          } catch (const goro::cancelled&) {
            cancelled.fetch_add(1);
            throw;
          }
        });
      }
      while (started.load() < 16) yield();
    });
    EXPECT_EQ(cancelled.load(), 16) << "round " << round;
  }
}

// ---------------------------------------------------------------- C5: memory given back

using goro::detail::rss_bytes;

// Bursts of 20,000 goroutines that all wait at once: what the policy allocates for them must be
// freed or reused, so resident memory after the third burst is within 8 MiB of after the first
// (the stacks' pages are handed back by release_memory() between bursts).
TEST_P(PolicyConformance, MemoryGivenBackAfterBurst) {
  constexpr int kGoroutines = 20'000;
  auto burst = [&] {
    run([&] {
      WaitGroup wg;
      auto gate = make_chan<int>();
      wg.add(kGoroutines);
      for (int i = 0; i < kGoroutines; ++i) {
        go([&, gate]() mutable {
          gate.recv();
          wg.done();
        });
      }
      gate.close();
      wg.wait();
    });
    runtime().release_memory();
    return rss_bytes();
  };
  const std::uint64_t first = burst();
  burst();
  const std::uint64_t third = burst();
  if (first == 0) GTEST_SKIP() << "no /proc/self/status here";
  EXPECT_LE(third, first + 8 * 1024 * 1024) << "resident memory grew from " << first / 1024 << " KiB to "
                                            << third / 1024 << " KiB over two identical bursts";
}

// ---------------------------------------------------------------- stress

double stress_seconds() {
  if (const char* text = std::getenv("GORO_CONFORMANCE_STRESS_SECONDS")) return std::atof(text);
  return 1.0;
}

// A time-boxed mix of everything at once (GORO_CONFORMANCE_STRESS_SECONDS, default 1): producer
// and consumer goroutines over buffered and unbuffered channels, select, yields, timers, spawns
// from goroutines and wake-ups from a plain thread; every value sent is received exactly once
// (the sum checks it).
TEST_P(PolicyConformance, StressMixedWorkload) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::duration<double>(stress_seconds());
  std::atomic<std::uint64_t> rounds{0};
  progress([&] { return "stress round " + std::to_string(rounds.load()) + " never finished"; });
  while (std::chrono::steady_clock::now() < until) {
    constexpr int kProducers = 4, kValues = 500;
    std::atomic<std::int64_t> received_sum{0};
    std::atomic<bool> got_outside{false};
    std::thread outside;
    run([&] {
      auto buffered = make_chan<int>(8);
      auto unbuffered = make_chan<int>();
      auto outside_box = make_chan<int>(1);
      WaitGroup producers, consumers;
      producers.add(kProducers);
      for (int p = 0; p < kProducers; ++p) {
        go([&, p, buffered, unbuffered]() mutable {
          for (int v = 1; v <= kValues; ++v) {
            if ((v + p) % 3 == 0) yield();
            if (v % 50 == 0) sleep_for(std::chrono::microseconds(50));
            ((v + p) % 2 ? buffered : unbuffered).send(v);
          }
          producers.done();
        });
      }
      consumers.add(3);
      for (int c = 0; c < 3; ++c) {
        go([&, buffered, unbuffered]() mutable {
          bool buffered_open = true, unbuffered_open = true;
          auto take = [&](bool& open) {
            return [&](std::optional<int> v) {
              if (v) {
                received_sum += *v;
              } else {
                open = false;
              }
            };
          };
          while (buffered_open || unbuffered_open) {
            select(case_recv(buffered_open ? buffered : Chan<int>{}, take(buffered_open)),
                   case_recv(unbuffered_open ? unbuffered : Chan<int>{}, take(unbuffered_open)));
          }
          consumers.done();
        });
      }
      go([&, outside_box]() mutable {  // woken by a plain thread's try_send
        received_sum += *outside_box.recv();
        got_outside.store(true);
      });
      outside = std::thread([outside_box]() mutable {
        int v = 7;
        while (!outside_box.try_send(v)) std::this_thread::yield();
      });
      producers.wait();
      buffered.close();
      unbuffered.close();
      consumers.wait();
      while (!got_outside.load()) yield();
    });
    outside.join();
    EXPECT_EQ(received_sum.load(), static_cast<std::int64_t>(kProducers) * kValues * (kValues + 1) / 2 + 7)
        << "round " << rounds.load() << ": values lost or duplicated";
    rounds.fetch_add(1);
  }
}

}  // namespace
}  // namespace goro::conformance
