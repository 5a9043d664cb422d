// spawn_storm.cpp — waves of --spawn-wave goroutines (default 1,000,000), all alive at once.
//
// A wave: main starts 4 spawner goroutines per worker; together they start `wave` leaves. Each
// leaf checks in on a WaitGroup and parks on a gate — a channel that main closes, or a WaitGroup
// that main releases (alternating by wave) — so the whole wave is alive at the same time and is
// then woken at once. Leaves count themselves and exit. Between waves main calls
// Runtime::release_memory() (the pool keeps stacks for reuse; this hands their pages back) and
// reads VmRSS from /proc/self/status.
// Invariants: every leaf ran exactly once (count and id sum); RSS after a wave and
// release_memory() is back near the round's baseline (allowance: 64 MiB plus 64 bytes per
// goroutine of pool bookkeeping — the free list itself) and does not creep from wave to wave
// (8 MiB); later waves reuse the pooled stacks instead of mapping new ones. (RSS checks are
// off in sanitizer builds: shadow memory and ASan's quarantine are resident regardless.)
#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "../stress.hpp"
#include "goro/detail/rss.hpp"

namespace goro_stress {
namespace {

constexpr std::uint64_t kMiB = 1024 * 1024;

#if defined(__SANITIZE_THREAD__) || defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif

using goro::detail::rss_bytes;

std::string mib(std::uint64_t bytes) { return std::to_string(bytes / kMiB) + " MiB"; }

struct WaveResult {
  std::uint64_t ran = 0;
  std::uint64_t id_sum = 0;
};

WaveResult wave(std::uint64_t leaves, unsigned spawners, bool gate_is_channel) {
  std::atomic<std::uint64_t> ran{0}, id_sum{0};
  goro::WaitGroup checked_in, finished, gate_group;
  auto gate = goro::make_chan<int>();
  checked_in.add(static_cast<int>(leaves));
  finished.add(static_cast<int>(leaves));
  gate_group.add(1);
  for (unsigned s = 0; s < spawners; ++s) {
    const std::uint64_t begin = leaves * s / spawners;
    const std::uint64_t end = leaves * (s + 1) / spawners;
    goro::go([&, begin, end] {
      for (std::uint64_t i = begin; i < end; ++i) {
        goro::go([&, i] {
          checked_in.done();
          progressed();  // a wave is one long trial: each leaf's check-in and exit is progress
          if (gate_is_channel) {
            (void)gate.recv();
          } else {
            gate_group.wait();
          }
          ran.fetch_add(1, std::memory_order_relaxed);
          id_sum.fetch_add(i, std::memory_order_relaxed);
          progressed();
          finished.done();
        });
      }
    });
  }
  checked_in.wait();
  if (gate_is_channel) {
    gate.close();
  } else {
    gate_group.done();
  }
  finished.wait();
  return {ran.load(), id_sum.load()};
}

// quiet_seconds(): release_memory() and the Runtime's destruction hand a whole wave's stacks back
// to the kernel and count no progress; allow 30 s per million goroutines of the wave for that.
double quiet_seconds(const Settings& settings) { return 30.0 * static_cast<double>(settings.spawn_wave) / 1e6; }

std::uint64_t round(const RoundContext& ctx) {
  goro::Runtime rt(ctx.options());
  Watched watched(rt);
  Rng rng(ctx.seed);
  rt.run([] {});  // start the workers before taking the baseline
  const std::uint64_t baseline = rss_bytes();
  const std::uint64_t leaves = ctx.settings->spawn_wave;
  const std::uint64_t allowance = 64 * kMiB + 64 * leaves;
  std::uint64_t operations = 0;
  std::uint64_t previous_rss = 0;
  std::uint64_t first_mapped = 0;
  for (unsigned k = 0; k < 2 || ctx.time_left(); ++k) {  // two waves at least: creep needs two
    const bool gate_is_channel = rng.chance(2);
    const WaveResult r = rt.run([&] { return wave(leaves, 4 * ctx.workers, gate_is_channel); });
    require(r.ran == leaves, "wave " + std::to_string(k) + ": " + std::to_string(r.ran) + " of " +
                                 std::to_string(leaves) + " leaves ran");
    require(r.id_sum == leaves * (leaves - 1) / 2, "every leaf ran exactly once (id sum)");
    const std::uint64_t peak = rss_bytes();
    rt.release_memory();
    const std::uint64_t after = rss_bytes();
    // Under ASan/TSan the shadow memory of every touched stack page and ASan's quarantine stay
    // resident whatever the runtime does: the RSS checks mean nothing there and are skipped.
    require(kSanitized || after <= baseline + allowance, "wave " + std::to_string(k) + ": RSS after release_memory() " + mib(after) +
                                               " <= baseline " + mib(baseline) + " + " + mib(allowance) +
                                               " (peak before release " + mib(peak) + ")");
    if (k > 0 && !kSanitized) {
      require(after <= previous_rss + 8 * kMiB,
              "RSS does not creep from wave to wave: " + mib(previous_rss) + " -> " + mib(after));
    }
    const std::uint64_t mapped = rt.stats().stacks_mapped;
    if (k == 0) first_mapped = mapped;
    require(mapped <= first_mapped + leaves / 8 + 4096,
            "later waves reuse pooled stacks (mapped " + std::to_string(first_mapped) + " -> " + std::to_string(mapped) + ")");
    previous_rss = k == 0 ? after : std::max(previous_rss, after);
    operations += leaves;
    if (std::getenv("GORO_STRESS_VERBOSE") != nullptr) {
      std::fprintf(stderr, "spawn-storm: wave %u of %llu: baseline %s, peak %s, after release %s, stacks mapped %llu\n", k,
                   static_cast<unsigned long long>(leaves), mib(baseline).c_str(), mib(peak).c_str(), mib(after).c_str(),
                   static_cast<unsigned long long>(mapped));
    }
  }
  return operations;
}

}  // namespace

const Scenario spawn_storm_scenario{
    "spawn-storm",
    "waves of --spawn-wave goroutines alive at once (nested spawns, gate on a channel close or a WaitGroup)",
    "each leaf runs exactly once; RSS after release_memory() returns near the baseline and does not creep; stacks are reused",
    &round,
    &quiet_seconds,
};

}  // namespace goro_stress
