// producer_consumer — one goroutine produces, another consumes, through a buffered channel.
//
// The buffer lets the producer run ahead by up to 16 items. When it is done it close()s the
// channel; the consumer's range-for loop ends once the channel is closed *and* drained, so no
// item is lost and nobody needs a sentinel value.
#include <cstdio>

#include <goro/goro.hpp>

int main() {
  constexpr int kItems = 10'000;
  goro::Runtime runtime;
  const long long total = runtime.run([] {
    auto items = goro::make_chan<int>(16);
    auto result = goro::make_chan<long long>();

    goro::go([items]() mutable {  // the producer
      for (int i = 1; i <= kItems; ++i) items.send(i);
      items.close();  // "no more items": wakes the consumer's final recv with nullopt
    });

    goro::go([items, result]() mutable {  // the consumer
      long long sum = 0;
      for (int item : items) sum += item;
      result.send(sum);
    });

    return *result.recv();
  });

  const long long expected = static_cast<long long>(kItems) * (kItems + 1) / 2;
  std::printf("consumed %d items, sum %lld (expected %lld): %s\n", kItems, total, expected,
              total == expected ? "OK" : "WRONG");
  return total == expected ? 0 : 1;
}
