// skips_global_queue.cpp — a planted broken policy: a FIFO per worker, and the global queue
// (where goroutines readied from outside the workers go) is looked at only when the worker's own
// queue is empty — never polled while local work keeps coming. The conformance kit must report
// it, in InjectedGoroutineNotStarved (contract item C3 of <goro/policy.hpp>): two goroutines
// readying each other keep the local queue non-empty forever. runtime/tests/CMakeLists.txt
// registers this as a test that passes only when the kit names that failure.
#include <cstdint>
#include <memory>
#include <vector>

#include <goro/policy.hpp>

namespace {

class SkipsGlobalQueuePolicy final : public goro::SchedulerPolicy {
 public:
  explicit SkipsGlobalQueuePolicy(unsigned workers) : locals_(workers) {}

  void push(unsigned worker, goro::Goroutine* g, Reason) override {
    (worker == goro::kNoWorker ? global_ : locals_[worker].queue).push(g);
  }

  goro::Goroutine* pop(unsigned worker, goro::PolicyCounters& counters) override {
    if (goro::Goroutine* g = locals_[worker].queue.pop()) return g;
    return goro::pop_global(global_, counters);  // PLANTED: only when the local queue is empty
  }

  bool has_work() const override {
    if (!global_.empty()) return true;
    for (const Local& local : locals_) {
      if (!local.queue.empty()) return true;
    }
    return false;
  }

 private:
  struct alignas(64) Local {
    goro::GlobalRunQueue queue;  // a locked FIFO, used as this worker's own queue
  };
  std::vector<Local> locals_;
  goro::GlobalRunQueue global_;
};

}  // namespace

std::unique_ptr<goro::SchedulerPolicy> make_skips_global_queue_policy(unsigned workers, std::uint64_t) {
  return std::make_unique<SkipsGlobalQueuePolicy>(workers);
}
