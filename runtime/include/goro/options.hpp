// options.hpp — how a Runtime is configured: worker count, scheduling policy, stack size.
//
//   goro::Options opts;                 // defaults: GORO_WORKERS / GORO_POLICY, else nproc and Policy::go
//   opts.policy = goro::parse_policy("steal");   // or a policy of your own: goro::register_policy()
//   goro::Runtime rt(opts);
//
// The defaults read the environment variables GORO_WORKERS and GORO_POLICY; a bad value throws
// std::invalid_argument naming what is accepted (never a silent fallback). Explicitly assigned
// fields always win over the environment.
#pragma once

#include <cstddef>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

namespace goro {

namespace detail {
struct PolicyRegistration;
}

// Policy names a registered scheduler design: a built-in (one file each under
// runtime/src/policies/) or one added with register_policy() (<goro/policy.hpp>). A value type,
// equal when it names the same registration.
class Policy {
 public:
  static const Policy fifo, steal, go;  // the first built-ins; parse_policy() finds any registered name
  std::string_view name() const noexcept;
  friend bool operator==(Policy, Policy) = default;
  const detail::PolicyRegistration& registration() const noexcept { return *registration_; }
  constexpr explicit Policy(const detail::PolicyRegistration* registration) noexcept : registration_(registration) {}

 private:
  const detail::PolicyRegistration* registration_;
};
std::ostream& operator<<(std::ostream& os, Policy policy);  // its name

// parse_policy() maps a registered name ("fifo", "steal", "go", yours) to its Policy; anything
// else throws std::invalid_argument listing the valid names.
Policy parse_policy(std::string_view name);

// to_string() is the inverse of parse_policy().
std::string_view to_string(Policy policy) noexcept;

// all_policies() lists every registered policy, built-ins first, in registration order (tests,
// benchmarks and the stress driver iterate it).
std::vector<Policy> all_policies();

// default_workers() is GORO_WORKERS when set (1..1024, else std::invalid_argument), otherwise
// std::thread::hardware_concurrency() (2 in the deterministic world: goro/sync/deterministic.hpp).
unsigned default_workers();

// default_policy() is GORO_POLICY when set (else std::invalid_argument), otherwise Policy::go.
Policy default_policy();

// default_trace() is GORO_TRACE (a file to write the execution trace to), otherwise "" (off).
std::string default_trace();

// default_wake_latency() is GORO_WAKE_LATENCY when set ("1"/"on" or "0"/"off", else
// std::invalid_argument), otherwise false.
bool default_wake_latency();

struct Options {
  unsigned workers = default_workers();
  Policy policy = default_policy();
  std::size_t stack_size = 64 * 1024;  // bytes of address space per goroutine; RSS grows only with use
  std::string trace = default_trace();  // non-empty: write an execution trace there (Chrome JSON, runtime/src/trace.hpp)
  bool wake_latency = default_wake_latency();  // record Stats::wake_latency (two clock reads per wake-up)
};

}  // namespace goro
