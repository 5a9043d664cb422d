// steal.cpp — work stealing: a Chase–Lev deque per worker, random victims.
//
// The owner pushes spawned and woken goroutines at the bottom of its deque and takes from the
// bottom (LIFO: the newest goroutine is the one whose data is hot in cache); idle workers steal
// the oldest from the top of a randomly chosen victim. Yielded goroutines go to a per-worker FIFO
// instead of the deque — with a LIFO deque a yielding goroutine would be taken straight back and
// two yielders could never alternate. Pushes from outside the workers and deque overflow go to
// a global locked queue. Every kGlobalCheckInterval pops the yield FIFO, the global queue and the
// *old* end of the own deque (the owner may steal from itself) are looked at first, so a steady
// stream of LIFO work — two goroutines readying each other — cannot starve them (Go's 61, same
// reason; <goro/policy.hpp>).
#include <cstdint>
#include <memory>
#include <vector>

#include "goro/policy.hpp"

namespace goro::detail {
namespace {

// Written against the public policy API (<goro/policy.hpp>) only, under the short names Go's
// runtime uses (a goroutine is a G).
using G = Goroutine;
using OwnerFifo = OwnerRunQueue;

class StealPolicy final : public SchedulerPolicy {
 public:
  StealPolicy(unsigned workers, std::uint64_t seed) : locals_(workers) {
    for (unsigned i = 0; i < workers; ++i) locals_[i].rng = Rng(seed + 0x51ED27ull * (i + 1));
  }

  void push(unsigned worker, G* g, Reason reason) override {
    if (worker == kNoWorker) {
      global_.push(g);
      return;
    }
    Local& local = locals_[worker];
    g->queued_at.store(++local.arrivals, std::memory_order_relaxed);
    if (reason == Reason::yielded) {
      local.yielded.push(g);
      return;
    }
    if (!local.deque.push(g)) global_.push(g);  // full: overflow
  }

  G* pop(unsigned worker, PolicyCounters& counters) override {
    Local& local = locals_[worker];
    if (++local.tick % kGlobalCheckInterval == 0) {
      if (G* g = pop_global(global_, counters)) return g;
      // The older of the yield FIFO's head and the deque's old end: a goroutine that just
      // yielded must not overtake one that has been waiting in the deque (yield hands over).
      G* oldest_in_deque = local.deque.peek_oldest();
      const G* yielded = local.yielded.front();
      if (yielded != nullptr &&
          (oldest_in_deque == nullptr || yielded->queued_at.load(std::memory_order_relaxed) <
                                             oldest_in_deque->queued_at.load(std::memory_order_relaxed))) {
        return local.yielded.pop();
      }
      if (G* g = local.deque.steal()) return g;  // the oldest of our own
    }
    if (G* g = local.deque.take()) return g;
    if (G* g = local.yielded.pop()) return g;
    if (G* g = pop_global(global_, counters)) return g;
    return steal_from_victims(worker, static_cast<unsigned>(locals_.size()), local.rng, counters,
                              [&](unsigned victim) { return locals_[victim].deque.steal(); });
  }

  bool has_work() const override {
    if (!global_.empty()) return true;
    for (const Local& local : locals_) {
      if (local.deque.size_estimate() > 0 || !local.yielded.empty()) return true;
    }
    return false;
  }

 private:
  struct alignas(64) Local {
    ChaseLevDeque<> deque;
    OwnerFifo yielded;
    Rng rng;
    std::uint32_t tick = 0;
    std::uint64_t arrivals = 0;  // stamps pushes (G::queued_at), for the periodic fairness check
  };

  std::vector<Local> locals_;
  GlobalRunQueue global_;
};

}  // namespace

std::unique_ptr<SchedulerPolicy> make_steal_policy(unsigned workers, std::uint64_t seed) {
  return std::make_unique<StealPolicy>(workers, seed);
}

}  // namespace goro::detail
