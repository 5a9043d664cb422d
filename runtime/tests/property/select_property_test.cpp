// select_property_test.cpp — properties of goro::select, select_any and select_recv_any.
//
//   ExactlyOneCaseFires      — on random channels (nil, closed, buffered, unbuffered, pre-filled),
//                              a select completes exactly one case, that case was ready, default
//                              fires only when no case is ready, and the channels afterwards hold
//                              exactly what the model says (values conserved); without a default
//                              and with nothing ready, the program is a deadlock;
//   FairAmongReadyCases      — with k always-ready cases, each fires about 1/k of the time
//                              (within 6 standard deviations of a binomial count, at every scale of
//                              the round count: never flaky, yet a "first ready case wins" select
//                              fails by a mile);
//   SelectAnyExactlyOneCaseFires, SelectAnyFairAmongReadyCases — the same two properties for the
//                              run-time form, select_any(), over random lists of receive, send,
//                              nil and default cases;
//   ConcurrentConservation   — producers select-send each value on one of several channels,
//                              consumers select-receive until every channel is closed (replacing
//                              a closed channel by nil, Go's idiom): every value arrives exactly once.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "property_support.hpp"

namespace {

constexpr std::size_t kChannels = 4;

struct ChannelSpec {
  bool nil = false;
  std::size_t capacity = 0;
  std::size_t prefill = 0;  // values already buffered (<= capacity)
  bool closed = false;
};

struct ChannelState {
  goro::Chan<int> chan;
  std::size_t capacity = 0;
  std::deque<int> buffer;
  bool closed = false;
  bool nil = false;

  bool recv_ready() const { return !nil && (!buffer.empty() || closed); }
  bool send_ready() const { return !nil && (closed || buffer.size() < capacity); }
};

rc::Gen<ChannelSpec> gen_channel_spec() {
  return rc::gen::exec([] {
    ChannelSpec spec;
    spec.nil = *rc::gen::weightedElement<bool>({{1, true}, {5, false}});
    spec.capacity = *rc::gen::inRange<std::size_t>(0, 4);
    spec.prefill = *rc::gen::inRange<std::size_t>(0, spec.capacity + 1);
    spec.closed = *rc::gen::weightedElement<bool>({{1, true}, {3, false}});
    return spec;
  });
}

// fair_share() says whether `count`, the times one of k ready cases fired in `rounds` selects,
// is what a uniform choice gives: a binomial(rounds, 1/k) count within 6 standard deviations of
// its mean. A fixed relative band is not enough: sanitizer builds run a tenth of the rounds,
// where ±50 % of the mean is only ~4 standard deviations, a false alarm in about one CI run in
// fifty. At 6 a false alarm is ~1 in 10^9 per case, and a select that always takes the first
// ready case still fails whenever rounds / k > 36.
bool fair_share(std::size_t count, std::size_t rounds, std::size_t k) {
  const double n = static_cast<double>(rounds);
  const double p = 1.0 / static_cast<double>(k);
  const double deviation = std::abs(static_cast<double>(count) - n * p);
  return deviation <= 6.0 * std::sqrt(n * p * (1.0 - p));
}

std::ostream& operator<<(std::ostream& os, const ChannelSpec& s) {
  if (s.nil) return os << "nil";
  return os << "cap=" << s.capacity << " prefill=" << s.prefill << (s.closed ? " closed" : "");
}

}  // namespace

namespace rc {
template <>
struct Arbitrary<ChannelSpec> {
  static Gen<ChannelSpec> arbitrary() { return gen_channel_spec(); }
};
}  // namespace rc

namespace {
void showValue(const ChannelSpec& s, std::ostream& os) { os << s; }

// build() makes the channels a spec describes; values are 100*channel + position.
std::array<ChannelState, kChannels> build(const std::array<ChannelSpec, kChannels>& specs) {
  std::array<ChannelState, kChannels> states;
  for (std::size_t i = 0; i < kChannels; ++i) {
    ChannelState& s = states[i];
    s.nil = specs[i].nil;
    if (s.nil) continue;
    s.capacity = specs[i].capacity;
    s.chan = goro::make_chan<int>(s.capacity);
    for (std::size_t k = 0; k < specs[i].prefill; ++k) {
      const int v = static_cast<int>(100 * i + k);
      int copy = v;
      if (!s.chan.try_send(copy)) throw std::logic_error("prefill failed");
      s.buffer.push_back(v);
    }
    if (specs[i].closed) {
      s.chan.close();
      s.closed = true;
    }
  }
  return states;
}

// drain() empties a (closed or open) channel without blocking and returns what it held.
std::deque<int> drain(goro::Chan<int>& chan) {
  std::deque<int> got;
  while (auto v = chan.try_recv()) got.push_back(*v);
  return got;
}

}  // namespace

