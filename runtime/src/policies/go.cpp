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
//         rounds of stealing half of a random victim's ring, or its runnext — but only work its
//         owner would not soon run itself (steal_from below; unlike Go, which steals any ring
//         and a running P's runnext after usleep(3)): a backlog longer than kStealBacklog at the
//         owner's pace, or anything behind an owner that stalled for kStallTime.
//   runs_next: a push that only filled an empty runnext left nothing for another worker, and a
//         push that left a ring the owner gets through sooner than kStealBacklog at its own pace
//         left nothing a thief would take (the same backlog rule, asked by the owner), so the
//         scheduler wakes nobody for either (goro/algo/idle.hpp); should the owner compute
//         instead of running them, a sleeper's poll finds it stalled and steals.
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

// kVirtualTime: the deterministic world (goro/sync/deterministic.hpp), whose clock stands still
// while goroutines run. There the policy wakes for every push and steals without the time-based
// rules below, so the seeded scheduler can spread goroutines over the workers and interleave them.
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC
constexpr bool kVirtualTime = true;
#else
constexpr bool kVirtualTime = false;
#endif
namespace {

// Written against the public policy API (<goro/policy.hpp>) only, under the short names Go's
// runtime uses (a goroutine is a G).
using G = Goroutine;

class GoPolicy final : public SchedulerPolicy {
  using RunQueue = GoRunQueue;

 public:
  GoPolicy(unsigned workers, std::uint64_t seed) : locals_(workers) {
    for (unsigned i = 0; i < workers; ++i) {
      locals_[i].rng = Rng(seed + 0xC0FFEEull * (i + 1));
      locals_[i].still.resize(workers);
    }
  }

  void push(unsigned worker, G* g, Reason reason) override {
    if (worker == kNoWorker) {
      global_.push(g);
      return;
    }
    Local& local = locals_[worker];
    const bool next = reason != Reason::yielded;
    const bool filled_empty_runnext = next && !local.runq.runnext_occupied();
    std::array<G*, RunQueue::kOverflowBatch> overflow;
    auto spilled = local.runq.push(g, next, overflow);
    if (!spilled.empty()) global_.push_batch(spilled);
    // On the virtual clock there is no pace: every push may wake (runs_next() is false there),
    // and the ring is not read again — each read would be one more scheduling decision.
    if constexpr (kVirtualTime) return;
    const bool worth_moving = !spilled.empty() || backlog_worth_moving(local);
    local.runs_next = spilled.empty() && (filled_empty_runnext || !worth_moving);
    if (local.worth_stealing.load(std::memory_order_relaxed) != worth_moving) {
      local.worth_stealing.store(worth_moving, std::memory_order_relaxed);
    }
  }

  bool runs_next(unsigned worker) const override { return !kVirtualTime && locals_[worker].runs_next; }

  G* pop(unsigned worker, PolicyCounters& counters) override {
    G* g = find_runnable(worker, counters);
    if (g != nullptr) count_run(locals_[worker]);
    return g;
  }

  bool has_work() const override {
    if (!global_.empty()) return true;
    for (const Local& local : locals_) {
      if (!local.runq.empty()) return true;
    }
    return false;
  }

  // has_work_for(): the global queue, this worker's own queue, and another's only when its last
  // push left a backlog worth moving — what steal_from() would take from a busy owner.
  bool has_work_for(unsigned worker) const override {
    if constexpr (kVirtualTime) return has_work();
    if (!global_.empty()) return true;
    for (unsigned i = 0; i < locals_.size(); ++i) {
      const Local& local = locals_[i];
      if (local.runq.empty()) continue;
      if (i == worker || local.worth_stealing.load(std::memory_order_relaxed)) return true;
    }
    return false;
  }

 private:
  struct Local;

  G* find_runnable(unsigned worker, PolicyCounters& counters) {
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
      G* g = steal_from_victims(worker, n, local.rng, counters, [&](unsigned victim) { return steal_from(local, victim); });
      if (g != nullptr) return g;
    }
    return nullptr;
  }

  static constexpr int kStealRounds = 4;                      // as in Go's stealWork()
  // kRunnextStreak: a runnext chain of 61 turns is a few µs of ping-pong — short enough that a
  // goroutine waiting in the ring is not noticeably delayed, long enough to keep the chain's
  // cache locality.
  static constexpr std::uint32_t kRunnextStreak = 61;
  // kOwnerWait: how long a thief watches a victim's tick (Go's runqgrab waits 3 µs — usleep(3) —
  // before taking a running P's runnext; a spin here, as a system call sleeps far longer:
  // benches/README, "runnext and the thief").
  static constexpr std::chrono::microseconds kOwnerWait{3};
  // kStealBacklog: a backlog the owner gets through sooner than this stays with it. Moving
  // goroutines to another core costs their cache lines and the lines of every channel they
  // share with goroutines left behind, for as long as the pair stays split; a split lasts, so
  // the backlog must be worth more than the spin an idle worker would spend waiting for it
  // (kSpinTime, scheduler.hpp: 30 µs).
  static constexpr std::chrono::microseconds kStealBacklog{30};
  // kStallTime: an owner that scheduled nothing for this long is computing, not about to run
  // what it queued. Longer than a buffered channel's drain or a loop of spawns (a few
  // microseconds to tens of them), far shorter than any goroutine that computes for real.
  static constexpr std::chrono::microseconds kStallTime{50};
  // kPaceRuns: how many runs one pace sample spans — enough that a clock read costs nothing
  // measurable per run, few enough that the pace follows a change of phase within
  // microseconds to a few hundred of them.
  static constexpr std::uint32_t kPaceRuns = 64;
  // kPaceUnknown: the run time assumed before the first sample — above kStealBacklog, so any
  // backlog is worth a wake-up until the pace is known.
  static constexpr std::uint64_t kPaceUnknown = 1'000'000'000;

