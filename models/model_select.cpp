// model_select.cpp — goro::algo::select (Go's select with a one-lock fast pass, goro/algo/select.hpp) over the
// shipped channels, under Relacy.
//
// Properties: exactly one case completes, and its status/value agree with what its partner did;
// when two senders race to wake one selecting receiver, one wins and the loser's value stays in
// its channel (the receiver gets it afterwards with a plain receive); select racing close
// reports the closed case or the other one, never both; a select that names the same channel
// twice (locked once, by the dedup in pass 1b) pairs correctly with another such select; a
// selecting sender and a selecting receiver (select_any's shape: a run-time span with its
// default kept as a nil case) pair on one channel; a select with a default never takes it while
// a value is always in one of its channels (the atomic "nothing ready" of pass 1b); the
// channels' Invariants hold at every unlock and whenever their locks are free.
#include <span>

#include "goro/algo/select.hpp"
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

// select2() runs a blocking two-case select.
template <class Sync>
algo::SelectOutcome select2(algo::SelectCase<Sync> (&cases)[2]) {
  algo::Waiter<Sync> waiters[2];
  std::uint32_t poll_order[2];
  std::uint32_t lock_order[2];
  algo::SelectScratch<Sync> scratch{std::span(waiters), std::span(poll_order), std::span(lock_order)};
  return algo::select<Sync>(std::span<algo::SelectCase<Sync>>(cases), scratch, true);
}

template <class Sync>
int send(Chan<Sync>& chan, int v) {
  Slot<Sync> value;
  value.store(v);
  return static_cast<int>(chan.send(value, true));
}

template <class Sync>
std::optional<int> receive(Chan<Sync>& chan, OpStatus expected) {
  Slot<Sync> out;
  GORO_MODEL_CHECK(chan.recv(out, true) == expected, "the follow-up receive has the expected outcome");
  return out.load();
}

// TwoSendersOneSelect: unbuffered a and b; a select receives from either; two senders race to
// wake it. The receiver then receives the loser's value from the other channel.
template <class Sync>
struct TwoSendersOneSelect : ModelTest<TwoSendersOneSelect<Sync>, 3> {
  Chan<Sync> a{0}, b{0};
  std::size_t winner = algo::SelectOutcome::kNone;
  int first = 0, second = 0;

  TwoSendersOneSelect() {
    a.lock_.check_on_unlock(&chan_invariants<Sync>, &a);
    b.lock_.check_on_unlock(&chan_invariants<Sync>, &b);
  }

  void thread(unsigned index) {
    if (index == 0) {
      Slot<Sync> from_a, from_b;
      algo::SelectCase<Sync> cases[2] = {{&a, false, &from_a}, {&b, false, &from_b}};
      const algo::SelectOutcome outcome = select2<Sync>(cases);
      GORO_MODEL_CHECK(outcome.status == OpStatus::ok, "the select completes with a value");
      winner = outcome.index;
      GORO_MODEL_CHECK(winner == 0 || winner == 1, "exactly one case completes");
      const std::optional<int> won = (winner == 0 ? from_a : from_b).load();
      const std::optional<int> lost = (winner == 0 ? from_b : from_a).load();
      GORO_MODEL_CHECK(won.has_value() && !lost.has_value(), "only the winning case received a value");
      first = *won;
      second = receive<Sync>(winner == 0 ? b : a, OpStatus::ok).value_or(-1);  // the loser's value is still there
    } else {
      GORO_MODEL_CHECK(send<Sync>(index == 1 ? a : b, static_cast<int>(index)) == static_cast<int>(OpStatus::ok),
                       "both sends complete");
    }
  }

  void invariant() {
    RL_ASSERT(a.lock_.held() || a.invariants_hold());
    RL_ASSERT(b.lock_.held() || b.invariants_hold());
  }

  void after() {
    GORO_MODEL_CHECK(first == static_cast<int>(winner) + 1, "the winning case carries its channel's value");
    GORO_MODEL_CHECK(first + second == 3, "the loser's value stayed in its channel and was received once");
    GORO_MODEL_CHECK(a.recvq_.empty_locked() && b.recvq_.empty_locked() && a.sendq_.empty_locked() && b.sendq_.empty_locked(),
                     "pass 3 unlinked every losing waiter");
  }
};

// SelectRacesClose: a select receives from a or b; a is closed while b gets a value.
template <class Sync>
struct SelectRacesClose : ModelTest<SelectRacesClose<Sync>, 3> {
  Chan<Sync> a{0}, b{0};
  algo::SelectOutcome outcome;
  int from_b_later = 0;

  SelectRacesClose() {
    a.lock_.check_on_unlock(&chan_invariants<Sync>, &a);
    b.lock_.check_on_unlock(&chan_invariants<Sync>, &b);
  }

