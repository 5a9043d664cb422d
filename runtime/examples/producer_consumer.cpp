// producer_consumer — one goroutine produces, another consumes, through a buffered channel.
//
// The buffer lets the producer run ahead by up to 16 items. When it is done it close()s the
// channel; the consumer's range-for loop ends once the channel is closed *and* drained, so no
// item is lost and nobody needs a sentinel value.
#include <cstdio>

#include <goro/goro.hpp>

namespace {

constexpr int kItems = 10'000;

// Each stage's signature says which way its channels go, as Go's `out chan<- int` and
// `in <-chan int` do: the producer can only send on `items` (and close it), the consumer can only
// receive from it. A Chan<T> converts to either view where the goroutine is started.

// produce sends 1..n, then closes `out`: "no more items" wakes the consumer's final recv.
void produce(goro::SendChan<int> out, int n) {
  for (int i = 1; i <= n; ++i) out.send(i);
  out.close();
}

// consume receives until `in` is closed and drained, then reports the sum.
void consume(goro::RecvChan<int> in, goro::SendChan<long long> result) {
  long long sum = 0;
  for (int item : in) sum += item;
  result.send(sum);
}

}  // namespace

int main() {
  goro::Runtime runtime;
  const long long total = runtime.run([] {
    auto items = goro::make_chan<int>(16);
    auto result = goro::make_chan<long long>();
    goro::go(produce, items, kItems);
    goro::go(consume, items, result);
    return *result.recv();
  });

  const long long expected = static_cast<long long>(kItems) * (kItems + 1) / 2;
  std::printf("consumed %d items, sum %lld (expected %lld): %s\n", kItems, total, expected,
              total == expected ? "OK" : "WRONG");
  return total == expected ? 0 : 1;
}
