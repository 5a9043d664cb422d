// linearizability_test.cpp — concurrent channel histories checked against the sequential spec.
//
// RapidCheck generates a small scenario (capacity 0..3, 2–4 goroutines × 1–5 operations, with
// or without close); the scenario runs many times under every policy with 1 and 2 workers; each
// run records every operation's invocation and response stamps (one global atomic counter) and
// result, and lincheck.hpp decides whether the history is linearizable (buffered) or a correct
// rendezvous (unbuffered). A failing history is printed as a timeline.
//
// Generated scenarios may block for ever (more receives than sends). Main watches the stamp
// counter: once nothing has happened for a few polls while goroutines are unfinished, it closes
// the channel — a "rescue" close, recorded in the history like any other operation (so it
// constrains the check, and can never excuse a wrong result). After the rescue every blocked
// operation must return; if one does not (a lost wake-up), run() reports a deadlock and the
// history shows which operation never returned.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>

#include <atomic>
#include <chrono>
#include <sstream>
#include <vector>

#include "lincheck.hpp"
#include "property_support.hpp"

namespace {

using goro::property::Event;
using goro::property::History;
using goro::property::OpKind;
using goro::property::Outcome;

struct Op {
  OpKind kind = OpKind::send;
  int value = 0;  // sends: a value unique within the scenario
};

struct Scenario {
  std::size_t capacity = 0;
  std::vector<std::vector<Op>> goroutines;
};

void showValue(const Scenario& s, std::ostream& os) {
  os << "capacity " << s.capacity << ":";
  for (std::size_t p = 0; p < s.goroutines.size(); ++p) {
    os << "\n  P" << p << ":";
    for (const Op& op : s.goroutines[p]) {
      Event e;
      e.kind = op.kind;
      e.argument = op.value;
      os << " " << goro::property::describe_call(e);
    }
  }
}

rc::Gen<Scenario> gen_scenario() {
  return rc::gen::exec([] {
    Scenario s;
    s.capacity = *rc::gen::inRange<std::size_t>(0, 4);
    const bool with_close = *rc::gen::arbitrary<bool>();
    const auto processes = *rc::gen::inRange<std::size_t>(2, 5);
    int next_value = 1;
    // Weighted by repetition: blocking operations are the interesting ones.
    std::vector<OpKind> kinds = {OpKind::send,     OpKind::send,     OpKind::send, OpKind::send, OpKind::recv,
                                 OpKind::recv,     OpKind::recv,     OpKind::recv, OpKind::try_send,
                                 OpKind::try_send, OpKind::try_recv, OpKind::try_recv, OpKind::len};
    if (with_close) kinds.push_back(OpKind::close);
    for (std::size_t p = 0; p < processes; ++p) {
      const auto count = *rc::gen::inRange<std::size_t>(1, 6);
      std::vector<Op> ops;
      for (std::size_t i = 0; i < count; ++i) {
        Op op;
        op.kind = *rc::gen::elementOf(kinds);
        if (op.kind == OpKind::send || op.kind == OpKind::try_send) op.value = next_value++;
        ops.push_back(op);
      }
      s.goroutines.push_back(std::move(ops));
    }
    return s;
  });
}

// Recorder stamps operations; each goroutine writes only its own events.
struct Recorder {
  std::atomic<std::uint64_t> clock{0};
  std::vector<std::vector<Event>> events;  // per process

