// deterministic.cpp — the seeded scheduler behind the deterministic Sync policy
// (goro/sync/deterministic.hpp: the invariants, the environment, the schedule file format).
//
// State: one Controller, leaked (it must outlive static destructors while worker threads still
// wait on it). Every field is guarded by its mutex; only the baton holder ever changes which
// thread runs (current). A decision is made at each synchronisation point, numbered by step:
//   default choice  stay on the running thread (a plain point) or the next runnable thread
//                   after it in id order (a spin-wait, a block, a thread end);
//   random          uniform over the runnable threads (over the others after a spin-wait);
//   pct             the runnable thread of highest priority; priorities are drawn when a thread
//                   is announced (all >= d), the running thread drops to d-1-j at the j-th of the
//                   d-1 change points drawn in [1, k]; a spin-wait gives one step to the best
//                   other runnable thread (its priority unchanged, so a spinning thread cannot
//                   starve the one it waits for, and the priorities still order everything else);
//   none            the default choice;
//   replay          the schedule file's thread at its steps, the default choice elsewhere.
// A decision that differs from the default is recorded (the schedule file); every switch goes
// into the schedule hash. Lock order: Controller::mutex only (never held across user code).
#if defined(GORO_DETERMINISTIC) && GORO_DETERMINISTIC

#include "goro/sync/deterministic.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <condition_variable>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace goro::sync::det {

