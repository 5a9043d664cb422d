// model_chan_unbuffered.cpp — goro::algo::Channel with capacity 0 (the direct hand-off), as the
// runtime ships it (goro/algo/chan.hpp), under Relacy.
//
// Properties: every value sent is received exactly once; a send returns ok only when its value
// was handed to a receiver; no waiter is left enqueued at the end; the Invariants block of
// chan.hpp holds at every release of the channel lock (checked in Mutex::unlock) and at every
// scheduling point at which the lock is free (invariant(), which Relacy runs between all steps).
#include "goro/algo/chan.hpp"
#include "goro/verify/goro_chan.hpp"
#include "goro/verify/relacy/channel_scenarios.hpp"
#include "goro/verify/relacy/driver.hpp"
#include "goro/verify/relacy/model_test.hpp"

namespace goro::models {
namespace {

using algo::OpStatus;

template <class Sync>
struct ChannelModel {
  using Chan = algo::Channel<int, Sync>;
  using Slot = typename Chan::slot_type;

  static bool invariants(const void* chan) { return static_cast<const Chan*>(chan)->invariants_hold(); }
};

// Handoff: two blocking senders (values 1 and 2) and one receiver that receives twice.
template <class Sync>
struct Handoff : ModelTest<Handoff<Sync>, 3>, ChannelModel<Sync> {
  using typename ChannelModel<Sync>::Chan;
  using typename ChannelModel<Sync>::Slot;
  Chan chan{0};
  OpStatus sent[2] = {OpStatus::would_block, OpStatus::would_block};
  int received[2] = {0, 0};

  Handoff() { chan.lock_.check_on_unlock(&ChannelModel<Sync>::invariants, &chan); }

  void thread(unsigned index) {
    if (index < 2) {
      Slot value;
      value.store(static_cast<int>(index) + 1);
      sent[index] = chan.send(value, true);
      GORO_MODEL_CHECK(!value.load().has_value(), "a successful send moved its value out");
    } else {
      for (int k = 0; k < 2; ++k) {
        Slot out;
        GORO_MODEL_CHECK(chan.recv(out, true) == OpStatus::ok, "a receive on an open channel succeeds");
        const std::optional<int> v = out.load();
        GORO_MODEL_CHECK(v.has_value(), "an ok receive carries a value");
        received[k] = *v;
      }
    }
  }

  void invariant() { RL_ASSERT(chan.lock_.held() || chan.invariants_hold()); }

  void after() {
    GORO_MODEL_CHECK(sent[0] == OpStatus::ok && sent[1] == OpStatus::ok, "both sends complete");
    GORO_MODEL_CHECK(received[0] + received[1] == 3 && received[0] != received[1], "each value received exactly once");
    GORO_MODEL_CHECK(chan.recvq_.empty_locked() && chan.sendq_.empty_locked(), "no waiter left enqueued");
  }
};

// CancelRacesHandoff: a sender and a receiver meet while the runtime winds down: the wind-down's
// claim of a parked party races the partner's claim of the same WaitContext (chan.hpp's dequeue
// → WaitContext::try_claim vs algo::ParkProtocol::begin_wind_down → ParkSlot::cancel). One claim
// decides: either the hand-off happens for both, or the value stays with the sender.
template <class Sync>
struct CancelRacesHandoff : ModelTest<CancelRacesHandoff<Sync>, 3>, ChannelModel<Sync> {
  using typename ChannelModel<Sync>::Chan;
  using typename ChannelModel<Sync>::Slot;
  Chan chan{0};
  OpStatus sent = OpStatus::would_block, got = OpStatus::would_block;
  std::optional<int> kept, received;

  CancelRacesHandoff() { chan.lock_.check_on_unlock(&ChannelModel<Sync>::invariants, &chan); }

  void thread(unsigned index) {
    if (index == 0) {
      Slot value;
      value.store(7);
      sent = chan.send(value, true);
      kept = value.load();
    } else if (index == 1) {
      Slot out;
      got = chan.recv(out, true);
      received = out.load();
    } else {
      Sync::begin_wind_down();
    }
  }

  void invariant() { RL_ASSERT(chan.lock_.held() || chan.invariants_hold()); }

