// channel_properties.hpp — RapidCheck properties of a channel on the real runtime, against the
// sequential Go-channel specification: the part of goro's property tests that any channel
// written to the algorithm contract (goro::ChannelAlgorithm, <goro/algorithm.hpp>) can run.
// goro's own linearizability test (runtime/tests/property/linearizability_test.cpp) and the
// verification kit's `<name>_properties` check (goro_add_algorithm_checks, GoroVerify.cmake) are
// both written with it: one implementation, two users.
//
//   using MyIntChan = my::Chan<goro::RuntimeSync, int>;
//   rc::check("linearizable", [](const goro::verify::Scenario& s) {
//     if (auto why = goro::verify::find_non_linearizable<MyIntChan>(s, goro::verify::all_configs()))
//       RC_FAIL(why->message);
//   });
//
// Two properties:
//   linearizability    2–4 goroutines × 1–5 operations (send, try_send, recv, try_recv, len, and
//                      close) run concurrently, repeatedly, on every policy × {1, 2} workers; every
//                      history must be linearizable (lincheck.hpp). Scenarios that would block
//                      for ever are ended by a "rescue" close that main records like any other
//                      operation, so it constrains the check and never excuses a wrong result;
//                      an operation still blocked after it is a lost wake-up (run() reports the
//                      deadlock, the history shows which operation never returned).
//   sequential model   rc::state command sequences (send, try_send, recv, try_recv, close,
//                      len/cap, and blocking operations paired with the helper goroutine that
//                      unblocks them) against a deque + capacity + closed flag, checking every
//                      result. A blocking command is generated only with its partner, so the
//                      model stays sequential.
// Every failure is classified as a FailureKind: `deadlock` (an operation never returned) or
// `wrong_result` (a result no sequential channel explains).
#pragma once

#include <rapidcheck.h>
#include <rapidcheck/state.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <stdlib.h>
#include <iostream>
#include <chrono>
#include <cstddef>
#include <deque>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "goro/goro.hpp"
#include "goro/verify/json.hpp"
#include "goro/verify/lincheck.hpp"

