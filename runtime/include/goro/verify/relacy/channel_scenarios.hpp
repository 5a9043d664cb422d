// channel_scenarios.hpp — goro's channel scenarios, written once over any channel that satisfies
// goro::ChannelAlgorithm (<goro/algorithm.hpp>), run under Relacy (<goro/verify/relacy/sync.hpp>).
// goro's own channel (algo::Channel, through verify/goro_chan.hpp) and a user's channel
// (goro_add_algorithm_checks(... KIND channel), GoroVerify.cmake) run exactly these.
//
// Each scenario is 3 goroutines and a few operations on a channel of one capacity; the property
// it checks is in its name and in the message of every check (Relacy prints it with the history):
//   per_sender_order       two senders, one receiver: every value arrives exactly once, and the
//                          values of one sender in the order it sent them
//   close_races_send_recv  close against a sender and a draining receiver: the values whose send
//                          returned sent are received, in order, and nothing else; a send after
//                          one that reported closed also reports closed
//   close_wakes_receivers  two receivers block, close wakes both (a receiver left asleep is
//                          Relacy's deadlock)
//   close_wakes_senders    senders block on a full channel, close wakes them; what they delivered
//                          is drained after the close, exactly once, and try_recv never reports
//                          empty on a closed channel
//   capacity_bound         non-blocking senders and a non-blocking receiver: never more than cap
//                          values are in the channel, and try_send reports full only when cap
//                          values are (so at cap 0 with no receiver waiting, never sent)
//   no_lost_wakeup         a sender and a receiver move cap + 2 values through: both finish
//   nonblocking_vs_blocking a blocking sender, a try_send and a receiver until closed race; the
//                          try_send's value is received iff it reported sent
//   poller_sees_close      (cap > 0) a send then close against a try_recv poller: closed is
//                          reported only after the value was received (a too-weak order on the
//                          close or the count lets the poller see "closed" and a stale "empty")
// Failures: a broken check is Relacy's `assertion`; a goroutine never woken is `deadlock`; a
// plain access racing another is `data_race` (the channel's shared cells are Sync::var).
#pragma once

#include <cstddef>
#include <string>

#include "goro/algorithm.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::verify::relacy {

using models::Driver;
using models::ModelTest;
using models::Search;

// Log is what one goroutine received, in order (written by that goroutine only).
struct Log {
  int values[12] = {};
  int count = 0;
  void add(int v) {
    if (count < 12) values[count++] = v;
  }
  int occurrences(int v) const {
    int n = 0;
    for (int k = 0; k < count; ++k) n += values[k] == v;
    return n;
  }
};

template <template <class, class> class Chan, class Sync>
struct ChannelOps {
  using C = Chan<Sync, int>;

  // send_all() sends first..last blocking; returns the last value that was sent (first - 1 if none).
  static int send_all(C& c, int first, int last) {
    int sent_up_to = first - 1;
    for (int v = first; v <= last; ++v) {
      int value = v;
      const SendStatus status = c.send(value);
      GORO_MODEL_CHECK(status == SendStatus::sent || status == SendStatus::closed, "a blocking send returns sent or closed");
      if (status == SendStatus::closed) continue;
      GORO_MODEL_CHECK(sent_up_to == v - 1, "no send succeeds after one reported closed");
      sent_up_to = v;
    }
    return sent_up_to;
  }

  // recv_until_closed() receives blocking until closed, at most limit values.
  static void recv_until_closed(C& c, Log& into, int limit) {
    for (int k = 0; k < limit; ++k) {
      int out = -1;
      const RecvStatus status = c.recv(out);
      GORO_MODEL_CHECK(status == RecvStatus::received || status == RecvStatus::closed, "a blocking receive returns a value or closed");
      if (status == RecvStatus::closed) return;
      into.add(out);
    }
  }
};

// ---------------------------------------------------------------- the scenarios