  // steal_from() — the steal rule: take from a victim only what its owner would not soon run
  // itself. Watch the victim's tick (its count of pops) across one kOwnerWait:
  //   - it moved: the owner is getting through its queue. Take half its ring only if what is
  //     queued (ring and runnext) would keep the owner busy longer than kStealBacklog at the pace
  //     just seen; never its runnext.
  //   - it did not move: the owner computes. Take half its ring, or its runnext, once this thief
  //     has seen the tick stand still for kStallTime (the thief remembers, per victim, since
  //     when): a spawning loop or a goroutine draining a full buffer schedules nothing for a few
  //     microseconds and then runs what it queued itself.
  G* steal_from(Local& self, unsigned victim) {
    Local& v = locals_[victim];
    if (v.runq.empty()) return nullptr;
    if constexpr (kVirtualTime) {
      // On the virtual clock neither a pace nor a stall can be measured (time stands still while
      // goroutines run): steal what the owner holds, runnext from an owner that schedules nothing.
      return self.runq.steal_into(v.runq, RunQueue::owner_stalled(v.runq, v.tick, [] { spin_for(kOwnerWait); }));
    }
    const std::uint32_t queued = v.runq.size_estimate() + (v.runq.runnext_occupied() ? 1u : 0u);
    const std::uint32_t seen = v.tick.load(std::memory_order_relaxed);
    spin_for(kOwnerWait);
    const std::uint32_t ran = v.tick.load(std::memory_order_relaxed) - seen;
    if (ran == 0) {
      const auto now = goro::Clock::now();
      StillSince& still = self.still[victim];
      if (!still.known || still.tick != seen) still = StillSince{true, seen, now - kOwnerWait};
      if (now - still.since < kStallTime) return nullptr;
      // Still, for long enough: take the ring, and runnext if the owner still schedules nothing
      // (GoRunQueue::owner_stalled, the rule model_go_run_queue checks).
      return self.runq.steal_into(v.runq, RunQueue::owner_stalled(v.runq, v.tick, [] { spin_for(kOwnerWait); }));
    }
    if (queued * kOwnerWait <= ran * kStealBacklog) return nullptr;
    return self.runq.steal_into(v.runq, false);
  }

  // backlog_worth_moving() — the thief's backlog rule (steal_from), asked by the owner after a
  // push: would what its ring holds keep it busy longer than kStealBacklog at its own recent
  // pace? Only then is an idle worker worth waking (runs_next() false): a thief woken for less
  // would find the owner getting through its queue, take nothing, and spin. While the pace is
  // not yet known, every backlog is worth it.
  static bool backlog_worth_moving(const Local& local) {
    const std::uint64_t queued = local.runq.size_estimate();
    return queued * local.run_ns > std::uint64_t(std::chrono::nanoseconds(kStealBacklog).count());
  }

  // count_run() — the owner's pace: every kPaceRuns goroutines it runs, the wall time per run
  // since the last sample (idle time between runs included, so a worker that waited looks
  // slow and wakes more, never less). One clock read per kPaceRuns runs.
  static void count_run(Local& local) {
    if constexpr (kVirtualTime) return;  // no pace on the virtual clock (and no clock reads)
    if (++local.runs % kPaceRuns != 0) return;
    const auto now = goro::Clock::now();
    if (local.paced_at != goro::Clock::time_point{}) {
      local.run_ns = std::uint64_t(std::chrono::duration_cast<std::chrono::nanoseconds>(now - local.paced_at).count()) / kPaceRuns;
    }
    local.paced_at = now;
  }

  static void spin_for(std::chrono::microseconds wait) {
    const auto until = goro::Clock::now() + wait;
    while (goro::Clock::now() < until) PolicySync::relax();
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

  // StillSince: a victim's tick as this thief last saw it standing still, and since when.
  struct StillSince {
    bool known = false;
    std::uint32_t tick = 0;
    goro::Clock::time_point since{};
  };
  struct alignas(64) Local {
    RunQueue runq;
    Rng rng;
    std::atomic<std::uint32_t> tick{0};  // pop() calls; read by thieves (owner_stalled)
    std::uint32_t runnext_streak = 0;  // consecutive pops served from runnext
    bool runs_next = false;  // the last push left nothing worth another worker (owner only)
    // the last push left a backlog worth moving (written by the owner; read by idle workers,
    // has_work_for; its store precedes the pusher's notify, whose handshake publishes it)
    std::atomic<bool> worth_stealing{false};
    std::uint32_t runs = 0;  // goroutines this worker ran (owner only): the pace's count
    std::uint64_t run_ns = kPaceUnknown;  // wall time per run at the last pace sample (owner only)
    goro::Clock::time_point paced_at{};  // when that sample was taken (owner only)
    std::vector<StillSince> still;  // per victim: since when its tick stood still (this thief only)
  };

  std::vector<Local> locals_;
  GlobalRunQueue global_;
};

}  // namespace

std::unique_ptr<SchedulerPolicy> make_go_policy(unsigned workers, std::uint64_t seed) {
  return std::make_unique<GoPolicy>(workers, seed);
}

}  // namespace goro::detail
