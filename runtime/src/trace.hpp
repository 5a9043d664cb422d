// trace.hpp — the execution tracer behind GORO_TRACE=file / Options::trace: what every worker
// did and when, written as Chrome trace-event JSON (opens in Perfetto and chrome://tracing).
//
//   GORO_TRACE=/tmp/pingpong.json ./my_program     # one file per Runtime, written when it ends
//
// What is recorded (one track per worker, tid = worker index; tid = workers for threads that
// are not workers, e.g. run()'s caller):
//   run      "X" slice: a goroutine ran on the worker; args: g, end (yield | park | exit) and,
//            for a park, its reason (chan send, chan recv, select, mutex, waitgroup, sleep, ...)
//   spin     "X" slice: the worker spun for work, from the first pop that found nothing (after
//            its last run or sleep) to the end of the spin; args: found
//   sleep    "X" slice: the worker slept on its futex; args: timed (a timer deadline bounded it)
//   spawn    instant: go() queued goroutine g; args: g, parent (0: not from a goroutine)
//   ready    instant: g was made runnable (after a park); args: g, by (a goroutine id, "worker"
//            for an idle worker's timer, "outside", or "wind-down")
//   wake     instant: this worker woke a sleeping worker for work; args: target
//   steal    instant: the policy stole work from a victim; args: victim
//   timers   instant: the worker fired due timers; args: fired
// Slices on one worker never overlap: a worker runs one goroutine, spins or sleeps at a time.
//
// Mechanics — nothing allocated and no lock taken on the hot path:
//   - each worker owns a TraceRing (a single-producer single-consumer ring of kRingEvents
//     fixed-size events) and writes only to it; a full ring drops the event and counts it (the
//     worker never waits for the tracer);
//   - one flusher thread drains every ring each kFlushInterval into its own memory (its
//     allocations, off the workers' path) up to kMaxEvents per run, and the JSON is written
//     by the Tracer's destructor, after the workers have stopped;
//   - disabled (no path), the Scheduler holds no Tracer and every hook is one well-predicted
//     branch on a null pointer.
// Rejected: writing JSON from the workers (formatting on the hot path), a shared locked buffer
// (a lock on every event serialises the workers being observed), B/E pairs (a worker knows a
// slice's start when it ends, so one "X" event is half the size and can never be left open).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "goro/algo/waiter.hpp"

namespace goro::detail {

struct G;
class Worker;

enum class TraceKind : std::uint8_t { run, spin, sleep, spawn, ready, wake, steal, timers };
enum class RunEnd : std::uint8_t { yield, park, exit };
enum class ReadyBy : std::uint8_t { goroutine, worker, outside, wind_down };

// TraceEvent: one record, 40 bytes. Field meaning depends on kind (see the file comment).
struct TraceEvent {
  std::uint64_t start_ns = 0;     // since the Tracer was built
  std::uint64_t duration_ns = 0;  // slices only
  std::uint64_t goroutine = 0;    // run, spawn (the child), ready (the readied)
  std::uint64_t other = 0;        // spawn: parent id; ready: readier id; wake: target; steal: victim; timers: fired
  TraceKind kind = TraceKind::run;
  std::uint8_t detail = 0;        // run: RunEnd; ready: ReadyBy; spin: found; sleep: timed
  algo::WaitReason reason = algo::WaitReason::other;  // run ending in a park
};

// TraceRing: one worker's events. Written by its worker only, drained by the flusher.
class TraceRing {
 public:
  // kRingEvents: enough for ~100 ms of the busiest workload (allocated only when tracing), so a
  // ring drops events only if the flusher — with every worker busy, one more runnable thread —
  // is starved of a core for that long (benches/README, "Trace ring size").
  static constexpr std::size_t kRingEvents = std::size_t{1} << 18;

  explicit TraceRing(std::chrono::steady_clock::time_point origin);
  void push(const TraceEvent& event) noexcept {
    const std::uint64_t head = head_.load(std::memory_order_relaxed);
    if (head - tail_.load(std::memory_order_acquire) == kRingEvents) {
      dropped_.store(dropped_.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
      return;
    }
    slots_[head & (kRingEvents - 1)] = event;
    head_.store(head + 1, std::memory_order_release);
  }
  // drain() moves every published event to `out`, at most `room` of them, and returns how many
  // it discarded beyond that. Called by the flusher only.
  std::uint64_t drain(std::vector<TraceEvent>& out, std::size_t room);
  std::uint64_t dropped() const noexcept { return dropped_.load(std::memory_order_relaxed); }
  // now_ns() — nanoseconds since the Tracer began (every event's clock).
  std::uint64_t now_ns() const noexcept {
    return static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - origin_).count());
  }

