// overflow_test.cpp — the defined outcome of a goroutine stack overflow: on a guarded stack the
// process stops with "goro: goroutine stack overflow (...)" instead of silently corrupting the
// neighbouring stack (runtime/src/overflow_guard.cpp). A death test: the overflow runs in a
// child process. Release/debug builds only — the sanitizers install their own SIGSEGV handling.
#include <gtest/gtest.h>

#include <cstddef>

#include "goro/goro.hpp"

namespace {

// recurse() touches 1 KiB per frame and cannot be turned into a loop (it uses the result).
[[gnu::noinline]] std::size_t recurse(std::size_t depth) {
  volatile char frame[1024];
  frame[0] = static_cast<char>(depth);
  frame[sizeof frame - 1] = static_cast<char>(depth);
  return recurse(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

void overflow_in_a_goroutine(goro::Policy policy, unsigned workers) {
  goro::Runtime runtime({.workers = workers, .policy = policy, .stack_size = 64 * 1024});
  runtime.run([] {
    goro::WaitGroup wg;
    wg.add(1);
    goro::go([&wg] {
      (void)recurse(0);
      wg.done();
    });
    wg.wait();
  });
}

}  // namespace

TEST(StackOverflow, OnAGuardedStackStopsTheProcessWithAClearMessage) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  for (goro::Policy policy : goro::all_policies()) {
    for (unsigned workers : {1u, 2u}) {
      SCOPED_TRACE(std::string(goro::to_string(policy)) + " w" + std::to_string(workers));
      EXPECT_DEATH(overflow_in_a_goroutine(policy, workers),
                   "goro: goroutine stack overflow \\(stack of 65536 bytes; raise goro::Options::stack_size\\)");
    }
  }
}