template <template <class, class> class Chan, class Sync, std::size_t Cap>
struct PerSenderOrder : ModelTest<PerSenderOrder<Chan, Sync, Cap>, 3>, ChannelOps<Chan, Sync> {
  typename ChannelOps<Chan, Sync>::C chan{Cap};
  Log received;
  void thread(unsigned index) {
    if (index == 0) GORO_MODEL_CHECK(this->send_all(chan, 1, 2) == 2, "sends on an open channel succeed");
    if (index == 1) GORO_MODEL_CHECK(this->send_all(chan, 11, 12) == 12, "sends on an open channel succeed");
    if (index == 2) {
      for (int k = 0; k < 4; ++k) {
        int out = -1;
        GORO_MODEL_CHECK(chan.recv(out) == RecvStatus::received, "a receive on an open channel gets a value");
        received.add(out);
      }
    }
  }
  void after() {
    for (int v : {1, 2, 11, 12}) GORO_MODEL_CHECK(received.occurrences(v) == 1, "every value sent is received exactly once");
    int first = -1, eleventh = -1;
    for (int k = 0; k < received.count; ++k) {
      if (received.values[k] == 2) GORO_MODEL_CHECK(first >= 0, "one sender's values arrive in the order it sent them");
      if (received.values[k] == 12) GORO_MODEL_CHECK(eleventh >= 0, "one sender's values arrive in the order it sent them");
      if (received.values[k] == 1) first = k;
      if (received.values[k] == 11) eleventh = k;
    }
  }
};

template <template <class, class> class Chan, class Sync, std::size_t Cap>
struct CloseRacesSendRecv : ModelTest<CloseRacesSendRecv<Chan, Sync, Cap>, 3>, ChannelOps<Chan, Sync> {
  typename ChannelOps<Chan, Sync>::C chan{Cap};
  int sent_up_to = 0;
  Log received;
  void thread(unsigned index) {
    if (index == 0) sent_up_to = this->send_all(chan, 1, 2);
    if (index == 1) this->recv_until_closed(chan, received, 3);
    if (index == 2) GORO_MODEL_CHECK(chan.close(), "the first close() returns true");
  }
  void after() {
    GORO_MODEL_CHECK(received.count == sent_up_to, "every value sent is received, and nothing else (conservation under close)");
    for (int k = 0; k < received.count; ++k) GORO_MODEL_CHECK(received.values[k] == k + 1, "values arrive once, in send order");
  }
};

template <template <class, class> class Chan, class Sync, std::size_t Cap>
struct CloseWakesReceivers : ModelTest<CloseWakesReceivers<Chan, Sync, Cap>, 3>, ChannelOps<Chan, Sync> {
  typename ChannelOps<Chan, Sync>::C chan{Cap};
  Log received[2];
  bool sent = false;
  void thread(unsigned index) {
    if (index < 2) this->recv_until_closed(chan, received[index], 2);
    if (index == 2) {
      int value = 7;
      const SendStatus status = chan.try_send(value);
      GORO_MODEL_CHECK(status == SendStatus::sent || status == SendStatus::full, "try_send on an open channel: sent or full");
      sent = status == SendStatus::sent;
      GORO_MODEL_CHECK(chan.close(), "the first close() returns true");
      GORO_MODEL_CHECK(!chan.close(), "a second close() returns false");
    }
  }
  void after() {
    const int got = received[0].occurrences(7) + received[1].occurrences(7);
    GORO_MODEL_CHECK(got == (sent ? 1 : 0), "the value try_send sent is received exactly once, and only then");
    GORO_MODEL_CHECK(received[0].count + received[1].count == got, "only sent values are received");
  }
};

template <template <class, class> class Chan, class Sync, std::size_t Cap>
struct CloseWakesSenders : ModelTest<CloseWakesSenders<Chan, Sync, Cap>, 3>, ChannelOps<Chan, Sync> {
  static constexpr int kFirst = static_cast<int>(Cap) + 1;  // sender 0 sends 1..kFirst: one more than fits
  typename ChannelOps<Chan, Sync>::C chan{Cap};
  int sent_up_to[2] = {0, 100};
  Log drained;
  void thread(unsigned index) {
    if (index == 0) sent_up_to[0] = this->send_all(chan, 1, kFirst);
    if (index == 1) sent_up_to[1] = this->send_all(chan, 101, 101);
    if (index == 2) {
      GORO_MODEL_CHECK(chan.close(), "the first close() returns true");
      for (int k = 0; k < kFirst + 2; ++k) {
        int out = -1;
        const RecvStatus status = chan.try_recv(out);
        GORO_MODEL_CHECK(status != RecvStatus::empty, "try_recv on a closed channel never reports empty");
        if (status == RecvStatus::closed) break;
        drained.add(out);
      }
    }
  }
  void after() {
    int expected = 0;
    for (int v = 1; v <= sent_up_to[0]; ++v, ++expected) GORO_MODEL_CHECK(drained.occurrences(v) == 1, "a value sent before the close is drained exactly once");
    if (sent_up_to[1] == 101) {
      ++expected;
      GORO_MODEL_CHECK(drained.occurrences(101) == 1, "a value sent before the close is drained exactly once");
    }
    GORO_MODEL_CHECK(drained.count == expected, "nothing but sent values is drained (no loss, no duplicate under close)");
    GORO_MODEL_CHECK(drained.count <= static_cast<int>(Cap), "never more than cap values are buffered");
  }
};

