// linearizability_test.cpp — concurrent channel histories checked against the sequential spec.
//
// The property is the verification kit's (<goro/verify/channel_properties.hpp>, checked by
// <goro/verify/lincheck.hpp>): RapidCheck generates a small scenario (capacity 0..3, 2–4
// goroutines × 1–5 operations, with or without close); it runs many times under every policy with
// 1 and 2 workers, and every recorded history must be linearizable (buffered) or a correct
// rendezvous (unbuffered). A failing history is printed as a timeline. goro's channel runs it
// twice: through the public goro::Chan<int> (PublicChan below maps its panics to the contract's
// statuses) and through goro::verify::GoroChan, the adapter the kit runs goro's channel with —
// the same entry point a user's channel gets from goro_add_algorithm_checks.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <optional>
#include <vector>

#include "goro/verify/channel_properties.hpp"
#include "goro/verify/goro_chan.hpp"
#include "property_support.hpp"

namespace {

using goro::verify::Event;
using goro::verify::History;
using goro::verify::OpKind;
using goro::verify::Outcome;
using goro::verify::Scenario;

// PublicChan is goro::Chan<int> seen through the algorithm contract: a send or close that Go
// would panic on (closed_channel_error) is SendStatus::closed / false.
class PublicChan {
 public:
  explicit PublicChan(std::size_t capacity) : chan_(goro::make_chan<int>(capacity)) {}
  goro::SendStatus send(int& v) {
    try {
      chan_.send(v);
      return goro::SendStatus::sent;
    } catch (const goro::closed_channel_error&) {
      return goro::SendStatus::closed;
    }
  }
  goro::SendStatus try_send(int& v) {
    try {
      return chan_.try_send(v) ? goro::SendStatus::sent : goro::SendStatus::full;
    } catch (const goro::closed_channel_error&) {
      return goro::SendStatus::closed;
    }
  }
  goro::RecvStatus recv(int& out) {
    std::optional<int> got = chan_.recv();
    if (!got) return goro::RecvStatus::closed;
    out = *got;
    return goro::RecvStatus::received;
  }
  goro::RecvStatus try_recv(int& out) { return chan_.try_recv(out); }
  bool close() {
    try {
      chan_.close();
      return true;
    } catch (const goro::closed_channel_error&) {
      return false;
    }
  }
  std::size_t len() const { return chan_.len(); }
  std::size_t cap() const { return chan_.cap(); }

 private:
  goro::Chan<int> chan_;
};

using KitGoroChan = goro::verify::GoroChan<goro::RuntimeSync, int>;

const std::vector<std::size_t> kCapacities = {0, 1, 2, 3};

}  // namespace

namespace rc {
template <>
struct Arbitrary<Scenario> {
  static Gen<Scenario> arbitrary() { return goro::verify::gen_scenario(kCapacities); }
};
}  // namespace rc

RC_GTEST_PROP(Linearizability, ChannelHistoriesAreLinearizable, (const Scenario& scenario)) {
  if (auto failure = goro::verify::find_non_linearizable<PublicChan>(scenario, goro::verify::all_configs(),
                                                                     goro::property::scaled(6))) {
    RC_FAIL(failure->message);
  }
}

RC_GTEST_PROP(Linearizability, KitAdapterHistoriesAreLinearizable, (const Scenario& scenario)) {
  if (auto failure = goro::verify::find_non_linearizable<KitGoroChan>(scenario, goro::verify::all_configs(),
                                                                      goro::property::scaled(3))) {
    RC_FAIL(failure->message);
  }
}

// The kit's sequential-model property on goro's channel through the kit's adapter (the public
// Chan<T> has its own, wider model in chan_model_test.cpp: element types, range-for, nil).
RC_GTEST_PROP(Linearizability, KitAdapterMatchesSequentialModel, ()) {
  std::optional<goro::verify::PropertyFailure> failure;
  goro::verify::check_sequential_model<KitGoroChan>({0, 1, 2, 4}, goro::verify::all_configs(), failure);
}