  void thread(unsigned index) {
    if (index == 0) {
      Slot<Sync> from_a, from_b;
      algo::SelectCase<Sync> cases[2] = {{&a, false, &from_a}, {&b, false, &from_b}};
      outcome = select2<Sync>(cases);
      if (outcome.index == 0) {
        GORO_MODEL_CHECK(outcome.status == OpStatus::closed && !from_a.load().has_value(), "the closed case carries no value");
        GORO_MODEL_CHECK(!from_b.load().has_value(), "the losing case received nothing");
        from_b_later = receive<Sync>(b, OpStatus::ok).value_or(-1);
      } else {
        GORO_MODEL_CHECK(outcome.index == 1 && outcome.status == OpStatus::ok, "otherwise the value case completes");
        GORO_MODEL_CHECK(from_b.load() == std::optional<int>(2), "with the sent value");
        from_b_later = 2;
        receive<Sync>(a, OpStatus::closed);  // a is (or will be) closed
      }
    } else if (index == 1) {
      GORO_MODEL_CHECK(a.close() == OpStatus::ok, "close succeeds");
    } else {
      GORO_MODEL_CHECK(send<Sync>(b, 2) == static_cast<int>(OpStatus::ok), "the send completes");
    }
  }

  void invariant() {
    RL_ASSERT(a.lock_.held() || a.invariants_hold());
    RL_ASSERT(b.lock_.held() || b.invariants_hold());
  }

  void after() {
    GORO_MODEL_CHECK(from_b_later == 2, "the value sent on b is received exactly once");
    GORO_MODEL_CHECK(a.recvq_.empty_locked() && b.recvq_.empty_locked() && b.sendq_.empty_locked(), "no waiter left");
  }
};

// SameChannelTwice: two selects, each both sending and receiving on one unbuffered channel c
// (the channel is named twice, so pass 1b must lock it once). They must pair up: one sends, the
// other receives that value. While both wait, c's sendq and recvq hold waiters of the same
// select — the one exception the Invariants block allows.
template <class Sync>
struct SameChannelTwice : ModelTest<SameChannelTwice<Sync>, 2> {
  Chan<Sync> c{0};
  algo::SelectOutcome outcome[2];
  std::optional<int> got[2];

  SameChannelTwice() { c.lock_.check_on_unlock(&chan_invariants<Sync>, &c); }

  void thread(unsigned index) {
    Slot<Sync> to_send, received;
    to_send.store(static_cast<int>(index) + 10);
    algo::SelectCase<Sync> cases[2] = {{&c, true, &to_send}, {&c, false, &received}};
    outcome[index] = select2<Sync>(cases);
    GORO_MODEL_CHECK(outcome[index].status == OpStatus::ok, "each select completes");
    got[index] = received.load();
    GORO_MODEL_CHECK((outcome[index].index == 0) == !to_send.load().has_value(), "a value left iff the send case won");
  }

  void invariant() { RL_ASSERT(c.lock_.held() || c.invariants_hold()); }

  void after() {
    GORO_MODEL_CHECK(outcome[0].index != outcome[1].index, "one select sent, the other received");
    const unsigned receiver = outcome[0].index == 1 ? 0 : 1;
    GORO_MODEL_CHECK(got[receiver] == std::optional<int>(static_cast<int>(1 - receiver) + 10), "the receiver got the sender's value");
    GORO_MODEL_CHECK(!got[1 - receiver].has_value(), "the sender received nothing");
    GORO_MODEL_CHECK(c.recvq_.empty_locked() && c.sendq_.empty_locked(), "no waiter left");
  }
};

// SendSelectMeetsRecvSelect: the shape select_any() (goro/select.hpp) hands the algorithm — a
// span built at run time, its default case kept in place as a nil case — on both sides: one
// select offers a value on a or b (with a nil case between them), the other receives from b or a.
// Either may park first; they must pair on one channel, the value moving once, from the case the
// sender's outcome names to the case the receiver's names.
template <class Sync>
struct SendSelectMeetsRecvSelect : ModelTest<SendSelectMeetsRecvSelect<Sync>, 2> {
  Chan<Sync> a{0}, b{0};
  algo::SelectOutcome sender, receiver;
  std::optional<int> left_a, left_b, got_a, got_b;

  SendSelectMeetsRecvSelect() {
    a.lock_.check_on_unlock(&chan_invariants<Sync>, &a);
    b.lock_.check_on_unlock(&chan_invariants<Sync>, &b);
  }