RC_GTEST_PROP(Select, ExactlyOneCaseFires, ()) {
  const auto specs = *rc::gen::arbitrary<std::array<ChannelSpec, kChannels>>();
  // Four channel cases — two receives, two sends — on channels chosen at random (possibly the
  // same channel twice), and an optional default.
  const auto target = *rc::gen::container<std::array<std::size_t, 4>>(rc::gen::inRange<std::size_t>(0, kChannels));
  const bool with_default = *rc::gen::arbitrary<bool>();
  const auto config = *goro::property::gen_config();
  auto states = build(specs);
  const int send_value[2] = {1001, 1002};

  const bool recv_ready[2] = {states[target[0]].recv_ready(), states[target[1]].recv_ready()};
  const bool send_ready[2] = {states[target[2]].send_ready(), states[target[3]].send_ready()};
  const bool any_ready = recv_ready[0] || recv_ready[1] || send_ready[0] || send_ready[1];
  const bool a_send_on_closed = (send_ready[0] && states[target[2]].closed) || (send_ready[1] && states[target[3]].closed);

  int handlers_run = 0;
  std::size_t handler_index = 99;
  std::optional<int> received;
  bool threw_closed = false;
  std::size_t fired = 99;
  auto program = [&] {
    auto on_recv = [&](std::size_t index) {
      return [&, index](std::optional<int> v) {
        ++handlers_run;
        handler_index = index;
        received = v;
      };
    };
    auto on_send = [&](std::size_t index) {
      return [&, index] {
        ++handlers_run;
        handler_index = index;
      };
    };
    try {
      if (with_default) {
        fired = goro::select(goro::case_recv(states[target[0]].chan, on_recv(0)),
                             goro::case_recv(states[target[1]].chan, on_recv(1)),
                             goro::case_send(states[target[2]].chan, send_value[0], on_send(2)),
                             goro::case_send(states[target[3]].chan, send_value[1], on_send(3)),
                             goro::case_default(on_send(4)));
      } else {
        fired = goro::select(goro::case_recv(states[target[0]].chan, on_recv(0)),
                             goro::case_recv(states[target[1]].chan, on_recv(1)),
                             goro::case_send(states[target[2]].chan, send_value[0], on_send(2)),
                             goro::case_send(states[target[3]].chan, send_value[1], on_send(3)));
      }
    } catch (const goro::closed_channel_error&) {
      threw_closed = true;
    }
  };

  if (!with_default && !any_ready) {
    // Nothing can ever proceed: main is blocked forever, which is a deadlock.
    RC_ASSERT_THROWS_AS(goro::property::runtime_for(config).run(program), goro::deadlock_error);
    RC_TAG("deadlock");
    return;
  }
  goro::property::runtime_for(config).run(program);

  if (threw_closed) {
    // Go panics when the chosen case is a send on a closed channel; no handler runs.
    RC_ASSERT(a_send_on_closed);
    RC_ASSERT(handlers_run == 0);
  } else {
    RC_ASSERT(handlers_run == 1);
    RC_ASSERT(handler_index == fired);
    if (fired == 4) {
      RC_ASSERT(!any_ready);  // a ready case is never skipped in favour of default
    } else if (fired < 2) {
      RC_ASSERT(recv_ready[fired]);
      ChannelState& s = states[target[fired]];
      if (s.buffer.empty()) {
        RC_ASSERT(!received.has_value());  // closed and drained
      } else {
        RC_ASSERT(received == std::optional<int>(s.buffer.front()));
        s.buffer.pop_front();
      }
    } else {
      RC_ASSERT(fired < 4);
      RC_ASSERT(send_ready[fired - 2]);
      ChannelState& s = states[target[fired]];
      RC_ASSERT(!s.closed);  // that would have thrown
      s.buffer.push_back(send_value[fired - 2]);
    }
  }
  RC_TAG(threw_closed ? "send on closed" : fired == 4 ? "default" : fired < 2 ? "recv" : "send");
  // Values are conserved: every channel holds exactly what the model says.
  for (ChannelState& s : states) {
    if (s.nil) continue;
    RC_ASSERT(drain(s.chan) == s.buffer);
  }
}

