// wake_latency.hpp — the recorder behind Options::wake_latency / GORO_WAKE_LATENCY: the time from
// ready() (Scheduler::enqueue) to the goroutine running (Scheduler::run_goroutine), as one
// LatencyHistogram per worker, summed by Stats.
//
// Rules:
//   - enqueue() stamps G::readied_ns before the push that publishes g (the queue's release/acquire
//     orders the stamp before the pop); run_goroutine() reads it, records, and clears it, so a
//     goroutine that is spawned or yields (never stamped) records nothing.
//   - each worker writes only its own histogram, with relaxed load+store (no read-modify-write:
//     one writer); stats() may read while workers write and sees each bucket whole.
//   - disabled (the default), the Scheduler holds no recorder and each hook is one
//     well-predicted branch on a null pointer, as the tracer's are (trace.hpp).
// Rejected: reusing the tracer's ring (a full trace costs ~40 bytes per event and a flusher
// thread; a histogram is a fixed 4 KB per worker and needs no thread), a shared histogram (every
// wake-up would write a line all workers share).
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <vector>

#include "goro/latency_histogram.hpp"
#include "goroutine.hpp"

namespace goro::detail {

class WakeLatency {
 public:
  explicit WakeLatency(unsigned workers) : origin_(std::chrono::steady_clock::now()) {
    for (unsigned i = 0; i < workers; ++i) per_worker_.push_back(std::make_unique<Buckets>());
  }

  // readied() — g was made runnable now (called right before it is queued).
  void readied(G& g) const noexcept { g.readied_ns = now_ns(); }

  // running() — `worker` is about to run g: record the wait if g was readied.
  void running(unsigned worker, G& g) noexcept {
    if (g.readied_ns == 0) return;
    const std::uint64_t now = now_ns();
    const std::uint64_t waited = now > g.readied_ns ? now - g.readied_ns : 0;
    g.readied_ns = 0;
    std::atomic<std::uint64_t>& bucket = (*per_worker_[worker])[LatencyHistogram::bucket(waited)];
    bucket.store(bucket.load(std::memory_order_relaxed) + 1, std::memory_order_relaxed);
  }

  // histogram() — every worker's recordings summed (a racy but per-bucket-exact snapshot).
  LatencyHistogram histogram() const noexcept {
    LatencyHistogram h;
    for (const auto& buckets : per_worker_)
      for (std::size_t i = 0; i < LatencyHistogram::kBuckets; ++i) h.counts[i] += (*buckets)[i].load(std::memory_order_relaxed);
    return h;
  }

 private:
  using Buckets = std::array<std::atomic<std::uint64_t>, LatencyHistogram::kBuckets>;

  // now_ns() is never 0 (0 means "not readied"): the origin is one nanosecond in the past.
  std::uint64_t now_ns() const noexcept {
    return static_cast<std::uint64_t>(
               std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now() - origin_).count()) + 1;
  }

  const std::chrono::steady_clock::time_point origin_;
  std::vector<std::unique_ptr<Buckets>> per_worker_;
};

}  // namespace goro::detail
