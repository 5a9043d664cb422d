// direction_test.cpp — SendChan<T> and RecvChan<T>, Go's chan<- T and <-chan T (issue 27).
// What misuse must not compile is specified by runtime/tests/compile_fail/ (ctest -L compile_fail).
#include <array>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <vector>

#include "goro_test.hpp"

namespace goro::testing {
namespace {

using Direction = RuntimeTest;
GORO_INSTANTIATE(Direction);

// A Chan<T> converts to either view, implicitly, as Go's assignability rules allow; views never
// convert to each other (the way back to Chan<T> is a named compile error: compile_fail/).
static_assert(std::is_convertible_v<Chan<int>, SendChan<int>>);
static_assert(std::is_convertible_v<Chan<int>, RecvChan<int>>);
static_assert(!std::is_convertible_v<SendChan<int>, RecvChan<int>>);
static_assert(!std::is_convertible_v<RecvChan<int>, SendChan<int>>);
// A view is a Chan<T> with half of it hidden: no extra state.
static_assert(sizeof(SendChan<std::string>) == sizeof(Chan<std::string>));
static_assert(sizeof(RecvChan<std::string>) == sizeof(Chan<std::string>));

// Go's pipeline idiom: each stage's signature says which way its channels go.
void produce(SendChan<int> out, int n) {
  for (int i = 1; i <= n; ++i) out.send(i);
  out.close();
}
void square(RecvChan<int> in, SendChan<int> out) {
  for (int v : in) out.send(v * v);
  out.close();
}

TEST_P(Direction, PipelineStagesTakeDirectionalChannels) {
  const int sum = run([] {
    auto numbers = make_chan<int>(4);
    auto squares = make_chan<int>();
    go(produce, numbers, 10);
    go(square, numbers, squares);
    RecvChan<int> results = squares;
    int total = 0;
    for (int v : results) total += v;
    return total;
  });
  EXPECT_EQ(sum, 385);
}

TEST_P(Direction, ViewsShareTheChannelTheyView) {
  run([] {
    auto ch = make_chan<std::string>(2);
    SendChan<std::string> out = ch;
    RecvChan<std::string> in = ch;
    out.send("a");
    std::string b = "b";
    EXPECT_TRUE(out.try_send(b));
    EXPECT_EQ(out.len(), 2u);
    EXPECT_EQ(in.len(), 2u);
    EXPECT_EQ(in.cap(), 2u);
    EXPECT_EQ(out.cap(), 2u);
    EXPECT_EQ(in.recv(), "a");
    std::string got;
    EXPECT_EQ(in.try_recv(got), RecvStatus::received);
    EXPECT_EQ(got, "b");
    EXPECT_EQ(in.try_recv(got), RecvStatus::empty);
    out.close();  // Go: close is allowed on a send-only channel
    EXPECT_EQ(in.try_recv(got), RecvStatus::closed);
    EXPECT_EQ(in.try_recv(), std::nullopt);
    EXPECT_EQ(in.recv(), std::nullopt);
    EXPECT_THROW(out.send("c"), closed_channel_error);
    EXPECT_THROW(ch.close(), closed_channel_error);
    EXPECT_THROW(out.close(), closed_channel_error);
  });
}

TEST_P(Direction, ViewsCompareByChannelAndTheDefaultViewIsNil) {
  auto a = make_chan<int>();
  auto b = make_chan<int>();
  EXPECT_TRUE(SendChan<int>(a) == SendChan<int>(a));
  EXPECT_FALSE(SendChan<int>(a) == SendChan<int>(b));
  EXPECT_TRUE(RecvChan<int>(b) == RecvChan<int>(b));
  EXPECT_FALSE(RecvChan<int>(a) == RecvChan<int>(b));
  SendChan<int> nil_out;
  RecvChan<int> nil_in;
  EXPECT_FALSE(nil_out);
  EXPECT_FALSE(nil_in);
  EXPECT_TRUE(SendChan<int>(a));
  EXPECT_TRUE(nil_out == SendChan<int>(Chan<int>{}));
  EXPECT_EQ(nil_out.len(), 0u);
  EXPECT_EQ(nil_in.cap(), 0u);
  EXPECT_THROW(nil_out.close(), nil_channel_error);
  int v = 1;
  EXPECT_FALSE(nil_out.try_send(v));
  EXPECT_EQ(nil_in.try_recv(v), RecvStatus::empty);
}

TEST_P(Direction, ViewsTakePartInSelectAsTheirDirectionAllows) {
  run([] {
    auto ch = make_chan<int>(1);
    SendChan<int> out = ch;
    RecvChan<int> in = ch;
    bool sent = false;
    EXPECT_EQ(select(case_recv(in), case_send(out, 7, [&] { sent = true; })), 1u);  // only the send is ready
    EXPECT_TRUE(sent);
    std::optional<int> got;
    EXPECT_EQ(select(case_send(out, 8), case_recv(in, [&](std::optional<int> v) { got = v; })), 1u);
    EXPECT_EQ(got, 7);
    EXPECT_EQ(select(case_recv(RecvChan<int>{}), case_send(SendChan<int>{}, 1), case_default()), 2u)
        << "nil views are never ready";
    out.close();
    EXPECT_THROW(select(case_send(out, 9)), closed_channel_error);
  });
}

TEST_P(Direction, SelectRecvAnyTakesReceiveOnlyViews) {
  run([] {
    std::array<Chan<int>, 3> chans = {make_chan<int>(1), make_chan<int>(1), make_chan<int>(1)};
    std::vector<RecvChan<int>> ins(chans.begin(), chans.end());
    chans[2].send(42);
    auto [index, value] = select_recv_any(std::span<const RecvChan<int>>(ins));
    EXPECT_EQ(index, 2u);
    EXPECT_EQ(value, 42);
    chans[0].close();
    auto [closed_index, nothing] = select_recv_any(std::span<RecvChan<int>>(ins));
    EXPECT_EQ(closed_index, 0u);
    EXPECT_EQ(nothing, std::nullopt);
  });
}

}  // namespace
}  // namespace goro::testing