  void thread(unsigned index) {
    algo::Waiter<Sync> waiters[3];
    std::uint32_t poll_order[3];
    std::uint32_t lock_order[3];
    algo::SelectScratch<Sync> scratch{std::span(waiters), std::span(poll_order), std::span(lock_order)};
    if (index == 0) {
      Slot<Sync> to_a, unused, to_b;
      to_a.store(1);
      to_b.store(2);
      algo::SelectCase<Sync> cases[3] = {{&a, true, &to_a}, {nullptr, false, &unused}, {&b, true, &to_b}};
      sender = algo::select<Sync>(std::span<algo::SelectCase<Sync>>(cases), scratch, true);
      left_a = to_a.load();
      left_b = to_b.load();
    } else {
      Slot<Sync> from_b, from_a;
      algo::SelectCase<Sync> cases[2] = {{&b, false, &from_b}, {&a, false, &from_a}};
      receiver = algo::select<Sync>(std::span<algo::SelectCase<Sync>>(cases, 2), {std::span(waiters, 2), std::span(poll_order, 2), std::span(lock_order, 2)}, true);
      got_a = from_a.load();
      got_b = from_b.load();
    }
  }

  void invariant() {
    RL_ASSERT(a.lock_.held() || a.invariants_hold());
    RL_ASSERT(b.lock_.held() || b.invariants_hold());
  }

  void after() {
    GORO_MODEL_CHECK(sender.status == OpStatus::ok && receiver.status == OpStatus::ok, "both selects complete");
    GORO_MODEL_CHECK(sender.index == 0 || sender.index == 2, "the nil case never completes");
    const bool on_a = sender.index == 0;
    GORO_MODEL_CHECK(receiver.index == (on_a ? 1u : 0u), "they paired on the same channel");
    GORO_MODEL_CHECK(on_a ? (got_a == std::optional<int>(1) && !got_b) : (got_b == std::optional<int>(2) && !got_a),
                     "the receiver got the value of the case that was sent, and only that");
    GORO_MODEL_CHECK(on_a ? (!left_a && left_b == std::optional<int>(2)) : (!left_b && left_a == std::optional<int>(1)),
                     "the winning send case's value moved; the loser kept its own");
    GORO_MODEL_CHECK(a.recvq_.empty_locked() && b.recvq_.empty_locked() && a.sendq_.empty_locked() && b.sendq_.empty_locked(),
                     "pass 3 unlinked every losing waiter");
  }
};

// DefaultSelectSeesAValueInFlight: a value is in a or b (capacity 1 each) at every instant: it
// starts in a, and a mover sends a copy on b before it takes the original from a. A select
// {recv a, recv b, default} must never take the default, as "nothing ready" needs one instant at
// which both were empty. Pass 1a alone could answer it (b found empty before the move, a after
// it): only pass 1b, with both channels locked, may (select.hpp, "Why pass 1a").
template <class Sync>
struct DefaultSelectSeesAValueInFlight : ModelTest<DefaultSelectSeesAValueInFlight<Sync>, 2> {
  Chan<Sync> a{1}, b{1};
  algo::SelectOutcome outcome;

  void before() {
    a.lock_.check_on_unlock(&chan_invariants<Sync>, &a);
    b.lock_.check_on_unlock(&chan_invariants<Sync>, &b);
    Slot<Sync> value;
    value.store(1);
    GORO_MODEL_CHECK(a.send(value, false) == OpStatus::ok, "a starts with the value");
  }

  void thread(unsigned index) {
    if (index == 0) {
      Slot<Sync> from_a, from_b;
      algo::SelectCase<Sync> cases[2] = {{&a, false, &from_a}, {&b, false, &from_b}};
      algo::Waiter<Sync> waiters[2];
      std::uint32_t poll_order[2];
      std::uint32_t lock_order[2];
      outcome = algo::select<Sync>(std::span<algo::SelectCase<Sync>>(cases),
                                   {std::span(waiters), std::span(poll_order), std::span(lock_order)}, false);
      GORO_MODEL_CHECK(outcome.status == OpStatus::ok, "a default select never misses the value that is always in a or b");
    } else {
      Slot<Sync> copy, original;
      copy.store(2);
      GORO_MODEL_CHECK(b.send(copy, false) == OpStatus::ok, "b has room for the copy");
      a.recv(original, false);  // would_block if the select took it first
    }
  }

  void invariant() {
    RL_ASSERT(a.lock_.held() || a.invariants_hold());
    RL_ASSERT(b.lock_.held() || b.invariants_hold());
  }
};

