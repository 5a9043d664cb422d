// mpmc.cpp — MPMC conservation: many producers and consumers on one channel, every value
// received exactly once.
//
// Each trial draws a capacity (0, 1, 2, 16 or 128), 1–8 producers and 1–8 consumers. Producer p
// sends the values (p, 0), (p, 1), … through a random mix of send, try_send-then-send and a
// one-case select; consumers receive through recv, try_recv, select and range-for. The last
// producer to finish closes the channel, so consumers end on the closed outcome.
// Invariants: count and sum of everything received equal those of everything sent; every value
// arrives exactly once (a bitmap per producer); each consumer sees each producer's values in
// increasing order (a channel is FIFO); no element outlives the run (Tracked counter).
#include <atomic>
#include <memory>
#include <vector>

#include "../stress.hpp"

namespace goro_stress {
namespace {

struct Item {
  Tracked tracked;
  std::uint32_t producer;
  std::uint32_t sequence;
};

std::uint64_t trial(Rng& rng, std::atomic<std::int64_t>& live) {
  static constexpr std::size_t kCapacities[] = {0, 1, 2, 16, 128};
  const std::size_t capacity = kCapacities[rng.below(5)];
  const unsigned producers = static_cast<unsigned>(rng.between(1, 8));
  const unsigned consumers = static_cast<unsigned>(rng.between(1, 8));
  const std::uint32_t per_producer = static_cast<std::uint32_t>(rng.between(1, 4000));
  const std::uint64_t goroutine_seed = rng.next();

  auto ch = goro::make_chan<Item>(capacity);
  std::atomic<unsigned> producers_left{producers};
  std::atomic<std::uint64_t> sent_count{0}, sent_sum{0}, received_count{0}, received_sum{0};
  // seen[p][s] set once value (p, s) has been received.
  std::vector<std::unique_ptr<std::atomic<bool>[]>> seen(producers);
  for (auto& row : seen) row = std::make_unique<std::atomic<bool>[]>(per_producer);
  std::atomic<bool> duplicate{false}, out_of_order{false};
  goro::WaitGroup wg;
  wg.add(static_cast<int>(producers + consumers));

  for (unsigned p = 0; p < producers; ++p) {
    goro::go([&, p] {
      Rng r(goroutine_seed + p);
      for (std::uint32_t s = 0; s < per_producer; ++s) {
        Item item{Tracked(live, s), p, s};
        switch (r.below(4)) {
          case 0: {
            if (!ch.try_send(item)) ch.send(std::move(item));
            break;
          }
          case 1:
            goro::select(goro::case_send(ch, std::move(item)));
            break;
          default:
            ch.send(std::move(item));
        }
        sent_count.fetch_add(1, std::memory_order_relaxed);
        sent_sum.fetch_add(std::uint64_t{p} << 32 | s, std::memory_order_relaxed);
        if (r.chance(64)) goro::yield();
      }
      if (producers_left.fetch_sub(1) == 1) ch.close();
      wg.done();
    });
  }
  for (unsigned c = 0; c < consumers; ++c) {
    goro::go([&, c] {
      Rng r(goroutine_seed ^ (0xC0FFEEull + c));
      std::vector<std::int64_t> last(producers, -1);
      auto take = [&](const Item& item) {
        if (item.producer >= producers || item.sequence >= per_producer) {
          duplicate = true;  // garbage value: treat as corruption
          return;
        }
        if (seen[item.producer][item.sequence].exchange(true)) duplicate = true;
        if (static_cast<std::int64_t>(item.sequence) <= last[item.producer]) out_of_order = true;
        last[item.producer] = item.sequence;
        received_count.fetch_add(1, std::memory_order_relaxed);
        received_sum.fetch_add(std::uint64_t{item.producer} << 32 | item.sequence, std::memory_order_relaxed);
      };
      if (r.chance(4)) {
        for (Item item : ch) take(item);
      } else {
        for (;;) {
          std::optional<Item> got;
          switch (r.below(3)) {
            case 0:
              got = ch.try_recv();
              if (!got) got = ch.recv();
              break;
            case 1:
              goro::select(goro::case_recv(ch, [&](std::optional<Item> v) { got = std::move(v); }));
              break;
            default:
              got = ch.recv();
          }
          if (!got) break;
          take(*got);
        }
      }
      wg.done();
    });
  }
  wg.wait();

  const std::uint64_t total = std::uint64_t{producers} * per_producer;
  require(!duplicate.load(), "a value was received twice (or a corrupt value arrived)");
  require(!out_of_order.load(), "a consumer saw one producer's values out of order (channel not FIFO)");
  require(sent_count.load() == total, "every send completed");
  require(received_count.load() == sent_count.load(),
          "received count " + std::to_string(received_count.load()) + " == sent count " + std::to_string(sent_count.load()) +
              " (cap " + std::to_string(capacity) + ", " + std::to_string(producers) + "P/" + std::to_string(consumers) + "C)");
  require(received_sum.load() == sent_sum.load(), "sum of received values == sum of sent values");
  require(ch.len() == 0, "channel drained after close");
  return 2 * total;  // a send and a receive per value
}

std::uint64_t round(const RoundContext& ctx) {
  std::atomic<std::int64_t> live{0};
  std::uint64_t operations = 0;
  {
    goro::Runtime rt(ctx.options());
    Watched watched(rt);
    rt.run([&] {
      Rng rng(ctx.seed);
      do operations += counted(trial(rng, live));
      while (ctx.time_left());
    });
  }
  require(live.load() == 0, "no Item outlives the run (live = " + std::to_string(live.load()) + ")");
  return operations;
}

}  // namespace

const Scenario mpmc_scenario{
    "mpmc",
    "producers and consumers on one channel (cap 0/1/2/16/128), send/try_send/select/range mixes",
    "count and sum received == sent; each value exactly once; per-producer FIFO per consumer; no leaked element",
    &round,
};

}  // namespace goro_stress
