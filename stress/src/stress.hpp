// stress.hpp — what every goro-stress scenario shares: its description, the per-round context,
// the failure it raises when an invariant breaks, a seeded RNG and live-object counters.
//
// A scenario is a function that runs one *round*: it builds a Runtime with the round's policy and
// worker count, runs randomized trials (all drawn from the round's seed) until the round's
// deadline, checks its invariants, and returns how many operations it performed. The driver
// (driver.cpp) chains rounds until the scenario's time is up, and on a failure prints the round's
// seed and the exact command that replays that round first.
//
// Slow is not stuck: the driver judges a hang by progress, not by a deadline. A scenario reports
// each operation its goroutines complete (progressed(), or counted() around a trial) and
// registers the Runtime it drives (Watched), so that a round that keeps completing operations
// past its time box is reported as slow, with its rate, and only a round in which nothing
// completes for the stall limit is a hang, reported with what the runtime was doing.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <source_location>
#include <stdexcept>
#include <string>
#include <string_view>

#include <goro/goro.hpp>

namespace goro_stress {

using Clock = std::chrono::steady_clock;

// Settings are the command-line knobs a scenario may read (besides seed/policy/workers).
struct Settings {
  std::uint64_t spawn_wave = 1'000'000;  // goroutines per spawn-storm wave (--spawn-wave)
};

// RoundContext is one round: everything a scenario's randomness and configuration come from.
struct RoundContext {
  std::uint64_t seed;
  goro::Policy policy;
  unsigned workers;
  Clock::time_point deadline;  // trials should stop starting after this
  const Settings* settings;

