// select_test.cpp — Go's select (issue 3), ported in our own words from the behaviour of Go's
// runtime/chan_test.go (TestSelfSelect, TestSelectFairness, TestSelectDuplicateChannel),
// test/chan/select*.go, doubleselect.go and select3.go.
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <memory>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "goro_test.hpp"

namespace goro::testing {
namespace {

using Select = RuntimeTest;
GORO_INSTANTIATE(Select);

void let_others_park() {
  for (int i = 0; i < 10; ++i) yield();
  sleep_for(std::chrono::milliseconds(2));
}

// Pearson's chi-square statistic of observed counts against the uniform distribution.
double chi_square_uniform(std::span<const int> counts) {
  double total = 0;
  for (int c : counts) total += c;
  const double expected = total / static_cast<double>(counts.size());
  double statistic = 0;
  for (int c : counts) statistic += (c - expected) * (c - expected) / expected;
  return statistic;
}

// The chi-square value above which uniformity is rejected at p < 1e-4, for 1..3 degrees of
// freedom (from the chi-square quantile function). So generous that a correct uniform choice
// fails about once in ten thousand runs; a biased one (say 60/40 over 2 cases, or always the
// first case) fails every time at these sample sizes.
double chi_square_critical_1e4(std::size_t degrees_of_freedom) {
  constexpr std::array<double, 4> kCritical = {0, 15.137, 18.421, 21.108};
  return kCritical.at(degrees_of_freedom);
}

// ---------------------------------------------------------------- choosing a case

TEST_P(Select, ReturnsTheIndexOfTheCaseThatRanAndRunsOnlyItsHandler) {
  run([] {
    auto a = make_chan<int>(1);
    auto b = make_chan<std::string>(1);
    b.send("ready");
    std::string got;
    bool a_ran = false;
    const std::size_t fired = select(case_recv(a, [&](std::optional<int>) { a_ran = true; }),
                                     case_recv(b, [&](std::optional<std::string> v) { got = *v; }));
    EXPECT_EQ(fired, 1u);
    EXPECT_EQ(got, "ready");
    EXPECT_FALSE(a_ran);

    bool sent = false;
    EXPECT_EQ(select(case_recv(b), case_send(a, 5, [&] { sent = true; })), 1u);
    EXPECT_TRUE(sent);
    EXPECT_EQ(a.recv(), 5);
  });
}

TEST_P(Select, SelectWithDefaultNeverBlocks) {
  run([] {
    auto unbuffered = make_chan<int>();
    auto empty = make_chan<int>(1);
    auto full = make_chan<int>(1);
    full.send(1);
    bool defaulted = false;
    // Nothing can proceed: nil, unbuffered without partner, empty buffer (recv), full buffer (send).
    const std::size_t fired =
        select(case_recv(Chan<int>{}), case_send(Chan<int>{}, 1), case_recv(unbuffered), case_send(unbuffered, 2),
               case_recv(empty), case_send(full, 3), case_default([&] { defaulted = true; }));
    EXPECT_EQ(fired, 6u);
    EXPECT_TRUE(defaulted);
    EXPECT_EQ(select(case_default(), case_recv(empty)), 0u) << "the default's position does not matter";
    EXPECT_EQ(select(case_default()), 0u) << "a select of only a default";
    EXPECT_EQ(full.len(), 1u) << "a send case that did not run sent nothing";
  });
}

TEST_P(Select, SelectWithDefaultPrefersAReadyCase) {
  run([] {
    auto ch = make_chan<int>(1);
    for (int i = 0; i < 100; ++i) {
      ch.send(i);
      int got = -1;
      EXPECT_EQ(select(case_recv(ch, [&](std::optional<int> v) { got = *v; }), case_default()), 0u);
      EXPECT_EQ(got, i);
    }
  });
}

// Go's TestSelectFairness: among ready cases, select picks uniformly at random.
TEST_P(Select, ReadyRecvCasesAreChosenUniformly) {
  const int trials = static_cast<int>(scaled(20'000));
  run([&] {
    for (std::size_t k = 2; k <= 4; ++k) {
      std::vector<Chan<int>> chans;
      for (std::size_t i = 0; i < k; ++i) {
        chans.push_back(make_chan<int>(1));
        chans.back().send(0);
      }
      std::vector<int> counts(k, 0);
      for (int t = 0; t < trials; ++t) {
        std::size_t fired = 0;
        switch (k) {
          case 2: fired = select(case_recv(chans[0]), case_recv(chans[1])); break;
          case 3: fired = select(case_recv(chans[0]), case_recv(chans[1]), case_recv(chans[2])); break;
          default:
            fired = select(case_recv(chans[0]), case_recv(chans[1]), case_recv(chans[2]), case_recv(chans[3]));
        }
        ++counts[fired];
        chans[fired].send(0);  // ready again
      }
      const double statistic = chi_square_uniform(counts);
      EXPECT_LT(statistic, chi_square_critical_1e4(k - 1)) << k << " cases, counts[0] = " << counts[0];
    }
  });
}

TEST_P(Select, ReadySendAndMixedCasesAreChosenUniformly) {
  const int trials = static_cast<int>(scaled(20'000));
  run([&] {
    auto a = make_chan<int>(1);
    auto b = make_chan<int>(1);
    auto c = make_chan<int>(1);
    c.send(0);
    std::array<int, 3> counts{};
    for (int t = 0; t < trials; ++t) {
      // a and b have room (send ready), c holds a value (recv ready).
      const std::size_t fired = select(case_send(a, 1), case_send(b, 2), case_recv(c));
      ++counts[fired];
      if (fired == 0) a.recv();
      if (fired == 1) b.recv();
      if (fired == 2) c.send(0);
    }
    EXPECT_LT(chi_square_uniform(counts), chi_square_critical_1e4(2))
        << counts[0] << " / " << counts[1] << " / " << counts[2];
  });
}

// A channel may appear in several cases (Go's TestSelectDuplicateChannel): still one completes.
TEST_P(Select, TheSameChannelInSeveralCases) {
  run([] {
    auto ch = make_chan<int>(1);
    ch.send(9);
    int got = 0;
    auto handler = [&](std::optional<int> v) { got += *v; };
    const std::size_t fired = select(case_recv(ch, handler), case_recv(ch, handler));
    EXPECT_LT(fired, 2u);
    EXPECT_EQ(got, 9);
    EXPECT_EQ(ch.len(), 0u);
  });
}

// ---------------------------------------------------------------- nil and closed channels (select3.go)

TEST_P(Select, NilChannelCasesAreNeverChosen) {
  run([] {
    auto ready = make_chan<int>(1);
    for (int i = 0; i < 200; ++i) {
      ready.send(i);
      EXPECT_EQ(select(case_recv(Chan<int>{}), case_send(Chan<int>{}, 1), case_recv(ready)), 2u);
    }
    EXPECT_EQ(select(case_recv(Chan<int>{}), case_send(Chan<int>{}, 1), case_default()), 2u);
  });
}

TEST_P(Select, RecvCaseOnAClosedChannelIsAlwaysReadyWithNullopt) {
  run([] {
    auto closed = make_chan<int>();
    closed.close();
    for (int i = 0; i < 50; ++i) {
      bool got_nullopt = false;
      const std::size_t fired =
          select(case_recv(closed, [&](std::optional<int> v) { got_nullopt = !v.has_value(); }), case_default());
      EXPECT_EQ(fired, 0u) << "a closed channel is ready: the default must not run";
      EXPECT_TRUE(got_nullopt);
    }
    // Without a default, too: a select on a closed channel returns at once.
    EXPECT_EQ(select(case_recv(make_chan<int>()), case_recv(closed)), 1u);
  });
}

TEST_P(Select, SendCaseOnAClosedChannelThrowsClosedChannelError) {
  run([] {
    auto closed = make_chan<int>(4);
    closed.close();
    EXPECT_THROW(select(case_send(closed, 1)), closed_channel_error);
    EXPECT_THROW(select(case_send(closed, 1), case_default()), closed_channel_error);
  });
}

TEST_P(Select, BlockedSelectWakesWhenAChannelCloses) {
  run([] {
    auto a = make_chan<int>();
    auto b = make_chan<int>();
    WaitGroup wg;
    wg.add(1);
    go([&, a, b] {
      bool closed_seen = false;
      const std::size_t fired =
          select(case_recv(a), case_recv(b, [&](std::optional<int> v) { closed_seen = !v.has_value(); }));
      EXPECT_EQ(fired, 1u);
      EXPECT_TRUE(closed_seen);
      wg.done();
    });
    let_others_park();
    b.close();
    wg.wait();
  });
}

TEST_P(Select, BlockedSelectWithASendCaseThrowsWhenThatChannelCloses) {
  run([] {
    auto a = make_chan<int>();
    auto b = make_chan<int>();
    WaitGroup wg;
    wg.add(1);
    go([&, a, b] {
      EXPECT_THROW(select(case_recv(a), case_send(b, 1)), closed_channel_error);
      wg.done();
    });
    let_others_park();
    b.close();
    wg.wait();
  });
}

// A select that takes a value from a full buffer, behind which a sender is parked, moves the
// sender's value into the freed slot and must wake the sender (the ready of pass 1a, the one
// channel lock path). Without the wake the sender stays parked with its send complete and the
// wait below never returns.
TEST_P(Select, ReceivingFromAFullBufferWakesTheParkedSender) {
  run([] {
    auto ch = make_chan<int>(1);
    auto other = make_chan<int>();
    WaitGroup sent;
    sent.add(1);
    go([&, ch] {
      ch.send(1);
      ch.send(2);  // parks: the buffer is full
      sent.done();
    });
    let_others_park();
    std::vector<int> got;
    for (int i = 0; i < 2; ++i) select(case_recv(ch, [&](std::optional<int> v) { got.push_back(*v); }), case_recv(other));
    sent.wait();
    EXPECT_EQ(got, (std::vector<int>{1, 2}));
  });
}

// ---------------------------------------------------------------- blocking

TEST_P(Select, BlockedSelectCompletesExactlyOneCase) {
  const int rounds = static_cast<int>(scaled(500));
  run([&] {
    for (int round = 0; round < rounds; ++round) {
      auto a = make_chan<int>();
      auto b = make_chan<int>();
      auto result = make_chan<std::size_t>(1);
      go([=]() mutable { result.send(select(case_recv(a), case_recv(b))); });
      if (round % 2 == 0) yield();
      // Two senders race for the single select; exactly one is taken, the other must stay parked
      // until we receive its value ourselves.
      auto sent = make_chan<int>(2);
      go([=]() mutable { a.send(1); sent.send(1); });
      go([=]() mutable { b.send(2); sent.send(2); });
      const std::size_t fired = *result.recv();
      const int first_sender_done = *sent.recv();
      EXPECT_EQ(static_cast<std::size_t>(first_sender_done), fired + 1);
      EXPECT_EQ(sent.try_recv(), std::nullopt) << "the losing sender completed too";
      if (fired == 0) {
        EXPECT_EQ(b.recv(), 2);
      } else {
        EXPECT_EQ(a.recv(), 1);
      }
      EXPECT_EQ(*sent.recv(), static_cast<int>(2 - fired));
    }
  });
}

// A select never pairs its own send case with its own receive case: alone on an unbuffered
// channel, it blocks forever, which the runtime reports as a deadlock.
TEST_P(Select, ASelectNeverPairsWithItself) {
  EXPECT_THROW(run([] {
                 auto ch = make_chan<int>();
                 select(case_send(ch, 1), case_recv(ch));
               }),
               deadlock_error);
}

// Go's TestSelfSelect: goroutines that select between sending and receiving on the same channel
// exchange values; on an unbuffered channel nobody can receive its own value (there is no
// buffer to find it in, and a select never pairs with itself).
TEST_P(Select, SendAndRecvOnTheSameChannel) {
  const int iterations = static_cast<int>(scaled(2'000));
  for (std::size_t capacity : {0u, 1u}) {
    run([&, capacity] {
      auto ch = make_chan<int>(capacity);
      WaitGroup wg;
      wg.add(2);
      std::atomic<int> own_values{0};
      for (int p = 0; p < 2; ++p) {
        go([&, ch, p]() mutable {
          for (int i = 0; i < iterations; ++i) {
            auto check = [&](std::optional<int> v) {
              if (*v == p) own_values.fetch_add(1);
            };
            if (p == 0 || i % 2 == 0) {
              select(case_send(ch, p), case_recv(ch, check));
            } else {
              select(case_recv(ch, check), case_send(ch, p));
            }
          }
          wg.done();
        });
      }
      wg.wait();
      if (capacity == 0) {
        EXPECT_EQ(own_values.load(), 0) << "a select received its own send";
      }
    });
  }
}

// doubleselect.go: senders offer each value on several channels at once through select;
// receivers take from those channels, some also through select. Each value must arrive exactly
// once: never lost, never duplicated (a select completing two cases would duplicate).
TEST_P(Select, DoubleSelectNeverLosesOrDuplicatesAValue) {
  constexpr int kSenders = 3;
  const int per_sender = static_cast<int>(scaled(10'000));
  run([&] {
    auto c1 = make_chan<int>();
    auto c2 = make_chan<int>();
    auto c3 = make_chan<int>(2);
    auto c4 = make_chan<int>();
    auto all = make_chan<int>(64);
    auto senders = std::make_shared<WaitGroup>();
    auto receivers = std::make_shared<WaitGroup>();
    senders->add(kSenders);
    for (int s = 0; s < kSenders; ++s) {
      go([=] {
        for (int i = s * per_sender; i < (s + 1) * per_sender; ++i) {
          select(case_send(c1, i), case_send(c2, i), case_send(c3, i), case_send(c4, i));
        }
        senders->done();
      });
    }
    go([=]() mutable {
      senders->wait();
      c1.close();
      c2.close();
      c3.close();
      c4.close();
    });
    // One plain receiver per channel, and two receivers that select over pairs of channels.
    for (Chan<int> c : {c1, c2, c3, c4}) {
      receivers->add(1);
      go([=]() mutable {
        for (int v : c) all.send(v);
        receivers->done();
      });
    }
    for (const auto& pair : {std::pair{c1, c2}, std::pair{c3, c4}}) {
      receivers->add(1);
      go([=, x = pair.first, y = pair.second]() mutable {
        bool x_open = true, y_open = true;
        while (x_open || y_open) {
          select(case_recv(x_open ? x : Chan<int>{}, [&](std::optional<int> v) { v ? all.send(*v) : void(x_open = false); }),
                 case_recv(y_open ? y : Chan<int>{}, [&](std::optional<int> v) { v ? all.send(*v) : void(y_open = false); }));
        }
        receivers->done();
      });
    }
    go([=]() mutable {
      receivers->wait();
      all.close();
    });
    std::vector<int> seen(static_cast<std::size_t>(kSenders * per_sender), 0);
    for (int v : all) ++seen.at(static_cast<std::size_t>(v));
    int lost = 0, duplicated = 0;
    for (int count : seen) {
      lost += count == 0;
      duplicated += count > 1;
    }
    EXPECT_EQ(lost, 0);
    EXPECT_EQ(duplicated, 0);
  });
}

// ---------------------------------------------------------------- the dynamic form

TEST_P(Select, SelectRecvAnyReceivesFromTheReadyChannel) {
  run([] {
    std::vector<Chan<int>> chans{make_chan<int>(1), Chan<int>{}, make_chan<int>(1), make_chan<int>()};
    chans[2].send(22);
    auto [index, value] = select_recv_any(std::span<Chan<int>>(chans));
    EXPECT_EQ(index, 2u);
    EXPECT_EQ(value, 22);

    // Blocks until one becomes ready.
    go([c = chans[3]]() mutable { c.send(33); });
    auto [index2, value2] = select_recv_any(std::span<Chan<int>>(chans));
    EXPECT_EQ(index2, 3u);
    EXPECT_EQ(value2, 33);

    // A closed channel is ready, with nullopt.
    chans[0].close();
    auto [index3, value3] = select_recv_any(std::span<const Chan<int>>(chans));
    EXPECT_EQ(index3, 0u);
    EXPECT_EQ(value3, std::nullopt);
  });
}

// More channels than select_recv_any keeps inline (16): the heap-backed path behaves the same.
TEST_P(Select, SelectRecvAnyOverManyChannelsFansIn) {
  static constexpr int kChannels = 40;
  static constexpr int kPerChannel = 50;
  run([] {
    std::vector<Chan<int>> chans;
    for (int i = 0; i < kChannels; ++i) chans.push_back(make_chan<int>(i % 3));
    for (int i = 0; i < kChannels; ++i) {
      go([c = chans[i], i]() mutable {
        for (int k = 0; k < kPerChannel; ++k) c.send(i * 1000 + k);
        c.close();
      });
    }
    std::vector<int> next(kChannels, 0);
    int open = kChannels;
    while (open > 0) {
      auto [index, value] = select_recv_any(std::span<Chan<int>>(chans));
      if (!value) {
        chans[index] = Chan<int>{};  // Go's idiom: a nil channel drops out of the select
        --open;
        continue;
      }
      ASSERT_EQ(*value / 1000, static_cast<int>(index));
      ASSERT_EQ(*value % 1000, next[index]) << "per-channel order";
      ++next[index];
    }
    for (int i = 0; i < kChannels; ++i) EXPECT_EQ(next[i], kPerChannel);
  });
}

TEST_P(Select, SelectRecvAnyChoosesUniformly) {
  const int trials = static_cast<int>(scaled(20'000));
  run([&] {
    std::vector<Chan<int>> chans;
    for (int i = 0; i < 4; ++i) {
      chans.push_back(make_chan<int>(1));
      chans.back().send(0);
    }
    std::array<int, 4> counts{};
    for (int t = 0; t < trials; ++t) {
      auto [index, value] = select_recv_any(std::span<Chan<int>>(chans));
      ++counts[index];
      chans[index].send(0);
    }
    EXPECT_LT(chi_square_uniform(counts), chi_square_critical_1e4(3));
  });
}

// ---------------------------------------------------------------- select_any: cases known at run time

using IntCase = SelectCase<int>;

TEST_P(Select, SelectAnyCompletesTheReadyCaseAndReturnsItsIndex) {
  run([] {
    auto full = make_chan<int>(1);
    auto holding = make_chan<int>(1);
    auto room = make_chan<int>(1);
    full.send(1);
    holding.send(7);
    std::vector<IntCase> cases = {IntCase::send(full, 2), IntCase::recv(make_chan<int>()), IntCase::recv(holding)};
    EXPECT_EQ(select_any(cases), 2u);
    EXPECT_EQ(cases[2].received(), 7);
    std::vector<IntCase> sends = {IntCase::send(full, 2), IntCase::send(room, 3), IntCase::recv(holding)};
    EXPECT_EQ(select_any(sends), 1u);
    EXPECT_EQ(room.recv(), 3);
    EXPECT_EQ(full.recv(), 1) << "a case that was not chosen did not send";
  });
}

TEST_P(Select, SelectAnyWithDefaultNeverBlocksAndPrefersAReadyCase) {
  run([] {
    auto unbuffered = make_chan<int>();
    auto full = make_chan<int>(1);
    full.send(1);
    for (std::size_t position = 0; position < 4; ++position) {
      std::vector<IntCase> cases = {IntCase::recv(Chan<int>{}), IntCase::send(Chan<int>{}, 1),
                                    IntCase::recv(unbuffered), IntCase::send(full, 2)};
      cases.insert(cases.begin() + static_cast<std::ptrdiff_t>(position), IntCase::default_case());
      EXPECT_EQ(select_any(cases), position) << "nothing is ready: the default, wherever it stands";
    }
    std::vector<IntCase> ready = {IntCase::default_case(), IntCase::recv(full)};
    EXPECT_EQ(select_any(ready), 1u);
    EXPECT_EQ(ready[1].received(), 1);
  });
}

TEST_P(Select, SelectAnyRejectsTwoDefaultCases) {
  run([] {
    std::vector<IntCase> cases = {IntCase::default_case(), IntCase::recv(make_chan<int>()), IntCase::default_case()};
    EXPECT_THROW(select_any(cases), std::invalid_argument);
  });
}

TEST_P(Select, SelectAnyReceiveOnClosedGivesNulloptAndSendOnClosedThrows) {
  run([] {
    auto closed = make_chan<int>(1);
    closed.close();
    std::vector<IntCase> recv = {IntCase::recv(Chan<int>{}), IntCase::recv(closed)};
    EXPECT_EQ(select_any(recv), 1u);
    EXPECT_EQ(recv[1].received(), std::nullopt);
    std::vector<IntCase> send = {IntCase::send(closed, 1), IntCase::recv(Chan<int>{})};
    EXPECT_THROW(select_any(send), closed_channel_error);
  });
}

// Without a default and with nothing that can ever proceed (here: no cases at all, which is Go's
// empty select), select_any blocks forever: a deadlock.
TEST_P(Select, SelectAnyWithNothingToDoIsADeadlock) {
  EXPECT_THROW(run([] {
                 std::vector<IntCase> none;
                 select_any(none);
               }),
               deadlock_error);
}

TEST_P(Select, ReadySelectAnyCasesAreChosenUniformly) {
  const int trials = static_cast<int>(scaled(20'000));
  run([&] {
    auto a = make_chan<int>(1);
    auto b = make_chan<int>(1);
    auto c = make_chan<int>(1);
    c.send(0);
    std::array<int, 4> counts{};
    for (int t = 0; t < trials; ++t) {
      // a and b have room (send ready), c holds a value (recv ready); the default never wins.
      std::vector<IntCase> cases = {IntCase::send(a, 1), IntCase::default_case(), IntCase::send(b, 2), IntCase::recv(c)};
      const std::size_t fired = select_any(cases);
      ASSERT_NE(fired, 1u) << "the default was chosen over ready cases";
      ++counts[fired];
      if (fired == 0) a.recv();
      if (fired == 2) b.recv();
      if (fired == 3) c.send(0);
    }
    const std::array<int, 3> ready = {counts[0], counts[2], counts[3]};
    EXPECT_LT(chi_square_uniform(ready), chi_square_critical_1e4(2)) << ready[0] << " / " << ready[1] << " / " << ready[2];
  });
}

// The fan-out select_recv_any cannot write: each job goes to whichever of N workers is ready (N
// beyond the 16 cases kept inline, so the heap-backed path runs too); a blocked select_any is
// woken by whichever worker comes to receive. Every job reaches exactly one worker.
TEST_P(Select, SelectAnyFansOutToWhicheverWorkerIsReady) {
  constexpr std::size_t kWorkers = 20;
  const int jobs = static_cast<int>(scaled(2'000));
  run([&] {
    std::vector<Chan<int>> to_worker;
    auto done = make_chan<long long>(kWorkers);
    for (std::size_t w = 0; w < kWorkers; ++w) {
      to_worker.push_back(make_chan<int>());
      go([in = RecvChan<int>(to_worker.back()), out = SendChan<long long>(done)] {
        long long sum = 0;
        for (int job : in) sum += job;
        out.send(sum);
      });
    }
    for (int job = 1; job <= jobs; ++job) {
      std::vector<IntCase> cases;
      for (const Chan<int>& ch : to_worker) cases.push_back(IntCase::send(ch, job));
      const std::size_t fired = select_any(cases);
      ASSERT_LT(fired, kWorkers);
    }
    for (const Chan<int>& ch : to_worker) ch.close();
    long long total = 0;
    for (std::size_t w = 0; w < kWorkers; ++w) total += *done.recv();
    EXPECT_EQ(total, static_cast<long long>(jobs) * (jobs + 1) / 2);
  });
}

// A blocked select_any with a send and a receive case completes exactly one of them: the partner
// that arrives first wins, the other stays parked until served by hand.
TEST_P(Select, BlockedSelectAnyCompletesExactlyOneOfASendAndAReceive) {
  const int rounds = static_cast<int>(scaled(500));
  run([&] {
    for (int round = 0; round < rounds; ++round) {
      auto to_us = make_chan<int>();
      auto from_us = make_chan<int>();
      auto result = make_chan<std::size_t>(1);
      go([=] {
        std::vector<IntCase> cases = {IntCase::recv(to_us), IntCase::send(from_us, 20)};
        const std::size_t fired = select_any(cases);
        if (fired == 0 && cases[0].received() != 10) throw std::logic_error("wrong value received");
        result.send(fired);
      });
      if (round % 2 == 0) yield();
      auto finished = make_chan<int>(2);
      go([=] { to_us.send(10); finished.send(0); });
      go([=] { if (from_us.recv() != 20) throw std::logic_error("wrong value sent"); finished.send(1); });
      const std::size_t fired = *result.recv();
      EXPECT_EQ(static_cast<std::size_t>(*finished.recv()), fired);
      EXPECT_EQ(finished.try_recv(), std::nullopt) << "the losing partner completed too";
      if (fired == 0) {
        from_us.send(20);
      } else {
        EXPECT_EQ(to_us.recv(), 10);
      }
      EXPECT_EQ(*finished.recv(), static_cast<int>(1 - fired));
    }
  });
}

}  // namespace
}  // namespace goro::testing