RC_GTEST_PROP(Select, FairAmongReadyCases, ()) {
  // Case kinds that stay ready for ever: a receive on a closed channel, and a send on a channel
  // whose buffer is large enough for every round.
  const auto kinds = *rc::gen::container<std::vector<bool>>(*rc::gen::inRange<std::size_t>(2, 5),
                                                           rc::gen::arbitrary<bool>());  // true: send
  const bool with_default = *rc::gen::arbitrary<bool>();
  const auto config = *goro::property::gen_config();
  const std::size_t k = kinds.size();
  const std::size_t rounds = goro::property::scaled(600) * k;
  std::vector<goro::Chan<int>> chans;
  for (bool is_send : kinds) {
    chans.push_back(goro::make_chan<int>(is_send ? rounds : 0));
    if (!is_send) chans.back().close();
  }
  std::vector<std::size_t> counts(k + 1, 0);
  goro::property::runtime_for(config).run([&] {
    for (std::size_t r = 0; r < rounds; ++r) {
      // select's arity is static: pad with nil cases (never ready) up to four.
      goro::Chan<int> c[4];
      for (std::size_t i = 0; i < k; ++i) c[i] = chans[i];
      auto send_or_recv = [&](std::size_t i) { return kinds.size() > i && kinds[i]; };
      std::size_t fired;
      // Each position is a send case or a receive case; nil channels pad the unused ones.
      goro::Chan<int> recv_side[4], send_side[4];
      for (std::size_t i = 0; i < 4; ++i) (send_or_recv(i) ? send_side[i] : recv_side[i]) = c[i];
      if (with_default) {
        fired = goro::select(goro::case_recv(recv_side[0]), goro::case_send(send_side[0], 0),
                             goro::case_recv(recv_side[1]), goro::case_send(send_side[1], 1),
                             goro::case_recv(recv_side[2]), goro::case_send(send_side[2], 2),
                             goro::case_recv(recv_side[3]), goro::case_send(send_side[3], 3), goro::case_default());
      } else {
        fired = goro::select(goro::case_recv(recv_side[0]), goro::case_send(send_side[0], 0),
                             goro::case_recv(recv_side[1]), goro::case_send(send_side[1], 1),
                             goro::case_recv(recv_side[2]), goro::case_send(send_side[2], 2),
                             goro::case_recv(recv_side[3]), goro::case_send(send_side[3], 3));
      }
      ++counts[fired == 8 ? k : fired / 2];
    }
  });
  RC_ASSERT(counts[k] == 0u);  // default never wins over a ready case
  const double expected = static_cast<double>(rounds) / static_cast<double>(k);
  for (std::size_t i = 0; i < k; ++i) {
    RC_LOG() << "case " << i << " fired " << counts[i] << " times, expected ~" << expected << "\n";
    RC_ASSERT(fair_share(counts[i], rounds, k));
  }
}