// CancelRacesSelect: a select blocked on a and b, one sender on a, and the wind-down: the
// wind-down's claim of the selecting goroutine races the sender's claim of the same WaitContext.
// One claim decides: the select receives the value (and the send completes) or it is cancelled
// (and the sender keeps its value — it is cancelled too, parking after the scan or claimed by it).
template <class Sync>
struct CancelRacesSelect : ModelTest<CancelRacesSelect<Sync>, 3> {
  Chan<Sync> a{0}, b{0};
  algo::SelectOutcome outcome{};
  std::optional<int> got_a, got_b, kept;
  OpStatus sent = OpStatus::would_block;

  CancelRacesSelect() {
    a.lock_.check_on_unlock(&chan_invariants<Sync>, &a);
    b.lock_.check_on_unlock(&chan_invariants<Sync>, &b);
  }

  void thread(unsigned index) {
    if (index == 0) {
      Slot<Sync> from_a, from_b;
      algo::SelectCase<Sync> cases[2] = {{&a, false, &from_a}, {&b, false, &from_b}};
      outcome = select2<Sync>(cases);
      got_a = from_a.load();
      got_b = from_b.load();
    } else if (index == 1) {
      Slot<Sync> value;
      value.store(5);
      sent = a.send(value, true);
      kept = value.load();
    } else {
      Sync::begin_wind_down();
    }
  }

  void invariant() {
    RL_ASSERT(a.lock_.held() || a.invariants_hold());
    RL_ASSERT(b.lock_.held() || b.invariants_hold());
  }

  void after() {
    GORO_MODEL_CHECK(!got_b.has_value(), "nobody sent on b");
    if (outcome.status == OpStatus::ok) {
      GORO_MODEL_CHECK(outcome.index == 0 && got_a == std::optional<int>(5), "the select won case a with the value");
      GORO_MODEL_CHECK(sent == OpStatus::ok && !kept.has_value(), "the send completed: its value moved once");
    } else {
      GORO_MODEL_CHECK(outcome.status == OpStatus::cancelled && !got_a.has_value(), "a cancelled select received nothing");
      GORO_MODEL_CHECK(sent == OpStatus::cancelled && kept == std::optional<int>(5), "the send was cancelled with its value");
    }
    GORO_MODEL_CHECK(a.recvq_.empty_locked() && a.sendq_.empty_locked() && b.recvq_.empty_locked(), "no waiter left");
  }
};

}  // namespace
}  // namespace goro::models

int main(int argc, char** argv) {
  using namespace goro::models;
  Driver driver("select", argc, argv);
  driver.scenario<TwoSendersOneSelect<RelacySync>>(
      "two_senders_one_select", "two senders race to wake one select: one wins, the loser's value stays in its channel",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<SelectRacesClose<RelacySync>>(
      "select_races_close", "select vs close vs a send: the closed case or the value case, consistently",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<SameChannelTwice<RelacySync>>(
      "same_channel_twice", "two selects {send c, recv c}: they pair up, c locked once per select",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 3});
  driver.scenario<SendSelectMeetsRecvSelect<RelacySync>>(
      "send_select_meets_recv_select", "a run-time-shaped select {send a, nil, send b} meets {recv b, recv a}: one pairing",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.planted<SendSelectMeetsRecvSelect<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup_two_selects", "ready() loses the first wake-up: the parked select of the pair sleeps forever",
      Kind::deadlock, {rl::random_scheduler_type, 20000});
  driver.scenario<DefaultSelectSeesAValueInFlight<RelacySync>>(
      "default_select_sees_value_in_flight", "a value always in a or b: {recv a, recv b, default} never takes the default",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.scenario<CancelRacesSelect<RelacySync>>(
      "cancel_races_select", "wind-down vs a sender waking a select: one claim decides; value moved once or kept",
      {rl::random_scheduler_type, 100000}, {rl::fair_context_bound_scheduler_type, 0, 2});
  driver.planted<CancelRacesSelect<BasicRelacySync<SplitRmw>>>(
      "split_claim_at_cancel", "the select's context claim split into load + store: wind-down and sender both claim",
      Kind::assertion, {rl::random_scheduler_type, 100000});
  driver.planted<TwoSendersOneSelect<BasicRelacySync<SplitRmw>>>(
      "split_claim", "WaitContext::try_claim's CAS split into load+store: both senders claim the select", Kind::data_race,
      {rl::random_scheduler_type, 20000});
  driver.planted<TwoSendersOneSelect<BasicRelacySync<DropFirstWakeup>>>(
      "drop_wakeup", "ready() loses the first wake-up: the select (or a sender) sleeps forever", Kind::deadlock,
      {rl::random_scheduler_type, 20000});
  driver.planted<SameChannelTwice<BasicRelacySync<UnlockBeforeCommit>>>(
      "unlock_before_park", "park() drops the select's locks before the goroutine is off its stack", Kind::assertion,
      {rl::fair_context_bound_scheduler_type, 0, 2});
  return driver.run();
}
