// property_support.hpp — what every property test shares: one cached Runtime per configuration,
// RapidCheck generators for configurations, and element-type codecs for channel models.
//
//   RC_GTEST_PROP(Suite, Name, ()) {
//     const auto config = *goro::property::gen_config();
//     goro::property::runtime_for(config).run([&] { ... RC_ASSERT(...); });
//   }
//
// RC_ASSERT throws; run() rethrows the first exception that escapes any goroutine, so an
// assertion inside a goroutine fails the property like one outside. Generation (`*gen`) must
// happen outside run(): RapidCheck's generation context belongs to the test thread.
#pragma once

#include <rapidcheck.h>

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include "goro/goro.hpp"
#include "goro_test.hpp"  // Config, all_configs(), kSanitizer, scaled()

namespace goro::property {

using goro::testing::Config;
using goro::testing::all_configs;
using goro::testing::kSanitizer;
using goro::testing::scaled;

inline std::string to_string(const Config& config) {
  return std::string(goro::to_string(config.policy)) + "_w" + std::to_string(config.workers);
}

// runtime_for() is a Runtime built once per configuration and reused by every case: a
// property runs hundreds of programs, and starting worker threads for each would dominate.
inline Runtime& runtime_for(const Config& config) {
  static std::mutex guard;
  static std::map<std::pair<std::string_view, unsigned>, std::unique_ptr<Runtime>> runtimes;
  std::lock_guard lock(guard);
  auto& slot = runtimes[{config.policy.name(), config.workers}];
  if (!slot) {
    Options options;
    options.policy = config.policy;
    options.workers = config.workers;
    slot = std::make_unique<Runtime>(options);
  }
  return *slot;
}

// gen_config() picks one policy × workers configuration (shrinks towards the first).
inline rc::Gen<Config> gen_config() { return rc::gen::elementOf(all_configs()); }

// Codec<E> maps the models' int values to and from a channel element type E, so one model
// checks copyable, heap-owning and move-only elements alike.
template <class E>
struct Codec;

template <>
struct Codec<int> {
  static constexpr const char* name = "int";
  static int make(int v) { return v; }
  static int value(const int& e) { return e; }
};

template <>
struct Codec<std::string> {
  static constexpr const char* name = "string";
  // Long enough to live on the heap, so a lost or doubled element shows under ASan.
  static std::string make(int v) { return "value-" + std::to_string(v) + "-padding-past-the-small-string-buffer"; }
  static int value(const std::string& e) { return std::stoi(e.substr(6)); }
};

template <>
struct Codec<std::unique_ptr<int>> {
  static constexpr const char* name = "unique_ptr";
  static std::unique_ptr<int> make(int v) { return std::make_unique<int>(v); }
  static int value(const std::unique_ptr<int>& e) { return e ? *e : -1; }
};

}  // namespace goro::property

namespace goro::testing {
// showValue() prints a Config in RapidCheck counterexamples as "go_w2" (found by ADL).
inline void showValue(const Config& config, std::ostream& os) { os << goro::property::to_string(config); }
}  // namespace goro::testing