  goro::Options options() const {
    goro::Options o;
    o.policy = policy;
    o.workers = workers;
    return o;
  }
  bool time_left() const { return Clock::now() < deadline; }
};

struct Scenario {
  std::string_view name;
  std::string_view summary;     // one line for --list
  std::string_view invariants;  // what a round checks (printed by --list)
  // round() runs one round and returns the number of operations it performed; it throws
  // Failure when an invariant breaks (any other exception escaping it is a failure too).
  std::uint64_t (*round)(const RoundContext& ctx);
  // quiet_seconds(), when set, is how much longer than the driver's stall limit a healthy round
  // may go without completing an operation: phases whose cost grows with the settings and count
  // no progress (spawn-storm hands a whole wave's stacks back to the kernel at once).
  double (*quiet_seconds)(const Settings& settings) = nullptr;
};

// Progress is what the driver's hang detector reads from another thread: the operations
// completed so far, and the counters of the Runtime the scenario is driving (if it registered
// one). Relaxed: a count that is a few operations stale changes no verdict.
class Progress {
 public:
  static Progress& instance() {
    static Progress progress;
    return progress;
  }
  void add(std::uint64_t n) { operations_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t operations() const { return operations_.load(std::memory_order_relaxed); }
  void watch(const goro::Runtime* rt) {
    std::lock_guard lock(mutex_);
    runtime_ = rt;
  }
  // stats() is the watched Runtime's counters, or nothing when none is registered.
  std::optional<goro::Stats> stats() const {
    std::lock_guard lock(mutex_);
    if (runtime_ == nullptr) return std::nullopt;
    return runtime_->stats();
  }

 private:
  std::atomic<std::uint64_t> operations_{0};
  mutable std::mutex mutex_;  // a Runtime is unregistered (under it) before it is destroyed
  const goro::Runtime* runtime_ = nullptr;
};

// progressed() reports n completed operations; counted() reports a trial's operations and
// returns them (`operations += counted(trial(rng))`).
inline void progressed(std::uint64_t n = 1) { Progress::instance().add(n); }
inline std::uint64_t counted(std::uint64_t n) {
  progressed(n);
  return n;
}

// Watched registers a Runtime with the hang detector for its lifetime: declare it after the
// Runtime, so it is unregistered before the Runtime is destroyed.
class Watched {
 public:
  explicit Watched(const goro::Runtime& rt) { Progress::instance().watch(&rt); }
  ~Watched() { Progress::instance().watch(nullptr); }
  Watched(const Watched&) = delete;
  Watched& operator=(const Watched&) = delete;
};

// Failure is an invariant violation; the message says which invariant and with what numbers.
class Failure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// require() throws Failure("<file>:<line>: <what>") unless ok.
inline void require(bool ok, std::string_view what, std::source_location where = std::source_location::current()) {
  if (ok) return;
  std::string file = where.file_name();
  if (auto slash = file.rfind('/'); slash != std::string::npos) file.erase(0, slash + 1);
  throw Failure(file + ":" + std::to_string(where.line()) + ": invariant broken: " + std::string(what));
}

// Rng is splitmix64: tiny, seedable, good enough to draw trial parameters.
class Rng {
 public:
  explicit Rng(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // below() is uniform-ish in [0, bound); bound must be > 0.
  std::uint64_t below(std::uint64_t bound) { return next() % bound; }
  // between() is in [lo, hi].
  std::uint64_t between(std::uint64_t lo, std::uint64_t hi) { return lo + below(hi - lo + 1); }
  bool chance(unsigned one_in) { return below(one_in) == 0; }

 private:
  std::uint64_t state_;
};

// next_round_seed() derives round k+1's seed from round k's, so `--seed <round seed>` replays
// the failing round as the first round.
inline std::uint64_t next_round_seed(std::uint64_t seed) { return Rng(seed ^ 0x5851F42D4C957F2Dull).next(); }

// Tracked counts its live instances in a counter chosen by the scenario: after a run() ends,
// however it ends, the counter must be back to zero (nothing leaked, every destructor ran).
class Tracked {
 public:
  explicit Tracked(std::atomic<std::int64_t>& live, std::uint64_t value = 0) : live_(&live), value_(value) {
    live_->fetch_add(1, std::memory_order_relaxed);
  }
  Tracked(const Tracked& other) : live_(other.live_), value_(other.value_) { live_->fetch_add(1, std::memory_order_relaxed); }
  Tracked(Tracked&& other) noexcept : live_(other.live_), value_(other.value_) {
    live_->fetch_add(1, std::memory_order_relaxed);
  }
  Tracked& operator=(const Tracked&) = default;
  Tracked& operator=(Tracked&&) noexcept = default;
  ~Tracked() { live_->fetch_sub(1, std::memory_order_relaxed); }
  std::uint64_t value() const { return value_; }

 private:
  std::atomic<std::int64_t>* live_;
  std::uint64_t value_;
};

// trials_on_one_runtime() is the round most scenarios share: one Runtime for the round, and
// trial(rng) run inside it again and again until the round's time is up. Returns the
// operations the trials counted.
inline std::uint64_t trials_on_one_runtime(const RoundContext& ctx, std::uint64_t (*trial)(Rng& rng)) {
  std::uint64_t operations = 0;
  goro::Runtime rt(ctx.options());
  Watched watched(rt);
  rt.run([&] {
    Rng rng(ctx.seed);
    do operations += counted(trial(rng));
    while (ctx.time_left());
  });
  return operations;
}

// Every scenario, defined one per file in scenarios/.
extern const Scenario mpmc_scenario;
extern const Scenario close_storm_scenario;
extern const Scenario select_storm_scenario;
extern const Scenario timer_storm_scenario;
extern const Scenario spawn_storm_scenario;
extern const Scenario exception_storm_scenario;
extern const Scenario catch_switch_scenario;
extern const Scenario sync_storm_scenario;
extern const Scenario run_storm_scenario;
// Planted (stress/planted/planted_scenarios.cpp): never in --all; each proves one verdict of the
// hang detector.
extern const Scenario planted_lost_wakeup_scenario;
extern const Scenario planted_slowdown_scenario;

}  // namespace goro_stress
