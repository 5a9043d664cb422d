// select_storm.cpp — after Go's TestSelectStress (runtime/chan_test.go).
//
// Four channels (two unbuffered, caps 2 and 3 — Go's shape; some trials draw other caps). For each
// channel one goroutine sends N values and one receives N; one more goroutine sends N values on
// every channel through a single 4-case select, dropping a channel (setting its case to the nil
// channel, as Go's test does) once it has sent N there; one receives the same way. Everything
// interacts chaotically, and by construction nothing may deadlock. We add checksums, and each
// trial also races a select with a default case against the traffic.
// Invariants: the construct finishes (no deadlock_error, no hang); on every channel the sum and
// count received equal those sent; the selectors' per-channel counts reach exactly N; a select's
// return value names the case whose handler ran.
#include <array>
#include <atomic>

#include "../stress.hpp"

namespace goro_stress {
namespace {

std::uint64_t trial(Rng& rng) {
  constexpr int kChannels = 4;
  std::array<goro::Chan<std::uint64_t>, kChannels> c;
  static constexpr std::size_t kGoShape[kChannels] = {0, 0, 2, 3};
  const bool go_shape = !rng.chance(3);
  for (int k = 0; k < kChannels; ++k) c[k] = goro::make_chan<std::uint64_t>(go_shape ? kGoShape[k] : rng.below(5));
  const std::uint64_t n = rng.between(100, 5000);
  std::array<std::atomic<std::uint64_t>, kChannels> sent_sum{}, received_sum{}, received_count{};
  std::atomic<bool> wrong_index{false}, wrong_count{false};
  goro::WaitGroup wg;
  wg.add(2 * kChannels + 2);

  for (int k = 0; k < kChannels; ++k) {
    goro::go([&, k] {
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t v = (std::uint64_t{1} << 40) * (k + 1) + i;
        c[k].send(v);
        sent_sum[k].fetch_add(v);
      }
      wg.done();
    });
    goro::go([&, k] {
      for (std::uint64_t i = 0; i < n; ++i) {
        const std::optional<std::uint64_t> v = c[k].recv();
        if (!v) wrong_count = true;  // nobody closes these channels
        received_sum[k].fetch_add(v.value_or(0));
        received_count[k].fetch_add(1);
      }
      wg.done();
    });
  }
  // The sending selector: one select over all four channels, a channel dropped (nil) once done.
  goro::go([&] {
    std::array<std::uint64_t, kChannels> sent{};
    auto c1 = c;
    for (std::uint64_t i = 0; i < kChannels * n; ++i) {
      int ran = -1;
      auto on = [&](int k) {
        return [&, k] {
          ran = k;
          sent_sum[k].fetch_add((std::uint64_t{1} << 50) + sent[k]);
          if (++sent[k] == n) c1[k] = goro::Chan<std::uint64_t>{};
        };
      };
      // Go's test lists the cases 3, 2, 0, 1; so do we (the pick must not depend on order).
      const std::size_t index =
          goro::select(goro::case_send(c1[3], (std::uint64_t{1} << 50) + sent[3], on(3)),
                       goro::case_send(c1[2], (std::uint64_t{1} << 50) + sent[2], on(2)),
                       goro::case_send(c1[0], (std::uint64_t{1} << 50) + sent[0], on(0)),
                       goro::case_send(c1[1], (std::uint64_t{1} << 50) + sent[1], on(1)));
      static constexpr int kCaseChannel[] = {3, 2, 0, 1};
      if (ran != kCaseChannel[index]) wrong_index = true;
    }
    wg.done();
  });
  // The receiving selector.
  goro::go([&] {
    std::array<std::uint64_t, kChannels> got{};
    auto c1 = c;
    for (std::uint64_t i = 0; i < kChannels * n; ++i) {
      int ran = -1;
      auto on = [&](int k) {
        return [&, k](std::optional<std::uint64_t> v) {
          ran = k;
          if (!v) wrong_count = true;
          received_sum[k].fetch_add(v.value_or(0));
          received_count[k].fetch_add(1);
          if (++got[k] == n) c1[k] = goro::Chan<std::uint64_t>{};
        };
      };
      const std::size_t index = goro::select(goro::case_recv(c1[0], on(0)), goro::case_recv(c1[1], on(1)),
                                             goro::case_recv(c1[2], on(2)), goro::case_recv(c1[3], on(3)));
      if (ran != static_cast<int>(index)) wrong_index = true;
    }
    wg.done();
  });
  // A polling select with a default case racing the traffic: it may take nothing, or one value
  // which it gives straight back on the same channel (so totals are unchanged).
  std::uint64_t polls = 0;
  for (int i = 0; i < 64; ++i, ++polls) {
    const int k = static_cast<int>(rng.below(kChannels));
    std::optional<std::uint64_t> stolen;
    goro::select(goro::case_recv(c[k], [&](std::optional<std::uint64_t> v) { stolen = v; }), goro::case_default());
    if (stolen) c[k].send(*stolen);
    goro::yield();
  }
  wg.wait();

  require(!wrong_index.load(), "select returned the index of the case whose handler ran");
  require(!wrong_count.load(), "no receive saw a closed outcome on a channel nobody closed");
  for (int k = 0; k < kChannels; ++k) {
    require(received_count[k].load() == 2 * n,
            "channel " + std::to_string(k) + ": received " + std::to_string(received_count[k].load()) + " == sent " +
                std::to_string(2 * n));
    require(received_sum[k].load() == sent_sum[k].load(), "channel " + std::to_string(k) + ": sum received == sum sent");
    require(c[k].len() == 0, "channel " + std::to_string(k) + " is empty at the end");
  }
  return 4 * kChannels * n + polls;  // each value: a send and a receive; half of them through select
}

std::uint64_t round(const RoundContext& ctx) { return trials_on_one_runtime(ctx, &trial); }

}  // namespace

const Scenario select_storm_scenario{
    "select-storm",
    "Go's TestSelectStress: 4 channels, plain senders/receivers plus one 4-case send select and one 4-case recv select",
    "no deadlock or hang; per-channel count and sum received == sent; select's index names the case that ran",
    &round,
};

}  // namespace goro_stress
