// chan_model_test.cpp — Chan<T> against a sequential model: a deque, a capacity, a closed flag.
//
// RapidCheck's rc::state generates command sequences valid for the model and runs them on a real
// channel, checking every result against the model. The sequential model must stay well defined,
// so a command that would block is generated only together with the partner that unblocks it:
//   SendWithHelperReceiver  — the buffer is full (always, for capacity 0): a helper goroutine
//                             receives while main sends; exercises the parked-sender paths
//                             (direct hand-off at capacity 0, "take the head, put the sender's
//                             value at the tail" when buffered);
//   RecvWithHelperSender    — the buffer is empty: a helper sends while main receives;
//   CloseWakesReceiver/Sender — a helper parks in recv/send, main closes: the wake on close.
// Main yields before it acts so that, with one worker, the helper is parked by then.
// Element types: int, a heap-owning std::string, and move-only std::unique_ptr<int>.
#include <gtest/gtest.h>
#include <rapidcheck.h>
#include <rapidcheck/gtest.h>
#include <rapidcheck/state.h>

#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "property_support.hpp"

namespace {

using goro::property::Codec;

struct ChanModel {
  std::size_t capacity = 0;
  std::deque<int> buffer;
  bool closed = false;
  int next_value = 1;  // every sent value is unique, so a reordering or duplicate shows