namespace goro::verify {

// RunConfig is one runtime configuration a property runs on: a policy and a worker count.
struct RunConfig {
  Policy policy;
  unsigned workers = 1;
};

inline std::string to_string(const RunConfig& config) {
  return std::string(goro::to_string(config.policy)) + "_w" + std::to_string(config.workers);
}

// all_configs() is every registered policy (goro::all_policies()) with 1 and with 2 workers.
inline std::vector<RunConfig> all_configs() {
  std::vector<RunConfig> configs;
  for (Policy policy : all_policies()) {
    for (unsigned workers : {1u, 2u}) configs.push_back({policy, workers});
  }
  return configs;
}

// showValue() prints a RunConfig in RapidCheck counterexamples as "go_w2" (found by ADL).
inline void showValue(const RunConfig& config, std::ostream& os) { os << to_string(config); }

// runtime_for() is a Runtime built once per configuration and reused by every case: a property
// runs hundreds of programs, and starting worker threads for each would dominate.
inline Runtime& runtime_for(const RunConfig& config) {
  static std::mutex guard;
  static std::map<std::pair<std::string, unsigned>, std::unique_ptr<Runtime>> runtimes;
  std::lock_guard lock(guard);
  auto& slot = runtimes[{std::string(config.policy.name()), config.workers}];
  if (!slot) {
    Options options;
    options.policy = config.policy;
    options.workers = config.workers;
    slot = std::make_unique<Runtime>(options);
  }
  return *slot;
}

enum class FailureKind { deadlock, wrong_result };

inline const char* to_string(FailureKind kind) { return kind == FailureKind::deadlock ? "deadlock" : "wrong_result"; }

struct PropertyFailure {
  FailureKind kind = FailureKind::wrong_result;
  std::string message;
};

// ---- linearizability ------------------------------------------------------------------------

struct Op {
  OpKind kind = OpKind::send;
  int value = 0;  // sends: a value unique within the scenario
};

struct Scenario {
  std::size_t capacity = 0;
  std::vector<std::vector<Op>> goroutines;
};

inline void showValue(const Scenario& s, std::ostream& os) {
  os << "capacity " << s.capacity << ":";
  for (std::size_t p = 0; p < s.goroutines.size(); ++p) {
    os << "\n  P" << p << ":";
    for (const Op& op : s.goroutines[p]) {
      Event e;
      e.kind = op.kind;
      e.argument = op.value;
      os << " " << describe_call(e);
    }
  }
}

// gen_scenario() draws a scenario on one of `capacities` (shrinks towards the first).
inline rc::Gen<Scenario> gen_scenario(std::vector<std::size_t> capacities) {
  return rc::gen::exec([capacities] {
    Scenario s;
    s.capacity = *rc::gen::elementOf(capacities);
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

// perform() runs one operation on a contract channel and says what it returned. A send on a
// closed channel (SendStatus::closed) and a second close (false) are Go's panics; a blocking
// operation that reports `full`/`empty` breaks the contract and reads as a result no channel
// explains.
template <class C>
Outcome perform(C& ch, const Op& op, int& value) {
  switch (op.kind) {
    case OpKind::send:
    case OpKind::try_send: {
      int v = op.value;
      const SendStatus status = op.kind == OpKind::send ? ch.send(v) : ch.try_send(v);
      return status == SendStatus::sent ? Outcome::ok : status == SendStatus::full ? Outcome::full : Outcome::panicked;
    }
    case OpKind::recv:
    case OpKind::try_recv: {
      const RecvStatus status = op.kind == OpKind::recv ? ch.recv(value) : ch.try_recv(value);
      return status == RecvStatus::received ? Outcome::value : status == RecvStatus::empty ? Outcome::empty : Outcome::nothing;
    }
    case OpKind::close: return ch.close() ? Outcome::ok : Outcome::panicked;
    case OpKind::len: value = static_cast<int>(ch.len()); return Outcome::length;
  }
  return Outcome::pending;
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
    int value = 0;
    const Outcome outcome = op(value);
    slot.returned = clock.fetch_add(1) + 1;
    slot.outcome = outcome;
    slot.value = value;
  }
};

// run_scenario() runs s once on runtime with a fresh C(capacity) and returns the recorded
// history; `deadlock` is set when an operation never returned after the rescue close.
template <class C>
History run_scenario(Runtime& runtime, const Scenario& s, std::optional<std::string>& deadlock) {
  Recorder recorder;
  const int processes = static_cast<int>(s.goroutines.size());
  recorder.events.resize(static_cast<std::size_t>(processes) + 1);  // the last one is main's rescue
  for (auto& e : recorder.events) e.reserve(8);
  // Everything the goroutines touch outlives run(): after a deadlock the runtime winds the
  // program down, and a goroutine whose park() returned cancelled may still run to its end.
  C ch(s.capacity);
  WaitGroup wg;
  std::atomic<int> finished{0};
  try {
    runtime.run([&] {
      for (int p = 0; p < processes; ++p) {
        wg.add(1);
        go([&, p] {
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
        sleep_for(std::chrono::microseconds(50));
        const std::uint64_t now = recorder.clock.load();
        quiet_polls = now == last_clock ? quiet_polls + 1 : 0;
        last_clock = now;
        if (quiet_polls >= 3) {
          recorder.record(processes, OpKind::close, 0, [&](int&) { return ch.close() ? Outcome::ok : Outcome::panicked; });
          break;
        }
      }
      wg.wait();
    });
  } catch (const deadlock_error& e) {
    deadlock = std::string("the program deadlocked after the rescue close: ") + e.what() +
               " (results below recorded after that were returned while the runtime wound the program down)";
  }
  History h;
  h.capacity = s.capacity;
  for (auto& per_process : recorder.events) h.events.insert(h.events.end(), per_process.begin(), per_process.end());
  return h;
}

// find_non_linearizable() runs s `repetitions` times on each configuration and returns the first
// failure (with the configuration, the repetition and the history's timeline), or nullopt.
template <class C>
std::optional<PropertyFailure> find_non_linearizable(const Scenario& s, const std::vector<RunConfig>& configs,
                                                     std::size_t repetitions = 6) {
  for (const RunConfig& config : configs) {
    Runtime& runtime = runtime_for(config);
    for (std::size_t r = 0; r < repetitions; ++r) {
      std::optional<std::string> deadlock;
      const History h = run_scenario<C>(runtime, s, deadlock);
      const std::optional<std::string> why = deadlock ? deadlock : check_history(h);
      if (why) {
        return PropertyFailure{deadlock ? FailureKind::deadlock : FailureKind::wrong_result,
                               "under " + to_string(config) + ", repetition " + std::to_string(r) + ": " + *why + "\n" +
                                   timeline(h)};
      }
    }
  }
  return std::nullopt;
}

// ---- the sequential model ---------------------------------------------------------------------

struct ChannelModel {
  std::size_t capacity = 0;
  std::deque<int> buffer;
  bool closed = false;
  int next_value = 1;  // every sent value is unique, so a reordering or duplicate shows

  bool full() const { return buffer.size() == capacity; }
};

template <class C>
struct ChannelUnderTest {
  std::unique_ptr<C> chan;
};

namespace model_commands {

template <class C>
using Command = rc::state::Command<ChannelModel, ChannelUnderTest<C>>;

// yield_a_little() lets freshly spawned helpers run up to their park point (one worker: FIFO).
inline void yield_a_little() {
  for (int i = 0; i < 3; ++i) yield();
}

// Helper is what a command shares with its helper goroutine, owned by both: after a failed
// assertion or a deadlock the command's frame is gone while the helper may still run.
struct Helper {
  WaitGroup wg;
  int received = -2;
  RecvStatus recv_status = RecvStatus::received;
  SendStatus send_status = SendStatus::sent;
};

template <class C>
struct Send : Command<C> {
  int value;
  explicit Send(const ChannelModel& m) : value(m.next_value) { RC_PRE(m.closed || !m.full()); }
  void checkPreconditions(const ChannelModel& m) const override { RC_PRE(m.closed || !m.full()); }
  void apply(ChannelModel& m) const override {
    ++m.next_value;
    if (!m.closed) m.buffer.push_back(value);
  }
  void run(const ChannelModel& m, ChannelUnderTest<C>& sut) const override {
    int v = value;
    RC_ASSERT(sut.chan->send(v) == (m.closed ? SendStatus::closed : SendStatus::sent));
  }
  void show(std::ostream& os) const override { os << "send(" << value << ")"; }
};

template <class C>
struct TrySend : Command<C> {
  int value;
  explicit TrySend(const ChannelModel& m) : value(m.next_value) {}
  void apply(ChannelModel& m) const override {
    ++m.next_value;
    if (!m.closed && !m.full()) m.buffer.push_back(value);
  }
  void run(const ChannelModel& m, ChannelUnderTest<C>& sut) const override {
    int v = value;
    const SendStatus expected = m.closed ? SendStatus::closed : m.full() ? SendStatus::full : SendStatus::sent;
    RC_ASSERT(sut.chan->try_send(v) == expected);
  }
  void show(std::ostream& os) const override { os << "try_send(" << value << ")"; }
};

template <class C>
struct Recv : Command<C> {
  explicit Recv(const ChannelModel& m) { RC_PRE(m.closed || !m.buffer.empty()); }
  void checkPreconditions(const ChannelModel& m) const override { RC_PRE(m.closed || !m.buffer.empty()); }
  void apply(ChannelModel& m) const override {
    if (!m.buffer.empty()) m.buffer.pop_front();
  }
  void run(const ChannelModel& m, ChannelUnderTest<C>& sut) const override {
    int got = -1;
    const RecvStatus status = sut.chan->recv(got);
    if (m.buffer.empty()) {
      RC_ASSERT(status == RecvStatus::closed);
    } else {
      RC_ASSERT(status == RecvStatus::received);
      RC_ASSERT(got == m.buffer.front());
    }
  }
  void show(std::ostream& os) const override { os << "recv"; }
};

template <class C>
struct TryRecv : Command<C> {
  void apply(ChannelModel& m) const override {
    if (!m.buffer.empty()) m.buffer.pop_front();
  }
  void run(const ChannelModel& m, ChannelUnderTest<C>& sut) const override {
    int got = -7;  // a marker: left alone unless a value arrived
    const RecvStatus status = sut.chan->try_recv(got);
    const RecvStatus expected = !m.buffer.empty() ? RecvStatus::received : m.closed ? RecvStatus::closed : RecvStatus::empty;
    RC_ASSERT(status == expected);
    RC_ASSERT(got == (m.buffer.empty() ? -7 : m.buffer.front()));
  }
  void show(std::ostream& os) const override { os << "try_recv"; }
};

template <class C>
struct Close : Command<C> {
  void apply(ChannelModel& m) const override { m.closed = true; }
  void run(const ChannelModel& m, ChannelUnderTest<C>& sut) const override { RC_ASSERT(sut.chan->close() == !m.closed); }
  void show(std::ostream& os) const override { os << "close"; }
};

template <class C>
struct LenCap : Command<C> {
  void apply(ChannelModel&) const override {}
  void run(const ChannelModel& m, ChannelUnderTest<C>& sut) const override {
    RC_ASSERT(static_cast<std::size_t>(sut.chan->len()) == m.buffer.size());
    RC_ASSERT(static_cast<std::size_t>(sut.chan->cap()) == m.capacity);
  }
  void show(std::ostream& os) const override { os << "len/cap"; }
};

template <class C>
struct SendWithHelperReceiver : Command<C> {
  int value;
  explicit SendWithHelperReceiver(const ChannelModel& m) : value(m.next_value) { RC_PRE(!m.closed && m.full()); }
  void checkPreconditions(const ChannelModel& m) const override { RC_PRE(!m.closed && m.full()); }
  void apply(ChannelModel& m) const override {
    ++m.next_value;
    m.buffer.push_back(value);
    m.buffer.pop_front();
  }
  void run(const ChannelModel& m, ChannelUnderTest<C>& sut) const override {
    const int expected = m.capacity == 0 ? value : m.buffer.front();
    auto helper = std::make_shared<Helper>();  // shared: a cancelled helper may outlive this frame
    helper->wg.add(1);
    C* chan = sut.chan.get();
    go([helper, chan] {
      yield_a_little();  // let main park in send first (the parked-sender path)
      int got = -3;
      if (chan->recv(got) == RecvStatus::received) helper->received = got;
      helper->wg.done();
    });
    int v = value;
    const SendStatus status = sut.chan->send(v);
    helper->wg.wait();
    RC_ASSERT(status == SendStatus::sent);
    RC_ASSERT(helper->received == expected);
  }
  void show(std::ostream& os) const override { os << "send(" << value << ") with a helper receiver"; }
};

template <class C>
struct RecvWithHelperSender : Command<C> {
  int value;
  explicit RecvWithHelperSender(const ChannelModel& m) : value(m.next_value) { RC_PRE(!m.closed && m.buffer.empty()); }
  void checkPreconditions(const ChannelModel& m) const override { RC_PRE(!m.closed && m.buffer.empty()); }
  void apply(ChannelModel& m) const override { ++m.next_value; }
  void run(const ChannelModel&, ChannelUnderTest<C>& sut) const override {
    auto helper = std::make_shared<Helper>();
    helper->wg.add(1);
    C* chan = sut.chan.get();
    go([helper, chan, v = value]() mutable {
      yield_a_little();  // let main park in recv first (the parked-receiver path)
      chan->send(v);
      helper->wg.done();
    });
    int got = -1;
    const RecvStatus status = sut.chan->recv(got);
    helper->wg.wait();
    RC_ASSERT(status == RecvStatus::received);
    RC_ASSERT(got == value);
  }
  void show(std::ostream& os) const override { os << "recv with a helper sender of " << value; }
};

template <class C>
struct CloseWakesReceiver : Command<C> {
  explicit CloseWakesReceiver(const ChannelModel& m) { RC_PRE(!m.closed && m.buffer.empty()); }
  void checkPreconditions(const ChannelModel& m) const override { RC_PRE(!m.closed && m.buffer.empty()); }
  void apply(ChannelModel& m) const override { m.closed = true; }
  void run(const ChannelModel&, ChannelUnderTest<C>& sut) const override {
    auto helper = std::make_shared<Helper>();
    helper->wg.add(1);
    C* chan = sut.chan.get();
    go([helper, chan] {
      int got = 0;
      helper->recv_status = chan->recv(got);
      helper->wg.done();
    });
    yield_a_little();
    RC_ASSERT(sut.chan->close());
    helper->wg.wait();  // a lost wake-up on close leaves main here: run() throws deadlock_error
    RC_ASSERT(helper->recv_status == RecvStatus::closed);
  }
  void show(std::ostream& os) const override { os << "close wakes a parked receiver"; }
};

template <class C>
struct CloseWakesSender : Command<C> {
  int value;
  explicit CloseWakesSender(const ChannelModel& m) : value(m.next_value) { RC_PRE(!m.closed && m.full()); }
  void checkPreconditions(const ChannelModel& m) const override { RC_PRE(!m.closed && m.full()); }
  void apply(ChannelModel& m) const override {
    ++m.next_value;
    m.closed = true;
  }
  void run(const ChannelModel&, ChannelUnderTest<C>& sut) const override {
    auto helper = std::make_shared<Helper>();
    helper->wg.add(1);
    C* chan = sut.chan.get();
    go([helper, chan, v = value]() mutable {
      helper->send_status = chan->send(v);
      helper->wg.done();
    });
    yield_a_little();
    RC_ASSERT(sut.chan->close());
    helper->wg.wait();
    RC_ASSERT(helper->send_status == SendStatus::closed);
  }
  void show(std::ostream& os) const override { os << "close wakes a parked sender of " << value; }
};

}  // namespace model_commands

// check_sequential_model() is one case of the sequential-model property: it draws a capacity out
// of `capacities`, a configuration out of `configs` and a command sequence, and runs it on a
// fresh C inside the runtime; RC_ASSERT fails the case, a lost wake-up fails it as a deadlock.
// On failure `failure` says which kind.
template <class C>
void check_sequential_model(const std::vector<std::size_t>& capacities, const std::vector<RunConfig>& configs,
                            std::optional<PropertyFailure>& failure) {
  namespace mc = model_commands;
  ChannelModel model;
  model.capacity = *rc::gen::elementOf(capacities);
  const RunConfig config = *rc::gen::elementOf(configs);
  const auto commands = *rc::state::gen::commands(
      model, rc::state::gen::execOneOfWithArgs<mc::Send<C>, mc::TrySend<C>, mc::Recv<C>, mc::TryRecv<C>, mc::Close<C>,
                                               mc::LenCap<C>, mc::SendWithHelperReceiver<C>, mc::RecvWithHelperSender<C>,
                                               mc::CloseWakesReceiver<C>, mc::CloseWakesSender<C>>());
  ChannelUnderTest<C> sut{std::make_unique<C>(model.capacity)};
  try {
    runtime_for(config).run([&] { rc::state::runAll(commands, model, sut); });
  } catch (const deadlock_error& e) {
    failure = PropertyFailure{FailureKind::deadlock, "under " + to_string(config) + ": " + e.what()};
    RC_FAIL(failure->message);
  } catch (const rc::detail::CaseResult& result) {
    if (result.type == rc::detail::CaseResult::Type::Failure)
      failure = PropertyFailure{FailureKind::wrong_result, "under " + to_string(config) + ": " + result.description};
    throw;
  }
}

// ---- the kit's property program -----------------------------------------------------------------

namespace property_detail {

// PropertyRun is what one property did: cases run, and the failure RapidCheck shrank to.
struct PropertyRun {
  std::string name, what;
  bool failed = false;
  std::string kind = "none";  // a FailureKind when failed
  std::string result = "ok";
  std::string counterexample;  // the shrunk case as RapidCheck shows it, and why it failed
  int cases = 0;               // passing cases before the failure (RapidCheck's numSuccess), or all
  double seconds = 0;
};

// check() runs one property with RapidCheck (printing its report, the shrunk counterexample
// included, to stderr) and records it. `last` is the failure the property body classified last:
// RapidCheck's final failing run is the shrunk case, so it names the counterexample's kind.
// The cases and the seed come from RC_PARAMS (property_main() sets it), so RapidCheck's own
// `RC_PARAMS="reproduce=..."` line replays the shrunk case.
template <class Testable>
PropertyRun check(const std::string& name, const std::string& what, Testable testable,
                  std::optional<PropertyFailure>& last) {
  PropertyRun run;
  run.name = name;
  run.what = what;
  rc::detail::TestMetadata metadata;
  metadata.id = metadata.description = name;
  std::cerr << "\n- " << name << std::endl;
  const auto started = std::chrono::steady_clock::now();
  const rc::detail::TestResult result = rc::detail::checkTestable(testable, metadata);
  run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  rc::detail::printResultMessage(result, std::cerr);
  std::cerr << std::endl;
  rc::detail::FailureResult failure;
  rc::detail::SuccessResult success;
  if (result.match(failure)) {
    run.failed = true;
    run.cases = failure.numSuccess;
    run.kind = last ? to_string(last->kind) : "wrong_result";
    run.result = run.kind + " after " + std::to_string(failure.numSuccess) + " passing cases";
    std::string shown;
    for (const auto& [type, value] : failure.counterExample) shown += type + ": " + value + "\n";
    run.counterexample = shown + failure.description;
  } else if (result.match(success)) {
    run.cases = success.numSuccess;
  } else {
    run.failed = true;
    run.kind = "error";
    run.result = "RapidCheck gave up or hit an error (its report is above)";
  }
  return run;
}

}  // namespace property_detail

// property_main() is the kit's property program for the channel C (a `my::Chan<goro::RuntimeSync,
// int>`): both properties at `capacities`, on every policy × {1, 2} workers. Options: `--cases N`
// (per property), `--seed N`, `--json FILE`, `--expect KIND` (a planted bug: exit 0 only if the
// first property that fails reports KIND), `--help`. Exit 0 when every property held.
template <class C>
int property_main(const char* name, std::vector<std::size_t> capacities, int argc, char** argv) {
  int cases = 100;
  std::uint64_t seed = 1;
  std::string json, expect, only;
  auto usage = [&](const std::string& problem) {
    if (!problem.empty()) std::fprintf(stderr, "%s_properties: %s\n", name, problem.c_str());
    std::fprintf(problem.empty() ? stdout : stderr,
                 "usage: %s [--cases N] [--seed N] [--property NAME] [--json FILE] [--expect KIND]\n"
                 "  RapidCheck properties of %s (goro_add_algorithm_checks) on goro's runtime, every policy at 1\n"
                 "  and 2 workers: linearizability of concurrent histories and agreement with the sequential\n"
                 "  channel model; a failure is shrunk and printed. Kinds: deadlock, wrong_result.\n"
                 "  --property linearizability|sequential_model runs that one alone.\n"
                 "  --expect KIND: exit 0 only if the first property that fails reports KIND.\n",
                 argv[0], name);
    return problem.empty() ? 0 : 2;
  };
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const bool has_value = i + 1 < argc;
    if (arg == "--help" || arg == "-h") return usage("");
    if ((arg == "--cases" || arg == "--seed") && has_value) {
      char* end = nullptr;
      const unsigned long long value = std::strtoull(argv[++i], &end, 10);
      if (end == argv[i] || *end != '\0' || (arg == "--cases" && value == 0))
        return usage("bad " + arg + " value (a " + (arg == "--cases" ? "positive" : "non-negative") + " integer)");
      if (arg == "--cases") cases = static_cast<int>(value);
      else seed = value;
    } else if (arg == "--json" && has_value) {
      json = argv[++i];
    } else if (arg == "--property" && has_value) {
      only = argv[++i];
      if (only != "linearizability" && only != "sequential_model")
        return usage("--property takes linearizability or sequential_model");
    } else if (arg == "--expect" && has_value) {
      expect = argv[++i];
      if (expect != "deadlock" && expect != "wrong_result") return usage("--expect takes deadlock or wrong_result");
    } else {
      return usage("unknown or incomplete option: " + arg);
    }
  }
  // Ours first, so that a user's own RC_PARAMS (reproduce=..., verbose_progress=1) wins.
  std::string params = "seed=" + std::to_string(seed) + " max_success=" + std::to_string(cases);
  if (const char* user = std::getenv("RC_PARAMS")) params += std::string(" ") + user;
  ::setenv("RC_PARAMS", params.c_str(), 1);
  const std::vector<RunConfig> configs = all_configs();
  std::vector<property_detail::PropertyRun> runs;
  std::optional<PropertyFailure> last;
  if (only.empty() || only == "linearizability") runs.push_back(property_detail::check(
      "linearizability", "concurrent histories are linearizable (every policy x {1, 2} workers)",
      [&] {
        const Scenario scenario = *gen_scenario(capacities);
        last.reset();
        if (auto failure = find_non_linearizable<C>(scenario, configs, 3)) {
          last = failure;
          RC_FAIL(failure->message);
        }
      },
      last));
  const bool stop = !runs.empty() && runs.back().failed && !expect.empty();  // a planted bug: the first failure decides
  if (!stop && (only.empty() || only == "sequential_model")) {
    last.reset();
    runs.push_back(property_detail::check(
        "sequential_model", "command sequences agree with the sequential channel model",
        [&] {
          std::optional<PropertyFailure> failure;
          check_sequential_model<C>(capacities, configs, failure);
          if (failure) last = failure;
        },
        last));
  }
  const property_detail::PropertyRun* first_failure = nullptr;
  for (const auto& run : runs) {
    if (run.failed && first_failure == nullptr) first_failure = &run;
  }
  const bool ok = expect.empty() ? first_failure == nullptr : first_failure != nullptr && first_failure->kind == expect;
  std::fprintf(stderr, "%s_properties: %s\n", name,
               first_failure == nullptr ? "every property held"
                                        : (first_failure->name + " failed: " + first_failure->kind +
                                           (expect.empty() ? "" : ok ? " (as expected)" : " (expected " + expect + ")"))
                                              .c_str());
  if (!json.empty()) {
    std::FILE* f = std::fopen(json.c_str(), "w");
    if (f == nullptr) {
      std::fprintf(stderr, "%s_properties: cannot write %s\n", name, json.c_str());
      return 2;
    }
    std::fprintf(f, "{\"kind\": \"property-runs\", \"algorithm\": %s, \"complete\": true, \"exit_status\": %d, \"seed\": %llu, \"runs\": [",
                 json_string(name).c_str(), ok ? 0 : 1, static_cast<unsigned long long>(seed));
    for (std::size_t i = 0; i < runs.size(); ++i) {
      const auto& r = runs[i];
      std::fprintf(f,
                   "%s\n {\"scenario\": %s, \"what\": %s, \"variant\": %s, \"failed\": %s, \"kind\": %s, \"expected\": %s, "
                   "\"result\": %s, \"iterations\": %d, \"seconds\": %.2f, \"ok\": %s, \"counterexample\": %s}",
                   i ? "," : "", json_string(r.name).c_str(), json_string(r.what).c_str(),
                   json_string(expect.empty() ? "" : "planted").c_str(), r.failed ? "true" : "false",
                   json_string(r.kind).c_str(), json_string(expect.empty() ? "none" : expect).c_str(),
                   json_string(r.result).c_str(), r.failed ? r.cases + 1 : r.cases, r.seconds,
                   (expect.empty() ? !r.failed : r.failed && r.kind == expect) ? "true" : "false",
                   json_string(r.counterexample).c_str());
    }
    std::fprintf(f, "\n]}\n");
    std::fclose(f);
  }
  return ok ? 0 : 1;
}

}  // namespace goro::verify