  // --- owned by the worker: where its current slice began; since when its pops found nothing ---
  std::uint64_t run_start_ns = 0;
  std::uint64_t idle_since_ns = 0;
  bool idle = false;  // a pop found nothing since the worker's last slice began

 private:
  const std::chrono::steady_clock::time_point origin_;
  std::unique_ptr<TraceEvent[]> slots_;
  alignas(64) std::atomic<std::uint64_t> head_{0};  // written by the worker
  alignas(64) std::atomic<std::uint64_t> tail_{0};  // written by the flusher
  std::atomic<std::uint64_t> dropped_{0};           // written by the worker: events lost to a full ring
};

// record_steal() — a policy stole from `victim` (PolicyCounters::stole calls it when traced).
void record_steal(TraceRing& ring, unsigned victim) noexcept;

class Tracer {
 public:
  // kMaxEvents: the most events one Runtime keeps (≈ 160 MB in memory, ~100 MB of JSON); the
  // rest are dropped and counted in the file's otherData.dropped.
  static constexpr std::size_t kMaxEvents = std::size_t{4} << 20;
  static constexpr std::chrono::milliseconds kFlushInterval{2};

  Tracer(std::string path, unsigned workers, std::string policy);
  ~Tracer();  // stops the flusher, drains, writes the file (errors go to stderr: never throws)
  Tracer(const Tracer&) = delete;
  Tracer& operator=(const Tracer&) = delete;

  TraceRing& ring(unsigned worker) noexcept { return *rings_[worker]; }

  // --- the hooks (scheduler files call each from one line) ---
  void run_begin(unsigned worker) noexcept;
  void run_end(const Worker& w, const G& g) noexcept;  // before the switch action is handled
  void popped(unsigned worker, bool found) noexcept {  // every pop of the idle loop: where idleness began
    TraceRing& ring = *rings_[worker];
    if (found || ring.idle) return;
    ring.idle_since_ns = now_ns();
    ring.idle = true;
  }
  void spun(unsigned worker, bool found) noexcept;
  void spawned(const Worker* spawner, const G& child) noexcept;
  void readied(const Worker* by, const G& g, bool winding_down) noexcept;
  void woke(const Worker* by, unsigned target) noexcept;
  void slept(unsigned worker, std::uint64_t start_ns, bool timed) noexcept;
  void timers_fired(unsigned worker, std::uint64_t fired) noexcept;

  std::uint64_t now_ns() const noexcept {
    return static_cast<std::uint64_t>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                          std::chrono::steady_clock::now() - origin_).count());
  }

 private:
  void push(const Worker* w, const TraceEvent& event) noexcept;  // w's ring (w of this runtime), or outside
  void flusher_main();
  void drain_all();
  void write_file() const;

  const std::string path_;
  const std::string policy_;
  const std::chrono::steady_clock::time_point origin_;
  std::vector<std::unique_ptr<TraceRing>> rings_;

  std::mutex outside_mutex_;                 // guards outside_ (threads that are not workers: rare)
  std::vector<TraceEvent> outside_;

  // --- the flusher's own: kept[i] is rings_[i]'s drained events ---
  std::vector<std::vector<TraceEvent>> kept_;
  std::size_t kept_total_ = 0;
  std::uint64_t capped_ = 0;                 // events dropped at kMaxEvents
  std::mutex flusher_mutex_;                 // guards stop_
  std::condition_variable flusher_wake_;
  bool stop_ = false;
  std::thread flusher_;
};

// SleepSpan — Scheduler::wait()'s one-line hook: a sleep slice from construction to destruction.
class SleepSpan {
 public:
  SleepSpan(Tracer* tracer, const Worker* w, bool timed) noexcept;
  ~SleepSpan();
  SleepSpan(const SleepSpan&) = delete;
  SleepSpan& operator=(const SleepSpan&) = delete;

 private:
  Tracer* const tracer_;
  unsigned worker_ = 0;
  std::uint64_t start_ns_ = 0;
  bool timed_ = false;
};

// TimersSpan — run_due_timers()'s one-line hook: how many timers fired while it lived.
class TimersSpan {
 public:
  TimersSpan(Tracer* tracer, const Worker* w) noexcept;
  ~TimersSpan();
  TimersSpan(const TimersSpan&) = delete;
  TimersSpan& operator=(const TimersSpan&) = delete;

 private:
  Tracer* const tracer_;
  const Worker* worker_ = nullptr;
  std::uint64_t fired_before_ = 0;
};

}  // namespace goro::detail
