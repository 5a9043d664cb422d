// wake_latency_test.cpp — Options::wake_latency / GORO_WAKE_LATENCY: Stats::wake_latency counts
// one wake-up per ready() that ran, measures the wait truthfully, and is empty when off; the
// histogram's buckets and percentiles.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <stdexcept>

#include "goro_test.hpp"

namespace goro::testing {
namespace {

using WakeLatency = RuntimeTest;

// A ping-pong of `rounds` round trips over unbuffered channels: each receive that parks is
// readied by its partner's send, so every round trip has at least one wake-up at one worker.
void pingpong(int rounds) {
  auto ping = make_chan<int>(0);
  auto pong = make_chan<int>(0);
  WaitGroup wg;
  wg.add(1);
  go([&] {
    while (auto v = ping.recv()) pong.send(*v);
    wg.done();
  });
  for (int i = 0; i < rounds; ++i) {
    ping.send(i);
    (void)pong.recv();
  }
  ping.close();
  wg.wait();
}

TEST_P(WakeLatency, RecordsEveryWakeUpThatRan) {
  Options o = options();
  o.wake_latency = true;
  Runtime rt(o);
  const Stats before = rt.stats();
  rt.run([] { pingpong(int(scaled(1000))); });
  const Stats after = rt.stats();
  const LatencyHistogram h = after.wake_latency.since(before.wake_latency);
  EXPECT_GE(h.total(), scaled(1000)) << "a ping-pong parks and is readied at least once per round trip";
  EXPECT_LE(h.total(), after.context_switches) << "a wake-up is recorded when the goroutine runs: at most one per switch";
  EXPECT_GT(h.percentile(0.99), 0u);
  EXPECT_LE(h.percentile(0.5), h.percentile(0.99));
}

TEST_P(WakeLatency, MeasuresTheWaitOfAGoroutineQueuedBehindABusyOne) {
  if (workers() != 1) GTEST_SKIP() << "one worker: the readied goroutine must wait for the busy one";
  Options o = options();
  o.wake_latency = true;
  Runtime rt(o);
  rt.run([] {
    auto ch = make_chan<int>(0);
    WaitGroup wg;
    wg.add(1);
    std::atomic<bool> started{false};
    go([&] {
      started.store(true);
      (void)ch.recv();  // parks in the same run slice (one worker): readied by main's send below
      wg.done();
    });
    while (!started.load()) yield();
    ch.send(1);       // readies it; main keeps the worker for 5 ms more
    const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(5);
    while (std::chrono::steady_clock::now() < until) {
    }
    wg.wait();
  });
  const LatencyHistogram h = rt.stats().wake_latency;
  EXPECT_GE(h.percentile(1.0), 4'000'000u) << "the readied receiver waited the 5 ms main kept the worker";
}

TEST_P(WakeLatency, OffByDefaultRecordsNothing) {
  Runtime rt(options());
  EXPECT_FALSE(rt.options().wake_latency);
  rt.run([] { pingpong(100); });
  EXPECT_EQ(rt.stats().wake_latency.total(), 0u);
}

GORO_INSTANTIATE(WakeLatency);

TEST(WakeLatencyOption, EnvironmentVariableIsTheDefaultAndABadValueIsNamed) {
  ::setenv("GORO_WAKE_LATENCY", "1", 1);
  EXPECT_TRUE(Options{}.wake_latency);
  ::setenv("GORO_WAKE_LATENCY", "off", 1);
  EXPECT_FALSE(Options{}.wake_latency);
  ::setenv("GORO_WAKE_LATENCY", "maybe", 1);
  EXPECT_THROW(Options{}, std::invalid_argument);
  ::unsetenv("GORO_WAKE_LATENCY");
  EXPECT_FALSE(Options{}.wake_latency);
}

TEST(LatencyHistogramBuckets, EveryValueFallsInTheBucketThatHoldsItWithinAnEighth) {
  for (std::uint64_t v : {0ull, 1ull, 7ull, 8ull, 9ull, 15ull, 16ull, 17ull, 1000ull, 123456789ull, ~0ull}) {
    const std::size_t b = LatencyHistogram::bucket(v);
    ASSERT_LT(b, LatencyHistogram::kBuckets);
    EXPECT_LE(LatencyHistogram::lower_bound(b), v);
    EXPECT_LE(v - LatencyHistogram::lower_bound(b), LatencyHistogram::width(b) - 1);
    EXPECT_LE(LatencyHistogram::width(b) * 8, std::max<std::uint64_t>(8, LatencyHistogram::lower_bound(b)));
  }
}

TEST(LatencyHistogramPercentiles, ReadTheRankedValueWithinItsBucket) {
  LatencyHistogram h;
  for (int i = 0; i < 990; ++i) h.record(1'000);
  for (int i = 0; i < 10; ++i) h.record(1'000'000);
  EXPECT_EQ(h.total(), 1000u);
  EXPECT_NEAR(double(h.percentile(0.5)), 1'000, 1'000 / 8.0);
  EXPECT_NEAR(double(h.percentile(0.99)), 1'000, 1'000 / 8.0) << "rank 990 is the last of the 1 µs values";
  EXPECT_NEAR(double(h.percentile(0.999)), 1'000'000, 1'000'000 / 8.0);
  EXPECT_EQ(LatencyHistogram{}.percentile(0.99), 0u) << "empty: 0, never garbage";
}

}  // namespace
}  // namespace goro::testing