RC_GTEST_PROP(Select, SelectAnyExactlyOneCaseFires, ()) {
  const auto specs = *rc::gen::arbitrary<std::array<ChannelSpec, kChannels>>();
  // Zero to six channel cases, each a receive or a send on a channel chosen at random (possibly
  // the same one several times), and an optional default at a random position.
  const auto is_send = *rc::gen::container<std::vector<bool>>(*rc::gen::inRange<std::size_t>(0, 7), rc::gen::arbitrary<bool>());
  const auto target = *rc::gen::container<std::vector<std::size_t>>(is_send.size(), rc::gen::inRange<std::size_t>(0, kChannels));
  const bool with_default = *rc::gen::arbitrary<bool>();
  const std::size_t default_at = *rc::gen::inRange<std::size_t>(0, is_send.size() + 1);
  const auto config = *goro::property::gen_config();
  auto states = build(specs);

  std::vector<goro::SelectCase<int>> cases;
  std::vector<std::size_t> channel_of;  // per case: the channel index, or kChannels for the default
  bool any_ready = false;
  bool a_ready_send_on_closed = false;
  for (std::size_t i = 0; i < is_send.size(); ++i) {
    if (with_default && default_at == i) {
      cases.push_back(goro::SelectCase<int>::default_case());
      channel_of.push_back(kChannels);
    }
    ChannelState& s = states[target[i]];
    cases.push_back(is_send[i] ? goro::SelectCase<int>::send(s.chan, 2000 + static_cast<int>(i))
                               : goro::SelectCase<int>::recv(s.chan));
    channel_of.push_back(target[i]);
    any_ready = any_ready || (is_send[i] ? s.send_ready() : s.recv_ready());
    a_ready_send_on_closed = a_ready_send_on_closed || (is_send[i] && s.send_ready() && s.closed);
  }
  if (with_default && default_at == is_send.size()) {
    cases.push_back(goro::SelectCase<int>::default_case());
    channel_of.push_back(kChannels);
  }

  std::size_t fired = 99;
  bool threw_closed = false;
  auto program = [&] {
    try {
      fired = goro::select_any(cases);
    } catch (const goro::closed_channel_error&) {
      threw_closed = true;
    }
  };
  if (!with_default && !any_ready) {
    RC_ASSERT_THROWS_AS(goro::property::runtime_for(config).run(program), goro::deadlock_error);
    RC_TAG("deadlock");
    return;
  }
  goro::property::runtime_for(config).run(program);

  if (threw_closed) {
    RC_ASSERT(a_ready_send_on_closed);  // Go panics when the chosen case sends on a closed channel
  } else {
    RC_ASSERT(fired < cases.size());
    if (cases[fired].is_default()) {
      RC_ASSERT(!any_ready);  // a ready case is never skipped in favour of default
    } else if (cases[fired].is_recv()) {
      ChannelState& s = states[channel_of[fired]];
      RC_ASSERT(s.recv_ready());
      const std::optional<int> received = cases[fired].received();
      if (s.buffer.empty()) {
        RC_ASSERT(!received.has_value());  // closed and drained
      } else {
        RC_ASSERT(received == std::optional<int>(s.buffer.front()));
        s.buffer.pop_front();
      }
    } else {
      ChannelState& s = states[channel_of[fired]];
      RC_ASSERT(s.send_ready());
      RC_ASSERT(!s.closed);  // that would have thrown
      const std::size_t case_number = fired - (with_default && default_at < fired ? 1 : 0);
      s.buffer.push_back(2000 + static_cast<int>(case_number));
    }
  }
  RC_TAG(threw_closed ? "send on closed" : cases[fired].is_default() ? "default" : cases[fired].is_recv() ? "recv" : "send");
  // Values are conserved: every channel holds exactly what the model says.
  for (ChannelState& s : states) {
    if (s.nil) continue;
    RC_ASSERT(drain(s.chan) == s.buffer);
  }
}

RC_GTEST_PROP(Select, SelectAnyFairAmongReadyCases, ()) {
  // Cases that stay ready for ever (a receive on a closed channel, a send with room for every
  // round), nil cases that never are, and an optional default that must never win.
  enum Kind { ready_recv, ready_send, nil_case };
  const auto kinds = *rc::gen::container<std::vector<int>>(*rc::gen::inRange<std::size_t>(2, 9), rc::gen::inRange(0, 3));
  const bool with_default = *rc::gen::arbitrary<bool>();
  const auto config = *goro::property::gen_config();
  const std::size_t k = static_cast<std::size_t>(std::count_if(kinds.begin(), kinds.end(), [](int kind) { return kind != nil_case; }));
  RC_PRE(k >= 2u);
  const std::size_t rounds = goro::property::scaled(600) * k;
  std::vector<goro::SelectCase<int>> cases;
  for (int kind : kinds) {
    if (kind == nil_case) {
      cases.push_back(goro::SelectCase<int>::recv(goro::Chan<int>{}));
    } else if (kind == ready_send) {
      cases.push_back(goro::SelectCase<int>::send(goro::make_chan<int>(rounds), 1));
    } else {
      auto closed = goro::make_chan<int>();
      closed.close();
      cases.push_back(goro::SelectCase<int>::recv(closed));
    }
  }
  if (with_default) cases.push_back(goro::SelectCase<int>::default_case());
  std::vector<std::size_t> counts(cases.size(), 0);
  goro::property::runtime_for(config).run([&] {
    std::vector<goro::SelectCase<int>> round_cases;
    for (std::size_t r = 0; r < rounds; ++r) {
      round_cases = cases;  // a chosen send case gives its value away: start each round afresh
      ++counts[goro::select_any(round_cases)];
    }
  });
  const double expected = static_cast<double>(rounds) / static_cast<double>(k);
  for (std::size_t i = 0; i < cases.size(); ++i) {
    RC_LOG() << "case " << i << " fired " << counts[i] << " times, expected ~" << expected << "\n";
    if (cases[i].is_default() || (i < kinds.size() && kinds[i] == nil_case)) {
      RC_ASSERT(counts[i] == 0u);
    } else {
      RC_ASSERT(fair_share(counts[i], rounds, k));
    }
  }
}