  bool full() const { return buffer.size() == capacity; }
};

template <class E>
struct ChanSut {
  goro::Chan<E> chan;
};

template <class E>
using Command = rc::state::Command<ChanModel, ChanSut<E>>;

// yield_a_little() lets freshly spawned helpers run up to their park point (one worker: FIFO).
void yield_a_little() {
  for (int i = 0; i < 3; ++i) goro::yield();
}

template <class E>
struct Send : Command<E> {
  int value;
  explicit Send(const ChanModel& m) : value(m.next_value) { RC_PRE(m.closed || !m.full()); }
  void checkPreconditions(const ChanModel& m) const override { RC_PRE(m.closed || !m.full()); }
  void apply(ChanModel& m) const override {
    ++m.next_value;
    if (!m.closed) m.buffer.push_back(value);
  }
  void run(const ChanModel& m, ChanSut<E>& sut) const override {
    if (m.closed) {
      RC_ASSERT_THROWS_AS(sut.chan.send(Codec<E>::make(value)), goro::closed_channel_error);
    } else {
      sut.chan.send(Codec<E>::make(value));
    }
  }
  void show(std::ostream& os) const override { os << "send(" << value << ")"; }
};

template <class E>
struct TrySend : Command<E> {
  int value;
  explicit TrySend(const ChanModel& m) : value(m.next_value) {}
  void apply(ChanModel& m) const override {
    ++m.next_value;
    if (!m.closed && !m.full()) m.buffer.push_back(value);
  }
  void run(const ChanModel& m, ChanSut<E>& sut) const override {
    E element = Codec<E>::make(value);
    if (m.closed) {
      RC_ASSERT_THROWS_AS(sut.chan.try_send(element), goro::closed_channel_error);
      return;
    }
    const bool sent = sut.chan.try_send(element);
    RC_ASSERT(sent == !m.full());
    // try_send moves from its argument only on success.
    if (!sent) RC_ASSERT(Codec<E>::value(element) == value);
  }
  void show(std::ostream& os) const override { os << "try_send(" << value << ")"; }
};

template <class E>
struct Recv : Command<E> {
  explicit Recv(const ChanModel& m) { RC_PRE(m.closed || !m.buffer.empty()); }
  void checkPreconditions(const ChanModel& m) const override { RC_PRE(m.closed || !m.buffer.empty()); }
  void apply(ChanModel& m) const override {
    if (!m.buffer.empty()) m.buffer.pop_front();
  }
  void run(const ChanModel& m, ChanSut<E>& sut) const override {
    std::optional<E> got = sut.chan.recv();
    if (m.buffer.empty()) {
      RC_ASSERT(!got.has_value());
    } else {
      RC_ASSERT(got.has_value());
      RC_ASSERT(Codec<E>::value(*got) == m.buffer.front());
    }
  }
  void show(std::ostream& os) const override { os << "recv"; }
};

// TryRecv is either form of the non-blocking receive: try_recv() (nullopt for "empty" and for
// "closed and drained" alike) or try_recv(out), whose status must say which of the two it was.
template <class E>
struct TryRecv : Command<E> {
  bool with_status = *rc::gen::arbitrary<bool>();
  void apply(ChanModel& m) const override {
    if (!m.buffer.empty()) m.buffer.pop_front();
  }
  void run(const ChanModel& m, ChanSut<E>& sut) const override {
    std::optional<E> got;
    if (with_status) {
      E out = Codec<E>::make(-7);  // a marker: out must be left alone unless a value arrived
      const goro::RecvStatus status = sut.chan.try_recv(out);
      const goro::RecvStatus expected = !m.buffer.empty() ? goro::RecvStatus::received
                                        : m.closed        ? goro::RecvStatus::closed
                                                          : goro::RecvStatus::empty;
      RC_ASSERT(status == expected);
      if (status == goro::RecvStatus::received) {
        got = std::move(out);
      } else {
        RC_ASSERT(Codec<E>::value(out) == -7);
      }
    } else {
      got = sut.chan.try_recv();
    }
    if (m.buffer.empty()) {
      RC_ASSERT(!got.has_value());
    } else {
      RC_ASSERT(got.has_value());
      RC_ASSERT(Codec<E>::value(*got) == m.buffer.front());
    }
  }
  void show(std::ostream& os) const override { os << (with_status ? "try_recv(out)" : "try_recv()"); }
};

template <class E>
struct Close : Command<E> {
  void apply(ChanModel& m) const override { m.closed = true; }
  void run(const ChanModel& m, ChanSut<E>& sut) const override {
    if (m.closed) {
      RC_ASSERT_THROWS_AS(sut.chan.close(), goro::closed_channel_error);
    } else {
      sut.chan.close();
    }
  }
  void show(std::ostream& os) const override { os << "close"; }
};

template <class E>
struct LenCap : Command<E> {
  void apply(ChanModel&) const override {}
  void run(const ChanModel& m, ChanSut<E>& sut) const override {
    RC_ASSERT(sut.chan.len() == m.buffer.size());
    RC_ASSERT(sut.chan.cap() == m.capacity);
    RC_ASSERT(static_cast<bool>(sut.chan));
  }
  void show(std::ostream& os) const override { os << "len/cap"; }
};

// Drain: range-for over a closed channel yields exactly the buffered values, in order.
template <class E>
struct Drain : Command<E> {
  explicit Drain(const ChanModel& m) { RC_PRE(m.closed); }
  void checkPreconditions(const ChanModel& m) const override { RC_PRE(m.closed); }
  void apply(ChanModel& m) const override { m.buffer.clear(); }
  void run(const ChanModel& m, ChanSut<E>& sut) const override {
    std::vector<int> got;
    for (E& e : sut.chan) got.push_back(Codec<E>::value(e));
    RC_ASSERT(got == std::vector<int>(m.buffer.begin(), m.buffer.end()));
  }
  void show(std::ostream& os) const override { os << "drain(range-for)"; }
};

template <class E>
struct SendWithHelperReceiver : Command<E> {
  int value;
  explicit SendWithHelperReceiver(const ChanModel& m) : value(m.next_value) { RC_PRE(!m.closed && m.full()); }
  void checkPreconditions(const ChanModel& m) const override { RC_PRE(!m.closed && m.full()); }
  void apply(ChanModel& m) const override {
    ++m.next_value;
    m.buffer.push_back(value);
    m.buffer.pop_front();
  }
  void run(const ChanModel& m, ChanSut<E>& sut) const override {
    const int expected = m.capacity == 0 ? value : m.buffer.front();
    goro::WaitGroup wg;
    int received = -2;
    wg.add(1);
    goro::go([&] {
      yield_a_little();  // let main park in send first (the parked-sender path)
      std::optional<E> got = sut.chan.recv();
      received = got ? Codec<E>::value(*got) : -3;
      wg.done();
    });
    sut.chan.send(Codec<E>::make(value));
    wg.wait();
    RC_ASSERT(received == expected);
  }
  void show(std::ostream& os) const override { os << "send(" << value << ") with a helper receiver"; }
};

template <class E>
struct RecvWithHelperSender : Command<E> {
  int value;
  explicit RecvWithHelperSender(const ChanModel& m) : value(m.next_value) { RC_PRE(!m.closed && m.buffer.empty()); }
  void checkPreconditions(const ChanModel& m) const override { RC_PRE(!m.closed && m.buffer.empty()); }
  void apply(ChanModel& m) const override { ++m.next_value; }
  void run(const ChanModel&, ChanSut<E>& sut) const override {
    goro::WaitGroup wg;
    wg.add(1);
    goro::go([&] {
      yield_a_little();  // let main park in recv first (the parked-receiver path)
      sut.chan.send(Codec<E>::make(value));
      wg.done();
    });
    std::optional<E> got = sut.chan.recv();
    wg.wait();
    RC_ASSERT(got.has_value());
    RC_ASSERT(Codec<E>::value(*got) == value);
  }
  void show(std::ostream& os) const override { os << "recv with a helper sender of " << value; }
};

template <class E>
struct CloseWakesReceiver : Command<E> {
  explicit CloseWakesReceiver(const ChanModel& m) { RC_PRE(!m.closed && m.buffer.empty()); }
  void checkPreconditions(const ChanModel& m) const override { RC_PRE(!m.closed && m.buffer.empty()); }
  void apply(ChanModel& m) const override { m.closed = true; }
  void run(const ChanModel&, ChanSut<E>& sut) const override {
    goro::WaitGroup wg;
    bool got_value = true;
    wg.add(1);
    goro::go([&] {
      got_value = sut.chan.recv().has_value();
      wg.done();
    });
    yield_a_little();
    sut.chan.close();
    wg.wait();  // a lost wake-up on close leaves main here: run() throws deadlock_error
    RC_ASSERT(!got_value);
  }
  void show(std::ostream& os) const override { os << "close wakes a parked receiver"; }
};

template <class E>
struct CloseWakesSender : Command<E> {
  int value;
  explicit CloseWakesSender(const ChanModel& m) : value(m.next_value) { RC_PRE(!m.closed && m.full()); }
  void checkPreconditions(const ChanModel& m) const override { RC_PRE(!m.closed && m.full()); }
  void apply(ChanModel& m) const override {
    ++m.next_value;
    m.closed = true;
  }
  void run(const ChanModel&, ChanSut<E>& sut) const override {
    goro::WaitGroup wg;
    bool threw_closed = false;
    wg.add(1);
    goro::go([&] {
      try {
        sut.chan.send(Codec<E>::make(value));
      } catch (const goro::closed_channel_error&) {
        threw_closed = true;
      }
      wg.done();
    });
    yield_a_little();
    sut.chan.close();
    wg.wait();
    RC_ASSERT(threw_closed);
  }
  void show(std::ostream& os) const override { os << "close wakes a parked sender of " << value; }
};

template <class E>
void check_chan_model() {
  ChanModel model;
  model.capacity = *rc::gen::inRange<std::size_t>(0, 9);
  const auto config = *goro::property::gen_config();
  const auto commands = *rc::state::gen::commands(
      model, rc::state::gen::execOneOfWithArgs<Send<E>, TrySend<E>, Recv<E>, TryRecv<E>, Close<E>, LenCap<E>,
                                               Drain<E>, SendWithHelperReceiver<E>, RecvWithHelperSender<E>,
                                               CloseWakesReceiver<E>, CloseWakesSender<E>>());
  ChanSut<E> sut{goro::make_chan<E>(model.capacity)};
  goro::property::runtime_for(config).run([&] { rc::state::runAll(commands, model, sut); });
}

}  // namespace

