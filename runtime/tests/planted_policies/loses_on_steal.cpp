// loses_on_steal.cpp — a planted broken policy: work stealing that drops every 16th goroutine it
// steals (the first one included). The conformance kit must report it, in
// StealsNeverLoseOrDuplicate (contract item C1 of <goro/policy.hpp>): runtime/tests/CMakeLists.txt
// registers this as a test that passes only when the kit names that failure.
//
// Otherwise an ordinary design, built from the public building blocks: a Chase–Lev deque per
// worker, a global queue for outside pushes and yields, random victims.
#include <atomic>
#include <cstdint>
#include <memory>
#include <vector>

#include <goro/policy.hpp>

namespace {

class LosesOnStealPolicy final : public goro::SchedulerPolicy {
 public:
  LosesOnStealPolicy(unsigned workers, std::uint64_t seed) : locals_(workers) {
    for (unsigned i = 0; i < workers; ++i) locals_[i].rng = goro::Rng(seed + i + 1);
  }

  void push(unsigned worker, goro::Goroutine* g, Reason reason) override {
    if (worker == goro::kNoWorker || reason == Reason::yielded || !locals_[worker].deque.push(g)) global_.push(g);
  }

  goro::Goroutine* pop(unsigned worker, goro::PolicyCounters& counters) override {
    Local& local = locals_[worker];
    if (goro::Goroutine* g = local.deque.take()) return g;
    if (goro::Goroutine* g = goro::pop_global(global_, counters)) return g;
    return goro::steal_from_victims(worker, static_cast<unsigned>(locals_.size()), local.rng, counters,
                                    [&](unsigned victim) -> goro::Goroutine* {
                                      goro::Goroutine* g = locals_[victim].deque.steal();
                                      if (g != nullptr && steals_.fetch_add(1) % 16 == 0) return nullptr;  // PLANTED: lost
                                      return g;
                                    });
  }

  bool has_work() const override {
    if (!global_.empty()) return true;
    for (const Local& local : locals_) {
      if (local.deque.size_estimate() > 0) return true;
    }
    return false;
  }

 private:
  struct alignas(64) Local {
    goro::ChaseLevDeque<> deque;
    goro::Rng rng;
  };
  std::vector<Local> locals_;
  goro::GlobalRunQueue global_;
  std::atomic<std::uint64_t> steals_{0};
};

}  // namespace

std::unique_ptr<goro::SchedulerPolicy> make_loses_on_steal_policy(unsigned workers, std::uint64_t seed) {
  return std::make_unique<LosesOnStealPolicy>(workers, seed);
}