RC_GTEST_PROP(Select, RecvAnyIsFairAndSkipsNil, ()) {
  const auto ready = *rc::gen::container<std::vector<bool>>(*rc::gen::inRange<std::size_t>(2, 7),
                                                           rc::gen::arbitrary<bool>());  // false: nil
  const auto config = *goro::property::gen_config();
  std::vector<goro::Chan<int>> chans(ready.size());
  std::size_t k = 0;
  for (std::size_t i = 0; i < ready.size(); ++i) {
    if (!ready[i]) continue;
    chans[i] = goro::make_chan<int>();
    chans[i].close();
    ++k;
  }
  RC_PRE(k > 0u);
  const std::size_t rounds = goro::property::scaled(600) * k;
  std::vector<std::size_t> counts(ready.size(), 0);
  goro::property::runtime_for(config).run([&] {
    for (std::size_t r = 0; r < rounds; ++r) {
      auto [index, value] = goro::select_recv_any(std::span<goro::Chan<int>>(chans));
      if (value.has_value()) throw std::logic_error("value from a closed channel");
      ++counts[index];
    }
  });
  const double expected = static_cast<double>(rounds) / static_cast<double>(k);
  for (std::size_t i = 0; i < ready.size(); ++i) {
    RC_LOG() << "case " << i << " fired " << counts[i] << " times, expected ~" << (ready[i] ? expected : 0.0) << "\n";
    if (!ready[i]) {
      RC_ASSERT(counts[i] == 0u);
    } else {
      RC_ASSERT(fair_share(counts[i], rounds, k));
    }
  }
}

RC_GTEST_PROP(Select, ConcurrentConservation, ()) {
  const auto config = *goro::property::gen_config();
  const auto capacities = *rc::gen::container<std::array<std::size_t, 3>>(rc::gen::inRange<std::size_t>(0, 3));
  const int producers = *rc::gen::inRange(1, 4);
  const int consumers = *rc::gen::inRange(1, 4);
  const int per_producer = *rc::gen::inRange(1, 40);
  std::vector<std::atomic<int>> seen(static_cast<std::size_t>(producers * per_producer));
  for (auto& s : seen) s.store(0);
  goro::property::runtime_for(config).run([&] {
    std::array<goro::Chan<int>, 3> chans;
    for (std::size_t i = 0; i < 3; ++i) chans[i] = goro::make_chan<int>(capacities[i]);
    goro::WaitGroup producing, consuming;
    for (int p = 0; p < producers; ++p) {
      producing.add(1);
      goro::go([&, p] {
        for (int i = 0; i < per_producer; ++i) {
          const int v = p * per_producer + i;
          // Offered on two channels; exactly one send completes.
          goro::select(goro::case_send(chans[static_cast<std::size_t>(v) % 3], v),
                       goro::case_send(chans[static_cast<std::size_t>(v + 1) % 3], v));
        }
        producing.done();
      });
    }
    for (int c = 0; c < consumers; ++c) {
      consuming.add(1);
      goro::go([&] {
        std::array<goro::Chan<int>, 3> mine = chans;
        int open = 3;
        while (open > 0) {
          std::size_t which = 0;
          std::optional<int> got;
          auto on = [&](std::size_t i) {
            return [&, i](std::optional<int> v) {
              which = i;
              got = v;
            };
          };
          goro::select(goro::case_recv(mine[0], on(0)), goro::case_recv(mine[1], on(1)),
                       goro::case_recv(mine[2], on(2)));
          if (!got) {
            mine[which] = goro::Chan<int>{};  // closed and drained: never select it again
            --open;
          } else {
            seen[static_cast<std::size_t>(*got)].fetch_add(1);
          }
        }
        consuming.done();
      });
    }
    producing.wait();
    for (auto& ch : chans) ch.close();
    consuming.wait();
  });
  for (std::size_t v = 0; v < seen.size(); ++v) {
    const int times = seen[v].load();
    if (times != 1) RC_FAIL("value " + std::to_string(v) + " was received " + std::to_string(times) + " times");
  }
}
