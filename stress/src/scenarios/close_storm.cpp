// close_storm.cpp — close racing blocked senders, receivers and selects.
//
// Each trial builds 1–6 independent cells run concurrently. A cell is a channel (cap 0, 1 or 4)
// with senders, receivers, selectors (a select with a receive case and a send case on the same
// channel plus a nil-channel case) and 1–3 closers that close it after a random number of yields.
// Invariants: every operation ends with a value or the closed outcome and none hangs (the
// watchdog and the deadlock detector catch a lost wake-up); exactly one close succeeds, the
// others get closed_channel_error; close of a nil channel gives nil_channel_error; every value a
// send delivered is received exactly once (count and sum), including what was still buffered.
#include <atomic>
#include <memory>
#include <vector>

#include "../stress.hpp"

namespace goro_stress {
namespace {

struct Cell {
  goro::Chan<std::uint64_t> ch;
  std::atomic<std::uint64_t> sent{0}, sent_sum{0}, received{0}, received_sum{0};
  std::atomic<unsigned> closes_ok{0}, closes_rejected{0};
  std::atomic<std::uint64_t> closed_outcomes{0};
};

std::uint64_t trial(Rng& rng) {
  const unsigned cells = static_cast<unsigned>(rng.between(1, 6));
  std::vector<std::unique_ptr<Cell>> cell(cells);
  goro::WaitGroup wg;
  std::atomic<bool> bad_nil_close{false};
  for (unsigned i = 0; i < cells; ++i) {
    static constexpr std::size_t kCapacities[] = {0, 1, 4};
    cell[i] = std::make_unique<Cell>();
    Cell& c = *cell[i];
    c.ch = goro::make_chan<std::uint64_t>(kCapacities[rng.below(3)]);
    const unsigned senders = static_cast<unsigned>(rng.between(0, 6));
    const unsigned receivers = static_cast<unsigned>(rng.between(0, 6));
    const unsigned selectors = static_cast<unsigned>(rng.between(0, 4));
    const unsigned closers = static_cast<unsigned>(rng.between(1, 3));
    const std::uint64_t per_sender = rng.between(1, 200);
    const std::uint64_t seed = rng.next();
    wg.add(static_cast<int>(senders + receivers + selectors + closers));
    for (unsigned s = 0; s < senders; ++s) {
      goro::go([&c, &wg, s, per_sender] {
        try {
          for (std::uint64_t k = 1; k <= per_sender; ++k) {
            const std::uint64_t v = (std::uint64_t{s} << 20) + k;
            c.ch.send(v);
            c.sent.fetch_add(1);
            c.sent_sum.fetch_add(v);
          }
        } catch (const goro::closed_channel_error&) {
          c.closed_outcomes.fetch_add(1);
        }
        wg.done();
      });
    }
    for (unsigned r = 0; r < receivers; ++r) {
      goro::go([&c, &wg] {
        while (auto v = c.ch.recv()) {
          c.received.fetch_add(1);
          c.received_sum.fetch_add(*v);
        }
        c.closed_outcomes.fetch_add(1);
        wg.done();
      });
    }
    for (unsigned x = 0; x < selectors; ++x) {
      goro::go([&c, &wg, x] {
        goro::Chan<std::uint64_t> nil;
        std::uint64_t next = (std::uint64_t{100 + x} << 20) + 1;
        bool open = true;
        try {
          while (open) {
            // Scheduling is cooperative: on a buffered channel this select can always proceed
            // (send into the buffer, receive it back), so it must let the closers run.
            goro::yield();
            goro::select(
                goro::case_recv(c.ch,
                                [&](std::optional<std::uint64_t> v) {
                                  if (!v) {
                                    open = false;
                                    return;
                                  }
                                  c.received.fetch_add(1);
                                  c.received_sum.fetch_add(*v);
                                }),
                goro::case_send(c.ch, next,
                                [&] {
                                  c.sent.fetch_add(1);
                                  c.sent_sum.fetch_add(next);
                                  ++next;
                                }),
                goro::case_recv(nil, [](std::optional<std::uint64_t>) { std::abort(); }));
          }
        } catch (const goro::closed_channel_error&) {
        }
        c.closed_outcomes.fetch_add(1);
        wg.done();
      });
    }
    for (unsigned k = 0; k < closers; ++k) {
      goro::go([&c, &wg, &bad_nil_close, yields = Rng(seed + k).below(64), k] {
        for (std::uint64_t y = 0; y < yields; ++y) goro::yield();
        try {
          c.ch.close();
          c.closes_ok.fetch_add(1);
        } catch (const goro::closed_channel_error&) {
          c.closes_rejected.fetch_add(1);
        }
        if (k == 0) {  // misuse under load: close of a nil channel
          try {
            goro::Chan<int>{}.close();
            bad_nil_close = true;
          } catch (const goro::nil_channel_error&) {
          }
        }
        wg.done();
      });
    }
  }
  wg.wait();

  std::uint64_t operations = 0;
  for (auto& cp : cell) {
    Cell& c = *cp;
    // What a send delivered into the buffer with no receiver left is still there: drain it.
    while (auto v = c.ch.try_recv()) {
      c.received.fetch_add(1);
      c.received_sum.fetch_add(*v);
    }
    require(c.closes_ok.load() == 1, "exactly one close succeeds (got " + std::to_string(c.closes_ok.load()) + ")");
    require(c.received.load() == c.sent.load(),
            "received " + std::to_string(c.received.load()) + " == delivered " + std::to_string(c.sent.load()));
    require(c.received_sum.load() == c.sent_sum.load(), "sum received == sum delivered");
    require(c.ch.len() == 0, "closed channel drained");
    operations += c.sent.load() + c.received.load() + c.closed_outcomes.load() + c.closes_ok.load() + c.closes_rejected.load();
  }
  require(!bad_nil_close.load(), "close of a nil channel throws nil_channel_error");
  return operations;
}

std::uint64_t round(const RoundContext& ctx) { return trials_on_one_runtime(ctx, &trial); }

}  // namespace

const Scenario close_storm_scenario{
    "close-storm",
    "close racing blocked senders, receivers and send+recv selects; racing double closes",
    "every op ends with a value or the closed outcome, none hangs; exactly one close wins; delivered == received; nil close throws",
    &round,
};

}  // namespace goro_stress
