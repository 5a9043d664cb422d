// latency_histogram.hpp — a fixed-size log-linear histogram of durations in nanoseconds, the
// shape of Stats::wake_latency (the time from ready() to the goroutine running).
//
//   goro::Options o;  o.wake_latency = true;          // or GORO_WAKE_LATENCY=1
//   goro::Runtime rt(o);
//   const goro::Stats before = rt.stats();
//   rt.run(...);
//   const goro::LatencyHistogram h = rt.stats().wake_latency.since(before.wake_latency);
//   std::uint64_t p99 = h.percentile(0.99);           // ns; 0 when nothing was recorded
//
// Buckets: values 0..7 ns exactly, then 8 sub-buckets per power of two (the HdrHistogram
// layout with 3 significant bits): a bucket's width is at most 1/8 of its lower bound, so a
// percentile read as the bucket's midpoint is within ±6.25 % of the true value. 496 buckets
// cover the whole uint64 range; recording is an index computation and one increment.
#pragma once

#include <array>
#include <bit>
#include <cstddef>
#include <cstdint>

namespace goro {

struct LatencyHistogram {
  static constexpr unsigned kSubBits = 3;
  static constexpr unsigned kSub = 1u << kSubBits;             // sub-buckets per power of two
  static constexpr std::size_t kBuckets = (64 - kSubBits + 1) * kSub;  // 496

  std::array<std::uint64_t, kBuckets> counts{};

  // bucket() is the index of the bucket holding `ns`.
  static constexpr std::size_t bucket(std::uint64_t ns) noexcept {
    if (ns < kSub) return static_cast<std::size_t>(ns);
    const unsigned exponent = 63u - static_cast<unsigned>(std::countl_zero(ns));  // >= kSubBits
    const std::uint64_t sub = (ns >> (exponent - kSubBits)) & (kSub - 1);
    return (exponent - kSubBits + 1) * kSub + static_cast<std::size_t>(sub);
  }
  // lower_bound() is the smallest value bucket `index` holds; width() how many values it holds.
  static constexpr std::uint64_t lower_bound(std::size_t index) noexcept {
    if (index < kSub) return index;
    const unsigned exponent = static_cast<unsigned>(index / kSub) + kSubBits - 1;
    return (kSub + index % kSub) << (exponent - kSubBits);
  }
  static constexpr std::uint64_t width(std::size_t index) noexcept {
    return index < kSub ? 1 : std::uint64_t{1} << (static_cast<unsigned>(index / kSub) - 1);
  }

  void record(std::uint64_t ns) noexcept { ++counts[bucket(ns)]; }

  // total() is how many values were recorded.
  std::uint64_t total() const noexcept {
    std::uint64_t n = 0;
    for (std::uint64_t c : counts) n += c;
    return n;
  }

  // percentile() is the q-quantile (0 < q <= 1) in ns, read as the midpoint of the bucket that
  // holds it; 0 when the histogram is empty.
  std::uint64_t percentile(double q) const noexcept {
    const std::uint64_t n = total();
    if (n == 0) return 0;
    std::uint64_t rank = static_cast<std::uint64_t>(q * static_cast<double>(n) + 0.999999);  // ceil
    if (rank == 0) rank = 1;
    if (rank > n) rank = n;
    std::uint64_t seen = 0;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      seen += counts[i];
      if (seen >= rank) return lower_bound(i) + width(i) / 2;
    }
    return lower_bound(kBuckets - 1);
  }

  // since() is what was recorded after `earlier` (a snapshot of the same, growing histogram).
  LatencyHistogram since(const LatencyHistogram& earlier) const noexcept {
    LatencyHistogram d;
    for (std::size_t i = 0; i < kBuckets; ++i) d.counts[i] = counts[i] - earlier.counts[i];
    return d;
  }

  void add(const LatencyHistogram& other) noexcept {
    for (std::size_t i = 0; i < kBuckets; ++i) counts[i] += other.counts[i];
  }
};

}  // namespace goro