  void after() {
    GORO_MODEL_CHECK((sent == OpStatus::ok || sent == OpStatus::cancelled) && (got == OpStatus::ok || got == OpStatus::cancelled),
                     "each blocked operation completes or is cancelled");
    GORO_MODEL_CHECK((sent == OpStatus::ok) == (got == OpStatus::ok), "the hand-off happens for both parties or for neither");
    if (sent == OpStatus::ok) {
      GORO_MODEL_CHECK(received == std::optional<int>(7) && !kept.has_value(), "a completed hand-off moved the value once");
    } else {
      GORO_MODEL_CHECK(kept == std::optional<int>(7) && !received.has_value(), "a cancelled send keeps its value");
    }
    GORO_MODEL_CHECK(chan.recvq_.empty_locked() && chan.sendq_.empty_locked(), "no waiter left enqueued");
  }
};

// TrySendRacesRecv: a non-blocking send (the lock-free "would I block?" fast path) races a
// blocking receiver; when it reports would_block, the sender falls back to a blocking send.
template <class Sync>
struct TrySendRacesRecv : ModelTest<TrySendRacesRecv<Sync>, 2>, ChannelModel<Sync> {
  using typename ChannelModel<Sync>::Chan;
  using typename ChannelModel<Sync>::Slot;
  Chan chan{0};
  int received = 0;

  TrySendRacesRecv() { chan.lock_.check_on_unlock(&ChannelModel<Sync>::invariants, &chan); }

  void thread(unsigned index) {
    if (index == 0) {
      Slot value;
      value.store(7);
      const OpStatus first = chan.send(value, false);
      GORO_MODEL_CHECK(first == OpStatus::ok || first == OpStatus::would_block, "try_send is ok or would_block");
      if (first == OpStatus::would_block) {
        GORO_MODEL_CHECK(value.load() == std::optional<int>(7), "a failed try_send keeps its value");
        GORO_MODEL_CHECK(chan.send(value, true) == OpStatus::ok, "the blocking retry completes");
      }
    } else {
      Slot out;
      GORO_MODEL_CHECK(chan.recv(out, true) == OpStatus::ok, "the receive completes");
      received = out.load().value_or(-1);
    }
  }

  void invariant() { RL_ASSERT(chan.lock_.held() || chan.invariants_hold()); }

  void after() {
    GORO_MODEL_CHECK(received == 7, "the value is received exactly once");
    GORO_MODEL_CHECK(chan.recvq_.empty_locked() && chan.sendq_.empty_locked(), "no waiter left enqueued");
  }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("chan_unbuffered", argc, argv);
  driver.scenario<Handoff<RelacySync>>(
      "handoff", "2 senders, 1 receiver: each value delivered exactly once, no waiter left, invariants at every unlock",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<TrySendRacesRecv<RelacySync>>(
      "try_send_races_recv", "non-blocking send (lock-free fast path) vs blocking receive: delivered exactly once",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<CancelRacesHandoff<RelacySync>>(
      "cancel_races_handoff", "wind-down vs a meeting sender and receiver: one claim decides, the value moves once or stays",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.planted<CancelRacesHandoff<BasicRelacySync<SplitRmw>>>(
      "split_claim_at_cancel", "the context claim split into load + store: the wind-down and the partner both claim",
      Kind::assertion, {rl::random_scheduler_type, 100000});
  driver.planted<Handoff<BasicRelacySync<NoLock>>>(
      "no_lock", "the channel lock excludes nobody: the wait queue's links (Sync::var) race",
      Kind::data_race,
      {rl::random_scheduler_type, 20000});
  driver.planted<Handoff<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup", "ready() loses the first wake-up: a parked sender or receiver sleeps forever", Kind::deadlock,
      {rl::random_scheduler_type, 20000});
  driver.planted<Handoff<BasicRelacySync<UnlockBeforeCommit>>>(
      "unlock_before_park", "park() drops the channel lock before the goroutine is off its stack: a partner readies a running goroutine",
      Kind::assertion, {rl::random_scheduler_type, 20000});
  // The verification kit's channel scenarios (the ones a user's channel runs), on goro's channel.
  goro::verify::relacy::add_channel_scenarios<goro::verify::GoroChan, RelacySync, 0>(driver);
  return driver.run();
}
