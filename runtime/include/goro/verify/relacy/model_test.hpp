// model_test.hpp (<goro/verify/relacy/model_test.hpp>) — the base every model test derives from, and the checks they share.
#pragma once

#include "goro/verify/relacy/sync.hpp"

namespace goro::models {

// ModelTest is rl::test_suite plus the per-execution World the Relacy policy parks goroutines in.
// The World is a base-class member, so it is built before the algorithm objects of the test
// and destroyed after them, inside every execution Relacy explores.
template <class Derived, unsigned kThreads>
struct ModelTest : rl::test_suite<Derived, kThreads> {
  static_assert(kThreads <= World::kMaxGoroutines, "World has one Goroutine per Relacy thread");
  World world{kThreads};
};

// check() is RL_ASSERT with a message that names the property (Relacy prints it with the trace).
#define GORO_MODEL_CHECK(condition, property)                                                   \
  do {                                                                                          \
    if (!(condition)) {                                                                         \
      rl::ctx().fail_test("property violated: " property " [" #condition "]",                 \
                          rl::test_result_user_assert_failed, RL_INFO);                         \
    }                                                                                           \
  } while (0)

}  // namespace goro::models