template <template <class, class> class Chan, class Sync, std::size_t Cap>
struct CapacityBound : ModelTest<CapacityBound<Chan, Sync, Cap>, 3>, ChannelOps<Chan, Sync> {
  typename ChannelOps<Chan, Sync>::C chan{Cap};
  int sent[2] = {0, 0};
  bool saw_full = false;
  int received = 0;
  void thread(unsigned index) {
    if (index < 2) {
      for (int k = 0; k < 2; ++k) {
        int value = static_cast<int>(index) * 10 + k;
        const SendStatus status = chan.try_send(value);
        GORO_MODEL_CHECK(status == SendStatus::sent || status == SendStatus::full, "try_send on an open channel: sent or full");
        if (status == SendStatus::sent) ++sent[index];
        if (status == SendStatus::full) saw_full = true;
        GORO_MODEL_CHECK(chan.len() <= chan.cap(), "len() never exceeds cap()");
      }
    }
    if (index == 2) {
      for (int k = 0; k < 2; ++k) {
        int out = -1;
        const RecvStatus status = chan.try_recv(out);
        GORO_MODEL_CHECK(status == RecvStatus::received || status == RecvStatus::empty, "try_recv on an open channel: a value or empty");
        if (status == RecvStatus::received) ++received;
      }
    }
  }
  void after() {
    const int total = sent[0] + sent[1];
    GORO_MODEL_CHECK(received <= total, "only sent values are received");
    GORO_MODEL_CHECK(total - received <= static_cast<int>(Cap), "never more than cap values are in the channel");
    GORO_MODEL_CHECK(!saw_full || total >= static_cast<int>(Cap), "try_send reports full only when cap values are buffered");
  }
};

template <template <class, class> class Chan, class Sync, std::size_t Cap>
struct NoLostWakeup : ModelTest<NoLostWakeup<Chan, Sync, Cap>, 2>, ChannelOps<Chan, Sync> {
  static constexpr int kValues = static_cast<int>(Cap) + 2;
  typename ChannelOps<Chan, Sync>::C chan{Cap};
  Log received;
  void thread(unsigned index) {
    if (index == 0) GORO_MODEL_CHECK(this->send_all(chan, 1, kValues) == kValues, "sends on an open channel succeed");
    if (index == 1) {
      for (int k = 0; k < kValues; ++k) {
        int out = -1;
        GORO_MODEL_CHECK(chan.recv(out) == RecvStatus::received, "a receive on an open channel gets a value");
        received.add(out);
      }
    }
  }
  void after() {
    for (int k = 0; k < received.count; ++k) GORO_MODEL_CHECK(received.values[k] == k + 1, "values arrive once, in send order");
  }
};