namespace {

constexpr std::int64_t kRelaxTick = 1000;             // ns of virtual time per spin-wait
constexpr std::int64_t kVirtualEpoch = 1'000'000'000;  // the virtual clock starts at 1 s
constexpr std::int64_t kNoDeadline = INT64_MAX;
// Heap addresses must not depend on the OS's timing (select orders its locks by address): one
// malloc arena and no per-thread caches. glibc reads this only at start-up, so it must be in
// the environment the program starts with; the reproduce line carries it.
constexpr const char* kHeapTunables = "glibc.malloc.tcache_count=0:glibc.malloc.arena_max=1";
// Livelock: a test binary's whole run (the conformance kit: bursts of 20,000 goroutines) is tens
// of millions of points; a spinning livelock reaches this in under a minute.
constexpr std::uint64_t kDefaultMaxSteps = 100'000'000;

enum class Strategy { random, pct, none, replay };
enum class Kind { point, relax, blocked, ended };
enum class State { runnable, blocked, finished };

const char* strategy_name(Strategy s) {
  switch (s) {
    case Strategy::random: return "random";
    case Strategy::pct: return "pct";
    case Strategy::none: return "none";
    case Strategy::replay: return "replay";
  }
  return "?";
}

struct Thread {
  unsigned id = 0;
  State state = State::runnable;
  const void* waiting_on = nullptr;  // blocked: the futex word, lock or thread it waits for
  std::int64_t deadline = kNoDeadline;
  std::int64_t priority = 0;          // pct
  std::condition_variable cv;
};

[[noreturn]] void bad_env(const char* name, const char* value, const char* want) {
  std::fprintf(stderr, "goro: %s='%s' is not valid (%s)\n", name, value, want);
  std::fflush(stderr);
  _exit(2);
}

std::uint64_t env_number(const char* name, std::uint64_t fallback, std::uint64_t min) {
  const char* text = std::getenv(name);
  if (text == nullptr) return fallback;
  char* end = nullptr;
  errno = 0;
  const unsigned long long value = std::strtoull(text, &end, 10);
  if (*text == '\0' || *end != '\0' || errno != 0 || text[0] == '-' || value < min) {
    bad_env(name, text, min > 0 ? "a whole number >= 1" : "a whole number");
  }
  return value;
}

std::string shell_quote(const std::string& s) {
  if (!s.empty() && s.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-+=./,:@%") ==
                        std::string::npos) {
    return s;
  }
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string command_line() {
  std::ifstream in("/proc/self/cmdline", std::ios::binary);
  std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string out;
  std::size_t start = 0;
  while (start < all.size()) {
    std::size_t end = all.find('\0', start);
    if (end == std::string::npos) end = all.size();
    if (!out.empty()) out += ' ';
    out += shell_quote(all.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

class Controller {
 public:
  Controller() { configure(); }

  // --- called by the API below, each under mutex_ ---
  std::mutex mutex_;
  std::vector<std::unique_ptr<Thread>> threads_;
  unsigned current_ = 0;

  void configure();
  unsigned add_thread();
  void decide_and_switch(std::unique_lock<std::mutex>& lock, Thread& self, Kind kind);
  void wait_for_baton(std::unique_lock<std::mutex>& lock, Thread& self) {
    self.cv.wait(lock, [&] { return current_ == self.id; });
  }
  void wake_address(const void* address, int count);
  void advance_to(std::int64_t when);
  void tick() {
    advance_to(now_ + kRelaxTick);
  }
  std::int64_t now_ = kVirtualEpoch;
  unsigned adopted_ = 0;  // threads the program started itself (see me())
  bool heap_pinned_ = false;  // GLIBC_TUNABLES pins the heap (kHeapTunables)

  void finish(const char* outcome, std::int64_t failing_step);  // report + record files
  std::vector<std::pair<void*, Describer>> runtimes_;  // the live Schedulers (add_runtime)
  std::int64_t failure_step_ = -1;                       // the first failure()'s step
  std::uint64_t stop_at_ = 0;                            // GORO_DET_STOP_AT; 0: never
  bool stop_due(std::uint64_t step) const { return stop_at_ != 0 && step >= stop_at_; }
  std::string describe_world() const;
  [[noreturn]] void stop(const char* outcome, int code, const std::string& why);
  std::string reproduce_line() const;
  std::uint64_t steps() const { return step_; }

 private:
  unsigned choose(Thread& self, Kind kind);
  unsigned default_choice(const Thread& self, Kind kind) const;
  bool runnable(unsigned id) const { return id < threads_.size() && threads_[id]->state == State::runnable; }
  std::uint64_t next_random() {
    std::uint64_t z = (rng_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::string describe_threads() const;

  Strategy strategy_ = Strategy::random;
  std::uint64_t seed_ = 1;
  std::uint64_t rng_ = 0;
  std::uint64_t depth_ = 3;
  std::uint64_t pct_steps_ = 20000;
  std::uint64_t max_steps_ = kDefaultMaxSteps;
  std::vector<std::uint64_t> change_points_;  // pct: sorted steps
  std::size_t next_change_ = 0;
  std::map<std::uint64_t, unsigned> replay_;  // step -> thread
  std::string replay_path_, record_path_, report_path_;
  std::vector<std::pair<std::uint64_t, unsigned>> recorded_;
  std::uint64_t step_ = 0;
  std::uint64_t switches_ = 0;
  std::uint64_t decisions_ = 0;  // decisions that differ from the default choice
  std::vector<unsigned> pool_;   // random: the candidates of the current decision
  std::uint64_t hash_ = 0xCBF29CE484222325ull;
  bool finished_ = false;
};

void Controller::configure() {
  seed_ = env_number("GORO_DET_SEED", 1, 0);
  rng_ = seed_ * 0xD1B54A32D192ED03ull + 0x2545F4914F6CDD1Dull;
  if (const char* s = std::getenv("GORO_DET_STRATEGY")) {
    const std::string name(s);
    if (name == "random") {
      strategy_ = Strategy::random;
    } else if (name == "pct") {
      strategy_ = Strategy::pct;
    } else if (name == "none") {
      strategy_ = Strategy::none;
    } else {
      bad_env("GORO_DET_STRATEGY", s, "random, pct or none");
    }
  }
  depth_ = env_number("GORO_DET_PCT_DEPTH", 3, 1);
  pct_steps_ = env_number("GORO_DET_PCT_STEPS", 20000, 1);
  max_steps_ = env_number("GORO_DET_MAX_STEPS", kDefaultMaxSteps, 1);
  stop_at_ = env_number("GORO_DET_STOP_AT", 0, 1);
  if (const char* p = std::getenv("GORO_DET_RECORD")) record_path_ = p;
  if (const char* p = std::getenv("GORO_DET_REPORT")) report_path_ = p;
  if (const char* p = std::getenv("GORO_DET_REPLAY")) {
    replay_path_ = p;
    std::ifstream in(replay_path_);
    if (!in) bad_env("GORO_DET_REPLAY", p, "a readable schedule file");
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line[0] == '#') continue;
      std::istringstream fields(line);
      std::uint64_t step = 0;
      unsigned thread = 0;
      if (!(fields >> step >> thread)) bad_env("GORO_DET_REPLAY", p, "lines of '<step> <thread>' or '# comments'");
      replay_[step] = thread;
    }
    strategy_ = Strategy::replay;
  }
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  heap_pinned_ = tunables != nullptr && std::string(tunables).find("glibc.malloc.tcache_count=0") != std::string::npos &&
                 std::string(tunables).find("glibc.malloc.arena_max=1") != std::string::npos;
  if (!heap_pinned_) {
    std::fprintf(stderr,
                 "goro-det: GLIBC_TUNABLES=%s is not set: heap addresses may differ between runs of one seed "
                 "(scripts/suite explore and the reproduce line set it)\n",
                 kHeapTunables);
  }
  if (strategy_ == Strategy::pct) {
    for (std::uint64_t i = 0; i + 1 < depth_; ++i) change_points_.push_back(1 + next_random() % pct_steps_);
    std::sort(change_points_.begin(), change_points_.end());
  }
}

unsigned Controller::add_thread() {
  auto t = std::make_unique<Thread>();
  t->id = static_cast<unsigned>(threads_.size());
  // pct: a random priority above every change-point priority (d-1 .. 1); ties broken by id.
  t->priority = static_cast<std::int64_t>(depth_) + static_cast<std::int64_t>(next_random() % 1'000'000);
  threads_.push_back(std::move(t));
  return threads_.back()->id;
}

unsigned Controller::default_choice(const Thread& self, Kind kind) const {
  if (kind == Kind::point && self.state == State::runnable) return self.id;
  const unsigned n = static_cast<unsigned>(threads_.size());
  for (unsigned i = 1; i <= n; ++i) {
    const unsigned id = (self.id + i) % n;
    if (runnable(id)) return id;
  }
  return self.id;  // only self (relax), or nobody: the caller handles that
}

unsigned Controller::choose(Thread& self, Kind kind) {
  const unsigned fallback = default_choice(self, kind);
  switch (strategy_) {
    case Strategy::none:
      return fallback;
    case Strategy::replay: {
      auto it = replay_.find(step_);
      return it != replay_.end() && runnable(it->second) ? it->second : fallback;
    }
    case Strategy::random: {
      pool_.clear();  // a member: a decision allocates nothing (the programs count allocations)
      for (const auto& t : threads_) {
        if (t->state == State::runnable && !(kind == Kind::relax && t->id == self.id)) pool_.push_back(t->id);
      }
      if (pool_.empty()) return fallback;
      return pool_[next_random() % pool_.size()];
    }
    case Strategy::pct: {
      while (next_change_ < change_points_.size() && change_points_[next_change_] <= step_) {
        self.priority = static_cast<std::int64_t>(depth_) - 1 - static_cast<std::int64_t>(next_change_);
        ++next_change_;
      }
      const Thread* best = nullptr;
      for (const auto& t : threads_) {
        if (t->state != State::runnable || (kind == Kind::relax && t->id == self.id && fallback != self.id)) continue;
        if (best == nullptr || t->priority > best->priority) best = t.get();
      }
      return best != nullptr ? best->id : fallback;
    }
  }
  return fallback;
}

void Controller::advance_to(std::int64_t when) {
  if (when > now_) now_ = when;
  for (const auto& t : threads_) {
    if (t->state == State::blocked && t->deadline <= now_) {
      t->state = State::runnable;
      t->waiting_on = nullptr;
      t->deadline = kNoDeadline;
    }
  }
}

void Controller::wake_address(const void* address, int count) {
  for (const auto& t : threads_) {
    if (count <= 0) break;
    if (t->state == State::blocked && t->waiting_on == address) {
      t->state = State::runnable;
      t->waiting_on = nullptr;
      t->deadline = kNoDeadline;
      --count;
    }
  }
}

void Controller::decide_and_switch(std::unique_lock<std::mutex>& lock, Thread& self, Kind kind) {
  ++step_;
  // The first point after the stop step (a failure() at that step stops there, see failure()).
  if (stop_at_ != 0 && step_ == stop_at_ + 1) {
    lock.unlock();
    stop("stopped", kExitStopped, "GORO_DET_STOP_AT=" + std::to_string(stop_at_) + " reached");
  }
  if (step_ > max_steps_) {
    lock.unlock();
    stop("livelock", kExitLivelock,
         "more than GORO_DET_MAX_STEPS=" + std::to_string(max_steps_) + " synchronisation points");
  }
  bool any = false;
  for (const auto& t : threads_) any = any || t->state == State::runnable;
  if (!any) {
    // Every thread is blocked: virtual time jumps to the earliest deadline, if there is one.
    std::int64_t earliest = kNoDeadline;
    for (const auto& t : threads_) {
      if (t->state == State::blocked) earliest = std::min(earliest, t->deadline);
    }
    if (earliest == kNoDeadline) {
      lock.unlock();
      stop("hang", kExitHang, "every thread is blocked and no deadline is pending (a lost wake-up or a deadlock)");
    }
    advance_to(earliest);
  }
  const unsigned next = choose(self, kind);
  if (next != default_choice(self, kind)) {
    ++decisions_;
    if (!record_path_.empty()) recorded_.emplace_back(step_, next);  // kept only when asked for
  }
  if (next != self.id) {
    ++switches_;
    hash_ = (hash_ ^ step_) * 0x100000001B3ull;
    hash_ = (hash_ ^ next) * 0x100000001B3ull;
  }
  current_ = next;
  if (next != self.id) threads_[next]->cv.notify_one();
  if (kind != Kind::ended) wait_for_baton(lock, self);
}

std::string Controller::describe_threads() const {
  std::string out;
  for (const auto& t : threads_) {
    char line[160];
    const char* state = t->state == State::runnable ? "runnable" : t->state == State::finished ? "finished" : "blocked";
    std::snprintf(line, sizeof line, "  thread %u (%s): %s%s\n", t->id, t->id == 0 ? "main" : "worker", state,
                  t->state == State::blocked && t->deadline == kNoDeadline ? ", no deadline" : "");
    out += line;
  }
  return out;
}

std::string Controller::describe_world() const {
  std::string out = describe_threads();
  if (runtimes_.empty()) return out + "  (no runtime is live)\n";
  for (const auto& [runtime, describe] : runtimes_) describe(runtime, out);
  return out;
}

std::string Controller::reproduce_line() const {
  std::string env = std::string("GLIBC_TUNABLES=") + kHeapTunables + " ";
  if (strategy_ == Strategy::replay) {
    env += "GORO_DET_REPLAY=" + shell_quote(replay_path_);
  } else {
    env += "GORO_DET_SEED=" + std::to_string(seed_) + " GORO_DET_STRATEGY=" + strategy_name(strategy_);
    if (strategy_ == Strategy::pct) {
      env += " GORO_DET_PCT_DEPTH=" + std::to_string(depth_) + " GORO_DET_PCT_STEPS=" + std::to_string(pct_steps_);
    }
  }
  if (std::getenv("GORO_DET_MAX_STEPS") != nullptr) env += " GORO_DET_MAX_STEPS=" + std::to_string(max_steps_);
  for (const char* name : {"GORO_WORKERS", "GORO_POLICY"}) {
    if (const char* v = std::getenv(name)) env += std::string(" ") + name + "=" + shell_quote(v);
  }
  return env + " " + command_line();
}

void Controller::finish(const char* outcome, std::int64_t failing_step) {
  if (finished_) return;
  finished_ = true;
  if (failing_step < 0) failing_step = failure_step_;  // an exit after a goroutine's failure()
  if (!record_path_.empty()) {
    if (FILE* f = std::fopen(record_path_.c_str(), "w")) {
      std::fprintf(f, "# goro deterministic schedule: seed %llu, strategy %s, %llu steps, outcome %s\n",
                   static_cast<unsigned long long>(seed_), strategy_name(strategy_),
                   static_cast<unsigned long long>(step_), outcome);
      for (const auto& [step, thread] : recorded_) {
        std::fprintf(f, "%llu %u\n", static_cast<unsigned long long>(step), thread);
      }
      std::fclose(f);
    }
  }
  if (!report_path_.empty()) {
    if (FILE* f = std::fopen(report_path_.c_str(), "w")) {
      // The PCT bound: a bug of depth d is hit with probability >= 1/(n * k^(d-1)).
      const double n = static_cast<double>(threads_.size());
      double bound = 1.0 / n;
      for (std::uint64_t i = 1; i < depth_; ++i) bound /= static_cast<double>(pct_steps_);
      std::fprintf(f,
                   "{\"seed\": %llu, \"strategy\": \"%s\", \"steps\": %llu, \"switches\": %llu, \"decisions\": %llu, "
                   "\"hash\": \"%016llx\", \"threads\": %zu, \"virtual_ns\": %lld, \"outcome\": \"%s\", "
                   "\"failing_step\": %lld, \"adopted_threads\": %u, \"heap_pinned\": %s, \"pct_depth\": %llu, \"pct_steps\": %llu, \"pct_bound\": %.6g}\n",
                   static_cast<unsigned long long>(seed_), strategy_name(strategy_),
                   static_cast<unsigned long long>(step_), static_cast<unsigned long long>(switches_),
                   static_cast<unsigned long long>(decisions_), static_cast<unsigned long long>(hash_), threads_.size(),
                   static_cast<long long>(now_ - kVirtualEpoch), outcome, static_cast<long long>(failing_step), adopted_,
                   heap_pinned_ ? "true" : "false",
                   static_cast<unsigned long long>(depth_), static_cast<unsigned long long>(pct_steps_), bound);
      std::fclose(f);
    }
  }
}

void Controller::stop(const char* outcome, int code, const std::string& why) {
  std::string states;
  {
    std::lock_guard lock(mutex_);
    finish(outcome, failure_step_ >= 0 && std::string(outcome) == "stopped" ? failure_step_
                                                                           : static_cast<std::int64_t>(step_));
    states = describe_world();
  }
  std::fprintf(stderr, "goro-det: %s at step %llu: %s\n%s", outcome, static_cast<unsigned long long>(step_),
               why.c_str(), states.c_str());
  std::fprintf(stderr, "goro-det: reproduce: %s\n", reproduce_line().c_str());
  std::fflush(stderr);
  _exit(code);
}

std::atomic<Controller*> controller_{nullptr};
std::once_flag controller_once_;
thread_local Thread* self_ = nullptr;

void at_exit() {
  Controller& c = *controller_.load();
  std::lock_guard lock(c.mutex_);
  c.finish("exit", -1);
}

void on_abort(int) {
  // Only the baton holder runs, so the others cannot race these writes.
  Controller& c = *controller_.load();
  c.finish("abort", static_cast<std::int64_t>(c.steps()));
  const std::string line = "goro-det: abort at step " + std::to_string(c.steps()) + "\n" + c.describe_world() +
                           "goro-det: reproduce: " + c.reproduce_line() + "\n";
  (void)!write(2, line.data(), line.size());
  std::signal(SIGABRT, SIG_DFL);
  std::raise(SIGABRT);
}

// controller() creates the controller on first use and makes the calling thread thread 0.
Controller& controller() {
  std::call_once(controller_once_, [] {
    auto* c = new Controller();  // leaked on purpose: see the file comment
    c->add_thread();
    self_ = c->threads_[0].get();
    c->current_ = 0;
    controller_.store(c, std::memory_order_release);
    std::atexit(&at_exit);
    std::signal(SIGABRT, &on_abort);
  });
  return *controller_.load(std::memory_order_acquire);
}

// ExitGuard ends an adopted thread's part in the schedule when the thread exits.
struct ExitGuard {
  bool armed = false;
  ~ExitGuard() {
    if (armed && self_ != nullptr) end_thread();
  }
};
thread_local ExitGuard exit_guard_;

// me() is the calling thread's entry: the first caller becomes thread 0; a thread the program
// started itself (not the runtime: OsThread) is adopted at its first synchronisation point and
// waits for the baton. When it arrives is up to the OS, so such a program is safe here but not
// exactly replayable: the report counts adopted threads and stderr says so.
Thread& me() {
  if (self_ != nullptr) return *self_;
  Controller& c = controller();
  if (self_ != nullptr) return *self_;
  std::unique_lock lock(c.mutex_);
  const unsigned id = c.add_thread();
  self_ = c.threads_[id].get();
  ++c.adopted_;
  std::fprintf(stderr,
               "goro-det: thread %u joined the schedule at step %llu from outside the runtime; when it arrives "
               "is up to the OS, so this run is not exactly replayable\n",
               id, static_cast<unsigned long long>(c.steps()));
  exit_guard_.armed = true;
  c.wait_for_baton(lock, *self_);
  return *self_;
}

}  // namespace

bool active() noexcept { return self_ != nullptr; }

void point() noexcept {
  Thread& self = me();
  Controller& c = controller();
  std::unique_lock lock(c.mutex_);
  c.decide_and_switch(lock, self, Kind::point);
}

void relax() noexcept {
  Thread& self = me();
  Controller& c = controller();
  std::unique_lock lock(c.mutex_);
  c.tick();
  c.decide_and_switch(lock, self, Kind::relax);
}

void wait(const std::atomic<std::uint32_t>& word, std::uint32_t expected, std::int64_t timeout_ns) noexcept {
  me();
  Controller& c = controller();
  std::unique_lock lock(c.mutex_);
  if (word.load(std::memory_order_relaxed) != expected) {
    c.decide_and_switch(lock, *self_, Kind::point);
    return;
  }
  self_->state = State::blocked;
  self_->waiting_on = &word;
  self_->deadline = timeout_ns >= 0 ? c.now_ + timeout_ns : kNoDeadline;
  c.decide_and_switch(lock, *self_, Kind::blocked);
}

void wake(const void* address, int count) noexcept {
  me();
  Controller& c = controller();
  std::lock_guard lock(c.mutex_);
  c.wake_address(address, count);
}

unsigned announce_thread() noexcept {
  me();
  Controller& c = controller();
  std::lock_guard lock(c.mutex_);
  return c.add_thread();
}

void begin_thread(unsigned id) noexcept {
  Controller& c = controller();
  std::unique_lock lock(c.mutex_);
  self_ = c.threads_[id].get();
  c.wait_for_baton(lock, *self_);
}

void end_thread() noexcept {
  Controller& c = controller();
  std::unique_lock lock(c.mutex_);
  self_->state = State::finished;
  c.wake_address(self_, INT_MAX);
  c.decide_and_switch(lock, *self_, Kind::ended);
  self_ = nullptr;
}

void join_thread(unsigned id) noexcept {
  Controller& c = controller();
  std::unique_lock lock(c.mutex_);
  Thread& target = *c.threads_[id];
  while (target.state != State::finished) {
    self_->state = State::blocked;
    self_->waiting_on = &target;
    self_->deadline = kNoDeadline;
    c.decide_and_switch(lock, *self_, Kind::blocked);
  }
}

void failure(const char* what) noexcept {
  if (self_ == nullptr) return;
  Controller& c = controller();
  std::unique_lock lock(c.mutex_);
  if (c.failure_step_ < 0) c.failure_step_ = static_cast<std::int64_t>(c.steps());
  if (!c.stop_due(c.steps())) return;
  lock.unlock();
  c.stop("stopped", kExitStopped, std::string("a goroutine failed: ") + what);
}

void add_runtime(void* runtime, Describer describe) noexcept {
  Controller& c = controller();
  std::lock_guard lock(c.mutex_);
  c.runtimes_.emplace_back(runtime, describe);
}

void remove_runtime(void* runtime) noexcept {
  Controller& c = controller();
  std::lock_guard lock(c.mutex_);
  std::erase_if(c.runtimes_, [runtime](const auto& entry) { return entry.first == runtime; });
}

std::int64_t now_ns() noexcept {
  Controller& c = controller();
  std::lock_guard lock(c.mutex_);
  return c.now_;
}

}  // namespace goro::sync::det

#endif  // GORO_DETERMINISTIC
