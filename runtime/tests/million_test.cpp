// million_test.cpp — one million simultaneously live goroutines (issue 2's skynet-sized
// requirement), spawned, released together and joined; reports the process's peak RSS.
//
// One configuration only (the go policy, 2 workers), in a binary of its own so that no other
// test raises the peak RSS it reports. Not built in sanitizer builds (shadow memory would swamp
// the figure, and it takes too long there).
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "goro/goro.hpp"

namespace goro::testing {
namespace {

// peak_rss_kib() is VmHWM ("high water mark" of the resident set) from /proc/self/status.
long peak_rss_kib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

TEST(Million, OneMillionLiveGoroutinesSpawnAndJoin) {
  constexpr int kGoroutines = 1'000'000;
  Options options;
  options.policy = Policy::go;
  options.workers = 2;
  Runtime runtime(options);
  const long rss_before_kib = peak_rss_kib();
  std::atomic<int> finished{0};
  const auto start = std::chrono::steady_clock::now();
  runtime.run([&] {
    WaitGroup gate;      // every goroutine parks on it, so all million are alive at once
    WaitGroup all_done;
    gate.add(1);
    all_done.add(kGoroutines);
    for (int i = 0; i < kGoroutines; ++i) {
      go([&] {
        gate.wait();
        finished.fetch_add(1, std::memory_order_relaxed);
        all_done.done();
      });
    }
    gate.done();
    all_done.wait();
  });
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(finished.load(), kGoroutines);
  const long peak_kib = peak_rss_kib();
  ASSERT_GT(peak_kib, 0);
  const Stats stats = runtime.stats();
  RecordProperty("peak_rss_kib", std::to_string(peak_kib));
  RecordProperty("rss_before_kib", std::to_string(rss_before_kib));
  RecordProperty("seconds", std::to_string(seconds));
  RecordProperty("stacks_mapped", std::to_string(stats.stacks_mapped));
  std::printf("1M live goroutines: peak RSS %.1f MiB (%.0f bytes per goroutine), %.2f s, %llu stacks mapped\n",
              peak_kib / 1024.0, (peak_kib - rss_before_kib) * 1024.0 / kGoroutines, seconds,
              static_cast<unsigned long long>(stats.stacks_mapped));
  EXPECT_GE(stats.goroutines_created, static_cast<std::uint64_t>(kGoroutines) + 1);
}

}  // namespace
}  // namespace goro::testing
