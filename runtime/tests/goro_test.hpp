// goro_test.hpp — the one fixture every runtime test uses: a Runtime per (policy, workers).
//
//   using Chan = goro::testing::RuntimeTest;           // a readable suite name for this file
//   TEST_P(Chan, RecvOnClosedDrainsThenNullopt) {
//     run([] { ... });                                   // the body runs as the program's main
//   }
//   GORO_INSTANTIATE(Chan);                             // -> Chan.RecvOnClosed.../go_w2 etc.
//
// Tests are parametrised, never copied: each TEST_P runs under every registered policy
// (goro::all_policies(), so a newly registered policy is tested without touching this file)
// with 1 worker and with 2. One worker makes interleavings deterministic enough to assert
// orders (strict yield alternation); two make goroutines truly parallel, which is where races
// and lost wake-ups show.
//
// Sanitizer builds (GORO_TEST_SANITIZER) run 5-15x slower: scaled() shrinks iteration counts
// there so the sanitize tier stays fast. Tests never assert upper bounds on elapsed time.
#pragma once

#include <gtest/gtest.h>

#include <cstddef>
#include <ostream>
#include <string>
#include <vector>

#include "goro/goro.hpp"

namespace goro::testing {

#if defined(GORO_TEST_SANITIZER) && GORO_TEST_SANITIZER
inline constexpr bool kSanitizer = true;
#else
inline constexpr bool kSanitizer = false;
#endif

// scaled() is `n` in a plain build and n/10 (at least 1) in a sanitizer build. Keep the number of
// simultaneously live goroutines below ~8000 in sanitizer builds: TSan gives each one a fiber
// and dies past 8128 threads plus fibers.
constexpr std::size_t scaled(std::size_t n) { return kSanitizer ? (n / 10 > 0 ? n / 10 : 1) : n; }

struct Config {
  Policy policy;
  unsigned workers;
};

// all_configs() is every registered policy with 1 and with 2 workers.
inline std::vector<Config> all_configs() {
  std::vector<Config> configs;
  for (Policy policy : all_policies()) {
    for (unsigned workers : {1u, 2u}) configs.push_back({policy, workers});
  }
  return configs;
}

// config_name() makes the parameter part of a test name: "go_w2".
inline std::string config_name(const ::testing::TestParamInfo<Config>& info) {
  return std::string(to_string(info.param.policy)) + "_w" + std::to_string(info.param.workers);
}

// PrintTo() makes gtest (and so ctest's test names) show a parameter as "go_w2", not as bytes.
inline void PrintTo(const Config& config, std::ostream* os) {
  *os << to_string(config.policy) << "_w" << config.workers;
}

class RuntimeTest : public ::testing::TestWithParam<Config> {
 protected:
  Options options() const {
    Options o;
    o.policy = GetParam().policy;
    o.workers = GetParam().workers;
    return o;
  }
  unsigned workers() const { return GetParam().workers; }

  // run() runs `main` as a goroutine program on this test's runtime and returns its result.
  template <class F>
  auto run(F main) {
    return runtime_.run(std::move(main));
  }

  Runtime& runtime() { return runtime_; }

 private:
  Runtime runtime_{options()};
};

}  // namespace goro::testing

// GORO_INSTANTIATE(Suite) runs every TEST_P of `Suite` (an alias of RuntimeTest) under every
// configuration. A configuration macro, not a function: gtest's registration is itself a macro.
#define GORO_INSTANTIATE(Suite) \
  INSTANTIATE_TEST_SUITE_P(, Suite, ::testing::ValuesIn(::goro::testing::all_configs()), ::goro::testing::config_name)
