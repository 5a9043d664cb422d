// waitgroup.hpp — Go's sync.WaitGroup: wait for a collection of goroutines to finish.
//
//   goro::WaitGroup wg;
//   for (int i = 0; i < 4; ++i) { wg.add(1); goro::go([&wg] { work(); wg.done(); }); }
//   wg.wait();
//
// add() with a delta that would make the counter negative throws std::logic_error (Go panics)
// and leaves the counter unchanged. wait() parks the goroutine, not the worker thread.
#pragma once

#include <cstdint>

#include "goro/algo/waitgroup.hpp"
#include "goro/sync/runtime_sync.hpp"

namespace goro {

class WaitGroup {
 public:
  // add() changes the counter by delta; reaching zero releases every waiter.
  void add(int delta);
  // done() is add(-1).
  void done() { add(-1); }
  // wait() blocks until the counter is zero (throws goro::cancelled during a wind-down).
  void wait();
  // count() is the current counter (for diagnostics; it may change right after).
  std::int64_t count() const { return group_.count(); }

 private:
  algo::WaitGroup<detail::RuntimeSync> group_;
};

}  // namespace goro
