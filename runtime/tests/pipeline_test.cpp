// pipeline_test.cpp — whole programs built from goroutines and channels (issue 3): the prime
// sieves of Go's test/chan/sieve1.go and sieve2.go, power-series streams in the style of
// test/chan/powser1.go (including a feedback loop through a splitter), a daisy chain, and a
// staged pipeline. Each checks its output against a sequential computation.
#include <cstdint>
#include <deque>
#include <memory>
#include <numeric>
#include <utility>
#include <vector>

#include "goro_test.hpp"

namespace goro::testing {
namespace {

using Pipeline = RuntimeTest;
GORO_INSTANTIATE(Pipeline);

std::vector<int> primes_up_to(int limit) {
  std::vector<bool> composite(static_cast<std::size_t>(limit) + 1, false);
  std::vector<int> primes;
  for (int i = 2; i <= limit; ++i) {
    if (composite[i]) continue;
    primes.push_back(i);
    for (long j = static_cast<long>(i) * i; j <= limit; j += i) composite[j] = true;
  }
  return primes;
}

// ---------------------------------------------------------------- prime sieves

// sieve1.go: an endless generator and a chain of filters, one goroutine per prime found. The
// program stops by returning from main; the endless goroutines are wound down.
TEST_P(Pipeline, PrimeSieveWithEndlessGenerator) {
  const int count = kSanitizer ? 50 : 200;
  const std::vector<int> expected = [&] {
    auto all = primes_up_to(2000);
    all.resize(count);
    return all;
  }();
  const std::vector<int> found = run([count] {
    auto numbers = make_chan<int>();
    go([numbers]() mutable {
      for (int i = 2;; ++i) numbers.send(i);
    });
    std::vector<int> primes;
    for (int i = 0; i < count; ++i) {
      const int prime = *numbers.recv();
      primes.push_back(prime);
      auto filtered = make_chan<int>();
      go([in = numbers, out = filtered, prime]() mutable {
        for (;;) {
          const int n = *in.recv();
          if (n % prime != 0) out.send(n);
        }
      });
      numbers = filtered;
    }
    return primes;
  });
  EXPECT_EQ(found, expected);
}

// A bounded sieve that ends by closing: the generator closes after `limit`, each filter closes
// its output when its input is closed and drained, and main ranges over the last channel. Run
// with unbuffered and buffered links.
TEST_P(Pipeline, PrimeSieveThatEndsByClosing) {
  const int limit = kSanitizer ? 300 : 2000;
  for (std::size_t capacity : {0u, 8u}) {
    const std::vector<int> found = run([limit, capacity] {
      auto numbers = make_chan<int>(capacity);
      go([numbers, limit]() mutable {
        for (int i = 2; i <= limit; ++i) numbers.send(i);
        numbers.close();
      });
      std::vector<int> primes;
      for (;;) {
        const std::optional<int> prime = numbers.recv();
        if (!prime) break;
        primes.push_back(*prime);
        auto filtered = make_chan<int>(capacity);
        go([in = numbers, out = filtered, p = *prime]() mutable {
          for (int n : in) {
            if (n % p != 0) out.send(n);
          }
          out.close();
        });
        numbers = filtered;
      }
      return primes;
    });
    EXPECT_EQ(found, primes_up_to(limit)) << "capacity " << capacity;
  }
}

// ---------------------------------------------------------------- power series (powser1.go style)

// An exact rational, always in lowest terms with a positive denominator.
struct Rat {
  std::int64_t num = 0;
  std::int64_t den = 1;
  static Rat make(__int128 n, __int128 d) {
    if (d < 0) n = -n, d = -d;
    __int128 a = n < 0 ? -n : n, b = d;
    while (b != 0) a = std::exchange(b, a % b);
    if (a == 0) a = 1;
    return Rat{static_cast<std::int64_t>(n / a), static_cast<std::int64_t>(d / a)};
  }
  friend Rat operator+(Rat x, Rat y) { return make(__int128{x.num} * y.den + __int128{y.num} * x.den, __int128{x.den} * y.den); }
  friend Rat operator*(Rat x, Rat y) { return make(__int128{x.num} * y.num, __int128{x.den} * y.den); }
  friend bool operator==(Rat, Rat) = default;
  friend std::ostream& operator<<(std::ostream& os, Rat r) { return os << r.num << '/' << r.den; }
};

// A power series is an endless stream of coefficients a0, a1, a2, ... on an unbuffered channel,
// each produced by its own goroutine on demand. Producers never end: main returning winds them
// down (which this test therefore exercises too).
using Series = Chan<Rat>;

Series constant_series(Rat c) {  // c, c, c, ...
  auto out = make_chan<Rat>();
  go([out, c]() mutable {
    for (;;) out.send(c);
  });
  return out;
}

Series monomial_x() {  // 0, 1, 0, 0, ...
  auto out = make_chan<Rat>();
  go([out]() mutable {
    out.send(Rat{0});
    out.send(Rat{1});
    for (;;) out.send(Rat{0});
  });
  return out;
}

Series add(Series a, Series b) {
  auto out = make_chan<Rat>();
  go([=]() mutable {
    for (;;) out.send(*a.recv() + *b.recv());
  });
  return out;
}

Series scale(Rat c, Series a) {
  auto out = make_chan<Rat>();
  go([=]() mutable {
    for (;;) out.send(c * *a.recv());
  });
  return out;
}

// mul: the Cauchy product, keeping the histories of both inputs.
Series mul(Series a, Series b) {
  auto out = make_chan<Rat>();
  go([=]() mutable {
    std::vector<Rat> as, bs;
    for (;;) {
      as.push_back(*a.recv());
      bs.push_back(*b.recv());
      Rat sum{0};
      const std::size_t n = as.size() - 1;
      for (std::size_t k = 0; k <= n; ++k) sum = sum + as[k] * bs[n - k];
      out.send(sum);
    }
  });
  return out;
}

Series derivative(Series a) {  // a1, 2 a2, 3 a3, ...
  auto out = make_chan<Rat>();
  go([=]() mutable {
    a.recv();
    for (std::int64_t n = 1;; ++n) out.send(Rat{n} * *a.recv());
  });
  return out;
}

// integral_into: c, a0/1, a1/2, ... sent on `out` (given, so a feedback loop can be closed).
void integral_into(Rat c, Series a, Series out) {
  go([=]() mutable {
    out.send(c);
    for (std::int64_t n = 1;; ++n) out.send(*a.recv() * Rat::make(1, n));
  });
}

// split: copies one series to two consumers that may read at different speeds. It buffers what
// one consumer has not read yet and offers both heads in one select; an empty queue's case uses
// the nil channel, Go's idiom for "this case is off". It reads ahead of the slower consumer by
// at most kMaxLead values: in a feedback loop the faster consumer is the loop itself, which
// would otherwise compute terms forever (and overflow the rationals) once the reader stops.
std::pair<Series, Series> split(Series in) {
  constexpr std::size_t kMaxLead = 2;
  auto first = make_chan<Rat>();
  auto second = make_chan<Rat>();
  go([=]() mutable {
    std::deque<Rat> q1, q2;
    for (;;) {
      const bool need_input = (q1.empty() || q2.empty()) && q1.size() < kMaxLead && q2.size() < kMaxLead;
      select(case_recv(need_input ? in : Series{},
                       [&](std::optional<Rat> v) {
                         q1.push_back(*v);
                         q2.push_back(*v);
                       }),
             case_send(q1.empty() ? Series{} : first, q1.empty() ? Rat{} : q1.front(), [&] { q1.pop_front(); }),
             case_send(q2.empty() ? Series{} : second, q2.empty() ? Rat{} : q2.front(), [&] { q2.pop_front(); }));
    }
  });
  return {first, second};
}

// exp(u) for u with u0 = 0: the series x with x = 1 + ∫ x·u', a stream defined by feedback:
// the integral's output is split, one copy feeding the product that the integral consumes.
Series exp_series(Series u) {
  auto x = make_chan<Rat>();
  auto [result, feedback] = split(x);
  integral_into(Rat{1}, mul(feedback, derivative(u)), x);
  return result;
}

std::vector<Rat> take(Series s, int n) {
  std::vector<Rat> v;
  for (int i = 0; i < n; ++i) v.push_back(*s.recv());
  return v;
}

TEST_P(Pipeline, PowerSeriesProductOfOnesCountsUp) {
  run([] {
    // 1/(1-x) squared = 1 + 2x + 3x^2 + ...
    const auto coefficients = take(mul(constant_series(Rat{1}), constant_series(Rat{1})), 30);
    for (std::int64_t n = 0; n < 30; ++n) EXPECT_EQ(coefficients[n], Rat{n + 1}) << "x^" << n;
  });
}

TEST_P(Pipeline, PowerSeriesSumOfOppositesIsZero) {
  run([] {
    const auto coefficients = take(add(constant_series(Rat{3}), scale(Rat{-1}, constant_series(Rat{3}))), 20);
    for (const Rat& c : coefficients) EXPECT_EQ(c, Rat{0});
  });
}

// exp(x) through the feedback loop: coefficients 1/n!.
TEST_P(Pipeline, PowerSeriesExponentialThroughAFeedbackLoop) {
  static constexpr int kTerms = 15;  // the loop computes at most a few terms more: 20! still fits an int64
  run([] {
    const auto coefficients = take(exp_series(monomial_x()), kTerms);
    std::int64_t factorial = 1;
    for (int n = 0; n < kTerms; ++n) {
      if (n > 0) factorial *= n;
      EXPECT_EQ(coefficients[n], Rat::make(1, factorial)) << "x^" << n;
    }
    // d/dx exp(x) = exp(x)
    const auto derived = take(derivative(exp_series(monomial_x())), kTerms - 1);
    for (int n = 0; n < kTerms - 1; ++n) EXPECT_EQ(derived[n], coefficients[n]) << "x^" << n;
  });
}

// ---------------------------------------------------------------- chains and stages

// A daisy chain of goroutines, each adding one to what it receives from its right neighbour
// (the "whispers" program of the Go talks). Thousands of goroutines parked at once.
TEST_P(Pipeline, DaisyChainOfGoroutinesAddsOnePerLink) {
  const int links = static_cast<int>(scaled(10'000));
  const int result = run([links] {
    auto leftmost = make_chan<int>();
    auto left = leftmost;
    for (int i = 0; i < links; ++i) {
      auto right = make_chan<int>();
      go([left, right]() mutable { left.send(1 + *right.recv()); });
      left = right;
    }
    go([left]() mutable { left.send(0); });
    return *leftmost.recv();
  });
  EXPECT_EQ(result, links);
}

// generate -> square (several workers) -> sum, each stage closing its output when done.
TEST_P(Pipeline, StagedPipelineWithParallelMiddleStage) {
  const int n = static_cast<int>(scaled(20'000));
  for (std::size_t capacity : {0u, 16u}) {
    const std::int64_t sum = run([n, capacity] {
      auto numbers = make_chan<int>(capacity);
      auto squares = make_chan<std::int64_t>(capacity);
      go([numbers, n]() mutable {
        for (int i = 1; i <= n; ++i) numbers.send(i);
        numbers.close();
      });
      auto squarers = std::make_shared<WaitGroup>();
      constexpr int kSquarers = 3;
      squarers->add(kSquarers);
      for (int w = 0; w < kSquarers; ++w) {
        go([=]() mutable {
          for (int v : numbers) squares.send(std::int64_t{v} * v);
          squarers->done();
        });
      }
      go([=]() mutable {
        squarers->wait();
        squares.close();
      });
      std::int64_t total = 0;
      for (std::int64_t s : squares) total += s;
      return total;
    });
    const std::int64_t big_n = n;
    EXPECT_EQ(sum, big_n * (big_n + 1) * (2 * big_n + 1) / 6) << "capacity " << capacity;
  }
}

}  // namespace
}  // namespace goro::testing
