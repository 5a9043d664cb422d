// options_test.cpp — configuring a Runtime (issue 2): Options, parse_policy, and the
// GORO_POLICY / GORO_WORKERS environment variables. Bad values are errors that say what is
// accepted, never a silent fallback.
//
// These tests are about configuration, not scheduling, so they are plain TESTs; ctest runs each
// in its own process, and every environment change is undone by EnvVar's destructor anyway.
#include <gtest/gtest.h>

#include <cstdlib>
#include <optional>
#include <stdexcept>
#include <string>

#include "goro/goro.hpp"

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
  ASSERT_EQ(all_policies().size(), 3u);
  for (Policy p : all_policies()) EXPECT_EQ(parse_policy(to_string(p)), p);
  EXPECT_EQ(parse_policy("fifo"), Policy::fifo);
  EXPECT_EQ(parse_policy("steal"), Policy::steal);
  EXPECT_EQ(parse_policy("go"), Policy::go);
}

TEST(Options, ParsePolicyRejectsUnknownNamesListingTheValidOnes) {
  for (const char* bad : {"", "GO", "lifo", "go ", "stealing"}) {
    const std::string message = invalid_argument_message([bad] { parse_policy(bad); });
    ASSERT_FALSE(message.empty()) << "'" << bad << "' was accepted";
    EXPECT_TRUE(names_every_policy(message)) << message;
  }
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
