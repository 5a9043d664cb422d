// model_chan_buffered.cpp — goro::algo::Channel with capacity 1 and 2 (the ring buffer path), with
// close() racing blocked senders and receivers, as the runtime ships it (goro/algo/chan.hpp).
//
// Properties: every operation returns a value or the closed outcome (never anything else); every
// value whose send returned ok is received exactly once, in send order; a send that returned
// closed keeps its value (nothing delivered); receivers drain the buffer before they see closed;
// the Invariants block of chan.hpp holds at every release of the channel lock (Mutex::unlock
// runs invariants_hold()) and at every scheduling point at which the lock is free (invariant());
// at the end no waiter is left, nothing is buffered.
#include <vector>

#include "goro/algo/chan.hpp"
#include "goro/verify/goro_chan.hpp"
#include "goro/verify/relacy/channel_scenarios.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

using algo::OpStatus;

template <class Sync>
using Chan = algo::Channel<int, Sync>;
template <class Sync>
using Slot = typename Chan<Sync>::slot_type;

template <class Sync>
bool chan_invariants(const void* chan) {
  return static_cast<const Chan<Sync>*>(chan)->invariants_hold();
}

// Received records what one receiver got, in order (written by that receiver only).
struct Received {
  int values[4] = {};
  int count = 0;
  void add(int v) { values[count++] = v; }
};

// receive_until_closed() receives until the channel reports closed, at most `limit` values.
template <class Sync>
void receive_until_closed(Chan<Sync>& chan, Received& into, int limit) {
  for (int k = 0; k < limit; ++k) {
    Slot<Sync> out;
    const OpStatus status = chan.recv(out, true);
    GORO_MODEL_CHECK(status == OpStatus::ok || status == OpStatus::closed, "a receive returns a value or closed");
    const std::optional<int> v = out.load();
    if (status == OpStatus::closed) {
      GORO_MODEL_CHECK(!v.has_value(), "a closed receive carries no value");
      return;
    }
    GORO_MODEL_CHECK(v.has_value(), "an ok receive carries a value");
    into.add(*v);
  }
}

// send_values() sends first..last in order; once one reports closed the rest must too.
template <class Sync>
int send_values(Chan<Sync>& chan, int first, int last) {
  int delivered_up_to = first - 1;
  for (int v = first; v <= last; ++v) {
    Slot<Sync> value;
    value.store(v);
    const OpStatus status = chan.send(value, true);
    GORO_MODEL_CHECK(status == OpStatus::ok || status == OpStatus::closed, "a send returns ok or closed");
    if (status == OpStatus::closed) {
      GORO_MODEL_CHECK(value.load() == std::optional<int>(v), "a send that reports closed delivered nothing");
      continue;
    }
    GORO_MODEL_CHECK(delivered_up_to == v - 1, "no send succeeds after one reported closed");
    delivered_up_to = v;
  }
  return delivered_up_to;
}

// CloseRacesBlocked: capacity 1; a sender sends 1, 2 (the second blocks on a full buffer), a
// receiver drains until closed, a third goroutine closes.
template <class Sync>
struct CloseRacesBlocked : ModelTest<CloseRacesBlocked<Sync>, 3> {
  Chan<Sync> chan{1};
  int delivered_up_to = 0;  // the sender: values 1..delivered_up_to returned ok
  Received received;

  CloseRacesBlocked() { chan.lock_.check_on_unlock(&chan_invariants<Sync>, &chan); }

  void thread(unsigned index) {
    if (index == 0) delivered_up_to = send_values(chan, 1, 2);
    if (index == 1) receive_until_closed(chan, received, 3);
    if (index == 2) GORO_MODEL_CHECK(chan.close() == OpStatus::ok, "the first close succeeds");
  }

  void invariant() { RL_ASSERT(chan.lock_.held() || chan.invariants_hold()); }

  void after() {
    GORO_MODEL_CHECK(received.count == delivered_up_to, "every value sent ok is received, nothing more");
    for (int k = 0; k < received.count; ++k) GORO_MODEL_CHECK(received.values[k] == k + 1, "values arrive in send order, once");
    GORO_MODEL_CHECK(chan.recvq_.empty_locked() && chan.sendq_.empty_locked(), "no waiter left after close");
    GORO_MODEL_CHECK(chan.length() == 0, "the buffer was drained");
  }
};

// TwoReceiversClose: capacity 2; a sender sends 1, 2, 3 (the third may block), one receiver
// drains until closed, the other tries one non-blocking receive and then closes.
template <class Sync>
struct TwoReceiversClose : ModelTest<TwoReceiversClose<Sync>, 3> {
  Chan<Sync> chan{2};
  int delivered_up_to = 0;
  Received received[2];

  TwoReceiversClose() { chan.lock_.check_on_unlock(&chan_invariants<Sync>, &chan); }

  void thread(unsigned index) {
    if (index == 0) delivered_up_to = send_values(chan, 1, 3);
    if (index == 1) receive_until_closed(chan, received[0], 4);
    if (index == 2) {
      // A non-blocking receive (the lock-free "would I block?" fast path), then close. (A
      // blocking one could wait forever: the other receiver may already have drained everything.)
      Slot<Sync> out;
      const OpStatus status = chan.recv(out, false);
      GORO_MODEL_CHECK(status == OpStatus::ok || status == OpStatus::would_block, "an open channel: a value or would_block");
      if (status == OpStatus::ok) received[1].add(out.load().value_or(-1));
      GORO_MODEL_CHECK(chan.close() == OpStatus::ok, "the first close succeeds");
    }
  }