  template <class F>
  void record(int process, OpKind kind, int argument, F op) {
    Event e;
    e.process = process;
    e.kind = kind;
    e.argument = argument;
    e.invoked = clock.fetch_add(1) + 1;
    events[static_cast<std::size_t>(process)].push_back(e);  // visible as pending if it never returns
    Event& slot = events[static_cast<std::size_t>(process)].back();
    Outcome outcome;
    int value = 0;
    try {
      outcome = op(value);
    } catch (const goro::closed_channel_error&) {
      outcome = Outcome::panicked;
    }
    slot.returned = clock.fetch_add(1) + 1;
    slot.outcome = outcome;
    slot.value = value;
  }
};

Outcome perform(goro::Chan<int>& ch, const Op& op, int& value) {
  switch (op.kind) {
    case OpKind::send: ch.send(op.value); return Outcome::ok;
    case OpKind::try_send: {
      int v = op.value;
      return ch.try_send(v) ? Outcome::ok : Outcome::full;
    }
    case OpKind::recv: {
      std::optional<int> got = ch.recv();
      if (!got) return Outcome::nothing;
      value = *got;
      return Outcome::value;
    }
    case OpKind::try_recv:  // the status form: "closed and drained" and "empty" are checked apart
      switch (ch.try_recv(value)) {
        case goro::RecvStatus::received: return Outcome::value;
        case goro::RecvStatus::closed: return Outcome::nothing;
        case goro::RecvStatus::empty: return Outcome::empty;
      }
      return Outcome::pending;
    case OpKind::close: ch.close(); return Outcome::ok;
    case OpKind::len: value = static_cast<int>(ch.len()); return Outcome::length;
  }
  return Outcome::pending;
}

// run_once() runs the scenario on `runtime` and returns the recorded history.
History run_once(goro::Runtime& runtime, const Scenario& s, std::string& error) {
  Recorder recorder;
  const int processes = static_cast<int>(s.goroutines.size());
  recorder.events.resize(static_cast<std::size_t>(processes) + 1);  // the last one is main's rescue
  for (auto& e : recorder.events) e.reserve(8);
  try {
    runtime.run([&] {
      auto ch = goro::make_chan<int>(s.capacity);
      goro::WaitGroup wg;
      std::atomic<int> finished{0};
      for (int p = 0; p < processes; ++p) {
        wg.add(1);
        goro::go([&, p] {
          for (const Op& op : s.goroutines[static_cast<std::size_t>(p)]) {
            recorder.record(p, op.kind, op.value, [&](int& value) { return perform(ch, op, value); });
          }
          finished.fetch_add(1);
          wg.done();
        });
      }
      // Watch for a stall; rescue it with a recorded close.
      std::uint64_t last_clock = ~0ull;
      int quiet_polls = 0;
      while (finished.load() < processes) {
        goro::sleep_for(std::chrono::microseconds(50));
        const std::uint64_t now = recorder.clock.load();
        quiet_polls = now == last_clock ? quiet_polls + 1 : 0;
        last_clock = now;
        if (quiet_polls >= 3) {
          recorder.record(processes, OpKind::close, 0, [&](int&) {
            ch.close();
            return Outcome::ok;
          });
          break;
        }
      }
      wg.wait();
    });
  } catch (const goro::deadlock_error& e) {
    error = std::string("the program deadlocked after the rescue close: ") + e.what();
  }
  History h;
  h.capacity = s.capacity;
  for (auto& per_process : recorder.events) h.events.insert(h.events.end(), per_process.begin(), per_process.end());
  return h;
}

}  // namespace

namespace rc {
template <>
struct Arbitrary<Scenario> {
  static Gen<Scenario> arbitrary() { return gen_scenario(); }
};
}  // namespace rc

RC_GTEST_PROP(Linearizability, ChannelHistoriesAreLinearizable, (const Scenario& scenario)) {
  const std::size_t repetitions = goro::property::scaled(6);
  for (const auto& config : goro::property::all_configs()) {
    goro::Runtime& runtime = goro::property::runtime_for(config);
    for (std::size_t r = 0; r < repetitions; ++r) {
      std::string error;
      const History h = run_once(runtime, scenario, error);
      std::optional<std::string> why = error.empty() ? goro::property::check_history(h) : std::optional(error);
      if (why) {
        RC_FAIL("under " + goro::property::to_string(config) + ", repetition " + std::to_string(r) + ": " + *why +
                "\n" + goro::property::timeline(h));
      }
    }
  }
}

// The checker itself must reject impossible histories, or the property above proves nothing.
TEST(Linearizability, CheckerRejectsImpossibleHistories) {
  using goro::property::check_history;
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
  EXPECT_TRUE(check_history(fifo).has_value()) << goro::property::timeline(fifo);
  // The same with the receive overlapping the second send is still wrong (1 must come out first).
  fifo.events[2].invoked = 3;
  EXPECT_TRUE(check_history(fifo).has_value());
  // Buffered, value received before it was sent.
  History early{1, {ev(1, OpKind::recv, 0, 1, 2, Outcome::value, 7), ev(0, OpKind::send, 7, 3, 4, Outcome::ok)}};
  EXPECT_TRUE(check_history(early).has_value());
  // Buffered, concurrent: fine.
  early.events[1].invoked = 1;
  early.events[0].invoked = 2;
  EXPECT_FALSE(check_history(early).has_value()) << goro::property::timeline(early);
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