RC_GTEST_PROP(ChanModel, IntChannelMatchesModel, ()) { check_chan_model<int>(); }
RC_GTEST_PROP(ChanModel, StringChannelMatchesModel, ()) { check_chan_model<std::string>(); }
RC_GTEST_PROP(ChanModel, MoveOnlyChannelMatchesModel, ()) { check_chan_model<std::unique_ptr<int>>(); }

// The nil channel (Chan<T>{}): close throws nil_channel_error, the non-blocking operations never
// succeed, len and cap are zero, and a select never picks its cases.
RC_GTEST_PROP(ChanModel, NilChannelRows, ()) {
  const auto ops = *rc::gen::container<std::vector<int>>(rc::gen::inRange(0, 5));
  goro::Chan<int> nil;
  for (int op : ops) {
    switch (op) {
      case 0: RC_ASSERT_THROWS_AS(nil.close(), goro::nil_channel_error); break;
      case 1: {
        int v = 7;
        RC_ASSERT(!nil.try_send(v));
        RC_ASSERT(v == 7);
        break;
      }
      case 2: {
        RC_ASSERT(!nil.try_recv().has_value());
        int out = 7;
        RC_ASSERT(nil.try_recv(out) == goro::RecvStatus::empty);  // never closed, only never ready
        RC_ASSERT(out == 7);
        break;
      }
      case 3:
        RC_ASSERT(nil.len() == 0u);
        RC_ASSERT(nil.cap() == 0u);
        RC_ASSERT(!static_cast<bool>(nil));
        break;
      default: {
        const std::size_t fired = goro::select(goro::case_recv(nil), goro::case_send(nil, 1), goro::case_default());
        RC_ASSERT(fired == 2u);
      }
    }
  }
}

// A goroutine blocked forever on a nil channel is a deadlock when main waits for it.
RC_GTEST_PROP(ChanModel, BlockingOnNilChannelIsADeadlock, ()) {
  const auto config = *goro::property::gen_config();
  const bool send = *rc::gen::arbitrary<bool>();
  RC_ASSERT_THROWS_AS(goro::property::runtime_for(config).run([send] {
    goro::Chan<int> nil;
    goro::WaitGroup wg;
    wg.add(1);
    goro::go([&] {
      if (send) {
        nil.send(1);
      } else {
        nil.recv();
      }
      wg.done();
    });
    wg.wait();
  }),
                      goro::deadlock_error);
}