template <template <class, class> class Chan, class Sync, std::size_t Cap>
struct NonBlockingVsBlocking : ModelTest<NonBlockingVsBlocking<Chan, Sync, Cap>, 3>, ChannelOps<Chan, Sync> {
  typename ChannelOps<Chan, Sync>::C chan{Cap};
  bool tried_sent = false;
  Log received;
  void thread(unsigned index) {
    if (index == 0) {
      GORO_MODEL_CHECK(this->send_all(chan, 1, 1) == 1, "a send on an open channel succeeds");
      GORO_MODEL_CHECK(chan.close(), "the first close() returns true");
    }
    if (index == 1) {
      int value = 3;
      const SendStatus status = chan.try_send(value);
      tried_sent = status == SendStatus::sent;
    }
    if (index == 2) this->recv_until_closed(chan, received, 3);
  }
  void after() {
    GORO_MODEL_CHECK(received.occurrences(1) == 1, "the blocking send's value is received exactly once");
    GORO_MODEL_CHECK(received.occurrences(3) == (tried_sent ? 1 : 0), "try_send's value is received iff it reported sent");
    GORO_MODEL_CHECK(received.count == 1 + (tried_sent ? 1 : 0), "only sent values are received");
  }
};

template <template <class, class> class Chan, class Sync, std::size_t Cap>
struct PollerSeesClose : ModelTest<PollerSeesClose<Chan, Sync, Cap>, 2>, ChannelOps<Chan, Sync> {
  typename ChannelOps<Chan, Sync>::C chan{Cap};
  int received = 0;
  void thread(unsigned index) {
    if (index == 0) {
      GORO_MODEL_CHECK(this->send_all(chan, 1, 1) == 1, "a send into an open channel with room succeeds");
      GORO_MODEL_CHECK(chan.close(), "the first close() returns true");
      return;
    }
    for (int k = 0; k < 3; ++k) {
      int out = -1;
      const RecvStatus status = chan.try_recv(out);
      if (status == RecvStatus::received) ++received;
      if (status == RecvStatus::closed) {
        GORO_MODEL_CHECK(received == 1, "try_recv reports closed only after every value sent before the close was received");
        return;
      }
    }
  }
};

// ---------------------------------------------------------------- registration

// Tiers: quick (random scheduler) for the test command; full (context-bound 2) for --full.
inline constexpr unsigned kQuickIterations = 20000;

template <template <class, class> class Chan, class Sync, std::size_t Cap>
void add_channel_scenarios_at(Driver& driver) {
  const std::string at = "/cap" + std::to_string(Cap);
  const Search quick{rl::random_scheduler_type, kQuickIterations};
  const Search full{rl::fair_context_bound_scheduler_type, 0, 2};
  driver.scenario<PerSenderOrder<Chan, Sync, Cap>>("per_sender_order" + at, "two senders, one receiver: each value once, per-sender order", quick, full);
  driver.scenario<CloseRacesSendRecv<Chan, Sync, Cap>>("close_races_send_recv" + at, "close vs a sender and a receiver: sent values received once, in order", quick, full);
  driver.scenario<CloseWakesReceivers<Chan, Sync, Cap>>("close_wakes_receivers" + at, "close wakes every blocked receiver", quick, full);
  driver.scenario<CloseWakesSenders<Chan, Sync, Cap>>("close_wakes_senders" + at, "close wakes blocked senders; delivered values drained once", quick, full);
  driver.scenario<CapacityBound<Chan, Sync, Cap>>("capacity_bound" + at, "never more than cap values; full only at cap", quick, full);
  driver.scenario<NoLostWakeup<Chan, Sync, Cap>>("no_lost_wakeup" + at, "a sender and a receiver move cap+2 values: both finish", quick, full);
  driver.scenario<NonBlockingVsBlocking<Chan, Sync, Cap>>("nonblocking_vs_blocking" + at, "try_send races a blocking send and close", quick, full);
  if constexpr (Cap > 0) {
    driver.scenario<PollerSeesClose<Chan, Sync, Cap>>("poller_sees_close" + at, "send + close vs a try_recv poller: closed only after the value", quick, full);
  }
}

// add_channel_scenarios<Chan, Sync, Caps...>(driver) registers every scenario at every capacity.
// Chan must satisfy goro::ChannelAlgorithm: call it under `if constexpr
// (goro::check_channel_algorithm<Chan>())` so that a type that does not gets one readable error.
template <template <class, class> class Chan, class Sync, std::size_t... Caps>
void add_channel_scenarios(Driver& driver) {
  static_assert(ChannelAlgorithm<Chan<Sync, int>, int>, "add_channel_scenarios: check_channel_algorithm<Chan>() first");
  (add_channel_scenarios_at<Chan, Sync, Caps>(driver), ...);
}

}  // namespace goro::verify::relacy
