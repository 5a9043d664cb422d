// options_test.cpp — configuring a Runtime (issue 2): Options, parse_policy, and the
// GORO_POLICY / GORO_WORKERS environment variables. Bad values are errors that say what is
// accepted, never a silent fallback.
//
// These tests are about configuration, not scheduling, so they are plain TESTs; ctest runs each
// in its own process, and every environment change is undone by EnvVar's destructor anyway.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "goro/goro.hpp"
#include "goro/policy.hpp"

namespace goro::testing {
namespace {

// EnvVar sets (or unsets) an environment variable for its lifetime, then restores it.
class EnvVar {
 public:
  EnvVar(const char* name, const char* value) : name_(name) {
    if (const char* old = std::getenv(name)) saved_ = old;
    if (value != nullptr) {
      ::setenv(name, value, 1);
    } else {
      ::unsetenv(name);
    }
  }
  ~EnvVar() {
    if (saved_) {
      ::setenv(name_, saved_->c_str(), 1);
    } else {
      ::unsetenv(name_);
    }
  }
  EnvVar(const EnvVar&) = delete;
  EnvVar& operator=(const EnvVar&) = delete;

 private:
  const char* name_;
  std::optional<std::string> saved_;
};

// The message of the std::invalid_argument that `make` throws ("" if it throws nothing).
template <class F>
std::string invalid_argument_message(F make) {
  try {
    make();
  } catch (const std::invalid_argument& e) {
    return e.what();
  }
  return "";
}

bool names_every_policy(const std::string& message) {
  for (Policy p : all_policies()) {
    if (message.find(std::string(to_string(p))) == std::string::npos) return false;
  }
  return true;
}

TEST(Options, ParsePolicyAcceptsEveryRegisteredNameAndRoundTrips) {
  ASSERT_GE(all_policies().size(), 3u) << "at least the three built-ins named below";
  for (Policy p : all_policies()) EXPECT_EQ(parse_policy(to_string(p)), p);
  EXPECT_EQ(parse_policy("fifo"), Policy::fifo);
  EXPECT_EQ(parse_policy("steal"), Policy::steal);
  EXPECT_EQ(parse_policy("go"), Policy::go);
}

TEST(Options, ParsePolicyRejectsUnknownNamesListingTheValidOnes) {
  for (const char* bad : {"", "GO", "no-such-policy-xyzzy", "go ", "stealing"}) {
    const std::string message = invalid_argument_message([bad] { parse_policy(bad); });
    ASSERT_FALSE(message.empty()) << "'" << bad << "' was accepted";
    EXPECT_TRUE(names_every_policy(message)) << message;
  }
}

// A policy of a user's own: one locked FIFO, made of the public building blocks.
class UserFifo final : public SchedulerPolicy {
 public:
  void push(unsigned, Goroutine* g, Reason) override { queue_.push(g); }
  Goroutine* pop(unsigned, PolicyCounters& counters) override { return pop_global(queue_, counters); }
  bool has_work() const override { return !queue_.empty(); }

