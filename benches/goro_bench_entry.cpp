// goro_bench_entry.cpp — goro::bench::main (<goro/bench.hpp>): goro's backends only, one per
// registered policy, so a policy outside goro's tree runs the same workloads as the built-ins.
#include <benchmark/benchmark.h>

#include <goro/bench.hpp>

#include "bench_main.hpp"
#include "registry.hpp"

namespace goro::bench {

int main(int argc, char** argv) {
  static constexpr benches::RegisterBackend kBackends[] = {&benches::register_goro};
  benchmark::AddCustomContext("goro_backend", "built");
  return benches::bench_main(argc, argv, kBackends, "goro::bench");
}

}  // namespace goro::bench
