// bench_main.hpp — the main of a benchmark binary, given the backends to register.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "registry.hpp"

namespace benches {

// bench_main() is Google Benchmark's main over `backends` (flags, --benchmark_list_tests, JSON
// output with the bare contract names); `suite` is recorded in the JSON context.
int bench_main(int argc, char** argv, std::span<const RegisterBackend> backends, const char* suite);

}  // namespace benches
