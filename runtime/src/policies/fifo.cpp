// fifo.cpp — the baseline policy: one global locked FIFO shared by every worker.
//
// Strictly fair and trivially correct; every push and pop contends on one lock, and a readied
// goroutine waits behind everything queued before it (no locality). The other policies are
// measured against it.
#include <memory>

#include "goro/policy.hpp"

namespace goro::detail {
namespace {

// Written against the public policy API (<goro/policy.hpp>) only, under the short names Go's
// runtime uses (a goroutine is a G).
using G = Goroutine;

class FifoPolicy final : public SchedulerPolicy {
 public:
  void push(unsigned, G* g, Reason) override { queue_.push(g); }
  G* pop(unsigned, PolicyCounters& counters) override { return pop_global(queue_, counters); }
  bool has_work() const override { return !queue_.empty(); }

 private:
  GlobalRunQueue queue_;
};

}  // namespace

std::unique_ptr<SchedulerPolicy> make_fifo_policy(unsigned, std::uint64_t) { return std::make_unique<FifoPolicy>(); }

}  // namespace goro::detail
