// chan_test.cpp — channels (issue 3): Go's semantics, ported in our own words from the
// behaviour Go's test corpus checks (runtime/chan_test.go; test/chan/nonblock.go, fifo.go,
// zerosize.go, select3.go's closed-channel rules) and the spec's table for closed channels.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <limits>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <variant>
#include <vector>

#include "allocation_counter.hpp"
#include "goro_test.hpp"

namespace goro::testing {
namespace {

using Channel = RuntimeTest;
GORO_INSTANTIATE(Channel);

// Waits a little, so that a goroutine started just before has (very likely) parked. Tests use it
// only where the asserted outcome is the same whichever way the race goes; it only makes the
// interesting interleaving the common one.
void let_others_park() {
  for (int i = 0; i < 10; ++i) yield();
  sleep_for(std::chrono::milliseconds(2));
}

// ---------------------------------------------------------------- basics

TEST_P(Channel, ChanIsAHandleWithReferenceSemantics) {
  run([] {
    auto a = make_chan<int>(1);
    Chan<int> b = a;
    EXPECT_TRUE(a == b);
    EXPECT_FALSE(a == make_chan<int>(1));
    b.send(7);
    EXPECT_EQ(a.len(), 1u);
    EXPECT_EQ(a.recv(), 7);
    EXPECT_TRUE(static_cast<bool>(a));
    EXPECT_FALSE(static_cast<bool>(Chan<int>{}));
    EXPECT_TRUE(Chan<int>{} == Chan<int>{});
  });
}

TEST_P(Channel, LenAndCapFollowTheBuffer) {
  run([] {
    EXPECT_EQ(Chan<int>{}.len(), 0u);
    EXPECT_EQ(Chan<int>{}.cap(), 0u);
    auto unbuffered = make_chan<int>();
    EXPECT_EQ(unbuffered.cap(), 0u);
    EXPECT_EQ(unbuffered.len(), 0u);
    auto buffered = make_chan<int>(3);
    EXPECT_EQ(buffered.cap(), 3u);
    for (std::size_t i = 1; i <= 3; ++i) {
      buffered.send(static_cast<int>(i));
      EXPECT_EQ(buffered.len(), i);
    }
    buffered.recv();
    EXPECT_EQ(buffered.len(), 2u);
    buffered.close();
    EXPECT_EQ(buffered.len(), 2u) << "closing keeps the buffered values";
    EXPECT_EQ(buffered.cap(), 3u);
  });
}

// Go's TestChan, part 1: a receive from an empty channel does not complete until a send.
TEST_P(Channel, RecvWaitsForASend) {
  for (std::size_t capacity : {0u, 1u, 8u}) {
    run([capacity] {
      auto ch = make_chan<int>(capacity);
      std::atomic<bool> received{false};
      WaitGroup wg;
      wg.add(1);
      go([&, ch]() mutable {
        EXPECT_EQ(ch.recv(), 42);
        received.store(true);
        wg.done();
      });
      let_others_park();
      EXPECT_FALSE(received.load()) << "capacity " << capacity;
      ch.send(42);
      wg.wait();
      EXPECT_TRUE(received.load());
    });
  }
}

// Go's TestChan, part 2: on an unbuffered channel, a send does not complete until a receive;
// on a buffered one, `cap` sends complete with nobody receiving.
TEST_P(Channel, UnbufferedSendWaitsForARecvAndBufferedSendsDoNot) {
  run([] {
    auto ch = make_chan<int>();
    std::atomic<bool> sent{false};
    WaitGroup wg;
    wg.add(1);
    go([&, ch]() mutable {
      ch.send(1);
      sent.store(true);
      wg.done();
    });
    let_others_park();
    EXPECT_FALSE(sent.load()) << "an unbuffered send completed with no receiver";
    EXPECT_EQ(ch.recv(), 1);
    wg.wait();
    EXPECT_TRUE(sent.load());
  });
  run([] {
    auto ch = make_chan<int>(5);
    for (int i = 0; i < 5; ++i) ch.send(i);  // would deadlock (deadlock_error) if any blocked
    int extra = 5;
    EXPECT_FALSE(ch.try_send(extra)) << "a full buffer takes no more";
    for (int i = 0; i < 5; ++i) EXPECT_EQ(ch.recv(), i);
  });
}

// Go's TestChan, part 3: values through channels of every capacity arrive complete and in order.
TEST_P(Channel, OneSenderOneReceiverDeliverEveryValueInOrder) {
  const int n = static_cast<int>(scaled(20'000));
  for (std::size_t capacity : {0u, 1u, 10u, 1000u}) {
    run([=] {
      auto ch = make_chan<int>(capacity);
      go([ch, n]() mutable {
        for (int i = 0; i < n; ++i) ch.send(i);
        ch.close();
      });
      int expected = 0;
      for (int v : ch) {
        ASSERT_EQ(v, expected) << "capacity " << capacity;
        ++expected;
      }
      EXPECT_EQ(expected, n);
    });
  }
}

// fifo.go: with several senders, each sender's values arrive in the order it sent them.
TEST_P(Channel, EachSendersValuesArriveInItsOrder) {
  constexpr int kSenders = 4;
  const int per_sender = static_cast<int>(scaled(5'000));
  for (std::size_t capacity : {0u, 3u, 64u}) {
    run([=] {
      struct Item {
        int sender;
        int seq;
      };
      auto ch = make_chan<Item>(capacity);
      auto senders_done = std::make_shared<WaitGroup>();
      senders_done->add(kSenders);
      for (int s = 0; s < kSenders; ++s) {
        go([=]() mutable {
          for (int i = 0; i < per_sender; ++i) {
            ch.send(Item{s, i});
            if (i % 16 == s) yield();
          }
          senders_done->done();
        });
      }
      go([=]() mutable {
        senders_done->wait();
        ch.close();
      });
      std::vector<int> next(kSenders, 0);
      for (Item item : ch) {
        ASSERT_EQ(item.seq, next[item.sender]) << "sender " << item.sender << ", capacity " << capacity;
        ++next[item.sender];
      }
      for (int s = 0; s < kSenders; ++s) EXPECT_EQ(next[s], per_sender);
    });
  }
}

// Parked receivers are served first come, first served (FIFO wait queues, like Go's recvq).
// The order in which they park is only under our control on one worker: there, goroutine i is
// started and parks before i+1 starts. With two workers we check conservation only.
TEST_P(Channel, ParkedReceiversAreServedInArrivalOrder) {
  constexpr int kReceivers = 8;
  run([this] {
    auto ch = make_chan<int>();
    auto order = make_chan<int>(kReceivers);
    for (int r = 0; r < kReceivers; ++r) {
      go([ch, order, r]() mutable {
        const int value = *ch.recv();
        order.send(r * 100 + value);
      });
      let_others_park();
    }
    for (int v = 0; v < kReceivers; ++v) ch.send(v);
    std::vector<int> got;
    for (int i = 0; i < kReceivers; ++i) got.push_back(*order.recv());
    std::vector<bool> seen(kReceivers, false);
    for (int x : got) seen[x % 100] = true;
    for (int v = 0; v < kReceivers; ++v) EXPECT_TRUE(seen[v]) << "value " << v << " was lost";
    if (workers() == 1) {
      for (int x : got) EXPECT_EQ(x / 100, x % 100) << "receiver " << x / 100 << " got value " << x % 100;
    }
  });
}

TEST_P(Channel, RangeForReceivesUntilClosedAndDrained) {
  run([] {
    auto ch = make_chan<std::string>(2);
    go([ch]() mutable {
      for (const char* word : {"range", "over", "a", "channel"}) ch.send(word);
      ch.close();
    });
    std::string joined;
    for (std::string word : ch) joined += word + " ";
    EXPECT_EQ(joined, "range over a channel ");
    int more = 0;
    for ([[maybe_unused]] std::string word : ch) ++more;  // closed and drained: no iteration
    EXPECT_EQ(more, 0);
  });
}

// ---------------------------------------------------------------- Go's table for closed and nil channels
//
//   operation     nil channel          closed channel
//   send          blocks forever       panics             -> closed_channel_error
//   receive       blocks forever       drains, then zero  -> nullopt
//   close         panics               panics             -> nil_channel_error / closed_channel_error
// (blocking forever on nil is covered by the deadlock and wind-down tests in ending_test.cpp)

TEST_P(Channel, SendOnClosedChannelThrowsClosedChannelError) {
  run([] {
    for (std::size_t capacity : {0u, 1u, 4u}) {
      auto ch = make_chan<int>(capacity);
      ch.close();
      EXPECT_THROW(ch.send(1), closed_channel_error) << "capacity " << capacity;
      int v = 1;
      EXPECT_THROW(ch.try_send(v), closed_channel_error) << "a select-with-default send on closed panics too";
      EXPECT_EQ(ch.len(), 0u);
    }
  });
}

TEST_P(Channel, CloseOfClosedChannelThrowsClosedChannelError) {
  run([] {
    auto ch = make_chan<int>(1);
    ch.close();
    EXPECT_THROW(ch.close(), closed_channel_error);
  });
}

TEST_P(Channel, CloseOfNilChannelThrowsNilChannelError) {
  run([] { EXPECT_THROW(Chan<int>{}.close(), nil_channel_error); });
}

TEST_P(Channel, RecvOnClosedChannelDrainsTheBufferThenReturnsNullopt) {
  run([] {
    auto ch = make_chan<int>(3);
    ch.send(1);
    ch.send(2);
    ch.close();
    EXPECT_EQ(ch.recv(), 1);
    EXPECT_EQ(ch.try_recv(), 2);
    for (int i = 0; i < 3; ++i) {
      EXPECT_EQ(ch.recv(), std::nullopt) << "every receive after the drain";
      EXPECT_EQ(ch.try_recv(), std::nullopt);
    }
    auto unbuffered = make_chan<int>();
    unbuffered.close();
    EXPECT_EQ(unbuffered.recv(), std::nullopt);
  });
}

// A sender parked on a channel that gets closed wakes with closed_channel_error (Go panics).
// If the close wins the race against the send parking, the send throws the same error.
TEST_P(Channel, BlockedSendersGetClosedChannelErrorWhenTheChannelCloses) {
  for (std::size_t capacity : {0u, 2u}) {
    run([capacity] {
      auto ch = make_chan<int>(capacity);
      for (std::size_t i = 0; i < capacity; ++i) ch.send(static_cast<int>(i));  // full
      constexpr int kSenders = 3;
      std::atomic<int> errors{0};
      WaitGroup wg;
      wg.add(kSenders);
      for (int s = 0; s < kSenders; ++s) {
        go([&, ch]() mutable {
          try {
            ch.send(100);
            ADD_FAILURE() << "a send completed on a channel nobody receives from";
          } catch (const closed_channel_error&) {
            errors.fetch_add(1);
          }
          wg.done();
        });
      }
      let_others_park();
      ch.close();
      wg.wait();
      EXPECT_EQ(errors.load(), kSenders);
      // The values buffered before the close are still delivered; the senders' never were.
      for (std::size_t i = 0; i < capacity; ++i) EXPECT_EQ(ch.recv(), static_cast<int>(i));
      EXPECT_EQ(ch.recv(), std::nullopt);
    });
  }
}

TEST_P(Channel, BlockedReceiversAllGetNulloptWhenTheChannelCloses) {
  for (std::size_t capacity : {0u, 2u}) {
    run([capacity] {
      auto ch = make_chan<int>(capacity);
      constexpr int kReceivers = 5;
      std::atomic<int> nullopts{0};
      WaitGroup wg;
      wg.add(kReceivers);
      for (int r = 0; r < kReceivers; ++r) {
        go([&, ch]() mutable {
          if (!ch.recv().has_value()) nullopts.fetch_add(1);
          wg.done();
        });
      }
      let_others_park();
      ch.close();
      wg.wait();
      EXPECT_EQ(nullopts.load(), kReceivers);
    });
  }
}

// ---------------------------------------------------------------- non-blocking operations (nonblock.go)

TEST_P(Channel, NonBlockingOperationsOnEveryKindOfChannel) {
  run([] {
    int v = 1;
    // nil: never ready
    Chan<int> nil;
    EXPECT_FALSE(nil.try_send(v));
    EXPECT_EQ(nil.try_recv(), std::nullopt);
    // unbuffered with nobody on the other side: never ready
    auto unbuffered = make_chan<int>();
    EXPECT_FALSE(unbuffered.try_send(v));
    EXPECT_EQ(unbuffered.try_recv(), std::nullopt);
    // buffered, empty: send ready, recv not
    auto buffered = make_chan<int>(1);
    EXPECT_EQ(buffered.try_recv(), std::nullopt);
    EXPECT_TRUE(buffered.try_send(v));
    // buffered, full: recv ready, send not
    int w = 2;
    EXPECT_FALSE(buffered.try_send(w));
    EXPECT_EQ(buffered.try_recv(), 1);
    // closed: recv ready (drained: nullopt), send throws
    buffered.close();
    EXPECT_EQ(buffered.try_recv(), std::nullopt);
    EXPECT_THROW(buffered.try_send(w), closed_channel_error);
  });
}

// nonblock.go: a try_send/try_recv succeeds against a partner parked on an unbuffered channel.
TEST_P(Channel, NonBlockingOperationsMeetAParkedPartner) {
  run([] {
    auto ch = make_chan<int>();
    WaitGroup wg;
    wg.add(1);
    go([&, ch]() mutable {
      EXPECT_EQ(ch.recv(), 7);
      wg.done();
    });
    int v = 7;
    while (!ch.try_send(v)) yield();  // succeeds once the receiver has parked
    wg.wait();

    wg.add(1);
    go([&, ch]() mutable {
      ch.send(8);
      wg.done();
    });
    std::optional<int> got;
    while (!(got = ch.try_recv())) yield();
    EXPECT_EQ(got, 8);
    wg.wait();
  });
}

// try_send moves from its argument only when the value was sent.
TEST_P(Channel, TrySendMovesFromItsArgumentOnlyOnSuccess) {
  run([] {
    auto ch = make_chan<std::unique_ptr<int>>(1);
    auto p = std::make_unique<int>(1);
    EXPECT_TRUE(ch.try_send(p));
    EXPECT_EQ(p, nullptr);
    auto q = std::make_unique<int>(2);
    EXPECT_FALSE(ch.try_send(q));  // full
    ASSERT_NE(q, nullptr) << "a failed try_send must leave its argument alone";
    EXPECT_EQ(*q, 2);
    EXPECT_FALSE(Chan<std::unique_ptr<int>>{}.try_send(q));  // nil
    ASSERT_NE(q, nullptr);
    EXPECT_FALSE(make_chan<std::unique_ptr<int>>().try_send(q));  // unbuffered, nobody receiving
    ASSERT_NE(q, nullptr);
    EXPECT_EQ(**ch.recv(), 1);
  });
}

// try_recv(out) tells "nothing now" from "nothing ever": empty while open (or nil), closed only
// once closed and drained — a buffered value sent before the close is still received first.
TEST_P(Channel, TryRecvWithStatusTellsEmptyFromClosedAndDrained) {
  run([] {
    int out = -1;
    EXPECT_EQ(Chan<int>{}.try_recv(out), RecvStatus::empty);  // nil: never ready, never closed
    for (std::size_t capacity : {0u, 2u}) {
      SCOPED_TRACE(capacity);
      auto ch = make_chan<int>(capacity);
      EXPECT_EQ(ch.try_recv(out), RecvStatus::empty);
      if (capacity > 0) {
        ch.send(4);
        ch.send(5);
      }
      ch.close();
      if (capacity > 0) {
        EXPECT_EQ(ch.try_recv(out), RecvStatus::received);
        EXPECT_EQ(out, 4);
        EXPECT_EQ(ch.try_recv(out), RecvStatus::received);
        EXPECT_EQ(out, 5);
      }
      out = -1;
      EXPECT_EQ(ch.try_recv(out), RecvStatus::closed);
      EXPECT_EQ(out, -1) << "try_recv(out) assigns out only when it received";
      EXPECT_EQ(ch.try_recv(out), RecvStatus::closed) << "closed stays closed";
    }
  });
}

// try_recv(out) takes a value from a sender parked on an unbuffered channel, and moves
// move-only elements.
TEST_P(Channel, TryRecvWithStatusMeetsAParkedSender) {
  run([] {
    auto ch = make_chan<std::unique_ptr<int>>();
    WaitGroup wg;
    wg.add(1);
    go([&, ch] {
      ch.send(std::make_unique<int>(9));
      wg.done();
    });
    std::unique_ptr<int> got;
    RecvStatus status;
    while ((status = ch.try_recv(got)) == RecvStatus::empty) yield();
    EXPECT_EQ(status, RecvStatus::received);
    ASSERT_NE(got, nullptr);
    EXPECT_EQ(*got, 9);
    wg.wait();
  });
}

// A poller may run outside any goroutine: try_recv(out) is non-blocking, so it works on a plain
// thread and sees the close a goroutine made.
TEST_P(Channel, TryRecvWithStatusLetsAPollerStopAtClose) {
  auto ch = make_chan<int>(4);
  run([ch] {
    for (int i = 1; i <= 3; ++i) ch.send(i);
    ch.close();
  });
  int sum = 0, v = 0;
  RecvStatus status;
  while ((status = ch.try_recv(v)) == RecvStatus::received) sum += v;
  EXPECT_EQ(status, RecvStatus::closed);
  EXPECT_EQ(sum, 6);
}

// ---------------------------------------------------------------- element types (zerosize.go and friends)

struct Empty {};

TEST_P(Channel, ZeroSizeElementsWork) {
  run([] {
    auto signal = make_chan<std::monostate>();
    go([signal]() mutable { signal.send({}); });
    EXPECT_TRUE(signal.recv().has_value());

    const std::size_t n = 1000;
    auto buffered = make_chan<Empty>(n);
    for (std::size_t i = 0; i < n; ++i) buffered.send(Empty{});
    EXPECT_EQ(buffered.len(), n);
    Empty e;
    EXPECT_FALSE(buffered.try_send(e));
    buffered.close();
    std::size_t received = 0;
    for ([[maybe_unused]] Empty x : buffered) ++received;
    EXPECT_EQ(received, n);
  });
}

// A buffered channel of a zero-size type holds only a count: sending and receiving its elements
// allocates nothing (issue 3). So does an int channel once made: the ring is allocated up front.
TEST_P(Channel, BufferedSendAndRecvDoNotAllocatePerElement) {
  run([] {
    auto empties = make_chan<Empty>(4096);
    auto monostates = make_chan<std::monostate>(4096);
    auto ints = make_chan<int>(4096);
    const std::uint64_t before = allocations_on_this_thread();
    for (int i = 0; i < 4096; ++i) {
      empties.send(Empty{});
      monostates.send(std::monostate{});
      ints.send(i);
    }
    for (int i = 0; i < 4096; ++i) {
      empties.recv();
      monostates.recv();
      ints.recv();
    }
    // No switch happened (nothing blocked), so the whole loop ran on this worker thread.
    EXPECT_EQ(allocations_on_this_thread() - before, 0u);
  });
}

// Go's chancap.go: a capacity out of range panics with "makechan: size out of range" — here a
// chan_size_error, for any capacity above max_chan_capacity<T> (a negative count converted to
// std::size_t is far above it), including for element types that need no buffer memory at all.
template <class T>
void expect_size_out_of_range(std::size_t capacity) {
  try {
    make_chan<T>(capacity);
    ADD_FAILURE() << "make_chan(" << capacity << ") did not throw";
  } catch (const chan_size_error& e) {
    EXPECT_STREQ(e.what(), "goro: makechan: size out of range");
  }
}

TEST_P(Channel, MakeChanAboveTheMaximumCapacityThrowsSizeOutOfRange) {
  const std::size_t minus_one = static_cast<std::size_t>(-1);  // Go's make(chan int, -1)
  expect_size_out_of_range<int>(minus_one);
  expect_size_out_of_range<int>(max_chan_capacity<int> + 1);
  expect_size_out_of_range<std::string>(static_cast<std::size_t>(std::numeric_limits<std::ptrdiff_t>::min()));
  expect_size_out_of_range<Empty>(minus_one);
  expect_size_out_of_range<Empty>(max_chan_capacity<Empty> + 1);
  EXPECT_THROW(make_chan<int>(minus_one), std::length_error) << "a standard length_error, for generic handlers";
  static_assert(max_chan_capacity<int> >= 1u << 30 && max_chan_capacity<int> < static_cast<std::size_t>(PTRDIFF_MAX));
  // At the bound, an empty element type costs no buffer memory: the channel is made.
  const auto huge = make_chan<Empty>(max_chan_capacity<Empty>);
  EXPECT_EQ(huge.cap(), max_chan_capacity<Empty>);
  run([huge] {
    huge.send(Empty{});
    EXPECT_EQ(huge.len(), 1u);
  });
}

TEST_P(Channel, MoveOnlyElementsTravelThroughEveryKindOfChannel) {
  for (std::size_t capacity : {0u, 1u, 16u}) {
    run([capacity] {
      auto ch = make_chan<std::unique_ptr<int>>(capacity);
      go([ch]() mutable {
        for (int i = 0; i < 50; ++i) ch.send(std::make_unique<int>(i));
        ch.close();
      });
      int expected = 0;
      for (auto& p : ch) {  // `auto&`: the element cannot be copied out of the iterator
        ASSERT_NE(p, nullptr);
        EXPECT_EQ(*p, expected++);
      }
      EXPECT_EQ(expected, 50);
    });
  }
}

struct NoDefault {
  explicit NoDefault(int v) : value(v) {}
  NoDefault() = delete;
  int value;
};

TEST_P(Channel, NonDefaultConstructibleElementsWork) {
  run([] {
    auto unbuffered = make_chan<NoDefault>();
    auto buffered = make_chan<NoDefault>(2);
    go([=]() mutable {
      unbuffered.send(NoDefault(1));
      buffered.send(NoDefault(2));
      buffered.send(NoDefault(3));
      buffered.close();
    });
    EXPECT_EQ(unbuffered.recv()->value, 1);
    int sum = 0;
    for (NoDefault v : buffered) sum += v.value;
    EXPECT_EQ(sum, 5);
    NoDefault x(4);
    auto other = make_chan<NoDefault>(1);
    EXPECT_TRUE(other.try_send(x));
    std::size_t fired = select(case_recv(other, [](std::optional<NoDefault> v) { EXPECT_EQ(v->value, 4); }));
    EXPECT_EQ(fired, 0u);
  });
}

// Buffered values are destroyed with the channel: no leak when a channel dies non-empty.
TEST_P(Channel, ValuesLeftInADroppedChannelAreDestroyed) {
  auto counter = std::make_shared<int>(0);
  run([counter] {
    const long before = counter.use_count();
    auto ch = make_chan<std::shared_ptr<int>>(4);
    for (int i = 0; i < 3; ++i) ch.send(counter);
    EXPECT_EQ(counter.use_count(), before + 3);
  });
  EXPECT_EQ(counter.use_count(), 1);
}

}  // namespace
}  // namespace goro::testing