  void invariant() { RL_ASSERT(chan.lock_.held() || chan.invariants_hold()); }

  void after() {
    int seen[4] = {};
    for (const Received& r : received) {
      for (int k = 0; k < r.count; ++k) {
        GORO_MODEL_CHECK(r.values[k] >= 1 && r.values[k] <= 3, "only sent values are received");
        ++seen[r.values[k]];
        GORO_MODEL_CHECK(k == 0 || r.values[k - 1] < r.values[k], "each receiver sees send order");
      }
    }
    for (int v = 1; v <= 3; ++v) {
      GORO_MODEL_CHECK(seen[v] == (v <= delivered_up_to ? 1 : 0), "every value sent ok is received exactly once");
    }
    GORO_MODEL_CHECK(chan.recvq_.empty_locked() && chan.sendq_.empty_locked(), "no waiter left after close");
  }
};

// PollerSeesCloseAfterValues: capacity 2; a sender sends 1 and closes, a poller only ever
// receives without blocking (the lock-free fast path: "empty?", then "closed?", then "still
// empty?"). When a poll reports closed, the value sent before the close must already have been
// received: close()'s release store of closed_ is what makes the poller's re-check of the count
// see the send (without it the poller may read a stale "empty" and report closed with 1 buffered).
template <class Sync>
struct PollerSeesCloseAfterValues : ModelTest<PollerSeesCloseAfterValues<Sync>, 2> {
  static constexpr int kPolls = 3;
  Chan<Sync> chan{2};
  Received received;

  PollerSeesCloseAfterValues() { chan.lock_.check_on_unlock(&chan_invariants<Sync>, &chan); }

  void thread(unsigned index) {
    if (index == 0) {
      GORO_MODEL_CHECK(send_values(chan, 1, 1) == 1, "a send into an open channel with room succeeds");
      GORO_MODEL_CHECK(chan.close() == OpStatus::ok, "the first close succeeds");
      return;
    }
    for (int k = 0; k < kPolls; ++k) {
      Slot<Sync> out;
      const OpStatus status = chan.recv(out, false);
      if (status == OpStatus::ok) received.add(out.load().value_or(-1));
      if (status == OpStatus::closed) {
        GORO_MODEL_CHECK(received.count == 1 && received.values[0] == 1,
                         "a poll reports closed only after every value sent before the close was received");
        return;
      }
      // No Sync::relax() between polls: Relacy refreshes a yielding thread's view of memory,
      // which would hide exactly the stale reads this scenario is about.
    }
  }

  void invariant() { RL_ASSERT(chan.lock_.held() || chan.invariants_hold()); }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("chan_buffered", argc, argv);
  driver.scenario<CloseRacesBlocked<RelacySync>>(
      "close_races_blocked", "cap 1: close vs a blocked sender and a draining receiver; ok values received once, in order",
      {rl::random_scheduler_type, 150000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<TwoReceiversClose<RelacySync>>(
      "two_receivers_close", "cap 2: 3 sends, a receiver, a try-receive + close; ok values received exactly once, in order",
      {rl::random_scheduler_type, 150000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<PollerSeesCloseAfterValues<RelacySync>>(
      "poller_sees_close_after_values",
      "cap 2: send 1 + close vs a non-blocking poller: closed is reported only after the value was received",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.planted<CloseRacesBlocked<BasicRelacySync<NoLock>>>(
      "no_lock", "the channel lock excludes nobody", Kind::data_race, {rl::random_scheduler_type, 30000});
  driver.planted<CloseRacesBlocked<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup", "ready() loses the first wake-up (e.g. close waking the blocked sender)", Kind::deadlock,
      {rl::random_scheduler_type, 30000});
  driver.planted<TwoReceiversClose<BasicRelacySync<UnlockBeforeCommit>>>(
      "unlock_before_park", "park() drops the channel lock before the goroutine is off its stack", Kind::assertion,
      {rl::random_scheduler_type, 200000});
  // The verification kit's channel scenarios (the ones a user's channel runs), on goro's channel.
  goro::verify::relacy::add_channel_scenarios<goro::verify::GoroChan, RelacySync, 1, 2>(driver);
  // ... and they can fail: the kit's scenarios catch the planted policies too.
  driver.planted<goro::verify::relacy::CloseRacesSendRecv<goro::verify::GoroChan, BasicRelacySync<NoLock>, 1>>(
      "kit_no_lock", "kit scenario close_races_send_recv/cap1: the channel lock excludes nobody", Kind::data_race,
      {rl::random_scheduler_type, 30000});
  driver.planted<goro::verify::relacy::CloseWakesReceivers<goro::verify::GoroChan, BasicRelacySync<DropFirstWakeup>, 1>>(
      "kit_drop_wakeup", "kit scenario close_wakes_receivers/cap1: ready() loses the first wake-up", Kind::deadlock,
      {rl::random_scheduler_type, 30000});
  return driver.run();
}