// The checker itself must reject impossible histories, or the property above proves nothing.
TEST(Linearizability, CheckerRejectsImpossibleHistories) {
  using goro::verify::check_history;
  auto ev = [](int p, OpKind k, int arg, std::uint64_t a, std::uint64_t b, Outcome o, int v = 0) {
    Event e;
    e.process = p;
    e.kind = k;
    e.argument = arg;
    e.invoked = a;
    e.returned = b;
    e.outcome = o;
    e.value = v;
    return e;
  };
  // Buffered, FIFO violated: 1 then 2 sent sequentially, 2 received first.
  History fifo{2, {ev(0, OpKind::send, 1, 1, 2, Outcome::ok), ev(0, OpKind::send, 2, 3, 4, Outcome::ok),
                   ev(1, OpKind::recv, 0, 5, 6, Outcome::value, 2)}};
  EXPECT_TRUE(check_history(fifo).has_value()) << goro::verify::timeline(fifo);
  // The same with the receive overlapping the second send is still wrong (1 must come out first).
  fifo.events[2].invoked = 3;
  EXPECT_TRUE(check_history(fifo).has_value());
  // Buffered, value received before it was sent.
  History early{1, {ev(1, OpKind::recv, 0, 1, 2, Outcome::value, 7), ev(0, OpKind::send, 7, 3, 4, Outcome::ok)}};
  EXPECT_TRUE(check_history(early).has_value());
  // Buffered, concurrent: fine.
  early.events[1].invoked = 1;
  early.events[0].invoked = 2;
  EXPECT_FALSE(check_history(early).has_value()) << goro::verify::timeline(early);
  // Buffered: try_send reports full on an empty channel.
  History full{1, {ev(0, OpKind::try_send, 1, 1, 2, Outcome::full)}};
  EXPECT_TRUE(check_history(full).has_value());
  // Buffered: recv returns nullopt although the channel was never closed.
  History lost{1, {ev(0, OpKind::recv, 0, 1, 2, Outcome::nothing), ev(1, OpKind::close, 0, 3, 4, Outcome::ok)}};
  EXPECT_TRUE(check_history(lost).has_value());
  // try_recv's two kinds of nothing: "closed" before any close, "empty" after the close returned.
  for (std::size_t capacity : {0u, 1u}) {
    History early_closed{capacity, {ev(0, OpKind::try_recv, 0, 1, 2, Outcome::nothing), ev(1, OpKind::close, 0, 3, 4, Outcome::ok)}};
    EXPECT_TRUE(check_history(early_closed).has_value()) << capacity;
    History late_empty{capacity, {ev(1, OpKind::close, 0, 1, 2, Outcome::ok), ev(0, OpKind::try_recv, 0, 3, 4, Outcome::empty)}};
    EXPECT_TRUE(check_history(late_empty).has_value()) << capacity;
    late_empty.events[1].invoked = 1;  // overlapping the close: either answer is fine
    EXPECT_FALSE(check_history(late_empty).has_value()) << capacity;
  }
  // Unbuffered: a send paired with a receive that started after it returned.
  History late{0, {ev(0, OpKind::send, 5, 1, 2, Outcome::ok), ev(1, OpKind::recv, 0, 3, 4, Outcome::value, 5)}};
  EXPECT_TRUE(check_history(late).has_value());
  late.events[1].invoked = 1;
  EXPECT_FALSE(check_history(late).has_value());
  // Unbuffered: one send, two receivers of its value.
  History twice{0, {ev(0, OpKind::send, 5, 1, 6, Outcome::ok), ev(1, OpKind::recv, 0, 2, 5, Outcome::value, 5),
                    ev(2, OpKind::recv, 0, 2, 5, Outcome::value, 5)}};
  EXPECT_TRUE(check_history(twice).has_value());
  // Pending operations are failures.
  History pending{1, {ev(0, OpKind::recv, 0, 1, 0, Outcome::pending)}};
  EXPECT_TRUE(check_history(pending).has_value());
}
