// loses_when_victim_parks.cpp — a planted broken policy that loses a goroutine only when a thief
// steals from a worker that is parking: a bug that needs timers, idle workers and the right
// moment, so it shows only in whole programs and under some schedules. The deterministic world must find it
// (runtime/tests/deterministic/explore_programs.cpp, scenario parking_steal; `scripts/suite
// explore` and deterministic_test.cpp) and replay it from its one line.
//
// The design: a Chase–Lev deque per worker, a global queue for outside pushes and yields, random
// victims (as loses_on_steal.cpp). A worker whose pop() finds no work anywhere is marked parking
// until its next pop() finds some. The planted rule: a thief that finds its victim parking
// leaves the goroutine to the victim ("a parking worker looks at its deque once more before it
// sleeps") — but it checks after stealing, so the goroutine it already took off the deque is in
// no queue at all. A parking worker's deque gets work only one way: an idle worker runs the due
// timers, and a sleeper its timer readies is pushed onto that worker's deque. So a goroutine is
// lost only when a timer fires on an idle worker and a third worker steals the sleeper before
// the idle one pops it (contract item C1 of <goro/policy.hpp>).
#include <cstdint>
#include <memory>
#include <vector>

#include <goro/policy.hpp>

namespace {

class LosesWhenVictimParksPolicy final : public goro::SchedulerPolicy {
 public:
  LosesWhenVictimParksPolicy(unsigned workers, std::uint64_t seed) : locals_(workers) {
    for (unsigned i = 0; i < workers; ++i) locals_[i].rng = goro::Rng(seed + i + 1);
  }

  void push(unsigned worker, goro::Goroutine* g, Reason reason) override {
    if (worker == goro::kNoWorker || reason == Reason::yielded || !locals_[worker].deque.push(g)) global_.push(g);
  }

  goro::Goroutine* pop(unsigned worker, goro::PolicyCounters& counters) override {
    Local& local = locals_[worker];
    goro::Goroutine* g = local.deque.take();
    if (g == nullptr) g = goro::pop_global(global_, counters);
    if (g == nullptr) {
      g = goro::steal_from_victims(worker, static_cast<unsigned>(locals_.size()), local.rng, counters,
                                   [&](unsigned victim) -> goro::Goroutine* {
                                     goro::Goroutine* stolen = locals_[victim].deque.steal();
                                     if (stolen != nullptr && locals_[victim].parking.load()) {
                                       return nullptr;  // PLANTED: taken off the deque, then left to the victim
                                     }
                                     return stolen;
                                   });
    }
    local.parking.store(g == nullptr);  // nothing anywhere: this worker goes idle
    return g;
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
    goro::PolicySync::atomic<bool> parking{false};
    goro::Rng rng;
  };
  std::vector<Local> locals_;
  goro::GlobalRunQueue global_;
};

}  // namespace

std::unique_ptr<goro::SchedulerPolicy> make_loses_when_victim_parks_policy(unsigned workers, std::uint64_t seed) {
  return std::make_unique<LosesWhenVictimParksPolicy>(workers, seed);
}
