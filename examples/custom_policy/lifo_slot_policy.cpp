// lifo_slot_policy.cpp — "LIFO with a per-worker slot and random stealing": a small scheduler
// policy built only from <goro/policy.hpp>, to show what a policy outside goro's tree looks like
// and how the conformance kit and the benchmark workloads take it.
//
//   push: a spawned or woken goroutine goes into its worker's slot (it runs next: a channel
//         partner keeps the hand-off on one core); the goroutine it displaces goes to the bottom
//         of the worker's Chase–Lev deque (LIFO for the owner, newest first — its data is warm).
//         A yielded goroutine goes to the global queue (contract C2: it must give way, and the
//         LIFO end would hand it straight back). Pushes from outside the workers, and a full
//         deque, go to the global queue too.
//   pop:  every 61st pop the global queue, then the *old* end of the own deque, come first
//         (contract C3: a ping-pong pair feeding the slot could otherwise starve both forever);
//         otherwise the slot, the deque's bottom, the global queue, and then the top of a random
//         victim's deque. The slot is never stolen: it is the owner's next turn.
#include "lifo_slot_policy.hpp"

#include <atomic>
#include <vector>

namespace {

class LifoSlotPolicy final : public goro::SchedulerPolicy {
 public:
  LifoSlotPolicy(unsigned workers, std::uint64_t seed) : locals_(workers) {
    for (unsigned i = 0; i < workers; ++i) locals_[i].rng = goro::Rng(seed + 0x5107ull * (i + 1));
  }

  void push(unsigned worker, goro::Goroutine* g, Reason reason) override {
    if (worker == goro::kNoWorker || reason == Reason::yielded) {
      global_.push(g);
      return;
    }
    Local& local = locals_[worker];
    goro::Goroutine* displaced = local.slot.exchange(g);
    if (displaced != nullptr && !local.deque.push(displaced)) global_.push(displaced);  // full: overflow
  }

  goro::Goroutine* pop(unsigned worker, goro::PolicyCounters& counters) override {
    Local& local = locals_[worker];
    if (++local.tick % kFairnessInterval == 0) {
      if (goro::Goroutine* g = goro::pop_global(global_, counters)) return g;
      if (goro::Goroutine* g = local.deque.steal()) return g;  // the oldest of our own
    }
    if (goro::Goroutine* g = local.slot.exchange(nullptr)) return g;
    if (goro::Goroutine* g = local.deque.take()) return g;
    if (goro::Goroutine* g = goro::pop_global(global_, counters)) return g;
    return goro::steal_from_victims(worker, static_cast<unsigned>(locals_.size()), local.rng, counters,
                                    [&](unsigned victim) { return locals_[victim].deque.steal(); });
  }

  bool has_work() const override {
    if (!global_.empty()) return true;
    for (const Local& local : locals_) {
      if (local.slot.load() != nullptr || local.deque.size_estimate() > 0) return true;
    }
    return false;
  }

 private:
  // 61, as Go's schedule() and goro's built-ins: prime, so periodic spawners cannot fall into
  // step with it; rare enough that the global queue's lock is seldom touched.
  static constexpr std::uint32_t kFairnessInterval = 61;

  struct alignas(64) Local {
    std::atomic<goro::Goroutine*> slot{nullptr};  // written by the owner only; has_work() reads it
    goro::ChaseLevDeque<> deque;
    goro::Rng rng;
    std::uint32_t tick = 0;
  };

  std::vector<Local> locals_;
  goro::GlobalRunQueue global_;
};

}  // namespace

std::unique_ptr<goro::SchedulerPolicy> make_lifo_slot_policy(unsigned workers, std::uint64_t seed) {
  return std::make_unique<LifoSlotPolicy>(workers, seed);
}