 private:
  GlobalRunQueue queue_;
};
std::unique_ptr<SchedulerPolicy> make_user_fifo(unsigned, std::uint64_t) { return std::make_unique<UserFifo>(); }
std::unique_ptr<SchedulerPolicy> make_other_user_fifo(unsigned, std::uint64_t) { return std::make_unique<UserFifo>(); }

TEST(Options, ARegisteredPolicyIsKnownByNameToEverything) {
  const Policy mine = register_policy("options-test-user-fifo", &make_user_fifo);
  EXPECT_EQ(mine.name(), "options-test-user-fifo");
  EXPECT_EQ(register_policy("options-test-user-fifo", &make_user_fifo), mine) << "registering again is idempotent";
  EXPECT_EQ(parse_policy("options-test-user-fifo"), mine);
  const std::vector<Policy> all = all_policies();
  EXPECT_NE(std::find(all.begin(), all.end(), mine), all.end()) << "all_policies() lists it (tests, benchmarks, stress)";
  EXPECT_EQ(all.front(), Policy::fifo) << "built-ins first";
  {
    EnvVar policy("GORO_POLICY", "options-test-user-fifo");
    EnvVar workers("GORO_WORKERS", "2");
    Runtime rt;
    EXPECT_EQ(rt.options().policy, mine);
    EXPECT_EQ(rt.run([] {
      auto ch = make_chan<int>();
      go([ch]() mutable { ch.send(41); });
      return *ch.recv() + 1;
    }), 42);
    EXPECT_EQ(rt.stats().policy, "options-test-user-fifo");
    EXPECT_GT(rt.stats().global_queue_pops, 0u) << "the policy's counters reach Stats";
  }
  Runtime built_in({.workers = 1, .policy = Policy::steal});
  EXPECT_EQ(built_in.stats().policy, "steal");
}

TEST(Options, RegisterPolicyRefusesTakenOrMalformedNames) {
  (void)register_policy("options-test-taken", &make_user_fifo);
  for (const char* bad : {"go", "fifo", "", "has space", "slash/ed", "options-test-taken"}) {
    const std::string message = invalid_argument_message([bad] { register_policy(bad, &make_other_user_fifo); });
    EXPECT_FALSE(message.empty()) << "'" << bad << "' was accepted";
  }
  EXPECT_THROW(register_policy("options-test-no-factory", nullptr), std::invalid_argument);
}

TEST(Options, DefaultsWithoutEnvironment) {
  EnvVar policy("GORO_POLICY", nullptr);
  EnvVar workers("GORO_WORKERS", nullptr);
  const Options options;
  EXPECT_EQ(options.policy, Policy::go);
  EXPECT_GE(options.workers, 1u);
  EXPECT_EQ(options.stack_size, 64u * 1024);
}

TEST(Options, EnvironmentSelectsPolicyAndWorkers) {
  for (Policy p : all_policies()) {
    EnvVar policy("GORO_POLICY", std::string(to_string(p)).c_str());
    EnvVar workers("GORO_WORKERS", "3");
    const Options options;
    EXPECT_EQ(options.policy, p);
    EXPECT_EQ(options.workers, 3u);
    Runtime rt;  // and a Runtime built from the defaults uses them
    EXPECT_EQ(rt.options().policy, p);
    EXPECT_EQ(rt.options().workers, 3u);
    EXPECT_EQ(rt.run([] { return 1; }), 1);
  }
}

TEST(Options, BadGoroPolicyIsAnErrorNamingTheValidPolicies) {
  EnvVar workers("GORO_WORKERS", nullptr);
  for (const char* bad : {"", "turbo", "Go", "fifo,steal"}) {
    EnvVar policy("GORO_POLICY", bad);
    const std::string message = invalid_argument_message([] { Options options; });
    ASSERT_FALSE(message.empty()) << "GORO_POLICY='" << bad << "' was accepted";
    EXPECT_NE(message.find("GORO_POLICY"), std::string::npos) << message;
    EXPECT_TRUE(names_every_policy(message)) << message;
    EXPECT_THROW(Runtime{}, std::invalid_argument);
  }
}

TEST(Options, BadGoroWorkersIsAnErrorNamingTheValidRange) {
  EnvVar policy("GORO_POLICY", nullptr);
  for (const char* bad : {"", "0", "-1", "two", "2x", " 2", "1025", "99999999999999999999"}) {
    EnvVar workers("GORO_WORKERS", bad);
    const std::string message = invalid_argument_message([] { Options options; });
    ASSERT_FALSE(message.empty()) << "GORO_WORKERS='" << bad << "' was accepted";
    EXPECT_NE(message.find("GORO_WORKERS"), std::string::npos) << message;
    EXPECT_NE(message.find("1024"), std::string::npos) << "names the valid range: " << message;
  }
  EnvVar workers("GORO_WORKERS", "1024");
  EXPECT_EQ(Options{}.workers, 1024u) << "the upper bound itself is valid";
}

TEST(Options, ExplicitOptionsRejectZeroOrTooManyWorkers) {
  Options zero;
  zero.workers = 0;
  EXPECT_THROW(Runtime{zero}, std::invalid_argument);
  Options too_many;
  too_many.workers = 1025;
  EXPECT_THROW(Runtime{too_many}, std::invalid_argument);
}

}  // namespace
}  // namespace goro::testing
