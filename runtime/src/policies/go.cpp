// go.cpp — Go's scheduler design (runtime/proc.go): per-worker 256-slot ring + runnext, a global
// queue polled every 61 ticks, and steal-half from random victims.
//
//   push: spawned and woken goroutines go to runnext (the previous runnext moves to the ring
//         tail), so a channel partner runs next on the same worker and a ping-pong never leaves
//         it; a full ring moves half of itself to the global queue in one batch (runqputslow).
//         Yielded goroutines go to the ring tail. (Go puts a Gosched'd goroutine on the global
//         queue, to defeat a preempted goroutine's runnext affinity; goro has no preemption and
//         the ring tail keeps yield lock-free, so we keep it local.)
//   pop:  every kGlobalCheckInterval-th tick the global queue first (<goro/policy.hpp>); then
//         runnext and the ring — but after kRunnextStreak consecutive runnext turns the ring head
//         goes first: two goroutines readying each other through runnext would otherwise keep
//         the ring waiting forever. (Go bounds the streak by time instead: runnext inherits the
//         time slice, and sysmon preempts a slice older than 10 ms; goro has no preemption, so it
//         counts turns. The cap costs nothing when the ring is empty.) Then a batch from the
//         global queue (its fair share: size/workers + 1, at most half a ring); then up to four
//         rounds of stealing half of a random victim's ring — runnext too in the last round
//         (Go's stealRunNextG), but only from a stalled owner (owner_stalled below).
//   The spinning-worker accounting (never wake a sleeper while a worker is already spinning
//   for work) is shared by all policies in idle.cpp.
#include <algorithm>
#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "goro/go.hpp"  // goro::Clock
#include "goro/policy.hpp"

namespace goro::detail {
namespace {

// Written against the public policy API (<goro/policy.hpp>) only, under the short names Go's
// runtime uses (a goroutine is a G).
using G = Goroutine;

class GoPolicy final : public SchedulerPolicy {
  using RunQueue = GoRunQueue;

 public:
  GoPolicy(unsigned workers, std::uint64_t seed) : locals_(workers) {
    for (unsigned i = 0; i < workers; ++i) locals_[i].rng = Rng(seed + 0xC0FFEEull * (i + 1));
  }

  void push(unsigned worker, G* g, Reason reason) override {
    if (worker == kNoWorker) {
      global_.push(g);
      return;
    }
    std::array<G*, RunQueue::kOverflowBatch> overflow;
    auto spilled = locals_[worker].runq.push(g, reason != Reason::yielded, overflow);
    if (!spilled.empty()) global_.push_batch(spilled);
  }

  G* pop(unsigned worker, PolicyCounters& counters) override {
    Local& local = locals_[worker];
    const std::uint32_t tick = local.tick.load(std::memory_order_relaxed) + 1;
    local.tick.store(tick, std::memory_order_relaxed);  // only this worker writes it
    if (tick % kGlobalCheckInterval == 0) {
      if (G* g = pop_global(global_, counters)) return g;
    }
    if (local.runnext_streak >= kRunnextStreak) {
      local.runnext_streak = 0;
      if (G* g = local.runq.pop_ring()) return g;
    }
    bool from_runnext = false;
    if (G* g = local.runq.pop(&from_runnext)) {
      local.runnext_streak = from_runnext ? local.runnext_streak + 1 : 0;
      return g;
    }
    local.runnext_streak = 0;
    if (G* g = pop_global_batch(worker, counters)) return g;
    const auto n = static_cast<unsigned>(locals_.size());
    for (int round = 0; round < kStealRounds && n > 1; ++round) {
      const bool steal_runnext = round == kStealRounds - 1;
      G* g = steal_from_victims(worker, n, local.rng, counters, [&](unsigned victim) {
        return local.runq.steal_into(locals_[victim].runq, steal_runnext && owner_stalled(locals_[victim]));
      });
      if (g != nullptr) return g;
    }
    return nullptr;
  }

  bool has_work() const override {
    if (!global_.empty()) return true;
    for (const Local& local : locals_) {
      if (!local.runq.empty()) return true;
    }
    return false;
  }

 private:
  struct Local;
  static constexpr int kStealRounds = 4;                      // as in Go's stealWork()
  // kRunnextStreak: a runnext chain of 61 turns is a few µs of ping-pong — short enough that a
  // goroutine waiting in the ring is not noticeably delayed, long enough to keep the chain's
  // cache locality.
  static constexpr std::uint32_t kRunnextStreak = 61;

  // owner_stalled() — may a thief take this victim's runnext? GoRunQueue::owner_stalled's rule
  // (goro/algo/go_run_queue.hpp), with a 3 µs spin as the wait: a spin, as Go's usleep(3) costs a
  // system call and sleeps far longer (benches/README, "runnext and the thief").
  static bool owner_stalled(const Local& victim) {
    return RunQueue::owner_stalled(victim.runq, victim.tick, [] {
      const auto until = goro::Clock::now() + std::chrono::microseconds(3);
      while (goro::Clock::now() < until) PolicySync::relax();
    });
  }

  G* pop_global_batch(unsigned worker, PolicyCounters& counters) {
    if (global_.empty()) return nullptr;
    const std::size_t share = global_.size() / locals_.size() + 1;
    std::array<G*, RunQueue::kCapacity / 2> batch;
    const std::size_t n = global_.pop_batch(std::span(batch.data(), std::min(share, batch.size())));
    if (n == 0) return nullptr;
    counters.add(counters.global_queue_pops, n);
    std::array<G*, RunQueue::kOverflowBatch> overflow;
    for (std::size_t i = 1; i < n; ++i) {
      auto spilled = locals_[worker].runq.push(batch[i], false, overflow);
      if (!spilled.empty()) global_.push_batch(spilled);
    }
    return batch[0];
  }

  struct alignas(64) Local {
    RunQueue runq;
    Rng rng;
    std::atomic<std::uint32_t> tick{0};  // pop() calls; read by thieves (owner_stalled)
    std::uint32_t runnext_streak = 0;  // consecutive pops served from runnext
  };

  std::vector<Local> locals_;
  GlobalRunQueue global_;
};

}  // namespace

std::unique_ptr<SchedulerPolicy> make_go_policy(unsigned workers, std::uint64_t seed) {
  return std::make_unique<GoPolicy>(workers, seed);
}

}  // namespace goro::detail
