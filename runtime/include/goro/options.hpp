// options.hpp — how a Runtime is configured: worker count, scheduling policy, stack size.
//
//   goro::Options opts;                 // defaults: GORO_WORKERS / GORO_POLICY, else nproc and Policy::go
//   opts.policy = goro::parse_policy("steal");
//   goro::Runtime rt(opts);
//
// The defaults read the environment variables GORO_WORKERS and GORO_POLICY; a bad value throws
// std::invalid_argument naming what is accepted (never a silent fallback). Explicitly assigned
// fields always win over the environment.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace goro {

// Policy names the scheduler design; each lives in one file under runtime/src/policies/.
enum class Policy { fifo, steal, go };

// parse_policy() maps "fifo" | "steal" | "go" to a Policy; anything else throws
// std::invalid_argument listing the valid names.
Policy parse_policy(std::string_view name);

// to_string() is the inverse of parse_policy().
std::string_view to_string(Policy policy) noexcept;

// all_policies() lists every registered policy, in registration order (tests iterate it).
const std::vector<Policy>& all_policies() noexcept;

// default_workers() is GORO_WORKERS when set (1..1024, else std::invalid_argument), otherwise
// std::thread::hardware_concurrency().
unsigned default_workers();

// default_policy() is GORO_POLICY when set (else std::invalid_argument), otherwise Policy::go.
Policy default_policy();

// default_trace() is GORO_TRACE (a file to write the execution trace to), otherwise "" (off).
std::string default_trace();

struct Options {
  unsigned workers = default_workers();
  Policy policy = default_policy();
  std::size_t stack_size = 64 * 1024;  // bytes of address space per goroutine; RSS grows only with use
  std::string trace = default_trace();  // non-empty: write an execution trace there (Chrome JSON, runtime/src/trace.hpp)
};

}  // namespace goro
